"""The preview on a big site: seconds from saving a bulletin to `mkdocs serve` serving the change.

    .venv/bin/python bench/preview_latency.py [N=2000] [--dirty] [--search pagefind|material]

Generates N bulletins, starts `mkdocs serve` (with --dirty: only changed pages are
rebuilt), waits for the first build, then edits one bulletin's title (--edits times) and
times each until the served page shows it and until its year's archive (a listing, written
after the bulletin pages in the same rebuild) does; the median of each at the end. The CPU
seconds the server spent from the save to the listing are printed beside: on a machine
shared with other work the wall time is theirs too.

    --plain          the floor: the same pages with plain MkDocs + Material (build_bench.py's baseline: no
                     hooks), its bulletin edited the same way; only its page is timed (there are no listings)
    --timings FILE   the server logs, to FILE, a line per build step with its time and CPU:
                     each build's start and end, each plugin event but the page ones (summed per
                     build), the pages MkDocs rendered and wrote, every log message (the
                     watcher's "Detected file changes", the plugin's), and the bench's saves; with
                     PREVIEW_PROFILE=DIR also a cProfile of each rebuild in DIR (bench only: the
                     product is not instrumented)
"""

from __future__ import annotations

import argparse
import collections
import gc
import logging
import os
import signal
import threading
import statistics
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(url: str, text: str, limit: float = 600) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if text in fetch(url):
            return time.perf_counter() - start
        time.sleep(0.1)
    raise TimeoutError(f"{url} never showed {text!r}")


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PAGE_EVENTS = {"pre_page", "page_read_source", "page_markdown", "page_content", "page_context", "post_page"}


def serve_timed(log_path: str, argv: list[str]) -> None:
    """`mkdocs ARGV` in this process, logging each build's steps to `log_path` (--timings)."""
    import cProfile

    from mkdocs import __main__ as mkdocs_main
    from mkdocs import plugins
    from mkdocs.commands import build as build_module
    from mkdocs.commands import serve as serve_module

    out = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - for the life of the server

    def note(what: str) -> None:
        out.write(f"{time.perf_counter():.3f} cpu={time.process_time():7.2f} "
                  f"[{threading.current_thread().name}] {what}\n")

    summed: collections.Counter = collections.Counter()
    counts: collections.Counter = collections.Counter()
    run_event = plugins.PluginCollection.run_event

    def timed_run_event(self, name, item=None, **kwargs):
        start = time.perf_counter()
        try:
            return run_event(self, name, item, **kwargs)
        finally:
            spent = time.perf_counter() - start
            if name in PAGE_EVENTS:
                summed[f"on_{name}"] += spent
                counts[f"on_{name}"] += 1
            else:
                note(f"on_{name} {spent:.3f} s")

    def timed(function, key):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                summed[key] += time.perf_counter() - start
                counts[key] += 1
        return wrapper

    build = build_module.build
    builds = [0]

    def timed_build(config, **kwargs):
        summed.clear()
        counts.clear()
        builds[0] += 1
        note(f"build {builds[0]} starts")
        folder = os.environ.get("PREVIEW_PROFILE")
        # the rebuilds only: a profiler in the first build would be inherited by its forked render workers
        profile = cProfile.Profile() if folder and builds[0] > 1 else None
        try:
            if profile is not None:
                profile.enable()
            return build(config, **kwargs)
        finally:
            if profile is not None:
                profile.disable()
                profile.dump_stats(os.path.join(folder, f"build-{builds[0]}.prof"))
            for key, seconds in sorted(summed.items(), key=lambda item: -item[1]):
                note(f"  {key}: {seconds:.3f} s in {counts[key]} calls")
            resident = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
            note(f"build {builds[0]} ends (resident {resident} MB)")

    class ToFile(logging.Handler):
        def emit(self, record):
            note(f"log {record.name}: {record.getMessage()[:200]}")

    collecting = [0.0]

    def timed_collection(phase, info):  # the garbage collector's passes, by generation, with the steps
        if phase == "start":
            collecting[0] = time.perf_counter()
        else:
            summed[f"gc generation {info['generation']}"] += time.perf_counter() - collecting[0]
            counts[f"gc generation {info['generation']}"] += 1

    gc.callbacks.append(timed_collection)
    plugins.PluginCollection.run_event = timed_run_event
    build_module.build = serve_module.build = timed_build
    # each page MkDocs read and rendered, and each page it wrote (a dirty build skips the unmodified)
    build_module._populate_page = timed(build_module._populate_page, "MkDocs _populate_page (dirty: skips unmodified)")
    build_module._build_page = timed(build_module._build_page, "MkDocs _build_page (dirty: skips unmodified)")
    logging.getLogger("mkdocs").addHandler(ToFile(level=logging.INFO))
    sys.argv = ["mkdocs", *argv]
    mkdocs_main.cli()


def main() -> None:
    if sys.argv[1:2] == ["--serve-timed"]:
        return serve_timed(sys.argv[2], sys.argv[4:])  # --serve-timed FILE -- ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--dirty", action="store_true")
    parser.add_argument("--search", choices=("pagefind", "material"), default="pagefind",
                        help="what answers the search box (extra: bulletins: search:)")
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="plain MkDocs + Material of the same pages: the floor")
    parser.add_argument("--timings", help="a file for the server's log of each build's steps (see above)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(args.count, Path(tmp) / "corpus")
        with open(project / "mkdocs.yml", "a", encoding="utf-8") as config:
            config.write(f"\nextra:\n  bulletins:\n    search: {args.search}\n")
        sources = project / "bulletins"
        if args.plain:
            from build_bench import baseline_project
            project = baseline_project(project, Path(tmp) / "plain")
            sources = project / "docs" / "bulletins"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "BULLETINS_TODAY": "2026-11-28", "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
        mkdocs = [__file__, "--serve-timed", os.path.abspath(args.timings), "--"] if args.timings else ["-m", "mkdocs"]
        command = [sys.executable, *mkdocs, "serve", "--dev-addr", f"127.0.0.1:{port}", *(["--dirty"] if args.dirty else [])]
        server = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            bulletin = sorted(sources.rglob("*.md"))[len(list(sources.rglob("*.md"))) // 2]
            page = f"http://127.0.0.1:{port}/bulletins/{bulletin.relative_to(sources).with_suffix('').as_posix()}/"
            first = wait_for(page, "</html>")
            print(f"{args.count} bulletins, {'--dirty' if args.dirty else 'full rebuilds'}, search: {args.search}: "
                  f"first build served after {first:.1f} s")
            archive = page if args.plain else f"http://127.0.0.1:{port}/archive/{bulletin.parent.name}/"
            text = bulletin.read_text(encoding="utf-8")
            pages, listings = [], []
            for n in range(1, args.edits + 1):
                time.sleep(1)  # the last rebuild's background work (exports, Pagefind) under way, as in real use
                cpu = cpu_seconds(server.pid)
                bulletin.write_text(text.replace('title: "', f'title: "Edit {n} ', 1), encoding="utf-8")
                start = time.perf_counter()
                if args.timings:
                    with open(args.timings, "a", encoding="utf-8") as log:
                        log.write(f"{start:.3f} bench: edit {n} saved\n")
                pages.append(wait_for(page, f"Edit {n} "))
                wait_for(archive, f"Edit {n} ")
                listings.append(time.perf_counter() - start)
                if args.timings:
                    with open(args.timings, "a", encoding="utf-8") as log:
                        log.write(f"{time.perf_counter():.3f} bench: edit {n} page {pages[-1]:.2f} s, archive {listings[-1]:.2f} s\n")
                print(f"  edit {n}: its page served after {pages[-1]:.1f} s, its year's archive after "
                      f"{listings[-1]:.1f} s (server CPU {cpu_seconds(server.pid) - cpu:.1f} s)")
            print(f"  median: its page {statistics.median(pages):.1f} s, its listings {statistics.median(listings):.1f} s")
        finally:
            server.send_signal(signal.SIGINT)  # as Ctrl-C: serve shuts down (its plugins stop what they started)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
