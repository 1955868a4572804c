"""The pre-commit hook (.pre-commit-hooks.yaml) installed from this checkout refuses a commit with a broken bulletin.

The hook repository is a snapshot of this checkout's working tree (uncommitted changes included), committed in a
temporary folder: pre-commit clones it from that local path, so the hook comes from here and not from a server.
pre-commit then builds the hook's virtualenv with pip, which takes the package's dependencies from the package
index pip is configured with (PyPI, a mirror, or a local wheelhouse with PIP_NO_INDEX/PIP_FIND_LINKS).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MEETING_MD, REPO, UNITS_YML, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BROKEN = "bulletins/2021/2021-06-01-inspection.md"


def git_env(tmp_path: Path) -> dict[str, str]:
    """Git and pre-commit isolated from this machine's configuration, caches and any enclosing git hook."""
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    return {**env, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.test",
            "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.test",
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"), "PRE_COMMIT_COLOR": "never"}


def run(cwd: Path, env: dict[str, str], *cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def snapshot_of_this_checkout(dest: Path, env: dict[str, str]) -> str:
    """Copy the checkout's working tree (tracked and new files, not ignored ones) to `dest`, commit, return HEAD."""
    listed = run(REPO, env, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed.returncode != 0:
        pytest.skip(f"{REPO} is not a git checkout: {listed.stderr.strip()}")
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file():  # tracked files deleted in the working tree are left out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "snapshot"]):
        assert run(dest, env, *cmd).returncode == 0
    return run(dest, env, "git", "rev-parse", "HEAD").stdout.strip()


def test_commit_with_a_broken_bulletin_is_refused_and_a_good_one_goes_through(tmp_path):
    env = git_env(tmp_path)
    hooks = tmp_path / "hook-repo"
    rev = snapshot_of_this_checkout(hooks, env)

    site = tmp_path / "site"
    write_tree(site, {
        "mkdocs.yml": "site_name: x\n",
        ".pre-commit-config.yaml": f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: bulletins-check\n",
        "bulletins/units.yml": UNITS_YML,
        "bulletins/2021/2021-05-25-meeting.md": MEETING_MD,
    })
    pre_commit = (sys.executable, "-m", "pre_commit")
    assert run(site, env, "git", "init", "-q").returncode == 0
    installed = run(site, env, *pre_commit, "install", "--install-hooks")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (site / ".git/hooks/pre-commit").is_file()

    def commit(message: str) -> subprocess.CompletedProcess:
        assert run(site, env, "git", "add", "-A").returncode == 0
        return run(site, env, "git", "commit", "-m", message)

    def commits() -> int:
        return int(run(site, env, "git", "rev-list", "--count", "HEAD").stdout)

    good = commit("Add the meeting")
    assert good.returncode == 0, good.stdout + good.stderr
    # git shows a hook's output on stderr
    assert "check bulletins" in good.stderr and "Passed" in good.stderr

    inspection = MEETING_MD.replace("CIG-2021-05-2", "CIG-2021-06-1")
    write_tree(site, {BROKEN: inspection.replace("type: minutes", "type: minute")})
    refused = commit("Add the inspection")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert f"{BROKEN}:4: error: 'type' is 'minute', which is not allowed" in output
    assert "Did you mean 'minutes'?" in output
    assert commits() == 1

    write_tree(site, {BROKEN: inspection})
    fixed = commit("Add the inspection")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert commits() == 2

    # Commits that touch no bulletin do not run the check (always_run: false).
    write_tree(site, {"README.md": "Our bulletins.\n", "bulletins/2021/unstaged.md": "---\ntype: minute\n---\n"})
    assert run(site, env, "git", "add", "README.md").returncode == 0
    other = run(site, env, "git", "commit", "-m", "Readme")
    assert other.returncode == 0, other.stdout + other.stderr
    assert "(no files to check)Skipped" in other.stderr
