"""Helpers and fixtures of the browser tests: the example site served by nginx under a sub-path, driven in Debian's
headless Chromium with Playwright. Every page load records its requests and console
errors; a test fails on any request that leaves the serving host or any console error."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import build, build_chinese_example, build_example, example_project, nginx, write_tree  # noqa: F401 (the browser tests' imports)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SUB_PATH = "/safety/"
SUB_PATH_ZH = "/safety-zh/"


def opened_at(browser, url: str, read_on: str):
    """`url` in a new context whose clock stands at `read_on` (the reader's day): (context, page, the
    page's script errors so far, a list that grows)."""
    context = browser.new_context()
    context.clock.set_fixed_time(read_on)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, errors


@contextlib.contextmanager
def served_bulletins(tmp_path_factory, name: str, config: str, units: str, bulletins: dict[str, str], as_of: str):
    """A small project of these bulletins (names under bulletins/), built as of `as_of` and served by
    nginx under SUB_PATH: gives the server's base address."""
    project = tmp_path_factory.mktemp(name)
    write_tree(project, {"mkdocs.yml": config, "docs/index.md": "# Home\n", "bulletins/units.yml": units,
                         **{f"bulletins/{path}": text for path, text in bulletins.items()}})
    site = build(project, as_of=as_of)
    with nginx(tmp_path_factory.mktemp(f"nginx-{name}"), {SUB_PATH: site}) as base:
        yield base


@pytest.fixture(scope="session")
def sites(example_site, chinese_example_site) -> dict[str, Path]:
    """The example site in English and in Chinese (mkdocs.zh.yml): the session's shared builds."""
    return {"en": example_site, "zh": chinese_example_site}


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

    with _waited_without_a_thread(), sync_playwright() as playwright:
        playwright._loop.set_default_executor(_InPlace(max_workers=1))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _InPlace(concurrent.futures.ThreadPoolExecutor):
    """Where Playwright hands file work to asyncio's executor (a screenshot's `path`, a download saved),
    it is done at once in the loop's own thread: the default executor's threads (asyncio_0, asyncio_1)
    would live as long as the session's browser, and with a second thread alive the package renders in
    spawned interpreters (as _waited_without_a_thread says): the catalogue's checks and every command
    run after a browser test cost about three times their CPU (tests/cpu_meter.py lists such threads)."""

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the awaiting coroutine, as the executor's thread would
            future.set_exception(error)
        return future


@contextlib.contextmanager
def _waited_without_a_thread():
    """Playwright's driver, a child process for the whole session, waited for on a pidfd in asyncio's loop
    rather than by a thread of its own (Python 3.11's default watcher; 3.12 uses pidfds itself). With a
    second thread alive, the package renders bulletins in spawned interpreters instead of forked workers
    (rendering.run_jobs), so every later check of this worker would cost two new interpreters."""
    import asyncio

    if sys.version_info >= (3, 12) or not hasattr(os, "pidfd_open"):
        yield
        return

    class PidfdWatcher(asyncio.PidfdChildWatcher):
        def is_active(self):
            return True  # attached to the loop that starts each child, when it starts it

        def add_child_handler(self, pid, callback, *args):
            if self._loop is None:
                self._loop = asyncio.get_running_loop()
            super().add_child_handler(pid, callback, *args)

    policy = asyncio.get_event_loop_policy()
    previous = policy._watcher  # None until a watcher is asked for: then the threaded default again
    policy.set_child_watcher(PidfdWatcher())
    try:
        yield
    finally:
        policy._watcher = previous


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


# How long a search answer may take: generous, as the waits below end on the worker's answer itself,
# not on a time (a loaded 2-core machine has taken over 30 s to answer a filter).
ANSWER_MS = 120_000

# Counts the search worker's answers (Material's RESULT messages, whichever worker answers: Material's
# lunr one or ours from Pagefind) and keeps the words of the last one: Material puts them in each result
# as `terms` (Pagefind's worker: the query's words). Counted after the page's own listeners have run
# (Material's list; search-filters.js's count, which it writes a task later). Installed before the page's
# scripts, so it sees the worker Material starts (search-filters.js wraps window.Worker the same way, after it).
_SEARCH_ANSWERS = """
(() => {
  const Native = window.Worker;
  if (!Native) return;
  window.__searchAnswers = { count: 0, terms: null };
  window.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      this.addEventListener("message", ({ data }) => {
        if (!data || data.type !== 3) return;  // Material's SearchMessageType.RESULT
        const first = ((data.data && data.data.items) || [])[0];
        const terms = first && first[0] && first[0].terms ? Object.keys(first[0].terms).join(" ") : "";
        // after search-filters.js's own setTimeout, which it starts after this listener has run
        setTimeout(() => setTimeout(() => {
          window.__searchAnswers = { count: window.__searchAnswers.count + 1, terms };
        }, 0), 0);
      });
    }
  };
})();
"""


def watch_search_answers(page) -> None:
    """Count the search worker's answers on every page `page` loads from now on (see search_answered)."""
    page.add_init_script(_SEARCH_ANSWERS)


def search_ready(page) -> None:
    """Wait until the search worker has answered once (Material sends its first, empty query once the worker
    says it is ready): its keys ('/') and the box work from then on."""
    page.wait_for_function("() => window.__searchAnswers && window.__searchAnswers.count > 0", timeout=ANSWER_MS)


def search_answered(page, query: str) -> None:
    """Wait for the answer to `query` itself, not to the first keys typed (an answer to 'saf' may come first)."""
    words = " ".join(query.split())
    page.wait_for_function("words => window.__searchAnswers.terms === words", arg=words, timeout=ANSWER_MS)


def answer_to(page, action) -> None:
    """Do `action` (a filter chosen, a button pressed) and wait for the one answer it asks the worker for.
    Only after the last answer was awaited: nothing else may be on its way."""
    before = page.evaluate("() => window.__searchAnswers.count")
    action()
    page.wait_for_function("n => window.__searchAnswers.count > n", arg=before, timeout=ANSWER_MS)


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
