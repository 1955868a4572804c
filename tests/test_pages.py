import datetime as dt
import re

from helpers import MEETING_MD, URLS

from safety_bulletins.outputs import pages
from safety_bulletins.site_build.sitebuild import SiteBuild


def test_long_listings_are_cut_into_pages_most_urgent_first(bulletins_dir, monkeypatch):
    monkeypatch.setattr(pages, "ROWS_PER_PAGE", 1)
    notice = MEETING_MD.replace("CIG-2021-05-2", "N-1").replace("Special meeting", "Second meeting")
    root = bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": notice})
    build = SiteBuild.load(root, dt.date(2026, 11, 28), urls=URLS)
    register = [p for p in build.pages.values() if p.template == "register.html"]
    assert [p.src_uri for p in register] == [
        "directives/index.md", "directives/2.md", "directives/3.md", "directives/4.md"]
    assert [list(p.context["groups"]) for p in register] == [["overdue"], ["overdue"], ["ongoing"], ["ongoing"]]
    assert register[2].title == "Register of directives (3/4)"
    html = build.page_output("directives/3.md", build.page_content("directives/3.md", ""))
    pager = ('<nav class="sb-pager" aria-label="Pages">Pages:\n<a href="../../directives/">1</a>'
             '<a href="../../directives/2/">2</a><strong>3</strong><a href="../../directives/4/">4</a></nav>')
    assert html.count(pager) == 2  # above and below the rows
    assert re.findall(r'<td><a href="([^"]+)">', html) == [  # one row: the third most urgent, and its bulletin
        "../../bulletins/2021/2021-05-25-meeting/#2021-05-25-meeting-2", "../../bulletins/2021/2021-05-25-meeting/"]
    assert "\x00" not in html
    property_pages = [p.src_uri for p in build.pages.values() if p.src_uri.startswith("units/property")]
    assert property_pages == ["units/property.md", "units/property/2.md", "units/property/3.md", "units/property/4.md"]


def test_an_empty_listing_is_one_page(bulletins_dir):
    build = SiteBuild.load(bulletins_dir({}), dt.date(2026, 11, 28), urls=URLS)
    assert "No directives." in build.page_output("directives/index.md", build.page_content("directives/index.md", ""))


def test_listings_take_the_full_width_and_stay_out_of_search(bulletins_dir):
    build = SiteBuild.load(bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD}), dt.date(2026, 11, 28), urls=URLS)
    for src_uri in ("directives/index.md", "units/index.md", "units/property.md"):
        meta = build.page_meta(src_uri, {})
        assert meta["hide"] == ["navigation", "toc"] and meta["search"] == {"exclude": True}
    assert "hide" not in build.page_meta("bulletins/2021/2021-05-25-meeting.md", {})


def test_a_unit_with_nothing_overdue_links_to_no_missing_overdue_list(bulletins_dir):
    """已逾期 0 项 linked to #overdue, which a page without overdue directives does not have: every
    in-page link of every unit page goes to an element of that page."""
    notice = MEETING_MD.replace("deadline: 2021-06-30", "deadline: ongoing")  # no list that a date changes
    build = SiteBuild.load(bulletins_dir({"2021/2021-05-25-meeting.md": notice}), dt.date(2026, 11, 28), urls=URLS)
    unit_pages = [src for src in build.pages if src.startswith("units/") and src != "units/index.md"]
    assert unit_pages
    for src in unit_pages:
        html = build.page_output(src, build.page_content(src, ""))
        ids = set(re.findall(r'id="([^"]+)"', html))
        assert [t for t in re.findall(r'href="#([^"]+)"', html) if t not in ids] == [], src
