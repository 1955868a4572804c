"""`bulletins publish`: build into a new release and switch the live site to it atomically.

DEST is a symbolic link the web server serves; releases live next to it in
`DEST.releases/<timestamp>`. The switch is a rename of a new link over DEST, which is
atomic: a request sees the old site or the new one, never a mix or a missing file.

Every release is a clean full build into an empty folder: nothing of the live release or of
a build cache can reach it, so it equals `mkdocs build` of the same sources, always (with the
marker that says publish made it, see MARKER: publish removes nothing else).

Nothing it runs can hang it (every child process has a time limit, see `processes`), a full disk is
said in plain words, and however it stops, it says what DEST serves (see Progress).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import re
import shutil
import signal
import stat
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import processes
from .verify import RELEASE_MARKER, verify_site

KEEP_RELEASES = 3
HISTORY = "live-history"  # in DEST.releases: the releases in the order they went live
LOCK = ".lock"
BUILDING = ".building-"  # a release being built; renamed to its stamp once complete
STAMP = re.compile(r"\d{8}T\d{6}-\d{6}Z")  # a release's name: when its build started (UTC)
# In each release, written as its folder is made: what publish removes must be a folder it made. The name
# pattern alone is not enough (anyone can make a folder of that name, or a link of it to a shared folder),
# so the marker holds the folder's own device and inode: a copy, or another folder renamed in, is not ours.
MARKER = RELEASE_MARKER
# The build's time limit: a clean build of 2,000 bulletins takes about 18 s, of 10,000 about 2 minutes
BUILD_TIMEOUT_FLOOR = 300  # seconds
BUILD_TIMEOUT_PER_BULLETIN = 0.1  # seconds
# Room a new release needs, before it starts: the last release's size and inodes, with this much to grow
GROWTH = 1.25
# The first release (none to measure): the theme's files, then per file of the sources (a bulletin's
# page, its rows in the listings, the feeds and the search index; an attachment is copied as it is)
FIRST_BYTES, FIRST_INODES = 4 * 2**20, 256
BYTES_PER_MARKDOWN_BYTE, INODES_PER_MARKDOWN = 32, 8
DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EMFILE, errno.ENFILE)


class PublishError(Exception):
    """Why nothing was published; the live site is untouched."""


class Interrupted(BaseException):
    """publish was stopped by a signal (SIGTERM, SIGHUP); like KeyboardInterrupt, not an error to catch."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class Progress:
    """Where a publish is, so that whatever stops it can say what is live: before the switch the old
    release (unchanged), after it the new one, with what did not finish."""
    step: str = "starting"
    release: Path | None = None  # the new release, once built and verified
    switched: bool = False  # DEST points to it
    not_removed: list[str] = field(default_factory=list)  # old releases the pruning could not remove, and why


def live(dest: Path) -> str | None:
    """What DEST points to now (read from the link itself), or None if there is no link."""
    try:
        return os.readlink(dest)
    except OSError:
        return None


def what_is_live(dest: Path, progress: Progress) -> str:
    """One sentence on what DEST serves now, for the end of any message of a publish that stopped."""
    serving = live(dest)
    if progress.step == "done":
        return f"{dest} now serves {serving}"
    if progress.switched:
        return (f"The new release is live: {dest} now serves {serving}; not finished: {progress.step} "
                "(the next publish does it)")
    if serving is None:
        return f"Nothing was published: {dest} does not exist yet"
    return f"The live site is unchanged: {dest} still serves {serving}"


def releases_dir(dest: Path) -> Path:
    return dest.with_name(dest.name + ".releases")


def releases(dest: Path) -> list[Path]:
    """The complete releases publish made in DEST.releases, oldest first (nothing else there)."""
    folder = releases_dir(dest)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if STAMP.fullmatch(p.name) and is_ours(p))


def is_ours(path: Path) -> bool:
    """A folder publish made: a release's name, a real folder (never a link), with the marker publish
    wrote in it when it made it, naming this very folder."""
    if not STAMP.fullmatch(path.name.removeprefix(BUILDING)):
        return False
    try:
        folder = os.lstat(path)
        if not stat.S_ISDIR(folder.st_mode):
            return False
        fd = os.open(path / MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
            text = os.read(fd, 256)
        finally:
            os.close(fd)
    except OSError:
        return False
    return text == _marker_text(path.name.removeprefix(BUILDING), folder)


def _marker_text(stamp: str, folder: os.stat_result) -> bytes:
    return f"made by bulletins publish: release {stamp} {folder.st_dev}:{folder.st_ino}\n".encode()


def _new_release_folder(dest: Path, stamp: str) -> Path:
    """Make `.building-<stamp>` with its marker (see MARKER)."""
    building = releases_dir(dest) / (BUILDING + stamp)
    os.mkdir(building)  # never one that exists
    try:
        fd = os.open(building / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with open(fd, "wb") as marker:
            marker.write(_marker_text(stamp, os.lstat(building)))
    except BaseException:
        with contextlib.suppress(OSError):
            (building / MARKER).unlink()
        os.rmdir(building)
        raise
    return building


def _remove_release(path: Path) -> None:
    """Remove a folder publish made, and nothing else: never what a link inside it points to (shutil.rmtree
    does not follow links), never a folder that is not ours. The marker goes last, so a removal stopped
    half-way leaves a folder still known as ours, removed by the next publish."""
    if not is_ours(path):
        return
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    os.unlink(path / MARKER)
    os.rmdir(path)


def _check_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_symlink():
        raise PublishError(f"{dest} is a folder, not a link made by 'bulletins publish': move it away first")


def _check_writable(dest: Path) -> None:
    """The link and the releases folder are both written next to DEST: fail before building if they cannot be."""
    if not dest.parent.is_dir():
        raise PublishError(f"{dest.parent} does not exist: create it (writable by the publishing user) first")
    for folder in (dest.parent, releases_dir(dest)):
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise PublishError(f"{folder} is not writable by this user, so {dest} cannot be switched; "
                               f"give the publishing user write access to {folder} (nothing was built)")


def tree_size(folder: Path) -> tuple[int, int]:
    """Bytes allocated and inodes used by a folder and everything in it (links not followed)."""
    size, inodes = os.lstat(folder).st_blocks * 512, 1
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            with contextlib.suppress(OSError):
                size += os.lstat(os.path.join(root, name)).st_blocks * 512
                inodes += 1
    return size, inodes


def room_needed(project: Path, dest: Path) -> tuple[int, int, str]:
    """Bytes and inodes a new release needs, and how that was reckoned: the live release's size with room
    to grow; with no release of ours live, an estimate from the sources' size."""
    current = live(dest)
    last = releases_dir(dest) / Path(current).name if current else None
    if last is not None and is_ours(last):
        size, inodes = tree_size(last)
        return int(size * GROWTH), int(inodes * GROWTH), f"the live release's size ({_mb(size)}, {inodes} inodes) + 25%"
    size, inodes = FIRST_BYTES, FIRST_INODES
    for source in ("bulletins", "docs"):
        for root, _dirs, files in os.walk(project / source):
            for name in files:
                with contextlib.suppress(OSError):
                    length = os.lstat(os.path.join(root, name)).st_size
                    markdown = name.endswith(".md")
                    size += length * (BYTES_PER_MARKDOWN_BYTE if markdown else 1)
                    inodes += INODES_PER_MARKDOWN if markdown else 1
    return size, inodes, "estimated from the size of bulletins/ and docs/: no release to measure yet"


def free_room(folder: Path) -> tuple[int, int | None]:
    """Bytes and inodes free for this user on the disk holding `folder` (inodes: None if unlimited)."""
    disk = os.statvfs(folder)
    return disk.f_bavail * disk.f_frsize, (disk.f_favail if disk.f_files else None)


def _check_room(project: Path, dest: Path) -> None:
    folder = releases_dir(dest)
    need, need_inodes, reckoned = room_needed(project, dest)
    free, free_inodes = free_room(folder)
    if free < need or (free_inodes is not None and free_inodes < need_inodes):
        raise PublishError(
            f"not enough room on the disk holding {folder} for a new release: {_mb(free)} and "
            f"{free_inodes if free_inodes is not None else 'unlimited'} inodes free, a release needs about "
            f"{_mb(need)} and {need_inodes} inodes ({reckoned}); free some (df -h; df -i), nothing was built")


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def disk_problem(exc: OSError, folder: Path) -> str:
    """An OSError in plain words, with the state of the disk when it is about room or open files."""
    what = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {folder} is full ({what}); {_disk_state(folder)}"
    if exc.errno == errno.EMFILE:
        return f"too many open files ({what}): raise the limit (ulimit -n) of the publishing user"
    if exc.errno == errno.ENFILE:
        return f"too many open files ({what}): the system's limit (sysctl fs.file-max) is reached"
    return f"{what}: check that the publishing user can write {folder}"


def _disk_state(folder: Path) -> str:
    try:
        free, inodes = free_room(folder)
    except OSError:
        return "see df -h and df -i"
    return f"{_mb(free)} and {inodes if inodes is not None else 'unlimited'} inodes were free then (df -h; df -i)"


@contextlib.contextmanager
def locked(dest: Path, create: bool = True):
    """One publish or rollback at a time for a DEST."""
    folder = releases_dir(dest)
    try:
        if create:
            folder.mkdir(exist_ok=True)
        lock = open(folder / LOCK, "w")
    except OSError as exc:
        raise PublishError(f"cannot write {folder}: {exc.strerror}; give the publishing user write access "
                           f"to it and to {dest.parent}, and check the disk is not full") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _history(dest: Path) -> list[str]:
    path = releases_dir(dest) / HISTORY
    return path.read_text().split() if path.exists() else []


def _history_ready(dest: Path, names: list[str]) -> Path:
    """The new history written beside the old one, to be renamed over it (a rename needs no room)."""
    temporary = releases_dir(dest) / f".{HISTORY}.tmp"
    temporary.write_text("".join(f"{name}\n" for name in names))
    return temporary


def _link_ready(dest: Path, release: Path) -> Path:
    """A new link to `release` beside DEST, to be renamed over it."""
    temporary = dest.with_name(f".{dest.name}.switch-{os.getpid()}")
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(release.resolve(), target_is_directory=True)
    return temporary


def _switch(dest: Path, release: Path, history: list[str], progress: Progress, then: str) -> None:
    """Point DEST at a release in one atomic step, and record it in the history. Whatever needs room (the
    new link, the new history) is written first: after the switch only renames are left, which a full disk
    does not stop, and signals wait until both are done."""
    with processes.signals_held():
        made = []
        try:
            made.append(_history_ready(dest, history))
            made.append(_link_ready(dest, release))
            os.replace(made[-1], dest)
        except OSError as exc:
            for path in made:
                with contextlib.suppress(OSError):
                    path.unlink()
            if exc.errno in DISK_ERRORS:
                raise PublishError(f"cannot switch {dest} to {release.name}: {disk_problem(exc, dest.parent)}") from None
            raise PublishError(f"cannot switch {dest} to {release.name}: {exc.strerror}; "
                               f"give the publishing user write access to {dest.parent}") from None
        progress.switched = True
        progress.step = "recording the switch in the history"
        os.replace(made[0], releases_dir(dest) / HISTORY)
        progress.step = then  # a signal held meanwhile arrives now


@contextlib.contextmanager
def signals_stop_publishing():
    """SIGTERM and SIGHUP raise Interrupted (SIGINT already raises KeyboardInterrupt), so that a
    stopped publish stops its build and cleans up instead of dying with the build still running."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; there, a signal already ends the process
        return

    def stop(signum, frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def build_timeout(project: Path) -> float:
    """The build's time limit, from the number of bulletins."""
    bulletins = sum(1 for _ in (project / "bulletins").rglob("*.md"))
    return BUILD_TIMEOUT_FLOOR + BUILD_TIMEOUT_PER_BULLETIN * bulletins


def _run_build(command: list[str], env: dict[str, str], timeout: float, folder: Path):
    """Run the build in a session of its own, bounded in time; if it runs too long or this process is
    stopped, stop all of its processes (MkDocs, Pagefind, git and anything they started) before going on."""
    try:
        return processes.run(command, timeout, session=True, text=True, env=env)
    except processes.TimeLimitExceeded:
        raise PublishError(f"the build did not finish within {timeout:g} s and was stopped with all its "
                           f"processes, its half-made release removed (--build-timeout to allow more); on the "
                           f"disk holding {folder}: {_disk_state(folder)}") from None


def _build_failure(stderr: str, folder: Path) -> str:
    """What to say of a failed build: a disk that filled up in plain words (the last line of MkDocs' traceback
    says which file), anything else as the build said it."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    for code in sorted(DISK_ERRORS, key=lambda c: -len(os.strerror(c))):  # "Too many open files in system" first
        said = next((line.strip() for line in reversed(lines) if os.strerror(code) in line), None)
        if said is not None:
            return (disk_problem(OSError(code, os.strerror(code)), folder)
                    + f"; the half-made release was removed. The build said: {said}")
    return "\n".join(lines)


def build_release(project: Path, dest: Path, as_of: dt.date, stamp: str | None = None,
                  timeout: float | None = None, config_file: Path | None = None) -> Path:
    """Build the site of `project` with its `config_file` (default: its mkdocs.yml) into a new, empty
    release folder; remove it again if the build fails or is stopped. The folder is named
    `.building-<stamp>` until the build is complete."""
    config_file = config_file or project / "mkdocs.yml"
    _check_dest(dest)
    stamp = stamp or dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S-%fZ")
    release = releases_dir(dest) / stamp
    timeout = timeout if timeout is not None else build_timeout(project)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
           "BULLETINS_TODAY": as_of.isoformat()}
    building = None
    try:
        building = _new_release_folder(dest, stamp)
        command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config_file),
                   "--site-dir", str(building)]
        result = _run_build(command, env, timeout, building.parent)
        if result.returncode != 0:
            raise PublishError(f"the build failed:\n{_build_failure(result.stderr, building.parent)}")
        findings = verify_site(project, building, as_of, config_file=config_file)
        if findings:
            raise PublishError("the built site does not match its sources (bulletins verify), so it was "
                               "removed:\n" + "\n".join(findings))
        os.rename(building, release)
    except BaseException as exc:
        with processes.signals_held():
            if building is not None:
                with contextlib.suppress(OSError):
                    _remove_release(building)
        if isinstance(exc, OSError):
            raise PublishError(f"{disk_problem(exc, releases_dir(dest))}; the half-made release was removed") from None
        raise
    return release


def publish(project: Path, dest: Path, as_of: dt.date, progress: Progress | None = None,
            timeout: float | None = None, config_file: Path | None = None) -> Path:
    """Build, verify and switch to a release of `project` as of `as_of` (the build, the check
    before it and the verification after it all see that one day, even over midnight). `progress`
    says how far it got, whatever stops it; `timeout`: the build's (default: build_timeout);
    `config_file`: the site's configuration (default: the project's mkdocs.yml)."""
    progress = progress if progress is not None else Progress()
    _check_dest(dest)
    _check_writable(dest)
    progress.step = "waiting for another publish of the same site to finish"
    with locked(dest):
        progress.step = "checking the room on the disk"
        _remove_unfinished(dest)
        _check_room(project, dest)
        progress.step = "building the new release"
        release = build_release(project, dest, as_of, timeout=timeout, config_file=config_file)
        progress.release = release
        progress.step = "switching to the new release"
        try:
            _switch(dest, release, [*_history(dest), release.name][-KEEP_RELEASES:], progress,
                    then="removing the old releases")
        except BaseException:
            if not progress.switched:
                with processes.signals_held():
                    _remove_release(release)
            raise
        progress.step = "removing the old releases"
        progress.not_removed = _prune(dest)
        progress.step = "done"
    return release


def rollback(dest: Path, progress: Progress | None = None) -> Path:
    """Switch DEST back to the release that was live before the current one."""
    progress = progress if progress is not None else Progress()
    progress.step = "going back to the previous release"
    _check_dest(dest)
    nothing = PublishError(f"there is no earlier release of {dest} to go back to")
    if not releases_dir(dest).is_dir():
        raise nothing  # and nothing is created
    with locked(dest, create=False):
        history = _history(dest)
        if len(history) < 2:
            raise nothing
        previous = releases_dir(dest) / history[-2]
        if not is_ours(previous):
            raise PublishError(f"{previous} is not a release made by 'bulletins publish' (a link, another "
                               f"folder, or made before releases carried {MARKER}): not switching to it")
        _switch(dest, previous, history[:-1], progress, then="done")
    return previous


def _remove_unfinished(dest: Path) -> None:
    """Builds that were killed outright (SIGKILL, power cut) leave a .building- folder."""
    for folder in releases_dir(dest).glob(BUILDING + "*"):
        with contextlib.suppress(OSError):
            _remove_release(folder)


def _prune(dest: Path) -> list[str]:
    """Keep the releases that were live most recently: the live one and those to roll back to. Only
    releases publish made are removed; what could not be, and why, is returned (removed next time)."""
    keep = set(_history(dest))
    problems = []
    for old in releases(dest):
        if old.name not in keep:
            try:
                _remove_release(old)
            except OSError as exc:
                problems.append(f"{old}: {exc.strerror or exc}")
    return problems
