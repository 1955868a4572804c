"""Real `mkdocs build` runs of a small fixture site: pages, export, drafts, escaping, errors."""

import base64
import datetime as dt
import hashlib
import html
import json
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import AS_OF, MATERIAL_SEARCH_YML, MEETING_MD, SITE_YML, UNITS_YML, build, mkdocs, write_tree

from safety_bulletins.outputs.markdown_ext import page_markdown
from safety_bulletins.sources.project import load_project

NOTICE_MD = """\
---
title: Notice on the winter safety meeting
date: 2026-11-20
type: notice
issuer: 安全环保部
meeting: {start: "2026-12-08 09:30", place: Conference Room 3, attendees: [Heads of all units]}
attachments: [forms/checklist.csv]
---
Bring the [checklist](forms/checklist.csv).

/// directive | Submit the self-inspection report
    id: N-1
    units: [property, energy]
    deadline: +10d

Each unit submits its report.
///

/// directive | Fix the overdue item
    id: N-2
    units: energy
    support: property
    deadline: 2026-11-27
    status: in-progress

Overdue by a day.
///
"""

DRAFT_MD = """\
---
title: Secret draft notice
date: 2026-11-27
type: notice
draft: true
attachments: [draft-only.pdf]
---
/// directive
    id: DRAFT-SECRET-1
    units: all
    deadline: 2026-12-28

Draft text nobody may see.
///
"""

EVIL = "<script>alert(1)</script>"
EVIL_MD = f"""\
---
title: "Lessons {EVIL} & <b>bold</b>"
date: 2022-01-18
type: bulletin
number: "No. <i>7</i>"
presided_by: "<img src=x onerror=alert(2)>"
summary: "{EVIL}"
---
Raw HTML in the text: {EVIL} and <Safety Law> stay text.

/// directive | Title {EVIL}
    id: EVIL-1
    units: [evil]
    owner: "<u>owner</u>"
    deadline: ongoing

Text {EVIL}
///
"""

TRICKY_MD = """\
---
title: Tricky but valid
date: 2023-03-01
type: minutes
---
Time: 09:00
Place: Room 3

Body [click](javascript:alert(3)) and ![the site](photos/site%201.png).

/// directive | Call **now** [x](javascript:alert(4))
    id: attachments
    units: all
    deadline: 2023-04-01
    status: done

Done.
///
"""

EVIL_UNITS = UNITS_YML + f'- id: evil\n  name: "Evil {EVIL} unit"\n  aliases: ["<em>alias</em>"]\n'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = write_tree(tmp_path_factory.mktemp("site"), {
        "mkdocs.yml": SITE_YML,
        "docs/index.md": "# Home\n\nWelcome.\n",
        "bulletins/units.yml": EVIL_UNITS,
        "bulletins/2021/2021-05-25-meeting.md": MEETING_MD,
        "bulletins/2026/2026-11-20-notice.md": NOTICE_MD,
        "bulletins/2026/forms/checklist.csv": "item,done\nextinguishers,no\n",
        "bulletins/2026/2026-11-27-draft.md": DRAFT_MD,
        "bulletins/2026/draft-only.pdf": b"%PDF-1.4 draft",
        "bulletins/2022/2022-01-18-evil.md": EVIL_MD,
        "bulletins/2023/2023-03-01-tricky.md": TRICKY_MD,
        "bulletins/2023/photos/site 1.png": b"\x89PNG\r\n\x1a\n",
    })
    return build(project)


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def all_text(site: Path):
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".csv"):
            yield path, path.read_text(encoding="utf-8")


def test_every_page_is_generated(site):
    for path in [
        "index.html", "units/index.html", "units/property/index.html", "units/filling-stations/index.html",
        "directives/index.html", "archive/index.html", "archive/2021/index.html", "archive/2026/index.html",
        "bulletins/2021/2021-05-25-meeting/index.html", "bulletins/2026/2026-11-20-notice/index.html",
        "bulletins/2026/forms/checklist.csv", "directives.json",
    ]:
        assert (site / path).is_file(), path


def test_bulletin_page_has_metadata_and_a_card_per_directive(site):
    page = read(site, "bulletins/2021/2021-05-25-meeting/index.html")
    assert "<title>Special meeting on production safety - Test bulletins</title>" in page
    for fact in ("CIG-Safety〔2021〕7号", "Ju Baoqing", "Lian Feipeng, Wang Jianmin", "2021-05-25", "Minutes"):
        assert fact in page
    assert page.count('class="sb-directive ') == 2
    card = page[page.index('id="CIG-2021-05-2"'):]
    card = card[: card.index('<div class="sb-directive ')] if '<div class="sb-directive ' in card else card
    for fact in ("Full-coverage investigation of hidden dangers", "All units", "Wang Jianmin", "2021-06-30",
                 "Overdue", "Major hidden danger", "Horizontal to the edge"):
        assert fact in card, fact
    assert 'id="2021-05-25-meeting-2"' in page and "Keep the emergency plans current." in page


def test_attachments_are_published_and_listed(site):
    page = read(site, "bulletins/2026/2026-11-20-notice/index.html")
    assert 'href="../forms/checklist.csv"' in page  # the link in the text, as MkDocs writes it
    assert 'href="../../../bulletins/2026/forms/checklist.csv"' in page  # the list of attachments
    assert read(site, "bulletins/2026/forms/checklist.csv").startswith("item,done")


def test_unit_page_groups_by_bucket_with_all_and_support(site):
    page = read(site, "units/property/index.html")
    sections = re.findall(r'<section class="sb-bucket" data-sb-bucket="([a-z-]+)"( hidden)?>', page)
    # the buckets that change with the date are all there, empty ones hidden, for the page's script
    assert sections == [("overdue", ""), ("due-soon", ""), ("upcoming", " hidden"), ("later", " hidden"),
                        ("ongoing", ""), ("support", ""), ("closed", "")]
    overdue = page[page.index('id="overdue"'):page.index('id="due-soon"')]
    assert "Full-coverage investigation" in overdue  # addressed to all units
    # N-2, which it only supports (配合), is never under its Overdue: in a section of its own (issue 21)
    supported = page[page.index('data-sb-bucket="support"'):page.index('data-sb-bucket="closed"')]
    assert "Fix the overdue item" in supported and "Supporting unit" in supported
    assert "Fix the overdue item" not in overdue and "Supporting unit" not in overdue
    assert "../../bulletins/2026/2026-11-20-notice/#N-1" in page
    assert f"Figures as of <time datetime=\"{AS_OF}\">" in page


def test_units_index_counts_open_and_overdue(site):
    page = read(site, "units/index.html")
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r'<tr class="sb-counts"[^>]*>.*?</tr>', page, re.S)]
    text = [[re.sub(r"<[^>]*>", " ", cell).split() for cell in row[:5]] for row in rows]
    assert [[" ".join(cell) for cell in row] for row in text] == [
        # unit (aliases), open, overdue, due within 7 days, awaiting acceptance, each with its roll-up (Σ) for a
        # unit with sub-units; CIG-2021-05-2 is to all units
        ["Safety and Environmental Protection Department 安全环保部", "1", "1", "0", "0"],  # CIG (support)
        # CIG, meeting-2, N-1; N-2 it only supports: counted apart, not against it (issue 12)
        ["Property Management Company 物业公司", "3 +1 supported", "1", "1", "0"],
        ["Energy Company 能源公司", "3 Σ 3", "2 Σ 2", "1 Σ 1", "0 Σ 0"],  # CIG, N-1 (due soon), N-2 (overdue)
        ["└ Filling Stations (Part of Energy Company)", "1", "1", "0", "0"],  # CIG; indented under Energy
        ["Evil &lt;script&gt;alert(1)&lt;/script&gt; unit &lt;em&gt;alias&lt;/em&gt;", "2", "1", "0", "0"],
    ]
    assert 'data-sb-deadlines=\'{"2026-11-30": 1}\'' in page  # Energy's N-1, for the script to recount


def test_register_lists_every_directive_by_bucket(site):
    page = read(site, "directives/index.html")
    for directive_id in ("CIG-2021-05-2", "2021-05-25-meeting-2", "N-1", "N-2", "EVIL-1"):
        assert f"#{directive_id}\"" in page
    assert re.findall(r'<h2 id="([a-z-]+)"', page) == ["overdue", "due-soon", "upcoming", "later", "ongoing", "closed"]


def test_home_shows_counts_meetings_and_latest(site):
    page = read(site, "index.html")
    assert "Welcome." in page
    assert '>Overdue: <span data-sb-count="overdue">2</span></a>' in page
    assert "2026-12-08 09:30" in page and "Conference Room 3" in page
    assert page.index("Notice on the winter safety meeting") < page.index("Special meeting on production safety")


def test_archive_by_year_and_type(site):
    index = read(site, "archive/index.html")
    assert 'href="../archive/2026/"' in index and 'href="../archive/2021/#minutes"' in index
    year = read(site, "archive/2026/index.html")
    assert 'id="notice"' in year and "Notice on the winter safety meeting" in year


def test_export(site):
    data = json.loads(read(site, "directives.json"))
    assert data["as_of"] == AS_OF
    by_id = {d["id"]: d for d in data["directives"]}
    assert sorted(by_id) == ["2021-05-25-meeting-2", "CIG-2021-05-2", "EVIL-1", "N-1", "N-2", "attachments"]
    n1 = by_id["N-1"]
    assert n1 == {
        "id": "N-1", "title": "Submit the self-inspection report", "text": "Each unit submits its report.",
        "units": ["property", "energy"], "support": [], "owner": None, "deadline": "2026-11-30",
        "deadline_written": None,  # written as a date: no other words
        "lead": None, "accepting_unit": None, "supervisor": None, "owners": {}, "leader": None,  # roles (issue 21)
        "escalation": None, "accepted_on": None, "closed_off_on": None,
        "original_deadline": "2026-11-30", "status": "open", "bucket": "due-soon", "days_overdue": 0,
        "closed_on": None, "on_time": None, "escalated": False, "accepted_by": None, "grade": None,
        "measures": None, "funds": None, "contingency": None, "history": [], "shares": [], "progress": None,
        "recurrence": None, "until": None, "next_deadline": None, "missed_periods": [],
        "stages": [], "starts": None,
        "url": "bulletins/2026/2026-11-20-notice/#N-1",
        "bulletin": {"title": "Notice on the winter safety meeting", "date": "2026-11-20", "type": "notice",
                     "url": "bulletins/2026/2026-11-20-notice/"},
    }
    assert by_id["CIG-2021-05-2"]["units"] == ["all"] and by_id["N-2"]["bucket"] == "overdue"
    assert by_id["2021-05-25-meeting-2"]["deadline"] is None and by_id["2021-05-25-meeting-2"]["bucket"] == "ongoing"


def test_drafts_appear_nowhere(site):
    assert not (site / "bulletins/2026/2026-11-27-draft").exists()
    assert not (site / "bulletins/2026/draft-only.pdf").exists()
    for path, text in all_text(site):
        for secret in ("Secret draft notice", "DRAFT-SECRET-1", "Draft text nobody may see", "2026-11-27-draft"):
            assert secret not in text, (path, secret)


def test_sitemap_lists_published_pages_only(site):
    sitemap = read(site, "sitemap.xml")
    assert "<loc>http://intranet.test/safety/bulletins/2026/2026-11-20-notice/</loc>" in sitemap
    assert f"<lastmod>{AS_OF}</lastmod>" in sitemap
    assert "draft" not in sitemap


def test_markup_from_sources_never_becomes_markup(site):
    for path, text in all_text(site):  # directives.json too: it writes <, > and & as \u escapes
        if path.suffix == ".csv":  # data for spreadsheets (directives.csv, directives-by-unit.csv), served as text/csv: values as written
            continue
        for markup in (EVIL, "<b>bold</b>", "<i>7</i>", "<img src=x", "<u>owner</u>", "<em>alias</em>", "<Safety Law>"):
            assert markup not in text, (path, markup)
    page = read(site, "bulletins/2022/2022-01-18-evil/index.html")
    assert "<title>Lessons &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; - Test bulletins</title>" in page
    assert "&lt;Safety Law&gt;" in page
    export = json.loads(read(site, "directives.json"))
    assert {d["id"]: d["title"] for d in export["directives"]}["EVIL-1"] == f"Title {EVIL}"
    unit = read(site, "units/evil/index.html")
    assert "<h1>Evil &lt;script&gt;alert(1)&lt;/script&gt; unit</h1>" in unit


def test_text_that_looks_like_metadata_links_or_markup_stays_text(site):
    page = read(site, "bulletins/2023/2023-03-01-tricky/index.html")
    assert "<p>Time: 09:00\nPlace: Room 3</p>" in page  # not taken as page metadata
    assert not re.search(r"(href|src)=\"javascript:", page) and "<a>click</a>" in page
    assert "Call **now** [x](javascript:alert(4))</a>" not in page
    assert 'id="attachments">Call **now** [x](javascript:alert(4))' in page
    assert page.count('id="attachments"') == 1  # the attachments heading has its own anchor
    assert 'src="../photos/site%201.png"' in page and (site / "bulletins/2023/photos/site 1.png").is_file()


def test_links_are_relative(site):
    for path, text in all_text(site):
        # MkDocs writes 404.html with root-relative links: only a server's error page uses it
        if path.suffix == ".html" and path.name != "404.html":
            assert not re.search(r'href="/(?!/)', text), path


def test_same_sources_and_date_give_the_same_bytes(site, tmp_path):
    again = build(site.parent, site="site-again")
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_a_bad_bulletin_fails_the_build_with_file_and_line(site_project):
    broken = MEETING_MD.replace("deadline: 2021-06-30", "deadline: 2021-06-31")
    project = site_project({
        "2021/2021-05-25-meeting.md": broken,
        "2021/other.md": MEETING_MD.replace("minutes", "minute").replace("CIG-2021-05-2", "X-1"),
        "2021/yaml.md": "---\ntitle: [unclosed\n---\n",
        "2021/unclosed.md": MEETING_MD.replace("CIG-2021-05-2", "X-2").rsplit("///", 1)[0],
    })
    result = mkdocs(project, "build")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "2021-05-25-meeting.md:17: error: 'deadline'" in result.stderr
    assert "other.md:4: error: 'type' is 'minute'" in result.stderr
    assert "yaml.md:3: error: malformed YAML in the front matter" in result.stderr
    assert "unclosed.md:23: error: the directive block opened here with '/// directive' is never closed" in result.stderr
    assert not (project / "site" / "index.html").exists()


def test_chinese_interface(tmp_path):
    project = write_tree(tmp_path, {
        "mkdocs.yml": SITE_YML.replace("  font: false", "  font: false\n  language: zh"),
        "docs/index.md": "# 首页\n",
        "bulletins/units.yml": UNITS_YML,
        "bulletins/2021/2021-05-25-meeting.md": MEETING_MD,
        "bulletins/2021/2021-05-26-会议.md": MEETING_MD.replace("Special meeting on production safety", "安全生产专题会议")
                                                     .replace("CIG-2021-05-2", "ZH-1"),
    })
    site = build(project)
    unit = read(site, "units/property/index.html")
    assert '<html lang="zh"' in unit
    for words in ("统计截至", "已逾期", "责任单位", "各单位", "长期"):
        assert words in unit, words
    chinese = read(site, "bulletins/2021/2021-05-26-会议/index.html")
    assert "主持人" in chinese and "2021年5月25日" in chinese
    english = read(site, "bulletins/2021/2021-05-25-meeting/index.html")  # a bulletin speaks its own language
    assert "Presided by" in english and "25 May 2021" in english and "主持人" not in english
    assert "<title>议定事项台账" in read(site, "directives/index.html")


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": "2026-03-01T10:00:00+08:00",
                        "GIT_COMMITTER_DATE": "2026-03-01T10:00:00+08:00"})


def test_bulletin_pages_show_their_git_history_and_a_shallow_clone_still_builds(site_project, tmp_path):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    git(project, "init", "-q")
    git(project, "-c", "user.name=E", "-c", "user.email=e@x", "add", ".")
    git(project, "-c", "user.name=E", "-c", "user.email=e@x", "commit", "-qm", "first")
    (project / "bulletins/2021/2021-05-25-meeting.md").write_text(MEETING_MD.replace("held.", "held in Hall 2."))
    git(project, "-c", "user.name=E", "-c", "user.email=e@x", "commit", "-qam", "second")
    page = read(build(project), "bulletins/2021/2021-05-25-meeting/index.html")
    assert '<time datetime="2026-03-01T10:00:00+08:00">2026-03-01</time> (changed 2 times)' in page

    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", project.as_uri(), str(shallow))
    result = mkdocs(shallow, "build")
    assert result.returncode == 0, result.stderr
    assert "WARNING" in result.stderr and "history is shallow" in result.stderr
    assert "(changed at least once)" in read(shallow / "site", "bulletins/2021/2021-05-25-meeting/index.html")


def test_directives_are_search_sections_without_their_facts(tmp_path):
    """With Material's search (the offline copy's): Pagefind's index is tested in test_pagefind.py."""
    site = build(write_tree(tmp_path, {"mkdocs.yml": MATERIAL_SEARCH_YML, "docs/index.md": "# Home\n",
                                       "bulletins/units.yml": UNITS_YML,
                                       "bulletins/2021/2021-05-25-meeting.md": MEETING_MD}))
    docs = json.loads(read(site, "search/search_index.json"))["docs"]
    section = next(d for d in docs if d["location"] == "bulletins/2021/2021-05-25-meeting/#CIG-2021-05-2")
    assert section["title"] == "Full-coverage investigation of hidden dangers"
    assert "Horizontal to the edge" in section["text"]
    for fact in ("Major hidden danger", "2021-06-30", "Overdue", "All units"):  # on the card, not in search
        assert fact not in section["text"], fact
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    assert not [p for p in pages if "sb-facts:" in p]  # every card's facts were put in


class PageText(HTMLParser):
    """What a reader sees of a page (script and style left out, spaces removed, since minifiers
    change them), its links, and the text of every card's facts by directive id."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.text, self.links, self.facts, self._skip, self._card, self._meta_depth = [], [], {}, 0, None, 0
        # <title> holds text only (minifiers may write its `&lt;` as `<`): read apart from the tags
        title = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
        self.title = html.unescape(title[1]) if title else None
        self.feed(page[:title.start()] + page[title.end():] if title else page)
        self.close()
        self.text = "".join(self.text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        self._skip += tag in ("script", "style")
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if "sb-directive__title" in classes:
            self._card = attrs["id"]
        if tag == "div" and self._meta_depth:
            self._meta_depth += 1
        elif "sb-directive__meta" in classes:
            self._meta_depth = 1
            self.facts[self._card] = ""

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0
        if tag == "div" and self._meta_depth:
            self._meta_depth -= 1

    def handle_data(self, data):
        if not self._skip:
            text = re.sub(r"\s+", "", data)
            self.text.append(text)
            if self._meta_depth:
                self.facts[self._card] += text


class ScriptsOf(HTMLParser):
    """The SHA-256 of each inline script of a page that the browser runs, as a CSP names them."""

    CDATA_CONTENT_ELEMENTS = ("script", "style", "title", "textarea")  # text to their end tag, as in a browser

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.hashes, self._text = set(), None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and (attrs.get("type") or "text/javascript") == "text/javascript":
            self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._text is not None:
            digest = hashlib.sha256("".join(self._text).encode()).digest()
            self.hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
            self._text = None


def allowed_scripts(page: str) -> set[str]:
    """The inline scripts the page's Content-Security-Policy allows, by hash."""
    policies = re.findall(r'<meta http-equiv="?Content-Security-Policy"? content="([^"]*)"', page)
    assert len(policies) == 1, policies
    sources = next(d for d in policies[0].split("; ") if d.startswith("script-src ")).split()[1:]
    assert sources[:2] == ["'self'", "'wasm-unsafe-eval'"] and "'unsafe-inline'" not in sources
    return set(sources[2:])


MINIFIERS = {
    "minify-html": "  - minify_html\n",  # removes comments unless told otherwise (keep_comments: false)
    "minify": "  - minify:\n      minify_html: true\n      htmlmin_opts: {remove_comments: true}\n",
}


@pytest.mark.parametrize("minifier", MINIFIERS)
def test_a_comment_stripping_minifier_keeps_every_cards_facts_and_every_listing(site, minifier):
    """The hook fills its placeholders (HTML comments, an empty div) before any plugin's on_post_page."""
    project = site.parent
    config = project / f"mkdocs-{minifier}.yml"
    config.write_text(SITE_YML.replace("  - search\n", "  - search\n" + MINIFIERS[minifier]), encoding="utf-8")
    result = mkdocs(project, "build", "-f", config.name, "--site-dir", f"site-{minifier}")
    assert result.returncode == 0, result.stderr
    minified = project / f"site-{minifier}"
    pages = sorted(p.relative_to(site) for p in site.rglob("*.html"))
    assert pages == sorted(p.relative_to(minified) for p in minified.rglob("*.html"))
    cards, rewritten = 0, 0
    for path in pages:
        plain, small = read(site, path), read(minified, path)
        assert "<!--" not in small and len(small) < len(plain), f"{path} was not minified"
        assert allowed_scripts(small) == ScriptsOf(small).hashes, path  # of the final bytes: the browser runs them
        assert allowed_scripts(plain) == ScriptsOf(plain).hashes, path  # (read once, when no plugin changed the page)
        rewritten += allowed_scripts(small) != allowed_scripts(plain)
        assert "sb-facts:" not in small and "sb-listing" not in small, path
        seen, expected = PageText(small), PageText(plain)
        assert (seen.title, seen.text) == (expected.title, expected.text), path  # spaces aside
        assert seen.facts == expected.facts and seen.links == expected.links, path
        assert all(expected.facts.values()), path
        cards += len(seen.facts)
    assert cards == 6  # every published directive's card
    assert rewritten == len(pages) or minifier == "minify"  # mkdocs-minify-plugin leaves inline scripts as they are
    register = PageText(read(minified, "directives/index.html")).links
    for directive_id in ("CIG-2021-05-2", "2021-05-25-meeting-2", "N-1", "N-2", "EVIL-1", "attachments"):
        assert sum(link.endswith(f"#{directive_id}") for link in register) == 1, directive_id


RECORDER = """\
import json
from pathlib import Path

seen, pages = {}, {}


def on_files(files, config):
    seen["files"] = sorted(f.src_uri for f in files.documentation_pages())


def on_page_markdown(markdown, page, config, files):
    seen[page.file.src_uri] = {"argument": markdown, "on_page_markdown": page.markdown}


def on_page_content(html, page, config, files):
    seen[page.file.src_uri]["on_page_content"] = page.markdown


def on_post_page(output, page, config):
    seen[page.file.src_uri]["on_post_page"] = page.markdown
    seen[page.file.src_uri]["placeholders left"] = "sb-facts:" in output or "sb-listing" in output
    seen[page.file.src_uri]["content"] = page.content is not None
    pages[page.file.src_uri] = page


def on_post_build(config):
    for src_uri, page in pages.items():  # the hook lets go of a bulletin's text once every plugin has seen it
        seen[src_uri]["released"] = page.markdown == "" and page.content is None
    Path(config.site_dir, "seen.json").write_text(json.dumps(seen))
"""


def test_plugins_beside_the_hook_see_each_bulletins_markdown_and_finished_pages(site_project):
    """A plugin-like recorder at default priority, registered before the hook (as plugins are)."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2026/2026-11-20-notice.md": NOTICE_MD,
                            "2026/forms/checklist.csv": "item,done\n"})
    (project / "recorder.py").write_text(RECORDER, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("hooks:\n", "hooks:\n  - recorder.py\n"))
    seen = json.loads(read(build(project), "seen.json"))
    bulletins = load_project(project / "bulletins").published(dt.date.fromisoformat(AS_OF))
    assert {f"bulletins/{b.rel_path}" for b in bulletins} <= set(seen["files"])
    first_card = {"2021-05-25-meeting.md": "/// directive | CIG-2021-05-2\n", "2026-11-20-notice.md": "/// directive | N-1\n"}
    assert sorted(b.rel_path.rpartition("/")[2] for b in bulletins) == sorted(first_card)
    for bulletin in bulletins:
        markdown = page_markdown(bulletin)
        assert first_card[bulletin.rel_path.rpartition("/")[2]] in markdown
        assert seen[f"bulletins/{bulletin.rel_path}"] == {
            "argument": markdown, "on_page_markdown": markdown, "on_page_content": markdown,
            "on_post_page": markdown, "placeholders left": False, "content": True, "released": True,
        }
    assert seen["directives/index.md"]["placeholders left"] is False
    assert seen["index.md"]["released"] is False  # hand-written pages are MkDocs' as usual


STRIPPER = """\
import re


def on_page_content(html, page, config, files):  # default priority: after the hook's (100)
    return re.sub(PATTERN, "", html)
"""


@pytest.mark.parametrize(("pattern", "message"), [
    (r"<!--.*?-->", r"bulletins/2021/2021-05-25-meeting\.md:12: the placeholder <!--sb-facts:CIG-2021-05-2--> of "
                    r"directive 'CIG-2021-05-2' is missing, so its card would have no units, deadline or status"),
    (r'<div class="sb-listing"></div>', r"(units|directives|archive)/\S+\.md: the listing's placeholder "
                                       r'<div class="sb-listing"></div> is missing, so the page would have no rows'),
])
def test_a_plugin_that_drops_a_placeholder_fails_the_build(site_project, pattern, message):
    """A plugin that rewrites page.content (here, strips comments or an empty div) must never
    leave a card without its facts or a listing without rows: the build stops and says why."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    (project / "stripper.py").write_text(STRIPPER.replace("PATTERN", repr(pattern)), encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("hooks:\n", "hooks:\n  - stripper.py\n"))
    result = mkdocs(project, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert re.search(r"ERROR +- +.*" + message + r": a plugin, a theme override or a template removed it", result.stderr), \
        result.stderr
