"""The build grows about linearly with a deep units.yml and with many follow-ups: counted in
work (function calls), never in seconds, so that a return to
quadratic cost fails on any machine. Doubling the size must not much more than double the work
(a quadratic part makes it approach 4x).

The shapes are bench/shapes_bench.py's: a chain of units each the parent of the next, ten
follow-ups on each directive, and thousands on three. Once, every unit's page, feed and calendar
walked the whole file for its sub-units, and every page with a follow-up put its directive's
whole history into what a dirty build compares.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from helpers import REPO, URLS

sys.path.insert(0, str(REPO / "bench"))
from shapes_bench import chain, follow_ups, long_histories  # noqa: E402

from safety_bulletins.site_build.sitebuild import SiteBuild  # noqa: E402
from safety_bulletins.sources.project import check_folder  # noqa: E402

AS_OF = dt.date(2026, 11, 28)


def work(root: Path, counting: bool = True) -> int:
    """Function calls (Python's and built-in ones, the package's, its templates' and the standard
    library's) while checking, loading and making every output. Not `counting`: the same run without
    the profile hook (a warm-up: the same work in about half the CPU)."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += 1

    if counting:
        sys.setprofile(count)
    try:
        assert not check_folder(root, as_of=AS_OF).errors
        build = SiteBuild.load(root, AS_OF, urls=URLS)
        for page in build.pages.values():
            build.renderer.page(page)
        build.source_files()  # every output made: exports, calendars, feeds (given as content)
        for src, bulletin in build.bulletins.items():
            build.page_source(src, "")
            build._page_inputs(bulletin)  # what a dirty build compares, for every page
            for d in bulletin.directives:
                build.renderer.directive_meta(d)
            for f in bulletin.follow_ups:
                build.renderer.follow_up_meta(f)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("shape, size", [(chain, 250), (follow_ups, 400), (long_histories, 150)],
                         ids=["units-chain", "follow-ups", "long-histories"])
def test_doubling_the_size_about_doubles_the_work(shape, size, tmp_path):
    """Sizes n, 2n and 4n: the work each doubling adds doubles if the cost is linear (what does
    not grow with the size, however large, drops out), and quadruples if it is quadratic."""
    counted = []
    for n in (size, size, 2 * size, 4 * size):  # the first warms up, uncounted: templates compiled, caches filled
        root = tmp_path / str(len(counted))
        root.mkdir()
        shape(root, n)
        counted.append(work(root, counting=root.name != "0"))
    counted = counted[1:]
    added = [later - earlier for earlier, later in zip(counted, counted[1:])]
    assert added[1] / added[0] < 2.6, (counted, added[1] / added[0])  # 2.0-2.1 when linear; 2.8-3.9 before
