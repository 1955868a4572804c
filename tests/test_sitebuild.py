import datetime as dt
import json

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


def test_search_index_is_rewritten_as_utf8_without_changing_its_data(bulletins_dir):
    build = make(bulletins_dir)
    data = {"docs": [{"text": "应急预案 \\u4e2d \\\\ \" \n\t é 😀 \u200b <p>", "location": "a/#b"}], "config": {"separator": "[\\s\\u200b]+"}}
    escaped = json.dumps(data)  # how Material writes it: ASCII only
    compact = build.compact_search_index(escaped)
    assert json.loads(compact) == data
    assert "应急预案" in compact and "😀" in compact
    assert len(compact.encode("utf-8")) < len(escaped)
