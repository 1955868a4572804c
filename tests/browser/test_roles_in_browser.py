"""What a unit only supports (配合), read weeks after the build: the site's script moves the
responsible unit's row to Overdue, and leaves the supporting unit's in its own section; its
counts and the filter's Overdue stay empty (issue 21: a cooperating unit is never blamed)."""

import datetime as dt

import pytest
from browsing import SUB_PATH, opened_at
from helpers import AS_OF, UNITS_YML, build, nginx, write_tree, SITE_YML

SOON = (dt.date.fromisoformat(AS_OF) + dt.timedelta(days=3)).isoformat()
READ_ON = "2026-12-23T10:00:00"  # 25 days after the build: 22 days overdue

NOTICE = f"""\
---
title: Notice on the boiler rooms
date: 2026-11-20
type: notice
issuer: safety-env
---
/// directive | Replace the gas alarms
    id: GAS-1
    units: [property]
    support: [energy]
    owner: {{property: Wang Lei, energy: Li Qiang}}
    deadline: {SOON}
///

/// directive | Check the energy company's own boilers
    id: OWN-1
    units: [energy]
    deadline: 2027-02-01
///
"""

VISIBLE_IDS = """() => Array.from(document.querySelectorAll("tr.sb-row"))
  .filter(row => row.offsetParent !== null)
  .map(row => row.querySelector("td:nth-child(2) a").getAttribute("href").split("#")[1])"""


@pytest.fixture(scope="module")
def roles_site(tmp_path_factory):
    project = tmp_path_factory.mktemp("roles")
    write_tree(project, {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
                         "bulletins/2026/2026-11-20-notice.md": NOTICE})
    site = build(project, as_of=AS_OF)
    with nginx(tmp_path_factory.mktemp("nginx"), {SUB_PATH: site}) as base:
        yield base + SUB_PATH


def test_the_supporting_units_row_stays_in_its_own_section_on_a_later_day(browser, roles_site):
    context, page, errors = opened_at(browser, roles_site + "units/energy/", READ_ON)
    assert page.locator('section[data-sb-bucket="support"] tbody tr').count() == 1
    # its own directive makes the dated sections (the script could move a row into them): none is overdue
    assert page.locator('section[data-sb-bucket="overdue"] tbody tr').count() == 0
    assert page.locator('section[data-sb-bucket="upcoming"]:not([hidden]) tbody tr').count() == 0
    assert page.locator('.sb-counts [data-sb-count="overdue"]').inner_text() == "0"
    assert page.locator('section[data-sb-bucket="support"] tbody tr td').nth(3).inner_text() == "Li Qiang"
    page.goto(roles_site + "units/energy/?bucket=overdue")
    page.locator(".sb-filter").wait_for(state="visible")
    assert page.evaluate(VISIBLE_IDS) == []
    page.goto(roles_site + "units/energy/?bucket=support")
    page.locator(".sb-filter").wait_for(state="visible")
    assert page.evaluate(VISIBLE_IDS) == ["GAS-1"]
    page.goto(roles_site + "units/energy/?bucket=later")
    page.locator(".sb-filter").wait_for(state="visible")
    assert page.evaluate(VISIBLE_IDS) == ["OWN-1"]
    assert errors == []
    context.close()


def test_the_responsible_units_row_moves_to_overdue(browser, roles_site):
    context, page, errors = opened_at(browser, roles_site + "units/property/", READ_ON)
    overdue = page.locator('section[data-sb-bucket="overdue"]:not([hidden]) tbody tr')
    assert overdue.count() == 1 and overdue.locator(".sb-days").inner_text() == "22 days overdue"
    assert overdue.locator("td").nth(3).inner_text() == "Wang Lei"
    assert page.locator('.sb-counts [data-sb-count="overdue"]').inner_text() == "1"
    assert errors == []
    context.close()
