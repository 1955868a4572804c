"""The example site this repository ships builds, with every directive on its pages and in the export."""

import json
import shutil

from conftest import REPO, build

from safety_bulletins.project import load_project


def test_example_site_builds_with_every_directive(tmp_path):
    project = tmp_path / "example"
    project.mkdir()
    for name in ("mkdocs.yml", "docs", "bulletins", "hooks"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, project / name)
    site = build(project)
    expected = {d.id: b for b in load_project(REPO / "bulletins").published for d in b.directives}
    exported = {d["id"] for d in json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]}
    assert exported == set(expected)
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    for directive_id, bulletin in expected.items():
        page = site / "bulletins" / bulletin.rel_path.removesuffix(".md") / "index.html"
        assert f'id="{directive_id}"' in page.read_text(encoding="utf-8")
        assert f'#{directive_id}"' in register
