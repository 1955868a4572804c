"""Where a build's time goes, by plugin and event: `mkdocs build` with each event timed.

    .venv/bin/python bench/event_times.py PROJECT_DIR

Runs MkDocs in this process with its event dispatch wrapped (no profiler overhead), then
prints the seconds each plugin spent in each event, the hooks' total, and the whole
build. Compare a corpus (bench/corpus.py) with its baseline to see what our hooks add and
what the other plugins do more for our pages.
"""

from __future__ import annotations

import collections
import os
import sys
import time

from mkdocs import plugins
from in_process import mkdocs_build

spent: collections.Counter = collections.Counter()


def timed_run_event(self, name, item=None, **kwargs):
    """PluginCollection.run_event of MkDocs 1.6, timing each plugin's handler."""
    for method in self.events[name]:
        self._current_plugin = self._event_origins.get(method, "<unknown>")
        start = time.perf_counter()
        result = method(item, **kwargs) if item is not None else method(**kwargs)
        spent[(self._current_plugin, name)] += time.perf_counter() - start
        if result is not None:
            item = result
    self._current_plugin = None
    return item


def main(project: str) -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    plugins.PluginCollection.run_event = timed_run_event
    os.chdir(project)
    start = time.perf_counter()
    mkdocs_build()
    total = time.perf_counter() - start
    for (plugin, event), seconds in sorted(spent.items(), key=lambda item: -item[1]):
        if seconds >= 0.01:
            print(f"{seconds:7.2f} s  {plugin:>24}  on_{event}")
    hooks = sum(seconds for (plugin, _), seconds in spent.items() if plugin.startswith("hooks/"))
    print(f"{hooks:7.2f} s  hooks in all\n{total:7.2f} s  the whole build (MkDocs' own work included)")


if __name__ == "__main__":
    main(sys.argv[1])
