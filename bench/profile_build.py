"""Where the build's CPU goes, process by process: `mkdocs build` in this process under cProfile,
and every process it forks through multiprocessing (render workers, the parts' and the outputs'
processes) profiled too, each to a file of its own; then the top of each profile, by CPU.

    .venv/bin/python bench/profile_build.py PROJECT_DIR OUT_DIR [--top 25]

Profiles measure process CPU time (time.process_time), so other jobs on the machine do not count.
Pagefind (a Rust binary) is not profiled: its CPU is the children's total minus the forked ones'.
The profiler's own cost makes every figure larger (about 1.5-2x for Python-heavy code): compare
shares and ranks, and measure the effect of a change with bench/critical_path.py or build_bench.py.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing.process
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path


def _profiled_run(out: Path):
    original = multiprocessing.process.BaseProcess.run

    def run(self):
        profile = cProfile.Profile(time.process_time)  # replaces the profiler the fork inherited
        profile.enable()
        try:
            return original(self)
        finally:
            profile.disable()
            profile.dump_stats(out / f"{self.name or 'process'}-{os.getpid()}.prof")
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("out")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    os.environ.setdefault("BULLETINS_TODAY", "2026-11-28")
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="profile-build-cache-"))  # a cold render cache
    multiprocessing.process.BaseProcess.run = _profiled_run(out)
    from in_process import mkdocs_build

    os.chdir(args.project)
    start = time.perf_counter()
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    mkdocs_build()
    profile.disable()
    profile.dump_stats(out / f"build-{os.getpid()}.prof")
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"wall {time.perf_counter() - start:.1f} s, own CPU {own.ru_utime + own.ru_stime:.1f} s, "
          f"children's CPU {children.ru_utime + children.ru_stime:.1f} s", file=sys.stderr)
    groups: dict[str, list[Path]] = {}
    for path in sorted(out.glob("*.prof")):
        groups.setdefault(path.stem.rsplit("-", 1)[0], []).append(path)
    for name, paths in groups.items():
        stats = pstats.Stats(*map(str, paths))
        print(f"\n===== {name} ({len(paths)} process(es)): {stats.total_tt:.1f} profiled CPU s =====")
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
