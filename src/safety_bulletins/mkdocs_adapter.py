"""The one module of the package that imports MkDocs: `bulletins check` (and `verify`) read the
site's Markdown configuration from mkdocs.yml as MkDocs reads it, so that bulletins are judged
on the HTML the build will make. The build's hook passes its configuration directly."""

from __future__ import annotations

import copy
import os
from pathlib import Path

from .model import Problem
from .site_build.rendering import Judge, MarkdownConfig, cache_dir_for
from .site_build.settings import file_including_extension_problem


class ConfigError(Exception):
    """mkdocs.yml cannot be read, or is refused; the message says why. `problem`: the refusal, at
    its line of mkdocs.yml, for a report of problems."""

    def __init__(self, message: str, problem: Problem | None = None):
        super().__init__(message)
        self.problem = problem


def markdown_config(config_file: Path) -> MarkdownConfig:
    """mkdocs.yml's `markdown_extensions` with MkDocs' built-ins, and their options, read and
    checked by MkDocs' own YAML loader and option (only that option: a checkout without docs/
    or another machine's paths still has its Markdown configuration); the example site's if
    there is no mkdocs.yml."""
    if not config_file.is_file():
        return MarkdownConfig()
    # MkDocs and Material print banners about MkDocs 2 when imported: not for this command
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    from mkdocs.config.base import ValidationError
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import MkDocsException
    from mkdocs.utils.yaml import yaml_load

    option = copy.deepcopy(dict(MkDocsConfig._schema)["markdown_extensions"])
    configs = MkDocsConfig(config_file_path=str(config_file))
    try:
        with config_file.open("rb") as stream:
            raw = yaml_load(stream) or {}
        option.pre_validation(configs, "markdown_extensions")
        extensions = option.validate(raw.get("markdown_extensions") if isinstance(raw, dict) else None)
        option.post_validation(configs, "markdown_extensions")
    except (MkDocsException, ValidationError, OSError) as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a YAML error, an extension that fails to load: said, not a traceback
        raise ConfigError(f"{config_file}: {type(exc).__name__}: {exc}") from None
    if (problem := file_including_extension_problem(config_file, extensions)) is not None:
        raise ConfigError(str(problem), problem)
    return MarkdownConfig(tuple(extensions), dict(configs["mdx_configs"] or {}))


def judge_for(project_dir: Path) -> Judge:
    """What reads a project's links from its rendered pages: with its mkdocs.yml's Markdown
    configuration and the build's cache, or the example site's configuration (and no cache,
    nothing written) where there is no mkdocs.yml."""
    config_file = project_dir / "mkdocs.yml"
    return Judge(markdown_config(config_file), cache_dir_for(project_dir) if config_file.is_file() else None)
