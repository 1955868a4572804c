"""`bulletins verify SITE`: passes on what the build makes, and catches each kind of tampering."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest
from helpers import AS_OF, REPO, build, builds_forked, mkdocs

from hypothesis import example as case, given, strategies as st

from safety_bulletins.commands.verify import (_matches, _needles, _scripts, _Urls, may_hold_script_url, overlap_for,
                                              script_url, verify_site)

AS_OF_DATE = dt.date.fromisoformat(AS_OF)
DRAFT = "bulletins/2026/2026-11-27-draft-notice-holiday-safety"  # the example site's draft
MEETING = "bulletins/2021/2021-05-25-special-safety-meeting/index.html"


@pytest.fixture(autouse=True)
def forked_rebuilds(request, monkeypatch):
    """verify's rebuild forked from the warm MkdocsForks (helpers.builds_forked), but where the test is about
    the rebuild's process (its time limit, its session), marked build_process."""
    if request.node.get_closest_marker("build_process") is None:
        builds_forked(monkeypatch)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The repository's own site, built once in a temporary copy; with the draft built too, elsewhere."""
    project = tmp_path_factory.mktemp("example") / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "docs", "bulletins", "hooks"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, project / name)
    site = build(project)
    draft_md = project / f"{DRAFT}.md"
    text = draft_md.read_text(encoding="utf-8")
    assert "draft: true" in text
    draft_md.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    with_draft = build(project, site="site-with-draft")
    draft_md.write_text(text, encoding="utf-8")
    return project, site, with_draft


@pytest.fixture
def tampered(example, tmp_path):
    """A copy of the example site to change; verify's findings on it."""
    project, site, _ = example
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    return copy, lambda: verify_site(project, copy, AS_OF_DATE)


def edit(path: Path, change) -> None:
    """Change a file's text, every other byte kept (CRLF line ends too)."""
    text = path.read_bytes().decode("utf-8")
    changed = change(text)
    assert changed != text, "the tampering changed nothing"
    path.write_bytes(changed.encode("utf-8"))


def card_of(page: str, directive_id: str) -> tuple[int, int]:
    """Where a directive's card (its outer div, nested divs included) is in a page."""
    start = page.rindex('<div class="sb-directive ', 0, page.index(f'id="{directive_id}"'))
    depth = 0
    for tag in re.finditer(r"<div\b|</div>", page[start:]):
        depth += 1 if tag.group(0) == "<div" else -1
        if depth == 0:
            return start, start + tag.end()
    raise AssertionError("unclosed card")


def test_the_example_site_verifies(example):
    project, site, _ = example
    assert json.loads((site / "assets/safety-bulletins/build.json").read_text(encoding="utf-8"))["as_of"] == AS_OF
    assert verify_site(project, site) == []  # at the as-of date the site records
    assert verify_site(project, site, AS_OF_DATE) == []


def test_the_command_on_the_example_site(example):
    project, site, _ = example
    result = run("verify", str(site), "--project", str(project))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"OK: {site} is byte for byte what the sources give as of {AS_OF}, and holds nothing hidden.\n"


def first_card(page: str) -> tuple[int, int]:
    start = page.index('<div class="sb-directive ')
    return start, card_of(page, re.search(r'id="([^"]+)"', page[start:]).group(1))[1]


def change_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


FORGED_CARD = ('<section><div class="sb-directive sb-directive--closed"><h3 class="sb-directive__title" '
               'id="CIG-2021-05-2">Forged</h3><dl class="sb-facts"><dt>Status</dt><dd>Done</dd></dl></div></section>')
INSPECTION = "bulletins/2021/2021-06-01-inspection-report/index.html"
LINE = r":\d+: "
DIFFERS = LINE + r'differs from a build from the sources: ".*" where the sources give ".*"'


def test_each_tampering_is_found_with_its_file_and_line(tampered):
    """A review's tamperings of a built site, one file each, all at once: each is one finding
    (or two, where no rebuild is needed to see it) that names the file and the first line that
    differs, and nothing else is found. What verify claimed to check and missed: a card that
    says Done, another unit, a card forged inside a <section>, the words of a register row,
    <animate to="javascript:">."""
    site, findings = tampered
    expected = {}

    def tamper(name: str, change, *patterns: str) -> None:
        path = site / name
        if change is not None:
            edit(path, change)
        expected[name] = list(patterns)

    tamper(INSPECTION, lambda t: t.replace("<dt>Status</dt><dd>In progress</dd>", "<dt>Status</dt><dd>Done</dd>", 1),
           DIFFERS.replace('".*" where', '".*<dd>Done</dd>.*" where'))
    def other_unit(text):
        start, end = first_card(text)
        card = re.sub(r'(class="sb-unit" href="[^"]*">)[^<]+<', r"\1Energy Company<", text[start:end], count=1)
        return text[:start] + card + text[end:]
    tamper(MEETING, other_unit, DIFFERS.replace('".*" where', '".*Energy Company.*" where'))
    tamper("index.html", lambda t: t.replace("</article>", FORGED_CARD + "</article>", 1), DIFFERS)
    tamper("directives/index.html", lambda t: t.replace(">Repair emergency lighting", ">Ignore emergency lighting", 1),
           DIFFERS.replace('".*" where', '".*Ignore emergency lighting.*" where'))
    tamper("units/index.html", lambda t: t.replace(
        "</article>", '<svg><a><animate attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg></article>', 1),
        DIFFERS, LINE + r"to=\"javascript:alert\(1\)\" is a 'javascript:' URL \(allowed: .*\)")
    shutil.copytree(site / "bulletins/2021/2021-06-01-inspection-report", site / "bulletins/2021/forged")
    tamper("bulletins/2021/forged/index.html", None, r": a file the sources do not give \(extra\)")
    (site / "units/energy/index.html").unlink()
    tamper("units/energy/index.html", None, r": missing \(a build from the sources has it\)")
    tamper("directives.json", lambda t: t.replace('"deadline": "2021-06-30"', '"deadline": "2027-06-30"', 1),
           LINE + "directive 'CIG-2021-05-2' has deadline 2027-06-30 where the sources give 2021-06-30")
    tamper("directives.csv", lambda t: t.replace("CIG-2021-05-2,Full-coverage", "CIG-2021-05-2,Partial", 1), LINE + "the row of 'CIG-2021-05-2' is not what the sources give: "
                                          r'".*Partial.*" where the sources give ".*Full-coverage.*"')
    tamper("calendar/all.ics", lambda t: t.replace("DTSTART;VALUE=DATE:20210620", "DTSTART;VALUE=DATE:20990620", 1),
           LINE + r"the event of '[^']+' is not what the sources give: \".*20990620.*\" where the sources give \".*20210620.*\"")
    tamper("feeds/all.xml", lambda t: re.sub(r"(<entry>.*?<updated>)[^<]*(</updated>)", r"\g<1>1999-01-01T00:00:00Z\2",
                                             t, count=1, flags=re.S),
           LINE + r"the entry of '[^']+' is not what the sources give: \".*1999-01-01.*\" where the sources give \".*20\d\d-.*\"")
    tamper("pagefind/pagefind-entry.json", lambda t: t.replace('"page_count":', '"page_count": ', 1), DIFFERS)
    fragment = sorted((site / "pagefind/fragment").iterdir())[0]
    change_byte(fragment, 20)
    tamper(f"pagefind/fragment/{fragment.name}", None,
           r": byte 20: differs from a build from the sources \(a binary file\)")
    tamper("sitemap.xml", lambda t: t.replace("</urlset>", "<url><loc>http://evil.example/</loc></url></urlset>"),
           DIFFERS.replace('".*" where', '".*evil.example.*" where'))
    (site / "assets/extra.js").write_text("alert(1)\n", encoding="utf-8")
    tamper("assets/extra.js", None, r": a file the sources do not give \(extra\)")
    (site / "assets/safety-bulletins/live.js").unlink()
    (site / "assets/safety-bulletins/live.js").symlink_to("/dev/zero")
    tamper("assets/safety-bulletins/live.js", None,
           r": a symbolic link to '/dev/zero', not a regular file \(not followed or read\)")
    os.mkfifo(site / "assets/safety-bulletins/filter.js.fifo")
    tamper("assets/safety-bulletins/filter.js.fifo", None, r": a FIFO, not a regular file \(not followed or read\)")
    (site / "assets/etc").symlink_to("/etc", target_is_directory=True)
    tamper("assets/etc", None, r": a symbolic link to '/etc', not a regular file \(not followed or read\)")
    (site / "bulletins/2021/attachments/notes.html").write_text("<p>notes</p>\n", encoding="utf-8")
    tamper("bulletins/2021/attachments/notes.html", None, r": a file the sources do not give \(extra\)")
    tamper("assets/safety-bulletins/build.json", lambda t: t.replace('"internal"', '"public"'),
           LINE + "has audience public where the sources give internal")
    found = findings()
    by_file = {}
    for finding in found:
        by_file.setdefault(finding.split(":", 1)[0], []).append(finding)
    assert sorted(by_file) == sorted(expected), "\n".join(found)
    for name, patterns in expected.items():
        assert len(by_file[name]) == len(patterns), by_file[name]
        for finding, pattern in zip(by_file[name], patterns):
            assert re.fullmatch(re.escape(name) + pattern, finding), finding
    assert len(expected) >= 20


def test_a_clean_site_with_a_site_url_and_the_editors_own_outputs(example, tmp_path):
    """MkDocs adds the trailing slash and lowers the scheme of site_url before the build sees it;
    editors may write a calendar and a feed in docs/. A rebuild compares what the build makes,
    whatever it is: nothing is found. (An .html attachment once made the old verify guess the
    URL style wrong; such attachments are refused now, see sources.paths.ACTIVE_SUFFIXES.)"""
    project, _, _ = example
    copy = tmp_path / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("site", "site-with-draft", ".cache"))
    config = copy / "mkdocs.yml"
    config.write_text("site_url: HTTP://Intranet.example/safety\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("calendar/holidays.ics", "feeds/press.xml"):
        (copy / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / "docs" / name).write_text("written by hand\n", encoding="utf-8")
    site = build(copy)
    assert "URL:http://Intranet.example/safety/bulletins/" in (site / "calendar" / "all.ics").read_text(encoding="utf-8")
    assert (site / "calendar" / "holidays.ics").is_file() and (site / "feeds" / "press.xml").is_file()
    assert verify_site(copy, site, AS_OF_DATE) == []


def test_the_offline_copy_is_rebuilt_as_one(example, tmp_path):
    """The record says the site is the offline copy, so the rebuild is one too (pages link to
    .../index.html), whatever BULLETINS_OFFLINE is where verify runs."""
    project, _, _ = example
    copy = tmp_path / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("site", "site-with-draft", ".cache"))
    result = mkdocs(copy, "build", "--site-dir", "site", BULLETINS_OFFLINE="true")
    assert result.returncode == 0, result.stderr
    assert json.loads((copy / "site/assets/safety-bulletins/build.json").read_text(encoding="utf-8"))["offline"] is True
    assert verify_site(copy, copy / "site") == []


def test_huge_and_special_files_are_findings_not_reads(tampered, example):
    """A sparse file of 4 GB in place of a page and beside it, and a link to an endless device:
    each is a finding; the page is compared only up to its first difference and the extra
    files are never read, so verify holds a few blocks, never a file."""
    site, findings = tampered
    project, _, _ = example
    with open(site / "units/index.html", "r+b") as page:
        page.truncate(4 * 2**30)
    with open(site / "assets/huge.bin", "wb") as huge:
        huge.truncate(4 * 2**30)
    (site / "directives.json").unlink()
    (site / "directives.json").symlink_to("/dev/zero")
    tracemalloc.start()
    try:
        found = findings()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"verify held {peak} bytes at once"
    size = (project / "site/units/index.html").stat().st_size
    assert found[:2] == [
        "assets/huge.bin: a file the sources do not give (extra)",
        "directives.json: a symbolic link to '/dev/zero', not a regular file (not followed or read)"]
    assert re.fullmatch(rf"units/index.html: byte {size}: goes on after the end of what a build from the sources "
                        rf"gives \({4 * 2**30} bytes, not {size}\)", found[2]), found
    assert found[3:] == [f"units/index.html: {4 * 2**30} bytes, more than any page of this site (not read)"]


def test_a_site_without_its_record(tampered, example):
    site, findings = tampered
    project, _, _ = example
    (site / "assets/safety-bulletins/build.json").unlink()
    result = run("verify", str(site), "--project", str(project))
    assert result.returncode == 1
    assert result.stdout.startswith("assets/safety-bulletins/build.json: missing or unreadable (FileNotFoundError")
    assert "give it with --as-of" in result.stdout
    result = run("verify", str(site), "--project", str(project), "--as-of", AS_OF)  # then everything else is compared
    assert (result.returncode, result.stdout) == (
        1, "assets/safety-bulletins/build.json: missing (a build from the sources has it)\n")


def test_another_as_of_date_is_a_finding(example):
    project, site, _ = example
    found = verify_site(project, site, dt.date(2026, 12, 28))
    assert "assets/safety-bulletins/build.json:1: has as_of 2026-11-28 where the sources give 2026-12-28" in found
    assert any(re.match(r'directives.json:1: differs from a build from the sources: ".*2026-11-28.*" where the '
                        r'sources give ".*2026-12-28.*"', f) for f in found), found


@pytest.mark.build_process
def test_a_rebuild_that_fails_or_takes_too_long(example, tmp_path, monkeypatch):
    """The rebuild runs in a process group of its own: past the time limit it is stopped, with
    everything it started, and its folder removed."""
    project, site, _ = example
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    [finding] = verify_site(project, site, timeout=0.5)
    assert finding == f"{project}: a build of the sources did not finish within 0.5 s, so the site could not be " \
                      "compared with it"
    assert list(tmp_path.iterdir()) == []
    time.sleep(0.5)
    running = [p for p in Path("/proc").iterdir() if p.name.isdigit() and str(tmp_path).encode() in _cmdline(p)]
    assert running == []
    broken = tmp_path / "project"
    shutil.copytree(project, broken, ignore=shutil.ignore_patterns("site", "site-with-draft", ".cache"))
    (broken / "mkdocs.yml").write_text((broken / "mkdocs.yml").read_text(encoding="utf-8") + "\nnav: 3\n", encoding="utf-8")
    [finding] = verify_site(broken, site)
    assert finding.startswith(f"{broken}: a build of the sources as of {AS_OF} failed (exit code 1), so the site "
                              "could not be compared with it:\n"), finding
    assert "nav" in finding


def _cmdline(process: Path) -> bytes:
    try:
        return (process / "cmdline").read_bytes()
    except OSError:
        return b""


def test_a_hidden_bulletins_page_copied_in(tampered, example):
    site, findings = tampered
    _, _, with_draft = example
    shutil.copytree(with_draft / DRAFT, site / DRAFT)
    found = findings()
    assert found[0] == f"{DRAFT}/index.html: a file the sources do not give (extra)"
    assert f"{DRAFT}/index.html: the page of '2026/2026-11-27-draft-notice-holiday-safety.md', which is a draft" in found
    assert any(f.startswith(f"{DRAFT}/index.html: contains the title of '2026/") for f in found)
    assert any(f.startswith(f"{DRAFT}/index.html: contains the id of directive '") for f in found)


def test_a_hidden_title_in_a_published_file(tampered, example):
    site, findings = tampered
    project, _, _ = example
    title = re.search(r"^title: (.+)$", (project / f"{DRAFT}.md").read_text(encoding="utf-8"), re.M).group(1).strip()
    edit(site / "units/index.html", lambda text: text.replace("</article>", f"<!-- {title} --></article>"))
    [differs, hidden] = findings()
    assert re.match(r"units/index.html:\d+: differs from a build from the sources: ", differs)
    assert hidden == "units/index.html: contains the title of '2026/2026-11-27-draft-notice-holiday-safety.md' (a draft)"


def test_a_hidden_directive_in_the_workbook(tampered, example):
    """directives.xlsx is a zip: verify searches the text of its XML parts, decompressed."""
    site, findings = tampered
    _, _, with_draft = example
    shutil.copy(with_draft / "directives.xlsx", site / "directives.xlsx")
    found = findings()
    # by the cells that differ: the draft's rows came before others (ids sort), so its id is in a cell
    assert re.match(r"directives.xlsx: byte \d+: sheet '[^']+' cell [A-Z]+\d+: .* where the sources give ", found[0]), found
    assert any(f.startswith("directives.xlsx: contains the id of directive '") and "(a draft)" in f for f in found)
    assert any(f.startswith("directives.xlsx: contains the title of '2026/2026-11-27-draft") for f in found), found


@pytest.mark.parametrize("link", [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(2)">x</a>',
    '<a href=" \tjava\nscript:alert(3)">x</a>',
    '<a href="JaVaScRiPt:alert(4)">x</a>',
    '<a href="&#x6A;&#x61;vascript&#58;alert(5)">x</a>',
    '<img src="vbscript:msgbox(1)">',
    '<iframe src="data:text/html,<script>alert(6)</script>"></iframe>',
    '<form action="javascript:alert(7)"></form>',
    '<button formaction="javascript:alert(8)">x</button>',
    '<svg><a xlink:href="javascript:alert(9)"><text>x</text></a></svg>',
    '<img srcset="a.png 1x, javascript:alert(10) 2x">',
    '<meta http-equiv="refresh" content="0; url=javascript:alert(11)">',
    '<svg><set attributeName="href" to="javascript:alert(12)"/></svg>',
    '<svg><animate attributeName="href" values="#a;javascript:alert(13)"/></svg>',
    '<a title=\'x src="\' href="javascript:alert(14)">x</a>',  # a name in another value hides nothing
])
def test_a_script_url_in_a_page(tmp_path, link):
    """The check no rebuild makes (a leak in the build itself would be in both): on the pages as
    they are, parsed only where an attribute could hold such a URL."""
    (tmp_path / "page.html").write_text(f"<html><body>\n{link}\n</body></html>\n", encoding="utf-8")
    [finding] = _scripts(tmp_path, {"page.html": os.lstat(tmp_path / "page.html")})
    assert "\n" not in finding[1] and "\t" not in finding[1]
    assert re.match(r"page.html:2: [\w:-]+=\".*\" is a '(javascript|vbscript|data)\:' URL", finding[1]), finding


def test_pages_without_a_script_url_are_not_parsed(example, monkeypatch):
    _, site, _ = example
    parsed = []
    monkeypatch.setattr(_Urls, "feed", lambda self, text: parsed.append(text))
    assert _scripts(site, {p.relative_to(site).as_posix(): os.lstat(p) for p in site.rglob("*.html")}) == []
    assert parsed == []


VALUE_PARTS = ["javascript:", "java&#x73;cript:", "javascript&colon;", "x", " ", '"', "'", "=", "src=", ">", ";", ",",
               "#a", "1x", "url="]
ATTRIBUTE = st.tuples(st.sampled_from(["href", "title", "src", "to", "values", "xlink:href", "content", "srcset",
                                       "http-equiv", "data-x"]),
                      st.sampled_from(["=", " = ", "=\t", "\n=\n"]), st.sampled_from(['"', "'", ""]),
                      st.lists(st.sampled_from(VALUE_PARTS), max_size=6).map("".join)).map(
    lambda a: f"{a[0]}{a[1]}{a[2]}{a[3]}{a[2]}")


@given(st.tuples(st.sampled_from(["a", "img", "animate", "set", "meta"]), st.lists(ATTRIBUTE, max_size=5),
                 st.sampled_from(["", "text ='", "x=\""])).map(lambda p: f'{p[2]}<{p[0]} {" ".join(p[1])}>x'))
@case("<a title='x src=\"' href=\"javascript:y\">")  # a value that looks like the start of another's
@case("<a href=\"javascript&colon;y\">")  # the colon an entity
@case("text ='<a href=\"javascript:y\">'")
@case("<a href==javascript:>x")
def test_a_page_the_parser_would_find_a_script_url_in_is_never_skipped(text):
    page = _Urls()
    page.feed(text)
    page.close()
    if any(script_url(value, attribute) for _, attribute, value in page.urls):
        assert may_hold_script_url(text)


@pytest.mark.parametrize("value", [
    "https://example.org/", "http://intranet/", "mailto:safety@example.org", "tel:+86-10-1234", "../x/",
    "#CIG-2021-05-2", "directives.json", "?q=1", "//example.org/x", "", "a/b:c",
])
def test_allowed_urls(value):
    assert script_url(value) is None


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`bulletins ARGS` (its exit code, stdout and stderr) run in this process, as of AS_OF (conftest's
    pinned_as_of_date): no interpreter started for the command, and verify's rebuild forked from the warm
    MkdocsForks (forked_rebuilds above) instead of a new one importing MkDocs. Its entry point in a process
    of its own: tests/test_cli.py."""
    from safety_bulletins.commands.cli import main

    assert os.environ["BULLETINS_TODAY"] == AS_OF
    out, err, here = io.StringIO(), io.StringIO(), os.getcwd()
    try:
        os.chdir(cwd or here)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse's usage errors
                code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def test_the_command_lists_findings_one_per_line(tampered, example):
    site, _ = tampered
    project, _, _ = example
    edit(site / "directives.json", lambda text: text.replace('"deadline": "2021-06-30"', '"deadline": "2027-06-30"', 1))
    edit(site / "units/index.html", lambda text: text.replace("</article>", '<a href="javascript:x()">x</a></article>', 1))
    result = run("verify", str(site), "--project", str(project), "--as-of", AS_OF)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert re.match(r"directives.json:\d+: directive 'CIG-2021-05-2' has deadline 2027-06-30 where", lines[0])
    assert re.match(r"units/index.html:\d+: differs from a build", lines[1])
    assert lines[2].startswith("units/index.html:") and "'javascript:' URL" in lines[2]
    assert result.stderr == f"3 finding(s): {site} is not what its sources say.\n"


@pytest.mark.parametrize("args, message", [
    (["verify"], "the following arguments are required: site"),
    (["verify", "nowhere"], "bulletins verify: nowhere is not a folder"),
    (["verify", ".", "--as-of", "2026-02-30"], "bulletins verify: --as-of: '2026-02-30' is not a real date"),
])
def test_bad_usage(example, args, message):
    project, _, _ = example
    result = run(*args, cwd=project)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_bad_usage_outside_a_project(tmp_path):
    result = run("verify", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "is not inside a bulletins project" in result.stderr


def test_an_attribute_is_decoded_once_as_the_browser_does():
    # html.parser has already decoded `&amp;#106;` to `&#106;`: the browser sees a relative URL
    assert script_url("&#106;avascript:x") is None
    assert script_url(" \x01java\tscript:x") == "javascript"  # trimmed at the ends, tabs dropped
    assert script_url("java script:x") is None  # a space inside is not dropped: no scheme


NEEDLES = ["DRILL-1", "Hidden plan"]  # each written the same in every form: the longest sets the overlap


@given(st.lists(st.sampled_from(["DRILL-1", "DRILL-10", "xDRILL-1", "DRILL-1.x", "DRILL-1.", "Hidden plan",
                                 "Hidden plan-", "Hidden plan.x", ".", " ", "-", "应急", "a"]), max_size=30).map("".join),
       st.lists(st.integers(1, 12), max_size=40))
@case("a Hidden plan b", [6, 7])  # the needle ends a block: it must be found in the next
@case("a DRILL-10", [9])  # cut before the digit that makes it no match
def test_a_file_read_in_blocks_gives_what_it_gives_whole(text, cuts):
    """verify reads the site's files a block at a time: the matches must be those of the whole
    file, whatever the blocks' edges cut (a needle, or the character that makes it no match)."""
    pattern, meaning = _needles({needle: "why" for needle in NEEDLES})
    data = text.encode("utf-8")
    blocks, start = [], 0
    for cut in cuts:
        if start < len(data):
            blocks.append(data[start:start + cut])
            start += cut
    blocks.append(data[start:]) if start < len(data) or not blocks else None
    assert _matches(blocks, pattern, overlap_for(meaning)) == {m.group(0) for m in pattern.finditer(data)}


HIDDEN_ZH = """\
---
title: 冬季安全大检查通知
date: 2026-11-20
type: notice
issuer: safety-env
draft: true
attachments:
  - attachments/冬季 检查表.csv
---
各单位：检查。
"""


@pytest.mark.parametrize("planted", [
    '<a href="../2026-11-20%20%E5%86%AC%E5%AD%A3%20%E6%A3%80%E6%9F%A5/">x</a>',  # the page, directory URLs
    '<a href="2026-11-20%20%E5%86%AC%E5%AD%A3%20%E6%A3%80%E6%9F%A5.html">x</a>',  # without
    '<a href="../attachments/%E5%86%AC%E5%AD%A3%20%E6%A3%80%E6%9F%A5%E8%A1%A8.csv">x</a>',  # its attachment
])
def test_a_hidden_link_percent_encoded_as_mkdocs_writes_it_is_found(tmp_path, planted):
    """Every link is percent-encoded as MkDocs writes it: a leaked link to a hidden bulletin's
    Chinese-named page or attachment is found in that form, as its plain name would be."""
    from helpers import UNITS_YML, write_tree

    from safety_bulletins.catalog import Catalog
    from safety_bulletins.commands.verify import _hidden, _tree
    from safety_bulletins.sources.project import load_project

    project = write_tree(tmp_path / "project", {
        "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-11-20 冬季 检查.md": HIDDEN_ZH,
        "bulletins/2026/attachments/冬季 检查表.csv": "单位,结果\n",
    })
    catalog = Catalog(load_project(project / "bulletins", AS_OF_DATE), AS_OF_DATE)
    assert [b.rel_path for b in catalog.hidden] == ["2026/2026-11-20 冬季 检查.md"]
    site = write_tree(tmp_path / "site", {"index.html": f"<p>See {planted}</p>\n"})
    found = [text for _, text in _hidden(catalog, project, site, _tree(site))]
    assert len(found) == 1 and found[0].startswith("index.html: contains a"), found
    assert "of '2026/2026-11-20 冬季 检查.md' (a draft)" in found[0]


def test_a_changed_workbook_is_named_by_its_sheet_and_cell(tampered):
    """Issue 22's leftovers: a workbook's difference was only "byte N differs" (a zip): now its sheet
    and cell, both read back with openpyxl, as a CSV's difference names its row."""
    import openpyxl

    site, findings = tampered
    book = openpyxl.load_workbook(site / "directives.xlsx")
    sheet = book.worksheets[0]
    before = sheet["B3"].value
    sheet["B3"] = "Changed by hand"
    book.save(site / "directives.xlsx")
    [found] = findings()
    assert found.startswith("directives.xlsx: byte ") and found.endswith(
        f": sheet '{sheet.title}' cell B3: 'Changed by hand' where the sources give {before!r}"), found


def test_a_workbook_with_the_same_cells_is_named_by_the_zip_part_that_differs(tampered):
    """Every cell the same, a part of the zip not (its properties, here its date): that part is named."""
    import zipfile

    site, findings = tampered
    original = (site / "directives.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as book, zipfile.ZipFile(site / "directives.xlsx", "w") as changed:
        for member in book.infolist():
            data = book.read(member)
            if member.filename == "docProps/core.xml":
                data = data.replace(b"<dc:creator>", b"<dc:creator>x", 1) if b"<dc:creator>" in data else data + b" "
            changed.writestr(member, data)
    [found] = findings()
    assert re.fullmatch(r"directives.xlsx: byte \d+: the part 'docProps/core.xml' is not what the sources give", found), found
