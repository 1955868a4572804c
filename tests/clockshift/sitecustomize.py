"""Loaded by every Python process started with this folder on PYTHONPATH (tests/test_clock.py):
moves the clock to BULLETINS_CLOCK_SHIFT_TO (YYYY-MM-DD), and lets it run from there."""

import os

import time_machine

_day = os.environ.get("BULLETINS_CLOCK_SHIFT_TO")
if _day:
    time_machine.travel(f"{_day} 09:00:00Z", tick=True).start()
