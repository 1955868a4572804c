"""Deadlines as Chinese (and English) documents write them, read against the bulletin's date;
standing orders; 立即 with the site's days; Chinese aliases for status and grade; the
retroactive extension; and a real build that shows them on cards and listings."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from safety_bulletins.model import Bulletin, Directive, DueWindows, FollowUp
from safety_bulletins.sources.dates import DateError, read_deadline
from safety_bulletins.sources.project import load_project
from safety_bulletins.state import Issued, replay
from helpers import SITE_YML, build, mkdocs

D = dt.date


@pytest.mark.parametrize(("written", "issued", "expected"), [
    ("月底前", D(2026, 9, 10), D(2026, 9, 30)),
    ("本月底前", D(2026, 2, 3), D(2026, 2, 28)),
    ("月底前", D(2028, 2, 3), D(2028, 2, 29)),  # a leap year's February
    ("月底", D(2026, 12, 31), D(2026, 12, 31)),  # on the last day: that day
    ("10月底前", D(2026, 9, 10), D(2026, 10, 31)),
    ("10月底", D(2026, 10, 31), D(2026, 10, 31)),
    ("2月底前", D(2028, 1, 5), D(2028, 2, 29)),
    ("2027年3月底前", D(2026, 12, 20), D(2027, 3, 31)),
    ("年底前", D(2026, 9, 10), D(2026, 12, 31)),
    ("本年底前", D(2026, 12, 31), D(2026, 12, 31)),
    ("2026年12月15日", D(2026, 9, 10), D(2026, 12, 15)),
    ("2026年12月15日前", D(2026, 9, 10), D(2026, 12, 15)),
    ("2026年12月15日之前", D(2026, 9, 10), D(2026, 12, 15)),
    ("2026年12月15日以前", D(2026, 9, 10), D(2026, 12, 15)),
    ("12月15日前", D(2026, 9, 10), D(2026, 12, 15)),
    ("12月15日", D(2026, 12, 15), D(2026, 12, 15)),
    ("２０２６年１２月１５日前", D(2026, 9, 10), D(2026, 12, 15)),  # full-width digits from an IME
    ("2月29日前", D(2028, 1, 10), D(2028, 2, 29)),
    ("end of month", D(2026, 9, 10), D(2026, 9, 30)),
    ("End of October", D(2026, 9, 10), D(2026, 10, 31)),
    ("by the end of October", D(2026, 9, 10), D(2026, 10, 31)),
    ("end of year", D(2026, 9, 10), D(2026, 12, 31)),
    ("by 15 December", D(2026, 9, 10), D(2026, 12, 15)),
    ("by December 15", D(2026, 9, 10), D(2026, 12, 15)),
    ("2026-12-15", D(2026, 9, 10), D(2026, 12, 15)),
    ("+14d", D(2026, 12, 25), D(2027, 1, 8)),
])
def test_forms_relative_to_the_bulletin(written, issued, expected):
    read = read_deadline(written, issued)
    assert (read.date, read.note, read.immediate) == (expected, "", False)
    assert read.written == ("" if written in ("2026-12-15", "+14d") else written)  # a date needs no words


@pytest.mark.parametrize(("written", "issued", "expected"), [
    ("12月15日前", D(2026, 12, 20), D(2027, 12, 15)),
    ("1月5日前", D(2026, 12, 20), D(2027, 1, 5)),  # across the year's end
    ("2月29日前", D(2027, 3, 1), D(2028, 2, 29)),
    ("by 1 August", D(2026, 9, 10), D(2027, 8, 1)),
])
def test_a_day_already_passed_this_year_is_next_years_with_a_note(written, issued, expected):
    read = read_deadline(written, issued)
    assert read.date == expected and f"read as {expected.isoformat()}" in read.note


@pytest.mark.parametrize(("written", "issued", "message"), [
    ("10月底前", D(2026, 11, 2), "2026-10-31, which had already passed on the bulletin's date 2026-11-02"),
    ("end of October", D(2026, 11, 2), "had already passed"),
    ("2026年10月底前", D(2026, 11, 2), "had already passed"),
    ("13月底前", D(2026, 1, 2), "month 13, which does not exist"),
    ("2月29日前", D(2026, 1, 10), "in neither 2026 nor 2027"),  # 2026 and 2027 have no February 29
    ("2月30日前", D(2026, 1, 10), "not a real date"),
    ("2026年2月29日", D(2026, 1, 10), "not a real date"),
    ("end of Smarch", D(2026, 1, 10), "names no month"),
    ("汛期前", D(2026, 3, 1), "depends on the place or the calendar"),
    ("主汛期前", D(2026, 3, 1), "write the date the document means"),
    ("春节前", D(2026, 11, 1), "depends on the place or the calendar"),
    ("国庆前", D(2026, 8, 1), "depends on the place or the calendar"),
    ("冬季前", D(2026, 8, 1), "depends on the place or the calendar"),
    ("before the flood season", D(2026, 3, 1), "depends on the place or the calendar"),
    # Recurring duties the site reads are in tests/test_recurring.py; these it cannot keep
    ("每天", D(2026, 3, 1), "a recurring duty the site cannot read: write 每月5日前"),
    ("每月31日前", D(2026, 3, 1), "not every month has day 31"),
    ("monthly", D(2026, 3, 1), "a recurring duty the site cannot read"),
    ("every moonday", D(2026, 3, 1), "a recurring duty the site cannot read"),
    ("soon", D(2026, 3, 1), "is not a deadline"),
])
def test_forms_that_cannot_be_read_are_errors_that_say_what_to_write(written, issued, message):
    with pytest.raises(DateError, match=message):
        read_deadline(written, issued)


@pytest.mark.parametrize("written", ["长期坚持", "长期", "持续", "ongoing", "Ongoing"])
def test_standing_orders_have_no_deadline(written):
    read = read_deadline(written, D(2026, 9, 10))
    assert read.date is None and read.standing


@pytest.mark.parametrize(("written", "issued", "days", "expected"), [
    ("立即", D(2026, 9, 10), 3, D(2026, 9, 13)),
    ("immediately", D(2026, 12, 30), 3, D(2027, 1, 2)),
    ("立即", D(2028, 2, 27), 2, D(2028, 2, 29)),
])
def test_immediately_is_due_within_the_sites_days(written, issued, days, expected):
    read = read_deadline(written, issued, days)
    assert read.date == expected and read.immediate and read.written == written


def issued(deadline, written="", grade=None, date=D(2026, 9, 10)):
    return Issued("D-1", "Do it", Path("a.md"), "a.md", 9, date, False, "open", deadline, grade, "safety-env",
                  written)


def follow_up(date, **values):
    return FollowUp("D-1", "", "", date, "sb-fu-D-1", Path("b.md"), "b.md", 12, 1, **values)


def test_immediately_counts_the_sites_days_in_the_catalog():
    state = replay(issued(D(2026, 9, 13), "立即"), [])[0]
    assert state.deadline == D(2026, 9, 13) and state.urgent
    b = Bulletin(source=None, rel_path="a.md", title="t", date=D(2026, 9, 10), type="notice", body="", body_line=1)
    d = Directive("D-1", "t", "", ("all",), (), "", D(2026, 9, 13), "open", 9, deadline_written="立即", bulletin=b)
    assert Issued.of(d, DueWindows(immediately=5)).deadline == D(2026, 9, 15)
    assert Issued.of(d).deadline == D(2026, 9, 13)


def test_a_retroactive_extension_keeps_the_directive_late():
    """Extended on 10-05 when the deadline 09-30 had passed, done by the new deadline: not on
    time (supervision counts it late), with a warning at the follow-up; the bucket follows the
    new deadline (an extension granted is the time limit from then on)."""
    start = issued(D(2026, 9, 30))
    extended = follow_up(D(2026, 10, 5), deadline=D(2026, 10, 20), reason="parts", status="in-progress")
    done = follow_up(D(2026, 10, 18), status="done")
    state, problems = replay(start, [extended, done])
    assert state.on_time is False and state.missed == D(2026, 9, 30) and state.deadline == D(2026, 10, 20)
    assert [(p.severity, p.line) for p in problems] == [("warning", 12)]
    assert "retroactive extension" in problems[0].message
    assert [c.retroactive for c in state.history] == [True, False]  # the history says so
    open_state = replay(start, [extended])[0]
    assert open_state.bucket(D(2026, 10, 15)) == "due-soon" and open_state.days_overdue(D(2026, 10, 15)) == 0
    # the same extension before the deadline passed: on time, no warning
    timely = follow_up(D(2026, 9, 29), deadline=D(2026, 10, 20), reason="parts")
    state, problems = replay(start, [timely, done])
    assert state.on_time is True and state.missed is None and problems == []


def test_a_follow_up_extension_read_from_its_own_date():
    start = issued(D(2026, 12, 31))
    state = replay(start, [follow_up(D(2026, 12, 20), deadline=D(2027, 1, 31), deadline_written="1月底前",
                                     reason="cold")])[0]
    assert (state.deadline, state.deadline_written) == (D(2027, 1, 31), "1月底前")
    state = replay(issued(D(2026, 12, 31)), [follow_up(D(2026, 12, 20), deadline=D(2026, 12, 23),
                                                       deadline_written="立即", reason="x")])[0]
    assert state.urgent and state.deadline == D(2026, 12, 23)


HEAD = """\
---
title: 关于隐患整改的通知
date: 2026-09-10
type: notice
issuer: safety-env
---
"""


def directive(deadline, extra=""):
    return HEAD + f"/// directive | 整改\n    units: [property]\n    deadline: {deadline}\n{extra}\n做。\n///\n"


def loaded(bulletins_dir, text):
    project = load_project(bulletins_dir({"2026/2026-09-10-notice.md": text}), D(2026, 9, 20))
    return project


def test_the_validator_keeps_the_written_form_and_warns_of_next_year(bulletins_dir):
    project = loaded(bulletins_dir, directive("10月底前"))
    (d,) = project.bulletins[0].directives
    assert (d.deadline, d.deadline_written) == (D(2026, 10, 31), "10月底前") and project.problems == []
    project = loaded(bulletins_dir, directive("8月1日前"))
    (problem,) = project.problems
    assert (problem.severity, problem.line) == ("warning", 9)
    assert "8月1日前 is read as 2027-08-01" in problem.message and "deadline: 2027-08-01" in problem.hint


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("status", "未开始", "open"), ("status", "整改中", "in-progress"), ("status", "进行中", "in-progress"),
    ("status", "待验收", "awaiting-acceptance"), ("status", "已完成", "done"), ("status", "已整改", "done"),
    ("status", "已销号", "done"), ("status", "已取消", "cancelled"),
    ("grade", "一般", "general"), ("grade", "一般隐患", "general"), ("grade", "较大", "significant"),
    ("grade", "较大隐患", "significant"), ("grade", "重大", "major"), ("grade", "重大隐患", "major"),
])
def test_chinese_values_of_status_and_grade(bulletins_dir, option, value, expected):
    project = loaded(bulletins_dir, directive("年底前", f"    {option}: {value}\n"))
    assert project.errors == []
    (d,) = project.bulletins[0].directives
    assert (d.status if option == "status" else d.grade) == expected


def test_a_wrong_value_lists_the_chinese_beside_the_english(bulletins_dir):
    (problem,) = loaded(bulletins_dir, directive("年底前", "    status: 已完")).problems
    assert "open (未开始), in-progress (整改中), awaiting-acceptance (待验收), done (已完成), cancelled (已取消)" in problem.hint
    assert problem.hint.startswith("Did you mean '已完成'?")


def test_a_significant_hidden_danger_is_done_only_after_acceptance(bulletins_dir):
    later = ("---\ntitle: 整改情况\ndate: 2026-09-15\ntype: bulletin\n---\n"
             "/// follow-up\n    directive: 2026-09-10-notice-1\n    status: 已完成\n\n完成。\n///\n")
    project = load_project(bulletins_dir({"2026/2026-09-10-notice.md": directive("年底前", "    grade: 较大"),
                                          "2026/2026-09-15-bulletin.md": later}), D(2026, 9, 20))
    (problem,) = project.errors
    assert "is a significant hidden danger: it is done only after acceptance" in problem.message


CHINESE_YML = SITE_YML.replace("  name: material\n", "  name: material\n  language: zh\n") + """\
extra:
  bulletins:
    immediately_days: 5
"""

NOTICE = """\
---
title: 关于开展隐患排查整治的通知
date: 2026-09-10
type: notice
issuer: safety-env
---
/// directive | 立即停用破损灭火器
    id: N-1
    units: [property]
    deadline: 立即

立即更换。
///

/// directive | 完成消防通道清理
    id: N-2
    units: [energy]
    deadline: 10月底前

清理。
///

/// directive | 坚持每日巡查
    id: N-3
    units: [property]
    deadline: 长期坚持

巡查。
///
"""


def test_a_chinese_build_shows_immediately_month_end_and_standing_orders(site_project):
    project = site_project({"2026/2026-09-10-notice.md": NOTICE})
    (project / "mkdocs.yml").write_text(CHINESE_YML, encoding="utf-8")
    site = build(project, as_of="2026-09-11")
    page = (site / "bulletins/2026/2026-09-10-notice/index.html").read_text(encoding="utf-8")
    # 立即 with its date, five days (the site's setting) after the bulletin's, marked urgent
    assert '<strong class="sb-urgent">立即</strong>（<time datetime="2026-09-15">2026-09-15</time>）' in page
    assert '10月底前（<time datetime="2026-10-31">2026-10-31</time>）' in page
    card = page[page.index('id="N-3"'):]
    card = card[:card.index("</dl>")]
    assert "不设期限" in card and card.count("长期") == 1 and "长期执行" in card and "未开始" not in card
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    at = register.index("坚持每日巡查")
    row = register[register.rindex("<tr", 0, at):register.index("</tr>", at)]
    assert "长期执行" in row and "未开始" not in row
    assert '<strong class="sb-urgent">立即</strong>' in register
    exported = {d["id"]: d for d in json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]}
    assert exported["N-1"]["deadline"] == "2026-09-15" and exported["N-2"]["deadline"] == "2026-10-31"


def test_check_warns_of_a_retroactive_extension_at_its_line(site_project):
    later = """\
---
title: 督办通报
date: 2026-11-05
type: bulletin
---
/// follow-up
    directive: N-2
    deadline: 11月底前
    reason: 设备到货延迟

延期。
///
"""
    project = site_project({"2026/2026-09-10-notice.md": NOTICE, "2026/2026-11-05-bulletin.md": later})
    result = mkdocs(project, "build", as_of="2026-11-10")
    assert result.returncode == 0, result.stderr
    check = subprocess.run([sys.executable, "-m", "safety_bulletins.commands.cli", "check", "bulletins"],
                           cwd=project, capture_output=True, text=True, env={**os.environ, "BULLETINS_TODAY": "2026-11-10"})
    assert "2026-11-05-bulletin.md:6: warning: retroactive extension: directive 'N-2' was already overdue on " \
           "2026-11-05 (its deadline 2026-10-31 had passed)" in check.stdout, check.stdout + check.stderr
    assert check.returncode == 0
    site = project / "site"
    page = (site / "bulletins/2026/2026-09-10-notice/index.html").read_text(encoding="utf-8")
    assert "期限由 2026年10月31日 延期至 2026年11月30日（设备到货延迟）；逾期后延期" in page


def test_a_reopened_directive_is_judged_afresh_and_a_shorter_deadline_is_no_extension():
    start = issued(D(2026, 9, 30))
    late = follow_up(D(2026, 10, 5), deadline=D(2026, 10, 20), reason="parts")
    done = follow_up(D(2026, 10, 18), status="done")
    reopened = follow_up(D(2026, 11, 1), reopen="leaks again", deadline=D(2026, 11, 30), reason="again")
    again = follow_up(D(2026, 11, 20), status="done")
    state, problems = replay(start, [late, done, reopened, again])
    assert state.on_time is True and state.missed is None and len(problems) == 1  # the one retroactive warning
    shorter = follow_up(D(2026, 10, 5), deadline=D(2026, 9, 25), reason="sooner")
    assert replay(start, [shorter])[1] == []


def test_immediately_days_is_a_checked_setting():
    from safety_bulletins.mkdocs_adapter.config import bulletin_settings
    from safety_bulletins.site_build.settings import SettingsError
    assert bulletin_settings({"bulletins": {"immediately_days": 5}}).windows.immediately == 5
    assert bulletin_settings({"bulletins": {}}).windows.immediately == 3
    for wrong in (0, "3", True, 400):
        with pytest.raises(SettingsError, match=r"immediately_days: .* is not a number of days from 1 to 366.*"
                                                r"immediately_days: 3"):
            bulletin_settings({"bulletins": {"immediately_days": wrong}})

MONTH_NAMES = "January February March April May June July August September October November December".split()
DAYS = st.dates(min_value=D(1990, 1, 1), max_value=D(2200, 12, 31))


@given(issued=DAYS, month=st.integers(1, 12), day=st.integers(1, 31))
def test_a_day_without_a_year_is_the_first_such_day_on_or_after_the_bulletin(issued, month, day):
    try:
        read = read_deadline(f"{month}月{day}日前", issued)
    except DateError as exc:  # a day no year has, or 2月29日 with no leap year in the two
        assert "not a real date" in str(exc) or (month, day) == (2, 29)
        return
    assert (read.date.month, read.date.day) == (month, day) and issued <= read.date
    assert read.date.year in (issued.year, issued.year + 1) and bool(read.note) == (read.date.year != issued.year)
    english = read_deadline(f"by {day} {MONTH_NAMES[month - 1]}", issued)
    assert english.date == read.date


@given(issued=DAYS, month=st.integers(1, 12))
def test_a_month_end_is_that_months_last_day_or_an_error_once_passed(issued, month):
    try:
        read = read_deadline(f"{month}月底前", issued)
    except DateError as exc:
        assert "had already passed" in str(exc) and month < issued.month
        return
    assert read.date.month == month and (read.date + dt.timedelta(days=1)).day == 1 and read.date >= issued
    assert read_deadline("月底前", issued).date == read_deadline(f"{issued.month}月底前", issued).date


@pytest.mark.parametrize(("written", "issued", "message"), [
    ("0000年10月底前", D(2026, 1, 1), "not a real date"),
    ("0000年1月1日", D(2026, 1, 1), "not a real date"),
    ("立即", D(9999, 12, 30), "falls after 9999-12-31"),
    ("1月1日前", D(9999, 12, 31), "in neither 9999 nor 10000"),
    ("10月底前", D(9999, 11, 1), "had already passed"),
])
def test_the_calendars_ends_are_errors_not_crashes(written, issued, message):
    with pytest.raises(DateError, match=message):
        read_deadline(written, issued)


def test_immediately_at_the_calendars_end_is_its_last_day():
    from safety_bulletins.state import immediately
    assert immediately(D(9999, 12, 30), 366) == D(9999, 12, 31) and immediately(D(2026, 12, 30), 3) == D(2027, 1, 2)
