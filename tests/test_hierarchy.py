"""Unit hierarchies: a parent's page lists its sub-units' directives apart, each once; the units
index shows the tree with roll-up counts."""

from helpers import URLS
import datetime as dt
import re

from safety_bulletins.catalog import Catalog
from safety_bulletins.outputs import pages
from safety_bulletins.site_build.sitebuild import SiteBuild
from safety_bulletins.sources.project import load_project

AS_OF = dt.date(2026, 11, 28)

# `group` > `energy` > `stations` > `pumps` (listed before its parent), and `property` on its own
UNITS = """\
- id: pumps
  name: Pump Workshop
  parent: stations
- id: group
  name: Group Office
- id: energy
  name: Energy Company
  parent: group
- id: stations
  name: Filling Stations
  parent: energy
- id: property
  name: Property Management Company
"""

NOTICE = """\
---
title: Notice on the winter checks
date: 2026-11-20
type: notice
issuer: group
---
/// directive | Replace the pump seals
    id: PUMP-1
    units: [pumps]
    deadline: 2026-11-20
///

/// directive | Inspect the tanks
    id: TANK-1
    units: [stations, pumps]
    deadline: 2026-12-01
///

/// directive | Energy and its stations check the cables
    id: CABLE-1
    units: [energy, stations]
    deadline: 2026-12-20
///

/// directive | Property fixes the roof, the pump workshop helps
    id: ROOF-1
    units: [property]
    support: [pumps]
    deadline: 2027-03-01
///

/// directive | Everyone reviews the plans
    id: ALL-1
    units: all
    deadline: ongoing
///

/// directive | Stations help property, pumps do their part
    id: MIX-1
    units: [property, pumps]
    support: [stations]
    deadline: 2026-11-25
///
"""


def catalog(bulletins_dir) -> Catalog:
    return Catalog(load_project(bulletins_dir({"2026/2026-11-20-notice.md": NOTICE}, units=UNITS), AS_OF), AS_OF)


def listed(entries):
    return [(e.directive.id, e.role, e.units) for e in entries]


def test_subunits_entries_at_any_depth_each_once_and_not_the_units_own(bulletins_dir):
    c = catalog(bulletins_dir)
    # group's own: ALL-1 only; everything of energy, stations and pumps else, once each
    assert listed(c.for_unit("group")) == [("ALL-1", "responsible", ())]
    assert sorted(listed(c.for_subunits("group"))) == [
        ("CABLE-1", "responsible", ("energy", "stations")),
        ("MIX-1", "responsible", ("pumps",)),  # responsible for pumps beats support for stations
        ("PUMP-1", "responsible", ("pumps",)),
        ("ROOF-1", "support", ("pumps",)),
        ("TANK-1", "responsible", ("pumps", "stations")),
    ]
    # energy lists CABLE-1 (and ALL-1) itself: not again among its sub-units'
    assert sorted(listed(c.for_subunits("energy"))) == [
        ("MIX-1", "responsible", ("pumps",)), ("PUMP-1", "responsible", ("pumps",)),
        ("ROOF-1", "support", ("pumps",)), ("TANK-1", "responsible", ("pumps", "stations"))]
    assert c.for_subunits("pumps") == [] and c.for_subunits("property") == []


def test_rollup_counts_each_directive_once(bulletins_dir):
    c = catalog(bulletins_dir)
    counts = c.counts(c.rollup("energy"))
    # PUMP-1 (11-20) and MIX-1 (11-25) overdue; TANK-1 due 12-01; CABLE-1 upcoming; ALL-1 ongoing;
    # ROOF-1 (later) only supported by pumps: counted apart, not as the roll-up's own work
    assert (counts["open"], counts["overdue"], counts["due-soon"], counts["upcoming"], counts["later"],
            counts["ongoing"], counts["support-open"]) == (5, 2, 1, 1, 0, 1, 1)
    assert sorted(c.coming_deadlines(c.rollup("energy")).items()) == [("2026-12-01", 1), ("2026-12-20", 1)]
    assert len({e.directive.id for e in c.rollup("group")}) == len(c.rollup("group")) == 6


def test_the_tree_puts_each_unit_under_its_parent_in_file_order(bulletins_dir):
    c = catalog(bulletins_dir)
    assert [(u.id, depth) for u, depth in c.unit_tree()] == [
        ("group", 0), ("energy", 1), ("stations", 2), ("pumps", 3), ("property", 0)]


def site(bulletins_dir) -> SiteBuild:
    return SiteBuild.load(bulletins_dir({"2026/2026-11-20-notice.md": NOTICE}, units=UNITS), AS_OF, urls=URLS)


def page(build: SiteBuild, src: str) -> str:
    return build.page_output(src, build.page_content(src, ""))


def test_a_parent_page_lists_its_subunits_directives_apart(bulletins_dir):
    html = page(site(bulletins_dir), "units/energy.md")
    own, sub = html.split('<section class="sb-subunits">')
    assert "#CABLE-1" in own and "#ALL-1" in own and "#TANK-1" not in own
    for directive_id in ("PUMP-1", "TANK-1", "ROOF-1", "MIX-1"):
        assert sub.count(f"#{directive_id}\"") == 1, directive_id
    assert "#CABLE-1" not in sub and "#ALL-1" not in sub
    # ROOF-1, which a sub-unit only supports, in a section of its own (配合), never in a dated bucket
    assert re.findall(r'<h3 id="([a-z-]+)"', sub) == ["sub-overdue", "sub-due-soon", "sub-upcoming", "sub-later",
                                                      "sub-support"]
    assert re.findall(r'<h2 id="([a-z-]+)"', own) == ["overdue", "due-soon", "upcoming", "later", "ongoing"]
    # its own counts (ROOF-1, only supported by pumps, apart), which the page's script recounts
    assert ('<p class="sb-sub-counts" data-sb-deadlines=\'{"2026-12-01": 1}\'>3 open, '
            '<span data-sb-count="overdue">2</span> overdue, <span data-sb-count="due-soon">1</span> due within 7 days, '
            '0 closed.') in sub
    tank = re.search(r'<tr [^>]*data-sb-for="pumps stations"[^>]*>.*?</tr>', sub, re.S).group(0)
    assert ('For sub-unit: <a class="sb-unit" href="../../units/pumps/">Pump Workshop</a>, '
            '<a class="sb-unit" href="../../units/stations/">Filling Stations</a>') in tank  # units.yml's order
    roof = re.search(r'<tr [^>]*>(?:(?!</tr>).)*#ROOF-1".*?</tr>', sub, re.S).group(0)
    assert "Supporting unit" in roof and 'data-sb-for="pumps"' in roof
    assert "data-sb-for" not in own  # the same directive's row elsewhere stays as it was
    # at the top, a link down to the section, with how many are open there
    assert ('<a href="../../units/energy/#sub-units">Directives of sub-units</a> (3 open)</p>') in html


def test_a_unit_without_subunits_has_no_such_section(bulletins_dir):
    build = site(bulletins_dir)
    for src in ("units/property.md", "units/pumps.md"):
        html = page(build, src)
        assert "sb-subunits" not in html and "data-sb-for" not in html


def test_a_parent_without_own_directives_still_lists_its_subunits(bulletins_dir):
    notice = NOTICE.replace("    units: all\n    deadline: ongoing\n", "    units: [property]\n    deadline: ongoing\n")
    build = SiteBuild.load(bulletins_dir({"2026/2026-11-20-notice.md": notice}, units=UNITS), AS_OF, urls=URLS)
    html = page(build, "units/group.md")
    own, sub = html.split('<section class="sb-subunits">')
    assert "No directives." in own and "No directives." not in sub and "#CABLE-1" in sub


def test_a_long_listing_continues_with_the_subunits_on_later_pages(bulletins_dir, monkeypatch):
    monkeypatch.setattr(pages, "ROWS_PER_PAGE", 2)
    build = site(bulletins_dir)
    energy = [p for p in build.pages.values() if p.src_uri.startswith("units/energy")]
    # 2 own rows (CABLE-1, ALL-1) then 4 of the sub-units': three pages, the section from page 2
    assert [p.src_uri for p in energy] == ["units/energy.md", "units/energy/2.md", "units/energy/3.md"]
    first, second, third = (page(build, p.src_uri) for p in energy)
    assert "sb-subunits\"" not in first
    assert '<a href="../../units/energy/2/#sub-units">The directives of its sub-units follow on page 2.</a>' in first
    assert '<a href="../../../units/energy/2/#sub-units">Directives of sub-units</a>' in third  # the link at the top
    assert "No directives." not in second and second.count("<tr class=\"sb-row") == 2
    assert "sb-subunits" in third and "No directives." not in third


def test_the_units_index_shows_the_tree_with_rollups(bulletins_dir):
    html = page(site(bulletins_dir), "units/index.md")
    rows = re.findall(r'<tr class="sb-counts"[^>]*>(.*?)</tr>', html, re.S)
    names = [re.search(r'href="[^"]*">([^<]+)</a>', row).group(1) for row in rows]
    assert names == ["Group Office", "Energy Company", "Filling Stations", "Pump Workshop",
                     "Property Management Company"]
    assert [re.search(r"--sb-depth: (\d)", row).group(1) if "--sb-depth" in row else "0" for row in rows] == [
        "0", "1", "2", "3", "0"]
    energy = rows[1]
    cells = [re.sub(r"<[^>]*>", " ", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", energy, re.S)]
    # own (CABLE-1, ALL-1): 2 open, none overdue or due soon; Σ with its sub-units: 5, 2 and 1 (ROOF-1 only supported: apart)
    assert cells[1:5] == [["2", "Σ", "5"], ["0", "Σ", "2"], ["0", "Σ", "1"], ["0", "Σ", "0"]]
    assert "Σ" not in rows[3] and "Σ" not in rows[4]  # no sub-units, no roll-up
    # the roll-up's figures carry their own deadlines for the page's script
    assert 'data-sb-deadlines=\'{"2026-12-01": 1, "2026-12-20": 1}\'>Σ <span data-sb-count="overdue">' in energy


# A parent that only supports what its sub-unit must do: the sub-unit's work all the same (issue 20)
SUPPORTED = NOTICE + """
/// directive | The pump workshop removes the major hidden danger, energy and the group help
    id: HAZ-1
    units: [pumps]
    support: [group, energy]
    deadline: 2026-11-01
    grade: major
///
"""


def test_a_subunits_directive_the_parent_only_supports_is_in_the_parents_rollup(bulletins_dir, monkeypatch, capsys):
    from safety_bulletins.commands import digest
    from safety_bulletins.commands.due import due_rows

    root = bulletins_dir({"2026/2026-11-20-notice.md": SUPPORTED}, units=UNITS)
    c = Catalog(load_project(root, AS_OF), AS_OF)
    for parent in ("group", "energy"):  # two and three levels above `pumps`
        assert ("HAZ-1", "support", ()) in listed(c.for_unit(parent))  # its own list: as support, apart
        assert ("HAZ-1", "responsible", ("pumps",)) in listed(c.for_subunits(parent))
        assert ("HAZ-1", "responsible", ("pumps",)) in listed(c.rollup(parent))
        assert len({e.directive.id for e in c.rollup(parent)}) == len(c.rollup(parent))  # each once
    # PUMP-1, MIX-1 and HAZ-1 overdue, against 2 before
    assert c.unit_counts("energy", "all")["overdue"] == 3 and c.unit_counts("energy", "sub")["overdue"] == 3
    assert c.unit_counts("energy")["support-overdue"] == 1  # its own page: supported, not its own work
    rows = [(r.id, r.role, r.sub_units) for r in due_rows(c, 7, ["energy"], with_subunits=True)]
    assert ("HAZ-1", "responsible", ("pumps",)) in rows and len(rows) == len({r[0] for r in rows})
    mail = digest.make_digest(c, "energy", with_subunits=True, urls=URLS)
    assert [(i.directive.id, i.units, i.support) for i in mail.overdue if i.directive.id == "HAZ-1"] == [
        ("HAZ-1", ("pumps",), False)]

    build = SiteBuild.load(root, AS_OF, urls=URLS)
    sub = page(build, "units/energy.md").split('<section class="sb-subunits">')[1]
    assert sub.count('#HAZ-1"') == 1
    assert '<span data-sb-count="overdue">3</span> overdue' in sub
    index = page(build, "units/index.md")
    energy = re.findall(r'<tr class="sb-counts"[^>]*>(.*?)</tr>', index, re.S)[1]
    cells = [re.sub(r"<[^>]*>", " ", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", energy, re.S)]
    assert cells[2][:3] == ["0", "Σ", "3"]


def test_the_example_parents_count_what_their_sub_units_do_under_their_support(monkeypatch):
    """The shipped example on 2026-12-05: the Filling Station Branch's major hidden danger
    (XQST-2025-03-4, 339 days overdue), which Energy supports, is Energy's sub-unit's work."""
    from helpers import REPO
    day = dt.date(2026, 12, 5)
    c = Catalog(load_project(REPO / "bulletins", day), day)
    hazard = next(e for e in c.rollup("energy") if e.directive.id == "XQST-2025-03-4")
    assert (hazard.role, hazard.units, c.state_of(hazard.directive).days_overdue(day)) == (
        "responsible", ("filling-stations",), 339)
    figures = {unit: (c.unit_counts(unit, "all")["open"], c.unit_counts(unit, "all")["overdue"])
               for unit in ("energy", "logistics")}
    # Energy's own share of the drill plans (2026-11-20 notice, to all) is done (the 督办通报 of 11-27), its
    # Filling Station Branch's is not and is overdue: with its sub-units Energy counts it; with the monthly
    # duty and the staged work of 2026-10-08. The committee's Q4 minutes (2026-11-12) and the notice of
    # 2026-11-16 add, for Energy with its branches and stations, nine open directives (two of them overdue:
    # Energy's own 有限空间 share, 中川加油站's 立即 repair), for Logistics with its Cold Chain Center
    # and Refrigeration Workshop six (none overdue: its 有限空间 share is done)
    assert figures == {"energy": (21, 5), "logistics": (18, 5)}
    drill = next(e for e in c.rollup("energy") if e.directive.id == "2026-11-20-关于开展应急演练的通知-1")
    assert c.entry_bucket(drill) == "overdue" and c.share(drill.directive, "energy").closed
