"""Attachments opened in Chromium from nginx: every file the checks let through stays inert
even when it holds a script (shown as text or an image, or downloaded), while the files they
refuse, put in the site by hand, run theirs on the site's origin: the refusal is what protects."""

from __future__ import annotations

import urllib.parse

import pytest
from helpers import SITE_YML, UNITS_YML, build, nginx, write_tree

# Formats editors attach (the guide's advice included: a PDF, a zip of the drawing), and names on the edge
PLAIN = ["plan.pdf", "photo.PNG", "photo.jpeg", "minutes.docx", "register.xlsx", "drawing.svg.zip", "notes.txt",
         "data.csv", "data.json", "x.html.pdf", "readme", "报告.txt"]
REFUSED = ["x.svg", "x.SVG", "x.htm", "x.xhtml", "x.xml"]


def payload(name: str) -> bytes:
    """Script an HTML, SVG or XML parser runs alike: it asks the server for RAN-<name>."""
    tag = urllib.parse.quote(name)
    return (f'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("RAN-{tag}")</script></svg>\n'
            f'<script>fetch("RAN-{tag}")</script>\n').encode()


@pytest.fixture(scope="module")
def attachments(tmp_path_factory):
    project = tmp_path_factory.mktemp("attachments") / "project"
    links = "\n".join(f"- [{name}](files/{urllib.parse.quote(name)})" for name in PLAIN)
    write_tree(project, {
        "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-11-20-notice.md": f"---\ntitle: Notice\ndate: 2026-11-20\ntype: notice\n---\n{links}\n",
        **{f"bulletins/2026/files/{name}": payload(name) for name in PLAIN},
    })
    site = build(project)
    (site / "refused").mkdir()
    for name in REFUSED:
        (site / "refused" / name).write_bytes(payload(name))
    with nginx(tmp_path_factory.mktemp("nginx"), {"/safety/": site}) as base:
        yield f"{base}/safety/"


def ran(browser, url: str) -> bool:
    """Whether opening `url` as a page runs its script (a download runs nothing)."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)
    except Exception as error:  # Playwright raises on a navigation that becomes a download
        assert "Download is starting" in str(error), error
    finally:
        context.close()
    return any("/RAN-" in u for u in asked)


def test_attachments_that_pass_never_run_script(browser, attachments):
    for name in PLAIN:
        assert not ran(browser, attachments + "bulletins/2026/files/" + urllib.parse.quote(name)), name


def test_the_refused_types_would_run_script_on_the_sites_origin(browser, attachments):
    for name in REFUSED:
        assert ran(browser, attachments + "refused/" + name), name
