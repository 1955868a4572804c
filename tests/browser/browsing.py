"""Helpers and fixtures of the browser tests: the example site served by nginx under a sub-path, driven in Debian's
headless Chromium with Playwright. Every page load records its requests and console
errors; a test fails on any request that leaves the serving host or any console error."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import build_chinese_example, build_example, example_project, nginx  # noqa: F401 (the browser tests' imports)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SUB_PATH = "/safety/"
SUB_PATH_ZH = "/safety-zh/"


@pytest.fixture(scope="session")
def sites(example_site, tmp_path_factory) -> dict[str, Path]:
    """The example site in English (the session's shared build) and in Chinese (mkdocs.zh.yml)."""
    return {"en": example_site, "zh": build_chinese_example(tmp_path_factory.mktemp("sites") / "zh")}


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory) -> Path:
    """The example's copy for a file share (Material's offline plugin), built once per session; read-only."""
    return build_example(tmp_path_factory.mktemp("offline") / "project", BULLETINS_OFFLINE="true")


@pytest.fixture(scope="session")
def server(sites, tmp_path_factory) -> str:
    """nginx on a loopback port, serving the English site at /safety/ and the Chinese at /safety-zh/."""
    with nginx(tmp_path_factory.mktemp("nginx"), {SUB_PATH: sites["en"], SUB_PATH_ZH: sites["zh"]}) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Recorder:
    """What a page asked for and complained about."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))



def foreign(urls: list[str], allowed_origin: str) -> list[str]:
    """Requests to anything but the serving host (or local files for file:// pages)."""
    allowed = urlsplit(allowed_origin)
    return [
        url for url in urls
        if not url.startswith(("data:", "blob:"))
        and (urlsplit(url).scheme, urlsplit(url).netloc) != (allowed.scheme, allowed.netloc)
    ]


@pytest.fixture
def page(browser, request):
    """A fresh page; after the test, no request may have left the origin and no console error occurred."""
    context = browser.new_context()
    page = context.new_page()
    recorder = Recorder(page)
    yield page
    origin = getattr(request.node, "origin", None)
    context.close()
    assert recorder.errors == [], recorder.errors
    if origin is not None:
        assert foreign(recorder.requests, origin) == []
    assert recorder.requests, "the page made no request at all"


@pytest.fixture
def origin(request, server):
    """The serving host every request of the page must go to."""
    request.node.origin = server
    return server


def search(page, query: str, anchor: str):
    """Type a query in Material's search and return the result link that opens `#anchor`."""
    page.keyboard.press("/")
    field = page.locator("input.md-search__input")
    field.fill(query)
    field.press("End")  # Material searches on key events, which fill() does not send
    link = page.locator(f'.md-search-result__link[href$="#{anchor}"]').first
    link.wait_for(state="attached", timeout=15000)
    if not link.is_visible():  # a section listed under "more on this page"
        link.locator("xpath=ancestor::details").first.locator("summary").click()
    return link
