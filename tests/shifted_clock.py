"""Every test runs with the clock moved far from today, forwards or back (a leap day), in its own
process and in every Python process it starts (tests/conftest.py does it; tests/test_clock.py proves it):
the suite passes whatever day CI runs on (main once failed on every day but the one its tests were
written on). Which day is fixed per test (a hash of its id), so a failure comes back on a rerun; each
day takes about half the suite."""

import os
import zlib
from pathlib import Path

SHIFTED_DAYS = ("2031-07-15", "2024-02-29")
CLOCKSHIFT = Path(__file__).parent / "clockshift"  # its sitecustomize.py moves the clock of a child
# BULLETINS_TESTS_CLOCK=2024-02-29 runs every test on that day; =real on the machine's clock.
CHOSEN_CLOCK = os.environ.get("BULLETINS_TESTS_CLOCK", "")


def shifted_day(nodeid: str) -> str | None:
    """The day a test's clock starts on (09:00 UTC, then it runs on); None: the real clock."""
    if CHOSEN_CLOCK == "real":
        return None
    return CHOSEN_CLOCK or SHIFTED_DAYS[zlib.crc32(nodeid.encode()) % len(SHIFTED_DAYS)]
