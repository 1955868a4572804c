"""Where each page of the site lives: source paths and the URLs they are served at."""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass

from ..model import Attachment, Bulletin

UNITS_INDEX = "units/index.md"
REGISTER = "directives/index.md"
ARCHIVE_INDEX = "archive/index.md"
HOME = "index.md"
DASHBOARD = "dashboard/index.md"
EXPORT_JSON = "directives.json"
EXPORT_CSV = "directives.csv"  # the same, for Excel (outputs/spreadsheet.py)
LIVE_SCRIPT = "assets/safety-bulletins/live.js"  # re-evaluates deadlines in the reader's browser
SITE_FEED = "feeds/all.xml"  # Atom: every bulletin (outputs/feeds.py)
# Material's script fetches `sitemap.xml` next to every <link rel="alternate"> of a page (it
# takes them for other-language versions of the site): an empty one beside the feeds answers
# it, instead of a 404 on every page view.
FEED_SITEMAPS = ("feeds/sitemap.xml", "feeds/units/sitemap.xml", "feeds/types/sitemap.xml")
EMPTY_SITEMAP = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n'

CALENDAR_ALL = "calendar/all.ics"  # every open directive and meeting (outputs/calendars.py)
FILTER_SCRIPT = "assets/safety-bulletins/filter.js"  # filters the rows of a listing, from the URL
SEARCH_WORKER = "assets/safety-bulletins/search.js"  # answers Material's search box from Pagefind (outputs/pagefind.py)
SEARCH_FILTERS_SCRIPT = "assets/safety-bulletins/search-filters.js"  # the filters beside the box, with Pagefind
SEARCH_FILTERS = "assets/safety-bulletins/search-filters.json"  # what they offer (pagefind.filter_choices)
# What the site was built for (as-of date, audience, offline copy) and with: `bulletins verify` rebuilds from it
BUILD_RECORD = "assets/safety-bulletins/build.json"
SEARCH_INDEX = "search/search_index.json"  # Material's search plugin's (lunr), rewritten as UTF-8 (search_index.py)
PAGEFIND_FOLDER = "pagefind"  # Pagefind's index, written after the pages (outputs/pagefind.py)


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
    parts: str | None = None  # how `verify` names a difference inside it: rows, events or entries
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
    Output(UNITS_INDEX, "the units, with their counts", "listing_files"),
    Output("units/**.md", "a page per unit (`units/<id>/<n>.md`: its further pages)", "listing_files"),
    Output(REGISTER, "the register of all directives", "listing_files"),
    Output(ARCHIVE_INDEX, "the archive", "listing_files"),
    Output("archive/*.md", "a page per year and per bulletin type", "listing_files"),
    Output(DASHBOARD, "the dashboard (SVG charts)", "listing_files"),
    Output(LIVE_SCRIPT, "recounts deadlines in the reader's browser", "script_files"),
    Output(SITE_FEED, "Atom feed of every bulletin", "feed_files", parts="entries"),
    Output("feeds/units/*.xml", "Atom feed per unit", "feed_files", parts="entries"),
    Output("feeds/types/*.xml", "Atom feed per bulletin type", "feed_files", parts="entries"),
    *(Output(path, "an empty sitemap beside the feeds (Material asks for it)", "feed_sitemap_files")
      for path in FEED_SITEMAPS),
    Output(EXPORT_JSON, "every directive as JSON, one a line", "export_files"),
    Output(EXPORT_CSV, "every directive for Excel", "export_files", parts="rows"),
    Output(CALENDAR_ALL, "iCalendar: every open directive and meeting", "export_files", parts="events"),
    Output("calendar/*.ics", "iCalendar per unit", "export_files", parts="events"),
    Output(FILTER_SCRIPT, "filters a listing's rows from the URL", "script_files"),
    Output(BUILD_RECORD, "what the site was built for and with (`bulletins verify`)", "build_record_files"),
    Output(SEARCH_WORKER, "answers Material's search box from Pagefind", "script_files", search="pagefind"),
    Output(SEARCH_FILTERS_SCRIPT, "the filters beside the search box", "script_files", search="pagefind"),
    Output(SEARCH_FILTERS, "what the search filters offer", "search_filter_files", search="pagefind"),
    Output(PAGEFIND_FOLDER + "/**", "Pagefind's index", None, by="pagefind", search="pagefind"),
    # with Pagefind too, empty: Material's box fetches it before it starts the worker Pagefind answers through
    Output(SEARCH_INDEX, "Material's search index (lunr)", None, by="search"),
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


def bulletin_src(bulletin: Bulletin) -> str:
    return f"bulletins/{bulletin.rel_path}"


def attachment_src(bulletin: Bulletin, attachment: Attachment) -> str:
    folder = posixpath.dirname(bulletin_src(bulletin))
    return posixpath.normpath(posixpath.join(folder, attachment.path))


def unit_src(unit_id: str) -> str:
    return f"units/{unit_id}.md"


def calendar_src(unit_id: str) -> str:
    return f"calendar/{unit_id}.ics"  # `all` is no unit's id: it cannot take CALENDAR_ALL's place


def year_src(year: int) -> str:
    return f"archive/{year}.md"


def type_src(bulletin_type: str) -> str:
    return f"archive/{bulletin_type}.md"


def unit_feed_src(unit_id: str) -> str:
    return f"feeds/units/{unit_id}.xml"


def type_feed_src(bulletin_type: str) -> str:
    return f"feeds/types/{bulletin_type}.xml"


def dest_path(src_uri: str, directory_urls: bool) -> str:
    """The file MkDocs writes for a source file (the rule of mkdocs.structure.files)."""
    if not src_uri.endswith(".md"):
        return src_uri
    folder, name = posixpath.split(src_uri[: -len(".md")])
    if name in ("index", "README"):
        return posixpath.join(folder, "index.html")
    if directory_urls:
        return posixpath.join(folder, name, "index.html")
    return posixpath.join(folder, name + ".html")


@functools.lru_cache(maxsize=None)  # pure, and asked for every link of every listing
def url_for(src_uri: str, directory_urls: bool) -> str:
    """The site-relative URL MkDocs gives a source file."""
    dest = dest_path(src_uri, directory_urls)
    if directory_urls and src_uri.endswith(".md"):
        folder, name = posixpath.split(dest)
        return (folder or ".") + "/"
    return dest


def same_output(sources: list[str], directory_urls: bool) -> list[tuple[str, str, str]]:
    """(output, first source, second source) for each output path two sources would both write:
    as the same file, or as a file and a folder (a file `x` beside the page `x/index.html`)."""
    first: dict[str, str] = {}
    clashes = []
    for src_uri in sources:
        dest = dest_path(src_uri, directory_urls)
        if first.setdefault(dest, src_uri) != src_uri:
            clashes.append((dest, first[dest], src_uri))
    folders: dict[str, str] = {}  # each folder an output is written in, and the first source that needs it
    for dest, src_uri in first.items():
        parts = dest.split("/")
        for n in range(1, len(parts)):
            folders.setdefault("/".join(parts[:n]), src_uri)
    clashes += [(dest, folders[dest], src_uri) for dest, src_uri in first.items() if dest in folders]
    return clashes


def root_of(here_url: str) -> str:
    """The relative way up from a page to the site's root: '' for the home page, '../../' for units/energy/."""
    folder = here_url if here_url.endswith("/") else posixpath.dirname(here_url)
    return "../" * len([part for part in folder.split("/") if part not in ("", ".")])


class Links:
    """Relative links from one page to the others (up to the root, then down), so the site
    works under any sub-path and from file://. `root` may be a placeholder that a page
    replaces later: rows shared by many listing pages are rendered once that way."""

    def __init__(self, here_src: str | None, directory_urls: bool, root: str | None = None):
        self.directory_urls = directory_urls
        self.root = root if root is not None else root_of(url_for(here_src, directory_urls))

    def page(self, src_uri: str, anchor: str = "") -> str:
        url = url_for(src_uri, self.directory_urls)
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
