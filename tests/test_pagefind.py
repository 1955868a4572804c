"""`extra: bulletins: search: pagefind`: Pagefind indexes the bulletin pages of a served build,
and Material's search box asks it through our worker (outputs/pagefind.py, assets/search.js)."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import shutil
import time
from pathlib import Path

import pytest
from helpers import (MATERIAL_SEARCH_YML, MEETING_MD, PAGEFIND_YML, SITE_YML, UNITS_YML, build, fill, mkdocs,
                     never_exits, processes_with, site_files, small_disk, write_tree)

from safety_bulletins.outputs import pagefind
from safety_bulletins.mkdocs_adapter import bulletin_settings
from safety_bulletins.site_build.settings import SettingsError

NOTICE_ZH = """\
---
title: 关于开展应急演练的通知
date: 2026-11-20
type: notice
issuer: safety-env
---
各单位要修订应急预案。

/// directive | 报送应急演练方案
    id: ZH-2026-1
    units: [energy]
    deadline: 2026-12-04

各单位报送演练方案。
///
"""

DRAFT = """\
---
title: Draft PFDRAFT3-TITLE
date: 2026-11-21
type: bulletin
draft: true
---
PFDRAFT3-TEXT

/// directive | PFDRAFT3-PLAN
    units: [energy]
    deadline: 2026-12-01
///
"""


def project(root: Path, config: str = PAGEFIND_YML) -> Path:
    return write_tree(root, {
        "mkdocs.yml": config, "docs/index.md": "# Home\n\nHOMEPAGE-WORD\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2021/2021-05-25-meeting.md": MEETING_MD, "bulletins/2026/2026-11-20-通知.md": NOTICE_ZH,
        "bulletins/2026/2026-11-21-draft.md": DRAFT,
    })


@pytest.fixture(scope="module")
def pagefind_site(tmp_path_factory) -> Path:
    return build(project(tmp_path_factory.mktemp("pagefind") / "project"))


def fragments(site: Path) -> list[dict]:
    return [json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])
            for p in sorted((site / "pagefind" / "fragment").iterdir())]


def test_the_setting():
    assert bulletin_settings(None).search == "pagefind"
    assert bulletin_settings({"bulletins": {"search": "material"}}).search == "material"
    with pytest.raises(SettingsError, match=r"search: Expected one of: \('material', 'pagefind'\) but received: 'lunr'"):
        bulletin_settings({"bulletins": {"search": "lunr"}})


def test_only_published_bulletins_are_indexed(pagefind_site):
    pages = fragments(pagefind_site)
    assert sorted(p["url"] for p in pages) == [
        "/bulletins/2021/2021-05-25-meeting/", "/bulletins/2026/2026-11-20-通知/"]
    text = "".join(p["content"] for p in pages).replace("\u200b", "")
    assert "Horizontal to the edge" in text and "各单位报送演练方案" in text
    # header, sign-off and card facts are not words of the page; listings and the home page are not pages
    for left_out in ("Presided by", "Ju Baoqing", "Deadline", "HOMEPAGE-WORD", "Register of directives"):
        assert left_out not in text, left_out
    assert not any("PFDRAFT3" in data.decode("utf-8", "replace") for data in site_files(pagefind_site).values())


def test_results_carry_title_date_type_and_the_directive_anchors(pagefind_site):
    page = next(p for p in fragments(pagefind_site) if p["url"].endswith("meeting/"))
    assert page["meta"] == {"title": "Special meeting on production safety", "date": "2021-05-25", "type": "Minutes",
                            "number": "CIG-Safety〔2021〕7号"}
    assert page["filters"] == {"type": ["minutes"], "year": ["2021"], "unit": ["all", "property", "safety-env"],
                               "status": ["open"], "card": ['["2021-05-25-meeting-2",["property"],"open"]',
                                                            '["CIG-2021-05-2",["all","safety-env"],"open"]']}
    anchors = [a["id"] for a in page["anchors"] if a["element"] == "h3"]
    assert anchors == ["CIG-2021-05-2", "2021-05-25-meeting-2"]
    zh = next(p for p in fragments(pagefind_site) if "通知" in p["url"])
    assert zh["meta"]["type"] == "通知"  # in the bulletin's language, as its page shows it
    # units as the register's filter has them: those of its directives, not its issuer (safety-env)
    assert zh["filters"] == {"type": ["notice"], "year": ["2026"], "unit": ["energy"], "status": ["open"],
                             "card": ['["ZH-2026-1",["energy"],"open"]']}
    assert "number" not in zh["meta"]  # no document number, no meta


def test_a_card_is_found_by_its_id_owner_and_document_number(pagefind_site):
    """What the digest, the CSV and the calendars print of a directive are words of its card
    (after its title, before its text: the card's section, which a result opens by its anchor),
    and the document number a word of the page before any card; taken from an attribute of an
    empty element, so the page shows nothing more."""
    page = next(p for p in fragments(pagefind_site) if p["url"].endswith("meeting/"))
    text = page["content"].replace("\u200b", "")
    card = text.index("Full-coverage investigation of hidden dangers")
    assert text.index("CIG-2021-05-2 Wang Jianmin", card) < text.index("Horizontal to the edge")
    assert "2021-05-25-meeting-2" in text  # an id the build gave: the CSV prints it too
    assert text.index("CIG-Safety〔2021〕7号") < text.index("The meeting was held")  # the page's own
    assert text.count("CIG-Safety〔2021〕7号") == 1  # not again on every card: it would fill their excerpts
    html = (pagefind_site / "bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
    terms = ('<span data-pagefind-index-attrs="data-sb-terms" '
             'data-sb-terms="CIG-2021-05-2 Wang Jianmin"></span><div data-pagefind-ignore>')
    assert html.count(terms) == 1
    assert html.index('id="CIG-2021-05-2"') < html.index(terms) < html.index("Horizontal to the edge")
    zh = next(p for p in fragments(pagefind_site) if "通知" in p["url"])
    assert "报送应急演练方案. ZH-2026-1. 各单位报送演练方案" in zh["content"].replace("\u200b", "")  # no owner, no number


def test_the_cards_filter_is_no_word_and_no_choice(pagefind_site):
    """Pagefind 1.5 searches the words of meta: the cards' units and statuses are a filter, never
    searched, never offered beside the box; each card's anchor is one of the page's."""
    for page in fragments(pagefind_site):
        anchors = {a["id"] for a in page["anchors"]}
        cards = [json.loads(value) for value in page["filters"]["card"]]
        assert {anchor for anchor, _, _ in cards} <= anchors
        assert '"open"' not in page["content"] and '["' not in page["content"]
    offered = json.loads((pagefind_site / "assets/safety-bulletins/search-filters.json").read_text(encoding="utf-8"))
    assert pagefind.CARD_FILTER not in {f["name"] for f in offered["filters"]}


def test_the_filters_beside_the_box_offer_what_the_index_holds(pagefind_site):
    """search-filters.json: every value some page has, named in the site's language, and
    nothing of the draft; each page loads the filters' script in its head."""
    offered = json.loads((pagefind_site / "assets/safety-bulletins/search-filters.json").read_text(encoding="utf-8"))
    by_name = {f["name"]: f for f in offered["filters"]}
    assert [f["name"] for f in offered["filters"]] == ["unit", "type", "year", "status"]
    assert by_name["unit"]["options"] == [["all", "All units"], ["safety-env", "Safety and Environmental Protection Department"],
                                          ["property", "Property Management Company"], ["energy", "Energy Company"]]
    assert by_name["type"]["options"] == [["minutes", "Minutes"], ["notice", "Notice"]]
    assert by_name["year"]["options"] == [["2026", "2026"], ["2021", "2021"]]
    assert by_name["status"]["options"] == [["open", "Open"]]
    values = {value for f in offered["filters"] for value, _ in f["options"]}
    indexed = {value for page in fragments(pagefind_site) for name, values in page["filters"].items()
               if name != pagefind.CARD_FILTER for value in values}  # the cards' filter: for the worker only
    assert indexed <= values
    assert "{total}" in offered["words"]["more"] and "{shown}" in offered["words"]["more"]
    html = (pagefind_site / "bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
    head = html[:html.index("</head>")]
    assert '<script src="../../../assets/safety-bulletins/search-filters.js"></script>' in head


def test_pages_ask_our_worker_and_material_indexes_nothing(pagefind_site):
    for path in ("index.html", "directives/index.html", "bulletins/2021/2021-05-25-meeting/index.html"):
        html = (pagefind_site / path).read_text(encoding="utf-8")
        root = "../" * path.count("/")
        assert f'"search": "{root}assets/safety-bulletins/search.js"' in html, path
        assert "assets/javascripts/workers/search." not in html
    assert (pagefind_site / "assets/safety-bulletins/search.js").is_file()
    assert not list((pagefind_site / "pagefind").glob("pagefind*-ui.*"))  # Pagefind's own boxes: never used
    assert json.loads((pagefind_site / "search/search_index.json").read_text(encoding="utf-8"))["docs"] == []


def test_same_pages_same_bytes(pagefind_site, tmp_path):
    again = build(project(tmp_path / "project"))
    first = {p.relative_to(pagefind_site): d for p, d in site_files(pagefind_site).items()}
    second = {p.relative_to(again): d for p, d in site_files(again).items()}
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []
    assert any(p.parts[:2] == ("pagefind", "filter") for p in first)


def test_filter_order_does_not_change_the_bytes(pagefind_site, tmp_path):
    """What Pagefind leaves to chance (the order of a filter's values) is put in order."""
    import shutil

    folders = []
    for seed in (1, 2):
        folder = tmp_path / f"copy{seed}"
        shutil.copytree(pagefind_site / "pagefind", folder)
        entry = json.loads((folder / "pagefind-entry.json").read_text())
        meta = pagefind._read_cbor(folder / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta")
        for _, hash_ in meta[3]:
            path = folder / "filter" / f"{hash_}.pf_filter"
            name, values = pagefind._read_cbor(path)
            random.Random(seed).shuffle(values)
            pagefind._write_cbor(path, pagefind._encode_cbor([name, values]))
        pagefind.canonicalize(folder)
        folders.append({p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()})
    assert folders[0] == folders[1]
    assert folders[0] == {p.relative_to(pagefind_site / "pagefind"): p.read_bytes()
                          for p in (pagefind_site / "pagefind").rglob("*") if p.is_file()}


def test_cbor_round_trip(pagefind_site):
    for path in (pagefind_site / "pagefind").rglob("*"):
        if path.suffix in (".pf_meta", ".pf_filter", ".pf_index"):
            data = gzip.decompress(path.read_bytes())
            assert pagefind._encode_cbor(pagefind._read_cbor(path)) == data, path


def test_pagefind_is_the_default(tmp_path):
    assert (build(project(tmp_path / "default", SITE_YML)) / "pagefind/pagefind.js").is_file()


def test_search_material_keeps_materials_search(tmp_path):
    site = build(project(tmp_path / "project", MATERIAL_SEARCH_YML))
    assert not (site / "pagefind").exists() and not (site / "assets/safety-bulletins/search.js").exists()
    page = (site / "bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
    assert "pagefind" not in page and "assets/javascripts/workers/search." in page
    assert json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]


def test_the_offline_copy_keeps_materials_search(tmp_path):
    config = PAGEFIND_YML.replace("plugins:\n  - search\n", "plugins:\n  - search\n  - offline\n")
    proj = project(tmp_path / "project", config)
    result = mkdocs(proj, "build")
    assert result.returncode == 0, result.stderr
    assert "the offline copy searches with Material's search" in result.stderr
    site = proj / "site"
    assert not (site / "pagefind").exists()
    assert "Horizontal to the edge" in (site / "search/search_index.js").read_text(encoding="utf-8")


def test_a_theme_without_materials_worker_fails_the_build():
    page = ('<html><head></head><body><div class="md-search" data-md-component="search"></div>'
            '<script id="__config">{"search": "x.js"}</script></body></html>')
    with pytest.raises(pagefind.PagefindError, match="no Material search worker"):
        pagefind.use_worker(page, "assets/safety-bulletins/search.js", "f.js")
    config = page.replace('"x.js"', '"../../assets/javascripts/workers/search.2c215733.min.js"')
    used = pagefind.use_worker(config, "w.js", "f.js")
    assert '{"search": "../../w.js"}' in used
    assert used.startswith('<html><head><script src="../../f.js"></script></head>')  # before Material's bundle
    assert pagefind.use_worker("<p>no search box</p>", "w.js", "f.js") == "<p>no search box</p>"


def test_the_404_page_searches_with_pagefind_from_the_servers_root():
    """404.html links from the server's root (site_url's path, or /): its worker is ours from there."""
    page = ('<html><head></head><body><div class="md-search" data-md-component="search"></div><script id="__config">'
            '{"search": "/safety/assets/javascripts/workers/search.2c215733.min.js"}</script></body></html>')
    used = pagefind.use_worker(page, "w.js", "f.js")
    assert '{"search": "/safety/w.js"}' in used and used.startswith('<html><head><script src="/safety/f.js"></script>')
    for hostile in ("//evil.example/", "/a b/", "/../", "/x/../"):
        with pytest.raises(pagefind.PagefindError, match="no Material search worker"):
            pagefind.use_worker(page.replace('"/safety/', f'"{hostile}'), "w.js", "f.js")


def test_a_bulletin_quoting_materials_configuration_cannot_choose_the_scripts(tmp_path):
    """Inline code in a bulletin keeps its quotes: the worker's path is read from Material's
    configuration only, and only a path up to the site's root is taken."""
    quoted = ('`"search": "https://evil.example/assets/javascripts/workers/search.1234abcd.min.js"` and '
              '`"search": "/x/assets/javascripts/workers/search.1234abcd.min.js"`')
    site = build(write_tree(tmp_path / "project", {
        "mkdocs.yml": PAGEFIND_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2021/2021-05-25-meeting.md": MEETING_MD.replace("The meeting was held.", quoted)}))
    page = (site / "bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
    assert "evil.example/assets/safety-bulletins" not in page and 'src="https://' not in page
    assert "evil.example/assets/javascripts/workers/search.1234abcd.min.js" in page  # the text, as written
    assert '<script src="../../../assets/safety-bulletins/search-filters.js"></script>' in page
    assert '"search": "../../../assets/safety-bulletins/search.js"' in page
    config = '<script id="__config">{"search": "https://e.x/assets/javascripts/workers/search.2c215733.min.js"}</script>'
    with pytest.raises(pagefind.PagefindError, match="no Material search worker"):
        pagefind.use_worker(f'<html><head></head><body><div class="md-search" data-md-component="search"></div>{config}',
                            "w.js", "f.js")


def test_a_run_leaves_no_staging_folder_whatever_happens(tmp_path, monkeypatch):
    site = build(project(tmp_path / "project"))
    before = sorted(p.name for p in site.iterdir())

    def broken(folder):
        raise pagefind.PagefindError("an index this version cannot read")

    monkeypatch.setattr(pagefind, "canonicalize", broken)
    with pytest.raises(pagefind.PagefindError, match="cannot read"):
        pagefind.index_site(site)
    assert sorted(p.name for p in site.iterdir()) == before  # the old index kept, no .pagefind-* left


def test_a_failing_pagefind_fails_the_build_saying_why(tmp_path, monkeypatch):
    monkeypatch.setattr(pagefind, "sys", type("sys", (), {"executable": "/bin/false"}))
    (tmp_path / "site").mkdir()
    with pytest.raises(pagefind.PagefindError, match=r"Pagefind failed on .* \(exit 1\).*pagefind\[extended\]"):
        pagefind.index_site(tmp_path / "site")


def test_dirty_builds_index_what_changed_and_leave_nothing_when_switched_off(tmp_path):
    proj = project(tmp_path / "project")
    site = proj / "site"
    assert mkdocs(proj, "build", "--dirty").returncode == 0
    meeting = proj / "bulletins/2021/2021-05-25-meeting.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("The meeting was held.", "DIRTYWORD was said."),
                       encoding="utf-8")
    result = mkdocs(proj, "build", "--dirty")
    assert result.returncode == 0 and "Pagefind indexed 2 pages" in result.stderr, result.stderr
    assert any("DIRTYWORD" in p["content"] for p in fragments(site))
    full_project = project(tmp_path / "full")
    (full_project / "bulletins/2021/2021-05-25-meeting.md").write_text(meeting.read_text(encoding="utf-8"), encoding="utf-8")
    full = build(full_project)  # a dirty build gives a full build's bytes, index included
    assert {p.relative_to(site): d for p, d in site_files(site).items()} == \
           {p.relative_to(full): d for p, d in site_files(full).items()}
    (proj / "mkdocs.yml").write_text(MATERIAL_SEARCH_YML, encoding="utf-8")
    assert mkdocs(proj, "build", "--dirty").returncode == 0
    assert not (site / "pagefind").exists() and not (site / "assets/safety-bulletins/search.js").exists()
    assert not list((site / "assets/safety-bulletins").glob("search-filters.*"))


def test_a_site_without_bulletins_builds(tmp_path):
    proj = write_tree(tmp_path / "project", {"mkdocs.yml": PAGEFIND_YML, "docs/index.md": "# Home\n",
                                             "bulletins/units.yml": UNITS_YML})
    result = mkdocs(proj, "build")
    assert result.returncode == 0, result.stderr
    assert "Pagefind indexed nothing (no bulletin has text to index" in result.stderr
    assert not (proj / "site/pagefind").exists()


def test_bulletins_without_text_build_with_no_index(tmp_path):
    """Pagefind refuses to write an index when no page has a word of text: titles and dates
    are in the header, which is not indexed. Found by the property test."""
    proj = write_tree(tmp_path / "project", {
        "mkdocs.yml": PAGEFIND_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2019/2019-01-01-b0.md": "---\ntitle: Title only\ndate: 2019-01-01\ntype: minutes\n---\n"})
    result = mkdocs(proj, "build")
    assert result.returncode == 0, result.stderr
    assert "Pagefind indexed nothing" in result.stderr
    assert not (proj / "site/pagefind").exists() and not list((proj / "site").glob(".pagefind*"))


def test_verify_reads_the_index(pagefind_site, tmp_path):
    """`bulletins verify` finds a hidden bulletin's title inside Pagefind's compressed fragments."""
    import datetime as dt
    import shutil

    from helpers import AS_OF
    from safety_bulletins.commands.verify import verify_site

    proj = pagefind_site.parent
    assert verify_site(proj, pagefind_site, dt.date.fromisoformat(AS_OF)) == []
    copy = tmp_path / "site"
    shutil.copytree(pagefind_site, copy)
    fragment = next((copy / "pagefind/fragment").iterdir())
    planted = '"content":"Draft \u200bPFDRAFT3-TITLE \u200b'.encode()  # as Pagefind writes words
    fragment.write_bytes(gzip.compress(gzip.decompress(fragment.read_bytes()).replace(b'"content":"', planted, 1)))
    [differs, hidden] = verify_site(proj, copy, dt.date.fromisoformat(AS_OF))
    assert differs.startswith(f"pagefind/fragment/{fragment.name}: byte ")
    assert hidden == f"pagefind/fragment/{fragment.name}: contains the title of '2026/2026-11-21-draft.md' (a draft)"


def test_readable_is_bounded(monkeypatch):
    monkeypatch.setattr(pagefind, "READABLE_LIMIT", 1000)
    bomb = gzip.compress(b"\0" * 10**6)
    assert len(pagefind.readable("pagefind/fragment/x.pf_fragment", bomb)) == 1000
    assert pagefind.readable("pagefind/fragment/x.pf_fragment", b"not gzip") == b"not gzip"
    assert pagefind.readable("index.html", gzip.compress(b"x")) == gzip.compress(b"x")


def test_a_pagefind_that_never_exits_is_stopped_with_what_it_started(tmp_path, monkeypatch):
    token = f"never-exits-{os.getpid()}-{time.monotonic_ns()}"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(never_exits(tmp_path / "pagefind", token)))
    (tmp_path / "site").mkdir()
    started = time.monotonic()
    with pytest.raises(pagefind.PagefindError, match=r"did not finish indexing .* within 1 s and was stopped"):
        pagefind.Run(tmp_path / "site", timeout=1)()
    assert time.monotonic() - started < 10
    assert processes_with(token) == []  # the program and its child, stopped together
    assert list((tmp_path / "site").iterdir()) == []  # no staging folder left


def test_pagefind_on_a_disk_out_of_inodes_is_stopped_in_time(pagefind_site, tmp_path):
    """The real Pagefind never exits when it cannot create its files: the run's time limit stops it."""
    with small_disk(tmp_path / "disk", "64m", 2000) as disk:
        site = disk / "site"
        shutil.copytree(pagefind_site, site)
        shutil.rmtree(site / "pagefind")
        fill(disk / "full", "inodes")
        for n in range(8):  # room for the staging folder and a few files, not for the index (with fewer it panics)
            (disk / "full" / str(n)).unlink()
        started = time.monotonic()
        with pytest.raises(pagefind.PagefindError, match="within 3 s and was stopped.*out of inodes"):
            pagefind.Run(site, timeout=3)()
        assert time.monotonic() - started < 15
        assert not any(p.name.startswith(".pagefind") for p in site.iterdir())


def test_pagefinds_time_limit_grows_with_the_pages(pagefind_site):
    pages = len(list(pagefind_site.glob(pagefind.PAGES)))
    assert pages >= 2 and pagefind.timeout_for(pagefind_site) == pagefind.TIMEOUT_FLOOR + pagefind.TIMEOUT_PER_PAGE * pages


def test_card_terms_are_an_escaped_attribute():
    """An owner is text from YAML: in the attribute it stays text, whatever it holds."""
    from types import SimpleNamespace

    directive = SimpleNamespace(id="CIG-1", owner='Wang "><script>alert(1)</script> & Co', owners=(), details={})
    assert pagefind.card_terms(directive) == (
        '<span data-pagefind-index-attrs="data-sb-terms" '
        'data-sb-terms="CIG-1 Wang &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"></span>')
    assert pagefind.card_terms(SimpleNamespace(id="CIG-2", owner="", owners=(), details={})).endswith(
        'data-sb-terms="CIG-2"></span>')
    # 责任人 per unit and the 责任领导 are found too (issue 21), escaped alike
    per_unit = SimpleNamespace(id="CIG-3", owner="", owners=(("property", "王磊"), ("energy", '李"强')),
                               details={"leader": "张辉"})
    assert pagefind.card_terms(per_unit).endswith('data-sb-terms="CIG-3 王磊 李&quot;强 张辉"></span>')
