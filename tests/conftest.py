"""Fixtures: small bulletin folders written on the fly, and whole MkDocs projects."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import AS_OF, SITE_YML, UNITS_YML, build_example, write_tree


@pytest.fixture(autouse=True, scope="session")
def users_cache_folder(tmp_path_factory):
    """Render verdicts go to the user's cache folder (site_build/rendering.py cache_dir_for): the
    suite's, and that of every build it starts, is its own, not the developer's ~/.cache."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


@pytest.fixture(autouse=True)
def pinned_as_of_date(monkeypatch):
    """Every test, and every build or command it starts, sees the same as-of date whatever
    day the suite runs on (test_clock.py proves it by running the suite on other days)."""
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


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where a test keeps the pictures it takes (pytest keeps the last runs' folders to look at)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder
