"""Where each page of the site lives: source paths and the URLs they are served at."""

from __future__ import annotations

import functools
import posixpath

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
# The folders of the site that only the build writes (beside what editors put there from docs/):
# a dirty build deletes from them every file it no longer makes (site_build/incremental.py), or
# a removed unit's calendar or feed would go on showing what it showed. One list for every use.
GENERATED_FOLDERS = tuple(dict.fromkeys(posixpath.dirname(src).split("/")[0] for src in (
    "bulletins/", UNITS_INDEX, REGISTER, ARCHIVE_INDEX, DASHBOARD, SITE_FEED, CALENDAR_ALL)))
# What the site was built for (as-of date, audience, offline copy) and with: `bulletins verify` rebuilds from it
BUILD_RECORD = "assets/safety-bulletins/build.json"


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
