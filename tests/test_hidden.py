"""Bulletins not meant to be published, by design: drafts, embargoes (`publish:`) and
classifications above the build's audience. A unique string planted in every part of every
kind of hidden source must be in no file of the built site and in nothing `mkdocs serve` serves."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import AS_OF, MEETING_MD, SITE_YML, UNITS_YML, build, fetch, mkdocs, mkdocs_serve, status, write_tree

from safety_bulletins.model import Bulletin
from safety_bulletins.site_build.rendering import Judge
from safety_bulletins.sources.project import hidden_because, load_project
from safety_bulletins.mkdocs_adapter import bulletin_settings
from safety_bulletins.site_build.settings import SettingsError
from safety_bulletins.commands.verify import verify_site

AS_OF_DATE = dt.date.fromisoformat(AS_OF)
HEAD = "---\ntitle: T\ndate: 2021-05-25\ntype: minutes\n"


def hidden_source(tag: str, marking: str) -> dict[str, str]:
    """A bulletin hidden by `marking` (front matter lines), with `tag` planted in its title, body,
    directive title and text, an attachment's name and content, and its file name."""
    return {
        f"bulletins/2026/2026-11-20-{tag}.md": f"""\
---
title: Title {tag}-TITLE
date: 2026-11-20
type: notice
{marking}
attachments: [files/{tag}-FILE.txt]
---
Body {tag}-BODY.

/// directive | Directive {tag}-DTITLE
    id: {tag}-ID
    units: all
    deadline: 2026-12-20

Text {tag}-DTEXT.
///
""",
        f"bulletins/2026/files/{tag}-FILE.txt": f"content {tag}-CONTENT\n",
    }


KINDS = {
    "HIDDENDRAFT": "draft: true",
    "HIDDENEMBARGO": "publish: 2026-11-29",  # the day after the as-of date
    "HIDDENRESTRICTED": "classification: restricted",  # above the default audience, internal
}
PARTS = ("TITLE", "BODY", "DTITLE", "DTEXT", "FILE", "CONTENT", "ID")
PUBLIC_MD = MEETING_MD.replace("type: minutes", "type: minutes\nclassification: public")


def hidden_project(root: Path, kinds: dict[str, str], audience: str | None = None) -> Path:
    site_yml = SITE_YML + (f"extra:\n  bulletins:\n    audience: {audience}\n" if audience else "")
    files = {"mkdocs.yml": site_yml, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
             "bulletins/2021/2021-05-25-meeting.md": PUBLIC_MD}
    for tag, marking in kinds.items():
        files.update(hidden_source(tag, marking))
    return write_tree(root, files)


def site_files(site: Path) -> dict[str, bytes]:
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert "directives.json" in files and "search/search_index.json" in files and "sitemap.xml" in files
    return files


def leaks(files: dict[str, bytes], tags) -> list[str]:
    return [f"{tag}-{part} in {name}" for tag in tags for part in PARTS for name, data in files.items()
            if f"{tag}-{part}".encode() in data or f"{tag}-{part}" in name]


@pytest.fixture(scope="module")
def hidden_site(tmp_path_factory):
    project = hidden_project(tmp_path_factory.mktemp("hidden") / "project", KINDS)
    return project, build(project)


def test_nothing_from_a_hidden_source_is_in_any_file(hidden_site):
    project, site = hidden_site
    files = site_files(site)
    assert leaks(files, KINDS) == []
    assert b"CIG-2021-05-2" in files["directives.json"]  # the published bulletin is there
    assert "archive/2026/index.html" not in files  # only hidden bulletins are of 2026
    assert verify_site(project, site, AS_OF_DATE) == []


def test_an_embargo_lifts_on_its_date_and_the_strings_are_found_then(tmp_path):
    """The search above can fail: the same sources built on the embargo's date show it all."""
    project = hidden_project(tmp_path / "project", KINDS)
    files = site_files(build(project, as_of="2026-11-29"))
    found = leaks(files, KINDS)
    assert {f.split(" in ")[0] for f in found} == {f"HIDDENEMBARGO-{part}" for part in PARTS}
    assert "bulletins/2026/files/HIDDENEMBARGO-FILE.txt" in files
    assert "bulletins/2026/2026-11-20-HIDDENEMBARGO/index.html" in files


def test_a_public_build_leaves_out_internal_and_restricted(tmp_path):
    kinds = {"HIDDENINTERNAL": "classification: internal", "HIDDENUNMARKED": "", **KINDS}
    project = hidden_project(tmp_path / "project", kinds, audience="public")
    site = build(project)
    files = site_files(site)
    assert leaks(files, kinds) == []
    assert b"CIG-2021-05-2" in files["directives.json"]
    assert verify_site(project, site, AS_OF_DATE) == []  # the audience read from mkdocs.yml
    config = project / "mkdocs.yml"  # the site is checked against a build for another audience
    config.write_text(config.read_text(encoding="utf-8").replace("audience: public", "audience: internal"), encoding="utf-8")
    found = verify_site(project, site, AS_OF_DATE)
    assert "assets/safety-bulletins/build.json:1: has audience public where the sources give internal" in found
    assert any("HIDDENINTERNAL" in f and f.endswith(": missing (a build from the sources has it)") for f in found)


def test_a_restricted_build_shows_everything_classified(tmp_path):
    project = hidden_project(tmp_path / "project", {"SHOWNRESTRICTED": "classification: restricted"},
                             audience="restricted")
    files = site_files(build(project))
    assert {f.split(" in ")[0] for f in leaks(files, ["SHOWNRESTRICTED"])} == {f"SHOWNRESTRICTED-{p}" for p in PARTS}


def test_serve_serves_nothing_hidden(tmp_path):
    project = hidden_project(tmp_path / "project", KINDS)
    with mkdocs_serve(project, tmp_path / "serve", "--no-livereload") as server:
        served = {}
        for path in ("", "directives/", "units/", "units/energy/", "archive/", "archive/2021/", "directives.json",
                     "search/search_index.json", "sitemap.xml", "bulletins/2021/2021-05-25-meeting/"):
            served[path] = fetch(server.url + path)  # under site_url's path
        assert b"CIG-2021-05-2" in served["directives.json"]
        assert leaks(served, KINDS) == []
        for tag in KINDS:  # the pages and attachments themselves are not found
            assert status(f"{server.url}bulletins/2026/2026-11-20-{tag}/") == 404
            assert status(f"{server.url}bulletins/2026/files/{tag}-FILE.txt") == 404


# The rule, in one place


def bulletin(**fields) -> Bulletin:
    return Bulletin(Path("b.md"), "b.md", "T", dt.date(2026, 1, 1), "notice", "", 1, **fields)


@pytest.mark.parametrize("fields, audience, reason", [
    ({}, "internal", ""),
    ({}, "public", "classified 'internal', above the 'public' audience"),
    ({"draft": True}, "restricted", "a draft"),
    ({"publish": dt.date(2026, 11, 29)}, "internal", "embargoed until 2026-11-29"),
    ({"publish": AS_OF_DATE}, "internal", ""),  # on its date it is published
    ({"publish": dt.date(2026, 11, 27)}, "internal", ""),
    ({"classification": "restricted"}, "internal", "classified 'restricted', above the 'internal' audience"),
    ({"classification": "restricted"}, "restricted", ""),
    ({"classification": "public"}, "public", ""),
])
def test_hidden_because(fields, audience, reason):
    assert hidden_because(bulletin(**fields), AS_OF_DATE, audience) == reason


def test_published_and_hidden_split_the_bulletins(bulletins_dir):
    project = load_project(bulletins_dir({
        "a.md": HEAD + "---\n", "d.md": HEAD + "draft: true\n---\n", "e.md": HEAD + "publish: 2027-01-01\n---\n",
        "r.md": HEAD + "classification: restricted\n---\n", "p.md": HEAD + "classification: public\n---\n",
    }))
    assert project.problems == []
    assert [b.rel_path for b in project.published(AS_OF_DATE)] == ["a.md", "p.md"]
    assert [b.rel_path for b in project.hidden(AS_OF_DATE)] == ["d.md", "e.md", "r.md"]
    assert [b.rel_path for b in project.published(dt.date(2027, 1, 1), "restricted")] == ["a.md", "e.md", "p.md", "r.md"]
    assert [b.rel_path for b in project.published(AS_OF_DATE, "public")] == ["p.md"]


# What check says


def messages(bulletins_dir, files, as_of=None) -> list[tuple[str, int, str, str]]:
    project = load_project(bulletins_dir(files), as_of, Judge(workers=0))  # links read as check reads them
    return [(p.path.name, p.line, p.message, p.hint) for p in project.problems]


@pytest.mark.parametrize("marking", ["secret", "confidential", "top-secret", "机密", "秘密", "绝密", "Internal", "[public]"])
def test_other_markings_are_refused(bulletins_dir, marking):
    [(name, line, message, hint)] = messages(bulletins_dir, {"b.md": HEAD + f"classification: {marking}\n---\n"})
    assert (name, line) == ("b.md", 5)
    assert "is not allowed: a document marked so must not be on the intranet at all" in message
    assert "removed from this repository" in hint


def test_a_marking_close_to_an_allowed_one_is_named(bulletins_dir):
    [(_, _, _, hint)] = messages(bulletins_dir, {"b.md": HEAD + "classification: Internal\n---\n"})
    assert hint.startswith("Did you mean 'internal'?")


@pytest.mark.parametrize("value, message", [
    ("2026-02-30", "'publish': '2026-02-30' is not a real date"),
    ("next week", "'publish': 'next week' is not a date"),
    ("2026/12/01", "'publish': '2026/12/01' is not a date"),
])
def test_an_embargo_must_be_a_valid_date(bulletins_dir, value, message):
    [(name, line, found, _)] = messages(bulletins_dir, {"b.md": HEAD + f"publish: {value}\n---\n"})
    assert (name, line) == ("b.md", 5) and found.startswith(message)


LINK = HEAD + "{marking}---\nSee [the other](o.md).\n"


@pytest.mark.parametrize("here, there, message", [
    ("", "publish: 2027-01-01\n", "links to 'o.md', which is embargoed until 2027-01-01"),
    ("publish: 2026-12-01\n", "publish: 2027-01-01\n",
     "links to 'o.md', which is embargoed until 2027-01-01, later than this bulletin (2026-12-01)"),
    ("classification: public\n", "", "links to 'o.md', which is classified 'internal', above this bulletin ('public')"),
    ("", "classification: restricted\n",
     "links to 'o.md', which is classified 'restricted', above this bulletin ('internal')"),
])
def test_a_link_to_a_bulletin_hidden_in_some_build_is_an_error(bulletins_dir, here, there, message):
    found = messages(bulletins_dir, {"b.md": LINK.format(marking=here), "o.md": HEAD + there + "---\n"}, AS_OF_DATE)
    assert [(name, line, text) for name, line, text, _ in found] == [("b.md", 6 + here.count("\n"), message)]


@pytest.mark.parametrize("here, there", [
    ("publish: 2027-01-01\n", "publish: 2027-01-01\n"),  # lifted together
    ("publish: 2027-02-01\n", "publish: 2027-01-01\n"),
    ("", "publish: 2026-11-28\n"),  # lifted by the as-of date
    ("classification: restricted\n", "classification: internal\n"),
    ("classification: internal\n", "classification: public\n"),
    ("draft: true\n", "classification: restricted\n"),  # a draft's links break nowhere
])
def test_links_that_break_in_no_build_are_fine(bulletins_dir, here, there):
    files = {"b.md": LINK.format(marking=here), "o.md": HEAD + there + "---\n"}
    assert messages(bulletins_dir, files, AS_OF_DATE) == []


def test_without_an_as_of_date_every_embargo_counts(bulletins_dir):
    files = {"b.md": LINK.format(marking=""), "o.md": HEAD + "publish: 2020-01-01\n---\n"}
    assert messages(bulletins_dir, files, AS_OF_DATE) == []
    assert [t for _, _, t, _ in messages(bulletins_dir, files)] == ["links to 'o.md', which is embargoed until 2020-01-01"]


# The site setting


@pytest.mark.parametrize("extra, audience", [
    (None, "internal"), ({}, "internal"), ({"bulletins": {}}, "internal"),
    ({"bulletins": {"audience": "public"}}, "public"), ({"bulletins": {"audience": "restricted"}}, "restricted"),
])
def test_the_audience_setting(extra, audience):
    assert bulletin_settings(extra).audience == audience


@pytest.mark.parametrize("extra, message", [
    ({"bulletins": {"audience": "secret"}}, "audience: Expected one of: ('public', 'internal', 'restricted') but received: 'secret'"),
    ({"bulletins": {"audiance": "public"}}, "unknown setting 'audiance'; the settings are: audience"),
    ({"bulletins": "public"}, "must hold settings such as 'audience: internal'"),
    ({"bulletins": {"audience": ["public"]}}, "received: ['public']"),
])
def test_a_wrong_audience_setting_is_refused(extra, message):
    with pytest.raises(SettingsError, match="^mkdocs.yml: extra: bulletins: ") as error:
        bulletin_settings(extra)
    assert message in str(error.value)


def test_a_wrong_audience_setting_fails_the_build(tmp_path):
    project = hidden_project(tmp_path / "project", {}, audience="everyone")
    result = mkdocs(project, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = (project / "mkdocs.yml").read_text().splitlines().index("    audience: everyone") + 1  # at its line
    assert f"mkdocs.yml:{line}: error: extra: bulletins: audience: Expected one of: ('public', 'internal', " \
           "'restricted') but received: 'everyone'\n    Write e.g. 'audience: internal'." in result.stderr
    assert not (project / "site").exists()


def test_verify_finds_hidden_attachments_by_path_and_by_bytes(hidden_site, tmp_path):
    project, site = hidden_site
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    source = project / "bulletins/2026/files"
    shutil.copy(source / "HIDDENDRAFT-FILE.txt", copy / "assets/renamed.txt")
    (copy / "bulletins/2026/files").mkdir(parents=True)
    shutil.copy(source / "HIDDENEMBARGO-FILE.txt", copy / "bulletins/2026/files/HIDDENEMBARGO-FILE.txt")
    embargoed = "'2026/2026-11-20-HIDDENEMBARGO.md' (embargoed until 2026-11-29)"
    assert verify_site(project, copy, AS_OF_DATE) == [
        "assets/renamed.txt: a file the sources do not give (extra)",
        "assets/renamed.txt: has the bytes of an attachment of '2026/2026-11-20-HIDDENDRAFT.md' (a draft)",
        "bulletins/2026/files/HIDDENEMBARGO-FILE.txt: a file the sources do not give (extra)",
        "bulletins/2026/files/HIDDENEMBARGO-FILE.txt: an attachment of '2026/2026-11-20-HIDDENEMBARGO.md', "
        "which is embargoed until 2026-11-29",
        f"bulletins/2026/files/HIDDENEMBARGO-FILE.txt: its name contains an attachment name of {embargoed}",
        f"bulletins/2026/files/HIDDENEMBARGO-FILE.txt: has the bytes of an attachment of {embargoed}",
    ]


def test_dirty_builds_follow_the_embargo_and_the_audience(tmp_path):
    """A dirty build keeps the site of the last one: what became hidden must leave it."""
    project = hidden_project(tmp_path / "project", {"SHOWNRESTRICTED": "classification: restricted"},
                             audience="restricted")
    write_tree(project, hidden_source("HIDDENEMBARGO", "publish: 2026-11-29"))
    site = project / "site"

    def dirty(as_of: str) -> dict[str, bytes]:
        result = mkdocs(project, "build", "--dirty", "--site-dir", "site", as_of=as_of)
        assert result.returncode == 0, result.stderr
        return site_files(site)

    assert leaks(dirty("2026-11-29"), ["HIDDENEMBARGO"])  # lifted: published
    assert leaks(dirty("2026-11-28"), ["HIDDENEMBARGO"]) == []  # the as-of date moved back
    assert leaks(site_files(site), ["SHOWNRESTRICTED"])
    (project / "mkdocs.yml").write_text(SITE_YML, encoding="utf-8")  # the default audience, internal
    assert leaks(dirty("2026-11-28"), ["SHOWNRESTRICTED", "HIDDENEMBARGO"]) == []
    assert verify_site(project, site, AS_OF_DATE) == []


def test_due_follows_the_audience(tmp_path):
    project = hidden_project(tmp_path / "project", {"HIDDENINTERNAL": "classification: internal"}, audience="public")
    result = subprocess.run([sys.executable, "-m", "safety_bulletins.commands.cli", "due", "--within", "60d", "--format", "json"],
                            cwd=project, capture_output=True, text=True, env={**os.environ, "BULLETINS_TODAY": AS_OF})
    assert result.returncode == 0, result.stderr
    assert "HIDDENINTERNAL" not in result.stdout
    (project / "mkdocs.yml").write_text(SITE_YML, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "safety_bulletins.commands.cli", "due", "--within", "60d", "--format", "json"],
                            cwd=project, capture_output=True, text=True, env={**os.environ, "BULLETINS_TODAY": AS_OF})
    assert "HIDDENINTERNAL-ID" in result.stdout  # the same directive, shown to the staff


def test_a_follow_up_valid_only_through_a_hidden_one_is_an_error_for_that_audience_alone(site_project, monkeypatch, capsys):
    """Closed in a restricted bulletin, reopened with an escalation and a new deadline in an
    internal one: the internal build would drop the reopening without a word."""
    from test_catalogue import CATALOGUE, read_case

    from safety_bulletins.commands.cli import main

    case = read_case(CATALOGUE / "followup-out-valid-only-through-a-restricted-one.txt")
    project = site_project({name.removeprefix("bulletins/"): text for name, text in case.files.items()})
    monkeypatch.chdir(project)
    assert main(["check"]) == 1
    assert "2026-11-25-review.md:6: error: the follow-up counts only after" in capsys.readouterr().err
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "extra:\n  bulletins:\n    audience: restricted\n")
    assert main(["check"]) == 0  # a build for the restricted audience has both
    closed = project / "bulletins/2026/2026-11-22-closed.md"
    closed.write_text(closed.read_text().replace("classification: restricted", "publish: 2026-11-29"))
    config.write_text(config.read_text().replace("audience: restricted", "audience: internal"))
    assert main(["check"]) == 1  # embargoed until after the as-of date: left out too
    assert "leaves out (embargoed until 2026-11-29)" in capsys.readouterr().err
    monkeypatch.setenv("BULLETINS_TODAY", "2026-11-29")
    assert main(["check"]) == 0
