"""Fixtures: small bulletin folders written on the fly, and whole MkDocs projects."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
import time_machine
from helpers import AS_OF, SITE_YML, UNITS_YML, build_chinese_example, build_example, write_tree
from shifted_clock import CLOCKSHIFT, shifted_day


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """The whole run of a test (its fixtures, module-wide ones it is first to need, the test and the
    teardown) on its day. time-machine moves time.time, datetime.now, date.today and the like, not
    time.monotonic or perf_counter: timeouts, asyncio (Playwright) and durations run on real time."""
    # tests sharing a module's fixture (grouped below) share its day: what it built, they read on its clock
    group = item.get_closest_marker("xdist_group")
    day = shifted_day(group.args[0] if group and group.args else item.nodeid)
    if day is None or item.get_closest_marker("real_clock"):
        return (yield)
    # pytest's temporary folder first, on the real clock: made on a clock years ahead, its cleanup
    # would take other live sessions' folders for abandoned ones (as xdist, through the same attribute).
    if hasattr(item.config, "_tmp_path_factory"):
        item.config._tmp_path_factory.getbasetemp()
    start = dt.datetime.fromisoformat(f"{day}T09:00:00+00:00").timestamp()
    saved = {name: os.environ.get(name) for name in ("BULLETINS_CLOCK_SHIFT_BY", "PYTHONPATH")}
    # children move by as much as the test: they agree with it on the time, and later ones read later
    os.environ["BULLETINS_CLOCK_SHIFT_BY"] = repr(start - time.time())
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CLOCKSHIFT), saved["PYTHONPATH"]]))
    try:
        with time_machine.travel(start, tick=True):
            return (yield)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def pytest_configure(config):
    config.addinivalue_line("markers", "real_clock(why): run this test on the machine's clock, not a shifted one")
    config.addinivalue_line("markers", "build_process: publish and verify start their builds as they do, in a new "
                            "interpreter (helpers.builds_forked)")
    import cpu_meter

    cpu_meter.register(config)  # only with SUITE_CPU_LOG set: where the suite's CPU goes (tests/cpu_meter.py)


def pytest_collection_modifyitems(config, items):
    """`./dev test` runs the suite on every core (pytest-xdist, --dist loadgroup): the tests of a module
    that share a module-wide fixture (a site built once for them) run on one worker, so it is built once;
    other tests go wherever a worker is free. Session-wide fixtures are made once per worker."""
    for item in items:
        # _fixtureinfo: every fixture the test needs, with its scope (as pytest-asyncio and others read it)
        fixtures = getattr(item, "_fixtureinfo", None)
        if fixtures is None or item.get_closest_marker("xdist_group"):
            continue
        if any(defs[-1].scope == "module" for defs in fixtures.name2fixturedefs.values() if defs):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    long_tests_first(items)


LONG_TESTS = Path(__file__).with_name("long_tests.txt")


def long_tests_first(items) -> None:
    """The tests that take longest (tests/long_tests.txt, measured) start first, so that the last minutes
    of `./dev test` are not one long test running while the other core is idle. xdist's loadgroup hands
    out the groups (most tests first), then the other tests in this order. A group moves whole (its
    module-wide fixture is made once); the others keep their order among themselves."""
    if not LONG_TESTS.is_file():
        return
    ranks = {}
    for line in LONG_TESTS.read_text(encoding="utf-8").splitlines():
        nodeid = line.split("#", 1)[0].strip()
        if nodeid:
            ranks.setdefault(nodeid, len(ranks))

    def scope(item) -> str:
        group = item.get_closest_marker("xdist_group")
        return f"@{group.args[0]}" if group and group.args else item.nodeid

    first: dict[str, int] = {}
    for item in items:
        rank = ranks.get(item.nodeid, ranks.get(item.nodeid.split("[")[0], len(ranks)))
        first[scope(item)] = min(first.get(scope(item), rank), rank)
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda item: (first[scope(item)], order[id(item)]))


@pytest.fixture(autouse=True, scope="session")
def users_cache_folder(tmp_path_factory):
    """Render verdicts go to the user's cache folder (site_build/rendering.py cache_dir_for): the
    suite's, and that of every build it starts, is its own, not the developer's ~/.cache."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


@pytest.fixture(autouse=True)
def pinned_as_of_date(monkeypatch):
    """Every test, and every build or command it starts, sees the same as-of date whatever
    day the suite runs on, its clock shifted years away (shifted_clock.py)."""
    monkeypatch.setenv("BULLETINS_TODAY", AS_OF)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def bulletins_dir(tmp_path: Path):
    """A bulletins folder with units.yml and whatever files the test adds."""

    def make(files: dict[str, str | bytes] | None = None, units: str = UNITS_YML) -> Path:
        root = tmp_path / "bulletins"
        return write_tree(root, {"units.yml": units, **(files or {})})

    return make


@pytest.fixture
def site_project(tmp_path: Path):
    """A whole MkDocs project (mkdocs.yml, docs/, bulletins/) using this repository's hooks."""

    def make(files: dict[str, str | bytes], units: str = UNITS_YML) -> Path:
        project = tmp_path / "project"
        write_tree(project, {
            "mkdocs.yml": SITE_YML,
            "docs/index.md": "# Home\n\nWelcome.\n",
            "bulletins/units.yml": units,
            **{f"bulletins/{name}": content for name, content in files.items()},
        })
        return project

    return make


# --- Shared builds and folders (helper S2): session-scoped fixtures are per xdist worker -------------------

@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The shipped example (mkdocs.yml, docs/, bulletins/) built once per session into a folder of its
    own, strict, as of AS_OF; its project is the site's parent. Read-only for the tests that use it:
    a test that changes the site or the sources builds its own copy (helpers.example_project)."""
    return build_example(tmp_path_factory.mktemp("example") / "project")


@pytest.fixture(scope="session")
def chinese_example_site(tmp_path_factory) -> Path:
    """The example in Chinese (mkdocs.zh.yml) built once per session, strict, as of AS_OF, for every test that
    reads it (the browser tests, the HTML validator, the Chinese site's words): three modules each built
    it before. Read-only, as example_site."""
    return build_chinese_example(tmp_path_factory.mktemp("example-zh") / "project")


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where a test keeps the pictures it takes (pytest keeps the last runs' folders to look at)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder
