"""Where the suite's CPU goes, per test (a measuring plugin, off unless SUITE_CPU_LOG names a file).

For each test, its whole run (set-up of the fixtures it is first to need, the call, the teardown) is
charged the CPU seconds (user + system) of the test process, of the children it reaped, and of every
live descendant (its own time and that of the children it reaped): the worker's MkdocsForks, which
forks every build and reaps it, a session's Chromium, nginx, `mkdocs serve`. Also counted per test:
`mkdocs` runs through helpers.mkdocs (builds and other commands), serves (helpers.mkdocs_serve) and
nginx starts. One JSON line per test is appended to SUITE_CPU_LOG.<worker>; `python tests/cpu_meter.py
LOG...` sums them per file. Used as `SUITE_CPU_LOG=/tmp/cpu pytest ...` (tests/conftest.py loads it)."""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

TICK = os.sysconf("SC_CLK_TCK")


def _tree_seconds() -> float:
    """CPU of this process, the children it reaped, and every live descendant with what they reaped."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    parents, times = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        # utime stime cutime cstime: fields 14-17 of stat, 12-15 after the name
        times[pid] = sum(int(value) for value in fields[11:15]) / TICK
    ours, mine = set(), os.getpid()
    for pid in parents:
        seen, walk = [], pid
        while walk in parents and walk not in ours and walk != mine and walk > 1:
            seen.append(walk)
            walk = parents[walk]
        if walk == mine or walk in ours:
            ours.update(seen)
    return total + sum(times[pid] for pid in ours if pid != mine)


class CpuMeter:
    def __init__(self, log: str, worker: str):
        self.path = Path(f"{log}.{worker}")
        self.counts: dict[str, int] = defaultdict(int)
        # CPU of descendants that ended outside the tree: counted while they lived, then gone from every
        # sum (Chromium's renderers and zygote when the session's browser closes go to init, not to a
        # parent of ours): without it the test whose teardown closed the browser read -200 s
        self.lost = 0.0

    def _seconds(self) -> float:
        return _tree_seconds() + self.lost

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        before = _tree_seconds()
        yield
        self.lost += max(0.0, before - _tree_seconds())

    def wrap_helpers(self):
        import helpers

        meter = self

        def counted(name, function):
            def wrapper(*args, **kwargs):
                key = name
                if name == "mkdocs":
                    key = "mkdocs " + next((a for a in args[1:] if isinstance(a, str)), "?")
                meter.counts[key] += 1
                return function(*args, **kwargs)
            return wrapper

        for name in ("mkdocs", "mkdocs_serve", "nginx"):
            setattr(helpers, name, counted(name, getattr(helpers, name)))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.counts.clear()
        cpu, wall = self._seconds(), time.monotonic()
        yield
        record = {"test": item.nodeid, "cpu": round(self._seconds() - cpu, 3),
                  "wall": round(time.monotonic() - wall, 3), **self.counts}
        # a thread left alive makes every later in-process render of this worker start new interpreters
        # instead of forking (rendering.run_jobs): about 3 times the CPU of each check and command after it
        others = [thread.name for thread in threading.enumerate() if thread is not threading.main_thread()]
        if others:
            record["threads"] = others
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


def register(config) -> None:
    log = os.environ.get("SUITE_CPU_LOG")
    if log:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        meter = CpuMeter(log, worker)
        meter.wrap_helpers()
        config.pluginmanager.register(meter, "cpu_meter")


def report(paths: list[str]) -> None:
    """Per file: tests, CPU seconds, wall seconds, and the counts, heaviest first."""
    files: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path in paths:
        for line in Path(path).read_text().splitlines():
            record = json.loads(line)
            name = record.pop("test").split("::")[0]
            files[name]["tests"] += 1
            for key, value in record.items():
                if isinstance(value, (int, float)):  # not the threads a test left alive (names)
                    files[name][key] += value
    keys = sorted({key for row in files.values() for key in row} - {"tests", "cpu", "wall"})
    print(f"{'file':48} {'tests':>5} {'cpu s':>8} {'wall s':>8} " + " ".join(f"{k:>14}" for k in keys))
    for name, row in sorted(files.items(), key=lambda item: -item[1]["cpu"]):
        print(f"{name:48} {row['tests']:5.0f} {row['cpu']:8.1f} {row['wall']:8.1f} "
              + " ".join(f"{row.get(k, 0):14.0f}" for k in keys))
    print(f"{'total':48} {sum(r['tests'] for r in files.values()):5.0f} {sum(r['cpu'] for r in files.values()):8.1f}")


def long_tests(paths: list[str], seconds: float = 3.0) -> None:
    """tests/long_tests.txt from a run's logs: each test that took `seconds` of CPU or more, longest first
    (its builds, browser and servers included: on a loaded machine its wall time says more of the load
    than of the test, and in CI, with a core each, a test's time is mostly its CPU)."""
    walls: dict[str, float] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            record = json.loads(line)
            walls[record["test"]] = max(walls.get(record["test"], 0.0), record["cpu"])
    print("# The tests that take longest, longest first: tests/conftest.py starts them first (long_tests_first).")
    print("# Made by `python tests/cpu_meter.py --long LOG...` from a run with SUITE_CPU_LOG=LOG; CPU seconds of")
    print("# a loaded 2-core run after each. A test not listed, or listed and gone, changes only the order.")
    for test, wall in sorted(walls.items(), key=lambda item: (-item[1], item[0])):
        if wall >= seconds:
            print(f"{test}  # {wall:.0f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--long"]:
        long_tests(sys.argv[2:])
    else:
        report(sys.argv[1:])
