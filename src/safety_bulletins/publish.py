"""`bulletins publish`: build into a new release and switch the live site to it atomically.

DEST is a symbolic link the web server serves; releases live next to it in
`DEST.releases/<timestamp>`. The switch is a rename of a new link over DEST, which is
atomic: a request sees the old site or the new one, never a mix or a missing file.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

KEEP_RELEASES = 3


class PublishError(Exception):
    """Why nothing was published; the live site is untouched."""


def releases_dir(dest: Path) -> Path:
    return dest.with_name(dest.name + ".releases")


def releases(dest: Path) -> list[Path]:
    folder = releases_dir(dest)
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def current_release(dest: Path) -> Path | None:
    return Path(os.readlink(dest)) if dest.is_symlink() else None


def _check_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_symlink():
        raise PublishError(f"{dest} is a folder, not a link made by 'bulletins publish': move it away first")


def switch(dest: Path, release: Path) -> None:
    """Point DEST at a release in one atomic step."""
    temporary = dest.with_name(f".{dest.name}.switch-{os.getpid()}")
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(release.resolve(), target_is_directory=True)
    os.replace(temporary, dest)


def build_release(project: Path, dest: Path, stamp: str | None = None) -> Path:
    """Build the site of `project` into a new release folder; remove it again if the build fails."""
    _check_dest(dest)
    stamp = stamp or dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    release = releases_dir(dest) / stamp
    release.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--config-file", str(project / "mkdocs.yml"),
         "--site-dir", str(release)],
        capture_output=True, text=True, env=env,
    )
    if result.returncode != 0:
        shutil.rmtree(release, ignore_errors=True)
        raise PublishError(f"the build failed; the live site is unchanged:\n{result.stderr.strip()}")
    return release


def publish(project: Path, dest: Path) -> Path:
    release = build_release(project, dest)
    switch(dest, release)
    _prune(dest)
    return release


def rollback(dest: Path) -> Path:
    """Switch DEST back to the release before the current one."""
    _check_dest(dest)
    current = current_release(dest)
    older = [r for r in releases(dest) if current is None or r.resolve() != current.resolve()]
    older = [r for r in older if current is None or r.name < current.name]
    if not older:
        raise PublishError(f"there is no earlier release of {dest} to go back to")
    switch(dest, older[-1])
    return older[-1]


def _prune(dest: Path) -> None:
    """Keep the newest releases (the live one and those to roll back to)."""
    current = current_release(dest)
    for old in releases(dest)[:-KEEP_RELEASES]:
        if current is None or old.resolve() != current.resolve():
            shutil.rmtree(old)
