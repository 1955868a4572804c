"""A dirty build (`mkdocs build --dirty`, `./dev serve`) equals a full build after any change
to what every page is made of: mkdocs.yml, the hooks, docs/, the theme's overrides and the
versions of MkDocs, Material and pymdown-extensions, even when an edited file ends up older
than the site (a checkout, a copy with dates kept, `touch -d`)."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MEETING_MD, mkdocs

from safety_bulletins.site_build.sitebuild import site_fingerprint

OTHER_MD = MEETING_MD.replace("CIG-2021-05-2", "O-1").replace("Special meeting", "Other meeting")
EXTRA_HOOK = "def on_page_content(html, page, config, files):\n    return html + '<p>hook one</p>'\n"


def tree(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def older(path: Path, text: str):
    """Write `text` and give the file a date well before the site was built."""
    path.write_text(text, encoding="utf-8")
    past = path.stat().st_mtime - 10 * 24 * 3600  # the file system's clock, not the (maybe moved) Python one
    os.utime(path, (past, past))


@pytest.fixture
def project(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-other.md": OTHER_MD})
    (project / "docs/guide.md").write_text("# Guide\n\nHow to write.\n")
    (project / "docs/assets").mkdir()
    (project / "docs/assets/note.txt").write_text("first note\n")
    (project / "extra_hook.py").write_text(EXTRA_HOOK)
    (project / "overrides").mkdir()
    (project / "overrides/main.html").write_text('{% extends "base.html" %}{% block footer %}foot one{% endblock %}')
    config = project / "mkdocs.yml"
    config.write_text(config.read_text()
                      .replace("hooks:\n", f"hooks:\n  - {project / 'extra_hook.py'}\n")
                      .replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"))
    return project


def assert_dirty_equals_full(project, tmp_path, **env):
    result = mkdocs(project, "build", "--dirty", **env)
    assert result.returncode == 0, result.stderr
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    result = mkdocs(fresh, "build", **env)
    assert result.returncode == 0, result.stderr
    assert tree(project / "site") == tree(fresh / "site")


def rename_site(project):
    config = project / "mkdocs.yml"
    older(config, config.read_text().replace("site_name: Test bulletins", "site_name: Renamed"))


def edit_a_docs_page(project):
    older(project / "docs/guide.md", "# Guide\n\nHow to write, again.\n")


def retitle_a_docs_page(project):  # its title is in every page's navigation
    older(project / "docs/guide.md", "# Writing guide\n\nHow to write.\n")


def edit_a_docs_file(project):
    older(project / "docs/assets/note.txt", "second note\n")


def edit_an_override(project):
    older(project / "overrides/main.html", '{% extends "base.html" %}{% block footer %}foot two{% endblock %}')


def edit_a_hook(project):
    older(project / "extra_hook.py", EXTRA_HOOK.replace("hook one", "hook two"))


@pytest.mark.parametrize("change", [rename_site, edit_a_docs_page, retitle_a_docs_page, edit_a_docs_file,
                                    edit_an_override, edit_a_hook])
def test_a_dirty_build_after_a_change_to_the_site_inputs_equals_a_full_build(project, tmp_path, change):
    assert mkdocs(project, "build", "--dirty").returncode == 0
    change(project)
    assert_dirty_equals_full(project, tmp_path)


def fake_upgrade(tool: str, folder: Path) -> Path:
    """A folder to put first on PYTHONPATH in which `tool` reports version 99.0 (same code, same
    entry points): what a dirty build sees after an upgrade."""
    dist = importlib.metadata.distribution(tool)
    real = Path(dist._path)  # the .dist-info folder
    fake = folder / real.name.replace(dist.version, "99.0")
    shutil.copytree(real, fake)
    metadata = fake / "METADATA"
    text = metadata.read_text(encoding="utf-8")
    metadata.write_text(text.replace(f"\nVersion: {dist.version}\n", "\nVersion: 99.0\n", 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("tool", ["mkdocs", "mkdocs-material", "pymdown-extensions"])
def test_a_dirty_build_after_an_upgrade_redoes_every_page_and_file(project, tmp_path, tool):
    assert mkdocs(project, "build", "--dirty").returncode == 0
    # What the old version wrote, newer than every source: only the version tells it apart.
    site = project / "site"
    stale = [site / "guide/index.html", site / "bulletins/2021/2021-05-25-meeting/index.html",
             next(site.glob("assets/stylesheets/main.*.css"))]
    for path in stale:
        path.write_text("written by the old version")
        future = path.stat().st_mtime + 3600  # the file system's clock, not the (maybe moved) Python one
        os.utime(path, (future, future))
    assert mkdocs(project, "build", "--dirty").returncode == 0
    assert all(path.read_text() == "written by the old version" for path in stale)  # nothing else would redo them
    upgraded = fake_upgrade(tool, tmp_path / "upgraded")
    pythonpath = os.pathsep.join([str(upgraded), os.environ.get("PYTHONPATH", "")])
    seen = subprocess.run([sys.executable, "-c", f"import importlib.metadata as m; print(m.version({tool!r}))"],
                          env={**os.environ, "PYTHONPATH": pythonpath}, capture_output=True, text=True, timeout=60)
    assert seen.stdout.strip() == "99.0", seen.stderr  # what the build will see
    assert_dirty_equals_full(project, tmp_path, PYTHONPATH=pythonpath)


def test_the_fingerprint_covers_versions_files_and_folders(tmp_path, monkeypatch):
    config, docs = tmp_path / "mkdocs.yml", tmp_path / "docs"
    config.write_text("site_name: A\n")
    (docs / "sub").mkdir(parents=True)
    (docs / "sub/page.md").write_text("# Page\n")
    os.mkfifo(docs / "pipe")  # never read: it would block
    fingerprints = {site_fingerprint([config], [docs])}
    assert site_fingerprint([config], [docs]) in fingerprints  # stable
    (docs / "sub/page.md").write_text("# Page!\n")
    fingerprints.add(site_fingerprint([config], [docs]))
    (docs / "sub/new.md").write_text("")
    fingerprints.add(site_fingerprint([config], [docs]))
    config.write_text("site_name: B\n")
    fingerprints.add(site_fingerprint([config], [docs]))
    real = importlib.metadata.version
    for tool in ("mkdocs", "mkdocs-material", "pymdown-extensions"):
        monkeypatch.setattr(importlib.metadata, "version", lambda name, t=tool: "99.0" if name == t else real(name))
        fingerprints.add(site_fingerprint([config], [docs]))
    assert len(fingerprints) == 7  # each change gave a new one


def test_a_dirty_build_after_an_edit_of_an_inherited_configuration_equals_a_full_build(project, tmp_path):
    """rev6: mkdocs.zh.yml INHERITs mkdocs.yml; an edit of the inherited file (here the toc's permalink,
    in every bulletin page) left a dirty build's pages as they were (`./dev serve --zh` is dirty)."""
    config = project / "mkdocs.yml"
    (project / "base.yml").write_text(config.read_text(), encoding="utf-8")
    config.write_text("INHERIT: base.yml\n", encoding="utf-8")
    assert mkdocs(project, "build", "--dirty").returncode == 0
    older(project / "base.yml", (project / "base.yml").read_text().replace("permalink: true", 'permalink: "§"'))
    assert_dirty_equals_full(project, tmp_path)
    assert "§" in (project / "site/bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")


def test_a_dirty_build_after_an_edit_of_the_sites_own_markdown_extension_equals_a_full_build(project, tmp_path):
    """rev6: a Markdown extension of the site's own (a module beside mkdocs.yml) edited: a dirty
    build kept every bulletin page its old code made."""
    from test_rendering import STAMP_EXTENSION

    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "  - stamp\n", encoding="utf-8")
    (project / "stamp.py").write_text(STAMP_EXTENSION, encoding="utf-8")
    assert mkdocs(project, "build", "--dirty", PYTHONPATH=str(project)).returncode == 0
    older(project / "stamp.py", STAMP_EXTENSION.replace("VERSION-ONE", "VERSION-TWO"))
    assert_dirty_equals_full(project, tmp_path, PYTHONPATH=str(project))
    assert "VERSION-TWO" in (project / "site/bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
