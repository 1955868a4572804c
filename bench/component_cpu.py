"""The CPU of each part of a full build that runs beside the page loop, one at a time in this
process (no fork, no profiler: process time, which other jobs on the machine barely move), and
a digest of what each made, to compare two versions of the code byte for byte:

    .venv/bin/python bench/component_cpu.py BULLETINS_DIR [render parts outputs] [--count N]
    PYTHONPATH=/path/to/other/checkout/src .venv/bin/python bench/component_cpu.py ...   # the other version

- render:  the render workers' work, `judge` of every bulletin (Markdown, our extensions, the URLs);
- parts:   the parts' process (make_parts_beside): headers, cards' facts, every listing's HTML;
- outputs: the outputs' process: feeds, directives.json/.csv/.xlsx, the by-unit CSV, calendars.
The as-of date is fixed (2026-11-28, build_bench's), the directory URLs MkDocs' default.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bulletins")
    parser.add_argument("parts", nargs="*", default=["render", "parts", "outputs"])
    parser.add_argument("--count", type=int, default=0, help="render only the first N bulletins")
    args = parser.parse_args()
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="component-cpu-cache-"))
    from safety_bulletins.mkdocs_adapter.urls import url_rule
    from safety_bulletins.outputs.feeds import render as render_feed
    from safety_bulletins.site_build.rendering import Job, judge
    from safety_bulletins.site_build.sitebuild import SiteBuild

    started = time.process_time()
    build = SiteBuild.load(Path(args.bulletins), dt.date(2026, 11, 28), url_rule(True), search="pagefind")
    print(f"load (read, validate, render in workers, catalog): {time.process_time() - started:.2f} CPU s of this process")
    for part in args.parts:
        digest = hashlib.sha256()
        started = time.process_time()
        if part == "render":
            bulletins = list(build.project.bulletins)[:args.count or None]
            for bulletin in bulletins:
                verdict = judge(Job.of(bulletin), build.judge.config)
                digest.update(repr((verdict.failure, verdict.urls)).encode())
                if verdict.page is not None:
                    page = verdict.page
                    digest.update(repr((page.html, page.toc, page.anchors, page.urls)).encode())
        elif part == "parts":
            keys = ([("around", src) for src in build.bulletins] + [("facts", src) for src in build.bulletins]
                    + [("listing", src) for src in build.pages])
            for key, value in build._made_parts(keys):
                digest.update(pickle.dumps((key, value)))
        elif part == "outputs":
            texts = [render_feed(feed) for feed in build.feeds.values()]
            texts += [text for _src, text in build._big_outputs()]
            for text in texts:
                digest.update(text if isinstance(text, bytes) else text.encode())
        else:
            raise SystemExit(f"no part {part!r}: render, parts or outputs")
        print(f"{part}: {time.process_time() - started:.2f} CPU s, made {digest.hexdigest()[:16]}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
