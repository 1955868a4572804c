"""The example site this repository ships builds, with every directive on its pages and in the export."""

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

from helpers import AS_OF, REPO, build, example_project, mkdocs

from safety_bulletins.sources.project import load_project


def test_example_site_builds_with_every_directive(tmp_path):
    project = example_project(tmp_path / "example")
    assert "\nextra:" not in (project / "mkdocs.yml").read_text(encoding="utf-8"), "a second extra: would replace it"
    with open(project / "mkdocs.yml", "a", encoding="utf-8") as config:  # lunr's index, as the offline copy has it
        config.write("\nextra:\n  bulletins:\n    search: material\n")
    site = build(project)
    expected = {d.id: b for b in load_project(REPO / "bulletins").published(dt.date.fromisoformat(AS_OF)) for d in b.directives}
    exported = {d["id"] for d in json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]}
    assert exported == set(expected)
    index = (site / "search/search_index.json").read_text(encoding="utf-8")
    assert "应急" in index and not re.search(r"\\u[4-9][0-9a-f]{3}", index)  # UTF-8, not ASCII escapes
    docs = {doc["location"]: doc for doc in json.loads(index)["docs"]}
    # A hit starts with one clean line of type, date and issuer; the facts' list is not text to find
    first = docs["bulletins/2021/2021-06-01-inspection-report/"]
    assert first["text"].startswith("<p>Inspection report · 2021-06-01 · Safety and Environmental Protection Department")
    assert not any(re.search(r"Type\s*(Minutes|Notice|Inspection)|Date\s*20\d\d-", doc["text"]) for doc in docs.values())
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    for directive_id, bulletin in expected.items():
        page = site / "bulletins" / bulletin.rel_path.removesuffix(".md") / "index.html"
        assert f'id="{directive_id}"' in page.read_text(encoding="utf-8")
        assert f'#{directive_id}"' in register


def test_properdocs_builds_the_same_pages(tmp_path):
    """ProperDocs, the maintained fork of MkDocs 1.x, runs our hooks and Material unchanged: every
    file of its site has the same bytes as MkDocs', but for the generator each HTML page names."""
    project = example_project(tmp_path / "example")
    files = {}
    for tool in ("mkdocs", "properdocs"):
        site = build(project, site=f"site-{tool}", tool=tool)
        files[tool] = {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    mkdocs, properdocs = files["mkdocs"], files["properdocs"]
    assert sorted(properdocs) == sorted(mkdocs)
    pages = [name for name in mkdocs if name.endswith(".html")]
    expected = {f"bulletins/{b.rel_path.removesuffix('.md')}/index.html" for b in load_project(REPO / "bulletins").published(dt.date.fromisoformat(AS_OF))}
    assert expected <= set(pages) and {"directives/index.html", "units/index.html", "archive/index.html"} <= set(pages)

    def normalised(name: str, data: bytes, generator: bytes) -> bytes:
        if not name.endswith(".html"):
            return data
        assert data.count(generator) == 1, name  # the one line that may differ, and why
        return data.replace(generator, b"GENERATOR")

    mkdocs_generator = f'<meta name="generator" content="mkdocs-{version("mkdocs")}, '.encode()
    properdocs_generator = f'<meta name="generator" content="mkdocs-ProperDocs {version("properdocs")}, '.encode()
    assert [name for name in mkdocs if normalised(name, mkdocs[name], mkdocs_generator)
            != normalised(name, properdocs[name], properdocs_generator)] == []
    assert all(mkdocs[name] != properdocs[name] for name in pages)  # the normalising did something


def test_the_packaged_wheel_carries_every_file_and_builds_the_same_site(tmp_path, example_site):
    """Editors install with pip, not in editable mode: every file of the package (modules, templates,
    the scripts the pages load) must be in the wheel, and the example built with the wheel's package
    instead of this checkout's has the same bytes as the session's build from the checkout."""
    source = tmp_path / "source"  # a copy: a build/ folder left in the checkout would hide what is missing
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("safety_bulletins-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = REPO / "src/safety_bulletins"
    needed = {f"safety_bulletins/{p.relative_to(package).as_posix()}" for p in package.rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assets = {name for name in needed if name.startswith("safety_bulletins/outputs/assets/")}
    templates = {name for name in needed if name.startswith("safety_bulletins/outputs/templates/")}
    assert len(assets) >= 4 and len(templates) > 15
    assert sorted(needed - names) == []

    installed = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--target",
                    str(installed), str(wheel)], check=True, capture_output=True)
    env = {"PYTHONPATH": str(installed)}  # ahead of the checkout's editable install
    where = subprocess.run([sys.executable, "-c", "import safety_bulletins; print(safety_bulletins.__file__)"],
                           env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(installed), where
    project = example_project(tmp_path / "example")
    result = mkdocs(project, "build", "--strict", **env)
    assert result.returncode == 0, result.stderr
    built = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    shared = {p.relative_to(example_site): p.read_bytes() for p in example_site.rglob("*") if p.is_file()}
    assert sorted(built) == sorted(shared)
    assert [str(name) for name in built if built[name] != shared[name]] == []


def test_chinese_headings_keep_readable_anchors(example_site):
    site = example_site
    page = (site / "bulletins/2025/2025-03-18-安全生产月度例会纪要/index.html").read_text(encoding="utf-8")
    # "## 一、2月份安全生产情况" and so on: the characters kept, the punctuation dropped (not "_1")
    assert re.findall(r'<h2 id="([^"]+)"', page) == ["一2月份安全生产情况", "二会议议定事项", "三下一步工作要求"]
