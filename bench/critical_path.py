"""The build's own process against what runs beside it: `mkdocs build` in this process, then its
wall time, its own CPU (the part no other core can take: the critical path on an idle machine), the
CPU of every process it waited for (render workers, the outputs' and pages' processes, Pagefind)
and the peak memory of each.

    .venv/bin/python bench/critical_path.py PROJECT_DIR

Run it with another checkout's package first on PYTHONPATH (and that checkout's hooks/ in the
project) to compare two versions on one corpus; alternate them on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import tempfile
import time

from in_process import mkdocs_build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("--log", action="store_true", help="show the build's log (what each process beside it took)")
    args = parser.parse_args()
    if args.log:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="critical-path-cache-"))  # a cold render cache
    os.chdir(args.project)
    with open("/proc/loadavg") as file:
        load = file.read().split()[0]
    start = time.perf_counter()
    mkdocs_build()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall_s": round(time.perf_counter() - start, 1), "own_cpu_s": round(own.ru_utime + own.ru_stime, 1),
                      "children_cpu_s": round(children.ru_utime + children.ru_stime, 1),
                      "own_peak_mb": own.ru_maxrss // 1024, "children_peak_mb": children.ru_maxrss // 1024,
                      "load_at_start": float(load)}))


if __name__ == "__main__":
    main()
