"""The site's own settings, under `extra: bulletins:` in mkdocs.yml, read with one schema.

    extra:
      bulletins:
        audience: public   # public | internal (default) | restricted

The schema is MkDocs' (config_options), so it is imported only when a setting is read:
by the hook in a build, and by `bulletins verify` and `bulletins due`, which read
mkdocs.yml with MkDocs' own YAML loader (it has `!ENV` and Python tags).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..model import CLASSIFICATIONS
from ..sources.project import DEFAULT_AUDIENCE

SECTION = "bulletins"  # the key under `extra:`


class SettingsError(ValueError):
    """mkdocs.yml holds a setting this site cannot use; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    audience: str = DEFAULT_AUDIENCE
    directory_urls: bool = True  # MkDocs' use_directory_urls (read only from mkdocs.yml)
    site_url: str | None = None  # MkDocs' site_url: full links in `bulletins digest` (read only from mkdocs.yml)
    language: str = "en"  # theme.language (read only from mkdocs.yml)


@functools.cache
def _schema():
    from mkdocs.config import base, config_options as c

    class BulletinSettings(base.Config):
        # Who the build is for: it leaves out bulletins classified above this.
        audience = c.Choice(CLASSIFICATIONS, default=DEFAULT_AUDIENCE)

    return BulletinSettings


def bulletin_settings(extra: object) -> Settings:
    """The settings from the `extra` mapping of mkdocs.yml. A wrong value, or a name the
    schema does not know (a misspelt `audience` would build for the default audience), is
    an error: a build for the wrong audience publishes what it must not."""
    where = f"mkdocs.yml: extra: {SECTION}:"
    section = extra.get(SECTION) if isinstance(extra, Mapping) else None  # MkDocs' extra is a UserDict
    if section is None:
        return Settings()
    if not isinstance(section, Mapping):
        raise SettingsError(f"{where} must hold settings such as 'audience: internal', not {section!r}")
    config = _schema()()
    config.load_dict(dict(section))
    failed, warnings = config.validate()
    unknown = sorted(set(section) - {name for name, _ in config._schema})
    if unknown:
        raise SettingsError(f"{where} unknown setting '{unknown[0]}'; the settings are: "
                            + ", ".join(name for name, _ in config._schema))
    if failed:
        name, error = failed[0]
        raise SettingsError(f"{where} {name}: {error}; write e.g. '{name}: {DEFAULT_AUDIENCE}'")
    return Settings(audience=config["audience"])


def read_settings(config_file: Path) -> Settings:
    """The settings of the project whose mkdocs.yml is `config_file` (defaults without one)."""
    if not config_file.is_file():
        return Settings()
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(config_file, encoding="utf-8") as stream:
            config = yaml_load(stream) or {}
    except Exception as exc:  # noqa: BLE001 - any YAML or tag error: say where
        raise SettingsError(f"{config_file}: cannot be read: {exc}") from None
    if not isinstance(config, dict):
        raise SettingsError(f"{config_file}: is not a mapping of settings")
    settings = bulletin_settings(config.get("extra"))
    theme = config.get("theme")
    language = theme.get("language") if isinstance(theme, dict) else None
    site_url = config.get("site_url")
    return Settings(settings.audience, config.get("use_directory_urls", True) is not False,
                    site_url if isinstance(site_url, str) and site_url.strip() else None,
                    language if isinstance(language, str) else "en")
