"""Child processes with a time limit: the one way the package runs a program (git, Pagefind, the build).

A child that never exits (Pagefind on a disk out of inodes waits forever) must not hang what runs it. Each
child runs in a process group of its own, so that on timeout, or when what runs it is stopped, the child
and everything it started are stopped together: SIGTERM to the group, then SIGKILL to what is left. A child
started with `session=True` gets a session of its own, and stopping it also stops every process of that
session (its grandchildren may have made process groups of their own, as Pagefind's run inside the build
does). Linux only, as the package is.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from pathlib import Path

STOP_WAIT = 10  # seconds the processes get to exit after SIGTERM before SIGKILL


class TimeLimitExceeded(Exception):
    """The child ran longer than its limit and was stopped with all its processes."""

    def __init__(self, command: list[str], seconds: float, stdout: str = "", stderr: str = ""):
        super().__init__(f"{Path(command[0]).name} did not finish within {seconds:g} s and was stopped")
        self.seconds = seconds
        self.stdout, self.stderr = stdout, stderr


def start(command: list[str], *, session: bool = False, **popen) -> subprocess.Popen:
    """Start `command` in a process group (with `session`: a session) of its own."""
    grouping = {"start_new_session": True} if session else {"process_group": 0}
    return subprocess.Popen(command, **{**grouping, **popen})


def wait(process: subprocess.Popen, seconds: float, *, session: bool = False,
         stop_wait: float = STOP_WAIT) -> tuple[str, str]:
    """The child's output once it exits; if it runs longer than `seconds`, or if waiting is interrupted
    (a signal, Ctrl-C), stop it with everything it started before raising."""
    try:
        return process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        stdout, stderr = stop(process, session=session, stop_wait=stop_wait)
        raise TimeLimitExceeded(process.args, seconds, stdout or "", stderr or "") from None
    except BaseException:
        stop(process, session=session, stop_wait=stop_wait)
        raise


def run(command: list[str], seconds: float, *, session: bool = False, **popen) -> subprocess.CompletedProcess:
    """subprocess.run with output captured, bounded by `seconds` for the child and all it started."""
    process = start(command, session=session, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    stdin=subprocess.DEVNULL, **popen)
    stdout, stderr = wait(process, seconds, session=session)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def stop(process: subprocess.Popen, *, session: bool = False, stop_wait: float = STOP_WAIT):
    """Stop the child's process group (and session): SIGTERM, then SIGKILL to whatever is left.
    Signals are held meanwhile, so that a second Ctrl-C does not leave the child running. Returns
    what the child had written, if anything."""
    output = (None, None)
    with signals_held():
        for sig in (signal.SIGTERM, signal.SIGKILL):
            _signal_all(process, sig, session)
            try:
                output = process.communicate(timeout=stop_wait)
                break
            except subprocess.TimeoutExpired:
                continue
            except ValueError:  # its pipes were already read and closed
                process.wait(timeout=stop_wait)
                break
        _signal_all(process, signal.SIGKILL, session)  # anything that outlived the child
    return output


HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def signals_held():
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block is done, then let them act. A signal mask would
    not do: it holds them from this thread only, and the kernel hands a signal sent to the process to any
    thread that does not block it (a worker pool's thread, say), whose C handler then makes the main
    thread run the Python handler at once, in the middle of the block."""
    if threading.current_thread() is not threading.main_thread():
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)  # no handlers run here anyway
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        return
    arrived: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _frame: arrived.append(signum)) for s in HELD_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
        for s in dict.fromkeys(arrived):
            signal.raise_signal(s)  # to this thread: its handler acts now, as if it had just arrived


def _signal_all(process: subprocess.Popen, sig: int, session: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        process.send_signal(sig)  # the child itself, whatever its group (nothing once it is reaped)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)  # its group: what it started, even after the child itself exited
    if session:
        for member in session_members(process.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(member, sig)


def session_members(sid: int) -> list[int]:
    """The live processes of a session (from /proc: field 6 of stat is the session id)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, _pgrp, session = stat.read_text().rsplit(")", 1)[1].split()[:4]
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(session) == sid and state != "Z":
            members.append(int(stat.parent.name))
    return members
