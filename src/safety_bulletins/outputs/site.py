"""The files of the site: the registry of what the build makes (OUTPUTS), and relative links
between pages. Where each source goes and its URL is MkDocs' rule, handed down as a UrlRule."""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass

from ..model import Attachment, Bulletin

from ..sources.paths import (  # noqa: F401 - where each file of the site goes: the rule is in sources/paths.py
    UNITS_INDEX, REGISTER, ARCHIVE_INDEX, HOME, DASHBOARD, EXPORT_JSON, EXPORT_CSV, EXPORT_BY_UNIT_CSV, EXPORT_XLSX,
    EXPORT_SCHEMA, LIVE_SCRIPT, SITE_FEED,
    FEED_SITEMAPS, EMPTY_SITEMAP, CALENDAR_ALL, FILTER_SCRIPT, STYLESHEET, SEARCH_WORKER, SEARCH_FILTERS_SCRIPT,
    OFFLINE_WORKER_SHIM, OFFLINE_WORKER_FRAME, OFFLINE_WORKER_LICENSE,
    SEARCH_FILTERS, BUILD_RECORD, SEARCH_INDEX, PAGEFIND_FOLDER, bulletin_src, attachment_src, unit_src,
    calendar_src, year_src, type_src, unit_feed_src, type_feed_src, UrlRule, same_output,
)

@dataclass(frozen=True)
class Output:
    """A file, or a family of files, the site makes beyond the hand-written pages of docs/.

    Each is declared once, in OUTPUTS: the build asks its `maker` for the files, a dirty build
    cleans what the build no longer makes from its folder, `bulletins verify` compares it by
    its `parts`, and the listing of outputs (`bulletins outputs`... and the README) reads it."""

    # In the site, as a source path (pages end in .md): `*` is a part of one path segment (a unit,
    # a type, a page), `**` any number of segments
    path: str
    what: str
    # The SiteBuild method that gives its files, each a SourceFile; makers shared by several
    # entries (the exports are made from one making of their records) run once.
    maker: str | None
    by: str = "build"  # "build": a file of the MkDocs build; "pagefind": written after it; "search": Material's
    # "always": a dirty build remakes it every time; "changed": only when what it shows changed (stamps, dates)
    dirty: str = "always"
    # How `verify` names a difference inside it: rows (CSV), events (iCalendar), entries (Atom),
    # records (JSON, an object a line: the fields that differ), cells (a workbook: its sheet and cell)
    parts: str | None = None
    search: str | None = None  # made only when this engine answers the search box

    def matches(self, path: str) -> bool:
        return _pattern(self.path).fullmatch(path) is not None


@functools.lru_cache(maxsize=None)
def _pattern(path: str) -> re.Pattern:
    return re.compile(".+".join("[^/]+".join(map(re.escape, part.split("*"))) for part in path.split("**")))


# In the order MkDocs is given them (the order of the sitemap and of the search index).
OUTPUTS = (
    Output("bulletins/**.md", "a page per bulletin", "bulletin_files", dirty="changed"),
    Output("bulletins/**", "the bulletins' attachments, as their files", "attachment_files", dirty="changed"),
    Output(UNITS_INDEX, "the units, with their counts", "listing_files", dirty="changed"),
    Output("units/**.md", "a page per unit (`units/<id>/<n>.md`: its further pages)", "listing_files", dirty="changed"),
    Output(REGISTER, "the register of all directives", "listing_files", dirty="changed"),
    Output("directives/*.md", "the register's further pages (`directives/<n>.md`)", "listing_files", dirty="changed"),
    Output(ARCHIVE_INDEX, "the archive", "listing_files", dirty="changed"),
    Output("archive/*.md", "a page per year and per bulletin type", "listing_files", dirty="changed"),
    Output(DASHBOARD, "the dashboard (SVG charts)", "listing_files", dirty="changed"),
    Output(LIVE_SCRIPT, "recounts deadlines in the reader's browser", "script_files"),
    Output(SITE_FEED, "Atom feed of every bulletin", "feed_files", parts="entries"),
    Output("feeds/units/*.xml", "Atom feed per unit", "feed_files", parts="entries"),
    Output("feeds/types/*.xml", "Atom feed per bulletin type", "feed_files", parts="entries"),
    *(Output(path, "an empty sitemap beside the feeds (Material asks for it)", "feed_sitemap_files")
      for path in FEED_SITEMAPS),
    Output(EXPORT_JSON, "every directive as JSON, one a line", "export_files", parts="records"),
    Output(EXPORT_CSV, "every directive for Excel", "export_files", parts="rows"),
    Output(EXPORT_BY_UNIT_CSV, "each unit's share of every directive for Excel", "export_files", parts="rows"),
    Output(EXPORT_XLSX, "every directive as an Excel workbook (all, overdue, open by unit)", "export_files",
           parts="cells"),
    Output(EXPORT_SCHEMA, "the JSON Schema of directives.json", "export_files"),
    Output(CALENDAR_ALL, "iCalendar: every open directive and meeting", "export_files", parts="events"),
    Output("calendar/*.ics", "iCalendar per unit", "export_files", parts="events"),
    Output(FILTER_SCRIPT, "filters a listing's rows from the URL", "script_files"),
    Output(STYLESHEET, "styles the generated pages (the plugin adds it to extra_css)", "script_files"),
    Output(BUILD_RECORD, "what the site was built for and with (`bulletins verify`)", "build_record_files",
           parts="records"),
    Output(SEARCH_WORKER, "answers Material's search box from Pagefind", "script_files", search="pagefind"),
    Output(SEARCH_FILTERS_SCRIPT, "the filters beside the search box", "script_files", search="pagefind"),
    Output(SEARCH_FILTERS, "what the search filters offer", "search_filter_files", search="pagefind"),
    Output(PAGEFIND_FOLDER + "/**", "Pagefind's index", None, by="pagefind", search="pagefind"),
    # with Pagefind too, empty: Material's box fetches it before it starts the worker Pagefind answers through
    Output(SEARCH_INDEX, "Material's search index (lunr)", None, by="search"),
    # (the offline copy searches with Material's search: its worker runs in this shim on file://)
    Output(OFFLINE_WORKER_SHIM, "the Web Worker shim of the offline copy (the plugin puts it in place of the CDN's)",
           "script_files", search="material"),
    Output(OFFLINE_WORKER_FRAME, "the script the shim loads into each worker's frame", "script_files",
           search="material"),
    Output(OFFLINE_WORKER_LICENSE, "the shim's licence (iframe-worker, MIT)", "script_files", search="material"),
)


def output_at(path: str) -> Output | None:
    """The registered output a path of the site belongs to, exact paths before patterns."""
    exact = next((o for o in OUTPUTS if o.path == path), None)
    return exact or next((o for o in OUTPUTS if o.matches(path)), None)


def makers(search: str) -> list[str]:
    """The makers of this build's files (search: the engine that answers the box), each once, in order."""
    return list(dict.fromkeys(o.maker for o in OUTPUTS if o.maker and o.search in (None, search)))


# The folders of the site that only the build writes (beside what editors put there from docs/,
# which the build lists too): a dirty build deletes from them every file it no longer makes
# (site_build/incremental.py), or a removed unit's calendar or feed would go on showing what it showed.
def _generated_folders() -> tuple[str, ...]:
    folders = {posixpath.dirname(o.path.split("*")[0]) for o in OUTPUTS if o.by == "build"} - {""}
    return tuple(sorted(f for f in folders if not any(f.startswith(other + "/") for other in folders)))


GENERATED_FOLDERS = _generated_folders()


def unmade(search: str) -> list[str]:
    """Paths (files, or folders as `folder/**`) of outputs written beside the build's files (by
    another tool) that a build answered by `search` does not make: a dirty build removes them."""
    return [o.path.removesuffix("/**") for o in OUTPUTS if o.by != "build" and o.search not in (None, search)]


def root_of(here_url: str) -> str:
    """The relative way up from a page to the site's root: '' for the home page, '../../' for units/energy/."""
    folder = here_url if here_url.endswith("/") else posixpath.dirname(here_url)
    return "../" * len([part for part in folder.split("/") if part not in ("", ".")])


class Links:
    """Relative links from one page to the others (up to the root, then down), so the site
    works under any sub-path and from file://. `root` may be a placeholder that a page
    replaces later: rows shared by many listing pages are rendered once that way."""

    def __init__(self, here_src: str | None, urls: UrlRule, root: str | None = None):
        self.urls = urls
        self.root = root if root is not None else root_of(urls.url(here_src))

    def page(self, src_uri: str, anchor: str = "") -> str:
        url = self.urls.url(src_uri)
        url = self.root + ("" if url == "./" else url) or "./"
        return f"{url}#{anchor}" if anchor else url

    def bulletin(self, bulletin: Bulletin) -> str:
        return self.page(bulletin_src(bulletin))

    def directive(self, directive) -> str:
        return self.page(bulletin_src(directive.bulletin), directive.id)

    def attachment(self, bulletin: Bulletin, attachment: Attachment) -> str:
        return self.page(attachment_src(bulletin, attachment))

    def unit(self, unit_id: str) -> str:
        return self.page(unit_src(unit_id))

    def year(self, year: int) -> str:
        return self.page(year_src(year))


_JSON_FOR_HTML = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"))


def web_json(text: str) -> str:
    """JSON text for the web: `<`, `>` and `&` as \\u escapes (in JSON they occur only inside
    strings), so that a page embedding the file cannot be made to close its script or start
    markup. str.replace: ten times faster than str.translate on megabytes."""
    for char, escape in _JSON_FOR_HTML:
        text = text.replace(char, escape)
    return text
