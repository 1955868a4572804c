"""`bulletins publish`: a new release per publish, an atomic switch, rollback, and a live
site that a failed check or build never touches, proven behind nginx."""

import shutil
import threading
import time
import urllib.request

from helpers import MEETING_MD, build, nginx

from safety_bulletins.cli import main
from safety_bulletins.publish import releases


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


def test_a_release_built_from_the_live_one_equals_a_full_build(site_project, tmp_path, monkeypatch):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-other.md":
                            MEETING_MD.replace("CIG-2021-05-2", "O-1").replace("Special meeting", "Other meeting")})
    dest = tmp_path / "safety"
    assert publish(project, dest, monkeypatch) == 0
    (project / "bulletins/2021/2021-05-25-meeting.md").write_text(MEETING_MD.replace("Special", "Edited"))
    (project / "bulletins/2021/2021-05-26-other.md").unlink()
    assert publish(project, dest, monkeypatch) == 0
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    full = build(fresh)
    tree = lambda site: {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert tree(dest.resolve()) == tree(full)
