"""The preview on a big site: seconds from saving a bulletin to `mkdocs serve` serving the change.

    .venv/bin/python bench/preview_latency.py [N=2000] [--dirty] [--search pagefind|material]

Generates N bulletins, starts `mkdocs serve` (with --dirty: only changed pages are
rebuilt), waits for the first build, then edits one bulletin's title (--edits times) and
times each until the served page shows it and until its year's archive (a listing, written
after the bulletin pages in the same rebuild) does; the median of each at the end. The CPU
seconds the server spent from the save to the listing are printed beside: on a machine
shared with other work the wall time is theirs too.
"""

from __future__ import annotations

import argparse
import os
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--dirty", action="store_true")
    parser.add_argument("--search", choices=("pagefind", "material"), default="pagefind",
                        help="what answers the search box (extra: bulletins: search:)")
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(args.count, Path(tmp) / "corpus")
        with open(project / "mkdocs.yml", "a", encoding="utf-8") as config:
            config.write(f"\nextra:\n  bulletins:\n    search: {args.search}\n")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "BULLETINS_TODAY": "2026-11-28", "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
        command = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", *(["--dirty"] if args.dirty else [])]
        server = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            bulletin = sorted((project / "bulletins").rglob("*.md"))[len(list((project / "bulletins").rglob("*.md"))) // 2]
            page = f"http://127.0.0.1:{port}/bulletins/{bulletin.relative_to(project / 'bulletins').with_suffix('').as_posix()}/"
            first = wait_for(page, "</html>")
            print(f"{args.count} bulletins, {'--dirty' if args.dirty else 'full rebuilds'}, search: {args.search}: "
                  f"first build served after {first:.1f} s")
            archive = f"http://127.0.0.1:{port}/archive/{bulletin.parent.name}/"
            text = bulletin.read_text(encoding="utf-8")
            pages, listings = [], []
            for n in range(1, args.edits + 1):
                time.sleep(1)  # the last rebuild's background work (exports, Pagefind) under way, as in real use
                cpu = cpu_seconds(server.pid)
                bulletin.write_text(text.replace('title: "', f'title: "Edit {n} ', 1), encoding="utf-8")
                start = time.perf_counter()
                pages.append(wait_for(page, f"Edit {n} "))
                wait_for(archive, f"Edit {n} ")
                listings.append(time.perf_counter() - start)
                print(f"  edit {n}: its page served after {pages[-1]:.1f} s, its year's archive after "
                      f"{listings[-1]:.1f} s (server CPU {cpu_seconds(server.pid) - cpu:.1f} s)")
            print(f"  median: its page {statistics.median(pages):.1f} s, its listings {statistics.median(listings):.1f} s")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
