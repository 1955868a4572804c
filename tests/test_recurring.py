"""Recurring duties (每月5日前, 每季度末, 每周一, 每年12月31日前): the rule and its occurrences
pinned to dates (month ends, February, the year's end, ISO weeks across a year), follow-ups
that report one period, missed periods, the state at an as-of date, and the errors."""

from __future__ import annotations

import datetime as dt

import pytest

from safety_bulletins.catalog import Catalog
from safety_bulletins.model import errors_in
from safety_bulletins.recurrence import LAST_DAY, MONTHLY, QUARTERLY, WEEKLY, YEARLY, Recurrence
from safety_bulletins.sources.dates import DateError, read_deadline
from safety_bulletins.sources.project import load_project

D = dt.date.fromisoformat


@pytest.mark.parametrize(("written", "issued", "rule", "first"), [
    ("每月5日前", "2026-12-05", Recurrence(MONTHLY, 5), "2026-12-05"),  # the bulletin's own day is the first
    ("每月5日前", "2026-12-06", Recurrence(MONTHLY, 5), "2027-01-05"),  # across the year's end
    ("monthly by the 5th", "2026-01-31", Recurrence(MONTHLY, 5), "2026-02-05"),
    ("每月底前", "2028-02-01", Recurrence(MONTHLY, LAST_DAY), "2028-02-29"),  # a leap February
    ("end of each month", "2027-02-01", Recurrence(MONTHLY, LAST_DAY), "2027-02-28"),
    ("每季度末", "2026-10-01", Recurrence(QUARTERLY), "2026-12-31"),
    ("end of each quarter", "2027-01-01", Recurrence(QUARTERLY), "2027-03-31"),
    ("每季度末", "2026-06-30", Recurrence(QUARTERLY), "2026-06-30"),
    ("每周一", "2026-12-31", Recurrence(WEEKLY, 0), "2027-01-04"),  # Thursday: the next Monday, next year
    ("every Monday", "2026-12-07", Recurrence(WEEKLY, 0), "2026-12-07"),
    ("每周日", "2026-12-07", Recurrence(WEEKLY, 6), "2026-12-13"),
    ("每年12月31日前", "2026-12-31", Recurrence(YEARLY, 31, 12), "2026-12-31"),
    ("yearly by 31 December", "2027-01-01", Recurrence(YEARLY, 31, 12), "2027-12-31"),
    ("每年3月31日", "2026-04-01", Recurrence(YEARLY, 31, 3), "2027-03-31"),
])
def test_a_recurring_deadline_is_its_rule_and_first_occurrence_on_or_after_the_bulletin(written, issued, rule, first):
    read = read_deadline(written, D(issued))
    assert (read.recurrence, read.date, read.written) == (rule, D(first), written)


@pytest.mark.parametrize(("rule", "start", "expected"), [
    (Recurrence(MONTHLY, LAST_DAY), "2027-12-31", ["2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31"]),
    (Recurrence(MONTHLY, 5), "2026-11-05", ["2026-11-05", "2026-12-05", "2027-01-05"]),
    (Recurrence(QUARTERLY), "2026-09-30", ["2026-09-30", "2026-12-31", "2027-03-31", "2027-06-30"]),
    # ISO weeks across a year's end: 2026-12-28 is week 53 of 2026, 2027-01-04 week 1 of 2027
    (Recurrence(WEEKLY, 0), "2026-12-21", ["2026-12-21", "2026-12-28", "2027-01-04"]),
    (Recurrence(YEARLY, 31, 12), "2026-12-31", ["2026-12-31", "2027-12-31"]),
])
def test_occurrences_follow_one_another(rule, start, expected):
    days, day = [], D(start)
    for _ in expected:
        days.append(day.isoformat())
        day = rule.after(day)
    assert days == expected


@pytest.mark.parametrize(("rule", "deadline", "period"), [
    (Recurrence(MONTHLY, 5), "2026-11-05", "2026-11"),
    (Recurrence(MONTHLY, LAST_DAY), "2028-02-29", "2028-02"),
    (Recurrence(QUARTERLY), "2026-12-31", "2026-Q4"),
    (Recurrence(WEEKLY, 0), "2026-11-23", "2026-W48"),
    (Recurrence(WEEKLY, 0), "2026-12-28", "2026-W53"),
    (Recurrence(WEEKLY, 6), "2027-01-03", "2026-W53"),  # the Sunday of 2026's last ISO week
    (Recurrence(YEARLY, 31, 12), "2026-12-31", "2026"),
])
def test_a_period_names_one_occurrence_and_back(rule, deadline, period):
    assert rule.period(D(deadline)) == period
    assert rule.occurrence(period) == D(deadline)


@pytest.mark.parametrize(("rule", "period"), [
    (Recurrence(MONTHLY, 5), "2026-13"), (Recurrence(MONTHLY, 5), "2026-Q4"), (Recurrence(QUARTERLY), "2026-12"),
    (Recurrence(WEEKLY, 0), "2027-W53"), (Recurrence(YEARLY, 31, 12), "2026-12"),
])
def test_a_period_that_names_no_occurrence_is_refused(rule, period):
    with pytest.raises(ValueError, match="period"):
        rule.occurrence(period)


@pytest.mark.parametrize(("written", "message"), [
    ("每月31日前", "not every month has day 31"), ("每天", "cannot read"), ("every moonday", "cannot read"),
    ("每年2月30日前", "not a real date"),
])
def test_a_recurring_form_the_site_cannot_keep_is_an_error(written, message):
    with pytest.raises(DateError, match=message):
        read_deadline(written, D("2026-12-05"))


def test_the_rrule_is_that_of_each_form():
    assert Recurrence(MONTHLY, 5).rrule() == "FREQ=MONTHLY;BYMONTHDAY=5"
    assert Recurrence(MONTHLY, LAST_DAY).rrule() == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert Recurrence(QUARTERLY).rrule() == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1"
    assert Recurrence(WEEKLY, 0).rrule() == "FREQ=WEEKLY;BYDAY=MO"
    assert Recurrence(YEARLY, 31, 12).rrule() == "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31"


# --- the state of a recurring duty at an as-of date -------------------------------------------------

def front(title: str, date: str) -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntype: bulletin\nissuer: safety-env\n---\nText.\n"


def block(kind: str, title: str, *options: str) -> str:
    lines = "".join(f"    {o}\n" for o in options)
    return f"\n/// {kind} | {title}\n{lines}\nThe text.\n///\n"


DUTY = "2026-09-01-monthly-1"
ISSUE = front("Monthly report", "2026-09-01") + block("directive", "Hidden-danger ledger reported",
                                                      "units: property", "deadline: 每月5日前")


def catalog(bulletins_dir, as_of: str, *follow_ups: tuple[str, str], issue: str = ISSUE) -> tuple[Catalog, object]:
    files = {"2026/2026-09-01-monthly.md": issue}
    for n, (date, text) in enumerate(follow_ups):
        files[f"2026/{date}-report-{n}.md"] = front("Report", date) + text
    project = load_project(bulletins_dir(files))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    result = Catalog(project, D(as_of))
    (directive,) = result.directives
    return result, directive


def done(period: str) -> str:
    return block("follow-up", f"Ledger for {period}", f"directive: {DUTY}", "status: done", f"period: {period}")


def test_before_its_first_deadline_the_duty_is_due_on_it(bulletins_dir):
    result, d = catalog(bulletins_dir, "2026-09-02")
    state = result.state_of(d)
    assert (state.deadline, state.next_deadline, state.missed_periods) == (D("2026-09-05"), D("2026-09-05"), ())
    assert result.bucket_of(d) == "due-soon" and state.status == "open"


def test_a_missed_period_makes_the_duty_overdue_since_its_deadline(bulletins_dir):
    result, d = catalog(bulletins_dir, "2026-11-28", ("2026-09-04", done("2026-09")))
    state = result.state_of(d)
    assert state.missed_periods == (("2026-10", D("2026-10-05")), ("2026-11", D("2026-11-05")))
    assert state.next_deadline == D("2026-12-05")
    assert result.bucket_of(d) == "overdue" and state.days_overdue(D("2026-11-28")) == 54
    assert state.status == "open" and not state.extended


def test_reporting_each_period_done_leaves_only_the_next_one(bulletins_dir):
    result, d = catalog(bulletins_dir, "2026-11-28", ("2026-09-04", done("2026-09")),
                        ("2026-10-10", done("2026-10")), ("2026-11-05", done("2026-11")))
    state = result.state_of(d)
    assert state.missed_periods == () and state.deadline == state.next_deadline == D("2026-12-05")
    assert result.bucket_of(d) == "due-soon"  # within 7 days
    assert [c.period for c in state.history] == ["2026-09", "2026-10", "2026-11"]
    assert state.periods == (("2026-09", "done"), ("2026-10", "done"), ("2026-11", "done"))


def test_a_period_reported_in_progress_is_still_missed(bulletins_dir):
    progress = block("follow-up", "Half done", f"directive: {DUTY}", "status: in-progress", "period: 2026-09")
    result, d = catalog(bulletins_dir, "2026-09-10", ("2026-09-08", progress))
    assert result.state_of(d).missed_periods == (("2026-09", D("2026-09-05")),)


UNTIL_OCTOBER = front("Monthly report", "2026-09-01") + block(
    "directive", "Ledger", "units: property", "deadline: 每月5日前", "until: 2026-10-31")


def test_the_duty_ends_at_until_and_is_done_when_every_period_is(bulletins_dir):
    result, d = catalog(bulletins_dir, "2026-12-20", ("2026-09-04", done("2026-09")),
                        ("2026-10-05", done("2026-10")), issue=UNTIL_OCTOBER)
    state = result.state_of(d)
    assert (state.status, state.missed_periods, state.next_deadline) == ("done", (), None)


def test_a_period_missed_before_until_stays_overdue_after_it(bulletins_dir):
    result, d = catalog(bulletins_dir, "2026-12-20", ("2026-09-04", done("2026-09")), issue=UNTIL_OCTOBER)
    assert result.state_of(d).missed_periods == (("2026-10", D("2026-10-05")),)
    assert result.bucket_of(d) == "overdue"


def test_a_cancelled_duty_has_no_later_occurrence(bulletins_dir):
    cancel = block("follow-up", "No longer needed", f"directive: {DUTY}", "status: cancelled")
    result, d = catalog(bulletins_dir, "2026-12-20", ("2026-09-04", done("2026-09")), ("2026-10-01", cancel))
    state = result.state_of(d)
    assert result.bucket_of(d) == "closed" and state.missed_periods == () and state.next_deadline is None


def test_a_quarterly_duty_across_the_year(bulletins_dir):
    issue = front("Quarterly", "2026-09-01") + block("directive", "Drill", "units: property", "deadline: 每季度末")
    report = block("follow-up", "Drill held", f"directive: {DUTY}", "status: done", "period: 2026-Q3")
    result, d = catalog(bulletins_dir, "2027-01-02", ("2026-09-30", report), issue=issue)
    state = result.state_of(d)
    assert state.missed_periods == (("2026-Q4", D("2026-12-31")),) and state.next_deadline == D("2027-03-31")


def problems_of(bulletins_dir, issue: str, report: str) -> list[str]:
    project = load_project(bulletins_dir({"2026/2026-09-01-monthly.md": issue,
                                          "2026/2026-10-10-report.md": front("Report", "2026-10-10") + report}))
    return [f"{p.path.name}:{p.line}: {p.message}" for p in errors_in(project.problems)]


@pytest.mark.parametrize(("options", "message"), [
    (("status: done", "period: 2026-08"), "2026-08 (due 2026-08-05) is not an occurrence"),
    (("status: done", "period: 2026-Q4"), "is not a period of a monthly duty"),
    (("status: done",), "it is done period by period"),
    (("deadline: 2026-12-31", "reason: later"), "follow its rule"),
])
def test_a_follow_up_of_a_recurring_duty_that_names_no_occurrence_is_an_error(bulletins_dir, options, message):
    report = block("follow-up", "Ledger", f"directive: {DUTY}", *options)
    (problem,) = problems_of(bulletins_dir, ISSUE, report)
    assert message in problem
    # the block's line (9), or that of its 'period:'
    expected_line = next((11 + n for n, o in enumerate(options) if o.startswith("period")), 9)
    assert problem.startswith(f"2026-10-10-report.md:{expected_line}:"), problem


def test_a_period_on_a_directive_that_does_not_recur_is_an_error(bulletins_dir):
    issue = front("Monthly report", "2026-09-01") + block("directive", "Once", "units: property", "deadline: 2026-12-31")
    report = block("follow-up", "Ledger", f"directive: {DUTY}", "status: done", "period: 2026-10")
    (problem,) = problems_of(bulletins_dir, issue, report)
    assert problem.startswith("2026-10-10-report.md:12: 'period': directive") and "does not recur" in problem


def test_until_on_a_deadline_that_does_not_recur_is_an_error(bulletins_dir):
    issue = front("Monthly report", "2026-09-01") + block(
        "directive", "Once", "units: property", "deadline: 2026-12-31", "until: 2027-01-01")
    project = load_project(bulletins_dir({"2026/2026-09-01-monthly.md": issue}))
    (problem,) = errors_in(project.problems)
    assert problem.line == 12 and "does not recur" in problem.message


# --- a real build: the unit page, the card, the calendar's RRULE, the exports ----------------------

def test_a_real_build_shows_the_next_occurrence_and_the_missed_ones_and_the_calendar_repeats_it(tmp_path):
    import csv
    import io
    import json

    from dateutil.rrule import rrulestr
    from helpers import AS_OF, SITE_YML, UNITS_YML, build, write_tree
    from icalendar import Calendar

    assert AS_OF == "2026-11-28"
    project = write_tree(tmp_path / "project", {
        "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n\nWelcome.\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-09-01-monthly.md": ISSUE,
        "bulletins/2026/2026-09-04-report.md": front("Report", "2026-09-04") + done("2026-09"),
    })
    site = build(project)
    unit = (site / "units/property/index.html").read_text(encoding="utf-8")
    card = (site / "bulletins/2026/2026-09-01-monthly/index.html").read_text(encoding="utf-8")
    for page in (unit, card):
        assert "每月5日前" in page
        assert '<time class="sb-next-occurrence" datetime="2026-12-05">2026-12-05</time>' in page
        assert ('<time class="sb-missed-period" datetime="2026-10-05">2026-10</time>, '
                '<time class="sb-missed-period" datetime="2026-11-05">2026-11</time>') in page
        assert 'datetime="2026-09-05">2026-09<' not in page  # reported done: not missed
    assert "54 days overdue" in unit  # since the first missed occurrence, 2026-10-05
    assert "until" not in unit  # no 'until:', no end
    feed = (site / "feeds/all.xml").read_text(encoding="utf-8")
    assert "period 2026-09; status Open → Done" in feed  # the entry says which occurrence

    # one series from the first occurrence, the missed ones left out of it (EXDATE), and an event on
    # each missed one's day (overdue)
    *missed, event = Calendar.from_ical((site / "calendar/property.ics").read_bytes()).walk("VEVENT")
    assert [(m["DTSTART"].dt, "RRULE" in m) for m in missed] == [(D("2026-10-05"), False), (D("2026-11-05"), False)]
    assert event["DTSTART"].dt == D("2026-09-05")
    rule = event["RRULE"].to_ical().decode()
    assert rule == "FREQ=MONTHLY;BYMONTHDAY=5"
    assert event["EXDATE"].to_ical() == b"20261005,20261105"
    expanded = rrulestr(rule, dtstart=dt.datetime(2026, 9, 5))  # as a calendar expands it
    assert [d.date().isoformat() for d in expanded[:5]] == ["2026-09-05", "2026-10-05", "2026-11-05", "2026-12-05",
                                                            "2027-01-05"]
    assert "2026-10, 2026-11" in str(event["DESCRIPTION"])

    (record,) = json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]
    assert (record["recurrence"], record["deadline"], record["next_deadline"], record["missed_periods"]) == (
        "每月5日前", "2026-10-05", "2026-12-05", ["2026-10", "2026-11"])
    assert [c["changes"] for c in record["history"]] == [{"period": "2026-09", "status": ["open", "done"]}]
    (row,) = csv.DictReader(io.StringIO((site / "directives.csv").read_text(encoding="utf-8-sig")))
    assert (row["recurrence"], row["next_deadline"], row["missed_periods"]) == ("每月5日前", "2026-12-05", "2026-10; 2026-11")


def test_a_duty_with_until_repeats_until_then_in_the_calendar(bulletins_dir, tmp_path):
    from dateutil.rrule import rrulestr
    from helpers import URLS
    from icalendar import Calendar
    from safety_bulletins.site_build.sitebuild import SiteBuild

    issue = front("Weekly", "2026-12-01") + block(
        "directive", "Weekly check", "units: property", "deadline: 每周一", "until: 2027-01-11")
    folder = bulletins_dir({"2026/2026-12-01-monthly.md": issue})
    site_build = SiteBuild.load(folder, D("2026-12-02"), site_url=None, urls=URLS)
    text = site_build.calendars.files["calendar/property.ics"]
    assert "\r\nRRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270111\r\n" in text
    (event,) = Calendar.from_ical(text).walk("VEVENT")
    assert event["DTSTART"].dt == D("2026-12-07")
    rule = event["RRULE"].to_ical().decode()
    days = [d.date().isoformat() for d in rrulestr(rule, dtstart=dt.datetime(2026, 12, 7))]
    assert days == ["2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28", "2027-01-04", "2027-01-11"]


# --- any rule, any day (Hypothesis) -------------------------------------------------------------------

from hypothesis import given, strategies as st  # noqa: E402

RULES = st.one_of(
    st.builds(Recurrence, st.just(MONTHLY), st.one_of(st.integers(1, 28), st.just(LAST_DAY))),
    st.just(Recurrence(QUARTERLY)),
    st.builds(Recurrence, st.just(WEEKLY), st.integers(0, 6)),
    st.dates(dt.date(2001, 1, 1), dt.date(2001, 12, 31)).map(lambda d: Recurrence(YEARLY, d.day, d.month)),
)


@given(RULES, st.dates(dt.date(1971, 1, 1), dt.date(2100, 12, 31)))
def test_the_first_occurrence_is_the_earliest_on_or_after_the_day_and_its_period_names_it(rule, day):
    first = rule.first_on_or_after(day)
    assert first >= day
    following = rule.after(first)
    assert following > first and rule.first_on_or_after(first + dt.timedelta(days=1)) == following
    assert rule.occurrence(rule.period(first)) == first  # a period names exactly one occurrence
    assert rule.period(following) != rule.period(first)
    if rule.freq == WEEKLY:
        assert first.weekday() == rule.day and (first - day).days < 7
    if rule.freq == QUARTERLY:
        assert (first.month, (first + dt.timedelta(days=1)).day) in {(3, 1), (6, 1), (9, 1), (12, 1)}


@given(RULES, st.dates(dt.date(1971, 1, 1), dt.date(2100, 12, 31)))
def test_a_calendar_expands_the_rrule_to_the_same_occurrences(rule, day):
    from dateutil.rrule import rrulestr

    first = rule.first_on_or_after(day)
    ours = [first]
    for _ in range(5):
        ours.append(rule.after(ours[-1]))
    start = dt.datetime(first.year, first.month, first.day)
    theirs = [d.date() for d in rrulestr(rule.rrule(), dtstart=start)[:6]]
    assert theirs == ours


def test_the_review_stub_of_a_recurring_duty_names_the_period_still_due(bulletins_dir):
    from safety_bulletins.commands.scaffold import review_section

    result, _ = catalog(bulletins_dir, "2026-11-28", ("2026-09-04", done("2026-09")))
    section = review_section(result)
    assert f"    directive: {DUTY}\n" in section and "    # period: 2026-10 " in section
