"""Search on a big site, as staff meet it: time from page load to the first search result.

    .venv/bin/python bench/search_latency.py [N=2000] [--runs 3]

Generates N bulletins (bench/corpus.py), builds the site, serves it on loopback, and in
Debian's headless Chromium loads the home page, types a query the moment the page has
loaded and waits for the first result: that time includes downloading the search index,
building it in Material's search worker and answering. Prints the median of the runs
for an English and a Chinese query, and the index size against the sources' size.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
QUERIES = ["extinguishers", "应急预案"]


def build(project: Path) -> float:
    env = {**os.environ, "BULLETINS_TODAY": "2026-11-28", "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def first_result_seconds(browser, url: str, query: str) -> float:
    context = browser.new_context()  # empty cache: the index is downloaded every time
    page = context.new_page()
    page.goto(url, wait_until="load")
    loaded = time.perf_counter()
    page.keyboard.press("/")
    field = page.locator("input.md-search__input")
    field.fill(query)
    field.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=120_000)
    elapsed = time.perf_counter() - loaded
    context.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        project = generate(args.count, Path(tmp) / "corpus")
        seconds = build(project)
        site = project / "site"
        index = (site / "search" / "search_index.json").stat().st_size
        sources = sum(p.stat().st_size for p in (project / "bulletins").rglob("*.md"))
        server, url = serve(site)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            print(f"{args.count} bulletins: build {seconds:.1f} s; search index {index / 1e6:.1f} MB "
                  f"for {sources / 1e6:.1f} MB of sources ({index / sources:.2f}x)")
            for query in QUERIES:
                times = [first_result_seconds(browser, url, query) for _ in range(args.runs)]
                print(f"  first result for {query!r}: median {statistics.median(times):.2f} s "
                      f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
