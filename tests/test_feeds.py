"""Atom feeds (outputs/feeds.py): read back with a real feed parser and with xml.etree,
stable across builds, escaped, and advertised in every page's head."""

from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from helpers import AS_OF, MEETING_MD, SITE_YML, UNITS_YML, build, mkdocs

from safety_bulletins.catalog import Catalog
from safety_bulletins.mkdocs_adapter import url_rule
from safety_bulletins.outputs import feeds as feeds_module
from safety_bulletins.outputs.feeds import FEED_ENTRIES, feeds, render, xml_text
from safety_bulletins.outputs.labels import CHINESE, ENGLISH
from safety_bulletins.sources.project import load_project

ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = "<script>alert(1)</script> & co"
SITE_URL = "http://intranet.test/safety/"


def bulletin(date: str, title: str, directives: str = "", issuer: str = "safety-env", kind: str = "minutes",
             extra: str = "") -> str:
    return (f"---\ntitle: '{title}'\ndate: {date}\ntype: {kind}\nissuer: {issuer}\n{extra}---\nText.\n\n"
            + directives)


def directive(did: str, title: str, units: str, deadline: str = "2026-12-31", support: str = "") -> str:
    support = f"    support: [{support}]\n" if support else ""
    return (f"/// directive | {title}\n    id: {did}\n    units: [{units}]\n{support}"
            f"    deadline: {deadline}\n\nDo it.\n///\n\n")


FOLLOW_UP = """\
/// follow-up | Extended
    directive: E-1
    status: in-progress
    deadline: 2027-01-31
    reason: Parts are late

Under way.
///
"""

FILES = {
    "2026/2026-01-10-energy.md": bulletin("2026-01-10", "Energy meeting", directive("E-1", "Fix the boiler", "energy")),
    "2026/2026-02-10-stations.md": bulletin("2026-02-10", "Stations meeting",
                                            directive("S-1", "Check the pumps", "filling-stations")),
    "2026/2026-03-10-property.md": bulletin("2026-03-10", "Property meeting",
                                            directive("P-1", "Clear the exits", "property", support="energy")),
    "2026/2026-04-10-evil.md": bulletin("2026-04-10", EVIL.replace("'", "''"),
                                        directive("X-1", EVIL, "property", deadline="ongoing"), kind="bulletin"),
    "2026/2026-05-10-follow-up.md": bulletin("2026-05-10", "Progress meeting", FOLLOW_UP),
    "2026/2026-06-10-draft.md": bulletin("2026-06-10", "Secret draft", directive("D-1", "Draft work", "energy"),
                                         extra="draft: true\n"),
}


def catalog_of(bulletins_dir, files=FILES, units=UNITS_YML) -> Catalog:
    folder = bulletins_dir(files, units)
    project = load_project(folder, dt.date.fromisoformat(AS_OF))
    assert not project.errors, project.errors
    return Catalog(project, dt.date.fromisoformat(AS_OF))


def by_path(made):
    return {f.src_uri: f for f in made}


def bulletin_title(title: str) -> str:
    """An entry's title less what a later follow-up changed ("Energy meeting — Fix the boiler: ...")."""
    return title.split(" — ")[0]


def titles(feed) -> list[str]:
    return [bulletin_title(e.title) for e in feed.entries]


# --- the data --------------------------------------------------------------------------------


def test_a_unit_feed_holds_its_own_its_sub_units_and_its_supported_bulletins_newest_first(bulletins_dir):
    made = by_path(feeds(catalog_of(bulletins_dir), ENGLISH, "Site", None, url_rule(True)))
    assert set(made) == {"feeds/all.xml", "feeds/types/minutes.xml", "feeds/types/bulletin.xml",
                         *(f"feeds/units/{u}.xml" for u in ("safety-env", "property", "energy", "filling-stations"))}
    # energy: its own (updated by the follow-up of 2026-05-10, so first), its sub-unit's, one it supports
    # and the bulletin that reports on its directive (a follow-up for its share: news to the unit too)
    assert titles(made["feeds/units/energy.xml"]) == ["Progress meeting", "Energy meeting", "Property meeting",
                                                      "Stations meeting"]
    assert titles(made["feeds/units/filling-stations.xml"]) == ["Stations meeting"]  # not its parent's
    assert titles(made["feeds/units/property.xml"]) == [EVIL, "Property meeting"]
    assert titles(made["feeds/units/safety-env.xml"]) == []
    # the whole site, by date of last update: the follow-up moved the energy meeting up, after its own bulletin
    assert titles(made["feeds/all.xml"]) == ["Progress meeting", "Energy meeting", EVIL, "Property meeting",
                                            "Stations meeting"]
    assert titles(made["feeds/types/bulletin.xml"]) == [EVIL]
    assert all("Secret draft" not in titles(f) and "Draft work" not in render(f) for f in made.values())


def test_an_entry_is_updated_by_its_latest_follow_up_and_shows_the_deadline_in_force(bulletins_dir):
    site_feed = by_path(feeds(catalog_of(bulletins_dir), ENGLISH, "Site", None, url_rule(True)))["feeds/all.xml"]
    energy = next(e for e in site_feed.entries if bulletin_title(e.title) == "Energy meeting")
    assert (energy.published, energy.updated) == ("2026-01-10T00:00:00Z", "2026-05-10T00:00:00Z")
    assert energy.summary == ("Fix the boiler: Energy Company; deadline 2027-01-31; In progress\n"
                              "  2026-05-10 status Open → In progress; "
                              "deadline extended from 2026-12-31 to 2027-01-31 (Parts are late)")
    assert energy.title == ("Energy meeting — Fix the boiler: status Open → In progress; "
                            "deadline extended from 2026-12-31 to 2027-01-31 (Parts are late)")
    assert site_feed.updated == "2026-05-10T00:00:00Z"  # the newest entry, never the clock
    prop = next(e for e in site_feed.entries if bulletin_title(e.title) == "Property meeting")
    assert prop.summary == ("Clear the exits: Property Management Company (supported by Energy Company); "
                            "deadline 2026-12-31; Open")
    assert prop.author == "Safety and Environmental Protection Department"
    progress = next(e for e in site_feed.entries if bulletin_title(e.title) == "Progress meeting")
    assert progress.summary == ("Follow-up of Fix the boiler: status Open → In progress; "
                                "deadline extended from 2026-12-31 to 2027-01-31 (Parts are late)")
    assert progress.title == "Progress meeting"  # the follow-up's own bulletin: its summary says what changed
    assert progress.updated == "2026-05-10T00:00:00Z"


def test_a_backdated_change_moves_its_entry_up_on_the_day_it_is_reported(bulletins_dir):
    """A follow-up dated before its bulletin (the 2026-05-10 minutes report the work done on 02-01):
    readers learn of it on 05-10. Its directive's entry is updated then and goes to the top, where a
    reader sees it; dated 02-01 it would sink below entries read long ago (and past FEED_ENTRIES)."""
    done = FOLLOW_UP.replace("    status: in-progress\n    deadline: 2027-01-31\n    reason: Parts are late\n",
                             "    status: done\n    date: 2026-02-01\n")
    files = {**FILES, "2026/2026-05-10-follow-up.md": bulletin("2026-05-10", "Progress meeting", done)}
    site_feed = by_path(feeds(catalog_of(bulletins_dir, files), ENGLISH, "Site", None, url_rule(True)))["feeds/all.xml"]
    assert titles(site_feed) == ["Progress meeting", "Energy meeting", EVIL, "Property meeting", "Stations meeting"]
    energy = site_feed.entries[1]
    assert (energy.published, energy.updated) == ("2026-01-10T00:00:00Z", "2026-05-10T00:00:00Z")
    assert energy.title == "Energy meeting — Fix the boiler: status Open → Done"
    assert energy.summary.split("\n")[1] == "  2026-02-01 status Open → Done"  # the history keeps the day of the work
    # a bulletin under embargo until 05-20 is news that day
    files["2026/2026-05-10-follow-up.md"] = bulletin("2026-05-10", "Progress meeting", done, extra="publish: 2026-05-20\n")
    site_feed = by_path(feeds(catalog_of(bulletins_dir, files), ENGLISH, "Site", None, url_rule(True)))["feeds/all.xml"]
    assert next(e for e in site_feed.entries if e.title.startswith("Energy meeting")).updated == "2026-05-20T00:00:00Z"


def test_an_empty_feed_is_dated_by_the_sites_newest_entry(bulletins_dir):
    made = by_path(feeds(catalog_of(bulletins_dir), ENGLISH, "Site", None, url_rule(True)))
    assert made["feeds/units/safety-env.xml"].updated == made["feeds/all.xml"].updated


def test_acceptance_alone_does_not_put_a_bulletin_in_a_units_feed(bulletins_dir):
    accept = FOLLOW_UP.replace("status: in-progress", "status: awaiting-acceptance\n    accepted_by: property")
    files = {k: v for k, v in FILES.items() if "follow-up" not in k}
    files["2026/2026-05-10-follow-up.md"] = bulletin("2026-05-10", "Progress meeting", accept)
    catalog = catalog_of(bulletins_dir, files)
    assert any(e.role == "acceptance" for e in catalog.for_unit("property"))  # the unit page lists it to accept
    made = by_path(feeds(catalog, ENGLISH, "Site", None, url_rule(True)))
    assert "Energy meeting" not in titles(made["feeds/units/property.xml"])


def test_ids_are_stable_urns_shared_by_every_feed_and_independent_of_the_address(bulletins_dir):
    catalog = catalog_of(bulletins_dir)
    relative = by_path(feeds(catalog, ENGLISH, "Site", None, url_rule(True)))
    absolute = by_path(feeds(catalog, ENGLISH, "Site", SITE_URL, url_rule(False)))
    ids = {bulletin_title(e.title): e.id for e in relative["feeds/all.xml"].entries}
    assert all(i.startswith("urn:uuid:") for i in ids.values()) and len(set(ids.values())) == len(ids)
    for made in (relative, absolute):
        for feed in made.values():
            assert all(ids[bulletin_title(e.title)] == e.id for e in feed.entries)
    assert [f.id for f in relative.values()] == [f.id for f in absolute.values()]
    assert len({f.id for f in relative.values()}) == len(relative)
    other_site = by_path(feeds(catalog, ENGLISH, "Another site", None, url_rule(True)))["feeds/all.xml"]
    assert not {e.id for e in other_site.entries} & set(ids.values())


def test_links_are_absolute_with_site_url_and_relative_to_the_feed_without(bulletins_dir):
    catalog = catalog_of(bulletins_dir)
    unit = by_path(feeds(catalog, ENGLISH, "Site", SITE_URL, url_rule(True)))["feeds/units/energy.xml"]
    assert unit.href == SITE_URL + "units/energy/" and unit.self_href == SITE_URL + "feeds/units/energy.xml"
    # (entries[0]: the progress meeting, which reports on the energy directive)
    assert unit.entries[1].href == SITE_URL + "bulletins/2026/2026-01-10-energy/"
    unit = by_path(feeds(catalog, ENGLISH, "Site", None, url_rule(False)))["feeds/units/energy.xml"]
    assert unit.href == "../../units/energy.html" and unit.self_href == ""
    assert unit.entries[1].href == "../../bulletins/2026/2026-01-10-energy.html"
    assert by_path(feeds(catalog, ENGLISH, "Site", None, url_rule(True)))["feeds/all.xml"].href == "../"


def test_entries_are_capped_and_summaries_list_a_bounded_number_of_directives(bulletins_dir):
    many = "".join(directive(f"M-{n}", f"Item {n}", "energy") for n in range(feeds_module.SUMMARY_LINES + 5))
    files = {f"2025/2025-{1 + n // 28:02d}-{1 + n % 28:02d}-b{n}.md":
             bulletin(f"2025-{1 + n // 28:02d}-{1 + n % 28:02d}", f"B{n}", many if n == 0 else "")
             for n in range(FEED_ENTRIES + 10)}
    made = by_path(feeds(catalog_of(bulletins_dir, files), ENGLISH, "Site", None, url_rule(True)))
    assert len(made["feeds/all.xml"].entries) == FEED_ENTRIES
    assert made["feeds/all.xml"].entries[0].title == f"B{FEED_ENTRIES + 9}"  # the newest
    assert made["feeds/units/energy.xml"].entries[0].summary.endswith("… and 5 more")


def test_chinese_labels_and_characters_xml_forbids(bulletins_dir):
    files = {"2026/2026-01-10-a.md": bulletin("2026-01-10", "Bad \x01 title", directive("C-1", "整改\x0b项", "energy"))}
    site_feed = by_path(feeds(catalog_of(bulletins_dir, files), CHINESE, "站点", None, url_rule(True)))["feeds/all.xml"]
    text = render(site_feed)
    ET.fromstring(text.encode("utf-8"))  # well-formed
    assert "Bad \ufffd title" in text and "\x01" not in text and "\x0b" not in text
    assert site_feed.entries[0].summary == "整改\ufffd项：能源公司；期限 2026年12月31日；未开始"  # the name the site shows
    assert site_feed.language == "zh" and 'xml:lang="zh"' in text
    assert xml_text("a\ud800b\ufffec\U0001f600") == "a\ufffdb\ufffdc\U0001f600"


def test_markup_in_every_text_is_escaped_and_read_back_as_text(bulletins_dir):
    units = UNITS_YML.replace("name: Property Management Company", f"name: '{EVIL}'")
    catalog = catalog_of(bulletins_dir, units=units)
    for feed in feeds(catalog, ENGLISH, EVIL, SITE_URL, url_rule(True)):
        text = render(feed)
        assert "<script" not in text, feed.src_uri
        root = ET.fromstring(text.encode("utf-8"))
        assert not root.findall(f".//{ATOM}script") and not root.findall(".//script")
        parsed = feedparser.parse(text)
        assert not parsed.bozo, (feed.src_uri, parsed.get("bozo_exception"))
        assert parsed.feed.author == EVIL
        if feed.src_uri == "feeds/units/property.xml":
            assert parsed.feed.title == f"{EVIL}: {EVIL}"
            evil = next(e for e in parsed.entries if e.title == EVIL)
            assert evil.title_detail.type == "text/plain"
            assert evil.summary == f"{EVIL}: {EVIL}; deadline No fixed deadline; In force"


# --- the built site ----------------------------------------------------------------------------


class HeadLinks(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.feeds: list[dict] = []
        self.anchors: list[dict] = []
        self._in_head = True  # until <body> or </head>: a minifier leaves out the optional tags
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self._in_head = False
        elif tag == "link" and self._in_head and attrs.get("type") == "application/atom+xml":
            assert attrs.get("rel") == "alternate"
            self.feeds.append(attrs)
        elif tag == "a" and attrs.get("type") == "application/atom+xml":
            self.anchors.append(attrs)

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False


def project_files():
    return dict(FILES)


def tree(site: Path, under: str = "") -> dict[str, bytes]:
    root = site / under
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_feed(site: Path, src: str):
    data = (site / src).read_bytes()
    ET.fromstring(data)  # well-formed XML
    parsed = feedparser.parse(data, response_headers={"content-location": SITE_URL + src,
                                                    "content-type": "application/atom+xml; charset=utf-8"})
    assert not parsed.bozo, (src, parsed.get("bozo_exception"))
    return parsed


def test_the_built_feeds_parse_and_are_the_same_bytes_in_two_builds(site_project):
    project = site_project(project_files())
    first, second = build(project, site="one"), build(project, site="two")
    assert tree(first, "feeds") == tree(second, "feeds")
    feed_files = [src for src in tree(first, "feeds") if not src.endswith("/sitemap.xml")]  # site.FEED_SITEMAPS
    assert len(feed_files) == 7
    for src in feed_files:
        parsed = read_feed(first, src)
        assert parsed.version == "atom10"
        assert parsed.feed.updated == max([e.updated for e in parsed.entries], default="2026-05-10T00:00:00Z")
        assert [e.updated for e in parsed.entries] == sorted((e.updated for e in parsed.entries), reverse=True)
        for entry in parsed.entries:  # absolute: the fixture site has a site_url
            assert entry.link.startswith(SITE_URL + "bulletins/2026/")
            assert (first / entry.link.removeprefix(SITE_URL) / "index.html").is_file(), entry.link
    energy = read_feed(first, "feeds/units/energy.xml")
    assert [bulletin_title(e.title) for e in energy.entries] == ["Progress meeting", "Energy meeting", "Property meeting",
                                                                 "Stations meeting"]
    assert energy.feed.link == SITE_URL + "units/energy/"


def test_pages_advertise_their_feeds_in_the_head_with_relative_links_and_link_to_them(site_project):
    site = build(site_project(project_files()))
    expected = {
        "index.html": ["feeds/all.xml"],
        "units/energy/index.html": ["../../feeds/all.xml", "../../feeds/units/energy.xml"],
        "archive/minutes/index.html": ["../../feeds/all.xml", "../../feeds/types/minutes.xml"],
        "bulletins/2026/2026-01-10-energy/index.html": ["../../../feeds/all.xml"],
        "directives/index.html": ["../feeds/all.xml"],
    }
    for page, hrefs in expected.items():
        links = HeadLinks((site / page).read_text(encoding="utf-8"))
        assert [link["href"] for link in links.feeds] == hrefs, page
        folder = (site / page).parent
        assert all((folder / href).resolve().is_file() for href in hrefs), page
    assert HeadLinks((site / "units/energy/index.html").read_text()).feeds[1]["title"] == "Test bulletins: Energy Company"
    visible = {"index.html": "feeds/all.xml", "units/energy/index.html": "../../feeds/units/energy.xml",
               "archive/minutes/index.html": "../../feeds/types/minutes.xml"}
    for page, href in visible.items():
        assert [a["href"] for a in HeadLinks((site / page).read_text(encoding="utf-8")).anchors] == [href], page


def test_a_unit_name_with_markup_is_escaped_in_the_head_link(site_project):
    units = UNITS_YML.replace("name: Energy Company", f"name: '{EVIL}'")
    site = build(site_project(project_files(), units=units))
    page = (site / "units/energy/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert HeadLinks(page).feeds[1]["title"] == f"Test bulletins: {EVIL}"
    assert read_feed(site, "feeds/units/energy.xml").feed.title == f"Test bulletins: {EVIL}"


def test_without_site_url_links_are_relative_and_resolve_against_the_feeds_address(site_project):
    project = site_project(project_files())
    config = project / "mkdocs.yml"
    config.write_text(SITE_YML.replace(f"site_url: {SITE_URL}\n", ""), encoding="utf-8")
    site = build(project)
    text = (site / "feeds/units/energy.xml").read_text(encoding="utf-8")
    assert 'href="../../bulletins/2026/2026-01-10-energy/"' in text and 'rel="self"' not in text
    parsed = read_feed(site, "feeds/units/energy.xml")  # read as if fetched from under a sub-path
    assert parsed.entries[1].link == SITE_URL + "bulletins/2026/2026-01-10-energy/"
    assert parsed.feed.link == SITE_URL + "units/energy/"


def test_a_dirty_build_after_a_follow_up_gives_the_feeds_of_a_full_build(site_project, tmp_path):
    files = {k: v for k, v in project_files().items() if "follow-up" not in k}
    project = site_project(files)
    assert mkdocs(project, "build", "--dirty").returncode == 0
    before = tree(project / "site", "feeds")
    assert "feeds/types/bulletin.xml" in before
    (project / "bulletins/2026/2026-05-10-follow-up.md").write_text(FILES["2026/2026-05-10-follow-up.md"])
    (project / "bulletins/2026/2026-04-10-evil.md").unlink()  # the only bulletin of its type: its feed goes
    result = mkdocs(project, "build", "--dirty")
    assert result.returncode == 0, result.stderr
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    full = build(fresh)
    assert tree(project / "site") == tree(full)
    assert tree(full, "feeds") != before and "feeds/types/bulletin.xml" not in tree(full, "feeds")
    assert "2027-01-31" in (full / "feeds/units/energy.xml").read_text(encoding="utf-8")


MINIFIERS = {
    "minify-html": "  - minify_html\n",
    "minify": "  - minify:\n      minify_html: true\n      htmlmin_opts: {remove_comments: true}\n",
}


@pytest.mark.parametrize("minifier", MINIFIERS)
def test_the_head_links_survive_a_minifier(site_project, minifier):
    project = site_project(project_files())
    (project / "mkdocs.yml").write_text(SITE_YML.replace("  - search\n", "  - search\n" + MINIFIERS[minifier]))
    site = build(project)
    page = (site / "units/energy/index.html").read_text(encoding="utf-8")
    assert "<!--" not in page  # it was minified
    assert [link["href"] for link in HeadLinks(page).feeds] == ["../../feeds/all.xml", "../../feeds/units/energy.xml"]
    read_feed(site, "feeds/units/energy.xml")


def test_entry_links_to_bulletins_named_with_spaces_and_chinese_resolve_behind_nginx(site_project, tmp_path):
    """File names the checks allow (spaces, Chinese, full-width brackets, '&', '+') give entry
    links that are plain URIs (Atom readers and HTTP clients that take no IRI fetch them as
    they are) and that nginx answers with the bulletin's page."""
    import urllib.request

    from helpers import nginx

    names = ["2026-02-01 安全 会议", "2026-02-02-（一）通知&检查+整改"]
    files = {**project_files(), **{f"2026/{name}.md": f"---\ntitle: Meeting {n}\ndate: 2026-02-0{n + 1}\n"
                                    f"type: notice\n---\nText.\n" for n, name in enumerate(names)}}
    site = build(site_project(files))
    parsed = read_feed(site, "feeds/all.xml")
    links = {e.title: e.link for e in parsed.entries}
    assert all(link.isascii() and " " not in link for link in links.values()), links
    (tmp_path / "nginx").mkdir()
    with nginx(tmp_path / "nginx", {"/safety/": site}) as base:
        for n in range(len(names)):
            link = links[f"Meeting {n}"]
            with urllib.request.urlopen(base + "/safety/" + link.removeprefix(SITE_URL), timeout=10) as response:
                assert f"Meeting {n}" in response.read().decode("utf-8"), link
