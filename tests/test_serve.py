"""The preview: `mkdocs serve` rebuilds when a bulletin or units.yml changes, from a clean state."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from helpers import AS_OF, MEETING_MD, mkdocs_serve, site_files

NOTICE = MEETING_MD.replace("CIG-2021-05-2", "N-9").replace("Special meeting on production safety", "A notice")


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError):
        return ""


def wait_for(url: str, condition, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = fetch(url)
        if page and condition(page):
            return page
        time.sleep(0.2)
    raise AssertionError(f"{url} did not change as expected within {seconds} s")


def test_preview_follows_edits_to_bulletins_and_units(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": NOTICE})
    with mkdocs_serve(project, project.parent / "serve") as server:  # (watching needs live reload)
        base = server.url  # serve mounts the site at site_url's path
        page = base + "bulletins/2021/2021-05-25-meeting/"
        wait_for(page, lambda html: "Special meeting on production safety" in html)
        bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
        bulletin.write_text(MEETING_MD.replace("Special meeting", "Edited meeting"), encoding="utf-8")
        wait_for(page, lambda html: "<title>Edited meeting on production safety" in html)

        units = project / "bulletins/units.yml"
        units.write_text(units.read_text(encoding="utf-8").replace("Property Management Company", "Property Co."),
                         encoding="utf-8")
        wait_for(base + "units/property/", lambda html: "<h1>Property Co.</h1>" in html)

        # a removed bulletin leaves no trace: each rebuild starts from a clean state
        assert "#N-9" in fetch(base + "directives/")
        (project / "bulletins/2021/2021-05-26-notice.md").unlink()
        register = wait_for(base + "directives/", lambda html: "#N-9" not in html)
        assert "#CIG-2021-05-2" in register


def test_dirty_builds_rebuild_only_the_pages_that_change(site_project):
    notice = MEETING_MD.replace("CIG-2021-05-2", "N-9").replace("Special meeting on production safety", "A notice")
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": notice})
    site = project / "site"

    def dirty_build():
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty"], cwd=project, capture_output=True,
                                text=True, env={**os.environ, "BULLETINS_TODAY": AS_OF, "NO_MKDOCS_2_WARNING": "1"})
        assert result.returncode == 0, result.stderr

    dirty_build()
    meeting, other = (site / f"bulletins/2021/{name}/index.html" for name in ("2021-05-25-meeting", "2021-05-26-notice"))
    before = other.stat().st_mtime_ns
    time.sleep(0.05)
    (project / "bulletins/2021/2021-05-25-meeting.md").write_text(MEETING_MD.replace("Special", "Edited"), encoding="utf-8")
    dirty_build()
    assert "<title>Edited meeting on production safety" in meeting.read_text(encoding="utf-8")
    assert other.stat().st_mtime_ns == before  # not rebuilt
    assert "Edited meeting" in (site / "directives/index.html").read_text(encoding="utf-8")  # its rows changed


def without_reload_epochs(page: str) -> str:
    """The page as built: serve injects a live-reload script naming the current build."""
    return re.sub(r"livereload\(\d+, \d+\)", "livereload()", page)


def section(page: str, bucket: str) -> str:
    """The part of a listing under one deadline bucket's heading."""
    start = page.index(f'<h2 id="{bucket}"')
    following = page.find("<h2 id=", start + 1)
    return page[start:following if following != -1 else len(page)]


def indexed(serve_tmp: Path, text: str) -> bool:
    """Whether Pagefind's index in the site `mkdocs serve` builds (a mkdocs_* folder in its
    TMPDIR) holds `text`."""
    return any(text.encode() in data for site in serve_tmp.glob("mkdocs_*")
               for name, data in site_files(site / "pagefind").items() if name.suffix == ".pf_fragment")


def test_dirty_preview_updates_the_edited_page_and_every_listing(site_project):
    """`./dev serve` is `mkdocs serve --dirty`: an edit rebuilds its page, the listings and the search index."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": NOTICE})
    serve_tmp = project.parent / "serve-tmp"
    with mkdocs_serve(project, serve_tmp, "--dirty") as server:
        base = server.url
        page = base + "bulletins/2021/2021-05-25-meeting/"
        before = wait_for(page, lambda html: "Special meeting on production safety" in html)
        assert (project / ".cache/safety-bulletins/bulletins/2021/2021-05-25-meeting.md").is_file()  # dirty builds' stamps
        assert "2021-06-30" in before and "#CIG-2021-05-2" in section(fetch(base + "directives/"), "overdue")
        notice = without_reload_epochs(fetch(base + "bulletins/2021/2021-05-26-notice/"))
        assert "<title>A notice" in notice

        # a new title and a deadline that moves the directive from overdue to due soon (as of 2026-11-28)
        edited = MEETING_MD.replace("Special meeting", "Edited meeting").replace("2021-06-30", "2026-12-01")
        (project / "bulletins/2021/2021-05-25-meeting.md").write_text(edited, encoding="utf-8")
        after = wait_for(page, lambda html: "<title>Edited meeting on production safety" in html)
        card = after[after.index('id="CIG-2021-05-2"'):after.index('id="2021-05-25-meeting-2"')]
        assert "2026-12-01" in card and "Due within 7 days" in card and "2021-06-30" not in card  # the card's facts

        register = wait_for(base + "directives/", lambda html: "Edited meeting" in html)
        assert "#CIG-2021-05-2" in section(register, "due-soon")
        assert "#CIG-2021-05-2" not in section(register, "overdue")
        unit = fetch(base + "units/property/")
        assert "#CIG-2021-05-2" in section(unit, "due-soon") and "Edited meeting" in unit
        archive = fetch(base + "archive/2021/")
        assert "Edited meeting on production safety" in archive and "Special meeting" not in archive
        deadline = time.monotonic() + 60  # Pagefind indexes the pages as written, at the end of the rebuild
        while not indexed(serve_tmp, "Edited meeting on production safety") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert indexed(serve_tmp, "Edited meeting on production safety")
        assert without_reload_epochs(fetch(base + "bulletins/2021/2021-05-26-notice/")) == notice  # as it was


def test_a_build_prints_progress_and_a_summary_and_no_noise(site_project):
    chinese = MEETING_MD.replace("Special meeting on production safety", "冬季安全生产专题会议纪要")
    project = site_project({"2021/2021-05-25-meeting.md": chinese})
    for _ in range(2):  # the second is dirty over the first's site
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty"], cwd=project, capture_output=True,
                                text=True, env={**os.environ, "BULLETINS_TODAY": AS_OF, "NO_MKDOCS_2_WARNING": "1"})
        assert result.returncode == 0, result.stderr
        output = result.stdout + result.stderr
        assert re.search(r"Bulletins: 1 bulletins, \d+ directives, .* built in", output)
        for noise in ("prefix dict", "Loading model", "'dirty' build", "stale files"):
            assert noise not in output, output


def test_serve_on_a_taken_port_says_so_and_how_to_pick_another(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"], cwd=project,
            capture_output=True, text=True, timeout=120, env={**os.environ, "BULLETINS_TODAY": AS_OF, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"cannot serve the preview at 127.0.0.1:{port}: the port is taken" in result.stderr
    assert f"./dev serve --dev-addr 127.0.0.1:{port + 1}" in result.stderr


def test_each_failed_rebuild_of_the_preview_says_what_to_fix(site_project):
    """MkDocs drops a log message it has printed before: the second time an edit broke the build,
    the preview printed only "Aborted with a BuildError!". Each failed rebuild says the error."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
    broken = MEETING_MD.replace("type: minutes", "type: minutez")
    with mkdocs_serve(project, project.parent / "serve") as server:
        wait_for(server.url + "bulletins/2021/2021-05-25-meeting/", lambda html: "Special meeting" in html)
        for attempt in (1, 2):
            bulletin.write_text(broken, encoding="utf-8")
            deadline = time.monotonic() + 60
            while server.output().count("Aborted with a BuildError!") < attempt and time.monotonic() < deadline:
                time.sleep(0.2)
            assert server.output().count("Aborted with a BuildError!") == attempt
            bulletin.write_text(MEETING_MD, encoding="utf-8")  # mended, then broken again
            deadline = time.monotonic() + 60
            while server.output().count("Documentation built in") < attempt + 1 and time.monotonic() < deadline:
                time.sleep(0.2)
        assert server.output().count("'minutez'") >= 2, server.output()[-3000:]
