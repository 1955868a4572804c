"""The suite passes whatever day it runs on: CI runs on days nobody tested on.

main once failed on every day but the one its tests were written on (publish built with
today's date, the comparison with a pinned one). tests/conftest.py runs every test with the
clock moved years away, forwards or back (a leap day), in the test's own process and, by
tests/clockshift/sitecustomize.py, in every Python process it starts (`mkdocs build`,
`bulletins publish`, their children). These tests prove the shift is there.
"""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from shifted_clock import CLOCKSHIFT, SHIFTED_DAYS, shifted_day

pytestmark = pytest.mark.skipif(os.environ.get("BULLETINS_TESTS_CLOCK") == "real", reason="the suite runs on the real clock")

CHILD_AND_GRANDCHILD = (
    "import datetime as dt, subprocess, sys; print(dt.datetime.now(dt.timezone.utc).date()); sys.stdout.flush(); "
    "subprocess.run([sys.executable, '-c', 'import datetime as dt; print(dt.datetime.now(dt.timezone.utc).date())'])"
)


def utc_today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()  # starts at 09:00 UTC: the day in any zone's terms


def test_each_test_runs_on_its_shifted_day(request):
    assert utc_today() == shifted_day(request.node.nodeid) in SHIFTED_DAYS
    assert dt.datetime.fromtimestamp(time.time(), dt.timezone.utc).date().isoformat() == utc_today()


def test_the_shift_reaches_the_tests_python_subprocesses(request):
    result = subprocess.run([sys.executable, "-c", CHILD_AND_GRANDCHILD], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == [shifted_day(request.node.nodeid)] * 2, result.stderr


def test_children_agree_with_the_test_on_the_time():
    """Moved by as much as the test, not each to 09:00 of its day: a release stamped by a later
    `bulletins publish` must not read older than one stamped before."""
    before = time.time()
    children = [float(subprocess.run([sys.executable, "-c", "import time; print(time.time())"], capture_output=True,
                                     text=True, timeout=60, check=True).stdout) for _ in range(2)]
    assert before <= children[0] <= children[1] <= time.time(), (before, children)


def test_the_suite_is_shifted_both_ways():
    """Forwards and back across the suite, not one of them only: over this file's neighbours' ids."""
    days = {shifted_day(f"tests/test_clock.py::test_{n}") for n in range(40)}
    assert days == set(SHIFTED_DAYS) or os.environ.get("BULLETINS_TESTS_CLOCK"), days


@pytest.mark.parametrize("day", SHIFTED_DAYS)
def test_the_clock_shift_reaches_python_subprocesses_on_each_day(day):
    env = {**os.environ, "BULLETINS_CLOCK_SHIFT_TO": day,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(CLOCKSHIFT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", CHILD_AND_GRANDCHILD], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == [day, day], result.stderr


CLOCK_HOOK = """\
import datetime as dt, time
def on_config(config):
    print("clock", time.time(), dt.datetime.now(dt.timezone.utc).date(), flush=True)
"""


@pytest.mark.skipif(os.environ.get("BULLETINS_TESTS_FORK") == "0", reason="helpers.mkdocs forks nothing")
@pytest.mark.parametrize("day", SHIFTED_DAYS)
def test_a_forked_mkdocs_run_is_on_its_tests_clock(day, tmp_path, monkeypatch):
    """helpers.mkdocs forks its runs from one process per worker, started once (on the machine's clock,
    under whichever test came first): each run still reads its own test's time, as a new process would."""
    import time_machine
    from helpers import mkdocs, shared_forks, write_tree

    forks = shared_forks()  # already started, by a test of any day, or now
    start = dt.datetime.fromisoformat(f"{day}T09:00:00+00:00").timestamp()
    # as conftest.py does for a test on `day` (from the machine's time, this test's being shifted already)
    monkeypatch.setenv("BULLETINS_CLOCK_SHIFT_BY", repr(start - time_machine.escape_hatch.time.time()))
    project = write_tree(tmp_path / "project", {"mkdocs.yml": "site_name: clock\nhooks: [clock_hook.py]\n",
                                                "docs/index.md": "# Home\n", "clock_hook.py": CLOCK_HOOK})
    result = mkdocs(project, "build")
    assert result.returncode == 0, result.stderr
    assert result.args[0] == "mkdocs" and shared_forks() is forks, "not forked: this test proves nothing"
    _, seconds, today = result.stdout.split()
    assert today == day and start <= float(seconds) <= start + 120, result.stdout
