"""The site's own settings, under `extra: bulletins:` in mkdocs.yml, read with one schema.

    extra:
      bulletins:
        audience: public   # public | internal (default) | restricted
        time_zone: Asia/Shanghai   # the meetings' times in the calendars, and whose today the as-of date is (IANA)
        search: pagefind   # pagefind (default: served builds; the offline copy keeps lunr) | material (lunr)
        due_soon_days: 7   # a deadline this many days ahead or fewer is "due soon" (default 7)
        upcoming_days: 30  # ... then "upcoming" up to this many days (default 30), then "later"

The schema is MkDocs' (config_options), so it is imported only when a setting is read:
by the hook in a build, and by `bulletins verify` and `bulletins due`, which read
mkdocs.yml with MkDocs' own YAML loader (it has `!ENV` and Python tags).
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..model import CLASSIFICATIONS, DEFAULT_TIME_ZONE, DueWindows, Problem
from ..sources.project import DEFAULT_AUDIENCE

SECTION = "bulletins"  # the key under `extra:`


class SettingsError(ValueError):
    """mkdocs.yml holds a setting this site cannot use; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    audience: str = DEFAULT_AUDIENCE
    directory_urls: bool = True  # MkDocs' use_directory_urls (read only from mkdocs.yml)
    time_zone: str = DEFAULT_TIME_ZONE  # where the meetings of notices take place; its today is the as-of date
    site_url: str | None = None  # MkDocs' site_url: full links in `bulletins digest` (read only from mkdocs.yml)
    site_name: str = ""  # MkDocs' site_name: the feeds' titles and ids (read only from mkdocs.yml)
    language: str = "en"  # theme.language (read only from mkdocs.yml)
    search: str = "pagefind"  # who answers the search box on a served build (outputs/pagefind.py)
    windows: DueWindows = DueWindows()  # the bucket rule's thresholds (due_soon_days, upcoming_days)


# What the message of a wrong value shows as a right one
_EXAMPLES = {"audience": DEFAULT_AUDIENCE, "time_zone": DEFAULT_TIME_ZONE, "search": "pagefind",
             "due_soon_days": DueWindows.due_soon, "upcoming_days": DueWindows.upcoming}
MAX_WINDOW_DAYS = 366  # a "due soon" of more than a year would say nothing
SEARCH_ENGINES = ("material", "pagefind")


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(name: object) -> str | None:
    """Why `name` is not an IANA time zone this machine knows (None if it is one). Looked up
    in the list of zones, never opened as a path: the value is not trusted."""
    if not isinstance(name, str):
        return f"must be the name of a time zone such as '{DEFAULT_TIME_ZONE}', not {name!r}"
    if name not in _time_zones():
        close = difflib.get_close_matches(name[:100], sorted(_time_zones()), n=1)
        return f"{name[:100]!r} is not a time zone of the IANA tz database" + (
            f" (did you mean '{close[0]}'?)" if close else "")
    return None


@functools.cache
def _schema():
    from mkdocs.config import base, config_options as c

    class TimeZone(c.BaseConfigOption[str]):
        def __init__(self):
            super().__init__()
            self.default = DEFAULT_TIME_ZONE

        def run_validation(self, value: object) -> str:
            if (problem := time_zone_problem(value)) is not None:
                raise c.ValidationError(problem)
            return value

    class BulletinSettings(base.Config):
        # Who the build is for: it leaves out bulletins classified above this.
        audience = c.Choice(CLASSIFICATIONS, default=DEFAULT_AUDIENCE)
        # Where the meetings of notices take place: their times in the calendars (outputs/calendars.py).
        time_zone = TimeZone()
        # Pagefind's chunks, fetched as a query needs them (served builds; the offline copy cannot
        # fetch them and keeps lunr), or Material's lunr index, downloaded whole by every reader
        search = c.Choice(SEARCH_ENGINES, default="pagefind")
        # The bucket rule's thresholds (model.DueWindows): due soon up to this many days ahead,
        # then upcoming; the build's buckets and live.js on the reader's day both use them
        due_soon_days = c.Type(int, default=DueWindows.due_soon)
        upcoming_days = c.Type(int, default=DueWindows.upcoming)

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
        raise SettingsError(f"{where} {name}: {error}; write e.g. '{name}: {_EXAMPLES.get(name, DEFAULT_AUDIENCE)}'")
    return Settings(audience=config["audience"], time_zone=config["time_zone"], search=config["search"],
                    windows=_windows(where, config["due_soon_days"], config["upcoming_days"]))


def _windows(where: str, due_soon: int, upcoming: int) -> DueWindows:
    """The bucket rule's thresholds: whole days, due soon first (yes/no is not a number of days)."""
    for name, days in (("due_soon_days", due_soon), ("upcoming_days", upcoming)):
        if isinstance(days, bool) or not 1 <= days <= MAX_WINDOW_DAYS:
            raise SettingsError(f"{where} {name}: {days!r} is not a number of days from 1 to {MAX_WINDOW_DAYS}; "
                                f"write e.g. '{name}: {_EXAMPLES[name]}'")
    if upcoming < due_soon:
        raise SettingsError(f"{where} upcoming_days ({upcoming}) is shorter than due_soon_days ({due_soon}); "
                            "'upcoming' is the time after 'due soon': write e.g. 'due_soon_days: 7' and "
                            "'upcoming_days: 30'")
    return DueWindows(due_soon, upcoming)


_MARKUP = re.compile(r'[<>"\x00-\x1f\x7f-\x9f]')


def site_name_problem(config_file: Path, site_name: object) -> Problem | None:
    """Why `site_name` cannot be the site's name, if it cannot: Material writes it unescaped into
    every page (the header, <title>, an aria-label attribute), so markup in it would run on
    every page. Refused, not escaped here: other plugins and themes print it too."""
    if not isinstance(site_name, str) or not (found := _MARKUP.search(site_name)):
        return None
    line = next((n for n, text in enumerate(_lines(config_file), 1) if text.startswith("site_name:")), 1)
    what = "a line break or control character" if found[0] not in '<>"' else "markup characters (<, > or \")"
    return Problem(config_file, line, f"site_name {site_name[:60]!r} holds {what}, which the theme prints "
                   "unescaped on every page", "Write the name as plain text, e.g. 'site_name: 安全生产公报' "
                   "(& and ' are fine).")


# Markdown extensions that put other files into a page, by module. What they include is read past
# every check of what a page may publish (drafts, hidden bulletins, files outside bulletins/):
# `--8<-- "bulletins/2026/<draft>.md"` or `--8<-- ".git/config"` would be published as the page's text.
FILE_INCLUDING_EXTENSIONS = {
    "pymdownx.snippets": "it copies any file of the checkout into the page (--8<-- \"path\")",
    "pymdownx.b64": "it embeds image files read from disk into the page, '../' paths included",
    "markdown_include": "it copies files into the page ({!path!})",  # markdown-include: markdown_include.include
    "mdx_include": "it copies files and URLs into the page ({! path !})",
}


def file_including_extension_problem(config_file: Path, extensions) -> Problem | None:
    """Why the site may not render with these Markdown extensions (names as mkdocs.yml gives them,
    `module:Class` too, or extension objects), if one of them includes files."""
    for extension in extensions:
        module = extension.partition(":")[0] if isinstance(extension, str) else type(extension).__module__
        known = next((k for k in FILE_INCLUDING_EXTENSIONS if module == k or module.startswith(f"{k}.")), None)
        if known is None:
            continue
        name = extension if isinstance(extension, str) else module
        mention = re.compile(rf"(?<![\w.]){re.escape(name.partition(':')[0])}(?![\w])")
        line = next((n for n, text in enumerate(_lines(config_file), 1)
                     if mention.search(text) and not text.lstrip().startswith("#")), 1)
        return Problem(config_file, line, f"the Markdown extension '{name}' includes files in pages: "
                       f"{FILE_INCLUDING_EXTENSIONS[known]}, so a bulletin could publish a draft, a hidden "
                       "bulletin or any file of the checkout past the checks of what is published",
                       f"Remove '{name}' from markdown_extensions in mkdocs.yml; link to a published bulletin "
                       "or attach the file (attachments: in the bulletin's front matter) instead.")
    return None


def _lines(config_file: Path) -> list[str]:
    try:
        return config_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


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
    site_name = config.get("site_name")
    if (problem := site_name_problem(config_file, site_name)) is not None:
        raise SettingsError(str(problem))
    return Settings(settings.audience, config.get("use_directory_urls", True) is not False,
                    time_zone=settings.time_zone, site_url=_site_url(config.get("site_url"), config_file),
                    site_name=site_name if isinstance(site_name, str) else "",
                    language=language if isinstance(language, str) else "en", search=settings.search,
                    windows=settings.windows)


def _site_url(value: object, config_file: Path) -> str | None:
    """site_url as MkDocs gives it to the build (with its trailing slash, scheme in lower
    case), so the digest and `bulletins verify` make the links the build made."""
    from mkdocs.config import config_options as c

    if value is None or value == "":  # MkDocs' own test: "  " is kept (and is no http address)
        return None
    try:
        return c.URL(is_dir=True).validate(value)
    except c.ValidationError as exc:
        raise SettingsError(f"{config_file}: site_url: {exc}") from None
