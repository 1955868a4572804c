"""Pages built on one day and read weeks later: the site's script recounts buckets, counts and
days overdue against the reader's date (Playwright's clock), and without JavaScript the page
stays as built, saying so."""

import datetime as dt

import pytest
from browsing import SUB_PATH
from helpers import AS_OF, UNITS_YML, build, nginx, write_tree, SITE_YML

BUILT = dt.date.fromisoformat(AS_OF)  # 2026-11-28


def day(offset: int) -> str:
    return (BUILT + dt.timedelta(days=offset)).isoformat()


NOTICE = f"""\
---
title: Notice on the winter checks
date: 2026-11-20
type: notice
issuer: safety-env
---
/// directive | Already late
    id: LATE
    units: [property]
    deadline: {day(-5)}
///

/// directive | Due in three days
    id: SOON
    units: [property]
    deadline: {day(3)}
///

/// directive | Due in twenty days
    id: TWENTY
    units: [property]
    deadline: {day(20)}
///

/// directive | Due in fifty days
    id: FIFTY
    units: [property]
    deadline: {day(50)}
///
"""

# A deadline of the first century: JavaScript's Date.UTC reads years 0 to 99 as 1900 to 1999
ANCIENT = """\
---
title: A record of the year 40
date: 0040-01-01
type: notice
---
/// directive | Due in the year 50
    id: ANCIENT
    units: [energy]
    deadline: 0050-03-01
///
"""

READ_ON = "2026-12-23T10:00:00"  # 25 days after the build: SOON and TWENTY are overdue, FIFTY is upcoming


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    project = tmp_path_factory.mktemp("live")
    write_tree(project, {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
                         "bulletins/2026/2026-11-20-notice.md": NOTICE,
                         "bulletins/0040/0040-01-01-record.md": ANCIENT})
    site = build(project, as_of=AS_OF)
    with nginx(tmp_path_factory.mktemp("nginx"), {SUB_PATH: site}) as base:
        yield base + SUB_PATH


def sections(page):
    return {name: page.locator(f'section[data-sb-bucket="{name}"]:not([hidden]) tbody tr').count()
            for name in ("overdue", "due-soon", "upcoming", "later")}


def test_a_unit_page_read_weeks_later(browser, live_site, screenshots):
    context = browser.new_context()
    context.clock.set_fixed_time(READ_ON)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_site + "units/property/")
    assert sections(page) == {"overdue": 3, "due-soon": 0, "upcoming": 1, "later": 0}
    assert page.locator('.sb-counts [data-sb-count="overdue"]').inner_text() == "3"
    assert page.locator('.sb-counts [data-sb-count="due-soon"]').inner_text() == "0"
    row = page.locator('tr[data-sb-deadline="%s"]' % day(3))
    assert row.locator(".sb-days").inner_text() == "22 days overdue"
    assert "2026-12-23" in page.locator(".sb-as-of").inner_text()
    # the summary's oldest overdue item (LATE, 5 days late at the build) is 30 days late now
    assert page.locator(".sb-action__overdue").inner_text() == "3 overdue, the oldest 30 days"
    # rows in a bucket are in deadline order
    overdue = page.locator('section[data-sb-bucket="overdue"] tbody tr')
    assert [overdue.nth(i).get_attribute("data-sb-deadline") for i in range(3)] == [day(-5), day(3), day(20)]
    page.screenshot(path=str(screenshots / "unit-later-desktop.png"), full_page=True)
    assert errors == []
    context.close()


@pytest.mark.parametrize(("path", "check"), [
    ("directives/", "register"), ("units/", "index"), ("", "home"), ("bulletins/2026/2026-11-20-notice/", "cards"),
])
def test_every_page_with_deadlines_recounts(browser, live_site, path, check, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.clock.set_fixed_time(READ_ON)
    page = context.new_page()
    page.goto(live_site + path)
    if check == "register":
        assert sections(page) == {"overdue": 4, "due-soon": 0, "upcoming": 1, "later": 0}
    elif check == "index":
        row = page.locator("tr.sb-counts", has_text="Property Management Company")
        assert row.locator('[data-sb-count="overdue"]').inner_text() == "3"
        assert row.locator('[data-sb-count="due-soon"]').inner_text() == "0"
    elif check == "home":
        assert page.locator('.sb-counts [data-sb-count="overdue"]').inner_text() == "4"
    else:
        card = page.locator(".sb-directive", has=page.locator('h3[id="TWENTY"]'))
        assert "sb-directive--overdue" in card.get_attribute("class")
        assert card.locator(".sb-badge--overdue").inner_text() == "Overdue"
        assert card.locator(".sb-days").inner_text() == "5 days overdue"
    page.screenshot(path=str(screenshots / f"{check}-later-phone.png"), full_page=True)
    context.close()


def test_a_deadline_of_the_first_century_is_counted_from_its_own_year(browser, live_site):
    context = browser.new_context()
    context.clock.set_fixed_time(READ_ON)
    page = context.new_page()
    page.goto(live_site + "bulletins/0040/0040-01-01-record/")
    days = (dt.date.fromisoformat(READ_ON[:10]) - dt.date(50, 3, 1)).days
    assert page.locator(".sb-directive .sb-days").inner_text() == f"{days} days overdue"
    page.goto(live_site + "directives/")
    row = page.locator('tr[data-sb-deadline="0050-03-01"]')
    assert row.locator(".sb-days").inner_text() == f"{days} days overdue"
    context.close()


def test_without_javascript_the_page_stays_as_built(browser, live_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_site + "units/property/")
    assert sections(page) == {"overdue": 1, "due-soon": 1, "upcoming": 1, "later": 1}
    assert f"Figures as of {AS_OF}" in page.locator(".sb-as-of").inner_text()
    context.close()


def test_on_the_build_day_nothing_changes(browser, live_site):
    context = browser.new_context()
    context.clock.set_fixed_time(f"{AS_OF}T09:00:00")
    page = context.new_page()
    page.goto(live_site + "units/property/")
    assert sections(page) == {"overdue": 1, "due-soon": 1, "upcoming": 1, "later": 1}
    assert page.locator('.sb-counts [data-sb-count="overdue"]').inner_text() == "1"
    assert page.locator(".sb-action__overdue").inner_text() == "1 overdue, the oldest 5 days"
    context.close()


# Energy's own directives, and those of its sub-unit Filling Stations (UNITS_YML), in a section apart
PARENT_NOTICE = f"""\
---
title: Notice on the filling stations
date: 2026-11-20
type: notice
issuer: safety-env
---
/// directive | Energy checks its cables
    id: E-OWN
    units: [energy]
    deadline: {day(10)}
///

/// directive | Energy and its stations inspect the tanks
    id: BOTH
    units: [energy, filling-stations]
    deadline: {day(40)}
///

/// directive | The stations replace the seals
    id: FS-LATE
    units: [filling-stations]
    deadline: {day(-5)}
///

/// directive | The stations test the alarms
    id: FS-SOON
    units: [filling-stations]
    deadline: {day(3)}
///

/// directive | The stations repaint the forecourt
    id: FS-FIFTY
    units: [filling-stations]
    deadline: {day(50)}
///
"""


@pytest.fixture(scope="module")
def parent_site(tmp_path_factory):
    project = tmp_path_factory.mktemp("parent")
    write_tree(project, {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
                         "bulletins/2026/2026-11-20-notice.md": PARENT_NOTICE})
    site = build(project, as_of=AS_OF)
    with nginx(tmp_path_factory.mktemp("nginx"), {SUB_PATH: site}) as base:
        yield base + SUB_PATH


def own_and_sub_sections(page):
    own = {name: page.locator(f'.md-content__inner > section[data-sb-bucket="{name}"]:not([hidden]) tbody tr').count()
           for name in ("overdue", "due-soon", "upcoming", "later")}
    sub = {name: page.locator(f'.sb-subunits > section[data-sb-bucket="{name}"]:not([hidden]) tbody tr').count()
           for name in ("overdue", "due-soon", "upcoming", "later")}
    return own, sub


@pytest.mark.parametrize(("read_on", "own", "sub", "counts"), [
    (f"{AS_OF}T09:00:00", {"overdue": 0, "due-soon": 0, "upcoming": 1, "later": 1},
     {"overdue": 1, "due-soon": 1, "upcoming": 0, "later": 1}, {"own": ("0", "0"), "sub": ("1", "1")}),
    # 25 days on: E-OWN overdue, BOTH within 30 days; FS-SOON overdue too, FS-FIFTY within 30 days
    (READ_ON, {"overdue": 1, "due-soon": 0, "upcoming": 1, "later": 0},
     {"overdue": 2, "due-soon": 0, "upcoming": 1, "later": 0}, {"own": ("1", "0"), "sub": ("2", "0")}),
])
def test_a_parents_page_recounts_its_subunits_section_apart(browser, parent_site, read_on, own, sub, counts):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.clock.set_fixed_time(read_on)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(parent_site + "units/energy/")
    assert own_and_sub_sections(page) == (own, sub)
    for box, (overdue, soon) in (("p.sb-counts", counts["own"]), ("p.sb-sub-counts", counts["sub"])):
        assert page.locator(f'{box} [data-sb-count="overdue"]').inner_text() == overdue
        assert page.locator(f'{box} [data-sb-count="due-soon"]').inner_text() == soon
    # each sub-unit row stays in the sub-units' section, in deadline order
    assert page.locator('.sb-subunits tr[data-sb-for="filling-stations"]').count() == 3
    assert page.locator('.md-content__inner > section.sb-bucket tr[data-sb-for]').count() == 0
    assert errors == []
    context.close()


def test_the_units_index_recounts_own_figures_and_rollups_apart(browser, parent_site):
    context = browser.new_context()
    context.clock.set_fixed_time(READ_ON)
    page = context.new_page()
    page.goto(parent_site + "units/")
    energy = page.locator("tr.sb-counts", has=page.locator('td > a[href$="units/energy/"]'))
    # own: E-OWN overdue (0 at the build); with its sub-units: E-OWN, FS-LATE, FS-SOON (1 at the build)
    assert energy.locator('td:nth-child(3) > [data-sb-count="overdue"]').inner_text() == "1"
    assert energy.locator('.sb-rollup [data-sb-count="overdue"]').inner_text() == "3"
    assert energy.locator('td:nth-child(4) > [data-sb-count="due-soon"]').inner_text() == "0"
    assert energy.locator('.sb-rollup [data-sb-count="due-soon"]').inner_text() == "0"
    stations = page.locator("tr.sb-counts", has=page.locator('td > a[href$="units/filling-stations/"]'))
    assert stations.locator('[data-sb-count="overdue"]').inner_text() == "2"  # FS-LATE, FS-SOON; no roll-up
    assert stations.locator(".sb-rollup").count() == 0
    context.close()


def test_one_day_late_is_one_day_not_one_days(browser, live_site):
    """Read the day after SOON's deadline: live.js says "1 day overdue" (the page carries the
    phrase for one beside the phrase for many), and the next day "2 days overdue"."""
    for offset, text in ((4, "1 day overdue"), (5, "2 days overdue")):
        context = browser.new_context()
        context.clock.set_fixed_time(f"{day(offset)}T10:00:00")
        page = context.new_page()
        page.goto(live_site + "units/property/")
        assert page.locator('tr[data-sb-deadline="%s"] .sb-days' % day(3)).inner_text() == text
        context.close()
