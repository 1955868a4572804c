"""`bulletins verify SITE`: a built site against a new build of its sources, byte for byte.

The build is deterministic (the same sources, as-of date and audience give the same bytes),
so verify builds the project again, a real `mkdocs build` in a child process with a time
limit, at the as-of date the site records (site.BUILD_RECORD), into a temporary folder, and
compares every file: missing, extra, different (the file and its first differing line; a
directive of directives.json, a row of directives.csv, an event of a calendar or an entry of
a feed by name), or not a regular file (a link, a FIFO: never followed or read). While the
build runs it does what no rebuild can: nothing from a hidden bulletin (draft, embargoed,
above the audience) anywhere, no HTML attribute holding a script URL. One finding per line.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import html
import io
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

from markupsafe import escape

from .. import processes
from ..catalog import Catalog
from ..model import Bulletin, printable
from ..outputs import pagefind, site, workbook
from ..sources.dates import parse_date
from ..sources.paths import URL_SCHEMES, disallowed_scheme
from ..sources.project import hidden_because, load_project
from ..mkdocs_adapter import ConfigError, judge_for, read_settings, url_rules

# publish's mark in each release it makes, at the site's root (commands/publish.py MARKER): not
# part of the site, which a rebuild would not have, and never served (the publishing guide's nginx)
RELEASE_MARKER = ".bulletins-release"
REBUILD_TIMEOUT = 1800  # seconds: 10,000 bulletins build in about 90 s
STOP_WAIT = 10  # seconds a stopped rebuild gets to exit before it is killed
BLOCK = 1 << 20  # bytes of a file held at once while it is compared or searched
LINE_LIMIT = 1 << 16  # bytes of a differing line kept on each side of the difference
PARTS_LIMIT = 64 << 20  # bytes: a larger CSV, calendar or feed is named by its line only
PAGE_LIMIT = 64 << 20  # bytes: no page of the site is larger (the listings are paged)
RECORD_LIMIT = 1 << 16  # bytes of the build record read at most
# bytes: a larger file is not searched for hidden text (its size is all a reader of this site
# could not have been given: if the rebuild has it not, or not so, the comparison says so)
SEARCH_LIMIT = 256 << 20
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg")  # what a browser runs as a page

# Attributes that hold a URL a browser may follow or load (HTML, SVG, MathML); `to`, `from`
# and `values` are what SVG's <animate> and <set> put into another attribute, href included.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite", "data", "codebase",
    "longdesc", "usemap", "manifest", "icon", "profile", "ping", "archive", "lowsrc", "dynsrc", "classid",
    "itemtype", "srcset", "imagesrcset", "to", "from", "values",
})
# Where a URL attribute may be in a page, found by regular expressions: a superset of what the
# parser finds, so a page without a match has nothing to report and is not parsed (parsing
# every page took most of verify's time); the parser decides on the others. Every `=` is
# tried (its value is a look-ahead: no value found can hide the next attribute); the name
# before it need only end like a URL attribute's, and the value hold a ':' or an entity.
_VALUE = re.compile(r"=(?=[\t\n\f\r ]*(\"[^\"]*\"?|'[^']*'?|[^\t\n\f\r >]*))")
_NAME_BEFORE = re.compile(r"([^\t\n\f\r />\"'=]+)[\t\n\f\r /=]*\Z")  # `href==x`: html.parser reads x
_NAME_CHECKED = 64  # characters before the `=`: enough for the end of any name
_URL_ENDINGS = tuple(URL_ATTRIBUTES | {"content"})
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?(.*)", re.IGNORECASE | re.DOTALL)
MIN_NEEDLE = 6  # characters: shorter titles and names match too much by chance to be evidence
# Schemes only the site's templates write: the calendars' subscribe links (unit pages, the
# register). nh3 still drops them from editors' Markdown (sanitize.py).
TEMPLATE_SCHEMES = frozenset({"webcal"})


@dataclass(frozen=True)
class BuildRecord:
    """What a site was built for, as the build wrote it in site.BUILD_RECORD."""

    as_of: dt.date
    audience: str
    offline: bool


def read_record(site_dir: Path) -> BuildRecord:
    """The record of the build in `site_dir`; ValueError or OSError says why there is none."""
    path = Path(site_dir) / site.BUILD_RECORD
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("not a regular file")
    with open(path, "rb") as stream:
        data = json.loads(stream.read(RECORD_LIMIT))
    if not isinstance(data, dict) or not isinstance(data.get("audience"), str):
        raise ValueError("not a build record")
    return BuildRecord(parse_date(str(data.get("as_of"))), data["audience"], data.get("offline") is True)


def verify_site(project_dir: Path, site_dir: Path, as_of: dt.date | None = None,
                timeout: float = REBUILD_TIMEOUT, config_file: Path | None = None) -> list[str]:
    """Everything that differs between the site in `site_dir` and a new build of the project
    in `project_dir` with its `config_file` (default: its mkdocs.yml; e.g. mkdocs.zh.yml for the
    Chinese site), and anything hidden or any script URL in it: one message per finding
    ([] if none). The build is made as of `as_of` (default: the date the site records)."""
    project_dir, site_dir = Path(project_dir).absolute(), Path(site_dir)
    config_file = Path(config_file).absolute() if config_file is not None else project_dir / "mkdocs.yml"
    if not site_dir.is_dir():
        return [f"{site_dir}: no built site here"]
    findings: list[tuple[str, str]] = []  # (file, finding), sorted by file in the end
    try:
        record = read_record(site_dir)
    except (OSError, ValueError) as exc:
        record = None
        if as_of is None:
            return [f"{site.BUILD_RECORD}: missing or unreadable ({exc.__class__.__name__}: {exc}), so the day "
                    "the site was built for is unknown: give it with --as-of"]
    as_of = as_of or record.as_of
    settings = read_settings(config_file)
    try:  # links and attachments as the build read them: from the rendered pages
        judge = judge_for(project_dir, config_file)
    except ConfigError as exc:
        return [f"cannot read the site's Markdown configuration: {exc}"]
    project = load_project(project_dir / "bulletins", as_of, judge, audience=settings.audience, url_rules=url_rules(),
                           windows=settings.windows)
    if project.errors:
        return [f"{p.path}:{p.line}: the sources have errors; a site cannot have been built from them: {p.message}"
                for p in project.errors]
    catalog = Catalog(project, as_of, settings.audience, settings.windows)
    with tempfile.TemporaryDirectory(prefix="bulletins-verify-") as temporary:
        rebuilt = Path(temporary) / "site"
        with _rebuild(project_dir, rebuilt, as_of, record.offline if record else False,
                      Path(temporary) / "build.log", timeout, config_file) as finished:
            found = _tree(site_dir)
            found.pop(RELEASE_MARKER, None)
            findings += _scripts(site_dir, found)  # while the build runs
            findings += _hidden(catalog, project_dir, site_dir, found, (config_file, settings.docs_dir))
            failure = finished()
        if failure:
            return [failure] + [text for _, text in sorted(findings, key=lambda f: f[0])]
        findings = _compare(site_dir, found, rebuilt, _tree(rebuilt)) + findings
    return [text for _, text in sorted(findings, key=lambda f: f[0])]  # stable: each file's in order


@contextlib.contextmanager
def _rebuild(project_dir: Path, dest: Path, as_of: dt.date, offline: bool, log: Path, timeout: float,
             config_file: Path | None = None):
    """`mkdocs build --config-file` of the project into `dest`, started now in a session of its own
    (its output in `log`, which never fills as a pipe would while verify reads the site).
    Gives a function that waits for it and says why it failed (None if it did not); on the
    way out, anything of it still running is stopped, whatever stopped verify."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
           "BULLETINS_TODAY": as_of.isoformat(), "BULLETINS_OFFLINE": "true" if offline else "false"}
    env.pop("SOURCE_DATE_EPOCH", None)  # the hook sets it from the as-of date
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config_file or project_dir / "mkdocs.yml"),
               "--site-dir", str(dest)]
    deadline = time.monotonic() + timeout
    with open(log, "w+b") as output:
        process = processes.start(command, session=True, stdin=subprocess.DEVNULL, stdout=output,
                                  stderr=subprocess.STDOUT, env=env, cwd=project_dir)

        def finished() -> str | None:
            try:
                code = process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                return f"{project_dir}: a build of the sources did not finish within {timeout:g} s, so the site " \
                       "could not be compared with it"
            if code == 0:
                return None
            output.seek(0)
            lines = output.read().decode("utf-8", "replace").strip().splitlines()[-20:]
            return f"{project_dir}: a build of the sources as of {as_of.isoformat()} failed (exit code {code}), so " \
                   "the site could not be compared with it:\n" + "\n".join(lines)

        try:
            yield finished
        finally:  # whatever of the rebuild's session (MkDocs, Pagefind) is still running
            processes.stop(process, session=True, stop_wait=STOP_WAIT)


def _tree(root: Path) -> dict[str, os.stat_result]:
    """Every entry of a site that is not a folder, by path below it ('/'-separated), as lstat
    gives it: links (to folders too) are entries, never followed."""
    entries = {}
    for folder, folders, names in os.walk(root):
        below = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if below == "." else below + "/"
        for name in names + [d for d in folders if os.path.islink(os.path.join(folder, d))]:
            with contextlib.suppress(FileNotFoundError):
                entries[prefix + name] = os.lstat(os.path.join(folder, name))
    return entries


def _compare(site_dir: Path, found: dict[str, os.stat_result], rebuilt_dir: Path,
             expected: dict[str, os.stat_result]) -> list[tuple[str, str]]:
    findings = []
    for name in sorted(found.keys() | expected.keys()):
        shown, info = _shown(name), found.get(name)
        if info is None:
            findings.append((name, f"{shown}: missing (a build from the sources has it)"))
        elif not stat.S_ISREG(info.st_mode):
            findings.append((name, f"{shown}: {_kind(site_dir / name, info)}, not a regular file (not followed or read)"))
        elif name not in expected:
            findings.append((name, f"{shown}: a file the sources do not give (extra)"))
        else:
            try:
                difference = _difference(site_dir / name, rebuilt_dir / name)
            except OSError as exc:  # swapped for a link or a FIFO while verify ran
                findings.append((name, f"{shown}: unreadable ({exc.__class__.__name__}: {exc})"))
                continue
            if difference is not None:
                findings.append((name, f"{shown}{_described(name, site_dir / name, rebuilt_dir / name, difference)}"))
    return findings


def _kind(path: Path, info: os.stat_result) -> str:
    if stat.S_ISLNK(info.st_mode):
        with contextlib.suppress(OSError):
            return f"a symbolic link to '{_short(os.readlink(path))}'"
        return "a symbolic link"
    if stat.S_ISFIFO(info.st_mode):
        return "a FIFO"
    if stat.S_ISSOCK(info.st_mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a special file"


@dataclass
class _Difference:
    offset: int  # of the first differing byte
    line: int  # its line, from 1
    found: bytes  # the line in the site, up to LINE_LIMIT bytes each side of the difference
    expected: bytes  # the same line in the rebuilt site
    column: int  # of the difference in both


def _difference(found_path: Path, expected_path: Path) -> _Difference | None:
    """Where two files first differ, read a block at a time (never more than the rebuilt file
    and one block of the other: a file of gigabytes is not read whole), or None."""
    with _open_regular(found_path) as found, open(expected_path, "rb") as expected:
        offset, line, start = 0, 1, b""  # `start`: the current line's bytes before this block
        while True:
            a, b = found.read(BLOCK), expected.read(BLOCK)
            if a == b:
                if not a:
                    return None
                offset, line = offset + len(a), line + a.count(b"\n")
                newline = a.rfind(b"\n")
                start = a[newline + 1:][-LINE_LIMIT:] if newline >= 0 else (start + a)[-LINE_LIMIT:]
                continue
            same = _common_prefix(a, b)
            line += a.count(b"\n", 0, same)
            newline = a.rfind(b"\n", 0, same)
            start = a[newline + 1:same][-LINE_LIMIT:] if newline >= 0 else (start + a[:same])[-LINE_LIMIT:]
            return _Difference(offset + same, line, start + _rest_of_line(a[same:], found),
                               start + _rest_of_line(b[same:], expected), len(start))


def _open_regular(path: Path):
    """Open a file of the site only if it is still a regular file (it may have been swapped for a link or a FIFO)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path.name} is not a regular file")
    return os.fdopen(fd, "rb")


def _common_prefix(a: bytes, b: bytes) -> int:
    low, high = 0, min(len(a), len(b))  # a[:low] == b[:low]; they differ before `high` or one ends there
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _rest_of_line(data: bytes, stream) -> bytes:
    while b"\n" not in data and len(data) < LINE_LIMIT and (more := stream.read(LINE_LIMIT)):
        data += more
    return data.split(b"\n", 1)[0][:LINE_LIMIT]


def _described(name: str, found_path: Path, expected_path: Path, difference: _Difference) -> str:
    """What follows the file's name in the finding of a difference."""
    found, expected = difference.found, difference.expected
    binary = b"\0" in found + expected or _undecodable(found) or _undecodable(expected)
    where = f": byte {difference.offset}: " if binary else f":{difference.line}: "
    sizes = (os.path.getsize(found_path), os.path.getsize(expected_path))
    if difference.offset in sizes:  # one of them ends there
        longer = "goes on after" if difference.offset == sizes[1] else "ends before"
        return where + f"{longer} the end of what a build from the sources gives ({sizes[0]} bytes, not {sizes[1]})"
    output = site.output_at(name)
    if binary and output is not None and output.parts == "cells" and (cells := _workbook_parts(found_path, expected_path)):
        return where + cells
    if binary:
        return where + "differs from a build from the sources (a binary file)"
    if output is not None and output.parts == "records" and (parts := _json_parts(found, expected)):
        return where + parts
    what = _parts(output, found_path, expected_path) or "differs from a build from the sources"
    if found.endswith(b"\r") and expected.endswith(b"\r"):  # CRLF line ends (CSV, calendars)
        found, expected = found[:-1], expected[:-1]
    return where + f"{what}: {_excerpt(found, difference.column)} where the sources give " \
                   f"{_excerpt(expected, difference.column)}"


def _undecodable(data: bytes) -> bool:
    """Not UTF-8 text (its ends may cut a character: LINE_LIMIT)."""
    return data.decode("utf-8", "replace")[1:-1].count("\ufffd") > 0


def _excerpt(line: bytes, column: int, before: int = 30, after: int = 50) -> str:
    head = line[:column].decode("utf-8", "replace")
    tail = line[column:].decode("utf-8", "replace")
    text = ("…" + head[-before:] if len(head) > before else head) + (tail[:after] + "…" if len(tail) > after else tail)
    return '"' + _short(text, limit=before + after + 2) + '"' + ("" if tail else " (the end of the line)")


def _json_parts(found: bytes, expected: bytes) -> str | None:
    """A line of a JSON file with one object per line (directives.json, the build record): the
    directive and the fields that differ."""
    try:
        a, b = (json.loads(line.decode("utf-8").rstrip().rstrip(",")) for line in (found, expected))
    except ValueError:
        return None
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return None
    if "id" in b and a.get("id") != b["id"]:
        return f"directive '{_short(a.get('id'))}' where the sources give directive '{_short(b['id'])}'"
    whose = f"directive '{_short(b['id'])}' has " if "id" in b else "has "
    if isinstance(a.get("tools"), dict) and isinstance(b.get("tools"), dict):  # the build record: each tool
        a = {**{k: v for k, v in a.items() if k != "tools"}, **a["tools"]}
        b = {**{k: v for k, v in b.items() if k != "tools"}, **b["tools"]}
    differing = [f"{key} {_short(a.get(key))} where the sources give {_short(b.get(key))}"
                 for key in sorted(set(a) | set(b), key=str) if a.get(key) != b.get(key)]
    return whose + "; ".join(differing) if differing else None  # the same data, written otherwise


def _parts(output: site.Output | None, found_path: Path, expected_path: Path) -> str | None:
    """The rows of directives.csv, the events of a calendar or the entries of a feed that
    differ, are missing, repeated or extra (both files read whole: only up to PARTS_LIMIT)."""
    kind = _PARTS.get(output.parts) if output is not None and output.parts else None
    if kind is None or max(os.path.getsize(found_path), os.path.getsize(expected_path)) > PARTS_LIMIT:
        return None
    (one, many), parts_of = kind
    found, expected = (parts_of(path.read_bytes().decode("utf-8", "replace")) for path in (found_path, expected_path))
    described = [f"the {one} of '{_short(key)}' is missing" for key in expected if key not in found]
    described += [f"'{_short(key)}' has {len(parts)} {many}" for key, parts in found.items() if len(parts) > 1]
    described += [f"an extra {one} for '{_short(key)}'" for key in found if key not in expected]
    described += [f"the {one} of '{_short(key)}' is not what the sources give"
                  for key, parts in found.items() if key in expected and parts[0] != expected[key][0]]
    if len(described) > 3:
        described[3:] = [f"and {len(described) - 3} more"]
    return "; ".join(described) or None


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


def _workbook_parts(found_path: Path, expected_path: Path) -> str | None:
    """A workbook (directives.xlsx, a zip of XML parts): the cells that differ, by sheet and cell,
    read with openpyxl where it is installed; else, or when every cell is the same (a style, a
    property), the zip members that differ, are missing or extra. None if either is no zip, or
    their parts would unpack to more than PARTS_LIMIT (what a zip says it holds: it is read no further)."""
    try:
        with zipfile.ZipFile(found_path) as found, zipfile.ZipFile(expected_path) as expected:
            if max(sum(m.file_size for m in book.infolist()) for book in (found, expected)) > PARTS_LIMIT:
                return None
            members = ({m.filename: book.read(m) for m in book.infolist()} for book in (found, expected))
            found_members, expected_members = members
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError, KeyError):
        return None
    described = _cell_differences(found_path, expected_path)
    if not described:
        described = [f"the part '{_short(m)}' is missing" for m in expected_members if m not in found_members]
        described += [f"an extra part '{_short(m)}'" for m in found_members if m not in expected_members]
        described += [f"the part '{_short(m)}' is not what the sources give"
                      for m, data in found_members.items() if m in expected_members and data != expected_members[m]]
    if len(described) > 3:
        described[3:] = [f"and {len(described) - 3} more"]
    return "; ".join(described) or None


def _cell_differences(found_path: Path, expected_path: Path) -> list[str]:
    """The sheets and cells of two workbooks that differ (openpyxl; [] without it or when it cannot read them)."""
    try:
        import openpyxl  # a reader of workbooks, where installed (the tests' extra): not needed to build
    except ImportError:
        return []
    try:
        books = [openpyxl.load_workbook(path, read_only=True) for path in (found_path, expected_path)]
    except Exception:  # noqa: BLE001 - a tampered file may break the reader any way: the zip parts say more
        return []
    try:
        found, expected = ({sheet.title: {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row
                                          if cell.value is not None and hasattr(cell, "coordinate")}
                            for sheet in book.worksheets} for book in books)
    except Exception:  # noqa: BLE001
        return []
    finally:
        for book in books:
            book.close()
    described = [f"the sheet '{_short(name)}' is missing" for name in expected if name not in found]
    described += [f"an extra sheet '{_short(name)}'" for name in found if name not in expected]
    for name, cells in found.items():
        if name not in expected:
            continue
        want = expected[name]
        for ref in sorted(cells.keys() | want.keys(), key=_cell_order):
            if cells.get(ref) != want.get(ref):
                described.append(f"sheet '{_short(name)}' cell {ref}: {_short(_cell_text(cells.get(ref)))} "
                                 f"where the sources give {_short(_cell_text(want.get(ref)))}")
    return described


def _cell_text(value) -> str:
    return "(empty)" if value is None else repr(value.isoformat() if hasattr(value, "isoformat") else value)


def _cell_order(ref: str) -> tuple[int, int, str]:
    """A1 < B1 < A2: by row, then column (its letters by length, then alphabet)."""
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):] or 0), len(letters), letters


# How a difference inside an output is named, by its `parts` in the registry (site.OUTPUTS)
_PARTS = {
    "rows": (("row", "rows"), _csv_rows),
    "events": (("event", "events"), _events),
    "entries": (("entry", "entries"), _entries),
}


class _Urls(HTMLParser):
    """The URL attributes of a page, decoded as the browser reads them, with their lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)  # attribute values are always decoded
        self.urls: list[tuple[int, str, str]] = []  # (line, attribute, value)

    def handle_starttag(self, tag, attrs):
        refresh = any(name == "http-equiv" and (value or "").lower() == "refresh" for name, value in attrs)
        for name, value in attrs:
            if name in URL_ATTRIBUTES or (name == "content" and refresh):
                self.urls.append((self.getpos()[0], name, value or ""))

    handle_startendtag = handle_starttag


def script_url(value: str, attribute: str = "href") -> str | None:
    """The scheme of a URL a browser would run or load from outside the allow-list, or None."""
    candidates = [value]
    if attribute in ("srcset", "imagesrcset"):
        candidates = [part.strip().split(" ")[0] for part in value.split(",")]
    elif attribute == "values":  # <animate values="a;b">
        candidates = value.split(";")
    elif attribute == "content":
        match = _REFRESH_URL.search(value)
        candidates = [match.group(1).rstrip("'\"")] if match else []
    for url in candidates:  # html.parser has decoded the entities: what is left is what the browser reads
        if (scheme := disallowed_scheme(url)) and scheme not in TEMPLATE_SCHEMES:
            return scheme
    return None


def _scripts(site_dir: Path, files: dict[str, os.stat_result]) -> list[tuple[str, str]]:
    """Every URL attribute of every page that a browser would run (javascript:, data:, ...)."""
    findings = []
    allowed = ", ".join(sorted(URL_SCHEMES | TEMPLATE_SCHEMES))
    for name, info in sorted(files.items()):
        if not (stat.S_ISREG(info.st_mode) and name.lower().endswith(PAGE_SUFFIXES)):
            continue
        if info.st_size > PAGE_LIMIT:
            findings.append((name, f"{_shown(name)}: {info.st_size} bytes, more than any page of this site (not read)"))
            continue
        findings += [(name, f"{_shown(name)}:{line}: {attribute}=\"{_short(value)}\" is a '{scheme}:' URL "
                            f"(allowed: {allowed} and relative)")
                     for line, attribute, value in _page_urls(site_dir / name)
                     if (scheme := script_url(value, attribute))]
    return findings


def may_hold_script_url(text: str) -> bool:
    """Whether any attribute of a page may hold a script URL (never False where the parser would find one)."""
    for match in _VALUE.finditer(text):
        value = match.group(1)
        if ":" not in value and "&" not in value:
            continue
        name = _NAME_BEFORE.search(text, max(0, match.start() - _NAME_CHECKED), match.start())
        if name is None or not name.group(1).lower().endswith(_URL_ENDINGS):
            continue
        value = html.unescape(value.strip("\"'"))
        if any(script_url(value, how) for how in ("href", "srcset", "values", "content")):
            return True
    return False


def _page_urls(path: Path) -> list[tuple[int, str, str]]:
    """The URL attributes of a page, if any could hold a script URL (else []: most pages are
    never parsed)."""
    try:
        with _open_regular(path) as stream:
            # read(n) allocates n bytes: ask for no more than the file holds
            text = stream.read(min(os.fstat(stream.fileno()).st_size, PAGE_LIMIT)).decode("utf-8", "replace")
    except OSError:
        return []  # swapped while verify ran: the comparison says so
    if not may_hold_script_url(text):
        return []
    page = _Urls()
    page.feed(text)
    page.close()
    return page.urls


def _hidden(catalog: Catalog, project_dir: Path, site_dir: Path,
            files: dict[str, os.stat_result], configuration: tuple[Path, str] | None = None) -> list[tuple[str, str]]:
    """Files of hidden bulletins (pages, attachments, by path or by content) and their
    titles, directive ids and attachment names anywhere. `configuration`: the site's configuration
    file and its docs_dir (default: mkdocs.yml and docs/), whose text is published."""
    published_attachments = {site.attachment_src(b, a) for b in catalog.bulletins for a in b.attachments}
    findings = []
    digests: dict[int, dict[str, str]] = {}  # size -> sha256 -> source
    needles: dict[str, str] = {}
    paths: set[str] = set()  # the needles that are names in URLs: MkDocs writes every link percent-encoded
    for bulletin in catalog.hidden:
        why = hidden_because(bulletin, catalog.as_of, catalog.audience)
        for path in _page_files(bulletin):
            if path in files:
                findings.append((path, f"{path}: the page of '{bulletin.rel_path}', which is {why}"))
        # a link to its page: its name as the last part of its URL, with or without directory URLs
        for url in (rule.url(site.bulletin_src(bulletin)) for rule in url_rules()):
            last = url.rstrip("/").rpartition("/")[2] + ("/" if url.endswith("/") else "")
            needles.setdefault(unquote(last), f"a link to the page of '{bulletin.rel_path}' ({why})")
            paths.add(unquote(last))
        for attachment in bulletin.attachments:
            src = site.attachment_src(bulletin, attachment)
            # even if a published bulletin attaches it too: the file is the hidden one's
            # (sources.project.attachments_of_hidden), and no build publishes it
            if src in files:
                findings.append((src, f"{src}: an attachment of '{bulletin.rel_path}', which is {why}"))
            try:
                data = attachment.source.read_bytes()
            except OSError:
                continue
            digests.setdefault(len(data), {})[hashlib.sha256(data).hexdigest()] = f"'{bulletin.rel_path}' ({why})"
            needles.setdefault(os.path.basename(attachment.path), f"an attachment name of '{bulletin.rel_path}' ({why})")
            paths.add(os.path.basename(attachment.path))
        needles.setdefault(bulletin.title, f"the title of '{bulletin.rel_path}' ({why})")
        for directive in bulletin.directives:
            needles.setdefault(directive.id, f"the id of directive '{directive.id}' of '{bulletin.rel_path}' ({why})")
            needles.setdefault(directive.title, f"the title of directive '{directive.id}' of '{bulletin.rel_path}' ({why})")
    if published_attachments:  # a file with the same bytes may be published legitimately
        for b in catalog.bulletins:
            for a in b.attachments:
                try:
                    data = a.source.read_bytes()
                except OSError:
                    continue
                digests.get(len(data), {}).pop(hashlib.sha256(data).hexdigest(), None)
    published_text = _published_text(project_dir, catalog, *(configuration or ()))
    pattern, meaning = _needles({text: why for text, why in needles.items()
                                 if len(text.strip()) >= MIN_NEEDLE and text not in published_text}, paths)
    overlap = overlap_for(meaning)
    for name, info in sorted(files.items()):
        shown = _shown(name)
        if pattern is not None and (hit := pattern.search(name.encode("utf-8", "surrogateescape"))):
            findings.append((name, f"{shown}: its name contains {meaning[hit.group(0)]}"))
        if not stat.S_ISREG(info.st_mode):
            continue  # a finding of its own (_compare): never opened
        if info.st_size > SEARCH_LIMIT and info.st_size not in digests:
            continue
        try:
            sizes = digests.get(info.st_size)
            if sizes:
                with _open_regular(site_dir / name) as stream:
                    if source := sizes.get(hashlib.file_digest(stream, "sha256").hexdigest()):
                        findings.append((name, f"{shown}: has the bytes of an attachment of {source}"))
            if pattern is not None and info.st_size <= SEARCH_LIMIT:
                found = {meaning[m] for m in _matches(_blocks(site_dir / name, name), pattern, overlap)}
                findings += [(name, f"{shown}: contains {what}") for what in sorted(found)]
        except OSError:
            continue  # swapped while verify ran: the comparison says so
    return findings


def _blocks(path: Path, name: str) -> Iterator[bytes]:
    """A file of the site in blocks, as its text can be searched: a Pagefind chunk or fragment
    whole and decompressed (pagefind.readable, which bounds it), the workbook's XML parts
    decompressed (workbook.readable, bounded too), any other file a block at
    a time, so that a file of gigabytes is never held whole."""
    with _open_regular(path) as stream:
        if name.startswith(f"{pagefind.FOLDER}/"):
            # read(n) would allocate all n bytes: ask for no more than the file holds
            yield pagefind.readable(name, stream.read(min(os.fstat(stream.fileno()).st_size, pagefind.READABLE_LIMIT)))
            return
        if name == site.EXPORT_XLSX:  # a zip: its text cells are in its compressed XML parts
            yield workbook.readable(stream.read(min(os.fstat(stream.fileno()).st_size, SEARCH_LIMIT)))
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


def _page_files(bulletin: Bulletin) -> list[str]:
    """Where its page would be, with or without directory URLs."""
    src = site.bulletin_src(bulletin)
    return [rule.dest(src) for rule in url_rules()]


def _needles(texts: dict[str, str], paths: Iterable[str] = ()):
    """One regular expression for every form a text takes in the site's files (as written,
    HTML-escaped, in JSON; those in `paths`, names in URLs, percent-encoded too, as the URL rule
    MkDocs' encodes them), and what each match means."""
    meaning: dict[bytes, str] = {}
    paths = set(paths)
    for text, why in texts.items():
        forms = {text, html.escape(text, quote=False), html.escape(text), str(escape(text)), json.dumps(text)[1:-1],
                 json.dumps(text, ensure_ascii=False)[1:-1],
                 json.dumps(text, ensure_ascii=False)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e")
                 .replace("&", "\\u0026")}
        if text in paths:  # its percent-encoded form is ASCII, in every format the same
            forms.add(quote(text))
        for form in forms:
            meaning.setdefault(form.encode("utf-8"), why)
    if not meaning:
        return None, meaning
    alternatives = b"|".join(re.escape(form) for form in sorted(meaning, key=len, reverse=True))
    # not inside a longer id or word: `DRILL-1` is no evidence in `DRILL-10`
    return re.compile(rb"(?<![\w.-])(?:" + alternatives + rb")(?![\w-]|\.\w)"), meaning


def _published_text(project_dir: Path, catalog: Catalog, config_file: Path | None = None,
                    docs_dir: str = "docs") -> str:
    """What published sources say: a hidden title that is also written there is no evidence."""
    parts = [b.source.read_text(encoding="utf-8", errors="replace") for b in catalog.bulletins]
    config_file = config_file or project_dir / "mkdocs.yml"
    # the configuration a site inherits settings from is published as much as its own
    configs = [config_file, *([project_dir / "mkdocs.yml"] if config_file != project_dir / "mkdocs.yml" else [])]
    for extra in [*configs, project_dir / "bulletins" / "units.yml",
                  *sorted((config_file.parent / docs_dir).rglob("*"))]:
        if extra.is_file() and extra.suffix in (".yml", ".md", ".html", ".txt", ".css", ".js"):
            parts.append(extra.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def _shown(name: str) -> str:
    """A path of the site for a finding: a name that is not UTF-8 or holds control characters shown with escapes."""
    return _short(name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"), limit=1000)


def _short(value, limit: int = 60) -> str:
    """A value for a one-line finding: control characters shown as escapes, long ones cut."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return printable(text)
