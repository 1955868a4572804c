"""The example site this repository ships builds, with every directive on its pages and in the export."""

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
import shutil

from helpers import AS_OF, REPO, build

from safety_bulletins.project import load_project


def copy_example(project):
    project.mkdir()
    for name in ("mkdocs.yml", "docs", "bulletins", "hooks"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, project / name)
    return project


def test_example_site_builds_with_every_directive(tmp_path):
    site = build(copy_example(tmp_path / "example"))
    expected = {d.id: b for b in load_project(REPO / "bulletins").published(dt.date.fromisoformat(AS_OF)) for d in b.directives}
    exported = {d["id"] for d in json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]}
    assert exported == set(expected)
    index = (site / "search/search_index.json").read_text(encoding="utf-8")
    assert "应急" in index and not re.search(r"\\u[4-9][0-9a-f]{3}", index)  # UTF-8, not ASCII escapes
    assert json.loads(index)["docs"]
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    for directive_id, bulletin in expected.items():
        page = site / "bulletins" / bulletin.rel_path.removesuffix(".md") / "index.html"
        assert f'id="{directive_id}"' in page.read_text(encoding="utf-8")
        assert f'#{directive_id}"' in register


def test_properdocs_builds_the_same_pages(tmp_path):
    """ProperDocs, the maintained fork of MkDocs 1.x, runs our hooks and Material unchanged."""
    project = copy_example(tmp_path / "example")
    pages = {}
    for tool in ("mkdocs", "properdocs"):
        site = build(project, site=f"site-{tool}", tool=tool)
        pages[tool] = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    assert len(pages["mkdocs"]) > 40
    assert pages["properdocs"] == pages["mkdocs"]
    assert (project / "site-properdocs/directives.json").read_bytes() == (project / "site-mkdocs/directives.json").read_bytes()


def test_packaged_wheel_carries_every_template(tmp_path):
    """Editors install with pip, not in editable mode: templates must be in the wheel."""
    source = tmp_path / "source"  # a copy: a build/ folder left in the checkout would hide what is missing
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("safety_bulletins-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {f"safety_bulletins/{p.relative_to(REPO / 'src/safety_bulletins').as_posix()}"
                 for p in (REPO / "src/safety_bulletins/templates").rglob("*") if p.is_file()}
    assert len(templates) > 15 and templates <= names


def test_chinese_headings_keep_readable_anchors(tmp_path):
    site = build(copy_example(tmp_path / "example"))
    page = next(site.glob("bulletins/2025/*/index.html")).read_text(encoding="utf-8")
    assert 'id="二会议议定事项"' in page or re.search(r'id="[一二三四五六七八九十]+[\u4e00-\u9fff]+"', page)
    assert 'id="_1"' not in page
