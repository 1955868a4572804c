"""Search with Pagefind (`extra: bulletins: search: pagefind`) in Chromium: the example site behind
nginx under a sub-path, in both UI languages. Material's search box in the header, answered by
our worker from Pagefind's index: an English word and a Chinese term each open the bulletin at the
directive's anchor, by mouse and by keyboard. The `page` fixture fails a test on any request that
leaves the site and on any console error."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

import pytest
from browsing import ANSWER_MS, answer_to, search, search_answered, search_ready, watch_search_answers
from helpers import nginx

ENGLISH_QUERY = ("forklift", "2022-01-18-warehouse-fire-extinguisher-lesson-1")
CHINESE_QUERY = ("隐患排查", "XQST-2025-03-2")
PATHS = {"en": "/safety-pf/", "zh": "/safety-pf-zh/"}


@pytest.fixture(scope="module")
def pagefind_server(sites, tmp_path_factory):
    """The session's example sites in English and Chinese: Pagefind is the default search."""
    for site in sites.values():
        assert (site / "pagefind/pagefind.js").is_file()
    with nginx(tmp_path_factory.mktemp("nginx-pagefind"), {PATHS[language]: sites[language] for language in PATHS}) as base:
        yield base


@pytest.fixture
def served(request, pagefind_server):
    request.node.origin = pagefind_server  # the page fixture then fails on any request elsewhere
    return pagefind_server


def opened_at(page, anchor):
    page.wait_for_url(re.compile(f"#{re.escape(anchor)}$"))
    target = page.locator(f'[id="{anchor}"]')
    target.wait_for()
    assert target.evaluate("e => e.getBoundingClientRect().top") < page.viewport_size["height"]


@pytest.mark.parametrize("language", PATHS)
@pytest.mark.parametrize(("query", "anchor"), [ENGLISH_QUERY, CHINESE_QUERY], ids=["english-term", "chinese-term"])
def test_a_result_opens_the_directive(page, served, language, query, anchor):
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(served + PATHS[language])
    link = search(page, query, anchor)
    assert "md-search-result__link" in link.get_attribute("class")  # Material's own result list
    link.click()
    opened_at(page, anchor)
    assert page.url.startswith(served + PATHS[language] + "bulletins/")
    assert any("/pagefind/fragment/" in url for url in asked), "the answer did not come from Pagefind"
    assert not any("assets/javascripts/workers/search." in url for url in asked)


def test_results_show_title_date_and_matching_text(page, served):
    page.goto(served + PATHS["en"])
    search(page, *ENGLISH_QUERY)
    first = page.locator(".md-search-result__item").first
    assert "Lessons from a Packaging Fire" in first.locator("h1").inner_text()
    assert "2022-01-18" in first.locator("h1").inner_text()
    assert first.locator("mark", has_text="forklift").count() > 0
    assert "¶" not in first.inner_text()  # the headings' permalinks are not words
    assert page.locator(".md-search-result__meta").inner_text() != ""


def test_the_keyboard_alone_opens_a_result(page, served):
    # Material's shortcut '/' to the search box; Chinese arrives as text input, as from an IME, without key
    # events: Material searches on the key that follows (End, keyup)
    opened_search(page, served + PATHS["zh"], CHINESE_QUERY[0])
    for _ in range(2):  # Material's arrows: from the page to the box, from the box to the first result
        page.keyboard.press("ArrowDown")
        if page.evaluate("document.activeElement.classList.contains('md-search-result__link')"):
            break
    assert "/bulletins/" in page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/bulletins/"))
    assert page.url.startswith(served + PATHS["zh"])


def test_listings_guides_and_card_facts_are_not_found(page, served):
    """'overdue' fills the listings, the guides and the cards' facts; only bulletins whose own
    text says it are found."""
    opened_search(page, served + PATHS["en"], "overdue")
    pages = page.locator(".md-search-result__item .md-search-result__link:first-child").evaluate_all(
        "els => els.map(e => new URL(e.href).pathname)")
    assert sorted(pages) == [f"{PATHS['en']}bulletins/{path}/" for path in (
        "2021/2021-05-25-special-safety-meeting", "2023/2023-04-12-q1-safety-committee-minutes",
        "2026/2026-09-24-q3-safety-committee-minutes")]


HOSTILE = """\
---
title: Fire drill <img src=x onerror="window.pwned=1">
date: 2026-11-20
type: notice
---
Bring the extinguisher <img src=x onerror="window.pwned=2"> & <script>window.pwned=3</script> HOSTILEWORD.

/// directive | Check <img src=x onerror="window.pwned=4"> HOSTILEWORD
    units: [property]
    deadline: 2026-12-04

<b onmouseover="window.pwned=5">bold</b> again HOSTILEWORD.
///
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from helpers import PAGEFIND_YML, UNITS_YML, build, write_tree

    root = tmp_path_factory.mktemp("hostile") / "project"
    write_tree(root, {"mkdocs.yml": PAGEFIND_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
                      "bulletins/2026/2026-11-20-drill.md": HOSTILE})
    with nginx(tmp_path_factory.mktemp("nginx-hostile"), {"/safety/": build(root)}) as base:
        yield base


def test_markup_in_bulletins_is_shown_as_text_in_results(page, hostile_server, request):
    request.node.origin = hostile_server
    page.goto(hostile_server + "/safety/")
    search(page, "HOSTILEWORD", "2026-11-20-drill-1")
    results = page.locator(".md-search-result__list")
    assert results.locator("img, script, b").count() == 0
    text = results.inner_text()
    assert 'Fire drill <img src=x onerror="window.pwned=1">' in text
    assert 'Check <img src=x onerror="window.pwned=4"> HOSTILEWORD' in text  # a section's title
    assert '<b onmouseover="window.pwned=5">bold</b>' in text  # an excerpt
    assert page.evaluate("window.pwned") is None


def test_a_site_without_bulletins_answers_nothing_found(page, tmp_path, request):
    from helpers import PAGEFIND_YML, UNITS_YML, build, write_tree

    root = write_tree(tmp_path / "project", {"mkdocs.yml": PAGEFIND_YML, "docs/index.md": "# Home\n",
                                             "bulletins/units.yml": UNITS_YML})
    (tmp_path / "nginx").mkdir()
    with nginx(tmp_path / "nginx", {"/safety/": build(root)}) as base:
        request.node.origin = base
        watch_search_answers(page)
        page.goto(base + "/safety/")
        search_ready(page)
        page.keyboard.press("/")
        page.wait_for_function("() => document.activeElement.classList.contains('md-search__input')")
        answer_to(page, lambda: (page.keyboard.type("extinguisher"), page.keyboard.press("End")))
        page.wait_for_function("() => document.querySelector('.md-search-result__meta').textContent === 'No matching documents'",
                               timeout=ANSWER_MS)


def result_types(page) -> list[str]:
    """The type each result page shows after its title (`Notice · 2024-06-03`)."""
    return page.locator(".md-search-result__item h1 small").evaluate_all(
        "els => els.map(e => e.textContent.split(' · ')[0])")


def opened_search(page, url: str, query: str):
    """The page at `url` with `query` typed in the search box, its answer shown. Each wait ends on what the
    search worker answered (search_ready, search_answered), not on a time, which a loaded machine overruns."""
    watch_search_answers(page)
    page.goto(url)
    search_ready(page)
    page.keyboard.press("/")
    page.wait_for_function("() => document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type(query)
    page.keyboard.press("End")
    search_answered(page, query)
    page.locator(".md-search-result__item").first.wait_for()


@pytest.mark.parametrize(("language", "query", "type_label", "unit_label"),
                         [("en", "safety", "Notice", "Unit"), ("zh", "安全", "通知", "单位")])
def test_filters_beside_the_box_narrow_the_results(page, served, language, query, type_label, unit_label):
    opened_search(page, served + PATHS[language], query)
    bar = page.locator(".sb-search-filters")
    assert bar.is_visible()
    assert bar.locator("label").first.locator("span").inner_text() == unit_label
    before = page.locator(".md-search-result__item").count()
    assert set(result_types(page)) - {type_label}, "the query should find more than notices"
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="type"]', "notice"))
    assert page.locator(".md-search-result__item").count() < before
    assert set(result_types(page)) == {type_label}
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="year"]', "2024"))
    dates = page.locator(".md-search-result__item h1 small").all_text_contents()
    assert all("2024-" in date for date in dates), dates
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="type"]', ""))
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="year"]', ""))
    assert page.locator(".md-search-result__item").count() == before


def test_a_unit_finds_its_own_directives_and_those_to_every_unit(page, served):
    opened_search(page, served + PATHS["en"], "safety")
    every = set(page.locator(".md-search-result__item .md-search-result__link:first-child").evaluate_all(
        "els => els.map(e => new URL(e.href).pathname)"))
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="unit"]', "all"))
    for_all = set(page.locator(".md-search-result__item .md-search-result__link:first-child").evaluate_all(
        "els => els.map(e => new URL(e.href).pathname)"))
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="unit"]', "finance"))
    for_finance = set(page.locator(".md-search-result__item .md-search-result__link:first-child").evaluate_all(
        "els => els.map(e => new URL(e.href).pathname)"))
    assert for_all and for_all < every
    assert for_all <= for_finance <= every  # its own and those to every unit


def test_the_keyboard_reaches_the_filters_without_closing_the_search(page, served):
    opened_search(page, served + PATHS["en"], "safety")
    page.keyboard.press("Tab")  # Material would close the search: the filters take the focus instead
    assert page.evaluate("document.activeElement.name") == "unit"
    assert page.evaluate("document.getElementById('__search').checked")
    page.keyboard.press("Tab")
    answer_to(page, lambda: page.keyboard.press("ArrowDown"))  # the type's first choice, not Material's next result
    assert page.evaluate("document.activeElement.name") == "type"
    assert page.evaluate("document.activeElement.value") == "minutes"
    assert set(result_types(page)) == {"Minutes"}
    assert page.evaluate("document.getElementById('__search').checked")
    page.keyboard.press("Escape")  # still Material's: closes the search
    page.wait_for_function("() => !document.getElementById('__search').checked")


MANY = """\
---
title: Inspection round {n}
date: 2025-03-{day:02d}
type: inspection
---
The round checked the MANYWORD extinguishers of site {n}.
"""


@pytest.fixture(scope="module")
def many_rounds(tmp_path_factory):
    """25 bulletins that each hold MANYWORD, built once and served for the two tests that page through them."""
    from helpers import PAGEFIND_YML, UNITS_YML, build, write_tree

    files = {"mkdocs.yml": PAGEFIND_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML}
    files.update({f"bulletins/2025/2025-03-{n:02d}-round.md": MANY.format(n=n, day=n) for n in range(1, 26)})
    root = write_tree(tmp_path_factory.mktemp("many") / "project", files)
    with nginx(tmp_path_factory.mktemp("nginx-many"), {"/safety/": build(root)}) as base:
        yield base


def test_more_results_than_listed_are_counted(page, many_rounds, request):
    """Material counts the results it is given, the best 20: the meta says how many there are."""
    request.node.origin = many_rounds
    opened_search(page, many_rounds + "/safety/", "MANYWORD")
    page.wait_for_function("() => document.querySelector('.md-search-result__meta').textContent.startsWith('25 ')")
    assert page.locator(".md-search-result__meta").inner_text() == (
        "25 bulletins found; the best 20 are listed: add a word or a filter to narrow them")
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="year"]', "2025"))  # all 25 still
    assert page.locator(".md-search-result__meta").inner_text().startswith("25 bulletins found")


# What the digest, the CSV and the calendars print of a directive: its id (whole, as typed in
# capitals or not, its start, a part of it), its owner, its bulletin's document number
CARD_TERMS = [
    ("XQST-2026-10-2", "XQST-2026-10-2"), ("xqst-2026-10-2", "XQST-2026-10-2"), ("XQST-2026-10", "XQST-2026-10-1"),
    ("2026-10-3", "XQST-2026-10-3"), ("马晓东", "XQST-2026-10-2"), ("Chen Gang", "CIG-2026-Q3-1"),
    ("CIG-2026-Q3-2", "CIG-2026-Q3-2"),
]


@pytest.mark.parametrize(("query", "anchor"), CARD_TERMS, ids=[query for query, _ in CARD_TERMS])
def test_an_id_or_an_owner_finds_the_directive_first(page, served, query, anchor):
    opened_search(page, served + PATHS["zh"], query)
    # the first page's first section is the card (typed a key at a time: earlier answers may come first)
    page.wait_for_function("anchor => { const links = document.querySelector('.md-search-result__item')"
                           ".querySelectorAll('.md-search-result__link');"
                           " return links.length > 1 && links[1].getAttribute('href').endsWith('#' + anchor); }", arg=anchor)
    first = page.locator(".md-search-result__item").first.locator(".md-search-result__link")
    assert first.nth(1).get_attribute("href").endswith(f"#{anchor}")
    first.nth(1).click()
    opened_at(page, anchor)


def test_a_document_number_finds_the_bulletin(page, served):
    opened_search(page, served + PATHS["en"], "新区商投安〔2026〕12号")
    # typed a key at a time: the answers to the first keys may come first
    page.wait_for_function("() => document.querySelector('.md-search-result__item h1 small')"
                           ".textContent.includes('新区商投安〔2026〕12号')")
    first = page.locator(".md-search-result__item").first
    assert unquote(urlsplit(first.locator(".md-search-result__link").first.get_attribute("href")).path).endswith(
        "bulletins/2026/2026-10-15-冬季消防安全专项检查通报/")
    assert "新区商投安〔2026〕12号" in first.locator("h1 small").inner_text()  # the result shows the number


def listed_cards(page) -> list[str]:
    """The anchors of the sections listed (folded ones too)."""
    return page.locator(".md-search-result__item .md-search-result__link").evaluate_all(
        "els => els.map(e => decodeURIComponent(new URL(e.href).hash.slice(1))).filter(Boolean)")


def directive_of(anchor: str, directives: dict) -> dict:
    """The directive of a card: its id, or a follow-up's anchor (sb-fu-<id>[-n])."""
    if anchor in directives:
        return directives[anchor]
    plain = anchor.removeprefix("sb-fu-")
    return directives.get(plain) or directives[plain.rpartition("-")[0]]


def test_a_filter_lists_only_the_directives_it_chose(page, served, sites):
    """Unit and status act at the directive: a bulletin with one card of the unit no longer lists
    the others, nor its sections that are no card."""
    directives = {d["id"]: d for d in json.loads((sites["en"] / "directives.json").read_text(encoding="utf-8"))["directives"]}
    opened_search(page, served + PATHS["en"], "safety")
    every = listed_cards(page)
    assert "CIG-2026-Q3-2" in every and "review-of-the-third-quarter" in every  # construction's; no card
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="unit"]', "logistics"))
    assert page.locator('.md-search-result__link[href$="#CIG-2026-Q3-2"]').count() == 0
    assert page.locator('.md-search-result__link[href$="#CIG-2026-Q3-3"]').count() > 0  # to every unit
    chosen = listed_cards(page)
    assert chosen and set(chosen) < set(every) and "review-of-the-third-quarter" not in chosen
    for anchor in chosen:
        directive = directive_of(anchor, directives)
        assert {"logistics", "all"} & set(directive["units"] + directive["support"]), anchor
    answer_to(page, lambda: page.select_option('.sb-search-filters select[name="status"]', "done"))
    for anchor in listed_cards(page):
        directive = directive_of(anchor, directives)
        assert directive["status"] == "done" and {"logistics", "all"} & set(directive["units"] + directive["support"])


def test_the_rest_of_the_results_by_keyboard(page, many_rounds, request):
    """Beyond the best 20: a button after the count lists 20 more, reached by Tab from the box
    through the filters, pressed with Enter; the count says how many are listed now, and with
    all listed the button goes and the focus returns to the box."""
    request.node.origin = many_rounds
    opened_search(page, many_rounds + "/safety/", "MANYWORD")
    more = page.locator(".sb-search-more")
    more.wait_for()
    assert more.inner_text() == "Show more results"
    from test_accessibility import described, severe_violations

    # the button among Material's results, by axe-core (this site has not the example's CSS,
    # which test_accessibility checks Material's results with: only the button is ours here)
    violations = [v for v in severe_violations(page) if any("sb-search-more" in str(n["target"]) for n in v["nodes"])]
    assert violations == [], "\n" + described(violations)
    assert page.locator(".md-search-result__meta").get_attribute("aria-live") == "polite"
    for _ in range(4):  # the box, the filters (type, year), the button: Material's Tab would close the search
        if page.evaluate("document.activeElement.classList.contains('sb-search-more')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('sb-search-more')")
    answer_to(page, lambda: page.keyboard.press("Enter"))
    assert page.locator(".md-search-result__meta").inner_text() == "25 matching documents"
    assert more.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    assert page.evaluate("document.getElementById('__search').checked")  # still searching
    for _ in range(10):  # Material lists ten, then four more each time the list is scrolled to its end
        if page.locator(".md-search-result__item").count() == 25:
            break
        for top in ("0", "wrap.scrollHeight"):
            page.evaluate(f"() => {{ const wrap = document.querySelector('.md-search__scrollwrap'); wrap.scrollTop = {top}; }}")
            page.wait_for_timeout(150)
    assert page.locator(".md-search-result__item").count() == 25
    titles = page.locator(".md-search-result__item h1").evaluate_all("els => els.map(e => e.firstChild.textContent.trim())")
    assert sorted(titles) == sorted(f"Inspection round {n}" for n in range(1, 26))
    page.keyboard.type("x")  # a new query lists the best 20 again
    page.keyboard.press("Backspace")
    page.wait_for_function("() => document.querySelector('.md-search-result__meta').textContent.startsWith('25 bulletins found')",
                           timeout=ANSWER_MS)
    assert more.is_visible()
