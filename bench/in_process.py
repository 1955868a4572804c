"""`mkdocs build` in this process as the command runs it, for the benches that time or profile a build
from inside (critical_path.py, event_times.py, profile_build.py)."""

from __future__ import annotations

from mkdocs.commands.build import build
from mkdocs.config import load_config


def mkdocs_build(config_file: str = "mkdocs.yml") -> None:
    config = load_config(config_file)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
