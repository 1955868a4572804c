"""The package's one MkDocs adapter: the rest of the package imports no MkDocs, so that its logic
outlives MkDocs 1.x. `config`: mkdocs.yml read as MkDocs reads it (the site's settings schema, its
Markdown configuration), for the build and the commands; `plugin`: the build's events
(hooks/bulletins.py hands them over); `urls`: MkDocs' rule for where each file goes and its URL,
handed to the layers below as a `UrlRule`."""

import os

# MkDocs and Material print banners about MkDocs 2 when imported: not for the commands
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")

from .config import (BulletinsConfig, ConfigError, bulletin_settings, bulletins_config,  # noqa: E402
                     judge_for, markdown_config, read_settings)
from .urls import url_rule, url_rules  # noqa: E402

__all__ = ["BulletinsConfig", "ConfigError", "bulletin_settings", "bulletins_config", "judge_for", "markdown_config",
           "read_settings", "url_rule", "url_rules"]
