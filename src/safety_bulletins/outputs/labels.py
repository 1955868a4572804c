"""The words generated pages show, in the site's UI language (`theme.language`).

Templates ask for an English phrase, `labels("Presided by")`; a Chinese site gets its
translation. A phrase missing from a translation is an error, so tests catch it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Labels:
    language: str
    TYPES: dict[str, str]
    STATUSES: dict[str, str]
    BUCKETS: dict[str, str]
    GRADES: dict[str, str]
    ALL_UNITS: str
    words: dict[str, str] = field(default_factory=dict)  # English phrase -> translation

    def __call__(self, phrase: str, **values) -> str:
        text = phrase if self.language == "en" else self.words[phrase]
        if any(isinstance(value, Markup) for value in values.values()):  # markup from a template: keep it
            return Markup(escape(text)).format(**values)
        return text.format(**values) if values else text

    def long_date(self, day: dt.date) -> str:
        """A date as an official document writes it under the signature."""
        if self.language == "zh":
            return f"{day.year}年{day.month}月{day.day}日"
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


ENGLISH = Labels(
    language="en",
    TYPES={"minutes": "Minutes", "notice": "Notice", "bulletin": "Bulletin", "inspection": "Inspection report"},
    STATUSES={
        "open": "Open", "in-progress": "In progress", "awaiting-acceptance": "Awaiting acceptance",
        "done": "Done", "cancelled": "Cancelled",
    },
    BUCKETS={
        "overdue": "Overdue", "due-soon": "Due within 7 days", "upcoming": "Due within 30 days",
        "later": "Due later", "ongoing": "Ongoing", "awaiting-acceptance": "Awaiting acceptance",
        "to-accept": "Waiting for this unit's acceptance", "closed": "Closed",
    },
    GRADES={"general": "General hidden danger", "major": "Major hidden danger"},
    ALL_UNITS="All units",
)

CHINESE = Labels(
    language="zh",
    TYPES={"minutes": "会议纪要", "notice": "通知", "bulletin": "通报", "inspection": "检查报告"},
    STATUSES={
        "open": "未开始", "in-progress": "整改中", "awaiting-acceptance": "待验收",
        "done": "已完成", "cancelled": "已取消",
    },
    BUCKETS={
        "overdue": "已逾期", "due-soon": "7日内到期", "upcoming": "30日内到期",
        "later": "30日后到期", "ongoing": "长期", "awaiting-acceptance": "待验收",
        "to-accept": "待本单位验收", "closed": "已办结",
    },
    GRADES={"general": "一般隐患", "major": "重大隐患"},
    ALL_UNITS="各单位",
    words={
        "Deadlines as of": "期限截至",
        "Deadline": "期限",
        "Directive": "议定事项",
        "Directives": "议定事项",
        "Units": "责任单位",
        "Unit": "单位",
        "Support": "配合单位",
        "Supporting unit": "配合",
        "Owner": "责任人",
        "Status": "状态",
        "Grade": "隐患等级",
        "Id": "编号",
        "Issued in": "出处",
        "No directives.": "暂无议定事项。",
        "Date": "日期",
        "Title": "标题",
        "Type": "类型",
        "Number": "文号",
        "Presided by": "主持人",
        "Place": "地点",
        "Attendees": "参会人员",
        "Absent": "缺席人员",
        "Recorder": "记录人",
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
        "Due within 7 days": "7日内到期",
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
        "Also available as data:": "数据下载：",
        "{open} open, {overdue} overdue, {soon} due within 7 days, {closed} closed.":
            "未办结 {open} 项，其中已逾期 {overdue} 项、7日内到期 {soon} 项；已办结 {closed} 项。",
        "Directives to all units are included; those this unit only supports are marked.":
            "含发给各单位的事项；本单位仅为配合单位的事项已标明。",
        "{count} directives issued in published bulletins, most urgent first.":
            "已发布文件中的议定事项共 {count} 项，按紧急程度排列。",
        "{count} published bulletins by year and type.": "已发布文件共 {count} 份，按年份和类型统计。",
        "{count} published, newest first.": "已发布 {count} 份，按日期从新到旧排列。",
        "{n} days overdue": "逾期 {n} 天",
        "waiting {n} days": "已等待 {n} 天",
        "Deadlines as of {today} (your date; the site was built on {built})": "期限截至 {today}（按您的日期；网站生成于 {built}）",
        "Escalated": "督办",
        "Acceptance": "验收",
        "Measures": "整改措施",
        "Funds": "整改资金",
        "Contingency plan": "应急预案",
        "History": "办理经过",
        "Issued": "下达",
        "deadline": "期限",
        "reopened: {reason}": "重新办理：{reason}",
        "status {before} → {after}": "状态 {before} → {after}",
        "deadline {before} → {after} ({reason})": "期限 {before} → {after}（{reason}）",
        "accepted by {who}": "由{who}验收",
        "to be accepted by {who}": "待{who}验收",
        "escalated (督办)": "列入督办",
        "supervision ended": "解除督办",
        "progress reported": "报告进展",
        "Follow-up of": "落实事项",
        "Follow-up of {title}": "{title}落实情况",
        "Search": "搜索",
        "Changes": "变更",
        "counts from {date}": "自 {date} 起生效",
        "Now": "当前",
        "Closure rate": "整改率",
        "On-time closure rate": "按期整改率",
        "{part} of {whole}": "{whole} 项中 {part} 项",
        "Closure rate: directives done, of those the unit is responsible for that have a deadline and are not "
        "cancelled. On-time closure rate: directives done on or before the deadline in force when they were done, "
        "of those done. Both count follow-ups up to the as-of date.":
            "整改率：已完成事项占本单位负责、有期限且未取消事项的比例。按期整改率：在完成时有效期限当日或之前完成的事项占已完成事项的比例。"
            "两者均计入截至期限日期的落实情况。",
        "{count} awaiting acceptance.": "待验收 {count} 项。",
        "{count} wait for this unit's acceptance.": "待本单位验收 {count} 项。",
        "{count} under supervision (escalated).": "督办事项 {count} 项。",
        "The whole group": "全集团",
        "Awaiting acceptance": "待验收",
        "Under supervision (escalated)": "督办事项",
    },
)


def for_language(code: str | None) -> Labels:
    """Chinese for any `zh` variant of Material's language setting, English otherwise."""
    return CHINESE if (code or "").lower().startswith("zh") else ENGLISH
