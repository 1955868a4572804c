"""`bulletins publish`: a new release per publish, an atomic switch, rollback, and a live
site that a failed check or build never touches, proven behind nginx."""

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
from helpers import MEETING_MD, REPO, build, nginx

from safety_bulletins.commands.cli import main
from safety_bulletins.commands.publish import releases


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
    assert "the build failed; the live site is unchanged" in capsys.readouterr().err
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
    publishing = threading.Event()

    def hammer(base):
        deadline = time.monotonic() + 120  # bounded, whatever happens
        while publishing.is_set() and time.monotonic() < deadline:
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

    (tmp_path / "nginx").mkdir()
    with nginx(tmp_path / "nginx", {"/safety/": dest}) as base:
        publishing.set()
        clients = [threading.Thread(target=hammer, args=(base + "/safety/",)) for _ in range(4)]
        for client in clients:
            client.start()
        bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
        for n in range(3):
            bulletin.write_text(MEETING_MD.replace("Special meeting", f"Meeting {n}"), encoding="utf-8")
            assert publish(project, dest, monkeypatch) == 0
        assert publish(project, dest, monkeypatch, "--rollback") == 0
        publishing.clear()
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
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


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
    leftover = tmp_path / "safety.releases" / ".building-20260101T000000-000000Z"  # as `kill -9` leaves it
    (leftover / "bulletins").mkdir(parents=True)
    assert releases(dest) == [dest.resolve()]
    assert publish(project, dest, monkeypatch) == 0
    assert not leftover.exists() and len(releases(dest)) == 2


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
    assert "does not match its sources (bulletins verify); the live site is unchanged" in err
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
