"""The package's layers import only downward and only the MkDocs adapter imports MkDocs
(the contracts in pyproject.toml, [tool.importlinter]), checked with import-linter."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess:
    """lint-imports over the package under `root`/src with the contracts of `root`/pyproject.toml."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)


def test_the_package_keeps_its_layers():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("sources/project.py", "from ..outputs import site", "Layers import only downward"),  # once an arrow up
    ("outputs/render.py", "from ..site_build.history import History", "Layers import only downward"),
    ("outputs/site.py", "import mkdocs.structure.files", "Only the adapter imports MkDocs"),
    ("site_build/settings.py", "from mkdocs.config import config_options", "Only the adapter imports MkDocs"),
])
def test_an_upward_import_or_mkdocs_outside_the_adapter_breaks_a_contract(tmp_path, module, line, broken):
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    path = tmp_path / "src" / "safety_bulletins" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = lint(tmp_path)
    assert result.returncode == 1 and f"{broken} BROKEN" in result.stdout, result.stdout + result.stderr
