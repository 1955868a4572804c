"""The preview keeps what it read and rendered between rebuilds (site_build/incremental.py
SourceCache and KeptRows) and makes the exports and calendars after the pages: after every kind
of change, its site must be byte for byte the one a fresh preview builds of the same sources."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import AS_OF, MEETING_MD

DRIVER = Path(__file__).with_name("preview_driver.py")
NOTICE = MEETING_MD.replace("CIG-2021-05-2", "N-9").replace("Special meeting on production safety", "A notice")
FOLLOW_UP = """\
---
title: Review meeting
date: 2021-08-02
type: minutes
issuer: safety-env
---
Reviewed.

/// follow-up
    directive: CIG-2021-05-2
    status: done
    accepted_by: safety-env

The investigation is complete.
///
"""


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


class Preview:
    """The driver's rebuilds, one a line (as `mkdocs serve --dirty` rebuilds after each save)."""

    def __init__(self, project: Path, site: Path, *args: str, today: str = AS_OF):
        env = {**os.environ, "BULLETINS_TODAY": today, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
        env.pop("SOURCE_DATE_EPOCH", None)
        self.process = subprocess.Popen([sys.executable, str(DRIVER), str(site), *args], cwd=project, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def rebuild(self, what: str = "build", today: str | None = None) -> None:
        answer = self.attempt(what, today)
        assert answer == "built\n", answer + self.process.stderr.read() if not answer else answer

    def attempt(self, what: str = "build", today: str | None = None) -> str:
        """A rebuild (on another day: `today`), and the driver's answer ("built", or "failed" and why)."""
        self.process.stdin.write(what + (f" today={today}" if today else "") + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline()

    def close(self) -> str:
        self.process.stdin.close()
        self.process.wait(timeout=60)
        return self.process.stderr.read()


def fresh_preview(project: Path, tmp_path: Path, n: int, today: str = AS_OF, fails: bool = False) -> dict[str, bytes] | str:
    """The site a new preview (a full build) makes of the project's sources as they are now (with
    `fails`: its answer, "failed" and the error)."""
    copy = tmp_path / f"fresh-{n}"
    shutil.copytree(project, copy, symlinks=True, ignore=shutil.ignore_patterns(".cache"))  # links as links
    preview = Preview(copy, copy / "site", today=today)
    answer = preview.attempt() if fails else preview.rebuild()
    preview.close()
    return answer.replace(str(copy), "PROJECT") if fails else tree(copy / "site")


@pytest.fixture
def project(site_project):
    made = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": NOTICE,
                         "2021/old.md": NOTICE.replace("N-9", "OLD-1").replace("A notice", "Old notice")})
    with open(made / "mkdocs.yml", "a", encoding="utf-8") as config:  # Pagefind's index is written in its own time
        config.write("extra:\n  bulletins:\n    search: material\n")
    return made



def listing_times(site: Path) -> dict[str, int]:
    """When each generated listing page (units, register, archive, dashboard) was last written."""
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for folder in ("units", "directives", "archive", "dashboard")
            for p in (site / folder).rglob("*.html")}


def each_change_equals_a_fresh_preview(project, site, tmp_path, changes) -> tuple[str, list[tuple[set[str], set[str]]]]:
    """Make each change in turn in a running preview: after each, the served site equals a fresh
    preview of the same sources, byte for byte (the listing pages it did not write again too).
    Returns the preview's log and, for each change, the listing pages it wrote again and all of them."""
    preview = Preview(project, site, "--dirty")
    rewritten, today = [], AS_OF
    try:
        preview.rebuild()
        for n, (change, make) in enumerate(changes):
            before = listing_times(site)
            made = make()  # None, a new day ("2026-11-29": the day rolled over while serving) or ERROR
            if made is ERROR:  # the rebuild fails as a fresh preview does, with the same message
                answer = preview.attempt().replace(str(project), "PROJECT")
                assert answer.startswith("failed") and answer == fresh_preview(project, tmp_path, n, today, fails=True)
                continue
            made = made if isinstance(made, str) else None  # (what write_text returns is no day)
            today = made or today
            preview.rebuild(today=made)
            after = listing_times(site)
            rewritten.append(({page for page, written in after.items() if before.get(page) != written}, set(after)))
            assert tree(site) == fresh_preview(project, tmp_path, n, today), f"after {change}"
    finally:
        log = preview.close()
    return log, rewritten

ERROR = object()  # a change after which the rebuild fails


def test_the_preview_after_every_kind_of_change_equals_a_fresh_preview(project, tmp_path):
    bulletins, site = project / "bulletins", tmp_path / "preview-site"
    meeting = bulletins / "2021/2021-05-25-meeting.md"
    changes = [
        ("edit", lambda: meeting.write_text(MEETING_MD.replace("Special", "Edited").replace("2021-06-30", "2026-12-01"),
                                            encoding="utf-8")),
        # the meeting's file is unchanged, but its directive's state, row and card change
        ("a follow-up elsewhere", lambda: (bulletins / "2021/2021-08-02-review.md").write_text(FOLLOW_UP, encoding="utf-8")),
        ("delete", lambda: (bulletins / "2021/old.md").unlink()),
        ("rename", lambda: (bulletins / "2021/2021-05-26-notice.md").rename(bulletins / "2021/2021-05-27-notice.md")),
        ("units.yml", lambda: (bulletins / "units.yml").write_text(
            (bulletins / "units.yml").read_text(encoding="utf-8").replace("Property Management Company", "Property Co."),
            encoding="utf-8")),
        ("mkdocs.yml", lambda: (project / "mkdocs.yml").write_text(
            (project / "mkdocs.yml").read_text(encoding="utf-8").replace("site_name: Test bulletins", "site_name: Renamed"),
            encoding="utf-8")),
    ]
    log, rewritten = each_change_equals_a_fresh_preview(project, site, tmp_path, [(f"the {c}", m) for c, m in changes])
    assert "made again" in log  # the exports were made after the pages, not with them
    # An edit writes again only the listings whose rows or counts changed (the others, equal to the
    # fresh preview's above, are left as they were); units.yml and mkdocs.yml change every one.
    (edit, listings), (renamed_site, after_rename) = rewritten[0], rewritten[5]
    assert {"archive/2021/index.html", "directives/index.html"} <= edit < listings, (edit, listings)
    assert renamed_site == after_rename  # the site's name is in every page's head


def test_the_source_cache_reads_again_only_what_changed(tmp_path):
    """Unchanged files come back as the same bulletins, with the links they were read with; an
    edited file is read again; a change to units.yml or an attachment reads every file again."""
    from safety_bulletins.site_build.incremental import SourceCache
    from safety_bulletins.sources.project import load_project
    from helpers import UNITS_YML, write_tree

    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD,
                                               "2021/2021-05-26-notice.md": NOTICE})
    cache = SourceCache()

    def load():
        cache.start(root)
        return {b.rel_path: b for b in load_project(root, read_file=cache).bulletins}

    first = load()
    assert cache.read == 2
    first["2021/2021-05-26-notice.md"].page_links = (("2021/2021-05-25-meeting.md", 9),)  # as the judge gives links
    again = load()
    assert cache.read == 0 and again["2021/2021-05-26-notice.md"] is first["2021/2021-05-26-notice.md"]
    assert again["2021/2021-05-26-notice.md"].page_links == ()  # as read, not as the last build's judge left it
    (root / "2021/2021-05-25-meeting.md").write_text(MEETING_MD.replace("Special", "Edited"), encoding="utf-8")
    edited = load()
    assert cache.read == 1 and edited["2021/2021-05-25-meeting.md"].title.startswith("Edited")
    (root / "2021/form.pdf").write_bytes(b"%PDF-1.4\n")  # an attachment: what a bulletin's checks read
    load()
    assert cache.read == 2
    (root / "units.yml").write_text(UNITS_YML.replace("Property Management Company", "Property Co."), encoding="utf-8")
    load()
    assert cache.read == 2
    (root / "2021/2021-05-26-notice.md").unlink()
    assert list(load()) == ["2021/2021-05-25-meeting.md"] and cache.read == 0


def test_the_preview_after_a_draft_an_attachment_and_an_older_file_equals_a_fresh_preview(site_project, tmp_path):
    """rev6: a bulletin made a draft (then published again), an attachment's bytes edited, an
    attachment added, and a file put back as an older commit had it (an older mtime, same size)."""
    notice = NOTICE.replace("The meeting was held.", "The meeting was held. See [the form](form.pdf).")
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": notice,
                            "2021/form.pdf": b"%PDF-1.4\n% first\n"})
    with open(project / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write("extra:\n  bulletins:\n    search: material\n")
    bulletins, site = project / "bulletins/2021", tmp_path / "preview-site"
    meeting = bulletins / "2021-05-25-meeting.md"
    old = meeting.stat()

    def older_commit():  # `git checkout` of an older commit: other bytes, the same size, an mtime gone back
        meeting.write_text(MEETING_MD.replace("The meeting was held.", "The meeting was HELD."), encoding="utf-8")
        os.utime(meeting, ns=(old.st_atime_ns - 10**12, old.st_mtime_ns - 10**12))

    changes = [
        ("a draft", lambda: (bulletins / "2021-05-26-notice.md").write_text(
            notice.replace("issuer:", "draft: true\nissuer:"), encoding="utf-8")),
        ("published again", lambda: (bulletins / "2021-05-26-notice.md").write_text(notice, encoding="utf-8")),
        ("an attachment's bytes", lambda: (bulletins / "form.pdf").write_bytes(b"%PDF-1.4\n% again\n")),
        ("an older file", older_commit),
    ]
    each_change_equals_a_fresh_preview(project, site, tmp_path, changes)


def test_the_preview_keeps_its_render_workers_between_rebuilds(tmp_path):
    """The preview's pool: the second call renders with the workers the first started (serve has
    threads: each new one would be a fresh interpreter on the editor's wait), with the same verdicts
    as workers of their own; another Markdown configuration gets workers of its own."""
    from safety_bulletins.site_build.rendering import Job, MarkdownConfig, WorkerPool, run_jobs
    from safety_bulletins.sources.project import load_project
    from helpers import UNITS_YML, write_tree

    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD,
                                               "2021/2021-05-26-notice.md": NOTICE})
    jobs = [Job.of(b) for b in load_project(root).bulletins]
    config, pool = MarkdownConfig().for_workers(), WorkerPool()
    try:
        first = run_jobs(jobs, config, 2, pool)
        assert pool.started == 2
        assert run_jobs(jobs[::-1], config, 2, pool) == first[::-1] == run_jobs(jobs, config, 2)[::-1]
        assert pool.started == 2  # none started for the second call
        other = MarkdownConfig(("toc", "tables"), {}).for_workers()
        run_jobs(jobs, other, 2, pool)
        assert pool.started == 4
    finally:
        pool.close()



def exports(site: Path) -> dict[str, str]:
    """The text of the exports and the site's calendar (the workbook's: every part of its zip)."""
    texts = {path: (site / path).read_text(encoding="utf-8")
             for path in ("directives.json", "directives.csv", "directives-by-unit.csv", "calendar/all.ics")}
    with zipfile.ZipFile(site / "directives.xlsx") as workbook:
        texts["directives.xlsx"] = "".join(workbook.read(name).decode("utf-8") for name in workbook.namelist())
    return texts


def test_a_draft_made_in_the_preview_is_in_no_export_even_before_they_are_made_again(project, tmp_path):
    """The preview serves the last build's exports and calendars while it makes them again after the
    pages: not when a bulletin they show became a draft (then they are made with the pages)."""
    site, notice = tmp_path / "preview-site", project / "bulletins/2021/2021-05-26-notice.md"
    preview = Preview(project, site, "--dirty")
    try:
        preview.rebuild()
        assert all("N-9" in text for text in exports(site).values())
        notice.write_text(NOTICE.replace("issuer:", "draft: true\nissuer:"), encoding="utf-8")
        preview.rebuild("pages")  # the site as served when the pages are, before any work after them
        assert [path for path, text in exports(site).items() if "N-9" in text] == []
    finally:
        preview.close()


def test_a_draft_made_in_the_preview_drops_the_search_index_that_holds_it(site_project, tmp_path):
    """Pagefind's index is made again after the pages; the last one would find the draft's text until
    then: the rebuild that hides a bulletin drops it (search answers again once the new one is made)."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": NOTICE})
    site, notice = tmp_path / "preview-site", project / "bulletins/2021/2021-05-26-notice.md"
    preview = Preview(project, site, "--dirty")
    try:
        preview.rebuild()
        assert (site / "pagefind/pagefind-entry.json").is_file()
        notice.write_text(NOTICE.replace("Special", "Edited"), encoding="utf-8")
        preview.rebuild("pages")
        assert (site / "pagefind/pagefind-entry.json").is_file()  # an edit: the last index serves until the new one
        notice.write_text(NOTICE.replace("issuer:", "draft: true\nissuer:"), encoding="utf-8")
        preview.rebuild("pages")
        assert not (site / "pagefind").exists()
        preview.rebuild()
        assert (site / "pagefind/pagefind-entry.json").is_file()
    finally:
        preview.close()


FAILING_HOOK = """\
from pathlib import Path

from mkdocs.exceptions import PluginError


def on_page_content(html, **kwargs):  # another plugin that fails mid-build while the file 'fail' exists
    if Path("fail").exists():
        raise PluginError("a plugin failed")
    return html
"""


def test_a_draft_made_by_a_rebuild_that_failed_still_drops_the_search_index_at_the_next_one(site_project, tmp_path):
    """The rebuild that hid a bulletin failed after its files were listed (another plugin's error): what
    the served site holds is still the last good build's, so the next rebuild must drop the index that
    finds the draft's text (it took the failed build's list as what the site shows)."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": NOTICE})
    (project / "failing_hook.py").write_text(FAILING_HOOK, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("hooks:\n", "hooks:\n  - failing_hook.py\n", 1),
                      encoding="utf-8")
    site, notice = tmp_path / "preview-site", project / "bulletins/2021/2021-05-26-notice.md"
    preview = Preview(project, site, "--dirty")
    try:
        preview.rebuild()
        assert (site / "pagefind/pagefind-entry.json").is_file()
        notice.write_text(NOTICE.replace("issuer:", "draft: true\nissuer:"), encoding="utf-8")
        (project / "fail").touch()
        preview.process.stdin.write("pages\n")
        preview.process.stdin.flush()
        assert preview.process.stdout.readline().startswith("failed")
        (project / "fail").unlink()
        preview.rebuild("pages")
        assert not (site / "pagefind").exists()
    finally:
        preview.close()


def test_the_preview_remakes_its_exports_in_a_child_it_can_stop_at_once_and_that_says_how_it_failed(tmp_path):
    """The exports made after the pages run in a forked child: the next edit kills it at once (a
    workbook half-made is not waited for), and a failure in it comes back with its traceback."""
    import time

    from safety_bulletins.site_build.sitebuild import OutputsError, _Remake

    made = {"directives.json": tmp_path / "directives.json"}
    assert _Remake(lambda: made["directives.json"].write_text("{}"), made).wait() == made
    assert made["directives.json"].read_text() == "{}"  # written by the child
    slow = _Remake(lambda: time.sleep(60), made)
    started = time.monotonic()
    slow.stop()
    assert slow.wait() is None and time.monotonic() - started < 10
    slow.stop()  # reaped: stopping again does nothing
    with pytest.raises(OutputsError, match="ZeroDivisionError"):
        _Remake(lambda: 1 / 0, made).wait()


def test_the_exports_child_outlives_no_server_and_ignores_the_terminals_ctrl_c(tmp_path):
    """Ctrl-C in serve's terminal reaches the whole process group: the child is the server's to stop
    (it said "failed ... KeyboardInterrupt"); and it ends with the server thread that made it, whose
    listening socket it holds (inherited) while it lives."""
    import signal
    import threading
    import time

    from safety_bulletins.site_build.sitebuild import _Remake

    made = {"directives.json": tmp_path / "directives.json"}

    def write_later():
        time.sleep(1.5)
        made["directives.json"].write_text("{}")

    child = _Remake(write_later, made)
    time.sleep(0.5)
    os.kill(child.pid, signal.SIGINT)
    assert child.wait() == made and made["directives.json"].read_text() == "{}"
    children, ready = [], tmp_path / "ready"

    def work():  # it runs once the child asked to die with its thread: no race with the thread's end
        ready.touch()
        time.sleep(60)

    def serve():
        children.append(_Remake(work, made))
        while not ready.exists():
            time.sleep(0.05)

    server = threading.Thread(target=serve)
    server.start()
    server.join()
    started = time.monotonic()
    assert children[0].wait() is None and time.monotonic() - started < 10  # killed when its thread ended


def test_the_render_workers_kept_for_the_preview_end_with_it(tmp_path):
    """A preview killed without its shutdown (SIGTERM, a closed terminal) leaves no render worker
    behind: the kept workers hold each other's pipes open, so each watches its parent."""
    import signal
    import textwrap
    import time

    script = textwrap.dedent("""
        import os, sys
        from safety_bulletins.site_build.rendering import Job, MarkdownConfig, WorkerPool, run_jobs
        from safety_bulletins.sources.project import load_project
        pool = WorkerPool()
        run_jobs([Job.of(b) for b in load_project(sys.argv[1]).bulletins], MarkdownConfig().for_workers(), 2, pool)
        print(*[slot.process.pid for slot in pool._idle], flush=True)
        sys.stdin.readline()
    """)
    from helpers import UNITS_YML, write_tree

    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD,
                                               "2021/2021-05-26-notice.md": NOTICE})
    preview = subprocess.Popen([sys.executable, "-c", script, str(root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    workers = [int(pid) for pid in preview.stdout.readline().split()]
    assert len(workers) == 2

    def running(pid: int) -> bool:  # a zombie (ended, not yet reaped by whoever adopted it) is not
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    for pid in workers:  # Ctrl-C in serve's terminal reaches them too: the preview stops them, not a traceback each
        os.kill(pid, signal.SIGINT)
    time.sleep(1)
    assert all(map(running, workers))
    preview.send_signal(signal.SIGKILL)
    preview.wait(timeout=30)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(map(running, workers)):
        time.sleep(0.2)
    alive = [pid for pid in workers if running(pid)]
    for pid in alive:  # not to leave them if the test fails
        os.kill(pid, signal.SIGKILL)
    assert alive == []


def test_the_previews_compiled_templates_follow_an_edited_template_and_another_environment():
    """The theme's templates compiled once for the preview's rebuilds (a Jinja bytecode cache): an
    edited template, or an environment that compiles otherwise (a plugin's extension), is compiled again."""
    import jinja2

    from safety_bulletins.mkdocs_adapter.plugin import _TemplateCode

    code = _TemplateCode()

    def render(source: str, **options) -> str:  # each rebuild makes its environment afresh, as MkDocs does
        env = jinja2.Environment(loader=jinja2.DictLoader({"main.html": source}), bytecode_cache=code, **options)
        return env.get_template("main.html").render(x=1)

    assert render("{{ x }} before") == "1 before" == render("{{ x }} before")
    assert len(code._code) == 1  # compiled once, loaded the second time
    assert render("{{ x }} after") == "1 after"
    assert render("<% if x %>on<% endif %>", block_start_string="<%", block_end_string="%>") == "on"
    assert render("{{ x }} after", extensions=["jinja2.ext.i18n"]) == "1 after" and len(code._code) == 3


ENERGY_MD = """\
---
title: Energy inspection
date: 2026-11-02
type: minutes
issuer: safety-env
---
Held.

/// directive | Replace the valves
    id: EN-1
    units: 能源公司
    deadline: 2026-12-20

Replace them.
///
"""
ENERGY_FOLLOW_UP = """\
---
title: Energy review
date: 2026-11-20
type: minutes
issuer: safety-env
---
Reviewed.

/// follow-up
    directive: EN-1
    status: done
    accepted_by: safety-env

The valves are replaced.
///
"""


def test_the_preview_after_each_change_it_now_skips_equals_a_fresh_preview(project, tmp_path):
    """The preview renders only the listings and stamps that name what an edit changed (ShownBefore): after
    a directive moved to another unit, a deadline that changes its bucket, a follow-up elsewhere that
    accepts it, a cross-file error made and mended, the day rolling over while serving and a unit renamed
    in units.yml, its site is a fresh preview's byte for byte (and the error the one a fresh preview reports)."""
    bulletins, site = project / "bulletins", tmp_path / "preview-site"
    energy = bulletins / "2026/2026-11-02-energy.md"
    energy.parent.mkdir()
    energy.write_text(ENERGY_MD, encoding="utf-8")
    wrong = bulletins / "2026/2026-11-21-wrong.md"
    units = bulletins / "units.yml"
    changes = [
        ("a directive moved to another unit", lambda: energy.write_text(ENERGY_MD.replace("能源公司", "物业公司"), encoding="utf-8")),
        ("a deadline in another bucket", lambda: energy.write_text(
            ENERGY_MD.replace("能源公司", "物业公司").replace("2026-12-20", "2026-11-30"), encoding="utf-8")),
        ("a follow-up that accepts", lambda: (bulletins / "2026/2026-11-20-review.md").write_text(
            ENERGY_FOLLOW_UP, encoding="utf-8")),
        ("a cross-file error", lambda: wrong.write_text(ENERGY_FOLLOW_UP.replace("EN-1", "EN-404"), encoding="utf-8")
         and ERROR),
        ("the error mended", lambda: wrong.unlink()),
        ("the day rolled over", lambda: "2026-12-24"),
        ("a unit renamed", lambda: units.write_text(
            units.read_text(encoding="utf-8").replace("Energy Company", "Energy Co."), encoding="utf-8")),
    ]
    each_change_equals_a_fresh_preview(project, site, tmp_path, changes)


def test_the_preview_renders_only_the_listings_and_stamps_an_edit_changed(tmp_path, monkeypatch):
    """In-process, the preview's rebuilds (SourceCache, KeptRows, ShownBefore kept between them): a rebuild
    with nothing changed renders only the listings that read the whole catalog, and no bulletin's stamp;
    an edit renders the listings and stamps that show its directives; the stamps equal a fresh build's."""
    import datetime as dt

    from safety_bulletins.outputs.render import Renderer
    from safety_bulletins.site_build.incremental import KeptRows, ShownBefore, SourceCache
    from safety_bulletins.site_build.sitebuild import SiteBuild
    from helpers import UNITS_YML, URLS, write_tree

    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD,
                                               "2021/2021-05-26-notice.md": NOTICE, "2026/2026-11-02-energy.md": ENERGY_MD})
    rendered, stamped = [], []
    page, page_inputs = Renderer.page, SiteBuild._page_inputs
    monkeypatch.setattr(Renderer, "page", lambda self, p: rendered.append(p.src_uri) or page(self, p))
    monkeypatch.setattr(SiteBuild, "_page_inputs", lambda self, b: stamped.append(b.rel_path) or page_inputs(self, b))
    memory = {"sources": SourceCache(), "kept_rows": KeptRows(), "kept_reprs": KeptRows(), "shown_before": ShownBefore()}
    written: dict = {}
    builds = []

    def stamps(folder: Path, as_of=dt.date(2026, 11, 28), **kept) -> dict[str, bytes]:
        rendered.clear(), stamped.clear()
        build = SiteBuild.load(root, as_of, URLS, workers=0, **kept)
        if kept:
            builds.append(build)
        build.stamps_written = written if kept else {}
        build.source_files(folder, "the site's inputs")
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    def preview(as_of=dt.date(2026, 11, 28)) -> tuple[set[str], set[str]]:
        made = stamps(tmp_path / "preview", as_of, **memory)
        what = set(rendered), set(stamped)
        assert made == stamps(tmp_path / f"fresh-{len(written)}-{as_of}", as_of)  # byte for byte a fresh build's
        return what

    first = preview()
    assert "units/energy.md" in first[0] and len(first[1]) == 3
    whole_catalog = {"units/index.md", "archive/index.md", "dashboard/index.md"}  # made every time
    assert preview() == (whole_catalog, set())
    (root / "2026/2026-11-02-energy.md").write_text(ENERGY_MD.replace("2026-12-20", "2026-11-30"), encoding="utf-8")
    listings, pages = preview()
    assert pages == {"2026/2026-11-02-energy.md"}
    assert {"units/energy.md", "directives/index.md", "archive/2026.md"} <= listings
    assert not listings & {"units/property.md", "units/safety-env.md", "archive/2021.md"}, listings
    # and the units whose entries are the same keep their pages' contexts and figures, not made again
    last, now = builds[-2], builds[-1]
    assert now.pages["units/property.md"] is last.pages["units/property.md"]
    assert now.pages["units/energy.md"] is not last.pages["units/energy.md"]
    assert now.catalog.unit_counts("property") is last.catalog.unit_counts("property")
    assert now.catalog.unit_counts("energy") is not last.catalog.unit_counts("energy")
    # a title edited: the rows that show it are made again, every unit's figures are the last build's
    (root / "2026/2026-11-02-energy.md").write_text(ENERGY_MD.replace("2026-12-20", "2026-11-30").replace(
        "Replace the valves", "Replace the old valves"), encoding="utf-8")
    listings, pages = preview()
    assert "units/energy.md" in listings and pages == {"2026/2026-11-02-energy.md"}
    last, now = builds[-2], builds[-1]
    assert now.pages["units/energy.md"] is not last.pages["units/energy.md"]
    assert now.catalog.unit_counts("energy") is last.catalog.unit_counts("energy")
    # (its page's sections and filter too, with the edited directive in them)
    assert now.pages["units/energy.md"].context["filters"] is last.pages["units/energy.md"].context["filters"]
    # another day: every bucket may have moved, all is made again
    assert preview(dt.date(2026, 11, 29)) == first


def test_the_preview_after_links_made_and_broken_across_files_equals_a_fresh_preview(project, tmp_path):
    """What the preview keeps of unchanged bulletins (their judge's links and problems, the checks of their
    files, their outlines: KeptVerdicts, FileChecks) still follows what changed beside them: a link to a
    bulletin that is not there, added, removed and added again (the linking file unchanged); a bulletin
    made a link out of the folder during the preview, then a file again; a duplicate id written in
    another file, then removed. After each the served site, or the error, is a fresh preview's."""
    bulletins, site = project / "bulletins/2021", tmp_path / "preview-site"
    linker, extra = bulletins / "2021-06-01-linker.md", bulletins / "2021-06-02-extra.md"
    linking = NOTICE.replace("N-9", "N-10").replace("The meeting was held.", "See [the other](2021-06-02-extra.md).")
    other = NOTICE.replace("N-9", "N-11").replace("A notice", "The other notice")
    duplicate = bulletins / "2021-06-03-duplicate.md"
    (project / "outside.md").write_text(other, encoding="utf-8")

    def made_a_link_out():
        extra.unlink()
        extra.symlink_to(Path("../../outside.md"))  # a link to the project's folder, outside bulletins/
        return ERROR

    def a_file_again():
        extra.unlink()
        extra.write_text(other, encoding="utf-8")

    changes = [
        ("a link to a bulletin not there", lambda: linker.write_text(linking, encoding="utf-8") and ERROR),
        ("the bulletin added", lambda: extra.write_text(other, encoding="utf-8")),
        ("the bulletin removed", lambda: extra.unlink() or ERROR),
        ("the bulletin added again", lambda: extra.write_text(other, encoding="utf-8")),
        ("the bulletin made a link out of the folder", made_a_link_out),
        ("the bulletin a file again", a_file_again),
        ("a duplicate id in another file", lambda: duplicate.write_text(
            other.replace("N-11", "N-9").replace("The other notice", "A duplicate"), encoding="utf-8") and ERROR),
        ("the duplicate removed", lambda: duplicate.unlink()),
    ]
    each_change_equals_a_fresh_preview(project, site, tmp_path, changes)


def test_the_preview_judges_and_checks_again_only_the_files_read_again(tmp_path):
    """In process: a rebuild with nothing changed asks the judge about no bulletin and outlines none; an
    edit asks about the one file read again; the problems are a fresh load's after each, a link to a
    bulletin that went (the linking file unchanged) included."""
    import datetime as dt

    from safety_bulletins.site_build.incremental import SourceCache
    from safety_bulletins.site_build.sitebuild import SiteBuild
    from safety_bulletins.sources import project as project_module
    from helpers import UNITS_YML, URLS, write_tree

    linking = NOTICE.replace("The meeting was held.", "See [the meeting](2021-05-25-meeting.md).")
    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD,
                                               "2021/2021-05-26-notice.md": linking})
    sources = SourceCache()
    outlined = []
    outline_of = project_module.Outline.of.__func__

    def load():
        build = SiteBuild.load(root, dt.date(2026, 11, 28), URLS, workers=0, sources=sources)
        fresh = SiteBuild.load(root, dt.date(2026, 11, 28), URLS, workers=0)
        assert [str(p) for p in build.project.problems] == [str(p) for p in fresh.project.problems]
        assert {b.rel_path: (b.page_links, b.attachments) for b in build.project.bulletins} == \
            {b.rel_path: (b.page_links, b.attachments) for b in fresh.project.bulletins}
        return build

    assert load().judge.asked == 2
    project_module.Outline.of = classmethod(lambda cls, *args: outlined.append(args[0].rel_path) or outline_of(cls, *args))
    try:
        outlined.clear()
        assert load().judge.asked == 0 and outlined.count("2021/2021-05-26-notice.md") == 1  # (the fresh load's)
        (root / "2021/2021-05-26-notice.md").write_text(linking.replace("A notice", "An edited notice"), encoding="utf-8")
        outlined.clear()
        assert load().judge.asked == 1 and outlined.count("2021/2021-05-26-notice.md") == 2
        assert outlined.count("2021/2021-05-25-meeting.md") == 1
    finally:
        project_module.Outline.of = classmethod(outline_of)
    (root / "2021/2021-05-25-meeting.md").unlink()  # the notice's link is broken: the notice is not read again
    build = load()
    assert build.judge.asked == 0 and any("2021-05-25-meeting.md" in str(p) for p in build.project.errors)


def test_the_preview_replays_again_only_the_directives_read_again_or_followed_up_anew(tmp_path):
    """The catalog's states (Catalog, kept by SourceCache.states): a directive whose file and follow-ups are the
    same objects keeps its last state object; an edited one, one followed up in a new file, and every one on
    another day are replayed again; each state equals a fresh catalog's."""
    import datetime as dt

    from safety_bulletins.site_build.incremental import SourceCache
    from safety_bulletins.site_build.sitebuild import SiteBuild
    from helpers import UNITS_YML, URLS, write_tree

    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD,
                                               "2021/2021-05-26-notice.md": NOTICE})
    sources, shares_seen = SourceCache(), []

    def states(as_of=dt.date(2026, 11, 28)):
        catalog = SiteBuild.load(root, as_of, URLS, workers=0, sources=sources).catalog
        fresh = SiteBuild.load(root, as_of, URLS, workers=0).catalog
        assert catalog.states == fresh.states and catalog.shares == fresh.shares
        shares_seen.append(catalog.shares)
        return dict(catalog.states)

    first = states()
    (root / "2021/2021-05-26-notice.md").write_text(NOTICE.replace("A notice", "An edited notice"), encoding="utf-8")
    edited = states()
    assert edited["CIG-2021-05-2"] is first["CIG-2021-05-2"] and edited["N-9"] is not first["N-9"]
    (root / "2021/2021-08-02-review.md").write_text(FOLLOW_UP, encoding="utf-8")  # accepts CIG-2021-05-2
    followed = states()
    assert followed["CIG-2021-05-2"] != edited["CIG-2021-05-2"] and followed["N-9"] is edited["N-9"]
    shared = FOLLOW_UP.replace("    status: done\n    accepted_by: safety-env\n", "    status: done\n    units: [property]\n")
    (root / "2021/2021-08-03-share.md").write_text(shared.replace("2021-08-02", "2021-08-03").replace(
        "CIG-2021-05-2", "N-9"), encoding="utf-8")  # one unit's share done: the shares differ
    shares = states()
    assert "N-9" in shares_seen[-1] and shares["CIG-2021-05-2"] is followed["CIG-2021-05-2"]
    assert states()["N-9"] is shares["N-9"] and "N-9" in shares_seen[-1]  # nothing changed: the shares kept too
    assert states(dt.date(2026, 11, 29))["N-9"] is not shares["N-9"]  # another day: all replayed


def test_the_preview_checks_follow_ups_again_when_their_directive_or_they_change(tmp_path):
    """The checks of a directive's follow-ups (state.py follow_up_problems, kept by FileChecks): a follow-up
    dated before its directive is an error while nothing changes, and goes when the directive's bulletin is
    edited to an earlier date (the follow-up's file untouched); the problems are a fresh load's after each."""
    import datetime as dt

    from safety_bulletins.site_build.incremental import SourceCache
    from safety_bulletins.site_build.sitebuild import SiteBuild
    from helpers import UNITS_YML, URLS, write_tree

    early = FOLLOW_UP.replace("date: 2021-08-02", "date: 2021-05-20")
    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD,
                                               "2021/2021-05-20-review.md": early})
    sources = SourceCache()

    def problems():
        build = SiteBuild.load(root, dt.date(2026, 11, 28), URLS, workers=0, sources=sources)
        fresh = SiteBuild.load(root, dt.date(2026, 11, 28), URLS, workers=0)
        assert [str(p) for p in build.project.problems] == [str(p) for p in fresh.project.problems]
        return " ".join(str(p) for p in build.project.errors)

    assert "before directive 'CIG-2021-05-2' was issued" in problems()
    assert "before directive 'CIG-2021-05-2' was issued" in problems()  # kept: the same objects
    (root / "2021/2021-05-25-meeting.md").write_text(MEETING_MD.replace("date: 2021-05-25", "date: 2021-05-19"),
                                                     encoding="utf-8")
    assert "before directive" not in problems()
