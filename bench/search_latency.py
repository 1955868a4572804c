"""Search on a big site, as staff meet it: time from page load to the first search result.

    .venv/bin/python bench/search_latency.py [N=2000] [--runs 3] [--engines material,pagefind] [--keep DIR [--reuse]]

Generates N bulletins (bench/corpus.py), builds the site once per search engine
(`extra: bulletins: search:` material, Material's lunr index; pagefind, Pagefind's chunks
answering Material's box), serves it on loopback, and in Debian's headless Chromium loads
the home page, types a query the moment the page has loaded and waits for the first
result: that time includes downloading what search needs (the whole lunr index, or
Pagefind's entry, meta, wasm and the chunks and fragments of the query), building or
loading it in the search worker and answering. It is read on the page's own clock (load
event to the first result in the page); the time this script sees is printed beside it,
and adds Playwright's round trips (about 0.2 s). Prints, per engine, the build time (and
Pagefind's own step), the index size, and per query the median time and the bytes the
page downloaded for search (everything but the page and its theme assets).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import re
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


ENGINES = ("material", "pagefind")
# What a page fetches for search, besides the page itself: Material's index, worker and lunr,
# or our worker and Pagefind's files
SEARCH_URL = re.compile(r"/search/search_index\.json|/workers/search\.|/lunr/|/safety-bulletins/search\.js|/pagefind/")


def build(project: Path, engine: str) -> tuple[float, float]:
    """Seconds for `mkdocs build` of the project with `engine`, and of that Pagefind's step."""
    config = project / "mkdocs.yml"
    text = re.sub(r"\nextra:\n  bulletins:\n    search: \w+\n", "\n", config.read_text(encoding="utf-8"))
    config.write_text(text + f"\nextra:\n  bulletins:\n    search: {engine}\n", encoding="utf-8")
    env = {**os.environ, "BULLETINS_TODAY": "2026-11-28", "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", f"site-{engine}"], cwd=project,
                            env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    step = re.search(r"Pagefind indexed .* in ([0-9.]+) s", result.stderr)
    return seconds, float(step[1]) if step else 0.0


def index_size(site: Path, engine: str) -> tuple[int, int]:
    """Bytes and files of the search index on disk."""
    if engine == "material":
        return (site / "search" / "search_index.json").stat().st_size, 1
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# The page's own clock: when the load event fired and when the first result was in the page
_CLOCK = """
addEventListener("load", () => { window.__loadedAt = performance.now(); });
new MutationObserver((_, observer) => {
  if (document.querySelector(".md-search-result__item")) { window.__shownAt = performance.now(); observer.disconnect(); }
}).observe(document, { subtree: true, childList: true });
"""


def first_result_seconds(browser, url: str, query: str) -> tuple[float, float, int]:
    """Seconds from page load to the first result, as the page's clock has it and as this
    script sees it (which adds Playwright's round trips to the browser for the key presses
    and the wait, about 0.2 s), and the bytes fetched for search."""
    context = browser.new_context()  # empty cache: the index is downloaded every time
    page = context.new_page()
    page.add_init_script(_CLOCK)
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request) if SEARCH_URL.search(request.url) else None)
    page.goto(url, wait_until="load")
    loaded = time.perf_counter()
    page.keyboard.press("/")
    field = page.locator("input.md-search__input")
    field.fill(query)
    field.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=120_000)
    elapsed = time.perf_counter() - loaded
    in_page = page.evaluate("(window.__shownAt - window.__loadedAt) / 1000")
    page.wait_for_load_state("networkidle")  # the fragments of the results after the first
    downloaded = sum(request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"] for request in fetched)
    context.close()
    return in_page, elapsed, downloaded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default=",".join(ENGINES), help="material, pagefind or both (the default)")
    parser.add_argument("--keep", type=Path, help="generate the corpus and build the sites here, and keep them")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: measure the corpus and sites already there (delete a site to rebuild it)")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    if not engines or set(engines) - set(ENGINES):
        parser.error(f"--engines: a list of {', '.join(ENGINES)}")
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        root = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        reuse = args.reuse and args.keep and (root / "corpus" / "bulletins").is_dir()
        project = root / "corpus" if reuse else generate(args.count, root / "corpus")
        sources = sum(p.stat().st_size for p in (project / "bulletins").rglob("*.md"))
        print(f"{args.count} bulletins, {sources / 1e6:.1f} MB of sources")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for engine in engines:
                site = project / f"site-{engine}"
                seconds, step = (0.0, 0.0) if reuse and site.is_dir() else build(project, engine)
                size, files = index_size(site, engine)
                print(f"{engine}: " + ("built before" if not seconds else f"build {seconds:.1f} s")
                      + (f" (Pagefind's step {step:.1f} s)" if step else "")
                      + f"; index {size / 1e6:.1f} MB in {files} file(s) ({size / sources:.2f}x the sources)")
                server, url = serve(site)
                for query in QUERIES:
                    runs = [first_result_seconds(browser, url, query) for _ in range(args.runs)]
                    in_page, seen = [t for t, _, _ in runs], [t for _, t, _ in runs]
                    print(f"  first result for {query!r}: median {statistics.median(in_page):.2f} s in the page "
                          f"(runs: {', '.join(f'{t:.2f}' for t in in_page)}), {statistics.median(seen):.2f} s "
                          f"with Playwright's round trips (runs: {', '.join(f'{t:.2f}' for t in seen)}); "
                          f"downloaded for search {statistics.median(b for _, _, b in runs) / 1e3:.0f} KB")
                server.shutdown()
            browser.close()


if __name__ == "__main__":
    main()
