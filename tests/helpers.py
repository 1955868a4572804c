"""Shared test material: fixture bulletins, a site configuration, and real `mkdocs` runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"

UNITS_YML = """\
- id: safety-env
  name: Safety and Environmental Protection Department
  aliases: [安全环保部]
- id: property
  name: Property Management Company
  aliases: [物业公司]
- id: energy
  name: Energy Company
  aliases: [能源公司]
- id: filling-stations
  name: Filling Stations
  parent: energy
"""

MEETING_MD = """\
---
title: Special meeting on production safety
date: 2021-05-25
type: minutes
issuer: safety-env
number: CIG-Safety〔2021〕7号
presided_by: Ju Baoqing
attendees: [Lian Feipeng, Wang Jianmin]
---
The meeting was held.

/// directive | Full-coverage investigation of hidden dangers
    id: CIG-2021-05-2
    units: [all]
    support: [safety-env]
    owner: Wang Jianmin
    deadline: 2021-06-30
    grade: major

Horizontal to the edge and vertical to the end.
///

/// directive
    units: 物业公司
    deadline: ongoing

Keep the emergency plans current. Review them each quarter.
///
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")
    return root


SITE_YML = f"""\
site_name: Test bulletins
site_url: http://intranet.test/safety/
docs_dir: docs
theme:
  name: material
  font: false
nav:
  - Home: index.md
  - Units: units/index.md
  - Directives: directives/index.md
  - Archive: archive/index.md
hooks:
  - {REPO / "hooks" / "bulletins.py"}
plugins:
  - search
markdown_extensions:
  - tables
  - pymdownx.superfences
  - pymdownx.blocks.admonition
  - toc:
      permalink: true
"""


def mkdocs(project: Path, *args: str, as_of: str = AS_OF, tool: str = "mkdocs", **env: str) -> subprocess.CompletedProcess:
    """Run MkDocs (or its fork ProperDocs) on a project, with a fixed as-of date."""
    env = {**os.environ, "BULLETINS_TODAY": as_of, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true", **env}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [sys.executable, "-m", tool, *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )


def build(project: Path, as_of: str = AS_OF, site: str = "site", tool: str = "mkdocs") -> Path:
    result = mkdocs(project, "build", "--site-dir", site, as_of=as_of, tool=tool)
    assert result.returncode == 0, result.stderr
    return project / site
