import datetime as dt
import json
import re

import pytest
from helpers import MEETING_MD, URLS

from safety_bulletins.outputs.export import directives_json
from safety_bulletins.outputs.markdown_ext import facts_placeholder
from safety_bulletins.outputs.sanitize import own_classes
from safety_bulletins.site_build.sitebuild import LISTING_PLACEHOLDER, LostPlaceholder, SiteBuild


def card(key: str, text: str = "x") -> str:
    """A card's heading as the card extension makes it."""
    return f'<h3 id="{key}" class="{own_classes("sb-directive__title")}">{text}</h3>'


def make(bulletins_dir):
    return SiteBuild.load(bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD}), dt.date(2026, 11, 28), urls=URLS)


def test_render_problems_catch_a_missing_card_and_a_block_left_as_text(bulletins_dir):
    build = make(bulletins_dir)
    src = "bulletins/2021/2021-05-25-meeting.md"
    good = card("CIG-2021-05-2") + card("2021-05-25-meeting-2") + "<pre><code>/// directive</code></pre>"
    assert build.render_problems(src, good) == []
    (missing,) = build.render_problems(src, card("CIG-2021-05-2"))
    assert (missing.line, missing.message) == (23, "directive '2021-05-25-meeting-2' did not render as a card")
    assert str(missing).startswith(f"{missing.path}:23: error: ")
    (as_text,) = build.render_problems(src, good + "<p>/// Directive | lost</p>")
    assert as_text.message.startswith("a '/// directive' block was shown as text")


def test_a_page_gets_a_card_only_for_its_own_directives_each_once(bulletins_dir):
    build = make(bulletins_dir)
    build.page_source("bulletins/2021/2021-05-25-meeting.md", "")
    assert build.card("directive", "CIG-2021-05-2").directive.id == "CIG-2021-05-2"
    assert build.card("directive", "CIG-2021-05-2") is None  # a second header with the same id is forged
    build.page_source("docs-page.md", "")
    assert build.card("directive", "2021-05-25-meeting-2") is None  # not this page's directive


def test_page_meta_escapes_titles_and_keeps_listings_out_of_search(bulletins_dir):
    build = make(bulletins_dir)
    assert build.page_meta("guide.md", {"title": "<b>Guide</b>"}) == {"title": "&lt;b&gt;Guide&lt;/b&gt;"}
    assert build.page_meta("units/index.md", {}) == {"title": "Units", "search": {"exclude": True}, "hide": ["navigation", "toc"]}
    assert build.page_meta("bulletins/2021/2021-05-25-meeting.md", {})["title"] == "Special meeting on production safety"


def test_every_published_directive_is_in_the_export(bulletins_dir):
    build = make(bulletins_dir)
    assert [d["id"] for d in json.loads(build.export_json())["directives"]] == ["CIG-2021-05-2", "2021-05-25-meeting-2"]
    assert build.summary() == "1 bulletins, 2 directives, 1 overdue as of 2026-11-28"


SCRIPT_TITLE = "</script><script>alert(1)</script> & more"


def test_the_export_writes_markup_characters_as_escapes_and_keeps_the_data(bulletins_dir):
    meeting = MEETING_MD.replace("Full-coverage investigation of hidden dangers", SCRIPT_TITLE)
    build = SiteBuild.load(bulletins_dir({"2021/2021-05-25-meeting.md": meeting}), dt.date(2026, 11, 28), urls=URLS)
    text = build.export_json()
    assert not {"<", ">", "&"} & set(text)
    assert '"title": "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 more"' in text
    data = json.loads(text)
    assert data == directives_json(build.catalog, urls=URLS)  # the same data once parsed
    assert data["directives"][0]["title"] == SCRIPT_TITLE


def test_page_output_fills_every_placeholder(bulletins_dir):
    build = make(bulletins_dir)
    src = "bulletins/2021/2021-05-25-meeting.md"
    page = f"<main>{facts_placeholder('CIG-2021-05-2')}|{facts_placeholder('2021-05-25-meeting-2')}</main>"
    first, second = build.page_output(src, page).removeprefix("<main>").removesuffix("</main>").split("|")
    assert first.startswith('<dl class="sb-facts">') and "2021-06-30" in first and "sb-facts:" not in first
    assert second.startswith('<dl class="sb-facts">') and "#2021-05-25-meeting-2" in second
    listing = build.page_output("directives/index.md", build.page_content("directives/index.md", ""))
    assert LISTING_PLACEHOLDER not in listing and listing.count('href="../bulletins/2021/2021-05-25-meeting/#') == 2


def test_a_lost_placeholder_is_an_error_not_a_card_without_facts(bulletins_dir):
    build = make(bulletins_dir)
    src = "bulletins/2021/2021-05-25-meeting.md"
    with pytest.raises(LostPlaceholder) as lost:
        build.page_output(src, f"<main>{facts_placeholder('CIG-2021-05-2')}</main>")  # the second card's is gone
    (message,) = str(lost.value).splitlines()
    assert re.fullmatch(r".*/2021-05-25-meeting\.md:23: the placeholder <!--sb-facts:2021-05-25-meeting-2--> of "
                        r"directive '2021-05-25-meeting-2' is missing, so its card would have no units, deadline or "
                        r"status: a plugin, .*\.event_priority below 100\)", message)
    with pytest.raises(LostPlaceholder, match=r"^directives/index\.md: the listing's placeholder .* is missing"):
        build.page_output("directives/index.md", '<h1>Register</h1><div class=sb-listing></div>')  # minified
    assert build.page_output("guide.md", "<p>no cards here</p>") == "<p>no cards here</p>"


def test_render_problems_catch_a_heading_renamed_for_a_card(bulletins_dir):
    build = make(bulletins_dir)
    src = "bulletins/2021/2021-05-25-meeting.md"
    cards = card("CIG-2021-05-2") + card("2021-05-25-meeting-2")
    assert build.render_problems(src, cards + '<h2 id="cig-2021-05-2">z</h2>') == []
    (renamed,) = build.render_problems(src, '<h2 id="CIG-2021-05-2_1">z</h2>' + cards)
    assert (renamed.line, renamed.message) == (12, "a heading on this page was given the anchor '#CIG-2021-05-2_1' "
                                                   "because directive 'CIG-2021-05-2' holds '#CIG-2021-05-2'")


def test_render_problems_count_only_our_cards_and_refuse_an_element_holding_a_cards_anchor(bulletins_dir):
    build = make(bulletins_dir)
    src = "bulletins/2021/2021-05-25-meeting.md"
    # an editor's heading dressed as a card ({#id .sb-directive__title}) is no card: the mark is the build's secret
    forged = '<h3 id="2021-05-25-meeting-2" class="sb-directive__title">forged</h3>'
    (missing,) = build.render_problems(src, card("CIG-2021-05-2") + forged)
    assert missing.message == "directive '2021-05-25-meeting-2' did not render as a card"
    taken = '<p id="CIG-2021-05-2">forged</p>' + card("CIG-2021-05-2") + card("2021-05-25-meeting-2")
    (problem,) = build.render_problems(src, taken)
    assert (problem.line, problem.message) == (12, "another element on this page has the anchor '#CIG-2021-05-2' of "
                                                   "directive 'CIG-2021-05-2'")
    as_text = '<p>write id="CIG-2021-05-2" <code>a id="CIG-2021-05-2"</code></p>'  # Markdown leaves quotes in text
    assert build.render_problems(src, as_text + card("CIG-2021-05-2") + card("2021-05-25-meeting-2")) == []


def test_page_content_keeps_the_cards_anchors_and_classes_and_renames_the_editors(bulletins_dir):
    build = make(bulletins_dir)
    src = "bulletins/2021/2021-05-25-meeting.md"
    content = build.page_content(src, '<h2 id="__config">c</h2><p class="sb-directive">p</p><a href="#__config">l</a>'
                                      + card("CIG-2021-05-2"))
    assert '<h2 id="id-__config">' in content and '<a href="#id-__config">' in content and "<p>p</p>" in content
    assert '<h3 id="CIG-2021-05-2" class="sb-directive__title">' in content and "sb-own-" not in content
