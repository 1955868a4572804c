"""The Content-Security-Policy in Chromium: the example site served by nginx with exactly the
publishing guide's configuration. Markup planted in a built page, as if the sanitizer had let it
through (an inline script, an image on another server, an inline event handler), is blocked; the
site's own scripts (search with Pagefind and with lunr, the search filters, the listings' filter,
live counts, print, the offline copy from file://) run without one violation of the policy."""

from __future__ import annotations

import re
import urllib.error
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, Recorder, example_project, foreign, search
from helpers import REPO, fetch, free_port, mkdocs, mkdocs_serve, nginx

from safety_bulletins.outputs import csp

PATH = "/safety/"  # where the guide's configuration serves the site
PLAIN = "/plain/"  # the control: the same planted page without any policy
BULLETIN = "bulletins/2021/2021-05-25-special-safety-meeting/"
PLANTED_PAGE = "bulletins/2023/2023-04-12-q1-safety-committee-minutes/"  # not the page the searches open
ATTACHMENT = "bulletins/2021/attachments/2021-06-inspection-checklist.csv"
ENGLISH_QUERY = ("forklift", "2022-01-18-warehouse-fire-extinguisher-lesson-1")
# Every violation the page reports, from its first byte (the listener is there before any script)
LISTEN = """window.__violations = [];
document.addEventListener("securitypolicyviolation", e => window.__violations.push(
  {directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample}));"""


def guide_nginx(site: Path) -> str:
    """The publishing guide's nginx block, serving `site` where the guide serves the live link."""
    guide = (REPO / "docs/guide/publishing.md").read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(# /etc/nginx/snippets/safety-bulletins\.conf.*?)```", guide, re.DOTALL)[1]
    assert block.count("/srv/safety-bulletins/") == 1
    return block.replace("/srv/safety-bulletins/", f"{site}/")


class Counter(BaseHTTPRequestHandler):
    """Another server, as an outside host: counts what it is asked for."""

    asked: list[str] = []

    def do_GET(self):
        Counter.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def outside():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def planted(port_base: str) -> str:
    return (f'<script>window.__planted = "inline script ran"</script>'
            f'<img src="{port_base}/x.png" alt="">'
            f'<img src="no-such-image.png" onerror="window.__handler = \'handler ran\'" alt="">')


@pytest.fixture(scope="module")
def sites(tmp_path_factory, outside, example_site):
    """The example site (Pagefind) with markup planted in a bulletin's page, the same site
    without any policy (the control), and the example site with Material's search (lunr)."""
    root = tmp_path_factory.mktemp("csp")
    pagefind_site = root / "pagefind"
    shutil.copytree(example_site, pagefind_site)  # a copy of the session's build: markup is planted in it
    project = example_project(root / "lunr")
    with open(project / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write("\nextra:\n  bulletins:\n    search: material\n")
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    plain = root / "plain"
    shutil.copytree(pagefind_site, plain)
    page = pagefind_site / PLANTED_PAGE / "index.html"
    text = page.read_text(encoding="utf-8")
    article = '<article class="md-content__inner md-typeset">'
    assert text.count(article) == 1
    page.write_text(text.replace(article, article + planted(outside)), encoding="utf-8")
    policy = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')
    assert len(policy.findall(page.read_text(encoding="utf-8"))) == 1
    shutil.copy(page, plain / PLANTED_PAGE / "index.html")
    for html in plain.rglob("*.html"):  # the control: no policy anywhere
        html.write_text(policy.sub("", html.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    return {"pagefind": pagefind_site, "lunr": project / "site", "plain": plain}


@pytest.fixture(scope="module")
def served(sites, tmp_path_factory):
    """The Pagefind site with the guide's configuration, and (for the control) the copy
    without policy, plainly."""
    with nginx(tmp_path_factory.mktemp("nginx-guide"), {PATH: sites["pagefind"]},
               served=guide_nginx(sites["pagefind"])) as guide, \
            nginx(tmp_path_factory.mktemp("nginx-plain"), {PLAIN: sites["plain"]}) as plain:
        yield {"guide": guide, "plain": plain}


@pytest.fixture(scope="module")
def served_lunr(sites, tmp_path_factory):
    with nginx(tmp_path_factory.mktemp("nginx-lunr"), {PATH: sites["lunr"]}, served=guide_nginx(sites["lunr"])) as base:
        yield base


@pytest.fixture
def browser_page(browser):
    """A page that records the policy's violations, its requests and its console errors."""
    context = browser.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    recorder = Recorder(page)
    yield page, recorder
    context.close()


def violations(page) -> list[dict]:
    return page.evaluate("window.__violations")


def headers(url: str) -> dict[str, str]:
    import urllib.request

    with urllib.request.urlopen(url) as response:
        return {name.lower(): value for name, value in response.headers.items()}


def test_the_guides_nginx_sends_the_policy_and_makes_attachments_downloads(served, sites):
    base = served["guide"] + PATH
    # (a page's folder without its slash is redirected to it: the page comes as a page)
    for page in ("", BULLETIN, BULLETIN + "index.html", BULLETIN.rstrip("/"), "units/", "404.html"):
        sent = headers(base + page)
        assert sent["content-security-policy"] == csp.header_policy(), page
        assert sent["x-content-type-options"] == "nosniff" and "content-disposition" not in sent, page
    for asset in ("pagefind/pagefind.js", "assets/safety-bulletins/search.js", "directives.csv", "feeds/all.xml"):
        assert "content-disposition" not in headers(base + asset), asset
    sent = headers(base + ATTACHMENT)
    assert sent["content-disposition"] == "attachment"
    # publish's mark of its releases sits in the site's folder on the server: never sent
    for mark in (".bulletins-release", "bulletins/2021/.bulletins-release"):
        (sites["pagefind"] / mark).write_text("20261205T000000-000000Z 1:2\n", encoding="utf-8")
        with pytest.raises(urllib.error.HTTPError, match="404"):
            headers(base + mark)
    assert sent["content-security-policy"] == csp.ATTACHMENT_POLICY
    assert sent["x-content-type-options"] == "nosniff"


def test_planted_script_image_and_handler_are_blocked(served, outside, browser_page):
    page, recorder = browser_page
    Counter.asked.clear()
    page.goto(served["guide"] + PATH + PLANTED_PAGE, wait_until="networkidle")
    assert page.evaluate("[window.__planted, window.__handler]") == [None, None]
    assert Counter.asked == []
    seen = violations(page)
    # (the image breaks both the header's policy and the page's: reported twice)
    assert {(v["directive"], v["blocked"]) for v in seen} == {
        ("script-src-elem", "inline"), ("script-src-attr", "inline"), ("img-src", f"{outside}/x.png")}, seen
    # the page's own scripts ran: Material's (the search box opens) and ours (live.js)
    page.keyboard.press("/")
    page.wait_for_function("() => document.activeElement.classList.contains('md-search__input')")
    assert page.evaluate("typeof __md_scope") == "object"


def test_without_the_policy_the_planted_markup_runs(served, outside, browser_page):
    """The control: the same page with its policy removed and no header lets all three through."""
    page, recorder = browser_page
    Counter.asked.clear()
    page.goto(served["plain"] + PLAIN + PLANTED_PAGE, wait_until="networkidle")
    assert page.evaluate("[window.__planted, window.__handler]") == ["inline script ran", "handler ran"]
    assert Counter.asked == ["/x.png"]


def no_violation(page, recorder, origin: str):
    assert violations(page) == []
    assert not [e for e in recorder.errors if "Content Security Policy" in e], recorder.errors
    assert recorder.errors == []
    assert foreign(recorder.requests, origin) == []


def test_pagefind_search_and_its_filters(served, browser_page):
    page, recorder = browser_page
    base = served["guide"]
    page.goto(base + PATH + BULLETIN, wait_until="networkidle")
    link = search(page, *ENGLISH_QUERY)
    assert page.locator(".sb-search-filters").is_visible()
    page.select_option('.sb-search-filters select[name="type"]', "bulletin")
    link.wait_for(state="attached")
    link.click()
    page.wait_for_url(re.compile(f"#{re.escape(ENGLISH_QUERY[1])}$"))
    assert any("/pagefind/" in url for url in recorder.requests)
    no_violation(page, recorder, base)


def test_lunr_search(served_lunr, browser_page):
    page, recorder = browser_page
    page.goto(served_lunr + PATH, wait_until="networkidle")
    search(page, *ENGLISH_QUERY).click()
    page.wait_for_url(re.compile(f"#{re.escape(ENGLISH_QUERY[1])}$"))
    assert any("/search/search_index.json" in url for url in recorder.requests)
    no_violation(page, recorder, served_lunr)


def test_the_listings_filter_and_live_counts(served, browser, browser_page):
    page, recorder = browser_page
    page.clock.set_fixed_time("2027-03-01T10:00:00")  # months after the build: live.js recounts
    base = served["guide"]
    page.goto(base + PATH + "directives/?unit=property", wait_until="networkidle")
    status = page.locator(".sb-filter__status")
    status.wait_for(state="visible")
    assert re.fullmatch(r"\d+ of \d+ directives", status.inner_text())
    assert "2027-03-01" in page.locator(".sb-as-of").first.inner_text()  # live.js set the reader's day
    page.goto(base + PATH + "units/", wait_until="networkidle")
    assert "2027-03-01" in page.locator(".sb-as-of").first.inner_text()
    no_violation(page, recorder, base)


def test_print(served, browser_page, tmp_path):
    page, recorder = browser_page
    base = served["guide"]
    page.goto(base + PATH + BULLETIN, wait_until="networkidle")
    page.emulate_media(media="print")
    page.pdf(path=str(tmp_path / "bulletin.pdf"), format="A4")
    assert (tmp_path / "bulletin.pdf").stat().st_size > 10_000
    no_violation(page, recorder, base)


def test_the_offline_copy_searches_from_file_urls(offline_site, browser_page):
    site = offline_site
    assert 'http-equiv="Content-Security-Policy"' in (site / "index.html").read_text(encoding="utf-8")
    page, recorder = browser_page
    page.goto((site / "index.html").as_uri())
    search(page, *ENGLISH_QUERY).click()
    page.wait_for_url(re.compile(f"#{re.escape(ENGLISH_QUERY[1])}$"))
    assert violations(page) == [] and recorder.errors == []
    assert all(url.startswith(("file://", "data:", "blob:")) for url in recorder.requests), recorder.requests


def test_a_bulletin_looks_the_same_with_and_without_the_policy(served, browser, screenshots):
    """Material's and the site's styles all apply under the policy: the page's pixels are the
    same as without it (style attributes included: the unit tree's indent)."""
    shots = {}
    for name, url in (("policy", served["guide"] + PATH), ("plain", served["plain"] + PLAIN)):
        for path in (BULLETIN, "units/"):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.clock.set_fixed_time("2026-12-01T10:00:00")
            page = context.new_page()
            page.goto(url + path, wait_until="networkidle")
            page.wait_for_timeout(300)
            # (the search box's placeholder fades in as the search worker gets ready: its pixels depend on timing)
            shots[name, path] = page.screenshot(full_page=True, animations="disabled", caret="hide",
                                                mask=[page.locator(".md-search__form")])
            (screenshots / f"{name}-{path.strip('/').replace('/', '_')}.png").write_bytes(shots[name, path])
            context.close()
    for path in (BULLETIN, "units/"):
        assert shots["policy", path] == shots["plain", path], path


def test_the_previews_live_reload_runs(tmp_path, browser_page):
    """`mkdocs serve` adds its live-reload script inline to every page it sends, different each
    time: the preview's policy lets it run, and an edit reloads the page. (Functions, not strings,
    to wait_for_function: Playwright runs a string with eval, which the policy blocks.)"""
    project = example_project(tmp_path / "preview")
    with mkdocs_serve(project, tmp_path / "serve", as_of="2026-12-01") as server:
        assert "Content-Security-Policy" in fetch(server.url).decode()
        page, recorder = browser_page
        page.goto(server.url + BULLETIN)
        page.wait_for_function("() => typeof livereload === 'function'")  # the inline script ran
        bulletin = project / "bulletins/2021/2021-05-25-special-safety-meeting.md"
        bulletin.write_text(bulletin.read_text(encoding="utf-8").replace("Special Meeting", "Edited Meeting", 1),
                            encoding="utf-8")
        page.wait_for_function("() => document.title.startsWith('Edited Meeting')", timeout=120_000)  # reloaded by it
        assert violations(page) == []
        assert not [e for e in recorder.errors if "Content Security Policy" in e], recorder.errors


@pytest.mark.parametrize("body", [
    '<a title="<script>R(0)</script>" href=x>link</a><script>R(1)</script>',
    "<a title='x > y <script>R(0)</script>'>link</a><SCRIPT>R(1)</SCRIPT >",
    "<!-- <script>R(0)</script> --><script>R(1)</script>",
    "<textarea><script>R(0)</script></textarea><noscript><script>R(0)</script></noscript><script>R(1)</script>",
    "<style>a::after{content:'<script>R(0)</script>'}</style><script>R(1)</script>",
    '<script type="application/json">{"R": 0}</script><script type=" Module ">R(0)</script>'
    '<script type="MODULE">R(1)</script><script type=" text/JavaScript ">R(1)</script>',
    '<script>R(1)\r\nR(1)</script><script>R("</p>")</script>',
], ids=["quoted-attribute", "single-quoted-with-gt", "comment", "textarea-noscript", "style", "types", "line-ends"])
def test_the_hashes_are_those_of_the_scripts_chromium_runs(tmp_path, browser_page, body):
    """csp reads a page's scripts as Chromium does: every script Chromium runs is allowed (no
    violation), and no text that is not a script is (R(0) never runs)."""
    (tmp_path / "r.js").write_text("window.ran = []; window.R = x => window.ran.push(x);", encoding="utf-8")
    page_html = (f'<!doctype html><html><head><meta charset=utf-8><title>t</title><script src="r.js"></script>'
                 f"</head><body>{body}</body></html>")
    (tmp_path / "page.html").write_bytes(csp.with_policy(page_html).encode("utf-8"))
    page, recorder = browser_page
    page.goto((tmp_path / "page.html").as_uri(), wait_until="load")
    page.wait_for_timeout(200)  # a module runs after the page has loaded
    # (a <style> element is refused by design: style-src 'self')
    assert [v for v in violations(page) if v["directive"] != "style-src-elem"] == []
    assert [e for e in recorder.errors if "style-src" not in e] == []
    ran = page.evaluate("window.ran")
    assert ran and 0 not in ran
