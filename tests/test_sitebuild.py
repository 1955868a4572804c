import datetime as dt

from helpers import MEETING_MD

from safety_bulletins.sitebuild import SiteBuild


def make(bulletins_dir):
    return SiteBuild.load(bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD}), dt.date(2026, 11, 28))


def test_render_problems_catch_a_missing_card_and_a_block_left_as_text(bulletins_dir):
    build = make(bulletins_dir)
    src = "bulletins/2021/2021-05-25-meeting.md"
    good = '<h3 id="CIG-2021-05-2">x</h3><h3 id="2021-05-25-meeting-2">y</h3><pre><code>/// directive</code></pre>'
    assert build.render_problems(src, good) == []
    (missing,) = build.render_problems(src, '<h3 id="CIG-2021-05-2">x</h3>')
    assert missing.endswith("2021-05-25-meeting.md:23: directive '2021-05-25-meeting-2' did not render as a card")
    (as_text,) = build.render_problems(src, good + "<p>/// Directive | lost</p>")
    assert "a '/// directive' block was shown as text" in as_text


def test_page_meta_escapes_titles_and_keeps_listings_out_of_search(bulletins_dir):
    build = make(bulletins_dir)
    assert build.page_meta("guide.md", {"title": "<b>Guide</b>"}) == {"title": "&lt;b&gt;Guide&lt;/b&gt;"}
    assert build.page_meta("units/index.md", {}) == {"title": "Units", "search": {"exclude": True}}
    assert build.page_meta("bulletins/2021/2021-05-25-meeting.md", {})["title"] == "Special meeting on production safety"


def test_every_published_directive_is_in_the_export(bulletins_dir):
    build = make(bulletins_dir)
    assert '"id": "2021-05-25-meeting-2"' in build.export_json()
    assert build.summary() == "1 bulletins, 2 directives, 1 overdue as of 2026-11-28"


def test_render_problems_catch_a_heading_renamed_for_a_card(bulletins_dir):
    build = make(bulletins_dir)
    src = "bulletins/2021/2021-05-25-meeting.md"
    cards = '<h3 id="CIG-2021-05-2">x</h3><h3 id="2021-05-25-meeting-2">y</h3>'
    assert build.render_problems(src, cards + '<h2 id="cig-2021-05-2">z</h2>') == []
    (renamed,) = build.render_problems(src, '<h2 id="CIG-2021-05-2_1">z</h2>' + cards)
    assert renamed.endswith("2021-05-25-meeting.md:12: a heading on this page was given the anchor "
                            "'#CIG-2021-05-2_1' because directive 'CIG-2021-05-2' holds '#CIG-2021-05-2': "
                            "reword the heading or give the directive another id")
