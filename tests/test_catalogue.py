"""The bad-input catalogue (tests/catalogue/*.txt, format in its README): each case through
`bulletins check`, `mkdocs build` and `mkdocs serve`, in their own processes, time-limited."""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import AS_OF, MATERIAL_SEARCH_YML, PAGEFIND_YML, REPO, UNITS_YML, free_port, site_files

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


def _run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=project, env=_env(), capture_output=True, text=True,
                          errors="replace", timeout=SECONDS)


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


@pytest.mark.parametrize("case_file", CASES, ids=[p.stem for p in CASES])
def test_check(case_file, tmp_path):
    case = read_case(case_file)
    project = make_project(case, tmp_path)
    result = _run(project, "safety_bulletins.commands.cli", "check", "bulletins")
    output = _relative(result.stdout + result.stderr, project)
    if case.only == "build":  # outside what check reads (docs/, mkdocs.yml): it must still not crash
        assert result.returncode in (0, 1) and "Traceback" not in output, output
        return
    assert result.returncode == (1 if case.fails else 0), output
    assert_reports(case, output, "check")


@pytest.mark.parametrize("case_file", [c for c in CASES if "only: check" not in c.read_text(encoding="utf-8")],
                         ids=lambda p: p.stem)
def test_build(case_file, tmp_path):
    case = read_case(case_file)
    project = make_project(case, tmp_path)
    result = _run(project, "mkdocs", "build", "--site-dir", str(tmp_path / "site"))
    output = _relative(result.stderr, project)
    assert result.returncode == (1 if case.fails else 0), output
    assert_reports(case, output, "mkdocs build")
    if not case.fails:
        assert_site(case, tmp_path / "site")
        # and `bulletins verify` agrees with the build on it: the same outputs, nothing hidden
        findings = verify_site(project, tmp_path / "site", dt.date.fromisoformat(AS_OF))
        assert findings == [], "\n".join(findings)


# Under the path of the site_url of the tests' mkdocs.yml, as `mkdocs serve` mounts the site; each must be there.
SERVED = [f"safety/{path}" for path in ("", "directives/", "units/", "directives.json", "search/search_index.json",
                                         "sitemap.xml")]


@pytest.mark.parametrize("case_file", [c for c in CASES if "only: check" not in c.read_text(encoding="utf-8")],
                         ids=lambda p: p.stem)
def test_serve(case_file, tmp_path):
    """With lunr's index (the offline copy's search), so that what is served includes a
    search index of every page; test_build checks Pagefind's (the default)."""
    case = read_case(case_file)
    project = make_project(case, tmp_path, search="material")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "--dev-addr",
                               f"127.0.0.1:{port}"], cwd=project, env=_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, errors="replace")
    try:
        if case.fails:
            _, stderr = server.communicate(timeout=SECONDS)
            assert server.returncode != 0, "mkdocs serve started on sources that must not build"
            assert_reports(case, _relative(stderr, project), "mkdocs serve")
            return
        served = b"".join(_fetch(f"http://127.0.0.1:{port}/{path}", server) for path in SERVED)
        for needle in case.absent + case.absent_markup:
            assert needle.encode() not in served, f"'{needle}' is served"
    finally:
        server.kill()
        server.wait()


def _fetch(url: str, server: subprocess.Popen) -> bytes:
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"mkdocs serve stopped: {server.stderr.read()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{url}: HTTP {error.code}") from None
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} was not served within {SECONDS} s")
