"""Last change and number of changes of each bulletin, from real git repositories made on the fly."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import time

import pytest
from helpers import MEETING_MD, UNITS_YML, never_exits, processes_with, write_tree

from safety_bulletins.site_build import history as history_module
from safety_bulletins.site_build.history import git_history

MEETING = "2021/2021-05-25-meeting.md"
CHINESE = "2026/2026-11-20-关于开展应急演练 的通知.md"  # non-ASCII and a space: git quotes such names


def git(repo: Path, *args: str, date: str = "2026-01-01T08:00:00+08:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    result = subprocess.run(["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.test",
                             "-c", "init.defaultBranch=main", "-C", str(repo), *args],
                            env=env, capture_output=True, text=True, check=True)
    return result.stdout


def commit(repo: Path, files: dict[str, str], date: str, message: str = "Edit") -> None:
    write_tree(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A bulletins project with three commits: the meeting is touched by two of them."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, {"mkdocs.yml": "site_name: x\n", "bulletins/units.yml": UNITS_YML,
                  f"bulletins/{MEETING}": MEETING_MD}, "2026-01-05T09:00:00+08:00", "Add the meeting")
    commit(repo, {f"bulletins/{CHINESE}": MEETING_MD, "README.md": "outside the bulletins folder\n"},
           "2026-02-10T10:30:00+08:00", "Add a notice")
    commit(repo, {f"bulletins/{MEETING}": MEETING_MD.replace("was held", "was held in room 3")},
           "2026-03-01T14:00:00+08:00", "Fix the room")
    return repo


def test_last_change_and_count_per_file_relative_to_the_bulletins_folder(repo):
    history = git_history(repo / "bulletins")
    assert history.available and not history.shallow and history.warnings == []
    assert history.files == {
        MEETING: history_module.FileHistory("2026-03-01T14:00:00+08:00", 2),
        CHINESE: history_module.FileHistory("2026-02-10T10:30:00+08:00", 1),
        "units.yml": history_module.FileHistory("2026-01-05T09:00:00+08:00", 1),
    }  # README.md and mkdocs.yml are outside the folder


def test_only_the_asked_files_and_uncommitted_ones_are_absent(repo):
    write_tree(repo, {"bulletins/2026/new.md": MEETING_MD})  # written, not committed yet
    history = git_history(repo / "bulletins", [MEETING, "2026/new.md"])
    assert list(history.files) == [MEETING]
    assert history.get("2026/new.md") is None and history.get(MEETING).commits == 2


def test_a_renamed_bulletin_keeps_its_history_and_deleted_files_are_left_out(repo):
    git(repo, "mv", f"bulletins/{MEETING}", "bulletins/2021/2021-05-25-special-meeting.md")
    git(repo, "rm", "-q", f"bulletins/{CHINESE}")
    git(repo, "commit", "-q", "-m", "Rename", date="2026-04-01T08:00:00+08:00")
    history = git_history(repo / "bulletins")
    assert history.files["2021/2021-05-25-special-meeting.md"] == history_module.FileHistory(
        "2026-04-01T08:00:00+08:00", 3)
    assert set(history.files) == {"2021/2021-05-25-special-meeting.md", "units.yml"}


def test_the_repository_root_as_folder(repo):
    history = git_history(repo)
    assert history.files[f"bulletins/{MEETING}"].commits == 2
    assert history.files["README.md"].commits == 1


def test_one_git_log_for_the_whole_folder(repo, monkeypatch):
    commit(repo, {f"bulletins/2025/{n:04}.md": MEETING_MD for n in range(300)}, "2026-03-02T08:00:00+08:00")
    calls = []
    real_run = history_module.processes.run
    monkeypatch.setattr(history_module.processes, "run", lambda cmd, *a, **kw: calls.append(cmd) or real_run(cmd, *a, **kw))
    history = git_history(repo / "bulletins")
    assert len(history.files) == 303
    assert sum("log" in cmd for cmd in calls) == 1 and len(calls) <= 3, calls


def test_shallow_clone_of_depth_one_warns_and_still_gives_what_it_can(repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True)
    history = git_history(clone / "bulletins")
    assert history.available and history.shallow
    assert len(history.warnings) == 1 and history.warnings[0].startswith("history is shallow: ")
    assert "fetch-depth: 0" in history.warnings[0]
    # The cut commit holds every file: each shows one change at the cut's date, flagged as incomplete.
    assert history.files[MEETING] == history_module.FileHistory("2026-03-01T14:00:00+08:00", 1, complete=False)
    assert history.files["units.yml"] == history_module.FileHistory("2026-03-01T14:00:00+08:00", 1, complete=False)


def test_shallow_clone_keeps_exact_values_for_files_born_after_the_cut(repo, tmp_path):
    commit(repo, {"bulletins/2026/late.md": MEETING_MD}, "2026-05-01T08:00:00+08:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", repo.as_uri(), str(clone)], check=True)
    history = git_history(clone / "bulletins")
    assert history.shallow
    assert history.files["2026/late.md"] == history_module.FileHistory("2026-05-01T08:00:00+08:00", 1)
    assert history.files[MEETING] == history_module.FileHistory("2026-03-01T14:00:00+08:00", 1, complete=False)


def test_not_a_git_repository(tmp_path):
    folder = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, MEETING: MEETING_MD})
    history = git_history(folder)
    assert not history.available and history.files == {}
    assert len(history.warnings) == 1 and "not a git repository" in history.warnings[0]


def test_missing_folder(tmp_path):
    history = git_history(tmp_path / "nowhere")
    assert not history.available and "is not a folder" in history.warnings[0]


def test_git_not_installed(repo, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    history = git_history(repo / "bulletins")
    assert not history.available and history.files == {}
    assert history.warnings == ["no git history: git is not installed (Debian: apt-get install git)"]


def test_fresh_repository_without_commits(tmp_path):
    repo = tmp_path / "repo"
    write_tree(repo, {"bulletins/units.yml": UNITS_YML})
    git(repo, "init", "-q")
    history = git_history(repo / "bulletins")
    assert history.available and history.files == {} and history.warnings == []


def test_a_git_that_never_exits_is_stopped_in_time(repo, monkeypatch, tmp_path):
    token = f"never-exits-{os.getpid()}-{time.monotonic_ns()}"
    (tmp_path / "bin").mkdir()
    never_exits(tmp_path / "bin" / "git", token)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(history_module, "GIT_TIMEOUT", 1)
    monkeypatch.setattr(history_module, "GIT_TIMEOUT_PER_FILE", 0)
    started = time.monotonic()
    history = git_history(repo / "bulletins")
    assert time.monotonic() - started < 10
    assert not history.available and "git did not finish within 1 s" in history.warnings[0]
    assert processes_with(token) == []  # git and what it started


def test_gits_time_limit_grows_with_the_files():
    assert history_module.git_timeout(10_000) == history_module.GIT_TIMEOUT + 10_000 * history_module.GIT_TIMEOUT_PER_FILE
