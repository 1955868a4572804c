"""The exports and calendars are made in a process of their own beside MkDocs' page loop
(site_build/sitebuild.py; `workers: 0` makes them in the build's process): the same bytes as the one-process build, and a
failure in that process fails the build with what went wrong."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import MEETING_MD, example_project, mkdocs, one_process_config

# Says on stderr that the outputs' process was started, so that a test cannot pass on the one-process build
BESIDE = """
import sys
from safety_bulletins.site_build import sitebuild
_start = sitebuild._OutputsProcess.__init__
def _noted(self, make):
    print("outputs-beside-the-page-loop", file=sys.stderr)
    _start(self, make)
sitebuild._OutputsProcess.__init__ = _noted
_start_parts = sitebuild._PartsProcess.__init__
def _noted_parts(self, *args):
    print("parts-beside-the-page-loop", file=sys.stderr)
    _start_parts(self, *args)
sitebuild._PartsProcess.__init__ = _noted_parts
"""
PARTS = re.compile(r"(\d+) parts of pages \(headers, cards' facts, listings\) made beside the page loop")


def tree(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_the_outputs_made_beside_the_page_loop_are_the_one_process_builds(tmp_path):
    project = example_project(tmp_path / "example")
    for config in ("mkdocs.yml", "mkdocs.zh.yml"):  # the example in English and in Chinese
        beside = mkdocs(project, "build", "--strict", "-f", config, "-d", f"{config}-beside", prelude=BESIDE)
        assert beside.returncode == 0, beside.stderr
        assert "outputs-beside-the-page-loop" in beside.stderr
        # every bulletin's header and cards' facts, and every listing, were made beside the page loop
        assert "parts-beside-the-page-loop" in beside.stderr and int(PARTS.search(beside.stderr)[1]) > 60
        alone = mkdocs(project, "build", "--strict", "-f", one_process_config(project, config), "-d", f"{config}-alone",
                       prelude=BESIDE)
        assert alone.returncode == 0, alone.stderr
        assert "outputs-beside-the-page-loop" not in alone.stderr and "parts-beside-the-page-loop" not in alone.stderr
        made, expected = tree(project / f"{config}-beside"), tree(project / f"{config}-alone")
        assert "directives.xlsx" in made and "calendar/all.ics" in made and "feeds/all.xml" in made
        assert made.keys() == expected.keys()
        assert [path for path in made if made[path] != expected[path]] == []


def test_dirty_builds_copy_the_outputs_made_beside(site_project, tmp_path):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    first = mkdocs(project, "build", "--dirty", prelude=BESIDE)
    assert first.returncode == 0 and "outputs-beside-the-page-loop" in first.stderr, first.stderr
    first_csv = (project / "site/directives.csv").read_bytes()
    bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
    bulletin.write_text(MEETING_MD.replace("grade: major", "grade: major\n    status: done"), encoding="utf-8")
    second = mkdocs(project, "build", "--dirty", prelude=BESIDE)
    assert second.returncode == 0, second.stderr
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    assert mkdocs(fresh, "build", "-f", one_process_config(fresh)).returncode == 0
    made, expected = tree(project / "site"), tree(fresh / "site")
    assert made["directives.csv"] != first_csv  # the edit reached the outputs
    assert made == expected


def test_a_failure_in_the_outputs_process_fails_the_build_and_says_what(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    broken = BESIDE + """
def _broken(*args, **kwargs):
    raise ValueError("the workbook could not be written")
sitebuild.directives_xlsx = _broken
"""
    result = mkdocs(project, "build", prelude=broken)
    assert result.returncode != 0
    assert "outputs-beside-the-page-loop" in result.stderr
    assert ("making the feeds, exports and calendars (Atom, directives.json, CSV, workbook, .ics) failed: "
            "ValueError: the workbook could not be written") in result.stderr, result.stderr
    assert not (project / "site/directives.xlsx").exists()


def test_a_killed_outputs_process_fails_the_build(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    killed = BESIDE + """
import os, signal
def _killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
sitebuild.directives_xlsx = _killed
"""
    result = mkdocs(project, "build", prelude=killed)
    assert result.returncode != 0
    assert "ended with exit code -9 (killed: out of memory?)" in result.stderr, result.stderr


def test_a_parts_process_that_dies_leaves_the_rest_to_the_build_with_the_same_bytes(tmp_path):
    """The parts of pages made beside the page loop (a forked process: killed when memory runs out) are
    only a head start: what it did not send, the build makes itself, and the site is the same."""
    project = example_project(tmp_path / "example")
    dying = BESIDE + """
import os
_made = sitebuild.SiteBuild._made_parts
def _dies(self, keys):
    for n, item in enumerate(_made(self, keys)):
        if n == 25:  # some headers: the rest, the facts and the listings, never come
            os._exit(9)
        yield item
sitebuild.SiteBuild._made_parts = _dies
"""
    died = mkdocs(project, "build", "--strict", "-d", "site-died", prelude=dying)
    assert died.returncode == 0, died.stderr
    assert "parts-beside-the-page-loop" in died.stderr and int(PARTS.search(died.stderr)[1]) == 25
    alone = mkdocs(project, "build", "--strict", "-f", one_process_config(project), "-d", "site-alone")
    assert alone.returncode == 0, alone.stderr
    made, expected = tree(project / "site-died"), tree(project / "site-alone")
    assert made.keys() == expected.keys()
    assert [path for path in made if made[path] != expected[path]] == []


EARLY = "beside the listings (the build waited"


def test_pagefind_starts_when_the_last_bulletin_page_is_written_with_the_index_it_makes_after_the_build(tmp_path):
    """Pagefind reads only bulletin pages, written before the listings: it indexes them while the listings
    are written, the same index as after every page. Not when another plugin has an on_post_build (it might
    rewrite a bulletin page after Pagefind read it): then it starts last, as before."""
    project = example_project(tmp_path / "example")
    early = mkdocs(project, "build", "--strict", "-d", "site-early")
    assert early.returncode == 0, early.stderr
    assert EARLY in early.stderr, early.stderr
    (project / "late.py").write_text("def on_post_build(config):\n    pass\n", encoding="utf-8")
    (project / "late.yml").write_text("INHERIT: mkdocs.yml\nhooks:\n  - hooks/bulletins.py\n  - late.py\n", encoding="utf-8")
    late = mkdocs(project, "build", "--strict", "-f", "late.yml", "-d", "site-late")
    assert late.returncode == 0, late.stderr
    assert "Pagefind indexed" in late.stderr and EARLY not in late.stderr, late.stderr
    made, expected = tree(project / "site-early"), tree(project / "site-late")
    assert any(path.startswith("pagefind/") for path in made)
    assert made.keys() == expected.keys()
    assert [path for path in made if made[path] != expected[path]] == []
    # an editor's HTML page under bulletins/, deep down: Pagefind reads it, after this hook gives it its policy
    page = project / "docs/bulletins/notes/2021/agenda.html"
    page.parent.mkdir(parents=True)
    page.write_text("<!doctype html><html><head><title>Agenda</title></head><body><p>Agenda</p></body></html>\n",
                    encoding="utf-8")
    with_page = mkdocs(project, "build", "--strict", "-d", "site-page")
    assert with_page.returncode == 0, with_page.stderr
    assert "Pagefind indexed" in with_page.stderr and EARLY not in with_page.stderr, with_page.stderr


def test_a_parts_process_that_fails_or_stalls_is_given_up_and_leaves_no_folder_even_after_ctrl_c(tmp_path):
    """A failure in the parts process is said in the build's summary (it was silent); one that stops
    sending holds the page loop no longer than STALL_SECONDS (it held it for good); its folder of parts
    (every listing's HTML) is removed even when the build ends by Ctrl-C, which MkDocs' on_build_error
    never sees."""
    import signal
    import textwrap
    import time

    from safety_bulletins.site_build.sitebuild import _PartsProcess

    def failing():
        yield ("a",), "x" * 5000  # through a file of the folder
        raise ZeroDivisionError("no parts today")

    parts = _PartsProcess(failing, {("a",), ("b",)})
    assert parts.take(("a",)) == "x" * 5000 and parts.take(("b",)) is None
    folder = parts.folder
    assert "ZeroDivisionError: no parts today" in parts.stop() and not folder.exists()

    def stalling():
        yield ("a",), 1
        time.sleep(600)

    parts = _PartsProcess(stalling, {("a",), ("b",)})
    parts.STALL_SECONDS = 1.0
    started = time.monotonic()
    assert parts.take(("a",)) == 1 and parts.take(("b",)) is None and time.monotonic() - started < 30
    assert "stalled" in parts.stop()

    script = textwrap.dedent("""
        import os, sys, time
        from safety_bulletins.site_build.sitebuild import _PartsProcess
        def slow():
            yield ("a",), "x" * 5000
            time.sleep(600)
        parts = _PartsProcess(slow, {("a",), ("b",)})
        parts.take(("a",))
        print(parts.folder, flush=True)
        time.sleep(600)  # the page loop, when Ctrl-C comes
    """)
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    folder = Path(build.stdout.readline().strip())
    assert folder.is_dir()
    build.send_signal(signal.SIGINT)
    build.wait(timeout=30)
    assert not folder.exists()
