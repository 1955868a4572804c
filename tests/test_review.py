"""Hostile review of issue 19 (review- cases): each test failed on the code as first merged.

- A verdict in `.cache/safety-bulletins-render/verdicts.json` was trusted as it was read: a cache
  committed (git add -f) or restored by CI (a shared `.cache/` cache) with a bulletin's key and no
  URLs let an outside image through check, the build and verify. Verdicts now live outside the
  checkout.
- The workers bound a render's time and memory, not the size of what it makes: one reference
  definition with a long address, used a few hundred times, makes a page (and a verdict, kept in
  the parent's memory and in verdicts.json) hundreds of times the size of the text.
"""

import json

import pytest

from safety_bulletins.site_build import rendering
from safety_bulletins.site_build.rendering import Job, Judge, MarkdownConfig, judge
from safety_bulletins.sources import project as projects

HEAD = "---\ntitle: T\ndate: 2026-11-26\ntype: notice\n---\n"  # the body starts on line 6


def test_the_verdicts_are_kept_outside_the_checkout(tmp_path, monkeypatch):
    """A verdict decides what is published: nothing in the checkout (a commit, a CI cache of
    `.cache/` restored from another branch) may hold one. They live in the user's cache folder."""
    from safety_bulletins.mkdocs_adapter import judge_for

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    project = tmp_path / "project"
    (project / "bulletins").mkdir(parents=True)
    (project / "mkdocs.yml").write_text("site_name: S\n", encoding="utf-8")
    cache = judge_for(project).cache_file
    assert cache.is_relative_to(tmp_path / "user-cache") and not cache.is_relative_to(project)
    assert rendering.cache_dir_for(project) == rendering.cache_dir_for(project / "bulletins" / "..")


def test_a_page_hundreds_of_times_its_text_is_refused():
    url = "https://example.com/" + "x" * 50_000
    text = f"[r]: {url}\n\n" + "[a][r] " * 400 + "\n"  # 53 KB of text
    verdict = judge(Job(text, (), text, 6), MarkdownConfig())
    page_bytes = sum(len(u.value) for u in verdict.urls)
    assert verdict.failure is not None, (
        f"{len(text)} bytes of Markdown made a page with {page_bytes} bytes of addresses (x{page_bytes // len(text)})")


def test_a_forged_cache_committed_inside_bulletins_through_a_cache_link_is_not_trusted(tmp_path, monkeypatch):
    """`.gitignore` had '.cache/', which matches folders only: a symlink `.cache -> bulletins/c` was
    committed without `git add -f`, with forged verdicts in bulletins/, which editors own."""
    from helpers import UNITS_YML

    from safety_bulletins.mkdocs_adapter import judge_for

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    project = tmp_path / "project"
    (project / "bulletins" / "2026").mkdir(parents=True)
    (project / "bulletins" / "units.yml").write_text(UNITS_YML, encoding="utf-8")
    (project / "bulletins" / "2026" / "n.md").write_text(HEAD + "![x](https://tracker.example/pixel.gif)\n",
                                                         encoding="utf-8")
    (project / "mkdocs.yml").write_text("site_name: S\n", encoding="utf-8")
    judge = judge_for(project)
    judge.workers = 0
    assert [p.line for p in projects.load_project(project / "bulletins", None, judge).errors] == [6]
    real = judge.cache_file
    forged = {key: {"urls": [], "failure": None} for key in json.loads(real.read_text(encoding="utf-8"))}
    for planted in (project / "bulletins" / "c" / "safety-bulletins-render" / rendering.CACHE_FILE,
                    project / "bulletins" / "c" / "safety-bulletins" / rendering.CACHE_FILE):
        planted.parent.mkdir(parents=True)
        planted.write_text(json.dumps(forged), encoding="utf-8")
    real.unlink()
    (project / ".cache").symlink_to("bulletins/c")
    judge = judge_for(project)
    judge.workers = 0
    again = projects.load_project(project / "bulletins", None, judge)
    assert [p.line for p in again.errors] == [6], "a verdict planted in bulletins/ passed the outside image"


@pytest.mark.parametrize("kind", ["link", "file"])
def test_a_committed_cache_link_makes_the_build_delete_and_write_outside_the_project(tmp_path, kind):
    """'.cache' as a symlink was not ignored by '.gitignore's '.cache/' (folders only). Every full
    build runs shutil.rmtree('.cache/safety-bulletins') (older than issue 19) and wrote
    '.cache/safety-bulletins-render/': through a committed link `.cache -> ..`, in a checkout named
    safety-bulletins, the first removed the checkout itself; here, a folder beside the project.
    A file named .cache crashed the build with NotADirectoryError. Both are refused, by name."""
    from helpers import SITE_YML, UNITS_YML, mkdocs, write_tree

    victim = tmp_path / "elsewhere"
    (victim / "safety-bulletins").mkdir(parents=True)
    (victim / "safety-bulletins" / "keep.txt").write_text("someone else's file", encoding="utf-8")
    project = write_tree(tmp_path / "project", {
        "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/n.md": HEAD + "Hello.\n"})
    if kind == "link":
        (project / ".cache").symlink_to(victim)
    else:
        (project / ".cache").write_text("not a folder\n", encoding="utf-8")
    result = mkdocs(project, "build")
    assert (victim / "safety-bulletins" / "keep.txt").is_file(), "the build removed a folder outside the project"
    assert not (victim / "safety-bulletins-render").exists(), "the build wrote its render cache outside the project"
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{project / '.cache'} is {'a link' if kind == 'link' else 'not a folder'}: the build keeps" in result.stderr
