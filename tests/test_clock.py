"""The suite passes whatever day it runs on: CI runs on days nobody tested on.

main once failed on every day but the one its tests were written on (publish built with
today's date, the comparison with a pinned one). This runs the suite again with the clock
of every Python process it starts (pytest, `mkdocs build`, `bulletins publish`) moved years
away, forwards and back, by time-machine loaded from tests/clockshift/sitecustomize.py.
"""

import os
import subprocess
import sys

import pytest
from helpers import REPO

CLOCKSHIFT = REPO / "tests" / "clockshift"


def shifted(day: str) -> dict[str, str]:
    env = {**os.environ, "BULLETINS_CLOCK_SHIFT_TO": day,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(CLOCKSHIFT), os.environ.get("PYTHONPATH")]))}
    env.pop("BULLETINS_TODAY", None)
    return env


def test_the_clock_shift_reaches_python_subprocesses():
    script = "import datetime, subprocess, sys; print(datetime.date.today()); " \
             "sys.stdout.flush(); subprocess.run([sys.executable, '-c', 'import datetime; print(datetime.date.today())'])"
    result = subprocess.run([sys.executable, "-c", script], env=shifted("2031-07-15"), capture_output=True, text=True)
    assert result.stdout.split() == ["2031-07-15", "2031-07-15"], result.stderr


@pytest.mark.skipif("BULLETINS_CLOCK_SHIFT_TO" in os.environ, reason="already inside the clock check")
@pytest.mark.parametrize("day", ["2031-07-15", "2024-02-29"])
def test_the_suite_does_not_depend_on_todays_date(day, tmp_path):
    # The browser tests and the bad-input catalogue (with every command run over each of its
    # cases, at a pinned date) compare no dates and are slow: the suite without them covers
    # every build, command and comparison.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--ignore", str(REPO / "tests" / "browser"),
         "--ignore", str(REPO / "tests" / "test_catalogue.py"), "-k", "not on_each_catalogue_case",
         "--basetemp", str(tmp_path / "inner"), str(REPO / "tests")],
        cwd=REPO, env=shifted(day), capture_output=True, text=True, timeout=1500,
    )
    assert " passed" in result.stdout and result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
