"""When each bulletin was last changed and how often, from git history.

One `git log` over the whole bulletins folder (not one per file: a folder holds thousands of bulletins), run
locally, so it works offline. Renames are followed, so a renamed bulletin keeps its history. No MkDocs here:
the hook turns the result into page text and log messages.

What cannot be known is said in `History.warnings` rather than raised: no git, not a repository, or a shallow
clone (CI systems often fetch only the last commit), where dates and counts only cover the fetched commits.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import processes
from ..model import FileHistory

# git's time limit, per run: a full log of years of bulletins takes well under a second; the limit
# grows with the files asked about, and git is stopped (with anything it started) when it is reached
GIT_TIMEOUT = 60  # seconds
GIT_TIMEOUT_PER_FILE = 0.01  # seconds


@dataclass
class History:
    files: dict[str, FileHistory] = field(default_factory=dict)  # by POSIX path below the bulletins folder
    warnings: list[str] = field(default_factory=list)  # for the build log; empty when all is well
    available: bool = True  # False when there is no history at all (no git, not a repository, git failed)
    shallow: bool = False

    def get(self, rel_path: str) -> FileHistory | None:
        """The file's history, or None when it has never been committed (or history is unavailable)."""
        return self.files.get(rel_path)


def git_history(folder: Path, paths: Iterable[str] | None = None) -> History:
    """Last change and number of commits of each file below `folder`, from one `git log`.

    `paths` are POSIX paths relative to `folder` (like `Bulletin.rel_path`); the result holds those of them
    that were ever committed. Without `paths`, it holds every committed file that still exists below `folder`.
    Never raises for a missing git, a folder outside a repository or a shallow clone: see `History`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return unavailable(f"no git history: {folder} is not a folder")
    paths = list(paths) if paths is not None else None
    limit = git_timeout(len(paths) if paths is not None else sum(1 for _ in folder.rglob("*.md")))

    inside = run_git(folder, "rev-parse", "--is-inside-work-tree", timeout=limit)
    if isinstance(inside, str):
        return unavailable(inside)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        detail = first_line(inside.stderr) or "not inside a git working tree"
        return unavailable(f"no git history for {folder}: {detail}")

    history = History()
    shallow = run_git(folder, "rev-parse", "--is-shallow-repository", timeout=limit)
    boundary: set[str] = set()
    if not isinstance(shallow, str) and shallow.stdout.strip() == "true":
        history.shallow = True
        boundary = shallow_boundary(folder, limit)
        history.warnings.append(
            f"history is shallow: {folder} is in a shallow clone, so last-changed dates and change counts only "
            "cover the fetched commits; clone with full history (git fetch --unshallow, or fetch-depth: 0 in CI) "
            "for exact values")

    log = run_git(folder, "-c", "log.showSignature=false", "log", "-z", "--no-merges", "-M", "--relative",
                  "--name-status", "--format=%x01%H%x00%cI", "--", ".", timeout=limit)
    if isinstance(log, str):
        return unavailable(log)
    if log.returncode != 0:
        stderr = first_line(log.stderr)
        if "does not have any commits" in log.stderr:  # a fresh repository: nothing committed yet
            return history
        return unavailable(f"no git history for {folder}: git log failed: {stderr}")

    counted = parse_log(log.stdout, boundary)
    wanted = paths if paths is not None else [p for p in counted if (folder / p).is_file()]
    history.files = {p: counted[p] for p in wanted if p in counted}
    return history


def parse_log(output: str, boundary: set[str] = frozenset()) -> dict[str, FileHistory]:
    """Read `git log -z -M --name-status --format=%x01%H%x00%cI`, newest commit first.

    A rename `old -> new` credits the older commits of `old` to the file's current name; a file touched by a
    shallow boundary commit (every file the cut commit holds shows as added) is marked incomplete.
    """
    last: dict[str, str] = {}
    count: dict[str, int] = {}
    incomplete: set[str] = set()
    current_name: dict[str, str] = {}  # a path as it was in older commits -> its name today

    commit = date = ""
    tokens = output.split("\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip("\n")
        i += 1
        if token.startswith("\x01"):
            commit, date = token[1:], tokens[i] if i < len(tokens) else ""
            i += 1
            continue
        if not token:
            continue
        status = token[0]
        if status in "RC":  # two paths follow: source and destination
            source, dest = tokens[i], tokens[i + 1]
            i += 2
            name = current_name.get(dest, dest)
            if status == "R":
                current_name[source] = name
        else:
            name = tokens[i]
            i += 1
            name = current_name.get(name, name)
        last.setdefault(name, date)
        count[name] = count.get(name, 0) + 1
        if commit in boundary:
            incomplete.add(name)
    return {name: FileHistory(last[name], count[name], name not in incomplete) for name in last}


def shallow_boundary(folder: Path, timeout: float = GIT_TIMEOUT) -> set[str]:
    """The commits a shallow clone was cut at (their parents were not fetched)."""
    path = run_git(folder, "rev-parse", "--path-format=absolute", "--git-path", "shallow", timeout=timeout)
    if isinstance(path, str) or path.returncode != 0:
        return set()
    try:
        return set(Path(path.stdout.strip()).read_text(encoding="ascii").split())
    except OSError:
        return set()


def git_timeout(files: int) -> float:
    """The time limit of one git run for a history of `files` files."""
    return GIT_TIMEOUT + GIT_TIMEOUT_PER_FILE * files


def run_git(folder: Path, *args: str, timeout: float = GIT_TIMEOUT) -> subprocess.CompletedProcess | str:
    """Run git in `folder`; a string says why it could not run at all, or did not finish in time."""
    try:
        return processes.run(["git", "-C", str(folder), *args], timeout, text=True, encoding="utf-8",
                             errors="surrogateescape")
    except FileNotFoundError:
        return "no git history: git is not installed (Debian: apt-get install git)"
    except processes.TimeLimitExceeded:
        return (f"no git history: git did not finish within {timeout:g} s in {folder} and was stopped "
                f"(is the disk full, or the repository on a hung network mount?)")
    except OSError as error:
        return f"no git history: git could not run: {error}"


def unavailable(reason: str) -> History:
    return History(warnings=[reason], available=False)


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
