"""The one module of the package that imports MkDocs: `bulletins check` (and `verify`) read the
site's Markdown configuration from mkdocs.yml as MkDocs reads it, so that bulletins are judged
on the HTML the build will make. The build's hook passes its configuration directly."""

from __future__ import annotations

import os
from pathlib import Path

from .site_build.rendering import CACHE_FOLDER, Judge, MarkdownConfig


class ConfigError(Exception):
    """mkdocs.yml cannot be read; the message says why."""


def markdown_config(config_file: Path) -> MarkdownConfig:
    """mkdocs.yml's `markdown_extensions` with MkDocs' built-ins, and their options; the
    example site's if there is no mkdocs.yml."""
    if not config_file.is_file():
        return MarkdownConfig()
    # MkDocs and Material print banners about MkDocs 2 when imported: not for this command
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    try:
        config = load_config(str(config_file))
    except (MkDocsException, OSError) as exc:  # Abort (its errors logged above) included
        raise ConfigError(f"{config_file}: {exc}") from None
    return MarkdownConfig(tuple(config.markdown_extensions), dict(config.mdx_configs))


def judge_for(project_dir: Path) -> Judge:
    """What reads a project's links from its rendered pages: with its mkdocs.yml's Markdown
    configuration and the build's cache, or the example site's configuration (and no cache,
    nothing written) where there is no mkdocs.yml."""
    config_file = project_dir / "mkdocs.yml"
    return Judge(markdown_config(config_file), project_dir / CACHE_FOLDER if config_file.is_file() else None)
