"""Bulletins that give their elements the ids Material reads as its own: its configuration
(`#__config`, the first element with that id wins) from a block's attrs, with a version list and
a search worker among the attachments, and from a plain heading `## __config`. Behind nginx in
Chromium, Material's scripts still work on both pages (search opens and answers, the palette
toggles, tables are wrapped, no script error) and nothing of the bulletin's runs or is fetched."""

from __future__ import annotations

import json

import pytest
from helpers import SITE_YML, UNITS_YML, build, nginx, write_tree

# What Material would take as its configuration: the version list and the search worker from the attachments
FORGED_CONFIG = json.dumps({
    "base": "../mike/latest/", "features": [], "search": "../mike/worker.txt", "version": {"provider": "mike"},
    "translations": {"select.version": "Version", "search.result.placeholder": "Type"},
})
BLOCK = f"""\
---
title: Configuration block
date: 2026-11-20
type: bulletin
attachments: [mike/versions.json, mike/worker.txt]
---
/// html | div
    attrs: {{id: __config}}

{FORGED_CONFIG}
///

Text of the bulletin.

| a | b |
|---|---|
| 1 | 2 |
"""
HEADING = """\
---
title: Configuration heading
date: 2026-11-21
type: bulletin
---
## __config

Text under the heading, and [a link to it](#__config).

| a | b |
|---|---|
| 1 | 2 |
"""
PALETTE = """\
  palette:
    - scheme: default
      toggle: {icon: material/brightness-7, name: Dark}
    - scheme: slate
      toggle: {icon: material/brightness-4, name: Light}
"""
WORKER = "fetch('/pwned-by-worker'); self.onmessage = () => fetch('/pwned-by-message');\n"
VERSIONS = json.dumps([{"version": "latest", "title": "PWNED-VERSION", "aliases": []}])


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    project = write_tree(tmp_path_factory.mktemp("reserved-ids") / "project", {
        "mkdocs.yml": SITE_YML.replace("markdown_extensions:\n", "markdown_extensions:\n  - pymdownx.blocks.html\n")
                             .replace("  font: false\n", "  font: false\n" + PALETTE),
        "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-11-20-block.md": BLOCK, "bulletins/2026/2026-11-21-heading.md": HEADING,
        "bulletins/2026/mike/versions.json": VERSIONS, "bulletins/2026/mike/worker.txt": WORKER,
    })
    site = build(project)
    with nginx(tmp_path_factory.mktemp("nginx"), {"/safety/": site}) as base:
        yield base


@pytest.mark.parametrize("page_path", ["2026-11-20-block/", "2026-11-21-heading/"], ids=["block-attrs", "heading"])
def test_materials_scripts_work_and_nothing_of_the_bulletin_runs(browser, served, page_path):
    context = browser.new_context()
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("worker", lambda worker: requests.append(f"worker:{worker.url}"))
    page.goto(f"{served}/safety/bulletins/2026/{page_path}")
    page.wait_for_load_state("networkidle")
    # Material read its own configuration (its search worker), and its scripts ran: tables wrapped, search answers
    config = page.evaluate("() => JSON.parse(document.querySelector('#__config').textContent)")
    assert "../assets/" in config["search"] and "mike" not in config["search"]
    page.locator(".md-typeset__scrollwrap table").wait_for(state="attached", timeout=5000)
    page.keyboard.press("/")
    field = page.locator("input.md-search__input")
    assert field.evaluate("e => e === document.activeElement")
    field.fill("bulletin")
    field.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    page.keyboard.press("Escape")
    page.locator("label[for=__palette_1]").click()  # Material's palette toggle, by the ids it owns
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    # nothing of the bulletin: no version list, no worker or request from the attachments
    assert page.locator(".md-version").count() == 0 and "PWNED-VERSION" not in page.content()
    context.close()
    assert errors == []
    assert not [url for url in requests if "pwned" in url or "/mike/" in url], requests
    workers = [url for url in requests if url.startswith("worker:")]
    assert workers and all(url.startswith(f"worker:{served}/safety/assets/") for url in workers), workers
