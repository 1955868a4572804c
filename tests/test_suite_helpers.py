"""The suite's own machinery: the longest tests start first (conftest.long_tests_first), and a forked build
runs the Python it is given before MkDocs starts (helpers.mkdocs prelude)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from helpers import MEETING_MD, SITE_YML, UNITS_YML, mkdocs, write_tree


def _load_conftest():
    """tests/conftest.py by its path: `import conftest` finds whichever conftest pytest imported last
    (tests/browser/conftest.py when a worker has run a browser test)."""
    spec = importlib.util.spec_from_file_location("suite_conftest", Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conftest = _load_conftest()


class FakeItem:
    def __init__(self, nodeid: str, group: str | None = None):
        self.nodeid, self.group = nodeid, group

    def get_closest_marker(self, name):
        return pytest.mark.xdist_group(self.group).mark if name == "xdist_group" and self.group else None


def test_listed_tests_start_first_and_a_group_moves_whole(tmp_path, monkeypatch):
    listed = tmp_path / "long_tests.txt"
    listed.write_text("# comment\ntests/c.py::test_slow  # 30\ntests/g.py::test_two  # 20\ntests/p.py::test_param\n"
                      "tests/gone.py::test_removed\n", encoding="utf-8")
    monkeypatch.setattr(conftest, "LONG_TESTS", listed)
    items = [FakeItem("tests/a.py::test_a"), FakeItem("tests/g.py::test_one", "tests/g.py"),
             FakeItem("tests/b.py::test_b"), FakeItem("tests/g.py::test_two", "tests/g.py"),
             FakeItem("tests/c.py::test_slow"), FakeItem("tests/p.py::test_param[x]"),
             FakeItem("tests/p.py::test_param[y]"), FakeItem("tests/d.py::test_d")]
    conftest.long_tests_first(items)
    assert [item.nodeid for item in items] == [
        "tests/c.py::test_slow",  # the longest
        "tests/g.py::test_one", "tests/g.py::test_two",  # its group with it, in its order
        "tests/p.py::test_param[x]", "tests/p.py::test_param[y]",  # every case of a listed test
        "tests/a.py::test_a", "tests/b.py::test_b", "tests/d.py::test_d"]  # the rest as collected


def test_the_listed_tests_are_tests_of_the_suite(request):
    """A stale line only costs its place, yet most lines should name a test that is collected."""
    listed = [line.split("#", 1)[0].strip() for line in conftest.LONG_TESTS.read_text(encoding="utf-8").splitlines()]
    listed = [nodeid for nodeid in listed if nodeid]
    assert listed, "tests/long_tests.txt is empty"
    assert all(nodeid.startswith("tests/") and "::" in nodeid for nodeid in listed)


def test_a_forked_build_runs_its_prelude_first(tmp_path: Path):
    project = write_tree(tmp_path / "project", {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n",
                                                "bulletins/units.yml": UNITS_YML,
                                                "bulletins/2021/2021-05-25-meeting.md": MEETING_MD})
    paged = mkdocs(project, "build", "--site-dir", "paged",
                   prelude="import safety_bulletins.outputs.pages as p\np.ROWS_PER_PAGE = 1")
    plain = mkdocs(project, "build", "--site-dir", "plain")
    assert paged.returncode == plain.returncode == 0, paged.stderr + plain.stderr
    assert (project / "paged" / "directives" / "2" / "index.html").is_file()  # two directives, one a page
    assert not (project / "plain" / "directives" / "2").exists()  # the prelude stays in its run


def test_forked_builds_of_publish_and_verify_start_no_interpreter_and_still_fail(tmp_path: Path, monkeypatch):
    """helpers.builds_forked: publish's build and verify's rebuild run in the warm MkdocsForks (no new
    `python -m mkdocs`), the release publish switches to passes verify's comparison with the forked
    rebuild, and a rebuild that fails is still a finding (a fork must never make a check pass)."""
    import datetime as dt

    from helpers import builds_forked
    from safety_bulletins import processes
    from safety_bulletins.commands.publish import publish
    from safety_bulletins.commands.verify import verify_site

    project = write_tree(tmp_path / "project", {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n",
                                                "bulletins/units.yml": UNITS_YML,
                                                "bulletins/2021/2021-05-25-meeting.md": MEETING_MD})
    started = []
    real_start = processes.start
    monkeypatch.setattr(processes, "start", lambda command, **kw: started.append(command) or real_start(command, **kw))
    builds_forked(monkeypatch)
    monkeypatch.chdir(project)
    as_of = dt.date(2026, 11, 28)
    release = publish(project, tmp_path / "safety", as_of)
    assert (release / "units/property/index.html").is_file()
    assert verify_site(project, release, as_of) == []
    assert not [c for c in started if c[1:3] == ["-m", "mkdocs"]], started
    (project / "mkdocs.yml").write_text(SITE_YML + "\nnav: 3\n", encoding="utf-8")
    [finding] = verify_site(project, release, as_of)
    assert finding.startswith(f"{project}: a build of the sources as of 2026-11-28 failed (exit code 1)"), finding


def test_a_forked_serve_serves_in_its_own_temp_folder_stops_and_leaves_the_forks_working(tmp_path: Path):
    """helpers.mkdocs_serve forks `mkdocs serve` from the warm MkdocsForks (no new interpreter): it serves the
    site it built in the TMPDIR it was given (not the one the forks' warm-up left in `tempfile`), a serve that
    cannot build still stops with its exit code and output, and after each the forks build again."""
    from helpers import ForkedRun, ServeStopped, fetch, mkdocs_serve

    project = write_tree(tmp_path / "project", {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n",
                                                "bulletins/units.yml": UNITS_YML,
                                                "bulletins/2021/2021-05-25-meeting.md": MEETING_MD})
    with mkdocs_serve(project, tmp_path / "serve", "--no-livereload") as server:
        assert isinstance(server.process, ForkedRun)
        assert b"CIG-2021-05-2" in fetch(server.url + "directives.json")
        assert list((tmp_path / "serve").glob("mkdocs_*/directives.json")), list((tmp_path / "serve").iterdir())
    assert server.process.returncode is not None
    assert mkdocs(project, "build", "--site-dir", "after-serve").returncode == 0

    (project / "mkdocs.yml").write_text(SITE_YML + "\nnav: 3\n", encoding="utf-8")
    with pytest.raises(ServeStopped) as stopped, mkdocs_serve(project, tmp_path / "broken", "--no-livereload"):
        pass
    assert stopped.value.returncode == 1 and "nav" in stopped.value.output, stopped.value.output
    (project / "mkdocs.yml").write_text(SITE_YML, encoding="utf-8")
    assert mkdocs(project, "build", "--site-dir", "after-failed-serve").returncode == 0


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "new-interpreter"])
def test_a_serve_stops_on_ctrl_c_where_the_suite_ignores_sigint(tmp_path: Path, monkeypatch, forked):
    """A suite started as a background job of a script has SIGINT ignored, and so has every process it starts: a
    serve ignored its Ctrl-C and was killed after 20 s, without cleaning up. Forked or a new interpreter, it now
    takes Ctrl-C as in a foreground shell: it says it shuts down and removes the site it built."""
    import signal

    import helpers

    project = write_tree(tmp_path / "project", {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n",
                                                "bulletins/units.yml": UNITS_YML})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    forks = None
    try:
        if forked:  # forks started while SIGINT is ignored, as the worker's are in such a suite
            forks = helpers.MkdocsForks()
            monkeypatch.setattr(helpers, "_forks", forks)
        else:
            monkeypatch.setenv("BULLETINS_TESTS_FORK", "0")
        with helpers.mkdocs_serve(project, tmp_path / "serve", "--no-livereload") as server:
            assert isinstance(server.process, helpers.ForkedRun) == forked
            assert list((tmp_path / "serve").glob("mkdocs_*"))
    finally:
        signal.signal(signal.SIGINT, previous)
        if forks is not None:
            forks.close()
    assert "Shutting down..." in server.output(), server.output()[-2000:]
    assert not list((tmp_path / "serve").glob("mkdocs_*"))  # it removed the site it built
