"""The site's own settings, under `extra: bulletins:` in mkdocs.yml, as plain data.

    extra:
      bulletins:
        audience: public   # public | internal (default) | restricted
        time_zone: Asia/Shanghai   # the meetings' times in the calendars, and whose today the as-of date is (IANA)
        search: pagefind   # pagefind (default: served builds; the offline copy keeps lunr) | material (lunr)
        due_soon_days: 7   # a deadline this many days ahead or fewer is "due soon" (default 7)
        upcoming_days: 30  # ... then "upcoming" up to this many days (default 30), then "later"
        immediately_days: 3  # a deadline written 立即 / immediately is due this many days after its bulletin (default 3)

The schema is MkDocs' (config_options): it is declared in the package's MkDocs adapter
(mkdocs_adapter/config.py, BulletinsConfig), which reads mkdocs.yml for the build and for the
commands alike; here are the settings as plain data and the checks that need no MkDocs.
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from ..model import DEFAULT_TIME_ZONE, DueWindows, Problem
from ..sources.project import DEFAULT_AUDIENCE

SECTION = "bulletins"  # the key under `extra:`


class SettingsError(ValueError):
    """mkdocs.yml holds a setting this site cannot use; the message says which and how to fix it.
    `problem`: the same at its line of mkdocs.yml, for a report of problems (`bulletins check`)."""

    def __init__(self, message: str, problem: Problem | None = None):
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class Settings:
    """The settings of `extra: bulletins:` (a field for each option of mkdocs_adapter's BulletinsConfig,
    of the same name), and what the commands read of MkDocs' own."""

    audience: str = DEFAULT_AUDIENCE
    directory_urls: bool = True  # MkDocs' use_directory_urls (read only from mkdocs.yml)
    time_zone: str = DEFAULT_TIME_ZONE  # where the meetings of notices take place; its today is the as-of date
    site_url: str | None = None  # MkDocs' site_url: full links in `bulletins digest` (read only from mkdocs.yml)
    site_name: str = ""  # MkDocs' site_name: the feeds' titles and ids (read only from mkdocs.yml)
    language: str = "en"  # theme.language (read only from mkdocs.yml)
    docs_dir: str = "docs"  # MkDocs' docs_dir, relative to the configuration file (read only from it)
    search: str = "pagefind"  # who answers the search box on a served build (outputs/pagefind.py)
    due_soon_days: int = DueWindows.due_soon  # the bucket rule: due soon up to this many days ahead,
    upcoming_days: int = DueWindows.upcoming  # then upcoming up to this many, then later
    immediately_days: int = DueWindows.immediately  # 立即: due so many days after the bulletin's date
    # processes a build uses beside its own: "auto" (render workers, one a core, and the outputs made
    # beside the page loop), or a number of render workers; 0 is the one-process build
    workers: int | str = "auto"

    @property
    def worker_count(self) -> int | None:
        """The render workers asked for (None: one a core)."""
        return None if self.workers == "auto" else self.workers

    @property
    def windows(self) -> DueWindows:
        return DueWindows(self.due_soon_days, self.upcoming_days, self.immediately_days)


SEARCH_ENGINES = ("material", "pagefind")
MAX_WORKERS = 256
MAX_WINDOW_DAYS = 366  # a "due soon" of more than a year would say nothing


def window_problem(days: object) -> str | None:
    """Why `days` is not a bucket window (None if it is one): whole days, 1 to a year (yes/no is no number)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_WINDOW_DAYS:
        return f"{days!r} is not a number of days from 1 to {MAX_WINDOW_DAYS}"
    return None


def workers_problem(value: object) -> str | None:
    """Why `value` is not a number of worker processes (None if it is one): 'auto', or 0 to MAX_WORKERS."""
    if value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_WORKERS):
        return None
    return (f"{value!r} is not a number of worker processes: write 'auto' (one a core), a number up to "
            f"{MAX_WORKERS}, or 0 to build in one process")


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


_MARKUP = re.compile(r'[<>"\x00-\x1f\x7f-\x9f]')


def site_name_problem(config_file: Path, site_name: object) -> Problem | None:
    """Why `site_name` cannot be the site's name, if it cannot: Material writes it unescaped into
    every page (the header, <title>, an aria-label attribute), so markup in it would run on
    every page. Refused, not escaped here: other plugins and themes print it too."""
    if not isinstance(site_name, str) or not (found := _MARKUP.search(site_name)):
        return None
    line = next((n for n, text in enumerate(config_lines(config_file), 1) if text.startswith("site_name:")), 1)
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
        line = next((n for n, text in enumerate(config_lines(config_file), 1)
                     if mention.search(text) and not text.lstrip().startswith("#")), 1)
        return Problem(config_file, line, f"the Markdown extension '{name}' includes files in pages: "
                       f"{FILE_INCLUDING_EXTENSIONS[known]}, so a bulletin could publish a draft, a hidden "
                       "bulletin or any file of the checkout past the checks of what is published",
                       f"Remove '{name}' from markdown_extensions in mkdocs.yml; link to a published bulletin "
                       "or attach the file (attachments: in the bulletin's front matter) instead.")
    return None


def config_lines(config_file: Path) -> list[str]:
    """mkdocs.yml's lines, to find a setting's line for a message (none if it cannot be read)."""
    try:
        return config_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
