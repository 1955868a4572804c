"""Loaded by every Python process started with this folder on PYTHONPATH (tests/conftest.py puts it there
for each test's children): moves the clock to BULLETINS_CLOCK_SHIFT_TO (YYYY-MM-DD, at 09:00 UTC; or an
instant such as 2026-11-27T16:30:00+00:00, for a moment near midnight somewhere), and lets it run from there."""

import os

_day = os.environ.get("BULLETINS_CLOCK_SHIFT_TO")
if _day:
    try:
        import time_machine
    except ModuleNotFoundError:  # a Python other than the suite's (pre-commit's, the system's): not ours to move
        time_machine = None
    if time_machine is not None:
        time_machine.travel(_day if "T" in _day else f"{_day} 09:00:00Z", tick=True).start()
