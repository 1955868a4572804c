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
