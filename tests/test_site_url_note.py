"""A site without `site_url` gets feeds with relative links and calendars without links: the
build log says so once, and so does `bulletins check`; with `site_url`, neither says a word, and
every link of every feed is absolute."""

import json
import re

import pytest

from helpers import MEETING_MD, SITE_YML, UNITS_YML, mkdocs, write_tree

from safety_bulletins.commands.cli import main

NOTE = "no site_url in mkdocs.yml: the feeds' links are relative"


def project(root, site_url: bool):
    config = SITE_YML if site_url else SITE_YML.replace("site_url: http://intranet.test/safety/\n", "")
    assert ("site_url:" in config) == site_url
    return write_tree(root, {"mkdocs.yml": config, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
                             "bulletins/2021/2021-05-25-meeting.md": MEETING_MD})


@pytest.mark.parametrize("site_url", [False, True])
def test_the_build_says_once_that_feeds_need_site_url(tmp_path, site_url):
    root = project(tmp_path / "project", site_url)
    result = mkdocs(root, "build")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(NOTE) == (0 if site_url else 1), result.stderr
    assert not [line for line in result.stderr.splitlines() if NOTE in line and "WARNING" in line]  # --strict passes
    links = re.findall(r'<link [^>]*href="([^"]*)"', (root / "site" / "feeds" / "all.xml").read_text(encoding="utf-8"))
    assert links and all(link.startswith("http://intranet.test/safety/") for link in links) == site_url


@pytest.mark.parametrize("site_url", [False, True])
def test_check_says_it_once_too(tmp_path, site_url, capsys, monkeypatch):
    root = project(tmp_path / "project", site_url)
    monkeypatch.chdir(root)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.count(NOTE) == (0 if site_url else 1), out
    if not site_url:
        assert f"{root / 'mkdocs.yml'}: note: {NOTE}" in out and "set site_url to the site's public address" in out
    assert main(["check", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and len(report["notes"]) == (0 if site_url else 1)


NOTE_404 = "the page for a missing address (404.html) links from the server's root"


@pytest.mark.parametrize("site_url", [False, True])
def test_the_page_not_found_under_a_sub_path_works_only_with_site_url(tmp_path, site_url, capsys, monkeypatch):
    """Issue 22's leftovers: nginx serves 404.html at the missing address (`error_page`), at any depth
    under the site's sub-path, so only links from the server's root can hold there, and MkDocs takes
    the root's path from site_url. With it, every link, stylesheet and script of the page answers at
    /safety/a/b/c; without it they point outside the site (no script-free page can know its sub-path:
    `<base>` needs it written), and the build and `bulletins check` say so."""
    import urllib.error
    import urllib.request
    from html.parser import HTMLParser
    from urllib.parse import urljoin, urlsplit

    from helpers import nginx

    root = project(tmp_path / "project", site_url)
    result = mkdocs(root, "build")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(NOTE_404) == (0 if site_url else 1), result.stderr
    monkeypatch.chdir(root)
    assert main(["check"]) == 0
    assert capsys.readouterr().out.count(NOTE_404) == (0 if site_url else 1)

    class Links(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag, attrs):
            value = dict(attrs).get("src" if tag in ("script", "img") else "href")
            if tag in ("a", "link", "script", "img") and value and not value.startswith(("#", "mailto:")):
                self.found.append(value)

    site = root / "site"
    served = f"location /safety/ {{ alias {site}/; error_page 404 /safety/404.html; }}"
    (tmp_path / "nginx").mkdir()
    with nginx(tmp_path / "nginx", {"/safety/": site}, served=served) as base:
        missing = base + "/safety/a/b/c"
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(missing)
        assert answer.value.code == 404
        page = answer.value.read().decode("utf-8")
        assert "<h1>404 - Not found</h1>" in page
        links = Links()
        links.found = []
        links.feed(page)
        urls = sorted({urljoin(missing, link) for link in links.found})
        ours = [url for url in urls if urlsplit(url).netloc == urlsplit(base).netloc]
        assert any(url.endswith("/assets/safety-bulletins/bulletins.css") for url in ours)
        assert len(ours) > 5

        def status(url: str) -> int:
            try:
                with urllib.request.urlopen(url) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        answers = {url: status(url) for url in ours}
    if site_url:
        assert answers == dict.fromkeys(ours, 200)
    else:  # from the server's root, outside /safety/
        assert all(urlsplit(url).path.startswith("/safety/") is False for url in ours)
        assert answers[base + "/assets/safety-bulletins/bulletins.css"] == 404
