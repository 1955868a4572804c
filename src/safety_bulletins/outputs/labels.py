"""The words generated pages show, in the site's UI language (`theme.language`).

Templates ask for an English phrase, `labels("Presided by")`; a Chinese site gets its
translation. A phrase missing from a translation is an error, so tests catch it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .. import fields
from ..model import DueWindows


# English phrases counting {n} (days, directives), and their form for one (Chinese has one form)
_ONE = {"{n} days": "{n} day", "{n} days overdue": "{n} day overdue", "waiting {n} days": "waiting {n} day", "due in {n} days": "due in {n} day",
        "It also supports {n} open directives of other units ({overdue} overdue), marked “Support” below and not counted above.":
        "It also supports {n} open directive of other units ({overdue} overdue), marked “Support” below and not counted above."}


@dataclass(frozen=True)
class Labels:
    language: str
    TYPES: dict[str, str]
    STATUSES: dict[str, str]
    bucket_names: dict[str, str]  # with the bucket rule's days as {due_soon_days} and {upcoming_days}
    GRADES: dict[str, str]
    ALL_UNITS: str
    words: dict[str, str] = field(default_factory=dict)  # English phrase -> translation
    windows: DueWindows = DueWindows()  # the site's bucket rule: the days its phrases say
    BUCKETS: dict[str, str] = field(init=False)  # the buckets' names with those days
    # each phrase asked for without values, as said (templates ask for the same few hundred
    # phrases about 400,000 times a build at 2,000 bulletins)
    _said: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "BUCKETS", {name: self._days(text) for name, text in self.bucket_names.items()})

    def _days(self, text: str) -> str:
        """The phrase with the site's windows in it ("Due within {due_soon_days} days")."""
        if "_days}" not in text:
            return text
        return (text.replace("{due_soon_days}", str(self.windows.due_soon))
                .replace("{upcoming_days}", str(self.windows.upcoming)))

    def __call__(self, phrase: str, **values) -> str:
        if not values:
            said = self._said.get(phrase)
            if said is None:
                said = self._said[phrase] = self._days(phrase if self.language == "en" else self.words[phrase])
            return said
        if values.get("n") == 1:  # "1 day overdue", not "1 days overdue"
            phrase = self.one(phrase) if self.language == "en" else phrase
        text = self._days(phrase if self.language == "en" else self.words[phrase])
        if any(isinstance(value, Markup) for value in values.values()):  # markup from a template: keep it
            return Markup(escape(text)).format(**values)
        return text.format(**values) if values else text

    def one(self, phrase: str) -> str:
        """The phrase for a count of one, unfilled (for live.js, which counts on the reader's day)."""
        return _ONE.get(phrase, phrase) if self.language == "en" else self(phrase)

    def field(self, spec: fields.Field) -> str:
        """A field's name, as the field spec declares it in this language."""
        return fields.label(spec, self.language)

    def choice(self, spec: fields.Field, value: str) -> str:
        """The name of a choice's value (a grade: "Major hidden danger", 重大隐患)."""
        return spec.choice_labels[self.language][value]

    def status(self, state) -> str:
        """A directive's status by name; an open standing order (长期坚持) is in force, never "not started"."""
        if state.status == "open" and state.deadline is None:
            return self.BUCKETS["ongoing"]
        return self.STATUSES[state.status]

    def day(self, day: dt.date) -> str:
        """A date in a fact, a card or a history: 2026-10-15, or 2026年10月15日 in Chinese."""
        return f"{day.year}年{day.month}月{day.day}日" if self.language == "zh" else day.isoformat()

    def long_date(self, day: dt.date) -> str:
        """A date as an official document writes it under the signature."""
        if self.language == "zh":
            return self.day(day)  # 2026年10月15日, as in the facts
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"

    @property
    def separator(self) -> str:
        """Between names in a line of text: 甲、乙 in Chinese (as documents list bodies), "A, B" in English."""
        return "、" if self.language == "zh" else ", "

    def join(self, names) -> str:
        """Names in a line of text, by `separator` (Markup names stay markup)."""
        names = list(names)
        if names and all(isinstance(name, Markup) for name in names):
            return Markup(self.separator).join(names)
        return self.separator.join(names)

    def short_month(self, month: int) -> str:
        """A month on a chart's axis: Jan, 1月."""
        return f"{month}月" if self.language == "zh" else _MONTHS[month - 1][:3]

    def year(self, year: int) -> str:
        return f"{year}年" if self.language == "zh" else str(year)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


ENGLISH = Labels(
    language="en",
    TYPES={"minutes": "Minutes", "notice": "Notice", "bulletin": "Bulletin", "inspection": "Inspection report"},
    STATUSES=fields.choice_labels("status", "en"),
    bucket_names={
        "overdue": "Overdue", "due-soon": "Due within {due_soon_days} days", "upcoming": "Due within {upcoming_days} days",
        "later": "Due later", "ongoing": "In force", "awaiting-acceptance": "Awaiting acceptance",
        "to-accept": "Waiting for this unit's acceptance", "support": "Supported by this unit (open)", "closed": "Closed",
    },
    GRADES=fields.choice_labels("grade", "en"),
    ALL_UNITS="All units",
)

CHINESE = Labels(
    language="zh",
    TYPES={"minutes": "会议纪要", "notice": "通知", "bulletin": "通报", "inspection": "检查报告"},
    STATUSES=fields.choice_labels("status", "zh"),
    bucket_names={
        "overdue": "已逾期", "due-soon": "{due_soon_days}日内到期", "upcoming": "{upcoming_days}日内到期",
        "later": "{upcoming_days}日后到期", "ongoing": "长期执行", "awaiting-acceptance": "待验收",
        "to-accept": "待本单位验收", "support": "本单位配合事项（未办结）", "closed": "已办结",
    },
    GRADES=fields.choice_labels("grade", "zh"),
    ALL_UNITS="各单位",
    words={
        **fields.words("zh"),  # the fields' names (Units, Deadline, Measures...): the field spec's
        "Figures as of": "统计截至",
        "Directive": "议定事项",
        "Directives": "议定事项",
        "Unit": "单位",
        "Supporting unit": "配合",
        "Supporting other units": "本单位配合事项",
        "escalated (督办): {escalation}": "挂牌督办：{escalation}",
        "closed off (销号)": "已销号",
        "Owner per unit": "各单位责任人",
        "Supported by a sub-unit (open)": "下级单位配合事项（未办结）",
        "Escalation (level · body · number)": "挂牌督办（级别·督办单位·编号）",
        "Closed off on": "销号日期",
        "{unit}: {person}": "{unit}：{person}",
        "Accepted on": "验收日期",
        "Issued in": "出处",
        "No directives.": "暂无议定事项。",
        "Title": "标题",
        "Type": "类型",
        "Number": "文号",
        "Presided by": "主持人",
        "Place": "地点",
        "Attendees": "参会人员",
        "Absent": "缺席人员",
        "Recorder": "记录人",
        "Observers": "列席人员",
        "Extra urgent": "特急",
        "Urgent": "加急",
        "Signed by: {names}": "签发人：{names}",
        "To: {names}": "{names}：",
        "(Contact: {text})": "（联系人：{text}）",
        "(Contact: {name}, phone: {phone})": "（联系人：{name}，电话：{phone}）",
        "Copy to: {names}": "抄送：{names}。",
        "Printed on {date}": "{date}印发",
        "Meeting": "会议",
        "Tags": "标签",
        "Pages": "页码",
        "Last changed": "最后修改",
        "changed once": "修改 1 次",
        "changed {count} times": "共修改 {count} 次",
        "changed at least once": "至少修改 1 次",
        "changed at least {count} times": "至少修改 {count} 次",
        "Attachments": "附件",
        "Also known as": "别名",
        "Part of": "上级单位",
        "Units within": "下属单位",
        "Open": "未办结",
        "Overdue": "已逾期",
        "Due within {due_soon_days} days": "{due_soon_days}日内到期",
        "Year": "年份",
        "All": "合计",
        "Upcoming meetings": "近期会议",
        "No meetings announced.": "暂无会议通知。",
        "Latest bulletins": "最新文件",
        "All bulletins by year and type": "按年份和类型查看全部文件",
        "Register of directives": "议定事项台账",
        "Archive": "文件归档",
        "Bulletins of {year}": "{year}年文件",
        "open directives": "项未办结",
        "Also available as data: {files}": "数据下载：{files}",
        "for Excel": "可用 Excel 打开",
        "Safety digest for {unit}: {overdue} overdue, {due} due within {due_soon_days} days ({date})":
            "安全生产日报（{unit}）：逾期 {overdue} 项，{due_soon_days}日内到期 {due} 项（{date}）",
        "As of {date}.": "截至 {date}。",
        "With its sub-units: {units}.": "含下属单位：{units}。",
        "due in {n} days": "{n} 天后到期",
        # `bulletins due`'s text
        "Overdue or due within {days} days, as of {date}:": "截至 {date}，已逾期或 {days} 日内到期的事项：",
        "nothing.": "无。",
        "{overdue} overdue, {soon} due soon": "已逾期 {overdue} 项，即将到期 {soon} 项",
        "; supporting other units: {count}": "；配合其他单位：{count}",
        "Supporting other units:": "本单位配合事项：",
        "[support]": "[配合]",
        "[escalated: {escalation}]": "[挂牌督办：{escalation}]",
        "[escalated]": "[挂牌督办]",
        "[for {units}]": "[下属单位：{units}]",
        "owner": "责任人",
        "leader": "责任领导",
        "due today": "今日到期",
        "For": "责任单位",
        "Issued or changed since {date}": "{date} 以来下达或变更的事项",
        "Nothing.": "无。",
        "The site": "网站",
        "Links are paths below the site's root: set site_url in mkdocs.yml for full addresses.":
            "链接为网站根目录下的路径：在 mkdocs.yml 中设置 site_url 可得到完整地址。",
        "{open} open, {overdue} overdue, {soon} due within {due_soon_days} days, {closed} closed.":
            "未办结 {open} 项，其中已逾期 {overdue} 项、{due_soon_days}日内到期 {soon} 项；已办结 {closed} 项。",
        "{overdue} overdue, the oldest {days}": "已逾期 {overdue} 项，最久逾期 {days}",
        "{n} days": "{n} 天",
        "{overdue} overdue": "已逾期 {overdue} 项",
        "{closed} of {total} units done": "{total} 个单位中 {closed} 个已完成",
        "{closed} of {total} units done, {overdue} overdue: {units}": "{total} 个单位中 {closed} 个已完成，{overdue} 个逾期：{units}",
        "Each unit's share": "各单位落实情况",
        "Days overdue": "逾期天数",
        "{soon} due within {due_soon_days} days, {open} open, {closed} closed.":
            "{due_soon_days}日内到期 {soon} 项，未办结 {open} 项，已办结 {closed} 项。",
        "Counted: the directives this unit is responsible for, those to all units included.":
            "以上统计本单位负责的事项（含发给各单位的事项）。",
        "It also supports {n} open directives of other units ({overdue} overdue), marked “Support” below and not "
        "counted above.": "另配合其他单位未办结事项 {n} 项（其中已逾期 {overdue} 项），在下列清单中标注为“配合单位”，不计入上述统计。",
        "About this unit": "单位信息",
        "+{open} supported": "另配合 {open} 项",
        "Each unit's figures are the directives it is responsible for, those to all units included; what it only "
        "supports is counted apart (“supported”), as the unit responsible answers for the deadline.":
            "各单位的数字为其负责的事项（含发给各单位的事项）；仅为配合单位的事项单独计数（“另配合”），期限由责任单位负责。",
        "{count} directives issued in published bulletins, most urgent first.":
            "已发布文件中的议定事项共 {count} 项，按紧急程度排列。",
        "{count} published bulletins by year and type.": "已发布文件共 {count} 份，按年份和类型统计。",
        "{count} published, newest first.": "已发布 {count} 份，按日期从新到旧排列。",
        "{n} days overdue": "逾期 {n} 天",
        "waiting {n} days": "已等待 {n} 天",
        "Figures as of {today} (your date; the site was built on {built})": "统计截至 {today}（按您的日期；网站生成于 {built}）",
        "History": "办理经过",
        "Units' progress": "各单位进展",
        "for {units}": "{units}",
        "Recurrence": "办理周期",
        "Next deadline": "下次期限",
        "Missed periods": "未按期报送",
        "Rate": "完成率",
        "On-time rate": "按期率",
        "Issued": "下达",
        "deadline": "期限",
        # directives.csv's columns (spreadsheet.directive_header) and values
        "Directive text": "事项内容",
        "Original deadline": "原期限",
        "Closed on": "办结日期",
        "Closed on time": "按期办结",
        "Link": "链接",
        "Bulletin title": "文件标题",
        "Bulletin date": "文件日期",
        "Bulletin type": "文件类型",
        "Bulletin link": "文件链接",
        "yes": "是",
        "Days left": "剩余天数",
        "Role": "角色",
        "Responsible": "负责",
        "no": "否",
        # directives.xlsx's sheets (workbook.py) and its by-unit sheet's roles
        "All directives": "全部事项",
        "Open, by unit": "未办结（按单位）",
        "Accepting unit": "验收",
        "… [cut at Excel's limit of 32,767 characters a cell: the whole text is in directives.csv, directives.json "
        "and on the directive's page]": "……〔超出 Excel 单元格 32767 个字符的上限，以下从略；全文见 directives.csv、"
                                        "directives.json 及事项页面〕",
        "… {n} more rows than a sheet holds are not shown here: directives.csv and directives.json hold every "
        "one": "……另有 {n} 行超出工作表的行数上限，未列出；directives.csv 和 directives.json 列出全部",
        # what a follow-up changed (changes.describe)
        "; ": "；",
        # punctuation between our words: full-width on a Chinese page (配合单位：…, 已办结（12）)
        ": ": "：",
        ", ": "，",
        "({text})": "（{text}）",
        " ({text})": "（{text}）",
        "reopened: {reason}": "重新打开：{reason}",
        "status {before} → {after}": "状态 {before} → {after}",
        "deadline set to {after} ({reason})": "期限定为 {after}（{reason}）",
        "deadline extended from {before} to {after} ({reason})": "期限由 {before} 延期至 {after}（{reason}）",
        "deadline brought forward from {before} to {after} ({reason})": "期限由 {before} 提前至 {after}（{reason}）",
        "accepted by {who}": "由{who}验收",
        "to be accepted by {who}": "待{who}验收",
        "escalated (督办)": "挂牌督办",
        "supervision ended": "撤销督办",
        "progress reported": "报告进展",
        "Follow-up of {title}": "{title}落实情况",
        "Search": "搜索",
        "404 - Not found": "404 - 页面不存在",  # Material's 404.html says it in English in every language
        "Changes": "变更",
        "counts from {date}": "自 {date} 起生效",
        "Now": "当前",
        "Completion rate": "办结率",
        "On-time completion rate": "按期办结率",
        "Rectification rate": "整改率",
        "On-time rectification rate": "按期整改率",
        "{part} of {whole}": "{whole} 项中 {part} 项",
        "Completion rate (meeting tasks, no grade) and rectification rate (hidden dangers, graded) = done ÷ due; "
        "on-time rates = done by the deadline in force ÷ due. Due: done, or past the deadline in force at the as-of "
        "date; cancelled never counts. A unit counts what it is responsible for.":
            "办结率（会议议定事项，无隐患等级）、整改率（隐患，有等级）= 已完成 ÷ 应完成；按期办结率、按期整改率 = 在现行期限内完成 ÷ 应完成。"
            "应完成：已完成，或截至统计日期已超过现行期限；已取消的不计入。各单位只计其负责的事项。",
        "{count} awaiting acceptance.": "待验收 {count} 项。",
        "{count} wait for this unit's acceptance.": "待本单位验收 {count} 项。",
        "{count} under supervision (escalated).": "督办事项 {count} 项。",
        "The whole group": "全集团",
        "Awaiting acceptance": "待验收",
        "Under supervision (escalated)": "督办事项",
        "Dashboard": "统计看板",
        "Figures as of {date}": "统计截至 {date}",
        "Figures as of {date}.": "统计截至 {date}。",  # the sentence closing a caption
        "The charts and the table are the state of the directives on that day, when the site was built; unlike the "
        "lists, they are not recounted on the day you read them.":
            "图表和清单反映网站生成当日议定事项的状态；与各列表不同，不会按您阅读的日期重新计算。",
        "Open directives per unit": "各单位未办结事项",
        "{open} open directives, {overdue} overdue, as of {date}.": "截至 {date}，未办结事项 {open} 项，其中已逾期 {overdue} 项。",
        "{open} open, {overdue} overdue, {soon} due within {due_soon_days} days":
            "未办结 {open} 项，已逾期 {overdue} 项，{due_soon_days}日内到期 {soon} 项",
        "{n} overdue": "逾期 {n}",
        "Other open": "其他未办结",
        "Open directives of each unit responsible for them (directives to all units included, support not), "
        "most overdue first.": "按责任单位统计的未办结事项（含发给各单位的事项，不含配合事项），逾期最多的单位排在最前。",
        "Directives issued and closed per month": "每月下达和办结的议定事项",
        "{issued} issued and {closed} closed in the {count} months to {date}.": "截至 {date} 的 {count} 个月内，下达 {issued} 项，办结 {closed} 项。",
        "{issued} issued, {closed} closed": "下达 {issued} 项，办结 {closed} 项",
        "Issued: by the date of the bulletin; closed: done or cancelled, by the date of the follow-up that closed it.":
            "下达：按文件日期统计；办结：已完成或已取消，按办结该事项的落实情况日期统计。",
        "Month": "月份",
        "Rates per unit": "各单位办结率与整改率",
        "Meeting tasks": "会议议定事项",
        "Hidden dangers": "隐患",
        "The whole group: {rates}.": "全集团：{rates}。",
        "{name} {rate} ({part} of {whole})": "{name} {rate}（{whole} 项中 {part} 项）",
        "Lowest rate first; units with nothing due last.": "比率最低的单位排在最前，无应完成事项的单位排在最后。",
        "Oldest overdue directives": "逾期最久的事项",
        "The {count} oldest of {total} overdue directives.": "已逾期事项共 {total} 项，此处列出逾期最久的 {count} 项。",
        "Deadline in force": "现行期限",
        "No directive is overdue.": "没有逾期事项。",
        "Directives of sub-units": "下属单位的议定事项",
        "For sub-unit": "下属单位",
        "{count} wait for a sub-unit's acceptance.": "待下属单位验收 {count} 项。",
        "Waiting for a sub-unit's acceptance": "待下属单位验收",
        "Each directive of a sub-unit at any level is listed once, with the sub-units it is for; those listed above "
        "as this unit's own work are left out.": "各级下属单位的事项每项只列一次，并注明所属下属单位；上方已作为本单位事项列出的不再重复"
        "（本单位仅配合的，仍列于此）。",
        "The directives of its sub-units follow on page {number}.": "下属单位的议定事项见第 {number} 页。",
        "Sub-units are indented under their unit. For a unit with sub-units, Σ counts the unit and all its "
        "sub-units together, each directive once.": "下属单位缩进列在上级单位之下。有下属单位的，Σ 为本单位及其全部下属单位合计，每项事项只计一次。",
        "With its sub-units": "含下属单位",
        "{open} open": "未办结 {open} 项",
        "Bulletins, newest first.": "文件，最新在前。",
        "Bulletins with directives for this unit or its sub-units, newest first.": "含本单位及下属单位议定事项的文件，最新在前。",
        "… and {count} more": "……另有 {count} 项",
        "{follow_up_of} {title}: {changes}": "{follow_up_of}“{title}”：{changes}",
        "{title}: {changes}": "“{title}”：{changes}",
        "{change} (and {count} more)": "{change}（另有 {count} 项变更）",
        "{title} — {change}": "{title}——{change}",
        "{units} (supported by {support})": "{units}（配合：{support}）",
        "{title}: {units}; deadline {deadline}; {status}": "{title}：{units}；期限 {deadline}；{status}",
        "Subscribe in a feed reader:": "在阅读器中订阅：",
        "this unit's bulletins (Atom)": "本单位文件（Atom）",
        "these bulletins (Atom)": "此类文件（Atom）",
        "all bulletins (Atom)": "全部文件（Atom）",
        "Deadlines and meetings in your calendar:": "期限和会议加入日历：",
        "Subscribe": "订阅",
        "Download (.ics)": "下载（.ics）",
        "Deadlines and meetings": "期限与会议",
        "Done; waiting for acceptance, so not overdue against the unit.": "已完成，待验收，不计为本单位逾期。",
        "extended from {date}": "原期限 {date}",
        "ongoing": "长期",
        "Immediately": "立即",
        "Deadline as written": "期限（文件写法）",
        "extended after the deadline had passed": "逾期后延期",
        "No fixed deadline": "不设期限",
        "next {date}": "下次 {date}",
        "missed {periods}": "未按期报送 {periods}",
        "period {period}": "期次 {period}",
        "stage {stage}": "阶段 {stage}",
        "until {date}": "（至 {date}）",
        "Stages": "阶段",
        "done on {date}": "{date} 完成",
        "starts on {date}": "{date} 开始",
        "On the site": "网站位置",
        "Filter the directives": "筛选议定事项",
        "Any": "不限",
        "Filter the results": "筛选搜索结果",
        "{total} bulletins found; the best {shown} are listed: add a word or a filter to narrow them":
            "共找到 {total} 份文件，列出最相关的 {shown} 份：可增加关键词或筛选条件缩小范围",
        "More bulletins were found; the best {shown} are listed": "找到更多文件，列出最相关的 {shown} 份",
        "Show more results": "显示更多结果",
        "When due": "到期情况",
        "Year issued": "下达年份",
        "Text": "包含文字",
        "Escalated only": "仅看督办事项",
        "Clear": "清除筛选",
        # the folded filter's summary (filter.js) and the printed ledger (issue 22)
        "Filter: {filters}": "筛选：{filters}",
        "none": "无",
        "No.": "序号",
        "Unit / owner": "责任单位/责任人",
        "Progress": "进展",
        "Print date: {date}": "打印日期 {date}",
        "Statuses as of {date}": "状态截至 {date}",
        "The chart shows the last {count} months.": "图中为最近 {count} 个月。",
        "{shown} of {total} directives": "显示 {shown} 项，共 {total} 项",
        "{shown} of {total} directives on this page": "本页 {total} 项中显示 {shown} 项",
        "No directive matches this filter.": "没有符合筛选条件的议定事项。",
        "All directives of {unit}, on its page": "{unit}的全部议定事项（单位页面）",
        "This list has {total} directives on {pages} pages: the filter looks at the page shown, and the page links "
        "keep it.": "本列表共 {total} 项，分 {pages} 页：筛选只作用于当前页，翻页时保留筛选条件。",
    },
)


def for_language(code: str | None, windows: DueWindows = DueWindows()) -> Labels:
    """Chinese for any `zh` variant of Material's language setting, English otherwise; its
    phrases say the site's bucket windows."""
    base = CHINESE if (code or "").lower().startswith("zh") else ENGLISH
    if windows == base.windows:
        return base
    key = (base.language, windows)
    if key not in _OTHER_WINDOWS:
        _OTHER_WINDOWS[key] = dataclasses.replace(base, windows=windows)
    return _OTHER_WINDOWS[key]


_OTHER_WINDOWS: dict[tuple[str, DueWindows], Labels] = {}
