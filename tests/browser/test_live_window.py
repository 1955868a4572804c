"""A site with its own due-soon window (extra: bulletins: due_soon_days: 14, upcoming_days: 45):
the build's buckets and live.js's on the reader's day follow the one rule, so the page as
recounted in Chromium on a later day shows what a build on that day shows."""

import datetime as dt
import re

import pytest
from browsing import SUB_PATH
from helpers import AS_OF, SITE_YML, UNITS_YML, build, nginx, write_tree

BUILT = dt.date.fromisoformat(AS_OF)
LATER = BUILT + dt.timedelta(days=8)  # the reader's day


def day(offset: int) -> str:
    return (BUILT + dt.timedelta(days=offset)).isoformat()


# Days ahead at the build (and on the reader's day, 8 later). Under the default 7 and 30 days
# TEN, TWENTY and FORTY would be in other buckets: upcoming, upcoming then upcoming, later.
DEADLINES = {"SOON": 3, "TEN": 10, "TWENTY": 20, "FORTY": 40, "SIXTY": 60}
NOTICE = """\
---
title: Notice on the winter checks
date: 2026-11-20
type: notice
issuer: safety-env
---
""" + "\n".join(f"""
/// directive | Due in {days} days
    id: {name}
    units: [property]
    deadline: {day(days)}
///
""" for name, days in DEADLINES.items())

WINDOW_YML = SITE_YML + """\
extra:
  bulletins:
    search: material
    due_soon_days: 14
    upcoming_days: 45
"""
ON_BUILD_DAY = {"SOON": "due-soon", "TEN": "due-soon", "TWENTY": "upcoming", "FORTY": "upcoming", "SIXTY": "later"}
ON_READER_DAY = {"SOON": "overdue", "TEN": "due-soon", "TWENTY": "due-soon", "FORTY": "upcoming", "SIXTY": "later"}


@pytest.fixture(scope="module")
def window_sites(tmp_path_factory):
    project = tmp_path_factory.mktemp("window")
    write_tree(project, {"mkdocs.yml": WINDOW_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
                         "bulletins/2026/2026-11-20-notice.md": NOTICE})
    built = build(project, as_of=AS_OF, site="built")
    later = build(project, as_of=LATER.isoformat(), site="later")
    with nginx(tmp_path_factory.mktemp("nginx"), {SUB_PATH: built}) as base:
        yield base + SUB_PATH, built, later


def static_buckets(site, path: str) -> dict[str, str]:
    """Each directive's bucket in a built page's HTML: its row's class, by the id its link names."""
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return {name: bucket for bucket, name in re.findall(r'<tr class="sb-row sb-row--([a-z-]+)"[^>]*>.*?#([A-Z]+)"', html, re.S)}


def live_buckets(page) -> dict[str, str]:
    found = {}
    for row in page.locator("tr[data-sb-deadline]").all():
        bucket = re.search(r"sb-row--([a-z-]+)", row.get_attribute("class"))[1]
        found[row.locator('a[href*="#"]').first.get_attribute("href").split("#")[1]] = bucket
    return found


def test_the_build_buckets_by_the_sites_window(window_sites):
    _, built, later = window_sites
    assert static_buckets(built, "units/property") == ON_BUILD_DAY
    assert static_buckets(later, "units/property") == ON_READER_DAY
    html = (built / "units/property/index.html").read_text(encoding="utf-8")
    assert "Due within 14 days" in html and "Due within 45 days" in html and "Due within 7 days" not in html
    assert """data-sb-windows='{"due_soon": 14, "upcoming": 45}'""" in html


@pytest.mark.parametrize("path", ["units/property/", "directives/"])
def test_live_js_moves_rows_as_a_build_on_the_readers_day_would(browser, window_sites, path):
    base, _, later = window_sites
    context = browser.new_context()
    context.clock.set_fixed_time(f"{LATER.isoformat()}T10:00:00")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + path)
    assert live_buckets(page) == static_buckets(later, path.strip("/")) == ON_READER_DAY
    if path.startswith("units/"):  # the unit's counts, recounted with the same window
        assert page.locator('.sb-counts [data-sb-count="due-soon"]').inner_text() == "2"
    assert errors == []
    context.close()


def test_a_card_is_badged_by_the_sites_window(browser, window_sites):
    base, _, _ = window_sites
    context = browser.new_context()
    context.clock.set_fixed_time(f"{LATER.isoformat()}T10:00:00")
    page = context.new_page()
    page.goto(base + "bulletins/2026/2026-11-20-notice/")
    card = page.locator(".sb-directive", has=page.locator('h3[id="TWENTY"]'))
    assert "sb-directive--due-soon" in card.get_attribute("class")
    assert card.locator(".sb-badge--due-soon").inner_text() == "Due within 14 days"
    context.close()
