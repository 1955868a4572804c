"""Links from a hostile bulletin never run script: every link and image of the page is
clicked in Chromium, and the test fails on any dialog or any URL with a script scheme."""

from __future__ import annotations

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS
from helpers import SITE_YML, UNITS_YML, build, nginx, write_tree

TARGETS = [
    "&#106;avascript:alert(1)", "javascript&colon;alert(2)", "java&#x09;script:alert(3)", "&#x6A;avascript:alert(4)",
    " JAVASCRIPT:alert(5)", "vbscript:alert(6)", "data:text/html,<script>alert(7)</script>",
    "javascript://%0aalert(8)", "<javascript:alert(9)>", "jav&#97;script:alert(11)", "javascript&#58;alert(13)",
]
# Rendered as relative paths (a tab inside is kept as spaces, the `&` of an entity without its `;`
# is escaped): links to files that do not exist, which check refuses. Never a script either.
MISSING_FILES = ["java\tscript:alert(10)", "&#0000106avascript:alert(12)"]
LINES = "\n".join(f"- [link {n}]({t}) and ![image {n}]({t})" for n, t in enumerate(TARGETS, start=1))
HOSTILE = f"""\
---
title: Hostile links
date: 2026-11-20
type: bulletin
---
{LINES}
- [reference][r] and <javascript:alert(20)> and [safe](https://intranet.test/ok)

[r]: javascript:alert(21)

/// directive | Click [here](javascript:alert(22))
    id: HOSTILE-1
    units: [property]
    deadline: 2026-12-01

Text with [a link](&#106;avascript:alert(23)).
///
"""
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    project = write_tree(tmp_path_factory.mktemp("hostile") / "project", {
        "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-11-20-hostile.md": HOSTILE,
    })
    site = build(project)
    with nginx(tmp_path_factory.mktemp("nginx"), {"/safety/": site}) as base:
        yield f"{base}/safety/bulletins/2026/2026-11-20-hostile/"


def test_no_link_or_image_on_the_page_has_a_script_url(browser, hostile_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(hostile_site)
    protocols = page.evaluate("""() => [...document.querySelectorAll('[href], [src], [action], [formaction]')]
        .map(e => e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action') ?? e.getAttribute('formaction'))
        .map(u => { try { return new URL(u, location.href).protocol } catch { return 'invalid:' } })""")
    context.close()
    assert protocols and not [p for p in protocols if p in SCRIPT_SCHEMES]


def test_clicking_every_link_of_a_hostile_bulletin_runs_no_script(browser, hostile_site):
    context = browser.new_context()
    page = context.new_page()
    dialogs, script_navigations = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("framenavigated", lambda frame: script_navigations.append(frame.url)
            if frame.url.startswith(SCRIPT_SCHEMES) else None)
    page.goto(hostile_site)
    count = page.locator("article a, article img").count()
    assert count >= 2 * len(TARGETS)
    for n in range(count):
        element = page.locator("article a, article img").nth(n)
        if element.is_visible():
            element.click(modifiers=[], no_wait_after=True, timeout=5000)
            page.wait_for_timeout(50)
        if page.url.split("#")[0] != hostile_site:
            page.goto(hostile_site)
    context.close()
    assert dialogs == [] and script_navigations == []


def test_targets_read_as_missing_files_are_refused(tmp_path):
    import subprocess
    import sys

    for target in MISSING_FILES:
        project = write_tree(tmp_path / str(len(target)), {
            "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
            "bulletins/2026/2026-11-20-hostile.md": HOSTILE.replace("- [reference]", f"- [x]({target})\n- [reference]")})
        result = subprocess.run([sys.executable, "-m", "safety_bulletins.commands.cli", "check"], cwd=project,
                                capture_output=True, text=True)
        assert result.returncode == 1 and "does not exist" in result.stderr and "Traceback" not in result.stderr
