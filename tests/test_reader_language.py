"""Outputs in the reader's language (issue 21): on a Chinese site directives.csv and `bulletins due
--format csv` are Chinese first (headers, units by name, status, bucket, grade), the codes after them
in columns of their own; feed entries and calendar events say what each follow-up changed
(completion, acceptance by whom, extension with its reason, escalation and its end, reopening),
in the site's language, as the cards do (changes.describe). Real builds, read back with the csv
module, feedparser and xml.etree, and icalendar."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from helpers import SITE_YML, UNITS_YML, build, write_tree
from icalendar import Calendar

from safety_bulletins.commands.cli import main
from safety_bulletins.outputs.spreadsheet import DUE_CODE_COLUMNS, FORMULA_STARTS, code_columns, directive_columns

AS_OF = "2026-11-28"
UNITS = UNITS_YML.replace("  parent: energy\n", "  name_zh: 加油站\n  parent: energy\n")
# A quarterly committee's minutes, a 督办通报, the next month's minutes reporting an acceptance made
# in October (a backdated follow-up), and a re-inspection that reopens the work and ends a supervision.
FILES = {
"2026/2026-09-01-q3-committee.md": """\
---
title: 第三季度安全生产委员会会议纪要
date: 2026-09-01
type: minutes
issuer: safety-env
---
会议听取了各单位汇报。

/// directive | 消防通道清理
    id: Q3-1
    units: [物业公司]
    support: [能源公司]
    deadline: 2026-10-15
    grade: major

清理全部消防通道。
///

/// directive | ＝HYPERLINK("http://evil.test") 储罐检测
    id: Q3-2
    units: [能源公司]
    deadline: 2026-12-31

检测全部储罐。
///

/// directive | 加油站视频监控改造
    id: Q3-3
    units: [filling-stations]
    deadline: 2026-11-30

完成视频监控改造。
///
""",
"2026/2026-10-10-supervision.md": """\
---
title: 安全隐患督办通报
date: 2026-10-10
type: bulletin
issuer: safety-env
---
/// follow-up | 消防通道挂牌督办
    directive: Q3-1
    status: in-progress
    escalate: true

正在清理。
///

/// follow-up | 视频监控延期
    directive: Q3-3
    deadline: 2026-12-31
    reason: 设备到货延迟

设备未到。
///
""",
"2026/2026-11-20-november.md": """\
---
title: 十一月安全例会纪要
date: 2026-11-20
type: minutes
issuer: safety-env
---
/// follow-up | 消防通道验收
    directive: Q3-1
    date: 2026-10-12
    status: done
    accepted_by: safety-env

已于10月12日验收。
///

/// follow-up | 储罐检测督办
    directive: Q3-2
    escalate: true

进度滞后。
///
""",
"2026/2026-11-25-recheck.md": """\
---
title: 复查通报
date: 2026-11-25
type: inspection
issuer: safety-env
---
/// follow-up | 消防通道复查
    directive: Q3-1
    reopen: 复查发现通道再次堵塞
    deadline: 2026-12-15
    reason: 重新整改

重新整改。
///

/// follow-up | 储罐检测撤销督办
    directive: Q3-2
    escalate: false

已赶上进度。
///
""",
}


def project(root, language: str):
    return write_tree(root, {
        "mkdocs.yml": SITE_YML.replace("  font: false\n", f"  font: false\n  language: {language}\n"),
        "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS,
        **{f"bulletins/{name}": text for name, text in FILES.items()},
    })


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The same sources built as a Chinese and as an English site."""
    return {language: build(project(tmp_path_factory.mktemp(language) / "project", language), as_of=AS_OF)
            for language in ("zh", "en")}


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would read the file as the Windows code page"
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    # CRLF after every row: only line breaks inside quoted cells (the history's) are bare
    assert text.count("\r\n") == len(rows) and text.endswith("\r\n")
    return rows


ZH_HEADER = ["编号", "标题", "事项内容", "责任单位", "配合单位", "责任人", "牵头单位", "验收单位", "督办单位", "各单位责任人",
             "期限", "期限（文件写法）", "原期限", "状态", "到期情况", "逾期天数", "办结日期", "按期办结", "督办", "挂牌督办（级别·督办单位·编号）",
             "验收", "验收日期", "销号日期", "办理周期", "截止", "下次期限", "未按期报送", "阶段", "开始", "责任领导", "隐患等级", "整改措施", "整改资金", "应急预案", "各单位进展", "链接", "文件标题",
             "文件日期", "文件类型", "文件链接", "办理经过"]


def test_a_chinese_sites_csv_is_chinese_first_with_the_codes_after(sites):
    rows = read_csv((sites["zh"] / "directives.csv").read_bytes())
    assert rows[0] == [*ZH_HEADER, *code_columns()]
    table = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    fire, tanks, cameras = table["Q3-1"], table["Q3-2"], table["Q3-3"]
    # values by name: units by name_zh, status, bucket, grade, type, yes/no
    assert (fire["责任单位"], fire["配合单位"], fire["状态"], fire["到期情况"], fire["隐患等级"], fire["督办"],
            fire["文件类型"]) == ("物业公司", "能源公司", "整改中", "30日内到期", "重大隐患", "否", "会议纪要")
    assert (fire["期限"], fire["原期限"]) == ("2026-12-15", "2026-10-15")  # ISO: a spreadsheet reads it as a date
    assert (cameras["责任单位"], cameras["到期情况"]) == ("加油站", "30日后到期")
    # the codes, for machines, named alike on every site
    assert [fire[c] for c in code_columns()] == ["property", "energy", "in-progress", "upcoming", "major", "", "minutes",
                                                 "", "", "", ""]
    assert [cameras[c] for c in code_columns()[:4]] == ["filling-stations", "", "open", "later"]
    # the history says what changed, in Chinese, a line per follow-up with its link
    assert fire["办理经过"].split("\n") == [
        "2026-10-10 “消防通道挂牌督办”：状态 未开始 → 整改中；挂牌督办 <bulletins/2026/2026-10-10-supervision/#sb-fu-Q3-1>",
        "2026-10-12 “消防通道验收”：状态 整改中 → 已完成；由安全环保部验收 <bulletins/2026/2026-11-20-november/#sb-fu-Q3-1>",
        "2026-11-25 “消防通道复查”：重新打开：复查发现通道再次堵塞；状态 已完成 → 整改中；期限由 2026年10月15日 延期至 "
        "2026年12月15日（重新整改） <bulletins/2026/2026-11-25-recheck/#sb-fu-Q3-1>"]
    assert [line.split(" <")[0] for line in tanks["办理经过"].split("\n")] == [
        "2026-11-20 “储罐检测督办”：挂牌督办", "2026-11-25 “储罐检测撤销督办”：撤销督办"]
    # a full-width ＝ in a Chinese title is still no formula
    assert tanks["标题"] == "'＝HYPERLINK(\"http://evil.test\") 储罐检测"
    for row in rows:
        for cell in row:
            assert cell.lstrip(" \t\r\n\u00a0\u3000")[:1] not in FORMULA_STARTS - {"'"}, cell


def test_an_english_sites_csv_keeps_its_columns_and_codes_and_adds_the_code_columns(sites):
    rows = read_csv((sites["en"] / "directives.csv").read_bytes())
    assert rows[0] == [*directive_columns(), *code_columns()]
    fire = dict(zip(rows[0], rows[1]))
    assert (fire["units"], fire["status"], fire["bucket"], fire["grade"], fire["escalated"]) == \
           ("property", "in-progress", "upcoming", "major", "false")
    assert [fire[c] for c in code_columns()] == ["property", "energy", "in-progress", "upcoming", "major", "", "minutes",
                                                 "", "", "", ""]
    assert fire["history"].split("\n")[1] == (
        "2026-10-12 消防通道验收: status In progress → Done; accepted by Safety and Environmental Protection "
        "Department <bulletins/2026/2026-11-20-november/#sb-fu-Q3-1>")


def test_due_as_csv_is_written_and_translated_as_directives_csv(sites, monkeypatch, capsysbinary):
    """`bulletins due --format csv` in each site's project: BOM, CRLF, the language's headers and values
    first, the codes after; what a spreadsheet would run gets its quote."""
    out = {}
    for language in ("zh", "en"):
        monkeypatch.chdir(sites[language].parent)
        assert main(["due", "--as-of", AS_OF, "--within", "60d", "--unit", "energy", "--with-subunits",
                     "--format", "csv"]) == 0
        out[language] = read_csv(capsysbinary.readouterr().out)
    zh, en = out["zh"], out["en"]
    assert zh[0] == ["单位", "编号", "标题", "期限", "剩余天数", "状态", "角色", "督办", "文件标题", "文件日期", "下属单位",
                     "责任人", "责任领导", "挂牌督办（级别·督办单位·编号）", *DUE_CODE_COLUMNS, "sub_unit_ids"]
    assert en[0] == ["unit", "unit_name", "id", "title", "deadline", "days_left", "status", "role", "escalated",
                     "bulletin", "bulletin_date", "sub_units", "owner", "leader", "escalation", *DUE_CODE_COLUMNS, "sub_unit_ids"]
    assert zh[1:] == [
        ["能源公司", "Q3-1", "消防通道清理", "2026-12-15", "17", "整改中", "配合", "否", "第三季度安全生产委员会会议纪要",
         "2026-09-01", "", "", "", "", "energy", "in-progress", "support", ""],
        ["能源公司", "Q3-2", "'＝HYPERLINK(\"http://evil.test\") 储罐检测", "2026-12-31", "33", "未开始", "负责", "否",
         "第三季度安全生产委员会会议纪要", "2026-09-01", "", "", "", "", "energy", "open", "responsible", ""],
        ["能源公司", "Q3-3", "加油站视频监控改造", "2026-12-31", "33", "未开始", "负责", "否",
         "第三季度安全生产委员会会议纪要", "2026-09-01", "加油站", "", "", "", "energy", "open", "responsible",
         "filling-stations"],
    ]
    assert en[1:] == [
        ["energy", "Energy Company", "Q3-1", "消防通道清理", "2026-12-15", "17", "in-progress", "support", "false",
         "第三季度安全生产委员会会议纪要", "2026-09-01", "", "", "", "", "energy", "in-progress", "support", ""],
        ["energy", "Energy Company", "Q3-2", "'＝HYPERLINK(\"http://evil.test\") 储罐检测", "2026-12-31", "33", "open",
         "responsible", "false", "第三季度安全生产委员会会议纪要", "2026-09-01", "", "", "", "", "energy", "open",
         "responsible", ""],
        ["energy", "Energy Company", "Q3-3", "加油站视频监控改造", "2026-12-31", "33", "open", "responsible", "false",
         "第三季度安全生产委员会会议纪要", "2026-09-01", "filling-stations", "", "", "", "energy", "open", "responsible",
         "filling-stations"],
    ]


def entries(site, feed: str) -> list:
    parsed = feedparser.parse((site / feed).read_bytes())
    assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def test_feed_entries_say_what_changed_in_the_sites_language(sites):
    zh = {e.title.split("——")[0]: e for e in entries(sites["zh"], "feeds/all.xml")}
    assert list(zh) == ["复查通报", "第三季度安全生产委员会会议纪要", "十一月安全例会纪要", "安全隐患督办通报"]
    # the minutes whose directives changed: the title says the latest report's change, the summary all of them
    minutes = zh["第三季度安全生产委员会会议纪要"]
    assert minutes.title == ("第三季度安全生产委员会会议纪要——“消防通道清理”：重新打开：复查发现通道再次堵塞；状态 已完成 → "
                             "整改中；期限由 2026年10月15日 延期至 2026年12月15日（重新整改）（另有 1 项变更）")
    assert minutes.summary.split("\n")[:4] == [
        "消防通道清理：物业公司（配合：能源公司）；期限 2026年12月15日；整改中",
        "  2026年10月10日 状态 未开始 → 整改中；挂牌督办",
        "  2026年10月12日 状态 整改中 → 已完成；由安全环保部验收",
        "  2026年11月25日 重新打开：复查发现通道再次堵塞；状态 已完成 → 整改中；期限由 2026年10月15日 延期至 2026年12月15日（重新整改）"]
    # a bulletin of follow-ups: each says what it changed (an acceptance, an escalation), never only "progress"
    assert zh["十一月安全例会纪要"].summary.split("\n") == [
        "落实事项“消防通道清理”：状态 整改中 → 已完成；由安全环保部验收",
        "落实事项“＝HYPERLINK(\"http://evil.test\") 储罐检测”：挂牌督办"]
    assert zh["复查通报"].summary.split("\n")[1] == "落实事项“＝HYPERLINK(\"http://evil.test\") 储罐检测”：撤销督办"
    assert zh["复查通报"].title == "复查通报"
    for site in sites.values():  # read by a plain XML parser too, and nowhere "progress reported"
        text = (site / "feeds/all.xml").read_text(encoding="utf-8")
        ET.fromstring(text)
        assert "报告进展" not in text and "progress reported" not in text
    en = {e.title.split(" — ")[0]: e for e in entries(sites["en"], "feeds/all.xml")}
    assert en["十一月安全例会纪要"].summary.split("\n") == [
        "Follow-up of 消防通道清理: status In progress → Done; accepted by Safety and Environmental Protection Department",
        "Follow-up of ＝HYPERLINK(\"http://evil.test\") 储罐检测: escalated (督办)"]
    assert en["复查通报"].summary.split("\n")[1] == "Follow-up of ＝HYPERLINK(\"http://evil.test\") 储罐检测: supervision ended"


def test_calendar_events_list_what_changed(sites):
    for language, heading, line in [
        ("zh", "办理经过:", "2026-11-25 重新打开：复查发现通道再次堵塞；状态 已完成 → 整改中；期限由 2026年10月15日 延期至 "
                           "2026年12月15日（重新整改）"),
        ("en", "History:", "2026-11-25 reopened: 复查发现通道再次堵塞; status Done → In progress; deadline extended "
                           "from 2026-10-15 to 2026-12-15 (重新整改)"),
    ]:
        for name in ("all", "property"):
            calendar = Calendar.from_ical((sites[language] / f"calendar/{name}.ics").read_bytes())
            events = {str(e["UID"]).split("@")[0]: str(e["DESCRIPTION"]).split("\n") for e in calendar.walk("VEVENT")}
            fire = events["Q3-1"]
            at = fire.index(heading)
            assert fire[at + 1:at + 4] == [
                {"zh": "2026-10-10 状态 未开始 → 整改中；挂牌督办", "en": "2026-10-10 status Open → In progress; escalated (督办)"}[language],
                {"zh": "2026-10-12 状态 整改中 → 已完成；由安全环保部验收",
                 "en": "2026-10-12 status In progress → Done; accepted by Safety and Environmental Protection Department"}[language],
                line]
    zh = Calendar.from_ical((sites["zh"] / "calendar/energy.ics").read_bytes())
    tanks = next(str(e["DESCRIPTION"]) for e in zh.walk("VEVENT") if str(e["UID"]).startswith("Q3-2@"))
    assert tanks.split("\n")[2:5] == ["办理经过:", "2026-11-20 挂牌督办", "2026-11-25 撤销督办"]



def test_the_card_and_the_digest_say_it_in_the_same_words(sites, monkeypatch, capsysbinary):
    """changes.describe is the one description: the directive's card (its history), the follow-up's
    card and the digest's "changed since" lines say what the feeds and calendars say."""
    reopened = "重新打开：复查发现通道再次堵塞；状态 已完成 → 整改中；期限由 2026年10月15日 延期至 2026年12月15日（重新整改）"
    page = (sites["zh"] / "bulletins/2026/2026-09-01-q3-committee/index.html").read_text(encoding="utf-8")
    card = page[page.index('id="Q3-1"'):page.index('id="Q3-2"')]
    assert "状态 整改中 → 已完成；由安全环保部验收" in card and reopened in card
    recheck = (sites["zh"] / "bulletins/2026/2026-11-25-recheck/index.html").read_text(encoding="utf-8")
    assert reopened in recheck and "撤销督办" in recheck
    monkeypatch.chdir(sites["zh"].parent)
    assert main(["digest", "--unit", "property", "--as-of", AS_OF, "--since", "2026-11-01"]) == 0
    digest = capsysbinary.readouterr().out.decode("utf-8")
    assert reopened in digest and "progress" not in digest and "报告进展" not in digest
