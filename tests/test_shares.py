"""Each unit's own share of a directive (issue 21): a follow-up with `units:` reports for some
units; each unit's page, counts, `due`, calendar and directives.json read its own share; the
directive is closed only when every share is, and late if any share was."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from helpers import build

from safety_bulletins.catalog import Catalog
from safety_bulletins.model import errors_in
from safety_bulletins.sources.project import load_project

D = dt.date.fromisoformat

UNITS = """\
- id: committee
  name: Safety Committee
  name_zh: 安委会
  receives_all: false
- id: safety-env
  name: Safety and Environmental Protection Department
  name_zh: 安全环保部
  parent: committee
""" + "".join(f"""- id: u{n}
  name: Unit {n}
  name_zh: 第{n}分公司
  parent: committee
""" for n in range(1, 6)) + """- group: 各分公司
  units: [u1, u2, u3, 第4分公司, Unit 5]
"""

MEETING = """\
---
title: Quarterly safety committee
date: 2026-10-20
type: minutes
issuer: safety-env
---
Held.

/// directive | Fire doors repaired
    id: FD-1
    units: [各分公司]
    deadline: 2026-11-10

Repair every fire door.
///

/// directive | Evacuation drill
    id: DR-1
    units: [all]
    deadline: 2026-12-20

Hold a drill.
///
"""

FOUR_DONE = """\
---
title: Progress of the fire doors
date: 2026-11-09
type: bulletin
issuer: safety-env
---
/// follow-up | Four units repaired their doors
    directive: FD-1
    units: [u1, u2, 第3分公司, Unit 4]
    status: done
    date: 2026-11-08

Checked on site.
///
"""

FIFTH_LATE = """\
---
title: The last fire doors
date: 2026-11-14
type: bulletin
issuer: safety-env
---
/// follow-up | Unit 5 repaired its doors, late
    directive: FD-1
    units: [u5]
    status: done
    date: 2026-11-13

Three days late.
///
"""


def _catalog(bulletins_dir, day: str, files: dict[str, str]) -> Catalog:
    project = load_project(bulletins_dir(files, units=UNITS))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    return Catalog(project, D(day))


def _directive(catalog: Catalog, directive_id: str):
    return next(d for d in catalog.directives if d.id == directive_id)


def test_four_on_time_and_one_late_each_share_its_own(bulletins_dir):
    files = {"2026/2026-10-20-meeting.md": MEETING, "2026/2026-11-09-progress.md": FOUR_DONE}
    catalog = _catalog(bulletins_dir, "2026-11-12", files)
    fd = _directive(catalog, "FD-1")
    for unit in ("u1", "u2", "u3", "u4"):
        share = catalog.share(fd, unit)
        assert (share.status, share.closed_on, share.on_time) == ("done", D("2026-11-08"), True)
        assert catalog.unit_counts(unit)["closed"] == 1 and catalog.unit_counts(unit)["overdue"] == 0
        assert catalog.unit_rates(unit).tasks.on_time == 1
    fifth = catalog.share(fd, "u5")
    assert fifth.status == "open" and fifth.bucket(catalog.as_of) == "overdue"
    assert catalog.unit_counts("u5")["overdue"] == 1
    # the directive stays open and overdue while one share is
    own = catalog.state_of(fd)
    assert (own.status, catalog.bucket_of(fd), own.deadline) == ("in-progress", "overdue", D("2026-11-10"))
    progress = catalog.progress(fd)
    assert (progress.closed, progress.total, progress.overdue) == (4, 5, ("u5",))
    # a directive whose follow-ups name no unit has no shares of its own: one replay, as before
    assert catalog.shares_of(_directive(catalog, "DR-1")) == []

    later = _catalog(bulletins_dir, "2026-11-20", {**files, "2026/2026-11-14-late.md": FIFTH_LATE})
    fd = _directive(later, "FD-1")
    own = later.state_of(fd)
    assert (own.status, own.closed_on, own.on_time) == ("done", D("2026-11-13"), False)
    assert later.share(fd, "u1").on_time is True and later.share(fd, "u5").on_time is False
    assert [c.follow_up.title for c in own.history] == ["Four units repaired their doors", "Unit 5 repaired its doors, late"]


def test_a_follow_up_for_a_unit_not_of_the_directive_is_an_error_at_its_line(bulletins_dir):
    wrong = FOUR_DONE.replace("units: [u1, u2, 第3分公司, Unit 4]", "units: [u1, safety-env]")
    project = load_project(bulletins_dir({"2026/2026-10-20-meeting.md": MEETING, "2026/2026-11-09-progress.md": wrong},
                                         units=UNITS))
    (problem,) = errors_in(project.problems)
    assert problem.path.name == "2026-11-09-progress.md" and problem.line == 7
    assert "'safety-env'" in problem.message and "FD-1" in problem.message
    assert "u1, u2, u3, u4, u5" in problem.hint


def test_a_rule_broken_for_one_share_names_that_unit(bulletins_dir):
    again = FIFTH_LATE.replace("units: [u5]", "units: [u4, u5]")  # u4's share is done already
    project = load_project(bulletins_dir({"2026/2026-10-20-meeting.md": MEETING, "2026/2026-11-09-progress.md": FOUR_DONE,
                                          "2026/2026-11-14-late.md": again}, units=UNITS))
    (problem,) = errors_in(project.problems)
    assert problem.path.name == "2026-11-14-late.md" and problem.line == 7
    assert problem.message.startswith("for unit 'u4': directive 'FD-1' is already done")


def test_a_unit_that_does_not_receive_all_is_not_addressed_by_all(bulletins_dir):
    catalog = _catalog(bulletins_dir, "2026-11-12", {"2026/2026-10-20-meeting.md": MEETING})
    drill = _directive(catalog, "DR-1")
    assert drill.responsible == ("safety-env", "u1", "u2", "u3", "u4", "u5")
    assert [e.directive.id for e in catalog.for_unit("committee")] == []
    # its page lists what its sub-units must do, directives to all among them
    assert {e.directive.id for e in catalog.for_subunits("committee")} == {"FD-1", "DR-1"}


def test_a_real_build_each_unit_reads_its_own_share(site_project, monkeypatch, capsys):
    project = site_project({"2026/2026-10-20-meeting.md": MEETING, "2026/2026-11-09-progress.md": FOUR_DONE},
                           units=UNITS)
    site = build(project, as_of="2026-11-12")
    records = {r["id"]: r for r in json.loads((site / "directives.json").read_text())["directives"]}
    fd = records["FD-1"]
    assert (fd["status"], fd["bucket"]) == ("in-progress", "overdue")
    shares = {s["unit"]: s for s in fd["shares"]}
    assert list(shares) == ["u1", "u2", "u3", "u4", "u5"]
    assert all((shares[u]["status"], shares[u]["on_time"], shares[u]["closed_on"]) == ("done", True, "2026-11-08")
               for u in ("u1", "u2", "u3", "u4"))
    assert (shares["u5"]["bucket"], shares["u5"]["days_overdue"]) == ("overdue", 2)
    assert fd["units"] == ["u1", "u2", "u3", "u4", "u5"]  # the group 各分公司, as its units
    assert records["DR-1"]["shares"] == []
    table = list(csv.DictReader(io.StringIO((site / "directives.csv").read_text(encoding="utf-8-sig"))))
    assert len(table) == 2 and next(r for r in table if r["id"] == "FD-1")["progress"] == "4/5 done; overdue: u5"
    # the register shows progress; the card lists each unit's share
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    assert "4 of 5 units done, 1 overdue: Unit 5" in register
    meeting = (site / "bulletins/2026/2026-10-20-meeting/index.html").read_text(encoding="utf-8")
    assert meeting.count('class="sb-share ') == 5 and 'data-sb-unit="u5"' in meeting
    # each unit's page: the four list it as closed, the fifth as overdue
    for unit in ("u1", "u4"):
        page = (site / f"units/{unit}/index.html").read_text(encoding="utf-8")
        assert 'data-sb-count="overdue">0<' in page
        assert "Fire doors repaired" in page[page.index('<h2 id="closed"'):] and "sb-row--overdue" not in page
        assert "FD-1" not in (site / f"calendar/{unit}.ics").read_text()
    u5 = (site / "units/u5/index.html").read_text(encoding="utf-8")
    assert 'data-sb-count="overdue">1<' in u5 and "Fire doors repaired" in u5[u5.index('<h2 id="overdue"'):]
    # calendars: the fifth's share is due, the others' are closed
    assert "UID:FD-1.u5@" in (site / "calendar/u5.ics").read_text()
    # the committee does not receive directives to all: its own list is empty, its sub-units' has both
    committee = (site / "units/committee/index.html").read_text(encoding="utf-8")
    own, below = committee.split('class="sb-subunits"', 1)
    assert "Evacuation drill" not in own and "Fire doors repaired" not in own
    assert "Evacuation drill" in below and "Fire doors repaired" in below
    # `due`, as CSV: one row per unit share, only the fifth's
    from safety_bulletins.commands.cli import main

    monkeypatch.chdir(project)
    capsys.readouterr()
    assert main(["due", "--as-of", "2026-11-12", "--within", "7d", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert [(r["unit"], r["id"]) for r in rows if r["id"] == "FD-1"] == [("u5", "FD-1")]


# ---------------------------------------------------------------- the property, on real builds

from collections import Counter  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from strategies import SHARES_AS_OF, SharesCorpus, shares_corpus  # noqa: E402
from test_outputs_agree import listing_rows, pages_of, read_html, number  # noqa: E402
from test_properties import make_project  # noqa: E402

from safety_bulletins.outputs.labels import for_language  # noqa: E402

CLOSED = ("done", "cancelled")


@settings(settings.get_profile("outputs-agree"))
@given(corpus=shares_corpus())
def test_closed_exactly_when_every_share_is_and_counts_equal_rows(corpus: SharesCorpus):
    """For any directives to several units with follow-ups for some of them: each share's status
    is what its own follow-ups made it; the directive is closed exactly when every share is; a
    unit's page shows its share in its row, and its counts equal the rows of its own sections."""
    labels = for_language("en")
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp), corpus.files)
        site = build(project, as_of=SHARES_AS_OF.isoformat())
        records = {r["id"]: r for r in json.loads((site / "directives.json").read_text())["directives"]}
        for directive_id, expected in corpus.shares.items():
            record = records[directive_id]
            shown = {s["unit"]: s["status"] for s in record["shares"]}
            if len(set(expected.values())) > 1:  # shares that differ are listed, each with its own status
                assert shown == expected, f"{directive_id}: {record['shares']}"
            elif shown:  # alike in status, apart in their deadlines or escalation
                assert set(shown.values()) == set(expected.values()), directive_id
            assert (record["status"] in CLOSED) == all(s in CLOSED for s in expected.values()), record
            if record["status"] == "done":
                assert record["on_time"] == all(s["on_time"] for s in record["shares"] if s["status"] == "done") \
                    if record["shares"] else True
        for unit in [f"u{n}" for n in range(5)]:
            pages = pages_of(site / "units" / unit)
            own = [r for r in listing_rows(pages) if not r["sub"]]
            mine = {d: shares[unit] for d, shares in corpus.shares.items() if unit in shares}
            assert sorted(r["id"] for r in own) == sorted(mine), unit
            for r in own:
                assert r["status"].startswith(labels.STATUSES[mine[r["id"]]]), (unit, r)
                assert r["bucket"] == r["section"], (unit, r)
            sections = Counter(r["section"] for r in own)
            summary = read_html(pages[0]).find("p", "sb-action")
            counted = {s.attrs["data-sb-count"]: number(s.text()) for s in summary.find_all("span")
                       if "data-sb-count" in s.attrs}
            assert counted == {"overdue": sections["overdue"], "due-soon": sections["due-soon"]}, (unit, counted)
            text = " ".join(summary.text().split())
            assert f"{sum(n for b, n in sections.items() if b != 'closed')} open, {sections['closed']} closed" in text
        # the board does not receive directives to all: none is its own
        assert not [r for r in listing_rows(pages_of(site / "units" / "board")) if not r["sub"]]


def test_the_review_stub_names_the_units_still_open(bulletins_dir):
    from safety_bulletins.commands.scaffold import review_section

    catalog = _catalog(bulletins_dir, "2026-11-12", {"2026/2026-10-20-meeting.md": MEETING,
                                                     "2026/2026-11-09-progress.md": FOUR_DONE})
    section = review_section(catalog)
    stub = section[section.index("directive: FD-1"):].split("///")[0]
    assert "    # units: [u5]" in stub
    assert "# units:" not in section[section.index("directive: DR-1"):].split("///")[0]
