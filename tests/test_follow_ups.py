"""Follow-ups in a real `mkdocs build`: the directive's card shows its history and current
state, the follow-up's card links back, listings and directives.json follow the state, and a
dirty build after adding a follow-up equals a full build."""

import csv
import json
import shutil
import xml.etree.ElementTree as ET

from helpers import MEETING_MD, build, mkdocs
from icalendar import Calendar

INSPECTION_MD = """\
---
title: Re-inspection of hidden dangers
date: 2021-06-08
type: inspection
issuer: safety-env
---
The department checked the rectification.

/// follow-up | Investigation extended to the warehouses
    directive: CIG-2021-05-2
    status: in-progress
    deadline: 2021-07-15
    reason: The cold-chain warehouses were added to the scope
    escalate: true

Three warehouses remain.
///
"""

ACCEPTANCE_MD = """\
---
title: Acceptance of the rectification
date: 2021-07-10
type: notice
issuer: safety-env
---
/// follow-up
    directive: cig-2021-05-2
    status: done
    accepted_by: safety-env

Accepted on site by the department.
///
"""

MEETING = "bulletins/2021/2021-05-25-meeting/index.html"
INSPECTION = "bulletins/2021/2021-06-08-inspection/index.html"


def test_history_follow_up_cards_listings_and_export(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-06-08-inspection.md": INSPECTION_MD})
    site = build(project)
    meeting = (site / MEETING).read_text(encoding="utf-8")
    # the deadline in force, with the original struck through; escalated; the history links to the follow-up
    assert '<del class="sb-original-deadline"><time datetime="2021-06-30">' in meeting
    assert "2021-07-15" in meeting and "sb-badge--escalated" in meeting
    assert 'href="../../../bulletins/2021/2021-06-08-inspection/#sb-fu-CIG-2021-05-2"' in meeting
    assert "The cold-chain warehouses were added to the scope" in meeting
    inspection = (site / INSPECTION).read_text(encoding="utf-8")
    assert 'id="sb-fu-CIG-2021-05-2"' in inspection
    assert 'href="../../../bulletins/2021/2021-05-25-meeting/#CIG-2021-05-2"' in inspection
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    assert "sb-badge--escalated" in register and "days overdue" in register
    record = next(r for r in json.loads((site / "directives.json").read_text())["directives"] if r["id"] == "CIG-2021-05-2")
    assert (record["original_deadline"], record["deadline"], record["escalated"]) == ("2021-06-30", "2021-07-15", True)
    assert record["status"] == "in-progress" and record["bucket"] == "overdue"
    assert record["history"][0]["changes"]["deadline"] == ["2021-06-30", "2021-07-15"]
    assert record["history"][0]["url"] == "bulletins/2021/2021-06-08-inspection/#sb-fu-CIG-2021-05-2"


def test_acceptance_closes_on_time_and_rates_count_it(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-06-08-inspection.md": INSPECTION_MD,
                            "2021/2021-07-10-acceptance.md": ACCEPTANCE_MD})
    site = build(project)
    record = next(r for r in json.loads((site / "directives.json").read_text())["directives"] if r["id"] == "CIG-2021-05-2")
    assert (record["status"], record["closed_on"], record["on_time"], record["escalated"]) == ("done", "2021-07-10", True, False)
    assert record["accepted_by"] == "safety-env" and len(record["history"]) == 2
    units = (site / "units/index.html").read_text(encoding="utf-8")
    assert "Rectification rate" in units and "On-time rectification rate" in units  # a graded directive: a hidden danger
    # as of a date before the acceptance, it is not done yet
    early = build(project, as_of="2021-07-01", site="early")
    record = next(r for r in json.loads((early / "directives.json").read_text())["directives"] if r["id"] == "CIG-2021-05-2")
    assert (record["status"], record["bucket"]) == ("in-progress", "upcoming")


REOPEN_MD = """\
---
title: The warehouses again
date: 2021-08-02
type: notice
issuer: safety-env
---
/// follow-up
    directive: CIG-2021-05-2
    reopen: A fourth warehouse was found unchecked
    deadline: 2021-09-30
    reason: The fourth warehouse

Opened again.
///
"""


def test_a_reopened_directive_shows_no_acceptance_but_in_its_history(site_project):
    """The acceptance of 07-10 is history once the work is reopened: the card's facts, the row,
    directives.json and .csv, the calendars and the feeds do not give it as the current state."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-06-08-inspection.md": INSPECTION_MD,
                            "2021/2021-07-10-acceptance.md": ACCEPTANCE_MD, "2021/2021-08-02-reopen.md": REOPEN_MD})
    site = build(project, as_of="2021-08-10")
    meeting = (site / MEETING).read_text(encoding="utf-8")
    card = meeting[meeting.index('id="CIG-2021-05-2"'):]
    facts = card[card.index('<dl class="sb-facts">'):card.index("</dl>")]
    assert "In progress" in facts and "Acceptance" not in facts
    assert "accepted by" in card  # its history keeps it
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    row = register[register.index('#CIG-2021-05-2"'):]
    assert "Acceptance" not in row[:row.index("</tr>")]
    record = next(r for r in json.loads((site / "directives.json").read_text())["directives"] if r["id"] == "CIG-2021-05-2")
    assert (record["status"], record["accepted_by"]) == ("in-progress", None)
    with open(site / "directives.csv", encoding="utf-8-sig", newline="") as table:
        csv_row = next(r for r in csv.DictReader(table) if r["id"] == "CIG-2021-05-2")
    assert (csv_row["status"], csv_row["accepted_by"]) == ("in-progress", "")
    # the calendars and feeds give the state in force without it, and list it in the history before the reopening
    for path in site.glob("calendar/*.ics"):
        for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
            if str(event["UID"]).startswith("CIG-2021-05-2@"):
                description = str(event["DESCRIPTION"])
                assert "Status: In progress" in description and "Acceptance" not in description, path
                assert description.index("accepted by") < description.index("reopened: A fourth warehouse"), path
    for path in site.glob("feeds/**/*.xml"):
        for summary in ET.parse(path).getroot().iter("{http://www.w3.org/2005/Atom}summary"):
            state_lines = [line for line in summary.text.split("\n") if line.startswith("Full-coverage investigation")]
            assert all("accepted" not in line and line.endswith("In progress") for line in state_lines), path

def test_a_major_directive_done_without_acceptance_fails_the_build(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD,
                            "2021/2021-07-10-acceptance.md": ACCEPTANCE_MD.replace("    accepted_by: safety-env\n", "")})
    result = mkdocs(project, "build")
    assert result.returncode != 0
    assert "2021-07-10-acceptance.md:7: error: directive 'CIG-2021-05-2' is a major hidden danger" in result.stderr


def tree(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_dirty_build_after_a_new_follow_up_equals_a_full_build(site_project, tmp_path):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    assert mkdocs(project, "build", "--dirty").returncode == 0
    (project / "bulletins/2021/2021-06-08-inspection.md").write_text(INSPECTION_MD, encoding="utf-8")
    result = mkdocs(project, "build", "--dirty")
    assert result.returncode == 0, result.stderr
    assert "sb-fu-CIG-2021-05-2" in (project / "site" / MEETING).read_text(encoding="utf-8")  # the older page's history
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    assert tree(project / "site") == tree(build(fresh))
