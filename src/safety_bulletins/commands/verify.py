"""`bulletins verify SITE`: a built site checked against what its sources say it must hold.

Recomputed from the sources (the same Catalog the build uses, at the same as-of date and for
the same audience): every published directive is in directives.json as the catalog has it,
has exactly one card (on its bulletin's page) and one row on the register and on each of
its units' pages; directives.csv, the calendars and the feeds are byte for byte what the
sources give, and no other calendar or feed is there; nothing from a hidden bulletin (draft,
embargoed, above the audience) is anywhere; no HTML attribute holds a script URL. Each
finding is one line.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import json
import io
import os
import posixpath
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from markupsafe import escape

from ..outputs import pagefind, site
from ..catalog import Catalog
from ..model import Bulletin
from ..sources.paths import URL_SCHEMES, disallowed_scheme
from ..sources.project import hidden_because, load_project
from ..mkdocs_adapter import ConfigError, judge_for
from ..site_build.settings import read_settings
from ..site_build.sitebuild import SiteBuild

# Attributes that hold a URL a browser may follow or load (HTML, SVG, MathML).
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite", "data", "codebase",
    "longdesc", "usemap", "manifest", "icon", "profile", "ping", "archive", "lowsrc", "dynsrc", "classid",
    "itemtype", "srcset", "imagesrcset",
})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")  # shown as escapes in a finding
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?(.*)", re.IGNORECASE | re.DOTALL)
MIN_NEEDLE = 6  # characters: shorter titles and names match too much by chance to be evidence


@dataclass
class _Card:
    id: str
    bucket: str
    title: str = ""
    deadline: str | None = None


@dataclass
class _Row:
    id: str
    bucket: str
    deadline: str | None = None
    for_units: str | None = None  # a parent unit's page: the sub-units a row of theirs is for


class _Page(HTMLParser):
    """What verify reads from one HTML page: cards, listing rows and URL attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)  # attribute values are always decoded
        self.cards: list[_Card] = []
        self.rows: list[_Row] = []
        self.urls: list[tuple[int, str, str]] = []  # (line, attribute, value)
        self._in_title: _Card | None = None
        self._card: _Card | None = None
        self._card_depth = 0
        self._row: _Row | None = None
        self._row_cells = 0
        self._in_del = False  # an extended deadline's original date, struck through
        self._in_deadline = False  # the card's deadline (its history has dates too)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            if name in URL_ATTRIBUTES or (name == "content" and attributes.get("http-equiv", "").lower() == "refresh"):
                self.urls.append((self.getpos()[0], name, value or ""))
        classes = attributes.get("class", "").split()
        if self._card is not None and tag == "div":
            self._card_depth += 1
        if tag == "div" and "sb-directive" in classes:
            bucket = next((c.removeprefix("sb-directive--") for c in classes if c.startswith("sb-directive--")), "")
            self._card, self._card_depth = _Card("", bucket), 1
            self.cards.append(self._card)
        elif tag == "h3" and "sb-directive__title" in classes and self._card is not None:
            self._card.id = attributes.get("id", "")
            self._in_title = self._card
        elif tag == "a" and self._in_title is not None and "headerlink" in classes:
            self._in_title = None  # the toc extension's permalink (¶) is no part of the title
        elif tag == "del":
            self._in_del = True
        elif tag == "dd" and self._card is not None:
            self._in_deadline = "sb-live-deadline" in classes
        elif (tag == "time" and self._card is not None and self._card.deadline is None and not self._in_del
              and self._in_deadline):
            self._card.deadline = attributes.get("datetime")
        if tag == "tr" and "sb-row" in classes:
            bucket = next((c.removeprefix("sb-row--") for c in classes if c.startswith("sb-row--")), "")
            self._row, self._row_cells = _Row("", bucket, for_units=attributes.get("data-sb-for")), 0
            self.rows.append(self._row)
        elif self._row is not None:
            if tag == "td":
                self._row_cells += 1
            elif tag == "time" and self._row_cells == 1 and not self._in_del:
                self._row.deadline = attributes.get("datetime")
            elif tag == "a" and self._row_cells == 2 and not self._row.id:
                self._row.id = attributes.get("href", "").rpartition("#")[2]

    def handle_endtag(self, tag):
        if tag == "del":
            self._in_del = False
        elif tag == "h3":
            self._in_title = None
        elif tag == "div" and self._card is not None:
            self._card_depth -= 1
            if self._card_depth == 0:
                self._card = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._in_title is not None:
            self._in_title.title += data


# Schemes only the site's templates write: the calendars' subscribe links (unit pages, the
# register). nh3 still drops them from editors' Markdown (sanitize.py).
TEMPLATE_SCHEMES = frozenset({"webcal"})


def script_url(value: str, attribute: str = "href") -> str | None:
    """The scheme of a URL a browser would run or load from outside the allow-list, or None."""
    candidates = [value]
    if attribute in ("srcset", "imagesrcset"):
        candidates = [part.strip().split(" ")[0] for part in value.split(",")]
    elif attribute == "content":
        match = _REFRESH_URL.search(value)
        candidates = [match.group(1).rstrip("'\"")] if match else []
    for url in candidates:  # html.parser has decoded the entities: what is left is what the browser reads
        if (scheme := disallowed_scheme(url)) and scheme not in TEMPLATE_SCHEMES:
            return scheme
    return None


def verify_site(project_dir: Path, site_dir: Path, as_of: dt.date, audience: str | None = None,
                directory_urls: bool | None = None) -> list[str]:
    """Everything wrong with the site in `site_dir` built from the project in `project_dir`
    at `as_of`, one message per finding ([] if none). `audience` defaults to the site's
    setting in mkdocs.yml; `directory_urls` to what the built site shows (an offline
    build has .html pages)."""
    project_dir, site_dir = Path(project_dir), Path(site_dir)
    settings = read_settings(project_dir / "mkdocs.yml")
    if audience is None:
        audience = settings.audience
    try:  # links and attachments as the build read them: from the rendered pages
        judge = judge_for(project_dir)
    except ConfigError as exc:
        return [f"cannot read the site's Markdown configuration: {exc}"]
    project = load_project(project_dir / "bulletins", as_of, judge)
    if project.errors:
        return [f"{p.path}:{p.line}: the sources have errors; a site cannot have been built from them: {p.message}"
                for p in project.errors]
    if not site_dir.is_dir():
        return [f"{site_dir}: no built site here"]
    files = sorted(p for p in site_dir.rglob("*") if p.is_file() or p.is_symlink())
    if directory_urls is None:  # with directory URLs every page is an index.html
        directory_urls = all(p.name in ("index.html", "404.html") for p in files if p.suffix == ".html")
    # the build's own making of the pages' listings and of the files made from the catalog
    build = SiteBuild(project, as_of, directory_urls, settings.language, audience=audience,
                      site_name=settings.site_name, site_url=settings.site_url, time_zone=settings.time_zone)
    catalog = build.catalog
    check = _Verifier(build, site_dir)
    pages = {}
    for path in files:
        if path.suffix == ".html" and path.is_file():
            page = _Page()
            page.feed(path.read_text(encoding="utf-8", errors="replace"))
            page.close()
            pages[path.relative_to(site_dir).as_posix()] = page
    return (check.outputs(build.made_outputs(), files, project_dir / "docs")
            + check.cards(pages) + check.listings(pages) + check.scripts(pages)
            + check.hidden(files, _published_text(project_dir, catalog)))


class _Verifier:
    def __init__(self, build: SiteBuild, site_dir: Path):
        self.build = build
        self.catalog = build.catalog
        self.site_dir = site_dir
        self.directory_urls = build.renderer.directory_urls
        self.directives = {d.id: d for d in self.catalog.directives}

    def file_of(self, src_uri: str) -> str:
        """The path below the site of a source's page."""
        url = site.url_for(src_uri, self.directory_urls)
        return url + "index.html" if url.endswith("/") else url

    def export(self, made: str) -> list[str]:
        """directives.json, directive by directive and field by field (`made`: its text as the build makes it)."""
        try:
            records = json.loads(_read_made(self.site_dir / site.EXPORT_JSON, made))["directives"]
            found = {r["id"]: r for r in records}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return [f"{site.EXPORT_JSON}: missing or unreadable ({exc.__class__.__name__}: {exc})"]
        expected = {r["id"]: r for r in json.loads(made)["directives"]}
        findings = [f"{site.EXPORT_JSON}: directive '{i}' is listed {n} times" for i, n in
                    Counter(r["id"] for r in records).items() if n > 1]
        for directive_id, record in expected.items():
            if directive_id not in found:
                findings.append(f"{site.EXPORT_JSON}: directive '{directive_id}' is missing")
                continue
            for key in sorted(set(record) | set(found[directive_id])):
                if found[directive_id].get(key) != record.get(key):
                    findings.append(f"{site.EXPORT_JSON}: directive '{directive_id}' has {key} "
                                    f"{_short(found[directive_id].get(key))}, the sources say {_short(record.get(key))}")
        findings += [f"{site.EXPORT_JSON}: directive '{i}' is not in the sources' catalog (extra)"
                     for i in found if i not in expected]
        return findings

    def outputs(self, made: Iterable[tuple[str, str]], files: list[Path], docs_dir: Path) -> list[str]:
        """The files made from the catalog (`made`: source path and text, one at a time, as the
        build makes them). directives.json directive by directive (`export`); directives.csv,
        the calendars and the feeds byte for byte, or which of their rows, events or entries
        differ, are missing, repeated or extra; and no other calendar or feed but the editors'
        own files: a subscriber's calendar would show a stale one's closed directives as due."""
        findings = []
        names = set()
        for name, text in made:
            names.add(name)
            if name == site.EXPORT_JSON:
                findings += self.export(text)
                continue
            try:
                found = _read_made(self.site_dir / name, text)
            except (OSError, ValueError) as exc:
                findings.append(f"{name}: missing or unreadable ({exc.__class__.__name__}: {exc})")
                continue
            if found != text:
                what, parts = _PARTS[posixpath.splitext(name)[1]]
                findings += _compared(name, what, parts(found), parts(text))
        for path in files:
            name = path.relative_to(self.site_dir).as_posix()
            if (name not in names and name.startswith(_OUTPUT_FOLDERS) and name.endswith((".ics", ".xml"))
                    and not (docs_dir / name).is_file()):
                findings.append(f"{name}: a {'calendar' if name.endswith('.ics') else 'feed'} the sources do not give (extra)")
        return findings

    def cards(self, pages: dict[str, _Page]) -> list[str]:
        """Each published directive: one card, on its bulletin's page, showing the catalog's facts."""
        findings = []
        expected_on = {self.file_of(site.bulletin_src(b)): b for b in self.catalog.bulletins}
        for name, bulletin in expected_on.items():
            if name not in pages:
                findings.append(f"{name}: the page of '{bulletin.rel_path}' is missing")
        for name, page in pages.items():
            bulletin = expected_on.get(name)
            own = {d.id: d for d in bulletin.directives} if bulletin else {}
            seen = Counter(card.id for card in page.cards)
            for card in page.cards:
                directive = own.get(card.id)
                if directive is None:
                    findings.append(f"{name}: a card for '{card.id}', which "
                                    + ("belongs to another page" if card.id in self.directives else
                                       "is no published directive") + " (extra)")
                    continue
                deadline = self.catalog.state_of(directive).deadline
                deadline = deadline.isoformat() if deadline else None
                differences = [(what, shown, right) for what, shown, right in (
                    ("deadline", card.deadline, deadline), ("bucket", card.bucket, self.catalog.bucket_of(directive)),
                    ("title", " ".join(card.title.split()), " ".join(directive.title.split())),
                ) if shown != right]
                findings += [f"{name}: the card of '{card.id}' shows {what} {_short(shown)}, the sources say {_short(right)}"
                             for what, shown, right in differences]
            findings += [f"{name}: directive '{i}' has {n} cards" for i, n in seen.items() if n > 1 and i in own]
            findings += [f"{name}: directive '{i}' has no card" for i in own if i not in seen]
        return findings

    def listings(self, pages: dict[str, _Page]) -> list[str]:
        """The register and each unit's pages: one row per directive the catalog lists there."""
        findings = []
        listings = {}
        for page in self.build.pages.values():
            pager = page.context.get("pager")
            if pager is not None and pager.number == 1:
                unit = page.context.get("unit")
                entries = self.catalog.register if unit is None else self.catalog.for_unit(unit.id)
                names = [self.file_of(s) for s in pager.sources]
                listings[page.src_uri] = (names, [e.directive for e in entries], False)
                if "sub_groups" in page.context:  # a parent unit: its sub-units' rows, apart
                    listings[page.src_uri + " (sub-units)"] = (
                        names, [e.directive for e in self.catalog.for_subunits(unit.id)], True)
        for first, (names, directives, sub) in listings.items():
            rows = [row for name in names if name in pages for row in pages[name].rows
                    if (row.for_units is not None) == sub]
            findings += [f"{name}: the listing page is missing" for name in names if name not in pages and not sub]
            where = names[0] + (" (sub-units)" if sub else "")
            seen = Counter(row.id for row in rows)
            expected = {d.id: d for d in directives}
            findings += [f"{where}: directive '{d}' has no row" for d in expected if d not in seen]
            findings += [f"{where}: directive '{i}' has {n} rows" for i, n in seen.items() if n > 1]
            findings += [f"{where}: a row for '{i}', which is not listed here (extra)" for i in seen if i not in expected]
            for row in rows:
                directive = expected.get(row.id)
                if directive is None:
                    continue
                deadline = self.catalog.state_of(directive).deadline
                deadline = deadline.isoformat() if deadline else None
                bucket = self.catalog.bucket_of(directive)
                if (row.deadline, row.bucket) != (deadline, bucket):
                    findings.append(f"{where}: the row of '{row.id}' shows deadline {row.deadline} ({row.bucket}), "
                                    f"the sources say {deadline} ({bucket})")
        return findings

    def scripts(self, pages: dict[str, _Page]) -> list[str]:
        return [f"{name}:{line}: {attribute}=\"{_short(value)}\" is a '{scheme}:' URL (allowed: "
                f"{', '.join(sorted(URL_SCHEMES | TEMPLATE_SCHEMES))} and relative)"
                for name, page in pages.items() for line, attribute, value in page.urls
                if (scheme := script_url(value, attribute))]

    def hidden(self, files: list[Path], published_text: str) -> list[str]:
        """Files of hidden bulletins (pages, attachments, by path or by content) and their
        titles, directive ids and attachment names anywhere."""
        hidden = self.catalog.hidden
        published_attachments = {site.attachment_src(b, a) for b in self.catalog.bulletins for a in b.attachments}
        names = {p.relative_to(self.site_dir).as_posix() for p in files}
        findings = []
        digests: dict[int, dict[str, str]] = {}  # size -> sha256 -> source
        needles: dict[str, str] = {}
        for bulletin in hidden:
            why = _why(bulletin, self.catalog)
            for path in _page_files(bulletin):
                if path in names:
                    findings.append(f"{path}: the page of '{bulletin.rel_path}', which is {why}")
            for attachment in bulletin.attachments:
                src = site.attachment_src(bulletin, attachment)
                # even if a published bulletin attaches it too: the file is the hidden one's
                # (sources.project.attachments_of_hidden), and no build publishes it
                if src in names:
                    findings.append(f"{src}: an attachment of '{bulletin.rel_path}', which is {why}")
                try:
                    data = attachment.source.read_bytes()
                except OSError:
                    continue
                digests.setdefault(len(data), {})[hashlib.sha256(data).hexdigest()] = f"'{bulletin.rel_path}' ({why})"
                needles.setdefault(os.path.basename(attachment.path), f"an attachment name of '{bulletin.rel_path}' ({why})")
            needles.setdefault(bulletin.title, f"the title of '{bulletin.rel_path}' ({why})")
            for directive in bulletin.directives:
                needles.setdefault(directive.id, f"the id of directive '{directive.id}' of '{bulletin.rel_path}' ({why})")
                needles.setdefault(directive.title, f"the title of directive '{directive.id}' of '{bulletin.rel_path}' ({why})")
        if published_attachments:  # a file with the same bytes may be published legitimately
            for b in self.catalog.bulletins:
                for a in b.attachments:
                    try:
                        data = a.source.read_bytes()
                    except OSError:
                        continue
                    digests.get(len(data), {}).pop(hashlib.sha256(data).hexdigest(), None)
        pattern, meaning = _needles({text: why for text, why in needles.items()
                                     if len(text.strip()) >= MIN_NEEDLE and text not in published_text})
        overlap = overlap_for(meaning)
        for path in files:
            if not path.is_file():
                continue
            name = path.relative_to(self.site_dir).as_posix()
            sizes = digests.get(path.stat().st_size)
            if sizes:
                with open(path, "rb") as stream:
                    if source := sizes.get(hashlib.file_digest(stream, "sha256").hexdigest()):
                        findings.append(f"{name}: has the bytes of an attachment of {source}")
            if pattern is not None:
                found = {meaning[m] for m in _matches(_blocks(path, name), pattern, overlap)}
                findings += [f"{name}: contains {what}" for what in sorted(found)]
            if pattern is not None and (hit := pattern.search(name.encode("utf-8"))):
                findings.append(f"{name}: its name contains {meaning[hit.group(0)]}")
        return findings


BLOCK = 1 << 20  # bytes of a file held at once while it is searched


def _blocks(path: Path, name: str) -> Iterator[bytes]:
    """A file of the site in blocks, as its text can be searched: a Pagefind chunk or fragment
    whole and decompressed (pagefind.readable, which bounds it), any other file a block at
    a time, so that a file of gigabytes is never held whole."""
    with open(path, "rb") as stream:
        if name.startswith(f"{pagefind.FOLDER}/"):
            # read(n) would allocate all n bytes: ask for no more than the file holds
            yield pagefind.readable(name, stream.read(min(os.fstat(stream.fileno()).st_size, pagefind.READABLE_LIMIT)))
            return
        while block := stream.read(BLOCK):
            yield block


def overlap_for(meaning: dict[bytes, str]) -> int:
    """What `_matches` must hold of the block before: the longest form of a needle, and the
    byte its look-behind reads before it and the two its look-ahead reads after."""
    return max(map(len, meaning), default=0) + 3


def _matches(blocks: Iterable[bytes], pattern: re.Pattern, overlap: int) -> set[bytes]:
    """Every match of `pattern` in the bytes of `blocks` joined, holding a block and the
    `overlap` bytes before it (more than the longest match and the few bytes its look-behind
    and look-ahead read). A match that touches the edge of what is held is taken only at the
    file's start or end, as the same match is found again with its context on the other side."""
    found: set[bytes] = set()
    tail, read = b"", 0  # `read`: the bytes of the file before this block
    blocks = iter(blocks)
    block = next(blocks, None)
    while block is not None:
        following = next(blocks, None)
        data = tail + block
        at_start = read == len(tail)  # what is held begins with the file
        limit = len(data) if following is None else len(data) - 2
        found.update(m.group(0) for m in pattern.finditer(data) if (at_start or m.start() > 0) and m.end() <= limit)
        tail, read, block = data[-overlap:], read + len(block), following
    return found


def _compared(name: str, what: tuple[str, str], found: dict[str, list], expected: dict[str, list]) -> list[str]:
    """The findings of a file that is not what the sources give, from its parts by key (a
    directive's id, an event's UID, an entry's page; each key's parts in the order found):
    which are missing, repeated, extra or different, or that the rest of the file is."""
    one, many = what
    findings = [f"{name}: the {one} of '{_short(key)}' is missing" for key in expected if key not in found]
    findings += [f"{name}: '{_short(key)}' has {len(parts)} {many}" for key, parts in found.items() if len(parts) > 1]
    findings += [f"{name}: an extra {one} for '{_short(key)}', which the sources do not give"
                 for key in found if key not in expected]
    findings += [f"{name}: the {one} of '{_short(key)}' is not what the sources give"
                 for key, parts in found.items() if key in expected and parts[0] != expected[key][0]]
    return findings or [f"{name}: not what the sources give (outside its {many})"]


def _read_made(path: Path, made: str) -> str:
    """The text of a file of the site that should hold `made`. Only a regular file is read
    (a symlink may point at a device or outside the site), and only up to a bound: a file far
    larger than it should be is a finding, not a read of gigabytes."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{path.name} is not a regular file")
    size = len(made.encode("utf-8"))
    if info.st_size > 2 * size + 1_000_000:
        raise ValueError(f"{info.st_size} bytes where the sources give {size}")
    return path.read_bytes().decode("utf-8")


def _keyed(parts: Iterable, key_of: Callable) -> dict[str, list]:
    keyed: dict[str, list] = {}
    for part in parts:
        keyed.setdefault(key_of(part), []).append(part)
    return keyed


def _csv_rows(text: str) -> dict[str, list]:
    """The rows by directive id (the first column), below the header."""
    return _keyed(list(csv.reader(io.StringIO(text, newline="")))[1:], lambda row: row[0] if row else "")


_EVENT = re.compile(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.DOTALL)
_UID = re.compile(r"^UID:(.*?)\r$", re.MULTILINE)


def _events(text: str) -> dict[str, list]:
    """The events by UID (a long UID is folded over lines)."""
    return _keyed(_EVENT.findall(text), lambda event: "".join(_UID.findall(re.sub(r"\r\n[ \t]", "", event))[:1]))


_ENTRY = re.compile(r"<entry>.*?</entry>", re.DOTALL)
_LINK = re.compile(r'<link rel="alternate" type="text/html" href="([^"]*)"')


def _entries(text: str) -> dict[str, list]:
    """The entries by the page they link to (their ids are opaque UUIDs), decoded to be read."""
    return _keyed(_ENTRY.findall(text), lambda entry: unquote(html.unescape("".join(_LINK.findall(entry)[:1]))))


_PARTS = {".csv": (("row", "rows"), _csv_rows), ".ics": (("event", "events"), _events),
          ".xml": (("entry", "entries"), _entries)}
_OUTPUT_FOLDERS = tuple(posixpath.dirname(src) + "/" for src in (site.CALENDAR_ALL, site.SITE_FEED))


def _why(bulletin: Bulletin, catalog: Catalog) -> str:
    return hidden_because(bulletin, catalog.as_of, catalog.audience)


def _page_files(bulletin: Bulletin) -> list[str]:
    """Where its page would be, with or without directory URLs."""
    src = site.bulletin_src(bulletin)
    return [site.url_for(src, True) + "index.html", site.url_for(src, False)]


def _needles(texts: dict[str, str]):
    """One regular expression for every form a text takes in the site's files (as written,
    HTML-escaped, in JSON), and what each match means."""
    meaning: dict[bytes, str] = {}
    for text, why in texts.items():
        forms = {text, html.escape(text, quote=False), html.escape(text), str(escape(text)), json.dumps(text)[1:-1],
                 json.dumps(text, ensure_ascii=False)[1:-1],
                 json.dumps(text, ensure_ascii=False)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e")
                 .replace("&", "\\u0026")}
        for form in forms:
            meaning.setdefault(form.encode("utf-8"), why)
    if not meaning:
        return None, meaning
    alternatives = b"|".join(re.escape(form) for form in sorted(meaning, key=len, reverse=True))
    # not inside a longer id or word: `DRILL-1` is no evidence in `DRILL-10`
    return re.compile(rb"(?<![\w.-])(?:" + alternatives + rb")(?![\w-]|\.\w)"), meaning


def _published_text(project_dir: Path, catalog: Catalog) -> str:
    """What published sources say: a hidden title that is also written there is no evidence."""
    parts = [b.source.read_text(encoding="utf-8", errors="replace") for b in catalog.bulletins]
    for extra in [project_dir / "mkdocs.yml", project_dir / "bulletins" / "units.yml",
                  *sorted((project_dir / "docs").rglob("*"))]:
        if extra.is_file() and extra.suffix in (".yml", ".md", ".html", ".txt", ".css", ".js"):
            parts.append(extra.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def _short(value, limit: int = 60) -> str:
    """A value for a one-line finding: control characters shown as escapes, long ones cut."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return _CONTROL.sub(lambda m: "".join(f"\\x{ord(c):02x}" for c in m.group(0)), text)
