"""The bad-input catalogue (tests/catalogue/*.txt, format in its README): each case through
`bulletins check` (in this process: its `main`, output and exit code), `mkdocs build` and
`bulletins verify` (real runs, in their own processes), and `mkdocs serve` where serving can
show something the build does not (the rule: `serve_can_differ`). All time-limited."""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import (AS_OF, MATERIAL_SEARCH_YML, PAGEFIND_YML, REPO, UNITS_YML, MkdocsForks, ServeStopped, builds_forked, fetch,
                     mkdocs_serve, shared_forks, site_files, time_limit)

from safety_bulletins.commands import cli
from safety_bulletins.commands.verify import verify_site

CATALOGUE = Path(__file__).parent / "catalogue"
SECONDS = 120  # per process: a hang is a failure, not a stuck suite
SECRET_OUTSIDE = "OUTSIDE-THE-PROJECT-7f3a"


@dataclass
class Case:
    name: str
    files: dict[str, str] = field(default_factory=dict)
    specials: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, path, target)
    expect: list[str] = field(default_factory=list)
    warn: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    absent_markup: list[str] = field(default_factory=list)  # like absent, but a spreadsheet's CSV keeps values
    present: list[str] = field(default_factory=list)
    only: str = ""
    search: str = "pagefind"  # the default; `search: material`: the build uses lunr's index
    markdown: list[str] = field(default_factory=list)  # Markdown extensions the site adds to the tests' own
    serve: bool = False  # `serve: yes`: about something only the preview does (see serve_can_differ)

    @property
    def fails(self) -> bool:
        return bool(self.expect)


def read_case(path: Path) -> Case:
    case = Case(path.stem)
    parts = re.split(r"^--- (.+)\n", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    for line in parts[0].splitlines()[1:]:
        key, _, value = line.partition(": ")
        if key in ("expect", "warn", "absent", "present", "absent-markup"):
            getattr(case, key.replace("-", "_")).append(value)
        elif key == "only":
            case.only = value
        elif key == "markdown":
            case.markdown.append(value)
        elif key == "search" and value in ("material", "pagefind"):
            case.search = value
        elif key == "serve" and value == "yes":
            case.serve = True
        elif line.strip():
            raise ValueError(f"{path}: unknown header line {line!r}")
    for header, text in zip(parts[1::2], parts[2::2]):
        kind, _, rest = header.partition(" ")
        if kind in ("symlink", "fifo", "folder"):
            target = rest.partition(" -> ")[2]
            case.specials.append((kind, rest.partition(" -> ")[0], target))
        else:
            case.files[header] = text
    return case


def _fs_path(project: Path, name: str) -> Path:
    raw = codecs.escape_decode(name.encode("utf-8"))[0]  # \xNN escapes: bytes as the file system has them
    return Path(os.fsdecode(os.fsencode(str(project)) + b"/" + raw))


def make_project(case: Case, root: Path, search: str | None = None) -> Path:
    """The case's project; `search` overrides the case's engine."""
    project = root / "project"
    outside = root / "outside.txt"
    outside.write_text(f"{SECRET_OUTSIDE}\n")
    site_yml = MATERIAL_SEARCH_YML if (search or case.search) == "material" else PAGEFIND_YML
    site_yml = site_yml.replace("markdown_extensions:\n", "".join(["markdown_extensions:\n", *(f"  - {name}\n" for name in case.markdown)]), 1)
    files = {"mkdocs.yml": site_yml, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML, **case.files}
    for name, text in files.items():
        path = _fs_path(project, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{repo}", str(REPO)), encoding="utf-8")  # a case's mkdocs.yml names the hook
    for kind, name, target in case.specials:
        path = _fs_path(project, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        if kind == "symlink":
            path.symlink_to(target.replace("{outside}", str(outside)))
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.mkdir()
    return project


CASES = sorted(CATALOGUE.glob("*.txt"))


def _env() -> dict[str, str]:
    return {**os.environ, "BULLETINS_TODAY": AS_OF, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


@pytest.fixture
def forks() -> MkdocsForks:
    """This worker's forking process (helpers.shared_forks), not one of the module's: a module-wide fixture
    would put every build case in one xdist group, on one worker, one after the other."""
    return shared_forks()


def _relative(output: str, project: Path) -> str:
    return output.replace(f"{project}/", "").replace(f"{project.resolve()}/", "")


def assert_reports(case: Case, output: str, tool: str) -> None:
    assert "Traceback" not in output, f"{tool} crashed:\n{output[-3000:]}"
    for where, severity in [(e, "error") for e in case.expect] + [(w, "warning") for w in case.warn]:
        location, _, text = where.partition(": ")
        pattern = re.escape(f"{location}: {severity}: ") + r".*" + re.escape(text)
        assert re.search(pattern, output), f"{tool} did not report '{where}' ({severity}):\n{output[-3000:]}"


def assert_site(case: Case, site: Path) -> None:
    texts = site_files(site)  # Pagefind's index decompressed
    for needle in case.absent:
        found = [str(p.relative_to(site)) for p, data in texts.items() if needle.encode() in data]
        assert not found, f"'{needle}' is published in {found}"
    # directives.csv holds values as written: it is data, served as text/csv; so are Pagefind's chunks and
    # fragments (gzipped, never rendered), whose text the worker escapes before Material shows it
    # (tests/browser/test_pagefind_search.py::test_markup_in_bulletins_is_shown_as_text_in_results)
    for needle in case.absent_markup:
        found = [str(p.relative_to(site)) for p, data in texts.items()
                 if needle.encode() in data and p.suffix != ".csv" and not p.suffix.startswith(".pf_")]
        assert not found, f"'{needle}' is published as markup in {found}"
    for needle in case.present:
        assert any(needle.encode() in data for data in texts.values()), f"'{needle}' is not in the site"


def serve_can_differ(case: Case) -> str | None:
    """Why `mkdocs serve` may show this case otherwise than `mkdocs build` does, or None.

    Serving builds the site with the same events, checks and pages as `mkdocs build` (so a case the
    build refuses is refused by serve with the same messages), except that it: replaces site_url with
    the preview's address, builds MkDocs' `draft_docs` pages too, writes into a temporary folder
    whatever `site_dir` says, gives pages the preview's policy (inline scripts, for live reload) and
    runs Pagefind in the background; and the catalogue serves with lunr's index, which holds the text
    of every page (a build with Pagefind, the default, keeps pages out of it). So a case runs through
    serve when it gives its own mkdocs.yml or files in docs/ (what serve reads otherwise), when
    something must be absent (then from lunr's index as served too), or when it says `serve: yes`."""
    if case.serve:
        return "marked serve: yes"
    if "mkdocs.yml" in case.files:
        return "its own mkdocs.yml"
    if any(name.startswith("docs/") for name in [*case.files, *(path for _, path, _ in case.specials)]):
        return "files in docs/"
    if case.absent or case.absent_markup:
        return "text that must be absent, from lunr's index too"
    return None


def _runs_build(path: Path) -> bool:
    return read_case(path).only != "check"


@pytest.mark.parametrize("case_file", CASES, ids=[p.stem for p in CASES])
def test_check(case_file, tmp_path, monkeypatch, capsys):
    """`bulletins check` in this process (a crash is an exception with its stack: it fails the case)."""
    case = read_case(case_file)
    project = make_project(case, tmp_path)
    monkeypatch.chdir(project)
    with time_limit(SECONDS):
        code = cli.main(["check", "bulletins"])
    captured = capsys.readouterr()
    output = _relative(captured.out + captured.err, project)
    if case.only == "build":  # outside what check reads (docs/, mkdocs.yml): it must still not crash
        assert code in (0, 1) and "Traceback" not in output, output
        return
    assert code == (1 if case.fails else 0), output
    assert_reports(case, output, "check")


@pytest.mark.parametrize("case_file", [c for c in CASES if _runs_build(c)], ids=lambda p: p.stem)
def test_build(case_file, tmp_path, forks, monkeypatch):
    """A real `mkdocs build` (its own process, forked from one that has imported MkDocs), and for a
    site that builds a real `bulletins verify` (its rebuild forked the same way: helpers.builds_forked)."""
    builds_forked(monkeypatch)
    case = read_case(case_file)
    project = make_project(case, tmp_path)
    result = forks.run(project, "build", "--site-dir", str(tmp_path / "site"), folder=tmp_path / "run", env=_env(),
                       timeout=SECONDS)
    output = _relative(result.stderr, project)
    assert result.returncode == (1 if case.fails else 0), output
    assert_reports(case, output, "mkdocs build")
    if not case.fails:
        assert_site(case, tmp_path / "site")
        # and `bulletins verify` agrees with the build on it: the same outputs, nothing hidden
        findings = verify_site(project, tmp_path / "site", dt.date.fromisoformat(AS_OF))
        assert findings == [], "\n".join(findings)


# Under the path of the site_url of the tests' mkdocs.yml, as `mkdocs serve` mounts the site; each must be there.
SERVED = ["", "directives/", "units/", "directives.json", "search/search_index.json", "sitemap.xml"]
SERVE_CASES = [c for c in CASES if _runs_build(c) and serve_can_differ(read_case(c))]


@pytest.mark.parametrize("case_file", SERVE_CASES, ids=lambda p: p.stem)
def test_serve(case_file, tmp_path):
    """With lunr's index (the offline copy's search), so that what is served includes a
    search index of every page; test_build checks Pagefind's (the default)."""
    case = read_case(case_file)
    project = make_project(case, tmp_path, search="material")
    if case.fails:
        with pytest.raises(ServeStopped) as stopped, mkdocs_serve(project, tmp_path / "serve", "--no-livereload",
                                                                  seconds=SECONDS):
            pass
        assert stopped.value.returncode != 0, "mkdocs serve started on sources that must not build"
        assert_reports(case, _relative(stopped.value.output, project), "mkdocs serve")
        return
    with mkdocs_serve(project, tmp_path / "serve", "--no-livereload", seconds=SECONDS) as server:
        served = b"".join(fetch(server.url + path) for path in SERVED)
    for needle in case.absent + case.absent_markup:
        assert needle.encode() not in served, f"'{needle}' is served"


def test_the_serve_rule_leaves_out_only_cases_serve_cannot_change():
    """What serve skips is what it cannot show otherwise: the rule keeps every case that has its own
    configuration or docs/, or text that must be absent, and skips the rest (most refused sources)."""
    cases = [read_case(c) for c in CASES if _runs_build(c)]
    served = [c for c in cases if serve_can_differ(c)]
    assert all(serve_can_differ(c) for c in cases if c.absent or c.absent_markup or "mkdocs.yml" in c.files)
    assert 0 < len(served) < len(cases) / 2
    assert serve_can_differ(Case("x", files={"docs/a.md": ""})) and serve_can_differ(Case("x", serve=True))
    assert serve_can_differ(Case("x", expect=["a:1: b"], files={"bulletins/a.md": ""})) is None
