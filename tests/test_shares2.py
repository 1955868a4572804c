"""Where each unit's share meets the outputs (issue 21, review items 5, 7, 9, 11, 12): a unit's
feed, the per-unit CSV, the group-wide figures, live.js's start dates and the small forms."""

from __future__ import annotations

import datetime as dt

from test_shares import MEETING, UNITS, _catalog, _directive

from safety_bulletins.mkdocs_adapter import url_rule
from safety_bulletins.outputs.feeds import feeds
from safety_bulletins.outputs.labels import ENGLISH

D = dt.date.fromisoformat

# u1 done, u2 granted more time, in one 督办通报; the other units' shares untouched
PROGRESS = """\
---
title: Supervision of the fire doors
date: 2026-11-05
type: bulletin
issuer: safety-env
---
/// follow-up | Unit 1 repaired its doors
    directive: FD-1
    units: [u1]
    status: done

Checked.
///

/// follow-up | Unit 2 waits for parts
    directive: FD-1
    units: [u2]
    status: in-progress
    deadline: 2026-11-30
    reason: Parts are late

Ordered.
///
"""

FILES = {"2026/2026-10-20-meeting.md": MEETING, "2026/2026-11-05-progress.md": PROGRESS}


def _feeds(catalog):
    return {f.src_uri: f for f in feeds(catalog, ENGLISH, "Site", None, url_rule(True))}


def test_a_units_feed_reads_its_own_share_and_holds_the_reports_for_it(bulletins_dir):
    made = _feeds(_catalog(bulletins_dir, "2026-11-12", FILES))
    u1, u2, u3 = (made[f"feeds/units/{u}.xml"] for u in ("u1", "u2", "u3"))
    # the 督办通报 holds only follow-ups: it is news to u1 and u2, whose shares it reports, not to u3
    assert [e.title.split(" — ")[0] for e in u1.entries] == ["Supervision of the fire doors", "Quarterly safety committee"]
    assert [e.title.split(" — ")[0] for e in u3.entries] == ["Quarterly safety committee"]
    report_u1, meeting_u1 = u1.entries
    assert "Unit 1 repaired its doors" not in report_u1.summary  # the follow-up line names its directive
    assert "for Unit 1; status Open → Done" in report_u1.summary and "Unit 2" not in report_u1.summary
    assert "for Unit 2" in u2.entries[0].summary and "for Unit 1" not in u2.entries[0].summary
    # the meeting's entry: each unit's share in force, and only its own changes
    fire_doors = next(line for line in meeting_u1.summary.split("\n") if line.startswith("Fire doors repaired"))
    assert fire_doors.endswith("deadline 2026-11-10; Done")
    assert "for Unit 1; status Open → Done" in meeting_u1.summary and "Unit 2 waits" not in meeting_u1.summary
    assert "for Unit 2" not in meeting_u1.summary and meeting_u1.updated == "2026-11-05T00:00:00Z"
    meeting_u2 = u2.entries[1]
    assert "deadline 2026-11-30; In progress" in meeting_u2.summary and "for Unit 1" not in meeting_u2.summary
    meeting_u3 = u3.entries[0]
    assert "deadline 2026-11-10; Open" in meeting_u3.summary and "for Unit" not in meeting_u3.summary
    assert meeting_u3.updated == "2026-10-20T00:00:00Z" and meeting_u3.title == "Quarterly safety committee"
    # the site's feed keeps the directive's own state and every change
    site_meeting = next(e for e in made["feeds/all.xml"].entries if e.title.startswith("Quarterly"))
    assert "for Unit 1" in site_meeting.summary and "for Unit 2" in site_meeting.summary


def _csv(text: str) -> list[dict]:
    import csv
    import io

    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def test_directives_by_unit_csv_gives_each_units_status_and_deadline_in_force(bulletins_dir):
    from safety_bulletins.outputs.export import share_records
    from safety_bulletins.outputs.labels import CHINESE
    from safety_bulletins.outputs.spreadsheet import directives_by_unit_csv, share_code_columns

    catalog = _catalog(bulletins_dir, "2026-11-12", FILES)
    records = share_records(catalog, url_rule(True))
    rows = _csv(directives_by_unit_csv(records, catalog, ENGLISH))
    fd = {r["unit"]: r for r in rows if r["id"] == "FD-1"}
    assert list(fd) == ["u1", "u2", "u3", "u4", "u5"]  # a row per share, in the directive's order
    assert (fd["u1"]["status"], fd["u1"]["closed_on"], fd["u1"]["on_time"]) == ("done", "2026-11-05", "true")
    assert (fd["u2"]["status"], fd["u2"]["deadline"], fd["u2"]["original_deadline"], fd["u2"]["bucket"]) == (
        "in-progress", "2026-11-30", "2026-11-10", "upcoming")
    assert (fd["u3"]["bucket"], fd["u3"]["days_overdue"]) == ("overdue", "2")
    # a directive whose shares are alike: still a row per unit (the drill, to all but the committee)
    assert [r["unit"] for r in rows if r["id"] == "DR-1"] == ["safety-env", "u1", "u2", "u3", "u4", "u5"]
    assert len(rows) == len(records) == 11
    # on a Chinese site: names and words, the codes after them
    zh = _csv(directives_by_unit_csv(records, catalog, CHINESE))
    first = zh[0]
    assert list(first)[-len(share_code_columns()):] == list(share_code_columns())
    assert (first["unit_id"], first["status_code"]) == ("u1", "done")
    assert "第1分公司" in first.values() and "已完成" in first.values()


def test_directives_by_unit_csv_is_built_and_registered(site_project):
    from helpers import build

    from safety_bulletins.outputs import site as site_module

    assert site_module.output_at("directives-by-unit.csv").parts == "rows"
    project = site_project(FILES, units=UNITS)
    built = build(project, as_of="2026-11-12")
    rows = _csv((built / "directives-by-unit.csv").read_text(encoding="utf-8"))
    assert {(r["id"], r["unit"], r["status"]) for r in rows if r["id"] == "FD-1"} == {
        ("FD-1", "u1", "done"), ("FD-1", "u2", "in-progress"), ("FD-1", "u3", "open"), ("FD-1", "u4", "open"),
        ("FD-1", "u5", "open")}


URGENT = """\
---
title: Gas leak
date: 2026-11-10
type: notice
issuer: safety-env
---
/// directive | Shut the valve
    id: GL-1
    units: [u1]
    deadline: 立即

Now.
///
"""


def test_immediately_is_said_in_the_csv_beside_its_date_which_sorts(bulletins_dir):
    """立即 keeps its day in the deadline column (a spreadsheet sorts it among the dates) and its word
    in `deadline_written` (an urgent directive is not read as any other), in both CSVs."""
    from safety_bulletins.outputs.export import directives_json, share_records
    from safety_bulletins.outputs.labels import CHINESE
    from safety_bulletins.outputs.spreadsheet import directives_by_unit_csv, directives_csv

    catalog = _catalog(bulletins_dir, "2026-11-12", {**FILES, "2026/2026-11-10-gas.md": URGENT})
    records = directives_json(catalog, url_rule(True))["directives"]
    for labels in (ENGLISH, CHINESE):
        deadline, written = (("deadline", "deadline_written") if labels is ENGLISH else ("期限", "期限（文件写法）"))
        gas = next(r for r in _csv(directives_csv(records, catalog, labels)) if "GL-1" in r.values())
        assert (gas[deadline], gas[written]) == ("2026-11-13", "立即"), gas
        by_unit = next(r for r in _csv(directives_by_unit_csv(share_records(catalog, url_rule(True)), catalog, labels))
                       if "GL-1" in r.values())
        assert (by_unit[deadline], by_unit[written]) == ("2026-11-13", "立即"), by_unit
    fd = next(r for r in _csv(directives_csv(records, catalog, ENGLISH)) if r["id"] == "FD-1")
    assert fd["deadline"] == "2026-11-10"  # a date stays a date


def _follow_up(title: str, units: str, options: str) -> str:
    return f"/// follow-up | {title}\n    directive: FD-1\n    units: [{units}]\n{options}\nReported.\n///\n\n"


def _bulletin(date: str, title: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntype: bulletin\nissuer: safety-env\n---\n{body}"


def test_a_directive_closed_late_by_one_unit_reads_late_group_wide(bulletins_dir):
    """u1 finished two days late; u5 was granted until 11-30 in time and finished on 11-20. The
    directive closed on 11-20, late (u1 was): its deadline is the one u1 missed, not u5's 11-30,
    beside which 'done 11-20, late' would read as a contradiction. The whole group's rates agree."""
    files = {
        "2026/2026-10-20-meeting.md": MEETING,
        "2026/2026-11-05-more-time.md": _bulletin("2026-11-05", "More time", _follow_up(
            "Unit 5 gets more time", "u5", "    status: in-progress\n    deadline: 2026-11-30\n    reason: Parts\n")),
        "2026/2026-11-12-done.md": _bulletin("2026-11-12", "Doors done", _follow_up(
            "Three on time", "u2, u3, u4", "    status: done\n    date: 2026-11-08\n") + _follow_up(
            "Unit 1 late", "u1", "    status: done\n")),
        "2026/2026-11-20-last.md": _bulletin("2026-11-20", "Last doors", _follow_up(
            "Unit 5 done", "u5", "    status: done\n")),
    }
    catalog = _catalog(bulletins_dir, "2026-11-25", files)
    fd = _directive(catalog, "FD-1")
    assert catalog.share(fd, "u5").on_time is True and catalog.share(fd, "u1").on_time is False
    own = catalog.state_of(fd)
    assert (own.status, own.closed_on, own.on_time, own.deadline) == ("done", D("2026-11-20"), False, D("2026-11-10"))
    group = catalog.rates([fd]).tasks
    assert (group.due, group.closed, group.on_time) == (1, 1, 0)
    # the unit that was late counts it late, the others on time
    assert catalog.unit_rates("u1").tasks.on_time == 0 and catalog.unit_rates("u5").tasks.on_time == 1


STAGED = """\
---
title: Rectification plan
date: 2026-10-20
type: notice
issuer: safety-env
---
/// directive | Rectify the boiler rooms
    id: ST-1
    units: [u1, u2]
    stages:
      - 方案报送: 2026-11-15
      - 完成整改: 2026-12-31

Plan, then works.
///
"""

STAGE_REPORTS = """\
---
title: Stage reports
date: 2026-11-05
type: bulletin
issuer: safety-env
---
/// follow-up | Unit 1 finished the works first
    directive: ST-1
    units: [u1]
    stage: 完成整改
    status: done

Works done.
///

/// follow-up | Unit 2 sent its plan
    directive: ST-1
    units: [u2]
    stage: 方案报送
    status: done

Plan received.
///
"""


def test_a_stage_is_done_group_wide_only_when_every_unit_has_done_it(bulletins_dir):
    catalog = _catalog(bulletins_dir, "2026-11-20", {"2026/2026-10-20-plan.md": STAGED,
                                                     "2026/2026-11-05-stages.md": STAGE_REPORTS})
    st = _directive(catalog, "ST-1")
    assert [(n, done) for n, _, done in catalog.share(st, "u1").stages] == [("方案报送", None), ("完成整改", D("2026-11-05"))]
    assert [(n, done) for n, _, done in catalog.share(st, "u2").stages] == [("方案报送", D("2026-11-05")), ("完成整改", None)]
    own = catalog.state_of(st)
    assert [(n, done) for n, _, done in own.stages] == [("方案报送", None), ("完成整改", None)]
    # overdue while u1's plan is: the first stage not done by every unit is in force
    assert (own.deadline, catalog.bucket_of(st)) == (D("2026-11-15"), "overdue")


def test_a_period_written_as_documents_write_it_names_its_occurrence(bulletins_dir):
    from test_recurring import DUTY, block, catalog

    from safety_bulletins.recurrence import MONTHLY, QUARTERLY, YEARLY, Recurrence, period_name

    def done(period: str) -> str:
        return block("follow-up", f"Ledger for {period}", f"directive: {DUTY}", "status: done", f"period: {period}")

    result, d = catalog(bulletins_dir, "2026-11-28", ("2026-09-04", done("2026年9月")),
                        ("2026-10-10", done("2026年10月份")), ("2026-11-05", done("２０２６年１１月")))
    state = result.state_of(d)
    assert state.missed_periods == () and state.periods == (("2026-09", "done"), ("2026-10", "done"), ("2026-11", "done"))
    for rule, written, name in ((Recurrence(QUARTERLY), "2026年第4季度", "2026-Q4"), (Recurrence(QUARTERLY), "2026年四季度", "2026-Q4"),
                                (Recurrence(YEARLY, 31, 12), "2026年", "2026"), (Recurrence(MONTHLY, 5), "2026年12月", "2026-12")):
        assert period_name(written) == name and rule.occurrence(period_name(written)) == rule.occurrence(name)


def test_a_unit_page_says_the_oldest_1_day_not_1_days(site_project):
    import re

    from helpers import build

    site = build(site_project(FILES, units=UNITS), as_of="2026-11-11")
    summary = (site / "units/u3/index.html").read_text(encoding="utf-8")
    summary = re.sub(r"<[^>]+>", "", summary[summary.index('class="sb-action__overdue'):].split("</strong>")[0])
    assert summary.endswith("1 overdue, the oldest 1 day")


def test_a_missed_occurrence_of_a_recurring_duty_is_an_overdue_event_of_its_own(bulletins_dir):
    from icalendar import Calendar
    from test_recurring import DUTY, block, catalog

    from safety_bulletins.outputs.calendars import Calendars

    done = block("follow-up", "Ledger for September", f"directive: {DUTY}", "status: done", "period: 2026-09")
    result, d = catalog(bulletins_dir, "2026-11-28", ("2026-09-04", done))
    text = Calendars(result, ENGLISH, url_rule(True)).files["calendar/all.ics"]
    events = {str(e["UID"]): e for e in Calendar.from_ical(text).walk("VEVENT")}
    assert set(events) == {f"{DUTY}@safety-bulletins", f"{DUTY}.2026-10@safety-bulletins",
                           f"{DUTY}.2026-11@safety-bulletins"}
    october = events[f"{DUTY}.2026-10@safety-bulletins"]
    assert october.decoded("DTSTART") == D("2026-10-05") and "RRULE" not in october
    assert str(october["SUMMARY"]).endswith("(missed 2026-10)")
    series = events[f"{DUTY}@safety-bulletins"]
    assert series.decoded("DTSTART") == D("2026-09-05") and "RRULE" in series  # one series from its first day
    assert series["EXDATE"].to_ical() == b"20261005,20261105"  # the missed ones are events of their own
    # reported, the occurrence's event goes: a subscribed calendar drops it
    late = block("follow-up", "Ledger for October", f"directive: {DUTY}", "status: done", "period: 2026-10")
    result, d = catalog(bulletins_dir, "2026-11-28", ("2026-09-04", done), ("2026-11-20", late))
    text = Calendars(result, ENGLISH, url_rule(True)).files["calendar/all.ics"]
    assert {str(e["UID"]) for e in Calendar.from_ical(text).walk("VEVENT")} == {
        f"{DUTY}@safety-bulletins", f"{DUTY}.2026-11@safety-bulletins"}


def test_a_follow_up_without_units_that_closes_a_done_share_names_the_units_still_open(bulletins_dir):
    from test_shares import FOUR_DONE

    from safety_bulletins.model import errors_in
    from safety_bulletins.sources.project import load_project

    everyone = _bulletin("2026-11-14", "The rest", "/// follow-up | The rest repaired theirs\n    directive: FD-1\n"
                         "    status: done\n\nDone.\n///\n")
    project = load_project(bulletins_dir({"2026/2026-10-20-meeting.md": MEETING, "2026/2026-11-09-progress.md": FOUR_DONE,
                                          "2026/2026-11-14-rest.md": everyone}, units=UNITS))
    (problem,) = errors_in(project.problems)
    assert problem.path.name == "2026-11-14-rest.md" and problem.line == 7
    assert problem.message.startswith("for units 'u1', 'u2', 'u3', 'u4': directive 'FD-1' is already done")
    assert "units: [u5]" in problem.hint


TREE = """\
- id: group
  name: The Group
  receives_all: false
- id: east
  name: East Company
  parent: group
- id: east-depot
  name: East Depot
  parent: east
- id: west
  name: West Company
  parent: group
"""

DEPOTS = """\
---
title: Depot safety
date: 2026-10-20
type: minutes
---
/// directive | Depot fire drill
    id: DEP-1
    units: [east-depot, west]
    deadline: 2026-11-10

Hold a drill.
///
"""

DEPOT_DONE = """\
---
title: Drill held at East Depot
date: 2026-11-05
type: bulletin
---
/// follow-up | East Depot held its drill
    directive: DEP-1
    units: [east-depot]
    status: done

Held.
///
"""


def test_a_parents_calendar_shows_its_sub_units_shares_not_the_directive_elsewhere(bulletins_dir):
    from icalendar import Calendar

    from safety_bulletins.model import errors_in
    from safety_bulletins.outputs.calendars import Calendars
    from safety_bulletins.sources.project import load_project

    project = load_project(bulletins_dir({"2026/2026-10-20-depots.md": DEPOTS, "2026/2026-11-05-done.md": DEPOT_DONE},
                                         units=TREE))
    assert errors_in(project.problems) == []
    from safety_bulletins.catalog import Catalog

    catalog = Catalog(project, D("2026-11-12"))
    files = Calendars(catalog, ENGLISH, url_rule(True)).files

    def uids(unit: str) -> set[str]:
        return {str(e["UID"]) for e in Calendar.from_ical(files[f"calendar/{unit}.ics"]).walk("VEVENT")}

    assert uids("west") == {"DEP-1.west@safety-bulletins"}  # West's share: overdue
    assert uids("east-depot") == set()  # done
    assert uids("east") == set()  # its depot's share is done: West's delay is not East's
    assert uids("group") == {"DEP-1@safety-bulletins"}  # the group holds both: overdue while West's is
