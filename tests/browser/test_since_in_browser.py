"""The register's unit filter (filter.js) in Chromium for a unit that joined later (units.yml's
`since`): it lists exactly what the unit's own page lists, so a directive to all issued before
the unit joined is not among its rows, while one issued after it is."""

import pytest
from browsing import SUB_PATH, opened_at, served_bulletins
from helpers import SITE_YML
from test_roles2 import JOINED
from test_since import JOINED_BELOW

READ_ON = "2026-12-10T10:00:00"  # the build's day: live.js moves nothing

ROW_IDS = """() => Array.from(document.querySelectorAll("tr.sb-row"))
  .filter(row => row.offsetParent !== null)
  .map(row => row.querySelector("td:nth-child(2) a").getAttribute("href").split("#")[1])"""


@pytest.fixture(scope="module")
def joined_site(tmp_path_factory):
    with served_bulletins(tmp_path_factory, "since", SITE_YML, JOINED_BELOW, JOINED, "2026-12-10") as base:
        yield base + SUB_PATH


def _rows(browser, url, filtered: bool):
    context, page, errors = opened_at(browser, url, READ_ON)
    if filtered:
        page.locator(".sb-filter").wait_for(state="visible")
        page.wait_for_function("() => document.querySelector('.sb-filter__status').textContent.includes(' of ')")
    shown = sorted(page.evaluate(ROW_IDS))
    context.close()
    assert errors == [], errors
    return shown


def test_the_registers_unit_filter_lists_what_the_unit_page_lists(browser, joined_site):
    listed = _rows(browser, joined_site + "units/hotel/", filtered=False)
    assert listed == ["ZJ-1", "ZJ-2"]
    assert _rows(browser, joined_site + "directives/?unit=hotel", filtered=True) == listed
    # a unit there from the start still matches the directives to all of before (the filter is not empty by accident)
    assert _rows(browser, joined_site + "directives/?unit=energy", filtered=True) == ["YJ-1", "YJ-2", "ZJ-1", "ZJ-2"]


@pytest.fixture(scope="module")
def joined_search(tmp_path_factory):
    from helpers import PAGEFIND_YML

    files = {name: text.replace("各单位报送", "DRILLWORD 各单位报送") for name, text in JOINED.items()}
    with served_bulletins(tmp_path_factory, "since-search", PAGEFIND_YML, JOINED_BELOW, files, "2026-12-10") as base:
        yield base


def test_the_searchs_unit_filter_leaves_out_what_was_issued_before_the_unit_joined(page, joined_search, request):
    from browsing import answer_to
    from test_pagefind_search import listed_cards, opened_search

    request.node.origin = joined_search
    opened_search(page, joined_search + SUB_PATH, "DRILLWORD")
    assert {"YJ-1", "ZJ-1"} <= set(listed_cards(page))
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="unit"]', "hotel"))
    assert "ZJ-1" in listed_cards(page) and "YJ-1" not in listed_cards(page), listed_cards(page)
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="unit"]', "energy"))
    assert {"YJ-1", "ZJ-1"} <= set(listed_cards(page))
