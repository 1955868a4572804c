"""Search with Pagefind (`extra: bulletins: search: pagefind`) for the served site.

Material's search downloads one lunr index of the whole archive into every reader's browser
before the first answer (91.5 MB at 10,000 bulletins). Pagefind indexes the written site
once, at the end of the build, into chunks, and the browser fetches only the chunks and
page fragments a query needs. Material's search box stays: Material talks to its search
through a Web Worker (messages SETUP, READY, QUERY, RESULT: the worker URL is part of its
page configuration), so the pages load `assets/safety-bulletins/search.js` instead, which
answers the same messages from Pagefind. Everything else (the box, its place, the keyboard,
the result list, highlighting) is Material's.

What is indexed: bulletin pages only, from their `data-pagefind-body` element (once one page
of a site has one, Pagefind skips every page without it: listings, the dashboard, the
guides). Their header, sign-off and the cards' facts are `data-pagefind-ignore`. Drafts
and other hidden bulletins have no page, so nothing of theirs can be indexed.

The offline copy (file://) keeps Material's search: browsers refuse to fetch files from
file:// pages, and Pagefind fetches its chunks.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from .. import processes
from ..catalog import Catalog
from ..model import BULLETIN_TYPES, Bulletin, Directive
from .filters import filter_options
from .labels import Labels
from .site import PAGEFIND_FOLDER, web_json

FOLDER = PAGEFIND_FOLDER  # in the site folder, beside the pages
# One index for English and Chinese, whatever the UI language: Pagefind's extended build
# segments Chinese only in a zh index, and splits English words on spaces in it too.
LANGUAGE = "zh"
# Material's page configuration names its search worker; the pages get ours in its place.
_MATERIAL_WORKER = re.compile(r'("search":\s*")([^"]*?)assets/javascripts/workers/search\.[0-9a-f]+\.min\.js"')
SEARCH_FORM = 'data-md-component="search"'
# Only bulletin pages have a data-pagefind-body; reading the listings (hundreds of MB at 10,000
# bulletins) only to skip them would be most of Pagefind's time
PAGES = "bulletins/**/*.html"
# Not words of the page: the headings' permalink sign (¶), which Pagefind would put in every title
NOT_TEXT = (".headerlink",)
# Pagefind's own search interfaces: Material's box is the site's, so they are never loaded
# (and its own worker, which pagefind.js starts only in a page, never inside our worker)
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js", "pagefind-worker.js")
# A page's cards, for the worker only (see body)
CARD_FILTER = "card"
NOTHING = "nothing (no bulletin has text to index: search finds nothing)"
# Pagefind's time limit: it indexes 10,000 bulletin pages in about 25 s, and never exits when the disk
# runs out of inodes. The limit grows with the pages to index, 20 times what they take and a floor.
TIMEOUT_FLOOR = 20  # seconds
TIMEOUT_PER_PAGE = 0.05  # seconds


def timeout_for(site_dir: Path) -> float:
    """Pagefind's time limit for the pages it will read in `site_dir` (what `PAGES` matches)."""
    pages = sum(1 for _ in Path(site_dir).glob(PAGES))
    return TIMEOUT_FLOOR + TIMEOUT_PER_PAGE * pages


class PagefindError(RuntimeError):
    """Pagefind could not index the site; the message says what it printed."""


def body(bulletin: Bulletin, statuses: list[str], units: list[str], type_label: str, content: str,
         cards: dict[str, tuple[list[str], str]] | None = None) -> str:
    """A bulletin page's content as Pagefind's body, with what search results show of the
    bulletin (meta: title, date, type, document number) and what they can be filtered by (unit,
    type, year, status). Values are taken from attributes (`key[attr]`), never from text: a
    title with a comma or a colon stays whole, and none of it is indexed as words.

    `cards`: each card's anchor (a directive's id, a follow-up's anchor) and the units and
    status of its directive. Pagefind filters whole pages: each card is a value of the page's
    `card` filter (`CARD_FILTER`, JSON: [anchor, units, status]), which the worker reads from
    the page's data to keep only the cards that match the filters (assets/search.js). Not meta:
    Pagefind 1.5 searches the words of meta, and "open" or a unit's id would find every page;
    the worker never filters by it, so Pagefind never fetches its values. The document number
    is indexed as words of the page too (from an attribute: no text)."""
    meta = {"data-title": bulletin.title, "data-date": bulletin.date.isoformat(), "data-type": type_label}
    spec = "title[data-title], date[data-date], type[data-type]"
    if bulletin.number:
        meta["data-number"] = bulletin.number
        spec += ", number[data-number]"
    parts = ['<div data-pagefind-body>', _hidden("data-pagefind-meta", spec, meta)]
    if bulletin.number:
        parts.append(f'<span data-pagefind-index-attrs="data-sb-terms" data-sb-terms="{html.escape(bulletin.number)}">'
                     '</span>')
    filters = [("type", bulletin.type), ("year", str(bulletin.date.year))]
    filters += [("unit", unit) for unit in units] + [("status", status) for status in statuses]
    filters += [(CARD_FILTER, json.dumps([anchor, sorted(card_units), status], ensure_ascii=False, separators=(",", ":")))
                for anchor, (card_units, status) in sorted((cards or {}).items())]
    parts += [_hidden("data-pagefind-filter", f"{name}[data-value]", {"data-value": value}) for name, value in filters]
    return "".join(parts) + "\n" + content + BODY_END


BODY_END = "</div>\n"  # what `body` writes after the content


def body_start(*args, **kwargs) -> str:
    """What `body` writes before the content (its arguments, the content left out), which ends with
    BODY_END: so that the parts of a page can be made before its content (site_build/sitebuild.py)."""
    return body(*args, "", **kwargs).removesuffix(BODY_END)


def card_terms(directive: Directive) -> str:
    """What a directive's card is found by beyond its text: what the digest, the CSV and the
    calendars print of it (its id, its owners and leader; its bulletin's document number is the page's,
    see `body`: on every card it would fill their excerpts). Indexed from an attribute
    (Pagefind's `data-pagefind-index-attrs`) of an empty element: no text on the page."""
    people = (directive.owner, *(person for _, person in directive.owners), directive.details.get("leader"))
    terms = " ".join(dict.fromkeys(filter(None, (directive.id, *people))))  # 责任人 per unit and 责任领导 too
    return f'<span data-pagefind-index-attrs="data-sb-terms" data-sb-terms="{html.escape(terms)}"></span>'


def filter_choices(catalog: Catalog, labels: Labels, unit_name) -> str:
    """search-filters.json: what the filters beside the search box offer (assets/search-filters.js),
    in the site's language: the values `body` gives the published pages (types and years of
    bulletins, units and statuses of their directives, as the register's filter has them).
    `unit_name(id)` names a unit, `all` included."""
    register = filter_options(catalog, catalog.register)
    filters = [
        ("unit", labels("Unit"), [(unit, unit_name(unit)) for unit in register.units]),
        ("type", labels("Type"), [(kind, labels.TYPES[kind]) for kind in BULLETIN_TYPES if kind in catalog.types]),
        ("year", labels("Year"), [(str(year), labels.year(year)) for year in sorted(catalog.years, reverse=True)]),
        ("status", labels("Status"), [(status, labels.STATUSES[status]) for status in register.statuses]),
    ]
    return web_json(json.dumps({
        "filters": [{"name": name, "label": label, "options": choices} for name, label, choices in filters],
        "words": {"label": labels("Filter the results"), "any": labels("Any"),
                  "more": labels("{total} bulletins found; the best {shown} are listed: add a word or a filter "
                                 "to narrow them"),
                  "some": labels("More bulletins were found; the best {shown} are listed"),
                  "show_more": labels("Show more results")},
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))) + "\n"


def _hidden(attribute: str, spec: str, values: dict[str, str]) -> str:
    extra = "".join(f' {name}="{html.escape(value)}"' for name, value in values.items())
    return f'<span {attribute}="{spec}"{extra} hidden></span>'


def use_worker(output: str, worker: str, page_script: str) -> str:
    """A written page with our search worker in place of Material's, and the script of the
    filters beside the box in its head, before Material's bundle starts the worker (`worker`
    and `page_script`: their paths from the site's root; Material's own path is relative to
    the page, and so are the new ones)."""
    if SEARCH_FORM not in output:
        return output
    # Only in Material's own configuration (a bulletin's code may quote the same text), and only
    # a path up to the site's root, relative to the page or (404.html, served for any missing
    # path) from the server's root: the script tag below is made from it
    config = output.rfind('<script id="__config"')
    match = _MATERIAL_WORKER.search(output, config, output.find("</script>", config)) if config >= 0 else None
    if match is not None and not re.fullmatch(r"(\.\./)*|/(?:(?!\.\.?/)[A-Za-z0-9._~-]+/)*", match[2]):
        match = None
    head_end = output.find("</head>")
    if match is None or head_end < 0:  # a theme override changed Material's page: the box would search nothing
        raise PagefindError("the page has Material's search box but no Material search worker in its configuration "
                            "(a theme override of base.html?): search: pagefind cannot answer it")
    to_root = match[2]
    output = output[:match.start()] + f'{match[1]}{to_root}{worker}"' + output[match.end():]
    return output[:head_end] + f'<script src="{html.escape(to_root)}{page_script}"></script>' + output[head_end:]


class Run:
    """One Pagefind run over a written site. It indexes into a staging folder beside the
    index and puts it in place only when complete (Pagefind names its chunks by content and
    never removes old ones, so each run starts empty): a reader searching meanwhile gets
    the previous index, never half of one. `cancel` stops it from another thread (`mkdocs
    serve` indexes in the background, and a newer rebuild makes an older run pointless)."""

    def __init__(self, site_dir: Path, timeout: float | None = None, background: bool = False):
        self.site_dir = Path(site_dir)
        self.timeout = timeout  # None: timeout_for(site_dir), once the pages are written
        self.background = background  # at a lower CPU priority than the build (the preview's next rebuild)
        self._process: subprocess.Popen | None = None
        self._cancelled = False

    def __call__(self) -> str:
        """Index the site into `site_dir/pagefind/`; returns what Pagefind says it indexed.
        A site with no bulletin text to index (no bulletins, or only titles and dates) gets
        no index, and search finds nothing. Raises PagefindError if Pagefind fails (or was
        cancelled). Nothing of the staging folder is left behind, whatever happens."""
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-", dir=self.site_dir))  # its own: runs may overlap
        except OSError as exc:
            raise PagefindError(f"cannot make Pagefind's staging folder in {self.site_dir}: {exc.strerror}") from None
        try:
            stdout = self._index(staging)
            if stdout is None:
                shutil.rmtree(self.site_dir / FOLDER, ignore_errors=True)
                return NOTHING
            canonicalize(staging)
            for name in UNUSED:
                (staging / name).unlink(missing_ok=True)
            self._put_in_place(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return _summary(stdout)

    def _index(self, staging: Path) -> str | None:
        """Pagefind's report, or None if it found no page with text (it then refuses to write an index)."""
        command = [sys.executable, "-m", "pagefind", "--site", str(self.site_dir), "--output-path", str(staging),
                   "--force-language", LANGUAGE, "--glob", PAGES, *(f"--exclude-selectors={s}" for s in NOT_TEXT)]
        timeout = self.timeout if self.timeout is not None else timeout_for(self.site_dir)
        # In a process group of its own, stopped whole on timeout; the preview's stays in the terminal's
        # group, which Ctrl-C reaches (that closes the preview while its indexing thread is left as it is)
        grouping = {"process_group": -1} if self.background else {}
        try:
            self._process = processes.start(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            stdin=subprocess.DEVNULL, text=True, **grouping)
        except OSError as exc:
            raise PagefindError(f"cannot run Pagefind ({exc}): pip install 'pagefind[extended]>=1.3,<2'") from None
        if self.background:  # not preexec_fn: unsafe in a process with threads (the preview's)
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self._process.pid, 10)
        if self._cancelled:  # cancelled while it started
            self._kill()
        try:
            stdout, stderr = processes.wait(self._process, timeout)
        except processes.TimeLimitExceeded:
            raise PagefindError(f"Pagefind did not finish indexing {self.site_dir} within {timeout:g} s and was "
                                f"stopped ({TIMEOUT_FLOOR} s + {TIMEOUT_PER_PAGE} s per bulletin page); is the disk "
                                "full or out of inodes? (df -h; df -i)") from None
        if self._cancelled:
            raise PagefindError("cancelled: a newer build indexes the site")
        if self._process.returncode < 0:  # stopped from outside (Ctrl-C in the preview's terminal, the OOM killer)
            name = next((s.name for s in signal.Signals if s.value == -self._process.returncode), "a signal")
            raise PagefindError(f"Pagefind was stopped by {name} while indexing {self.site_dir}")
        if self._process.returncode != 0 and re.search(r"^\s*Indexed 0 pages$", stdout, re.MULTILINE):
            return None
        if self._process.returncode != 0 or not (staging / "pagefind.js").is_file():
            said = (stderr.strip() or stdout.strip())[-2000:]
            raise PagefindError(f"Pagefind failed on {self.site_dir} (exit {self._process.returncode}): "
                                f"{said or 'no output'}; is 'pagefind[extended]>=1.3,<2' installed in this Python?")
        return stdout

    def _put_in_place(self, staging: Path) -> None:
        """A build replaces the index whole. The preview adds the new files to the old ones
        (their names are hashes of their content, so they sit side by side): a page opened
        before the rebuild still finds the chunks its worker's meta names."""
        target = self.site_dir / FOLDER
        if self.background and target.is_dir():
            for path in sorted(staging.rglob("*")):
                if path.is_file():
                    dest = target / path.relative_to(staging)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, dest)
            return
        old = self.site_dir / f".{FOLDER}-old-{os.getpid()}"
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)

    def cancel(self) -> None:
        self._cancelled = True
        if self._process is not None and self._process.poll() is None:
            self._kill()

    def _kill(self) -> None:
        """Its whole process group (the preview's: the process): the thread that waits for it reaps it."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.background:
                self._process.kill()
            else:
                os.killpg(self._process.pid, signal.SIGKILL)


def index_site(site_dir: Path, timeout: float | None = None) -> str:
    """Index the written site into `site_dir/pagefind/` (see Run)."""
    return Run(site_dir, timeout)()


def canonicalize(folder: Path) -> None:
    """Make Pagefind's output the same bytes for the same pages. Pagefind writes each
    filter's values in the order of a Rust HashMap, which is seeded at random in every run:
    the same data in another order, so other file names (they are hashes of the content),
    and so another `pagefind.<hash>.pf_meta` and `pagefind-entry.json`. The index chunks and
    the page fragments are already stable. This sorts the values (and the filters in the
    meta), names the rewritten files by their content as Pagefind does, and points the meta
    and the entry at them. The files are `pagefind_dcd` + CBOR, gzipped (no timestamp)."""
    folder = Path(folder)
    entry_path = folder / "pagefind-entry.json"
    entry_data = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry_data["languages"].values():
        meta_path = folder / f"pagefind.{language['hash']}.pf_meta"
        meta = _read_cbor(meta_path)
        prefix = language["hash"].split("_")[0]  # the language: zh_<hash>
        renamed = []
        for name, old_hash in sorted(meta[3], key=lambda f: f[0]):
            old = folder / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = _read_cbor(old)
            data = _encode_cbor([filter_name, sorted(values, key=lambda v: v[0])])
            new_hash = f"{prefix}_{hashlib.sha256(data).hexdigest()[:7]}"
            old.unlink()
            _write_cbor(folder / "filter" / f"{new_hash}.pf_filter", data)
            renamed.append([name, new_hash])
        meta[3] = renamed
        data = _encode_cbor(meta)
        language["hash"] = f"{prefix}_{hashlib.sha256(data).hexdigest()[:10]}"
        meta_path.unlink()
        _write_cbor(folder / f"pagefind.{language['hash']}.pf_meta", data)
    entry_path.write_text(json.dumps(entry_data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


_SIGNATURE = b"pagefind_dcd"


def _read_cbor(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise PagefindError(f"{path}: not a Pagefind file (a Pagefind version this site does not know?)")
    value, end = _decode(data, len(_SIGNATURE))
    if end != len(data):
        raise PagefindError(f"{path}: unexpected data after the index")
    return value


def _write_cbor(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def _decode(data: bytes, at: int):
    """One CBOR item (RFC 8949) of the kinds Pagefind writes: integers, strings, arrays, maps."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n, at = int.from_bytes(data[at:at + size], "big"), at + size
    else:
        raise PagefindError(f"unexpected CBOR item {data[at - 1]:#x} in a Pagefind file")
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major in (2, 3):
        raw = data[at:at + n]
        return (raw if major == 2 else raw.decode("utf-8")), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = {}
        for _ in range(n):
            key, at = _decode(data, at)
            pairs[key], at = _decode(data, at)
        return pairs, at
    if major == 7 and info in (20, 21, 22):
        return {20: False, 21: True, 22: None}[info], at
    raise PagefindError(f"unexpected CBOR item {data[at - 1]:#x} in a Pagefind file")


def _encode(value) -> bytes:
    if value is False or value is True or value is None:
        return bytes([{False: 0xF4, True: 0xF5, None: 0xF6}[value]])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(map(_encode, value))
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _head(major: int, n: int) -> bytes:
    """The shortest head for `n`, as Pagefind's encoder (minicbor) writes it."""
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(f"{n} does not fit in CBOR")


def _encode_cbor(value) -> bytes:
    return _SIGNATURE + _encode(value)


def _summary(stdout: str) -> str:
    """'45 pages, 1234 words, 4 filters' from Pagefind's report."""
    found = dict((what, int(n)) for n, what in re.findall(r"Indexed (\d+) (pages?|words?|filters?)", stdout))
    return ", ".join(f"{n} {what}" for what, n in found.items()) or stdout.strip()[-200:]


READABLE_LIMIT = 256 * 2**20  # bytes: no file of an index decompresses to more (a fragment is one page)


def readable(name: str, data: bytes) -> bytes:
    """A file of the site as its text can be searched: Pagefind's chunks and fragments
    (`*.pf_*`) are gzipped, and their text has U+200B between words (Pagefind's word
    boundaries), which would hide a phrase. Other files as they are. Decompresses at most
    READABLE_LIMIT bytes: the folder checked may not be ours."""
    if not name.rsplit("/", 1)[-1].rpartition(".")[2].startswith("pf_") or data[:2] != b"\x1f\x8b":
        return data
    try:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        text = inflater.decompress(data, READABLE_LIMIT)
    except zlib.error:
        return data
    return text.replace("\u200b".encode(), b"")


def index_files(site_dir: Path) -> dict[str, int]:
    """The files of the index and their sizes (for the benchmark and the tests)."""
    root = Path(site_dir, FOLDER)
    return {p.relative_to(root).as_posix(): p.stat().st_size for p in sorted(root.rglob("*")) if p.is_file()}


def entry(site_dir: Path) -> dict:
    return json.loads(Path(site_dir, FOLDER, "pagefind-entry.json").read_text(encoding="utf-8"))
