"""Attachments judged on what the server sends: a file the browser would open as a page of the
site or run is refused (listed or linked, any case); a hidden bulletin's file is published by
no build, whoever else attaches it; names that break links are refused."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import urllib.request
from pathlib import Path

import pytest
from helpers import AS_OF, SITE_YML, UNITS_YML, build, nginx, write_tree, URLS

from safety_bulletins.mkdocs_adapter import url_rule
from safety_bulletins.outputs import site
from safety_bulletins.site_build.rendering import Judge
from safety_bulletins.site_build.sitebuild import SiteBuild
from safety_bulletins.sources.paths import active_suffix, url_breaking_character
from safety_bulletins.sources.project import load_project

AS_OF_DATE = dt.date.fromisoformat(AS_OF)
MIME_TYPES = Path("/etc/nginx/mime.types")
# What Chromium opens as a document (HTML, any XML, SVG) or runs (scripts, style sheets, code, plug-ins)
ACTIVE_TYPE = re.compile(r"^(text/html|text/xml|application/xml|[\w.+-]+/[\w.+-]*\+xml|\S*javascript\S*|text/css"
                         r"|application/wasm|application/x-shockwave-flash|text/mathml|text/vnd\.wap\.wml"
                         r"|text/x-component|application/x-java-jnlp-file)$")
# Formats the guide tells editors to attach: what they become must stay attachable
PLAIN = ["plan.pdf", "photo.PNG", "photo.jpeg", "minutes.docx", "register.xlsx", "slides.pptx", "drawing.svg.zip",
         "drawing.dwg", "notes.txt", "data.csv", "data.json", "报告.pdf", "x.html.pdf", "readme"]


def nginx_types() -> dict[str, str]:
    """Extension -> type, as nginx's mime.types maps them."""
    text = MIME_TYPES.read_text()
    body = text[text.index("{") + 1: text.rindex("}")]
    types = {}
    for entry in body.split(";"):
        mime, *extensions = entry.split() or [""]
        for extension in extensions:
            types[extension] = mime
    return types


@pytest.mark.skipif(not MIME_TYPES.exists(), reason="nginx is not installed")
def test_every_extension_nginx_serves_as_a_page_or_a_script_is_refused():
    active = {ext: mime for ext, mime in nginx_types().items() if ACTIVE_TYPE.match(mime)}
    assert {"html", "htm", "shtml", "xml", "svg", "svgz", "js", "css", "xhtml", "wasm", "atom", "rss"} <= set(active)
    for extension in active:
        for name in (f"x.{extension}", f"X.{extension.upper()}", f"x.{extension}.", f"a.b.{extension} "):
            assert active_suffix(name) == f".{extension}", (name, active[extension])
    for name in PLAIN:
        assert active_suffix(name) is None, name


@pytest.mark.parametrize("name", ["a?b.pdf", "a#b.pdf", "100%.pdf", "a\\b.pdf", "a\x01b.pdf", "a\x1bb", "a\x85b",
                                  "a\tb", "2026#1/x.md"])
def test_names_that_break_links(name):
    assert url_breaking_character(name) is not None


@pytest.mark.parametrize("name", ["2026/2026-11-26-安全生产会议.md", "a b.pdf", "a+b&c;d=e@f!.pdf", "（一）.docx"])
def test_names_that_links_reach(name):
    assert url_breaking_character(name) is None


def notice(name: str, extra: str = "", body: str = "Text.") -> str:
    return f"---\ntitle: {name}\ndate: 2026-11-20\ntype: notice\n{extra}---\n{body}\n"


@pytest.mark.parametrize("marking, why", [
    ("publish: 2026-12-01\n", "embargoed until 2026-12-01"),
    ("classification: restricted\n", "classified 'restricted', above this bulletin ('internal')"),
])
def test_a_hidden_bulletins_file_attached_by_a_shown_one(bulletins_dir, marking, why):
    """Whichever was written first: a file of a restricted bulletin is restricted, even if an
    internal one attaches it too (as a draft's file is the draft's)."""
    root = bulletins_dir({
        "2026/2026-11-20-shown.md": notice("Shown", body="![plan](files/plan.png)"),
        "2026/2026-11-20-hidden.md": notice("Hidden", marking + "attachments: [files/plan.png]\n"),
        "2026/files/plan.png": b"HIDDEN-PLAN",
    })
    project = load_project(root, AS_OF_DATE, Judge(workers=0))
    assert [str(p).replace(str(root) + "/", "") for p in project.errors] == [
        f"2026/2026-11-20-shown.md:6: error: attaches '2026/files/plan.png', an attachment of "
        f"'2026/2026-11-20-hidden.md', which is {why}\n    Attach a copy of the file under another name, or "
        + ("give this bulletin 'publish: 2026-12-01' (or later)." if "embargoed" in why else
           "classify this bulletin 'restricted' too: a build for a 'internal' audience leaves the other one out.")]


@pytest.mark.parametrize("shown, hidden", [
    ("publish: 2026-12-01\n", "publish: 2026-12-01\n"),  # published on the same day
    ("classification: restricted\n", "classification: restricted\n"),
    ("", "publish: 2026-11-27\n"),  # lifted by the as-of date
])
def test_files_shared_by_bulletins_shown_together(bulletins_dir, shown, hidden):
    root = bulletins_dir({
        "2026/2026-11-20-a.md": notice("A", shown + "attachments: [plan.pdf]\n"),
        "2026/2026-11-20-b.md": notice("B", hidden + "attachments: [plan.pdf]\n"),
        "2026/plan.pdf": b"PLAN",
    })
    assert load_project(root, AS_OF_DATE, Judge(workers=0)).errors == []


def test_no_build_publishes_a_hidden_bulletins_file_even_unchecked(bulletins_dir):
    """The build's own rule, below the checks: what a hidden bulletin attaches is not copied,
    whichever bulletin lists it and under whatever name (a symbolic link)."""
    root = bulletins_dir({
        "2026/2026-11-20-shown.md": notice("Shown", "attachments: [copy.pdf, own.pdf]\n"),
        "2026/2026-11-20-hidden.md": notice("Hidden", "classification: restricted\nattachments: [plan.pdf]\n"),
        "2026/plan.pdf": b"RESTRICTED",
        "2026/own.pdf": b"OWN",
    })
    (root / "2026/copy.pdf").symlink_to("plan.pdf")
    project = load_project(root, AS_OF_DATE, Judge(workers=0))
    assert project.errors  # the check refuses it; the build is asked anyway
    sources = {f.src_uri for f in SiteBuild(project, AS_OF_DATE, urls=URLS).source_files()}
    assert "bulletins/2026/own.pdf" in sources
    assert "bulletins/2026/copy.pdf" not in sources and "bulletins/2026/plan.pdf" not in sources


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A site whose bulletin attaches every plain format, each file holding a script, behind nginx;
    and beside it, copied in after the build, the files the checks refuse."""
    project = tmp_path_factory.mktemp("attachments") / "project"
    script = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    links = "\n".join(f"- [{name}](files/{name})" for name in PLAIN)
    write_tree(project, {
        "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-11-20-notice.md": notice("Notice", body=links),
        **{f"bulletins/2026/files/{name}": script for name in PLAIN},
    })
    site = build(project)
    refused = site / "refused"
    refused.mkdir()
    for name in ("x.svg", "x.SVG", "x.htm", "x.xml", "x.js", "x.svg."):
        (refused / name).write_bytes(script)
    with nginx(tmp_path_factory.mktemp("nginx"), {"/safety/": site}) as base:
        yield f"{base}/safety/"


def content_type(url: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "*/*"}), timeout=10) as response:
        return response.headers.get_content_type()


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="no nginx")
def test_what_nginx_sends_for_attachments(served):
    """Every attachment that passes is sent as a type the browser does not open as a page or
    run; the refused ones would be (the harm is real: nginx types `.SVG` as SVG)."""
    for name in PLAIN:
        url = served + "bulletins/2026/files/" + urllib.request.quote(name)
        assert not ACTIVE_TYPE.match(content_type(url)), name
    assert content_type(served + "refused/x.SVG") == "image/svg+xml"
    assert content_type(served + "refused/x.svg") == "image/svg+xml"
    assert content_type(served + "refused/x.htm") == "text/html"
    assert content_type(served + "refused/x.xml") == "text/xml"
    assert content_type(served + "refused/x.js") == "application/javascript"
    # nginx reads no extension after a trailing dot; the checks refuse it all the same (a Windows share drops it)
    assert not ACTIVE_TYPE.match(content_type(served + "refused/x.svg."))


@pytest.mark.parametrize("directory_urls, sources, clash", [
    (True, ["bulletins/2026/x.md", "bulletins/2026/x"], ("bulletins/2026/x", "bulletins/2026/x.md", "bulletins/2026/x")),
    (False, ["bulletins/2026/x.md", "bulletins/2026/x.html/a.pdf"],
     ("bulletins/2026/x.html", "bulletins/2026/x.html/a.pdf", "bulletins/2026/x.md")),
    (True, ["directives.json/index.md", "directives.json"], ("directives.json", "directives.json/index.md", "directives.json")),
])
def test_a_file_where_another_output_needs_a_folder(directory_urls, sources, clash):
    """Not only two files on one path: a file and a folder of one name cannot both be written
    (the build crashed with 'File exists')."""
    assert site.same_output(sources, url_rule(directory_urls)) == [clash]
    assert site.same_output(["bulletins/2026/x.md", "bulletins/2026/x/a.pdf", "bulletins/2026/xy"], url_rule(directory_urls)) == []
