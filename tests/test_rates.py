"""Rates as Chinese supervision bulletins compute them, the as-of line (统计截至), and the site as it
was on a past as-of date.

整改率 (hidden dangers) and 办结率 (meeting tasks) = done ÷ due; 按期整改率 and 按期办结率 = done on
time ÷ due; due = done, or open past the deadline in force at the as-of date; cancelled never.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path

import pytest
from helpers import AS_OF, SITE_YML, UNITS_YML, build, example_project, mkdocs, site_files, write_tree

from safety_bulletins.catalog import Catalog, Rate, rates_of
from safety_bulletins.commands.verify import verify_site
from safety_bulletins.sources.project import hidden_because, load_project
from safety_bulletins.model import Bulletin
from safety_bulletins.state import State

AS_OF_DATE = dt.date.fromisoformat(AS_OF)  # 2026-11-28


def state(status: str, deadline: dt.date | None, on_time: bool | None = None) -> State:
    return State(status, deadline, deadline, dt.date(2026, 1, 5), dt.date(2026, 1, 5), on_time=on_time)


PAST, FUTURE = dt.date(2026, 11, 1), dt.date(2026, 12, 31)


# ---------------------------------------------------------------- the pure function


def test_a_rate_counts_only_what_is_due():
    """The known defect: 整改率 counted directives not yet due. One done, one open and not yet due:
    100% (1 of 1), not 50% (1 of 2)."""
    rates = rates_of([(True, state("done", FUTURE, True)), (True, state("open", FUTURE))], AS_OF_DATE)
    assert rates.dangers == Rate("dangers", due=1, closed=1, on_time=1, counted=2)
    assert (rates.dangers.closure, rates.dangers.timely) == ("100%", "100%")


def test_the_on_time_rate_divides_by_what_is_due_not_by_closures():
    """The known defect: 1 closed on time of 10 due scored 100%."""
    items = [(False, state("done", PAST, True))] + [(False, state("open", PAST))] * 9
    rates = rates_of(items, AS_OF_DATE)
    assert rates.tasks == Rate("tasks", due=10, closed=1, on_time=1, counted=10)
    assert (rates.tasks.closure, rates.tasks.timely) == ("10%", "10%")


def test_due_closed_late_cancelled_and_the_deadline_day():
    items = [
        (False, state("done", PAST, False)),  # due, done late
        (False, state("done", None, True)),  # done without a deadline: due (closed), on time
        (False, state("cancelled", PAST)),  # never counts
        (False, state("in-progress", AS_OF_DATE)),  # its deadline is today: not yet passed
        (False, state("awaiting-acceptance", PAST)),  # past its deadline and not done: due, not closed
        (False, state("open", None)),  # a standing order, open: never due
    ]
    assert rates_of(items, AS_OF_DATE).tasks == Rate("tasks", due=3, closed=2, on_time=1, counted=5)


def test_each_kind_of_work_is_shown_when_the_unit_has_it():
    tasks_only = rates_of([(False, state("open", FUTURE))], AS_OF_DATE)
    both = rates_of([(False, state("open", FUTURE)), (True, state("open", FUTURE))], AS_OF_DATE)
    dangers_only = rates_of([(True, state("open", PAST))], AS_OF_DATE)
    assert [r.kind for r in tasks_only.shown] == ["tasks"]
    assert [r.kind for r in both.shown] == ["tasks", "dangers"]
    assert [r.kind for r in dangers_only.shown] == ["dangers"]
    assert [r.kind for r in rates_of([], AS_OF_DATE).shown] == ["tasks"]  # nothing at all: "–"
    assert rates_of([], AS_OF_DATE).tasks.closure == "–"


# ---------------------------------------------------------------- a real build

# Property Management has ten meeting tasks past their deadline, one done on time, and one not yet
# due; Energy has two hidden dangers (graded), one rectified late, one open and not yet due.
TEN_DUE = "".join(
    f"/// directive | Task {n}\n    id: T-{n}\n    units: [property]\n    deadline: 2026-11-01\n"
    + ("    status: done\n" if n == 0 else "") + "\nDo it.\n///\n\n"
    for n in range(10)
)
RATES_MD = f"""\
---
title: Quarterly committee
date: 2026-10-20
type: minutes
issuer: safety-env
---
{TEN_DUE}/// directive | Task not yet due
    id: T-later
    units: [property]
    deadline: 2026-12-31

Later.
///

/// directive | Guard rail
    id: H-1
    units: [energy]
    deadline: 2026-11-10
    grade: general

Fix it.
///

/// directive | Cable trench
    id: H-2
    units: [energy]
    deadline: 2026-12-20
    grade: general

Fix it.
///
"""
FOLLOW_UP_MD = """\
---
title: Supervision bulletin
date: 2026-11-20
type: bulletin
---
/// follow-up | Guard rail fixed
    directive: H-1
    status: done

Fixed, ten days late.
///
"""


def rates_project(root: Path, language: str = "en") -> Path:
    config = SITE_YML.replace("  name: material\n", f"  name: material\n  language: {language}\n", 1)
    return write_tree(root, {
        "mkdocs.yml": config, "docs/index.md": "# Home\n",
        "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-10-20-committee.md": RATES_MD,
        "bulletins/2026/2026-11-20-supervision.md": FOLLOW_UP_MD,
    })


def text_of(page: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())


@pytest.fixture(scope="module")
def rates_sites(tmp_path_factory):
    sites = {}
    for language in ("en", "zh"):
        project = rates_project(tmp_path_factory.mktemp(f"rates-{language}") / "project", language)
        sites[language] = build(project)
    return sites


def test_unit_pages_show_rates_of_what_is_due(rates_sites):
    site = rates_sites["en"]
    prop = text_of(site / "units" / "property" / "index.html")
    # 1 done on time of 10 due (the task due on 2026-12-31 does not count yet)
    assert "Completion rate 10% (1 of 10) · On-time completion rate 10% (1 of 10)" in prop
    assert "Rectification rate" not in prop  # no hidden danger: one kind, one line
    energy = text_of(site / "units" / "energy" / "index.html")
    assert "Rectification rate 100% (1 of 1) · On-time rectification rate 0% (0 of 1)" in energy
    assert "Completion rate" not in energy.split("About this unit")[1].split("Completion rate (meeting")[0]
    # the whole group: both kinds, apart
    units = text_of(site / "units" / "index.html")
    assert ("The whole group: Completion rate 10% (1 of 10) · On-time completion rate 10% (1 of 10) "
            "Rectification rate 100% (1 of 1) · On-time rectification rate 0% (0 of 1)") in units


def test_chinese_pages_name_the_rates_and_define_them(rates_sites):
    site = rates_sites["zh"]
    prop = text_of(site / "units" / "property" / "index.html")
    assert "办结率 10% （10 项中 1 项） · 按期办结率 10% （10 项中 1 项）" in prop
    energy = text_of(site / "units" / "energy" / "index.html")
    assert "整改率 100% （1 项中 1 项） · 按期整改率 0% （1 项中 0 项）" in energy
    for page in ("units/index.html", "units/property/index.html", "dashboard/index.html"):
        if not (site / page).exists():
            continue
        text = text_of(site / page)
        assert "应完成：已完成，或截至统计日期已超过现行期限；已取消的不计入。" in text, page
        assert f"统计截至 {AS_OF}" in text, page
    every = b"".join(site_files(site).values())
    assert "期限截至".encode() not in every


def test_english_footnote_and_as_of_line(rates_sites):
    site = rates_sites["en"]
    for page in ("units/index.html", "units/property/index.html", "directives/index.html"):
        raw = (site / page).read_text(encoding="utf-8")
        assert f'Figures as of <time datetime="{AS_OF}">{AS_OF}</time>' in raw, page
    text = text_of(site / "units" / "index.html")
    assert "Due: done, or past the deadline in force at the as-of date; cancelled never counts." in text
    assert "Deadlines as of" not in b"".join(site_files(site).values()).decode("utf-8", "replace")


# ---------------------------------------------------------------- the site as it was


def test_a_bulletin_dated_after_the_as_of_date_is_hidden():
    later = Bulletin(Path("b.md"), "b.md", "T", dt.date(2026, 11, 29), "notice", "", 1)
    assert hidden_because(later, AS_OF_DATE) == "dated 2026-11-29, after the as-of date 2026-11-28"
    on_the_day = Bulletin(Path("b.md"), "b.md", "T", AS_OF_DATE, "notice", "", 1)
    assert hidden_because(on_the_day, AS_OF_DATE) == ""
    draft = Bulletin(Path("b.md"), "b.md", "T", dt.date(2026, 11, 29), "notice", "", 1, draft=True)
    assert hidden_because(draft, AS_OF_DATE) == "a draft"


PAST_AS_OF = "2026-10-17"


def test_the_example_as_it_was_holds_nothing_issued_later(tmp_path):
    """A build of the example dated 2026-10-17 shows the record as it stood that day: no page,
    listing, feed, calendar, export or search entry of a bulletin dated after it, nor its
    follow-ups; and `bulletins verify` (which rebuilds at the recorded date) agrees."""
    project = example_project(tmp_path / "example")
    as_of = dt.date.fromisoformat(PAST_AS_OF)
    loaded = load_project(project / "bulletins")
    later = [b for b in loaded.bulletins if b.date > as_of and not b.draft]
    assert later, "the example has no bulletin after the as-of date: the test would prove nothing"
    result = mkdocs(project, "build", "--strict", as_of=PAST_AS_OF)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    files = {path.relative_to(site).as_posix(): data for path, data in site_files(site).items()}
    assert "search/search_index.json" in files
    needles = {}
    for b in later:
        needles[b.title] = b.rel_path
        needles[Path(b.rel_path).stem] = b.rel_path  # its page's address
        for d in b.directives:
            needles[d.id] = b.rel_path
            needles[d.title] = b.rel_path
    guides = ("guide/", "performance/")  # hand-written pages may name the example's files
    found = [(path, needle) for path, data in files.items() for needle in needles
             if not path.startswith(guides) and needle.encode() in data]
    assert found == []
    catalog = Catalog(loaded, as_of)
    assert {b.rel_path for b in catalog.bulletins}.isdisjoint(b.rel_path for b in later)
    assert catalog.follow_ups and all(f.date <= as_of for f in catalog.follow_ups)
    # the follow-ups of later bulletins change no directive: none is closed after the as-of date
    assert all((s.closed_on or as_of) <= as_of for s in catalog.states.values())
    findings = verify_site(project, site)  # at the date the site records
    assert findings == [], findings


def test_a_dirty_build_moved_back_and_forth_in_time_equals_a_full_build(tmp_path):
    """`mkdocs serve` and `build --dirty` keep pages between builds: a bulletin dated after the
    as-of date must go when the date moves back, and come when it moves on."""
    project = rates_project(tmp_path / "project")
    before_follow_up = "2026-11-15"  # the supervision bulletin of 2026-11-20 is not issued yet

    def tree(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}

    for as_of in (AS_OF, before_follow_up, AS_OF):
        result = mkdocs(project, "build", "--dirty", as_of=as_of)
        assert result.returncode == 0, result.stderr
        fresh = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"  # apart: a full build resets the dirty build's stamps
        shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
        full = build(fresh, as_of=as_of)
        assert tree(project / "site") == tree(full), as_of
        assert (full / "bulletins/2026/2026-11-20-supervision/index.html").exists() == (as_of == AS_OF)
