"""What from the sources may reach the site: the one rule for files and the one for URLs.

Files: a regular file whose real path is inside its root (no link out, no FIFO or device),
neither hidden nor named like a bulletin where a plain file is meant. URLs: read as the URL
standard says a browser reads them, then only allowed schemes pass.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..model import Attachment, Bulletin

UNITS_FILE = "units.yml"  # at the top of the bulletins folder
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext")
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})  # and relative URLs
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))

# Files a browser opens as a page of the site (HTML, XML of any kind, SVG) or runs (scripts,
# style sheets, WebAssembly, plug-ins), by the last extension, as nginx (its mime.types, any
# case), Chromium from file:// and other web servers type them. Served from the site's own
# origin, their script would read and change everything the reader can on the intranet.
ACTIVE_SUFFIXES = frozenset({
    # HTML and server-side includes
    ".html", ".htm", ".shtml", ".shtm", ".xhtml", ".xht", ".mht", ".mhtml", ".hta", ".htc",
    # XML documents: any of them may hold XHTML with script, or an XSLT that makes a page
    ".xml", ".xsl", ".xslt", ".svg", ".svgz", ".atom", ".rss", ".rdf", ".xspf", ".kml", ".mml", ".wml", ".xbl",
    # scripts, style sheets, code and plug-ins
    ".js", ".mjs", ".cjs", ".css", ".wasm", ".swf", ".jnlp", ".webmanifest", ".appcache", ".manifest",
    # run by a web server where one is set up for them
    ".php", ".phtml", ".asp", ".aspx", ".jsp", ".cgi",
})
# In a file name, each breaks the link to it: the browser reads '?' and '#' as the start of a
# query or an anchor, '%' as an escape and '\\' as '/'; control characters cannot be in XML (feeds).
_URL_BREAKERS = frozenset("?#%\\")


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads in a URL (entities already decoded), lower case; None if relative.
    The URL standard trims C0 controls and spaces at the ends and drops tabs and newlines."""
    match = _SCHEME.match(_TAB_OR_NEWLINE.sub("", url).strip(_C0_AND_SPACE))
    return match.group(1).lower() if match else None


def browser_url(url: str) -> str:
    """The URL as a browser reads it (entities already decoded): C0 controls and spaces trimmed
    at the ends, tabs and newlines dropped, `\\` read as `/` (as in http(s) and relative URLs)."""
    return _TAB_OR_NEWLINE.sub("", url).strip(_C0_AND_SPACE).replace("\\", "/")


def other_host(url: str) -> bool:
    """Whether a URL (entities already decoded) leads to another host: an absolute one
    (`https://x`, `ftp:x`) or a scheme-relative one (`//x`, `/\\x`). The schemes the pages
    never keep (`javascript:`, `data:`...; see `disallowed_scheme`) and mailto/tel load nothing."""
    read = browser_url(url)
    scheme = url_scheme(read)
    if scheme is None:
        return read.startswith("//")
    return scheme in ("http", "https") or (scheme not in URL_SCHEMES and scheme not in _NOT_LOADED)


_NOT_LOADED = frozenset({"javascript", "vbscript", "data", "blob", "about"})  # removed, or nothing to fetch


def disallowed_scheme(url: str) -> str | None:
    """The scheme of a URL that may not reach a page (javascript, data, vbscript...), or None."""
    scheme = url_scheme(url)
    return scheme if scheme is not None and scheme not in URL_SCHEMES else None


def hidden_part(rel_path: str) -> bool:
    """A path below a root with a hidden file or folder in it (`.env`, `.git/config`)."""
    return any(part.startswith(".") for part in rel_path.split("/"))


def active_suffix(name: str) -> str | None:
    """The extension that makes a file a page or a script in the browser (lower case), or None.
    Trailing dots and spaces do not count: Windows drops them when the site is copied to a share."""
    suffix = os.path.splitext(name.rstrip(". "))[1].lower()
    return suffix if suffix in ACTIVE_SUFFIXES else None


def url_breaking_character(name: str) -> str | None:
    """A character of a file or folder name (as the file system has it) that breaks every link
    to the file: a control character, '?', '#', '%' or '\\' (shown as a Python literal), or None."""
    for char in name:
        if char in _URL_BREAKERS or ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            return repr(char)
    return None


def unsafe_file(path: Path, root: Path, plain: bool = False) -> str | None:
    """Why a file below `root` must not be read or published, or None. Checked without opening
    it (a FIFO would hang the reader), on where it really is (a link may point anywhere inside
    too: at a hidden file, or, for a `plain` file such as an attachment, at a bulletin)."""
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if real != real_root and not real.startswith(real_root + os.sep):
        return f"is a link to {real}, outside the {os.path.basename(real_root)} folder: nothing outside it is published"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "does not exist (a broken link?)" if os.path.islink(path) else "does not exist"
    except OSError as exc:  # a loop of links, a folder that cannot be entered
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device): only plain files are published"
    if real != os.path.abspath(path):
        inside = os.path.relpath(real, real_root).replace(os.sep, "/")
        if hidden_part(inside):
            return f"is a link to the hidden file {inside}, which is never published"
        if plain and os.path.splitext(real)[1].lower() in MARKDOWN_SUFFIXES:
            return f"is a link to the bulletin {inside}: link to the bulletin in the text instead"
    return None


def not_utf8_name(path: Path) -> bool:
    """A file name that is not UTF-8 (decoded by Python with surrogate escapes)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# Where each file of the site goes: the source path MkDocs is given (pages end in .md), the file it
# writes and the URL it links (MkDocs' rule). Used by the checks (two sources written to one path,
# a unit id that would take a generated page's place) and by the outputs.

UNITS_INDEX = "units/index.md"
REGISTER = "directives/index.md"
ARCHIVE_INDEX = "archive/index.md"
HOME = "index.md"
DASHBOARD = "dashboard/index.md"
EXPORT_JSON = "directives.json"
EXPORT_CSV = "directives.csv"  # the same, for Excel (outputs/spreadsheet.py)
EXPORT_BY_UNIT_CSV = "directives-by-unit.csv"  # each unit's share of every directive, for Excel
EXPORT_XLSX = "directives.xlsx"  # the same as a workbook: typed dates, sheets (outputs/workbook.py)
EXPORT_SCHEMA = "directives.schema.json"  # directives.json's JSON Schema (outputs/schema.py)
LIVE_SCRIPT = "assets/safety-bulletins/live.js"  # re-evaluates deadlines in the reader's browser
SITE_FEED = "feeds/all.xml"  # Atom: every bulletin (outputs/feeds.py)
# Material's script fetches `sitemap.xml` next to every <link rel="alternate"> of a page (it
# takes them for other-language versions of the site): an empty one beside the feeds answers
# it, instead of a 404 on every page view.
FEED_SITEMAPS = ("feeds/sitemap.xml", "feeds/units/sitemap.xml", "feeds/types/sitemap.xml")
EMPTY_SITEMAP = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n'

CALENDAR_ALL = "calendar/all.ics"  # every open directive and meeting (outputs/calendars.py)
FILTER_SCRIPT = "assets/safety-bulletins/filter.js"  # filters the rows of a listing, from the URL
# styles the markup the package writes (outputs/assets/bulletins.css): one file for every site, linked by every page
STYLESHEET = "assets/safety-bulletins/bulletins.css"
# Material's offline plugin loads a Web Worker shim from a CDN, which an intranet cannot reach: the
# package's copy (outputs/assets/iframe-worker/, MIT, its licence beside it) takes its place
OFFLINE_WORKER_SHIM = "assets/safety-bulletins/iframe-worker/shim.js"
OFFLINE_WORKER_FRAME = "assets/safety-bulletins/iframe-worker/frame.js"  # shim.js loads it from beside itself
OFFLINE_WORKER_LICENSE = "assets/safety-bulletins/iframe-worker/LICENSE"
SEARCH_WORKER = "assets/safety-bulletins/search.js"  # answers Material's search box from Pagefind (outputs/pagefind.py)
SEARCH_FILTERS_SCRIPT = "assets/safety-bulletins/search-filters.js"  # the filters beside the box, with Pagefind
SEARCH_FILTERS = "assets/safety-bulletins/search-filters.json"  # what they offer (pagefind.filter_choices)
# What the site was built for (as-of date, audience, offline copy) and with: `bulletins verify` rebuilds from it
BUILD_RECORD = "assets/safety-bulletins/build.json"
SEARCH_INDEX = "search/search_index.json"  # Material's search plugin's (lunr), rewritten as UTF-8 (search_index.py)
PAGEFIND_FOLDER = "pagefind"  # Pagefind's index, written after the pages (outputs/pagefind.py)


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


@dataclass(frozen=True)
class UrlRule:
    """Where the site's generator writes a source file of the site, and the URL it gives it, with
    `use_directory_urls` on or off. The rule is MkDocs' own (its File objects: `x.md` is written
    to `x/index.html` at `x/`, a name percent-encoded, `a b.md` at `a%20b/`); the adapter makes it
    (mkdocs_adapter.url_rule) and every layer here is handed it, so none copies it."""

    directory_urls: bool
    file_of: Callable[[str, bool], tuple[str, str]]  # (src_uri, directory_urls) -> (dest_uri, url)

    def dest(self, src_uri: str) -> str:
        """The file written for a source file (File.dest_uri)."""
        return self.file_of(src_uri, self.directory_urls)[0]

    def url(self, src_uri: str) -> str:
        """Its site-relative URL (File.url), percent-encoded."""
        return self.file_of(src_uri, self.directory_urls)[1]


def readable_url(url: str) -> str:
    """A URL of the UrlRule as people read it in text (a calendar's description, a mail without the
    site's address): `bulletins/2026/冬季 检查/`, not `%E5%86%AC...%20...`. Never a link's target."""
    return unquote(url)


def same_output(sources: list[str], urls: UrlRule) -> list[tuple[str, str, str]]:
    """(output, first source, second source) for each output path two sources would both write:
    as the same file, or as a file and a folder (a file `x` beside the page `x/index.html`)."""
    first: dict[str, str] = {}
    clashes = []
    for src_uri in sources:
        dest = urls.dest(src_uri)
        if first.setdefault(dest, src_uri) != src_uri:
            clashes.append((dest, first[dest], src_uri))
    folders: dict[str, str] = {}  # each folder an output is written in, and the first source that needs it
    for dest, src_uri in first.items():
        parts = dest.split("/")
        for n in range(1, len(parts)):
            folders.setdefault("/".join(parts[:n]), src_uri)
    clashes += [(dest, folders[dest], src_uri) for dest, src_uri in first.items() if dest in folders]
    return clashes
