"""`bulletins publish`: build into a new release and switch the live site to it atomically.

DEST is a symbolic link the web server serves; releases live next to it in
`DEST.releases/<timestamp>`. The switch is a rename of a new link over DEST, which is
atomic: a request sees the old site or the new one, never a mix or a missing file.

Every release is a clean full build into an empty folder: nothing of the live release or of
a build cache can reach it, so it equals `mkdocs build` of the same sources, always.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .verify import verify_site

KEEP_RELEASES = 3
HISTORY = "live-history"  # in DEST.releases: the releases in the order they went live
LOCK = ".lock"
BUILDING = ".building-"  # a release being built; renamed to its stamp once complete
STOP_WAIT = 10  # seconds a stopped build's processes get to exit before they are killed


class PublishError(Exception):
    """Why nothing was published; the live site is untouched."""


class Interrupted(BaseException):
    """publish was stopped by a signal (SIGTERM, SIGHUP); like KeyboardInterrupt, not an error to catch."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def releases_dir(dest: Path) -> Path:
    return dest.with_name(dest.name + ".releases")


def releases(dest: Path) -> list[Path]:
    folder = releases_dir(dest)
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) if folder.is_dir() else []


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
                           f"to it and to {dest.parent}") from None
    with lock:
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
    try:
        if temporary.is_symlink():
            temporary.unlink()
        temporary.symlink_to(release.resolve(), target_is_directory=True)
        os.replace(temporary, dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise PublishError(f"cannot switch {dest} to {release.name}: {exc.strerror}; "
                           f"give the publishing user write access to {dest.parent}") from None


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


@contextlib.contextmanager
def _signals_held():
    """Cleaning up after a failed or stopped build is not itself interrupted half-way."""
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _run_build(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the build in a process group of its own; if this process is stopped, stop the whole
    group (MkDocs and anything it started) before going on."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        with _signals_held():
            _stop_group(process)
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _stop_group(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.communicate(timeout=STOP_WAIT)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):  # anything of the group still there
        os.killpg(process.pid, signal.SIGKILL)


def build_release(project: Path, dest: Path, as_of: dt.date, stamp: str | None = None) -> Path:
    """Build the site of `project` into a new, empty release folder; remove it again if the build
    fails or is stopped. The folder is named `.building-<stamp>` until the build is complete."""
    _check_dest(dest)
    stamp = stamp or dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S-%fZ")
    release = releases_dir(dest) / stamp
    building = release.with_name(BUILDING + stamp)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
           "BULLETINS_TODAY": as_of.isoformat()}
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(project / "mkdocs.yml"),
               "--site-dir", str(building)]
    try:
        result = _run_build(command, env)
        if result.returncode != 0:
            raise PublishError(f"the build failed; the live site is unchanged:\n{result.stderr.strip()}")
        findings = verify_site(project, building, as_of)
        if findings:
            raise PublishError("the built site does not match its sources (bulletins verify); the live site is "
                               "unchanged:\n" + "\n".join(findings))
        os.rename(building, release)
    except BaseException:
        with _signals_held():
            shutil.rmtree(building, ignore_errors=True)
        raise
    return release


def publish(project: Path, dest: Path, as_of: dt.date) -> Path:
    """Build, verify and switch to a release of `project` as of `as_of` (the build, the check
    before it and the verification after it all see that one day, even over midnight)."""
    _check_dest(dest)
    _check_writable(dest)
    with locked(dest):
        _remove_unfinished(dest)
        release = build_release(project, dest, as_of)
        with _signals_held():  # the switch and its record in the history go together
            try:
                switch(dest, release)
            except BaseException:
                shutil.rmtree(release, ignore_errors=True)
                raise
            _set_history(dest, [*_history(dest), release.name][-KEEP_RELEASES:])
        _prune(dest)
    return release


def rollback(dest: Path) -> Path:
    """Switch DEST back to the release that was live before the current one."""
    _check_dest(dest)
    nothing = PublishError(f"there is no earlier release of {dest} to go back to")
    if not releases_dir(dest).is_dir():
        raise nothing  # and nothing is created
    with locked(dest, create=False):
        history = _history(dest)
        if len(history) < 2:
            raise nothing
        previous = releases_dir(dest) / history[-2]
        switch(dest, previous)
        _set_history(dest, history[:-1])
    return previous


def _remove_unfinished(dest: Path) -> None:
    """Builds that were killed outright (SIGKILL, power cut) leave a .building- folder."""
    for folder in releases_dir(dest).glob(BUILDING + "*"):
        shutil.rmtree(folder, ignore_errors=True)


def _prune(dest: Path) -> None:
    """Keep the releases that were live most recently: the live one and those to roll back to."""
    keep = set(_history(dest))
    for old in releases(dest):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)  # what is left is pruned next time
