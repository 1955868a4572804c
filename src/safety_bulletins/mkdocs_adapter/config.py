"""mkdocs.yml as MkDocs reads it, for the build and for the commands alike: the site's own settings
(`extra: bulletins:`, declared as a MkDocs Config, BulletinsConfig) and its Markdown configuration,
so that `bulletins check`, `due`, `digest`, `publish` and `verify` judge and link bulletins as the
build does."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.utils.yaml import yaml_load

from ..model import CLASSIFICATIONS, DEFAULT_TIME_ZONE, DueWindows, Problem
from ..sources.project import DEFAULT_AUDIENCE
from ..site_build.rendering import Judge, MarkdownConfig, cache_dir_for
from ..site_build.settings import (SEARCH_ENGINES, SECTION, Settings, SettingsError,
                                   config_lines, file_including_extension_problem, site_name_problem,
                                   time_zone_problem, window_problem, workers_problem)

class Checked(c.BaseConfigOption):
    """A setting checked by the package's own rule for it (`problem`: what is wrong with a value, None
    if nothing), in that rule's words: an unknown time zone is looked up in the list, never opened as
    a path; a '10' or a 7.5 days is said as such, not as MkDocs' type error."""

    def __init__(self, problem: Callable[[object], str | None], default: object):
        super().__init__()
        self.problem = problem
        self.default = default

    def run_validation(self, value: object) -> object:
        if (problem := self.problem(value)) is not None:
            raise c.ValidationError(problem)
        return value


class BulletinsConfig(base.Config):
    """The site's settings, written under `extra: bulletins:` in mkdocs.yml (there, not under
    `plugins:`: the hook is no plugin entry, and the settings predate it)."""

    # Who the build is for: it leaves out bulletins classified above this.
    audience = c.Choice(CLASSIFICATIONS, default=DEFAULT_AUDIENCE)
    # Where the meetings of notices take place: their times in the calendars (outputs/calendars.py),
    # and whose today the as-of date is.
    time_zone = Checked(time_zone_problem, DEFAULT_TIME_ZONE)
    # Pagefind's chunks, fetched as a query needs them (served builds; the offline copy cannot
    # fetch them and keeps lunr), or Material's lunr index, downloaded whole by every reader
    search = c.Choice(SEARCH_ENGINES, default="pagefind")
    # The bucket rule's thresholds (model.DueWindows): due soon up to this many days ahead, then
    # upcoming; the build's buckets and live.js on the reader's day both use them. Their order
    # (upcoming no shorter than due soon) is checked by bulletins_config, which knows which the editor wrote.
    due_soon_days = Checked(window_problem, DueWindows.due_soon)
    upcoming_days = Checked(window_problem, DueWindows.upcoming)
    # 立即 / immediately: due this many days after the date of the bulletin (or follow-up) that says it
    immediately_days = Checked(window_problem, DueWindows.immediately)
    # Processes the build uses beside its own (render workers, the outputs made beside the page loop):
    # 'auto' (one render worker a core), a number, or 0: the one-process build (a build server that
    # must not fork; the build every parallel one is tested against, byte for byte)
    workers = Checked(workers_problem, "auto")


def bulletin_settings(extra: object, config_file: Path | None = None) -> Settings:
    """The settings from the `extra` mapping of mkdocs.yml, as plain data (bulletins_config)."""
    return settings_of(bulletins_config(extra, config_file))


def settings_of(config: BulletinsConfig) -> Settings:
    """Validated settings as plain data."""
    return Settings(**{name: config[name] for name in config})  # each setting a field of the same name


def bulletins_config(extra: object, config_file: Path | None = None) -> BulletinsConfig:
    """The settings from the `extra` mapping of mkdocs.yml, validated by BulletinsConfig. A wrong
    value, or a name the schema does not know (a misspelt `audience` would build for the default
    audience), is an error: a build for the wrong audience publishes what it must not. With
    `config_file`, the error is at its line of that file."""

    def refuse(key: str | None, message: str, hint: str) -> SettingsError:
        if config_file is None:
            return SettingsError(f"mkdocs.yml: extra: {SECTION}: {message}; {hint[0].lower()}{hint[1:-1]}")
        problem = Problem(config_file, _setting_line(config_file, key), f"extra: {SECTION}: {message}", hint)
        return SettingsError(str(problem), problem)

    section = extra.get(SECTION) if isinstance(extra, Mapping) else None  # MkDocs' extra is a UserDict
    if section is None:
        section = {}
    if not isinstance(section, Mapping):
        raise refuse(None, f"must hold settings such as 'audience: internal', not {section!r}",
                     "Write one setting a line below it, e.g. 'audience: internal'.")
    config = BulletinsConfig()
    defaults = dict(config)  # the schema's names, with their defaults: what a wrong value's message shows
    config.load_dict(dict(section))
    failed, _ = config.validate()  # its warnings name unknown keys: refused below
    unknown = sorted(set(map(str, section)) - set(defaults))
    if unknown:
        raise refuse(unknown[0], f"unknown setting '{unknown[0]}'",
                     "The settings are: " + ", ".join(defaults) + ".")
    if failed:
        name, error = failed[0]
        raise refuse(name, f"{name}: {error}", f"Write e.g. '{name}: {defaults[name]}'.")
    soon, upcoming = config["due_soon_days"], config["upcoming_days"]
    if upcoming < soon:  # 'upcoming' is the time after 'due soon': blame the setting the editor wrote
        if "upcoming_days" in section:
            raise refuse("upcoming_days", f"upcoming_days ({upcoming}) is shorter than due_soon_days ({soon}); "
                         "'upcoming' is the time after 'due soon'",
                         f"Write 'upcoming_days: {soon}' or more, or a smaller due_soon_days.")
        raise refuse("due_soon_days", f"due_soon_days ({soon}) is longer than the default upcoming_days "
                     f"({upcoming})", f"Write 'upcoming_days: {soon}' or more, or a smaller due_soon_days.")
    return config


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


def judge_for(project_dir: Path, config_file: Path | None = None) -> Judge:
    """What reads a project's links from its rendered pages: with the Markdown configuration of its
    `config_file` (default: its mkdocs.yml; `INHERIT:` followed as MkDocs does) and the build's cache,
    or the example site's configuration (and no cache, nothing written) where there is no such file."""
    config_file = config_file if config_file is not None else project_dir / "mkdocs.yml"
    # the build's cache: the one of the folder of its configuration file, as the build's hook keeps it
    return Judge(markdown_config(config_file), cache_dir_for(config_file.parent) if config_file.is_file() else None)


def _setting_line(config_file: Path, key: str | None) -> int:
    """The line of `extra: bulletins: <key>:` in mkdocs.yml (of `bulletins:` under `extra:` without
    a key, or if not found; of `extra:` without `bulletins:`; 1 if there is no `extra:`)."""
    lines = config_lines(config_file)
    extra = next((n for n, text in enumerate(lines) if re.match(r"extra\s*:", text)), None)
    if extra is None:
        return 1
    start = None
    for n in range(extra + 1, len(lines)):
        text = lines[n]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if not text[0].isspace():
            break  # the next top-level key: extra: is over
        if re.match(rf"\s+{SECTION}\s*:", text):
            start = n
            break
    if start is None:
        return extra + 1
    indent = len(lines[start]) - len(lines[start].lstrip())
    found = start
    for n in range(start + 1, len(lines)):
        text = lines[n]
        if text.strip() and not text.lstrip().startswith("#"):
            if len(text) - len(text.lstrip()) <= indent:
                break
            if key is not None and re.match(rf"\s+['\"]?{re.escape(key)}['\"]?\s*:", text):
                found = n  # the last of a key written twice: the value YAML keeps
    return found + 1


def read_settings(config_file: Path) -> Settings:
    """The settings of the project whose mkdocs.yml is `config_file` (defaults without one)."""
    if not config_file.is_file():
        return Settings()
    try:
        with open(config_file, encoding="utf-8") as stream:
            config = yaml_load(stream) or {}
    except Exception as exc:  # noqa: BLE001 - any YAML or tag error: say where
        raise SettingsError(f"{config_file}: cannot be read: {exc}") from None
    if not isinstance(config, dict):
        raise SettingsError(f"{config_file}: is not a mapping of settings")
    settings = bulletin_settings(config.get("extra"), config_file)
    theme = config.get("theme")
    language = theme.get("language") if isinstance(theme, dict) else None
    site_name = config.get("site_name")
    if (problem := site_name_problem(config_file, site_name)) is not None:
        raise SettingsError(str(problem), problem)
    return dataclasses.replace(
        settings, directory_urls=config.get("use_directory_urls", True) is not False,
        site_url=_site_url(config.get("site_url"), config_file), site_name=site_name if isinstance(site_name, str) else "",
        language=language if isinstance(language, str) else "en",
        docs_dir=docs_dir if isinstance(docs_dir := config.get("docs_dir"), str) and docs_dir else "docs")


def _site_url(value: object, config_file: Path) -> str | None:
    """site_url as MkDocs gives it to the build (with its trailing slash, scheme in lower
    case), so the digest and `bulletins verify` make the links the build made."""
    if value is None or value == "":  # MkDocs' own test: "  " is kept (and is no http address)
        return None
    try:
        return c.URL(is_dir=True).validate(value)
    except c.ValidationError as exc:
        raise SettingsError(f"{config_file}: site_url: {exc}") from None
