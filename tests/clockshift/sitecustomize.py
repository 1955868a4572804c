"""Loaded by every Python process started with this folder on PYTHONPATH: moves its clock, and lets it run
from there. BULLETINS_CLOCK_SHIFT_BY=SECONDS: by that much (tests/conftest.py, for each test's children: the
test and all its children then agree on the time, and a child started later reads a later time);
BULLETINS_CLOCK_SHIFT_TO, first if both are set: to a day (YYYY-MM-DD, at 09:00 UTC) or an instant such as
2026-11-27T16:30:00+00:00 (a moment near midnight somewhere; tests/test_site_clock.py)."""

import os
import time

_by = os.environ.get("BULLETINS_CLOCK_SHIFT_BY")
_to = os.environ.get("BULLETINS_CLOCK_SHIFT_TO")
if _by or _to:
    import sys

    # Without its pytest plugin and dateutil's parser (the destination is a number or an ISO date, which
    # it reads itself): they are most of its import, 0.2 s of CPU in every Python process a test starts.
    _blocked = [name for name in ("pytest", "dateutil.parser") if name not in sys.modules]
    sys.modules.update(dict.fromkeys(_blocked))
    try:
        import time_machine
    except ModuleNotFoundError:  # a Python other than the suite's (pre-commit's, the system's): not ours to move
        time_machine = None
    finally:
        for _name in _blocked:  # the program may import them itself
            sys.modules.pop(_name, None)
    if time_machine is not None:
        destination = (_to if "T" in _to else f"{_to} 09:00:00Z") if _to else time.time() + float(_by)
        time_machine.travel(destination, tick=True).start()
