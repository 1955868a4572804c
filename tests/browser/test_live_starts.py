"""A phase that has not begun (`from:`) is 'later' until its first day, whatever its deadline
(State.bucket): live.js, recounting a page on a later day, applies the same rule from the start
the page carries, so the page read in Chromium shows what a build on the reader's day shows."""

import datetime as dt
import re

import pytest
from browsing import SUB_PATH
from helpers import AS_OF, SITE_YML, UNITS_YML, build, nginx, write_tree

LATER = dt.date(2026, 12, 8)  # the reader's day: PHASE is 4 days from its deadline, 2 from its start
NOTICE = """\
---
title: Notice on the winter phase
date: 2026-11-20
type: notice
issuer: safety-env
---

/// directive | Second phase of the works
    id: PHASE
    units: [property]
    from: 2026-12-10
    deadline: 2026-12-12
///

/// directive | Check the heating
    id: HEAT
    units: [property]
    deadline: 2026-12-11
///
"""
SITE = SITE_YML + "extra:\n  bulletins:\n    search: material\n"


@pytest.fixture(scope="module")
def phase_sites(tmp_path_factory):
    project = tmp_path_factory.mktemp("phase")
    write_tree(project, {"mkdocs.yml": SITE, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
                         "bulletins/2026/2026-11-20-notice.md": NOTICE})
    built = build(project, as_of=AS_OF, site="built")
    later = build(project, as_of=LATER.isoformat(), site="later")
    with nginx(tmp_path_factory.mktemp("nginx"), {SUB_PATH: built}) as base:
        yield base + SUB_PATH, built, later


def static_buckets(site, path: str) -> dict[str, str]:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return {name: bucket for bucket, name in re.findall(r'<tr class="sb-row sb-row--([a-z-]+)"[^>]*>.*?#([A-Z]+)"', html, re.S)}


def static_count(site, path: str, name: str) -> str:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return re.search(rf'class="sb-counts sb-action".*?data-sb-count="{name}">(\d+)<', html, re.S)[1]


def test_live_js_keeps_a_phase_not_begun_later_as_a_build_that_day_does(browser, phase_sites):
    base, built, later = phase_sites
    assert static_buckets(later, "units/property") == {"HEAT": "due-soon", "PHASE": "later"}
    assert 'data-sb-starts="2026-12-10"' in (built / "units/property/index.html").read_text(encoding="utf-8")
    context = browser.new_context()
    context.clock.set_fixed_time(f"{LATER.isoformat()}T10:00:00")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "units/property/")
    rows = {row.locator('a[href*="#"]').first.get_attribute("href").split("#")[1]:
            re.search(r"sb-row--([a-z-]+)", row.get_attribute("class"))[1]
            for row in page.locator("tr[data-sb-deadline]").all()}
    assert rows == static_buckets(later, "units/property")
    counted = page.locator('.sb-counts [data-sb-count="due-soon"]').first.inner_text()
    assert counted == static_count(later, "units/property", "due-soon") == "1"
    # the card on the bulletin's page, too
    page.goto(base + "bulletins/2026/2026-11-20-notice/")
    card = page.locator(".sb-directive", has=page.locator('h3[id="PHASE"]'))
    assert "sb-directive--later" in card.get_attribute("class")
    assert errors == []
    context.close()
