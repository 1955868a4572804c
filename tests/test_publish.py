"""`bulletins publish`: a new release per publish, an atomic switch, rollback, and a live
site that a failed check or build never touches, proven behind nginx."""

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import MEETING_MD, REPO, build, builds_forked, fill, never_exits, nginx, processes_with, small_disk

from safety_bulletins.commands.cli import main
from safety_bulletins.commands import publish as publishing
from safety_bulletins.commands.publish import MARKER, releases


@pytest.fixture(autouse=True)
def forked_builds(request, monkeypatch):
    """Each publish builds the site and verify builds it again, each in a new interpreter (2-4 s of CPU for
    this small site): forked from a warm process instead (helpers.builds_forked), but in the tests about
    the build's process (its time limit, its session, a signal it sends its parent), marked build_process."""
    if request.node.get_closest_marker("build_process") is None:
        builds_forked(monkeypatch)


def publish(project, dest, monkeypatch, *extra):
    monkeypatch.chdir(project)
    return main(["publish", str(dest), *extra])


def served_title(dest) -> str:
    page = (dest / "bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
    return page.split("<title>")[1].split(" - ")[0]


def test_publish_switches_and_rolls_back(site_project, tmp_path, monkeypatch):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "srv" / "safety"
    dest.parent.mkdir()
    assert publish(project, dest, monkeypatch) == 0
    assert dest.is_symlink() and served_title(dest) == "Special meeting on production safety"
    bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
    bulletin.write_text(MEETING_MD.replace("Special meeting", "Second meeting"), encoding="utf-8")
    assert publish(project, dest, monkeypatch) == 0
    assert served_title(dest) == "Second meeting on production safety"
    assert len(releases(dest)) == 2
    assert publish(project, dest, monkeypatch, "--rollback") == 0
    assert served_title(dest) == "Special meeting on production safety"
    assert publish(project, dest, monkeypatch, "--rollback") == 1  # nothing older


def test_failed_check_or_build_leaves_the_live_site_alone(site_project, tmp_path, monkeypatch, capsys):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "safety"
    assert publish(project, dest, monkeypatch) == 0
    live = dest.resolve()
    bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
    bulletin.write_text(MEETING_MD.replace("type: minutes", "type: minute"), encoding="utf-8")
    assert publish(project, dest, monkeypatch) == 1
    assert "'type' is 'minute'" in capsys.readouterr().err
    bulletin.write_text(MEETING_MD, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "theme_typo: [\n", encoding="utf-8")  # a build that fails
    assert publish(project, dest, monkeypatch) == 1
    err = capsys.readouterr().err
    assert "the build failed:" in err and err.endswith(f"The live site is unchanged: {dest} still serves {live}.\n")
    assert dest.resolve() == live and releases(dest) == [live]


def test_a_folder_in_the_way_is_not_replaced(site_project, tmp_path, monkeypatch, capsys):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "safety"
    dest.mkdir()
    (dest / "index.html").write_text("old site")
    assert publish(project, dest, monkeypatch) == 1
    assert "is a folder, not a link" in capsys.readouterr().err
    assert (dest / "index.html").read_text() == "old site"


def test_nginx_never_serves_an_error_or_half_a_site_while_publishing(site_project, tmp_path, monkeypatch):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "srv" / "safety"
    dest.parent.mkdir()
    assert publish(project, dest, monkeypatch) == 0
    paths = ["", "directives/", "units/property/", "bulletins/2021/2021-05-25-meeting/", "directives.json"]
    failures, answers = [], []
    running = threading.Event()
    # From the end of each build until its publish returns (the switch, the pruning), and around the rollback,
    # the clients read as fast as they can; while a release builds beside the live one, at a walk (a round,
    # then 20 ms): the moments the live site changes are hammered as hard as before, for less CPU.
    switching = threading.Event()

    def hammer(base):
        deadline = time.monotonic() + 120  # bounded, whatever happens
        while running.is_set() and time.monotonic() < deadline:
            for path in paths:
                try:
                    with urllib.request.urlopen(base + path, timeout=5) as response:
                        body = response.read().decode("utf-8")
                    complete = body.rstrip().endswith("</html>") or (path.endswith(".json") and body.rstrip().endswith("}"))
                    answers.append(response.status)
                    if response.status != 200 or not complete:
                        failures.append((path, response.status, body[-80:]))
                except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                    failures.append((path, repr(exc)))
            switching.wait(0.02)

    real_build = publishing.build_release

    def built_then_switching(*args, **kwargs):
        release = real_build(*args, **kwargs)
        switching.set()
        time.sleep(0.1)  # every client at full speed before the switch
        return release

    monkeypatch.setattr(publishing, "build_release", built_then_switching)
    (tmp_path / "nginx").mkdir()
    with nginx(tmp_path / "nginx", {"/safety/": dest}) as base:
        running.set()
        clients = [threading.Thread(target=hammer, args=(base + "/safety/",)) for _ in range(4)]
        for client in clients:
            client.start()
        bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
        for n in range(3):
            bulletin.write_text(MEETING_MD.replace("Special meeting", f"Meeting {n}"), encoding="utf-8")
            assert publish(project, dest, monkeypatch) == 0
            assert switching.is_set()  # it built, then switched with the clients at full speed
            switching.clear()
        switching.set()
        time.sleep(0.1)
        assert publish(project, dest, monkeypatch, "--rollback") == 0
        running.clear()
        for client in clients:
            client.join()
        final = urllib.request.urlopen(base + "/safety/bulletins/2021/2021-05-25-meeting/").read().decode()
    assert failures == []
    assert len(answers) > 100
    assert "<title>Meeting 1 on production safety" in final


def test_rollback_returns_to_the_release_live_before_not_the_newest_older_one(site_project, tmp_path, monkeypatch):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
    dest = tmp_path / "safety"
    for title in ("Good", "Bad"):
        bulletin.write_text(MEETING_MD.replace("Special meeting", f"{title} meeting"), encoding="utf-8")
        assert publish(project, dest, monkeypatch) == 0
    assert publish(project, dest, monkeypatch, "--rollback") == 0
    assert served_title(dest) == "Good meeting on production safety"
    bulletin.write_text(MEETING_MD.replace("Special meeting", "Fixed meeting"), encoding="utf-8")
    assert publish(project, dest, monkeypatch) == 0
    assert publish(project, dest, monkeypatch, "--rollback") == 0
    assert served_title(dest) == "Good meeting on production safety"  # not the bad one
    assert len(releases(dest)) <= 3


OTHER_MD = MEETING_MD.replace("CIG-2021-05-2", "O-1").replace("Special meeting", "Other meeting")


def tree(site):
    """The files of a site; of a release, all but the marker publish writes in it (see MARKER)."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and p != site / MARKER}


def full_build(project, tmp_path):
    """A clean `mkdocs build` of a copy of the project's sources, with no site/ or cache."""
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    return build(fresh)


def delete_bulletin(project, live):
    (project / "bulletins/2021/2021-05-26-other.md").unlink()


def rename_site(project, live):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_name: Test bulletins", "site_name: Renamed"))


def edit_docs_with_an_older_mtime(project, live):
    page = project / "docs/guide.md"  # not the home page, which is always rebuilt
    before = page.stat()
    page.write_text("# Guide\n\nHow to write, again.\n")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns - 10**12))  # older than the live release


def drop_stray_files_in_the_live_release(project, live):
    (live / "stray.html").write_text("not from the sources")
    (live / "bulletins/2021/stray/index.html").parent.mkdir(parents=True)
    (live / "bulletins/2021/stray/index.html").write_text("not from the sources")


@pytest.mark.parametrize("change", [delete_bulletin, rename_site, edit_docs_with_an_older_mtime,
                                    drop_stray_files_in_the_live_release])
def test_a_release_equals_a_clean_full_build_of_the_same_sources(site_project, tmp_path, monkeypatch, change):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-other.md": OTHER_MD})
    (project / "docs/guide.md").write_text("# Guide\n\nHow to write.\n")
    dest = tmp_path / "safety"
    assert publish(project, dest, monkeypatch) == 0
    live = dest.resolve()
    change(project, live)
    assert publish(project, dest, monkeypatch) == 0
    assert dest.resolve() != live
    assert tree(dest.resolve()) == tree(full_build(project, tmp_path))


def test_rollback_with_nothing_to_roll_back_creates_nothing(tmp_path, monkeypatch, capsys):
    (tmp_path / "srv").mkdir()
    dest = tmp_path / "srv" / "safety"
    monkeypatch.chdir(tmp_path)
    assert main(["publish", "--rollback", str(dest)]) == 1
    assert "there is no earlier release" in capsys.readouterr().err
    assert list((tmp_path / "srv").iterdir()) == []
    assert main(["publish", "--rollback", str(tmp_path / "nowhere" / "safety")]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["srv"]


def cli(project, *args, as_user=False):
    """`bulletins publish` in a process of its own, as CI runs it; `as_user`: without root's power to
    write anywhere (a root user keeps its files but not CAP_DAC_OVERRIDE)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "safety_bulletins.commands.cli", "publish", *args]
    if as_user and os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv (util-linux) to drop root's file permissions")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]
    return subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("releases_folder_exists", [False, True])
def test_publishing_into_an_unwritable_folder_says_so_and_leaves_nothing(site_project, tmp_path,
                                                                          releases_folder_exists):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    srv = tmp_path / "srv"
    srv.mkdir()
    if releases_folder_exists:  # e.g. made by an administrator for the publishing user
        (srv / "safety.releases").mkdir()
    srv.chmod(0o555)
    try:
        process = cli(project, str(srv / "safety"), as_user=True)
        out, err = process.communicate(timeout=300)
    finally:
        srv.chmod(0o755)
    assert process.returncode == 1, err
    assert f"{srv} is not writable by this user" in err and "Traceback" not in err
    assert sorted(p.name for p in srv.iterdir()) == (["safety.releases"] if releases_folder_exists else [])
    if releases_folder_exists:
        assert list((srv / "safety.releases").iterdir()) == []


SLOW_HOOK = """\
import subprocess, sys, time
from pathlib import Path

def on_post_build(config):
    # a grandchild too: stopping publish must stop all of the build's processes
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    Path(config.config_file_path).with_name("building").write_text("yes")
    time.sleep(120)
"""


def group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {seconds} s"
        time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_publish_stops_its_build_and_keeps_the_live_site(site_project, tmp_path, monkeypatch, stop):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "safety"
    assert publish(project, dest, monkeypatch) == 0
    live = dest.resolve()
    (project / "slow.py").write_text(SLOW_HOOK)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("hooks:\n", f"hooks:\n  - {project / 'slow.py'}\n"))
    publisher = cli(project, str(dest))
    try:
        wait_for(lambda: (project / "building").exists() or publisher.poll() is not None, 120)
        assert publisher.poll() is None, publisher.communicate()
        build_group = next(os.getpgid(int(p.parent.name)) for p in Path("/proc").glob("[0-9]*/stat")
                           if p.read_text().rsplit(")", 1)[1].split()[1] == str(publisher.pid))
        assert build_group != os.getpgid(publisher.pid) and len(group_members(build_group)) >= 2
        publisher.send_signal(stop)
        out, err = publisher.communicate(timeout=60)
    finally:
        if publisher.poll() is None:
            publisher.kill()
    assert publisher.returncode == 128 + stop, err
    assert f"stopped by {stop.name}" in err and "Traceback" not in err
    wait_for(lambda: group_members(build_group) == [], 10)
    assert dest.resolve() == live and releases(dest) == [live]
    assert [p.name for p in (tmp_path / "safety.releases").iterdir() if p.name.startswith(".building")] == []


def test_a_release_left_half_built_by_a_kill_is_never_listed_and_removed_next_time(site_project, tmp_path,
                                                                                    monkeypatch):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "safety"
    assert publish(project, dest, monkeypatch) == 0
    leftover = publishing._new_release_folder(dest, "20160101T000000-000000Z")  # as `kill -9` leaves it
    (leftover / "bulletins").mkdir(parents=True)
    not_ours = tmp_path / "safety.releases" / ".building-20260101T000000-000001Z"  # the name, not the marker
    (not_ours / "bulletins").mkdir(parents=True)
    assert releases(dest) == [dest.resolve()]
    assert publish(project, dest, monkeypatch) == 0
    assert not leftover.exists() and len(releases(dest)) == 2
    assert (not_ours / "bulletins").is_dir()


def test_a_missing_parent_folder_is_an_error_not_created(site_project, tmp_path, monkeypatch, capsys):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    assert publish(project, tmp_path / "srv" / "safety", monkeypatch) == 1
    assert f"{tmp_path / 'srv'} does not exist: create it" in capsys.readouterr().err
    assert not (tmp_path / "srv").exists()


# A plugin that makes each build different (a time stamp) and puts a script URL on a page:
# `bulletins verify` rebuilds the site and compares, and checks every page's URLs.
TAMPERING_HOOK = '''
import time

from mkdocs.plugins import event_priority

@event_priority(-100)  # after the site's own hook: as a buggy plugin would
def on_post_page(output, page, config):
    return output.replace("</body>", f'<a href="javascript:alert(1)">{time.time_ns()}</a></body>', 1)
'''


def test_a_release_that_does_not_match_its_sources_is_not_switched_to(site_project, tmp_path, monkeypatch, capsys):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "safety"
    assert publish(project, dest, monkeypatch) == 0
    live = dest.resolve()
    (project / "tamper.py").write_text(TAMPERING_HOOK, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("hooks:\n", "hooks:\n  - tamper.py\n"))
    assert publish(project, dest, monkeypatch) == 1
    err = capsys.readouterr().err
    assert "does not match its sources (bulletins verify), so it was removed" in err
    assert err.endswith(f"The live site is unchanged: {dest} still serves {live}.\n")
    assert re.search(r"^bulletins/2021/2021-05-25-meeting/index.html:\d+: differs from a build from the sources: ", err, re.M)
    assert re.search(r"^bulletins/2021/2021-05-25-meeting/index.html:\d+: href=\"javascript:alert\(1\)\" is a "
                     r"'javascript:' URL", err, re.M)
    assert dest.resolve() == live and releases(dest) == [live]


def test_a_bad_as_of_date_stops_publish_before_building(site_project, tmp_path, monkeypatch, capsys):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    monkeypatch.setenv("BULLETINS_TODAY", "2026-13-01")
    assert publish(project, tmp_path / "safety", monkeypatch) == 1
    assert "BULLETINS_TODAY" in capsys.readouterr().err and not (tmp_path / "safety").exists()


def test_a_link_to_a_bulletin_whose_embargo_has_lifted_is_published(site_project, tmp_path, monkeypatch):
    lifted = MEETING_MD.replace("CIG-2021-05-2", "O-1").replace("type: minutes\n", "type: minutes\npublish: 2026-11-28\n")
    linking = MEETING_MD.replace("The meeting was held.", "See [the other](2021-05-26-other.md).")
    project = site_project({"2021/2021-05-25-meeting.md": linking, "2021/2021-05-26-other.md": lifted})
    dest = tmp_path / "safety"
    assert publish(project, dest, monkeypatch) == 0  # as of 2026-11-28, the pinned date
    assert (dest / "bulletins/2021/2021-05-26-other/index.html").is_file()


# --- what publish removes, and when it stops: the disk, the time limit, signals at each stage ---------------

def old_release(dest, stamp, live=False):
    """A release as publish makes one (its marker included), without the time a build takes."""
    publishing.releases_dir(dest).mkdir(exist_ok=True)
    building = publishing._new_release_folder(dest, stamp)
    (building / "index.html").write_text(f"<html>{stamp}</html>")
    release = building.with_name(stamp)
    building.rename(release)
    if live:
        publishing._switch(dest, release, [*publishing._history(dest), stamp], publishing.Progress(), then="done")
    return release


def test_only_what_publish_made_is_ever_removed(site_project, tmp_path, monkeypatch):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "srv" / "safety"
    (tmp_path / "srv").mkdir()
    shared = tmp_path / "shared"  # e.g. a folder of other sites, holding the releases folder by a link
    (shared / "releases").mkdir(parents=True)
    (shared / "other-site" / "index.html").parent.mkdir()
    (shared / "other-site" / "index.html").write_text("another site")
    publishing.releases_dir(dest).symlink_to(shared / "releases")
    folder = publishing.releases_dir(dest)
    live = old_release(dest, "20160101T000000-000000Z", live=True)
    pruned = old_release(dest, "20150101T000000-000000Z")  # ours, out of the history: pruned
    (pruned / "data").symlink_to(shared / "other-site")  # a link inside a release: never followed
    (folder / "shared").symlink_to(shared / "other-site")
    (folder / "20140101T000000-000000Z").symlink_to(shared / "other-site")  # a release's name, a link
    (folder / "20130101T000000-000000Z").mkdir()  # a release's name, not made by publish
    (folder / "20130101T000000-000000Z" / "keep.txt").write_text("mine")
    shutil.copytree(live, folder / "20120101T000000-000000Z")  # a copy of a release: its marker names another
    (folder / ".building-20110101T000000-000000Z").mkdir()  # the name of an unfinished build, not ours
    (folder / "archive").mkdir()
    others = sorted(p.name for p in folder.iterdir() if p.name not in (live.name, pruned.name))
    assert releases(dest) == [pruned, live]
    assert publish(project, dest, monkeypatch) == 0
    assert not pruned.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(others + [".lock", live.name, dest.resolve().name])
    assert (shared / "other-site" / "index.html").read_text() == "another site"
    assert (folder / "20130101T000000-000000Z" / "keep.txt").read_text() == "mine"
    assert releases(dest) == [live, folder / dest.resolve().name]
    assert publish(project, dest, monkeypatch, "--rollback") == 0 and dest.resolve() == live.resolve()


@pytest.mark.parametrize("size, inodes, short", [("2m", 10_000, "MB"), ("64m", 60, "inodes")])
def test_a_disk_without_room_for_a_release_is_said_before_building(site_project, tmp_path, monkeypatch, capsys,
                                                                   size, inodes, short):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    with small_disk(tmp_path / "disk", size, inodes) as disk:
        dest = disk / "safety"
        assert publish(project, dest, monkeypatch) == 1
        err = capsys.readouterr().err
        assert f"not enough room on the disk holding {disk / 'safety.releases'}" in err and "Traceback" not in err
        assert f"nothing was built\nNothing was published: {dest} does not exist yet." in err
        free, need = err.split(" free, a release needs about ")
        assert short == "MB" and float(free.split(" MB")[0].split()[-1]) < float(need.split(" MB")[0]) or \
            short == "inodes" and int(free.split()[-2]) < int(need.split(" and ")[1].split()[0])
        assert sorted(p.name for p in (disk / "safety.releases").iterdir()) == [".lock"]


FILLING_HOOK = '''
from pathlib import Path
from mkdocs.plugins import event_priority
import sys
sys.path.insert(0, {tests!r})
from helpers import fill

# after the site's own hook copied in the outputs made beside the page loop (100), before its Pagefind
# (default priority): Pagefind then finds the disk full
@event_priority(50)
def on_{event}(config):
    fill(Path(config.site_dir).parents[1] / "filler", {what!r}, {leave})
'''


@pytest.mark.build_process
@pytest.mark.parametrize("event, what, leave", [("pre_build", "bytes", 0), ("post_build", "inodes", 0),
                                                ("post_build", "inodes", 8)])
def test_a_disk_that_fills_up_during_the_build_is_said_and_the_half_made_release_removed(
        site_project, tmp_path, monkeypatch, capsys, event, what, leave):
    """Another program fills the disk while the build runs: before the pages are written (MkDocs fails),
    or before Pagefind indexes them: with no inode left, it cannot start; with a few, it never exits (as
    Pagefind 1.5 does), and the build's time limit stops it."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    with small_disk(tmp_path / "disk", "32m", 4000) as disk:
        dest = disk / "safety"
        assert publish(project, dest, monkeypatch) == 0
        live = dest.resolve()
        used = tree_size(disk)
        (project / "fill.py").write_text(FILLING_HOOK.format(tests=str(REPO / "tests"), event=event, what=what,
                                                             leave=leave))
        config = project / "mkdocs.yml"
        config.write_text(config.read_text().replace("hooks:\n", f"hooks:\n  - {project / 'fill.py'}\n"))
        capsys.readouterr()
        started = time.monotonic()
        assert publish(project, dest, monkeypatch, "--build-timeout", "10") == 1
        err = capsys.readouterr().err
        assert time.monotonic() - started < 40
        assert "Traceback" not in err
        if leave == 0:
            assert f"the disk holding {disk / 'safety.releases'} is full (No space left on device)" in err
        else:
            assert "the build did not finish within 10 s and was stopped with all its processes" in err
            assert " inodes were free then (df -h; df -i)" in err
        assert f"The live site is unchanged: {dest} still serves {live}." in err
        assert os.readlink(dest) == str(live) and releases(dest) == [live]
        shutil.rmtree(disk / "filler")
        assert tree_size(disk) == used  # nothing of the stopped build is left


def tree_size(folder):
    return publishing.tree_size(folder)


@pytest.mark.build_process
def test_a_build_that_never_ends_is_stopped_with_all_its_processes(site_project, tmp_path, monkeypatch, capsys):
    """Pagefind that never exits (a program first in PAGEFIND_BINARY_PATH, where Pagefind's Python package looks
    first), with a child in a process group of its own: the build's time limit stops them all."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "safety"
    live = old_release(dest, "20160101T000000-000000Z", live=True)
    token = f"never-exits-{os.getpid()}-{time.monotonic_ns()}"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(never_exits(tmp_path / "pagefind", token, own_group=True)))
    started = time.monotonic()
    assert publish(project, dest, monkeypatch, "--build-timeout", "8") == 1
    assert 8 <= time.monotonic() - started < 30
    err = capsys.readouterr().err
    assert "the build did not finish within 8 s and was stopped with all its processes" in err
    assert f"The live site is unchanged: {dest} still serves {live}." in err
    wait_for(lambda: processes_with(token) == [], 5)
    assert releases(dest) == [live] and os.readlink(dest) == str(live)
    assert [p.name for p in publishing.releases_dir(dest).iterdir() if p.name.startswith(".building")] == []


def test_the_builds_time_limit_grows_with_the_bulletins(site_project):
    project = site_project({f"2021/2021-05-{n:02}-meeting.md": MEETING_MD for n in range(1, 11)})
    assert publishing.build_timeout(project) == publishing.BUILD_TIMEOUT_FLOOR + 10 * publishing.BUILD_TIMEOUT_PER_BULLETIN


SIGNALLING_HOOK = '''
import os, signal, time

def on_pre_build(config):
    os.kill(os.getppid(), {signum})  # publish runs in the test's process: the build is its child
    time.sleep(60)
'''


def signal_when(monkeypatch, name, signum):
    """Send `signum` to this process (where publish runs) as publish calls its function `name`."""
    real = getattr(publishing, name)

    def signalled(*args, **kwargs):
        os.kill(os.getpid(), signum)
        return real(*args, **kwargs)

    monkeypatch.setattr(publishing, name, signalled)


@pytest.fixture(params=["alone", "beside another thread"])
def threads(request):
    """publish's main thread alone, or beside another thread (as a worker pool's): the kernel hands a
    signal to any thread that does not hold it, so holding it in the main thread alone is not enough."""
    if request.param == "alone":
        yield
        return
    done = threading.Event()
    bystander = threading.Thread(target=done.wait)
    bystander.start()
    yield
    done.set()
    bystander.join()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("stage", ["before the build", pytest.param("during the build", marks=pytest.mark.build_process),
                                   "right after the switch", "during the pruning"])
def test_a_stopped_publish_says_what_is_live(site_project, tmp_path, monkeypatch, capsys, stage, stop, threads):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    dest = tmp_path / "safety"
    old = old_release(dest, "20150101T000000-000000Z")  # out of the history: to be pruned
    live = old_release(dest, "20160101T000000-000000Z", live=True)
    if stage == "before the build":
        signal_when(monkeypatch, "_check_room", stop)
    elif stage == "during the build":
        (project / "stop.py").write_text(SIGNALLING_HOOK.format(signum=int(stop)))
        config = project / "mkdocs.yml"
        config.write_text(config.read_text().replace("hooks:\n", f"hooks:\n  - {project / 'stop.py'}\n"))
    elif stage == "right after the switch":
        signal_when(monkeypatch, "_link_ready", stop)  # held during the switch, so it arrives after it
    else:
        signal_when(monkeypatch, "_remove_release", stop)
    assert publish(project, dest, monkeypatch) == 128 + stop
    err = capsys.readouterr().err
    assert f"stopped by {stop.name} while" in err and "Traceback" not in err
    serving = os.readlink(dest)
    if stage in ("before the build", "during the build"):
        assert serving == str(live)
        assert err.endswith(f"The live site is unchanged: {dest} still serves {serving}.\n")
        assert releases(dest) == [old, live]
    else:
        new = releases(dest)[-1]
        assert serving == str(new) and new not in (old, live)
        assert err.endswith(f"The new release is live: {dest} now serves {serving}; not finished: removing the "
                            "old releases (the next publish does it).\n")
        assert releases(dest) == [old, live, new]  # the pruning did not happen
        assert publishing._history(dest) == [live.name, new.name]
    assert [p.name for p in publishing.releases_dir(dest).iterdir() if p.name.startswith(".building")] == []


def test_a_disk_full_at_the_switch_leaves_the_live_site_and_says_so(site_project, tmp_path, monkeypatch, capsys):
    """The disk fills up between the build and the switch: the switch needs a new link and a new history,
    both made before the link is swapped, so the live site stays and the new release goes."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    with small_disk(tmp_path / "disk", "32m", 4000) as disk:
        dest = disk / "safety"
        assert publish(project, dest, monkeypatch) == 0
        live = dest.resolve()
        real = publishing._history_ready

        def filled_first(*args):
            fill(disk / "filler", "bytes")
            return real(*args)

        monkeypatch.setattr(publishing, "_history_ready", filled_first)
        capsys.readouterr()
        assert publish(project, dest, monkeypatch) == 1
        err = capsys.readouterr().err
        assert f"is full (No space left on device" in err and "Traceback" not in err
        assert err.endswith(f"The live site is unchanged: {dest} still serves {live}.\n")
        assert os.readlink(dest) == str(live) and releases(dest) == [live]
        assert sorted(p.name for p in publishing.releases_dir(dest).iterdir()) == [".lock", live.name, "live-history"]
        assert publishing._history(dest) == [live.name]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_rollback_stopped_at_its_switch_says_what_is_live(tmp_path, monkeypatch, capsys, stop, threads):
    dest = tmp_path / "safety"
    first = old_release(dest, "20150101T000000-000000Z", live=True)
    old_release(dest, "20160101T000000-000000Z", live=True)
    signal_when(monkeypatch, "_link_ready", stop)
    monkeypatch.chdir(tmp_path)
    assert main(["publish", "--rollback", str(dest)]) == 128 + stop
    assert capsys.readouterr().err == (f"bulletins publish: stopped by {stop.name} once done.\n"
                                       f"{dest} now serves {first}.\n")
    assert os.readlink(dest) == str(first)


@pytest.mark.parametrize("code, said", [(errno.ENOSPC, "is full (No space left on device)"),
                                        (errno.EDQUOT, "is full (Disk quota exceeded)"),
                                        (errno.EMFILE, "too many open files (Too many open files): raise the limit"),
                                        (errno.ENFILE, "too many open files (Too many open files in system)")])
def test_a_build_that_ran_out_of_room_or_files_is_said_in_plain_words(tmp_path, code, said):
    """A quota or the open-files limit cannot be reached for real here as a full tmpfs can: the build's
    last words as MkDocs prints them."""
    stderr = ("INFO - Building documentation...\nTraceback (most recent call last):\n  File \"x.py\", line 1\n"
              f"OSError: [Errno {code}] {os.strerror(code)}: '{tmp_path}/site/index.html'\n")
    message = publishing._build_failure(stderr, tmp_path)
    assert said in message and "Traceback" not in message
    assert message.endswith(f"The build said: OSError: [Errno {code}] {os.strerror(code)}: '{tmp_path}/site/index.html'")
