"""`mkdocs serve` without its server, for tests: builds the project in the folder it runs in into
SITE as serve does (a configuration loaded afresh for each rebuild, the same hooks and plugin for the
whole process, the site_url of the preview), one build per line read from stdin; after each,
waits until the preview's background work on files (exports, calendars, Pagefind's index) is done and prints
"built" (or "failed" and the error). A line "pages" builds without the work the preview does
after the pages (exports, calendars, Pagefind): the site as served the moment the pages are.
"today=YYYY-MM-DD" after the word: the day has rolled over while serving (BULLETINS_TODAY from then on).

    python preview_driver.py SITE [--dirty]
"""

import logging
import os
import sys

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

SERVE_URL = "http://127.0.0.1:8000/"


def config(site_dir):
    loaded = load_config("mkdocs.yml", site_dir=site_dir, dev_addr="127.0.0.1:0")
    loaded.site_url = SERVE_URL
    return loaded


def main(site_dir: str, dirty: bool) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")  # as MkDocs' command line logs
    first = config(site_dir)
    first.plugins.on_startup(command="serve", dirty=dirty)
    plugin = next(hook for hook in first["hooks"].values() if hasattr(hook, "_plugin"))._plugin
    for line in sys.stdin:
        line, *today = line.split()
        if today:
            os.environ["BULLETINS_TODAY"] = today[0].removeprefix("today=")
        after_pages = plugin._remake_in_background, plugin._index_in_background
        if line == "pages":
            plugin._remake_in_background = plugin._index_in_background = lambda *args: None
        try:
            build(first if first is not None else config(site_dir), serve_url=SERVE_URL, dirty=dirty)
            plugin.wait_for_outputs()
            if plugin.indexing is not None:  # and Pagefind's index
                plugin.indexing[1].join()
            print("built", flush=True)
        except (MkDocsException, SystemExit) as exc:
            print("failed", str(exc).replace("\n", " "), flush=True)
        finally:
            plugin._remake_in_background, plugin._index_in_background = after_pages
        first = None


if __name__ == "__main__":
    main(sys.argv[1], "--dirty" in sys.argv[2:])
