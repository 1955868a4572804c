"""`bulletins publish`: build into a new release and switch the live site to it atomically.

DEST is a symbolic link the web server serves; releases live next to it in
`DEST.releases/<timestamp>`. The switch is a rename of a new link over DEST, which is
atomic: a request sees the old site or the new one, never a mix or a missing file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

KEEP_RELEASES = 3
HISTORY = "live-history"  # in DEST.releases: the releases in the order they went live
LOCK = ".lock"


class PublishError(Exception):
    """Why nothing was published; the live site is untouched."""


def releases_dir(dest: Path) -> Path:
    return dest.with_name(dest.name + ".releases")


def releases(dest: Path) -> list[Path]:
    folder = releases_dir(dest)
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _check_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_symlink():
        raise PublishError(f"{dest} is a folder, not a link made by 'bulletins publish': move it away first")


@contextlib.contextmanager
def locked(dest: Path):
    """One publish or rollback at a time for a DEST."""
    folder = releases_dir(dest)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _history(dest: Path) -> list[str]:
    path = releases_dir(dest) / HISTORY
    return path.read_text().split() if path.exists() else []


def _set_history(dest: Path, names: list[str]) -> None:
    path = releases_dir(dest) / HISTORY
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(f"{name}\n" for name in names))
    os.replace(temporary, path)


def switch(dest: Path, release: Path) -> None:
    """Point DEST at a release in one atomic step."""
    temporary = dest.with_name(f".{dest.name}.switch-{os.getpid()}")
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(release.resolve(), target_is_directory=True)
    os.replace(temporary, dest)


def build_release(project: Path, dest: Path, stamp: str | None = None) -> Path:
    """Build the site of `project` into a new release folder; remove it again if the build fails.

    With a live release, the new one starts as a copy of it (dates kept) and is built with
    --dirty, which rebuilds only what changed and gives the same bytes as a full build."""
    _check_dest(dest)
    stamp = stamp or dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S-%fZ")
    release = releases_dir(dest) / stamp
    release.parent.mkdir(parents=True, exist_ok=True)
    live = dest.resolve() if dest.is_symlink() and dest.exists() else None
    if live is not None:
        shutil.copytree(live, release, copy_function=shutil.copy2, symlinks=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--config-file", str(project / "mkdocs.yml"),
         "--site-dir", str(release), *(["--dirty"] if live is not None else [])],
        capture_output=True, text=True, env=env,
    )
    if result.returncode != 0:
        shutil.rmtree(release, ignore_errors=True)
        raise PublishError(f"the build failed; the live site is unchanged:\n{result.stderr.strip()}")
    return release


def publish(project: Path, dest: Path) -> Path:
    _check_dest(dest)
    with locked(dest):
        release = build_release(project, dest)
        switch(dest, release)
        _set_history(dest, [*_history(dest), release.name][-KEEP_RELEASES:])
        _prune(dest)
    return release


def rollback(dest: Path) -> Path:
    """Switch DEST back to the release that was live before the current one."""
    _check_dest(dest)
    with locked(dest):
        history = _history(dest)
        if len(history) < 2:
            raise PublishError(f"there is no earlier release of {dest} to go back to")
        previous = releases_dir(dest) / history[-2]
        switch(dest, previous)
        _set_history(dest, history[:-1])
    return previous


def _prune(dest: Path) -> None:
    """Keep the releases that were live most recently: the live one and those to roll back to."""
    keep = set(_history(dest))
    for old in releases(dest):
        if old.name not in keep:
            shutil.rmtree(old)
