"""Properties (Hypothesis) of the parser, the checker and the build:

- random and hostile bulletins and unit registries never crash `parse_bulletin`,
  `bulletins check` or `mkdocs build`, which answer in bounded time with file:line problems;
- for any valid corpus, every published directive is listed exactly once in the register,
  on each of its units' pages and in directives.json, and has one card; nothing from a draft
  or a hidden file is anywhere in the built site.

The profile is deterministic (derandomize: the same examples on every run, whatever the day)
and writes no example database. Builds are real `mkdocs build` runs (~2 s each): few examples.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import resource
import subprocess
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from helpers import AS_OF, SITE_YML, UNITS_YML, URLS, mkdocs, time_limit
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from strategies import Corpus, bulletin_text, hostile_project, long_lines, valid_corpus

from safety_bulletins.catalog import Catalog
from safety_bulletins.commands import cli
from safety_bulletins.sources.dates import parse_date
from safety_bulletins.model import Problem, errors_in
from safety_bulletins.sources.parse import parse_bulletin
from safety_bulletins.site_build.rendering import Judge
from safety_bulletins.sources.project import check_folder, load_bulletin, load_project
from safety_bulletins.outputs.site import bulletin_src
from safety_bulletins.site_build.sitebuild import SiteBuild
from safety_bulletins.sources.units import load_units

settings.register_profile(
    "properties",
    deadline=None,  # builds and a loaded machine vary; time is bounded by time_limit below
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
PROFILE = settings.get_profile("properties")
# A build takes ~2 s: shrinking a failure would take many minutes. Its minimal examples were
# reduced by hand and are the explicit examples of the tests.
BUILDS = settings(PROFILE, phases=[Phase.explicit, Phase.reuse, Phase.generate])

def time_for(characters: int) -> float:
    """What reading a file may take: linear in its size, ~50 times what a plain file takes on a loaded machine
    (a quadratic regular expression takes 2 s on a 12 KB line, a cubic one 38 s)."""
    return 1 + characters * 20e-6
HARD_LIMIT = 60  # a hang fails the example instead of the suite


def cpu_seconds() -> float:
    """CPU of this process and the children it reaped (render workers): the work a check does, which a
    loaded machine does not stretch as it stretches the clock (3.1 s on the clock failed a full run)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
HEAD = "---\ntitle: T\ndate: 2026-11-20\ntype: notice\n---\n"


def assert_sound(problems: list[Problem], texts: dict[Path, str], root: Path | None = None) -> None:
    """Problems name a file and a line of it, and their size follows the input's, not the values YAML made up."""
    size = sum(len(t) for t in texts.values())
    for problem in problems:
        assert isinstance(problem, Problem) and problem.message and problem.severity in ("error", "warning")
        if root is not None:
            assert problem.path == root or root in problem.path.parents, problem
        text = texts.get(problem.path)
        if text is not None:
            lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2
            assert 1 <= problem.line <= lines, f"line {problem.line} of a {lines - 1}-line file: {problem}"
        else:
            assert problem.line >= 1, problem
        assert len(str(problem)) <= 2 * size + 2000, f"a {len(str(problem))}-character message: {str(problem)[:300]}"


# ---------------------------------------------------------------- never crash


@settings(PROFILE, max_examples=300)
@given(text=bulletin_text)
def test_parser_never_crashes(text):
    path = Path("bulletins/2026/b.md")
    with time_limit(HARD_LIMIT):
        start = cpu_seconds()
        raw, problems = parse_bulletin(path, text)
        elapsed = cpu_seconds() - start
    assert elapsed < time_for(len(text)), f"parse_bulletin took {elapsed:.1f} s of CPU on {len(text)} characters"
    assert raw is not None or errors_in(problems)
    assert_sound(problems, {path: text})


@settings(PROFILE, max_examples=100)
@example(text=HEAD + "/// " + "`" * 5000)  # cubic: _CODE_SPAN; 12,000 take 38 s
@example(text=HEAD + "/" * 16000)  # quadratic: the directive header patterns
@example(text=HEAD + "![](" * 4000)  # quadratic: _INLINE_LINK in links()
@example(text=HEAD + "[" * 12000)  # refused by markdown_limits: Python-Markdown would take 24 s
@given(text=long_lines())
def test_reading_a_file_takes_linear_time_on_long_lines(text):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "2026" / "b.md"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        registry, _ = load_units(root / "units.yml")
        with time_limit(HARD_LIMIT):
            start = cpu_seconds()
            _, problems = load_bulletin(path, root, registry)
            elapsed = cpu_seconds() - start
    assert elapsed < time_for(len(text)), f"reading the file took {elapsed:.1f} s of CPU for {len(text)} characters"
    assert_sound(problems, {path: text})


def write_bulletins(root: Path, files: dict[str, str | bytes]) -> dict[Path, str]:
    texts = {}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
            texts[path] = content.decode("utf-8", "replace")
        else:
            path.write_bytes(content.encode("utf-8"))
            texts[path] = content
    return texts


def keyed(problems):
    return [(p.path, p.line, p.severity, p.message, p.hint) for p in problems]


OVERFLOW = HEAD + "/// directive\n    units: all\n    deadline: +9999999d\n\nDo it.\n///\n"


@settings(PROFILE, max_examples=150)
@example(project=({"units.yml": UNITS_YML, "2026/b.md": OVERFLOW}, []))
@given(project=hostile_project())
def test_check_never_crashes(project):
    files, _ = project
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "bulletins")
        texts = write_bulletins(root, files)
        out, err = io.StringIO(), io.StringIO()
        with time_limit(HARD_LIMIT):  # a hang, on the clock
            start = cpu_seconds()
            loaded = load_project(root, judge=Judge(workers=0))  # links read as check reads them
            report = check_folder(root, judge=Judge(workers=0))
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main(["check", str(root)])
            elapsed = cpu_seconds() - start
            if not loaded.errors:  # what a build makes of it, without MkDocs
                build = SiteBuild(loaded, parse_date(AS_OF), urls=URLS)
                for page in build.pages.values():
                    build.renderer.page(page)
                for src, bulletin in build.bulletins.items():
                    build.page_source(src, "")
                    build.page_content(src, "")
                json.loads(build.export_json())
    assert elapsed < 3 * time_for(sum(map(len, texts.values()))), f"check took {elapsed:.1f} s of CPU"
    assert keyed(report.problems) == keyed(loaded.problems)
    assert_sound(loaded.problems, texts, root)
    assert code == (1 if loaded.errors else 0), err.getvalue()
    for problem in loaded.errors:
        assert f"{problem.where}:{problem.line}: error: " in err.getvalue()


def make_project(tmp: Path, files: dict[str, str | bytes]) -> Path:
    project = tmp / "project"
    write_bulletins(project, {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n\nWelcome.\n"})
    write_bulletins(project / "bulletins", files)
    return project


def run_build(project: Path, rows_per_page: int | None = None) -> subprocess.CompletedProcess:
    """A real `mkdocs build` (forked from the worker's MkdocsForks, warm); with `rows_per_page`, listings are
    cut into pages that small (set in the run before MkDocs starts)."""
    prelude = "" if rows_per_page is None else \
        f"import safety_bulletins.outputs.pages as p\np.ROWS_PER_PAGE = {int(rows_per_page)}"
    return mkdocs(project, "build", "--site-dir", str(project / "site"), prelude=prelude)


def draft_says_draft(text: str | bytes) -> bool:
    """Whether the front matter, as written, has the line `draft: true`."""
    lines = text.split("\n") if isinstance(text, str) else []
    if not lines or lines[0].rstrip(" \t") != "---":
        return False
    end = next((i for i in range(1, len(lines)) if re.match(r"^(?:---|\.\.\.)[ \t]*$", lines[i])), len(lines))
    return "draft: true" in lines[1:end]


class _Urls(HTMLParser):
    """Every URL attribute of a page (entities decoded, as a browser reads them)."""

    ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset", "background"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in self.ATTRIBUTES and value]


_SCRIPT_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript|data:(?!image/(?:png|gif|jpe?g|webp)))", re.I)


def script_urls(site: Path) -> list[tuple[str, str]]:
    found = []
    for page in site.rglob("*.html"):
        parser = _Urls()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for url in parser.urls:
            if _SCRIPT_SCHEME.match(re.sub(r"[\x00-\x20\x7f]", "", url)):
                found.append((str(page.relative_to(site)), url))
    return found


def published_with(site: Path, needles: list[str]) -> list[tuple[str, str]]:
    return [(str(p.relative_to(site)), needle) for p in site.rglob("*") if p.is_file()
            for needle in needles if needle.encode() in p.read_bytes()]


@settings(BUILDS, max_examples=8)
@given(project=hostile_project())
def test_build_never_crashes_and_agrees_with_check(project):
    files, markers = project
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp), files)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            checked = cli.main(["check", str(root / "bulletins")])
        result = run_build(root)
        output = result.stdout + result.stderr
        assert "Traceback" not in output, output[-3000:]
        assert result.returncode in (0, 1), output[-3000:]
        if result.returncode:
            assert re.search(r"bulletins/\S.*:\d+: error: ", output), output[-3000:]
        assert result.returncode == checked, f"check exited {checked}, the build {result.returncode}:\n{output[-3000:]}"
        if result.returncode == 0:
            site = root / "site"
            assert not script_urls(site)
            if draft_says_draft(files["2026/2026-11-27-draft.md"]):
                assert not published_with(site, markers)


# ---------------------------------------------------------------- valid corpora


class _Rows(HTMLParser):
    """The directive rows of a listing page: the anchor each links to, and whether it is marked 'support'."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple[str, bool]] = []
        self.sub_units: list[str | None] = []  # per row
        self._row: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "tr" and "sb-row" in classes:
            self._row = [None, False]
            self.sub_units.append(attrs.get("data-sb-for"))  # a parent's page: a row of its sub-units'
        elif self._row is not None and tag == "a" and "#" in (attrs.get("href") or "") and self._row[0] is None:
            self._row[0] = attrs["href"].partition("#")[2]
        elif self._row is not None and tag == "span" and "sb-badge--support" in classes:
            self._row[1] = True

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.rows.append(tuple(self._row))
            self._row = None


def listed(pages: list[Path], sub_units: bool = False) -> list[tuple[str, bool]]:
    """The rows of a unit's own listing, or (`sub_units`) those of its sub-units' section."""
    rows = []
    for page in pages:
        parser = _Rows()
        parser.feed(page.read_text(encoding="utf-8"))
        rows += [row for row, sub in zip(parser.rows, parser.sub_units) if (sub is not None) == sub_units]
    return rows


def listing_pages(folder: Path) -> list[Path]:
    """A listing's first page and its numbered pages (folder/2/, folder/3/...)."""
    return [folder / "index.html", *(p / "index.html" for p in folder.iterdir() if p.name.isdigit())]


@settings(BUILDS, max_examples=8)
@given(corpus=valid_corpus(), rows_per_page=st.sampled_from([2, 3, 400]))
def test_valid_corpus_lists_each_directive_once_and_no_hidden_source(corpus: Corpus, rows_per_page):
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp), corpus.files)
        loaded = load_project(root / "bulletins")
        assert not loaded.errors, "\n".join(map(str, loaded.errors))
        result = run_build(root, rows_per_page)
        assert result.returncode == 0, result.stderr[-3000:]
        site = root / "site"
        ids = [d.id for d in corpus.published]

        assert Counter(row for row, _ in listed(listing_pages(site / "directives"))) == Counter(ids)
        catalog = Catalog(loaded, dt.date.fromisoformat(AS_OF))
        for unit in loaded.registry.units:
            expected = {d.id: unit not in d.units for d in corpus.published if unit in d.units | d.support}
            # what awaits this unit's acceptance is listed for it too (not modelled by the corpus)
            accepting = {e.directive.id for e in catalog._unit_entries.get(unit, []) if e.role == "acceptance"}
            rows = [(row, mark) for row, mark in listed(listing_pages(site / "units" / unit))
                    if row in expected or row not in accepting]
            assert Counter(row for row, _ in rows) == Counter(list(expected)), f"units/{unit}/"
            assert dict(rows) == expected, f"units/{unit}/: the 'support' marks"
            # their directives apart, each once, unless the unit holds them in as strong a role itself
            # (one it only supports is a sub-unit's work when a sub-unit is responsible for it)
            below = set(loaded.registry.descendants(unit))
            rank = {"responsible": 0, "support": 1, "acceptance": 2, None: 3}
            expected_sub = {}
            for d in corpus.published:
                own = ("responsible" if unit in d.units else "support" if unit in d.support
                       else "acceptance" if d.id in accepting else None)
                sub = "responsible" if d.units & below else "support" if d.support & below else None
                if sub and rank[sub] < rank[own]:
                    expected_sub[d.id] = sub == "support"
            sub_rows = listed(listing_pages(site / "units" / unit), sub_units=True)
            assert Counter(row for row, _ in sub_rows) == Counter(list(expected_sub)), f"units/{unit}/ sub-units"
            assert dict(sub_rows) == expected_sub, f"units/{unit}/: the sub-units' 'support' marks"

        exported = json.loads((site / "directives.json").read_text(encoding="utf-8"))
        assert Counter(d["id"] for d in exported["directives"]) == Counter(ids)
        bulletins = {bulletin_src(b) for b in loaded.published(dt.date.fromisoformat(AS_OF))}
        assert len(bulletins) == len(corpus.bulletin_pages)
        for page, page_ids in corpus.bulletin_pages.items():
            html = (site / page).read_text(encoding="utf-8")
            for directive_id in page_ids:
                assert len(re.findall(rf'(?<![\w-])id="{re.escape(directive_id)}"', html)) == 1, (page, directive_id)

        assert not published_with(site, corpus.markers)
