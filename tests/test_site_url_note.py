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
