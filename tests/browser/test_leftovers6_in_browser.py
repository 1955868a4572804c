"""The register's and the search's unit filters in Chromium for a committee (units.yml's
`receives_all: false`): they list what the committee's page lists, so the directives to all units
are not among its rows, as they are not on its page (session 6, helper "leftovers")."""

import pytest
from browsing import SUB_PATH, served_bulletins
from helpers import PAGEFIND_YML, SITE_YML
from test_leftovers6 import COMMITTEE_BULLETINS, COMMITTEE_YML
from test_since_in_browser import _rows


@pytest.fixture(scope="module")
def committee_site(tmp_path_factory):
    with served_bulletins(tmp_path_factory, "committee", SITE_YML, COMMITTEE_YML, COMMITTEE_BULLETINS, "2026-12-10") as base:
        yield base + SUB_PATH


def test_the_registers_unit_filter_lists_what_a_committees_page_lists(browser, committee_site):
    listed = _rows(browser, committee_site + "units/committee/", filtered=False)
    assert listed == ["AW-1"]
    assert _rows(browser, committee_site + "directives/?unit=committee", filtered=True) == listed
    # a unit that receives directives to all still matches them (the filter is not empty by accident)
    assert _rows(browser, committee_site + "directives/?unit=energy", filtered=True) == ["YJ-1", "YJ-2", "ZJ-1", "ZJ-2"]


@pytest.fixture(scope="module")
def committee_search(tmp_path_factory):
    files = {name: text.replace("报送", "DRILLWORD 报送").replace("筹备", "DRILLWORD 筹备")
             for name, text in COMMITTEE_BULLETINS.items()}
    with served_bulletins(tmp_path_factory, "committee-search", PAGEFIND_YML, COMMITTEE_YML, files, "2026-12-10") as base:
        yield base


def test_the_searchs_unit_filter_leaves_directives_to_all_out_of_a_committee(page, committee_search, request):
    from browsing import answer_to
    from test_pagefind_search import listed_cards, opened_search

    request.node.origin = committee_search
    opened_search(page, committee_search + SUB_PATH, "DRILLWORD")
    assert {"YJ-1", "ZJ-1", "AW-1"} <= set(listed_cards(page)), listed_cards(page)
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="unit"]', "committee"))
    assert listed_cards(page) == ["AW-1"], listed_cards(page)
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="unit"]', "energy"))
    assert {"YJ-1", "ZJ-1"} <= set(listed_cards(page)) and "AW-1" not in listed_cards(page), listed_cards(page)
