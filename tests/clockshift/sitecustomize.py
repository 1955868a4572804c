"""Loaded by every Python process started with this folder on PYTHONPATH (tests/test_clock.py):
moves the clock to BULLETINS_CLOCK_SHIFT_TO (YYYY-MM-DD, at 09:00 UTC; or an instant such as
2026-11-27T16:30:00+00:00, for a moment near midnight somewhere), and lets it run from there."""

import os

import time_machine

_day = os.environ.get("BULLETINS_CLOCK_SHIFT_TO")
if _day:
    time_machine.travel(_day if "T" in _day else f"{_day} 09:00:00Z", tick=True).start()
