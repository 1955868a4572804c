"""Everything one site build needs from the bulletins, independent of MkDocs.

The MkDocs plugin (mkdocs_adapter/plugin.py) asks this object which files to add (the makers of
the registry, outputs/site.py OUTPUTS), what each page's title and content are, and what to export.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as dt
import fcntl
import functools
import hashlib
import html
import importlib.metadata
import itertools
import json
import multiprocessing
import os
import pickle
import posixpath
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..outputs import filters, pagefind, site
from ..outputs.site import Links
from ..outputs.calendars import Calendars
from ..sources.paths import not_utf8_name, unsafe_file
from ..catalog import Catalog
from ..outputs.export import directives_json, share_records
from ..outputs.feeds import Feed, feed_titles, feeds, render as render_feed, xml_text
from ..outputs.spreadsheet import directive_rows, directives_by_unit_csv, directives_csv
from ..outputs.workbook import directives_xlsx
from ..outputs.schema import schema_text
from .history import History, git_history
from ..outputs.labels import for_language
from ..outputs import markdown_ext
from ..outputs.markdown_ext import FACTS_PLACEHOLDER, Card, facts_placeholder, page_markdown
from ..model import DEFAULT_TIME_ZONE, Bulletin, Directive, DueWindows, FollowUp, Problem
from ..outputs.pages import GeneratedPage, generated_pages
from ..sources.parse import LOOSE_DIRECTIVE
from ..sources.project import DEFAULT_AUDIENCE, Project, load_project
from ..outputs.render import Renderer
from .incremental import KeptRows, ShownBefore, SourceCache, shallow
from .rendering import Job, Judge, MarkdownConfig, WorkerPool
from ..outputs.sanitize import OWN_MARK, sanitize


# Changes whenever this package's code or templates change, so dirty builds redo every page
PACKAGE_VERSION = hashlib.sha256(b"".join(
    p.read_bytes() for p in sorted(Path(__file__).parents[1].rglob("*")) if p.is_file() and p.suffix != ".pyc"
)).hexdigest()
# Their templates, Markdown extensions and CSS shape every page: a new version redoes them all
SITE_TOOLS = ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown")
# The script that recounts deadlines on the reader's date: a file of the build, like the pages
LIVE_SCRIPT_SOURCE = Path(__file__).parents[1] / "outputs" / "assets" / "live.js"
# The scripts and the stylesheet of the site, copied as they are (their entries in site.OUTPUTS say when)
SCRIPTS = {src: LIVE_SCRIPT_SOURCE.parent / posixpath.relpath(src, posixpath.dirname(site.LIVE_SCRIPT))
           for src in (site.LIVE_SCRIPT, site.FILTER_SCRIPT, site.STYLESHEET, site.SEARCH_WORKER, site.SEARCH_FILTERS_SCRIPT,
                       site.OFFLINE_WORKER_SHIM, site.OFFLINE_WORKER_FRAME, site.OFFLINE_WORKER_LICENSE)}
LISTING_PLACEHOLDER = '<div class="sb-listing"></div>'
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # Linux's; Python 3.10+ names it
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)
_ID = re.compile(r'<[a-zA-Z][^<>]*? id="([^"]*)"')  # in a tag: text may hold ' id="x"' (Markdown leaves quotes)
# A card's heading, as our extension makes it: its class list holds the build's secret mark
_CARD_TITLE = re.compile(rf'<h3(?=[^>]* class="{OWN_MARK} sb-(?:directive|follow-up)__title")[^>]*? id="([^"]*)"')
# A card's header as page_markdown writes it, found as text (ids and anchors are [\w.-]+)
_RENAMED_HEADING = re.compile(r'<h[1-6] id="([^"]*)_([0-9]+)"')
_CARD_HEADER = re.compile(r"\b(directive|follow-up) \| ([\w.-]+)(?![\w.-])")
_HOW_TO_KEEP = (
    "a plugin, a theme override or a template removed it before the page was written (comment-stripping "
    "minifiers do, when they run before this hook's on_post_page): remove that plugin or let it run later "
    "(mkdocs.plugins.event_priority below 100)"
)


# The listings' templates that read of the catalog only their page's context, what _also_shown adds and
# what every page shares (the as-of date, the units, the labels): the preview keeps their pages unchanged
_LOCAL_TEMPLATES = frozenset({"unit.html", "register.html", "archive_year.html", "archive_type.html"})


def _same(last: tuple, now: tuple) -> bool:
    """A bulletin page's inputs as the preview compares them: the bulletin the same object, the rest equal."""
    return last[0] is now[0] and last[1:] == now[1:]


_MADE_BESIDE = "the feeds, exports and calendars (Atom, directives.json, CSV, workbook, .ics)"


class OutputsError(RuntimeError):
    """The process making the feeds and big outputs failed; the message says how."""


class _OutputsProcess:
    """`make` run in a forked process; `join` raises OutputsError with what went wrong in it."""

    def __init__(self, make):
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe(duplex=False)
        self.process = context.Process(target=_make_outputs, args=(theirs, make), name="bulletins-outputs",
                                       daemon=True)
        self.process.start()
        theirs.close()

    def join(self) -> str:
        """What it took ("6.2 s of CPU, 7.9 s; waited 0.0 s for it"), once it is done."""
        waiting = time.monotonic()
        try:  # before join: a long message would fill the pipe and block it
            failure, cpu, seconds = self.connection.recv()
        except EOFError:
            failure = None
        self.process.join()
        self.connection.close()
        if failure:
            raise OutputsError(f"making {_MADE_BESIDE} failed: {failure}")
        if self.process.exitcode != 0:
            raise OutputsError(f"the process making {_MADE_BESIDE} ended with exit code {self.process.exitcode}"
                               + (" (killed: out of memory?)" if self.process.exitcode == -signal.SIGKILL else ""))
        return f"{cpu:.1f} s of CPU in {seconds:.1f} s; the build waited {time.monotonic() - waiting:.1f} s for them"

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


def _make_outputs(connection, make) -> None:
    started = time.monotonic()
    try:
        make()
    except BaseException as exc:  # noqa: BLE001 - whatever it is, the build says it and fails
        connection.send((f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}", 0.0, 0.0))
        connection.close()
        raise SystemExit(1) from None
    connection.send(("", time.process_time(), time.monotonic() - started))  # a forked process's CPU starts at 0
    connection.close()


class _PartsProcess:
    """`parts()`, pairs of (key, value) in the order the page loop asks for them, made in a forked
    process, each written to a file of a folder of their own and named in the pipe (tiny ones sent
    in it), so that the process runs ahead of the page loop as far as it can (the listings come last,
    but are made while the bulletins are written; a pipe that filled would stop it) without the
    build holding them in memory (listings grow with the archive): each file is read and deleted as
    it is taken.
    `take` gives None for what the process did not make (not in `keys`, asked for out of order
    after it stopped, or it failed): the build then makes it itself, with the same result."""

    PIPE_BYTES = 1 << 20  # Linux's default pipe-max-size
    IN_PIPE = 1 << 10  # a part of at most this many bytes (pickled) goes through the pipe; the pipe never fills
    STALL_SECONDS = 120.0  # no part for this long: the process is given up (a listing page takes well under 1 s)

    def __init__(self, parts: Callable[[], Iterator[tuple[tuple, object]]], keys: set[tuple]):
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe(duplex=False)
        try:
            fcntl.fcntl(theirs.fileno(), F_SETPIPE_SZ, self.PIPE_BYTES)
        except OSError:  # a lower limit in /proc/sys/fs/pipe-max-size: the default 64 KiB works too
            pass
        self.folder = Path(tempfile.mkdtemp(prefix="bulletins-pages-"))
        # a build stopped by Ctrl-C never reaches stop() (MkDocs calls on_build_error for Exceptions only):
        # the folder (every listing's HTML) goes when the interpreter ends, or when stop() calls this
        self._remove_folder = weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)
        self.process = context.Process(target=_send_parts, args=(theirs, parts, self.folder), name="bulletins-pages",
                                       daemon=True)
        self.process.start()
        theirs.close()
        self.keys, self.got, self.ended = keys, {}, False
        self.taken, self.waited = 0, 0.0  # parts taken, and seconds the page loop waited for them
        self.why_ended = ""  # what stopped it early, for the build's summary

    def take(self, key: tuple):
        while key in self.keys and key not in self.got and not self.ended:
            waiting = time.monotonic()
            try:
                # a process stuck (stopped, starved) must not hold the build: it makes the rest itself
                item = self.connection.recv() if self.connection.poll(self.STALL_SECONDS) else ("!", "stalled")
            except (EOFError, OSError):
                item = ("!", "it ended without a word")
            if item is None:  # all sent: what is missing is made by the build
                self.ended = True
            elif item[0] == "!":  # it failed or stalled: the same
                self.ended, self.why_ended = True, item[1]
                self.process.kill()
            else:
                self.got[item[0]] = item[1]
            self.waited += time.monotonic() - waiting
        self.keys.discard(key)
        sent = self.got.pop(key, None)
        if isinstance(sent, Path):
            try:
                data = sent.read_bytes()
                sent.unlink()
            except OSError:  # the build makes it itself
                return None
        elif sent is None:
            return None
        else:
            data = sent
        self.taken += 1
        return pickle.loads(data)

    def stop(self) -> str:
        """Stop it (all it made is taken, or the build stopped), and say what it gave."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()
        self._remove_folder()
        ended = f"; it stopped early ({self.why_ended.strip().splitlines()[-1]}): the build made the rest" \
            if self.why_ended else ""
        return (f"{self.taken} parts of pages (headers, cards' facts, listings) made beside the page loop; "
                f"it waited {self.waited:.1f} s for them{ended}")


def _send_parts(connection, parts, folder: Path) -> None:
    try:
        for n, (key, value) in enumerate(parts()):
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) > _PartsProcess.IN_PIPE:
                path = folder / str(n)
                path.write_bytes(data)
                connection.send((key, path))
            else:
                connection.send((key, data))
        connection.send(None)
    except BaseException:  # noqa: BLE001 - the build makes what is missing itself, and meets the same error
        try:
            connection.send(("!", traceback.format_exc()[-2000:]))
        except (OSError, ValueError):
            pass
    finally:
        connection.close()


class _Remake:
    """`make` in a child forked from this process (which has threads: `mkdocs serve`'s server and
    watcher). The child only computes and writes files, logs nothing, runs at a lower priority and
    ends with os._exit; its failure comes back through a pipe. `wait` gives `made` once it is done,
    None if it was stopped, and raises OutputsError if it failed."""

    def __init__(self, make: Callable[[], object], made: dict[str, Path]):
        self.made = made
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (its end is os._exit: no atexit, no stdio flush)
            code = 1
            try:
                os.close(read)
                # Ctrl-C reaches the process group: the server stops this child itself; and it dies with
                # the server, whose listening socket it holds (inherited) until it ends
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                _die_with_parent()
                os.nice(10)  # the next edit's rebuild first
                make()
                code = 0
            except BaseException:  # noqa: BLE001 - whatever it is, the parent says it
                os.write(write, traceback.format_exc()[-4000:].encode("utf-8", "replace"))
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self._read = pid, read
        self._lock, self._status = threading.Lock(), None

    def wait(self) -> dict[str, Path] | None:
        _, status = os.waitpid(self.pid, 0)  # without the interpreter's lock
        with self._lock:
            self._status = status
        with os.fdopen(self._read, "rb") as pipe:
            failure = pipe.read().decode("utf-8", "replace")
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            return None  # stopped (or killed by the system: the next rebuild makes them again)
        if failure or os.waitstatus_to_exitcode(status) != 0:
            raise OutputsError(f"making {_MADE_BESIDE} failed (exit status {os.waitstatus_to_exitcode(status)}): "
                               f"{failure}")
        return self.made

    def stop(self) -> None:
        with self._lock:
            if self._status is None:  # not yet reaped: the pid is still its own
                os.kill(self.pid, signal.SIGKILL)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the thread that forked it ends (PR_SET_PDEATHSIG); elsewhere
    nothing: the child then ends when its work does."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class LostPlaceholder(ValueError):
    """A page reached the writing step without the placeholder its listing or a card's facts go in."""


@dataclass(frozen=True)
class _Request:
    """What the makers of a build's files are given (SiteBuild.source_files)."""

    page_stamps: Path | None
    site_inputs: str
    outputs: Path | None
    kept: dict[str, Path] | None = None  # the preview: the big outputs' files as the last build left them


@dataclass(frozen=True)
class SourceFile:
    """A file to add to the site: in-memory Markdown, or a file on disk copied as is."""

    src_uri: str
    content: str | bytes | None = None
    path: Path | None = None


def _write_output(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):  # the workbook
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")  # CRLF stays CRLF (CSV, calendars)
    return path


def _write_stamp(path: Path, inputs: str, written: dict[Path, str] | None = None) -> tuple[Path, bool]:
    """A dirty build's stamp: the digest of `inputs` at `path`, written (newer than the page the last
    build wrote of it) only when it changed; whether it did. `written`: what the preview's last
    rebuilds wrote (a file still there need not be read again)."""
    fingerprint = hashlib.sha256(inputs.encode("utf-8", "surrogateescape")).hexdigest()
    if written is not None and written.get(path) == fingerprint and path.is_file():
        return path, False
    if path.is_file() and path.read_text() == fingerprint:
        if written is not None:
            written[path] = fingerprint
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fingerprint)
    if written is not None:
        written[path] = fingerprint
    return path, True


def site_fingerprint(files: list[Path], folders: list[Path]) -> str:
    """What every page of a dirty build depends on besides its own source: the versions of the
    tools and of this package, `files` (mkdocs.yml, the hooks) and every file under `folders`
    (docs/, the theme's custom_dir), by content: an edit can leave a file older than the site."""
    files, digest = list(files), hashlib.sha256(PACKAGE_VERSION.encode())
    for tool in SITE_TOOLS:
        try:
            digest.update(f"\0{tool}={importlib.metadata.version(tool)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"\0{tool} missing".encode())
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            files += [Path(root, name) for name in sorted(names + [d for d in dirs if Path(root, d).is_symlink()])]
    for path in files:
        digest.update(f"\0{path}\0".encode("utf-8", "surrogateescape"))
        try:
            if stat.S_ISREG(os.stat(path).st_mode):  # never read a FIFO or a device: it could block
                digest.update(path.read_bytes())
            elif path.is_symlink():
                digest.update(os.readlink(path).encode("utf-8", "surrogateescape"))
        except OSError as exc:
            digest.update(str(exc).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


class SiteBuild:
    def __init__(self, project: Project, as_of: dt.date, urls: site.UrlRule, language: str = "en",
                 history: History | None = None, audience: str = DEFAULT_AUDIENCE,
                 site_name: str = "", site_url: str | None = None, time_zone: str = DEFAULT_TIME_ZONE,
                 search: str = "material", windows: DueWindows = DueWindows(), kept_rows: KeptRows | None = None,
                 kept_reprs: KeptRows | None = None, shown_before: ShownBefore | None = None,
                 kept_states: KeptRows | None = None):
        self.project = project
        # the preview's text of each bulletin in its page's stamp, by the bulletin (the same object while its file is)
        self._reprs = None if kept_reprs is None else kept_reprs.for_build(())
        self.search = search  # what answers the search box: "material" (lunr) or "pagefind" (outputs/pagefind.py)
        self.history = history or History(available=False)
        self.rendered: set[str] = set()  # URLs of the pages rendered so far (progress, dirty builds)
        self.previous_search_index: str | None = None  # a dirty build's starting point
        self.files = None  # MkDocs' files, kept by the plugin for the end of the build
        # the preview's: directives (and their follow-ups) not read again are not replayed again
        self.catalog = Catalog(project, as_of, audience, windows,
                               kept=None if kept_states is None else kept_states.for_build((as_of, windows)))
        labels = for_language(language, windows)
        self.urls = urls  # MkDocs' rule for where each file goes and its URL (mkdocs_adapter.url_rule)
        self.calendars = Calendars(self.catalog, labels, urls, site_url, time_zone)
        shared = (repr(self.catalog.registry), labels.language, labels.windows, as_of, audience, urls, search)
        rows = None if kept_rows is None else kept_rows.for_build(shared)
        # the preview: what its last build showed, to make again only the stamps of what an edit changed
        self._shown = None if shown_before is None else shown_before.for_build(shared, self.catalog)
        self.renderer = Renderer(self.catalog, urls, labels, self.calendars, search=search, kept_rows=rows)
        if self._shown is None:
            self.pages: dict[str, GeneratedPage] = {p.src_uri: p for p in generated_pages(self.catalog, labels)}
        else:  # the preview: the figures and pages of units whose entries did not change are the last build's
            self._shown.keep_figures(self.catalog)
            self.pages = {p.src_uri: p for p in generated_pages(
                self.catalog, labels, functools.partial(self._shown.kept_unit_pages, self.catalog))}
            for page in self.pages.values():
                if page.template == "unit.html":
                    self._shown.unit_pages.setdefault(page.context["unit"].id, []).append(page)
        self._listings_left = set(self.pages)
        self.stamps_written: dict[Path, str] | None = None  # the preview's: what its rebuilds wrote in each stamp
        self._listing_bodies: dict[str, str] = {}  # a dirty build's listings as their stamps read them (_listing_stamp)
        self.bulletins: dict[str, Bulletin] = {site.bulletin_src(b): b for b in self.catalog.bulletins}
        self._directives: dict[str, Directive] = {d.id: d for d in self.catalog.directives}
        self._follow_ups: dict[str, FollowUp] = {}  # by anchor, on the page being rendered
        self._cards_due: dict[tuple[str, str], Card] = {}  # the cards the page being rendered may still show
        self._feed_settings = (labels, site_name, site_url, urls)
        self._written: dict[str, Path] | None = None  # the feeds and big outputs, once written (_outputs_written)
        self.offline = False  # the copy for file:// (mkdocs_adapter/plugin.py): no feeds in the head
        self._feed_texts: dict[str, str] = {}  # rendered once: source_files is asked more than once a build
        self._making: _OutputsProcess | None = None  # the big outputs being made beside the page loop
        self._parts: _PartsProcess | None = None  # the parts of pages made beside the page loop (make_parts_beside)
        self.judge: Judge | None = None  # what rendered the bulletins: their pages, for the page loop (load)
        # the feeds and the big outputs (exports, calendars) made in a process of their own beside MkDocs'
        # page loop; False (`workers: 0` in mkdocs.yml): in the build's process
        self.outputs_beside = True

    @classmethod
    def load(cls, bulletins_dir: Path, as_of: dt.date, urls: site.UrlRule, language: str = "en",
             audience: str = DEFAULT_AUDIENCE, site_name: str = "", site_url: str | None = None,
             time_zone: str = DEFAULT_TIME_ZONE, search: str = "material", markdown: MarkdownConfig | None = None,
             cache_dir: Path | None = None, windows: DueWindows = DueWindows(),
             workers: int | None = None, sources: SourceCache | None = None, kept_rows: KeptRows | None = None,
             kept_reprs: KeptRows | None = None, pool: WorkerPool | None = None,
             shown_before: ShownBefore | None = None) -> SiteBuild:
        """The build of `bulletins_dir` for `audience`, every bulletin judged on the HTML that
        `markdown` (the site's Markdown configuration; the example's by default) makes of it.
        `sources`: the bulletins as the preview's last rebuild read them (only changed files are read);
        `kept_rows`: its listings' rows (only those whose directive changed are rendered)."""
        if sources is not None:
            sources.start(bulletins_dir)
        # pool: the preview's render workers, kept; and what the judge and the checks made of unchanged files
        judge = Judge(markdown, cache_dir, workers, pool, kept=sources.verdicts if sources is not None else None)
        project = load_project(bulletins_dir, as_of, judge, audience=audience,
                               url_rules=(urls, dataclasses.replace(urls, directory_urls=not urls.directory_urls)),
                               windows=windows, read_file=sources, checks=sources.checks if sources is not None else None)
        history = git_history(bulletins_dir, [b.rel_path for b in project.published(as_of, audience)])
        build = cls(project, as_of, urls, language, history, audience, site_name, site_url, time_zone, search,
                    windows, kept_rows, kept_reprs, shown_before, sources.states if sources is not None else None)
        build.judge = judge
        build.outputs_beside = workers != 0  # the one-process build makes them in its own process
        return build

    def markdown_extensions(self) -> list:
        return markdown_ext.ours(self.card)

    def card(self, kind: str, key: str) -> Card | None:
        """The card for a `/// directive | <id>` (or `/// follow-up | <anchor>`) block of the
        page being rendered: only the page's own blocks, each once; anything else (a header
        the checker did not see, forged with a real id) stays text, and `render_problems`
        fails the build on it."""
        return self._cards_due.pop((kind, key), None)

    def source_files(self, page_stamps: Path | None = None, site_inputs: str = "",
                     outputs: Path | None = None, kept_outputs: dict[str, Path] | None = None) -> list[SourceFile]:
        """The files to add to the site. A bulletin's Markdown comes with `page_source`
        (given here, MkDocs would hold it twice). For dirty builds, each bulletin page's
        source is a stamp file in `page_stamps` that changes only when something the page
        shows changes (`site_inputs`, the `site_fingerprint`, included), so MkDocs can skip
        the pages whose output is newer. The big outputs (exports, calendars) are written
        into `outputs` and copied from there, so the build does not hold their text; without
        it (tests), they are given as content. With `kept_outputs` (the preview, whose editor
        waits for the pages), they are the files the last build left, and `remake_outputs`
        makes them again after the pages are written (the feeds too)."""
        request = _Request(page_stamps, site_inputs, outputs, kept_outputs)
        files = [file for maker in site.makers(self.search) for file in getattr(self, maker)(request)]
        # Dirty builds, verify and the cleaning of stale files know a file by its entry: one made
        # without an entry would be a file they cannot account for.
        unregistered = [f.src_uri for f in files if site.output_at(f.src_uri) is None]
        if unregistered:
            raise AssertionError(f"made but not declared in outputs/site.py OUTPUTS: {', '.join(unregistered[:5])}")
        return files

    # The makers of site.OUTPUTS: each gives the files of its outputs

    def bulletin_files(self, request: _Request) -> list[SourceFile]:
        if request.page_stamps is None:
            return [SourceFile(src, content="") for src in self.bulletins]
        return [SourceFile(src, path=self._stamp(request.page_stamps, src, b, request.site_inputs))
                for src, b in self.bulletins.items()]

    def attachment_files(self, request: _Request) -> list[SourceFile]:
        # A hidden bulletin's files stay hidden, whoever else attaches them (the checks refuse that
        # too: attachments_of_drafts, attachments_of_hidden); compared as the files they really are.
        hidden = {os.path.realpath(a.source) for b in self.catalog.hidden for a in b.attachments}
        attachments = {site.attachment_src(b, a): a.source for b in self.bulletins.values() for a in b.attachments
                       if os.path.realpath(a.source) not in hidden}
        return [SourceFile(src, path=path) for src, path in sorted(attachments.items())]

    def listing_files(self, request: _Request) -> list[SourceFile]:
        if request.page_stamps is None:
            return [SourceFile(src, content="") for src in self.pages]
        # Dirty builds: a stamp of what the page shows, as a bulletin's, so MkDocs rewrites only the
        # listings whose rows, counts or title changed (an edit changes a few of the 240 at 2,000 bulletins)
        return [SourceFile(src, path=self._listing_stamp(request.page_stamps, src, request.site_inputs))
                for src in self.pages]

    def script_files(self, request: _Request) -> list[SourceFile]:
        return [SourceFile(src, path=path) for src, path in SCRIPTS.items() if site.output_at(src).search in (None, self.search)]

    def feed_files(self, request: _Request) -> list[SourceFile]:
        if request.outputs is None:
            return [SourceFile(src, content=self.feed_text(src)) for src in self.feeds]
        if request.kept is not None:  # the preview: the last build's, made again after the pages (remake_outputs)
            return [SourceFile(src, path=request.kept[src]) for src in self._feed_titles]
        written = self._outputs_written(request.outputs)
        return [SourceFile(src, path=written[src]) for src in self._feed_titles]

    def feed_sitemap_files(self, request: _Request) -> list[SourceFile]:
        return [SourceFile(src, content=site.EMPTY_SITEMAP) for src in site.FEED_SITEMAPS]

    def export_files(self, request: _Request) -> list[SourceFile]:
        if request.kept is not None:
            return [SourceFile(src, path=request.kept[src]) for src in self._big_output_sources()]
        return self._output_files(request.outputs)

    def can_keep(self, kept: dict[str, Path]) -> bool:
        """Whether the preview's last feeds, exports and calendars (`written_outputs`) can stand for this
        build's until remade after the pages: the same files (no unit or type added or gone), all there."""
        return (kept.keys() == {*self._feed_titles, *self._big_output_sources()}
                and all(path.is_file() for path in kept.values()))

    @property
    def written_outputs(self) -> dict[str, Path]:
        """The feeds and big outputs this build wrote into its outputs folder (none given as content)."""
        return dict(self._written or {})

    def remake_outputs(self, folder: Path) -> dict[str, Path]:
        """Make the feeds and big outputs into `folder` (after the pages, for the preview), one at a
        time, each put in place by one rename (a process stopped half-way leaves the last build's file
        whole)."""
        written = {}
        feed_texts = ((src, render_feed(feed)) for src, feed in self.feeds.items())
        for src, text in itertools.chain(feed_texts, self._big_outputs()):
            written[src] = folder / src
            os.replace(_write_output(folder / (src + ".partial"), text), written[src])
        return written

    def remake_outputs_apart(self, folder: Path) -> _Remake:
        """remake_outputs in a process forked now, for the preview: the exports and calendars of
        the last edit take the other core, not this process's (and its lock on Python's
        interpreter) from the next edit's pages, which stop it at once (_Remake.stop)."""
        return _Remake(functools.partial(self.remake_outputs, folder),
                       {src: folder / src for src in (*self._feed_titles, *self._big_output_sources())})

    def build_record_files(self, request: _Request) -> list[SourceFile]:
        return [SourceFile(site.BUILD_RECORD, content=self.build_record())]

    def search_filter_files(self, request: _Request) -> list[SourceFile]:
        return [SourceFile(site.SEARCH_FILTERS, content=self.search_filters())]

    def build_record(self) -> str:
        """What this build was for and made with, so that `bulletins verify` can make the same
        site again and compare it byte for byte (and say why it cannot, if the tools differ)."""
        tools = {}  # a rebuild with other versions may differ (Material writes its version in every page)
        for tool in ("safety-bulletins", *SITE_TOOLS, "pagefind"):
            try:
                tools[tool] = importlib.metadata.version(tool)
            except importlib.metadata.PackageNotFoundError:
                tools[tool] = None
        record = {"as_of": self.catalog.as_of.isoformat(), "audience": self.catalog.audience,
                  "offline": self.offline, "tools": tools}
        return json.dumps(record) + "\n"

    @functools.cached_property
    def feeds(self) -> dict[str, Feed]:
        """The Atom feeds, by source path: made when first asked for (never for sources with
        errors, which stop the build before it asks)."""
        return {f.src_uri: f for f in feeds(self.catalog, *self._feed_settings)}

    @functools.cached_property
    def _feed_titles(self) -> dict[str, str]:
        """Each feed's title as its Feed has it, by source path, known before the feeds are made."""
        labels, site_name = self._feed_settings[:2]
        return {src: xml_text(title) for src, title in feed_titles(self.catalog, labels, site_name).items()}

    def feed_text(self, src_uri: str) -> str:
        if src_uri not in self._feed_texts:
            self._feed_texts[src_uri] = render_feed(self.feeds[src_uri])
        return self._feed_texts[src_uri]

    def feed_links(self, src_uri: str) -> str:
        """The `<link rel="alternate">` elements that advertise feeds in a page's head: the
        site's on every page, and a unit's or a type's on its own listing pages."""
        page = self.pages.get(src_uri)
        context = page.context if page is not None else {}
        wanted = [site.SITE_FEED]
        if "unit" in context:
            wanted.append(site.unit_feed_src(context["unit"].id))
        if "type" in context:
            wanted.append(site.type_feed_src(context["type"]))
        links = Links(src_uri, self.urls)
        return "".join(
            f'<link rel="alternate" type="application/atom+xml" title="{html.escape(self._feed_titles[src])}" '
            f'href="{html.escape(links.page(src))}">' for src in wanted if src in self._feed_titles
        )

    def output_problems(self, existing: list[tuple[str, str | None]], ours: list[str], docs_dir: Path) -> list[str]:
        """What is wrong with the site's files before ours are added to them: `existing` are
        MkDocs' (src_uri, abs_src_path), `ours` the source_files' src_uris (asked for once:
        making them writes the big outputs). Hand-written pages must be real files inside
        docs/, and no two sources may be written to one path of the site."""
        problems = []
        for src_uri, abs_src_path in existing:
            if abs_src_path is None or not Path(abs_src_path).is_relative_to(docs_dir):
                continue  # the theme's files
            if not_utf8_name(Path(abs_src_path)):
                problems.append(str(Problem(Path(abs_src_path), 1, "the file name is not UTF-8", "Rename the file.")))
            elif (why := unsafe_file(Path(abs_src_path), docs_dir)) is not None:
                problems.append(str(Problem(Path(abs_src_path), 1, f"the file {why}", "Replace it with a real file.")))
        taken = {src for src, _ in existing}
        problems += [f"{docs_dir / src}:1: error: '{src}' is a page the site generates: rename or remove this file"
                     for src in ours if src in taken]
        for dest, first, second in site.same_output([src for src, _ in existing] + ours, self.urls):
            problems.append(f"'{second}' and '{first}' would both be published as '{dest}': rename one of them")
        return problems

    def _stamp(self, folder: Path, src_uri: str, bulletin: Bulletin, site_inputs: str) -> Path:
        """A file holding the fingerprint of the page's inputs, rewritten (newer) when they change."""
        if self._shown is None:
            return _write_stamp(folder / src_uri, self._page_inputs(bulletin) + site_inputs, self.stamps_written)[0]
        # The preview: the last build's stamp while the page shows the same bulletin (the same object: its
        # file was not read again), links, git history and directives (none of them changed_since)
        refs = {d.id.casefold() for d in bulletin.directives} | {f.directive_id.casefold() for f in bulletin.follow_ups}
        made_of = (bulletin, (bulletin.attachments, bulletin.page_links), self.history.get(bulletin.rel_path), site_inputs)
        kept = self._shown.last_stamps.get(src_uri)
        if kept is not None and self._shown.unchanged(refs) and _same(kept[0], made_of) and self._still_there(*kept[1:]):
            self._shown.stamps[src_uri] = kept
            return kept[1]
        path = _write_stamp(folder / src_uri, self._page_inputs(bulletin) + site_inputs, self.stamps_written)[0]
        self._shown.stamps[src_uri] = (made_of, path, self.stamps_written.get(path))
        return path

    def _still_there(self, path: Path, fingerprint: str | None) -> bool:
        """Whether a stamp the preview kept is on disk as its last build wrote it."""
        return fingerprint is not None and self.stamps_written.get(path) == fingerprint and path.is_file()

    def _listing_stamp(self, folder: Path, src_uri: str, site_inputs: str) -> Path:
        """A listing page's stamp: its content as this build makes it, with what else its page holds
        that a site_inputs change does not already redo (its title, the feeds in its head); the rest of
        the page is the theme's, the navigation's and mkdocs.yml's, all in site_inputs. The content
        is kept for page_output when the stamp changed (the page will be written)."""
        page = self.pages[src_uri]
        head = (site_inputs, page.title, self.search, str(self.offline), self.feed_links(src_uri))
        made_of = None
        if self._shown is not None and page.template in _LOCAL_TEMPLATES:
            # The preview: a page whose rows, counts and bulletins are those of the last build and name nothing
            # that changed since is neither rendered nor compared (an edit changes a few of the 240)
            paths: set[str] = set()
            kept = self._shown.last_listings.get(src_uri)
            # a unit's page kept or relinked (Shown.kept_unit_pages): its context names the same ids, roles and figures
            if kept is not None and (kept[0] is page or self._shown.relinked.get(src_uri) is kept[0]):
                refs, context = kept[2], kept[1][2]
            else:
                refs = set()
                context = shallow(page.context, refs)
            made_of = (page.template, head, context, self._also_shown(page, paths))
            if (kept is not None and kept[1] == made_of and self._shown.unchanged(refs, paths)
                    and self._still_there(*kept[3:])):
                self._shown.listings[src_uri] = kept
                return kept[3]
        body = self.renderer.page(page)
        path, changed = _write_stamp(folder / src_uri, "\0".join((*head, body)), self.stamps_written)
        if changed:
            self._listing_bodies[src_uri] = body
        if made_of is not None:
            self._shown.listings[src_uri] = (page, made_of, refs, path, self.stamps_written.get(path))
        return path

    def _also_shown(self, page: GeneratedPage, paths: set[str]):
        """What a listing's template reads from the catalog beyond its context (_LOCAL_TEMPLATES)."""
        if page.template == "register.html":
            return len(self.catalog.directives)
        bulletins = self.catalog.years[page.context["year"]] if page.template == "archive_year.html" \
            else self.catalog.types[page.context["type"]] if page.template == "archive_type.html" else []
        paths.update(b.rel_path for b in bulletins)
        return tuple(b.rel_path for b in bulletins)

    def _text_of(self, bulletin: Bulletin) -> str:
        """repr(bulletin), the biggest part of its stamp: the preview keeps it while the bulletin is the
        same object (its file unchanged, site_build/incremental.py SourceCache) with the same links."""
        if self._reprs is None:
            return repr(bulletin)
        last, now = self._reprs
        found = (bulletin.attachments, bulletin.page_links)
        kept = last.get(id(bulletin))
        text = kept[2] if kept is not None and kept[0] is bulletin and kept[1] == found else repr(bulletin)
        now[id(bulletin)] = (bulletin, found, text)
        return text

    def _page_inputs(self, bulletin: Bulletin) -> str:
        """Everything a bulletin's page is made from: its data, the buckets and unit names
        it shows, its history, the language, the URL style and this package's version."""
        # each once: a page may hold thousands of follow-ups of one directive
        shown = list({d.id: d for d in bulletin.directives + [self.catalog.directive_of(f) for f in bulletin.follow_ups]}.values())
        units = {u for d in shown for u in (*d.units, *d.support)} | {bulletin.issuer}
        units |= {*bulletin.issuers, *bulletin.recipients, *bulletin.cc, bulletin.printed_by}  # the header's and 版记's
        units |= {s.accepted_by for d in shown if (s := self.catalog.state_of(d)).accepted_by}
        shares = [self.catalog.shares_of(d) for d in bulletin.directives]  # the cards' lists of shares
        units |= {u for listed in shares for u, _ in listed}
        # A directive's own card shows its whole history; a follow-up's card only where its
        # directive stands and what the follow-up changed. Every follow-up of every directive
        # followed up here made a page of a long history cost the square of its length.
        own = {d.id for d in bulletin.directives}
        return repr((
            self._text_of(bulletin), [(self.catalog.bucket_of(d), self.catalog.state_of(d) if d.id in own
                        else dataclasses.replace(self.catalog.state_of(d), history=())) for d in shown],
            [self.catalog.change_of(f) for f in bulletin.follow_ups], shares,
            [(d.id, d.title, d.bulletin.title, d.bulletin.rel_path) for d in shown],
            [(f.rel_path, self.catalog.bulletin_of(f).title) for d in bulletin.directives
             for f in (c.follow_up for c in self.catalog.state_of(d).history)],
            [self.catalog.registry.units.get(u) for u in sorted(filter(None, units))],
            self.history.get(bulletin.rel_path), self.renderer.labels.language,
            self.urls.directory_urls, self.catalog.as_of, PACKAGE_VERSION,
        ))

    def page_meta(self, src_uri: str, meta: dict) -> dict:
        """Front matter for a page: titles escaped (Material writes them raw), listings kept out
        of search and given the page's full width. With Pagefind, every page is kept out of
        Material's index: Material still fetches it (an index of nothing) before it sets up
        the search worker that Pagefind answers through."""
        meta = dict(meta)
        if self.search == "pagefind":
            meta["search"] = {"exclude": True}
        if src_uri in self.bulletins:
            meta["title"] = self.bulletins[src_uri].title
        elif src_uri in self.pages:
            meta["title"] = self.pages[src_uri].title
            meta["search"] = {"exclude": True}
            # Tables of directives and charts need the width: Material's sidebars would squeeze them into
            # the text column (the register was 7,800 px tall at 1366 px wide).
            meta["hide"] = ["navigation", "toc"]
        if "title" in meta:
            meta["title"] = html.escape(str(meta["title"]))
        return meta

    def page_source(self, src_uri: str, markdown: str) -> str:
        """The Markdown MkDocs renders for a page (which it does next: the cards it may hold are set here)."""
        bulletin = self.bulletins.get(src_uri)
        self._cards_due = {} if bulletin is None else self._cards(bulletin)
        if src_uri in self.pages:  # a listing has no Markdown (a dirty build's file is its stamp)
            return ""
        return markdown if bulletin is None else page_markdown(bulletin)

    def rendered_page(self, src_uri: str, resolve: Callable[[str], str]) -> tuple[str, list, tuple[str, ...]] | None:
        """A bulletin's page as its render worker made it (the HTML, toc tokens and anchor ids of
        `page_source`'s Markdown), its links rewritten by `resolve` and its cards filled in; None if
        the page loop must render it (not kept, or not the same as the loop's render would be)."""
        bulletin = self.bulletins.get(src_uri)
        rendered = self.judge.page_of(bulletin.source) if bulletin is not None and self.judge is not None else None
        if rendered is None:
            return None
        cards = self._cards(bulletin)
        made = rendered.page(resolve, [(cards[key].title, cards[key].bucket) for key in Job.of_cards(bulletin)])
        return None if made is None else (*made, rendered.anchors)

    def _cards(self, bulletin: Bulletin) -> dict[tuple[str, str], Card]:
        cards = {("directive", d.id): Card(d, self.catalog.bucket_of(d), title=d.title) for d in bulletin.directives}
        for f in bulletin.follow_ups:
            directive = self.catalog.directive_of(f)
            # a follow-up may say only 'status: done': its heading then names what it follows up
            title = f.title or self.renderer.labels("Follow-up of {title}", title=directive.title)
            cards[("follow-up", f.anchor)] = Card(directive, self.catalog.bucket_of(directive), f, title)
        return cards

    def page_content(self, src_uri: str, content: str) -> str:
        """The page's HTML: its rendered Markdown sanitized (every page, hand-written ones
        too), then what the site adds around it."""
        if src_uri in self.pages:
            # MkDocs keeps every page's content to the end of the build; listings are big
            # (at 10,000 bulletins, hundreds of MB of rows): they go in as the page is written.
            return f"<h1>{html.escape(self.pages[src_uri].title)}</h1>\n{LISTING_PLACEHOLDER}"
        bulletin = self.bulletins.get(src_uri)
        own = frozenset() if bulletin is None else frozenset(
            [d.id for d in bulletin.directives] + [f.anchor for f in bulletin.follow_ups])
        content = sanitize(content, own)
        if src_uri == site.HOME:
            return content + self.renderer.home()
        if bulletin is None:
            return content
        before, after = self._taken(("around", src_uri)) or self._around(bulletin)
        page = before + content + after
        if bulletin.language != self.renderer.labels.language:  # read aloud in its language, not the site's
            return f'<div lang="{bulletin.language}">\n{page}</div>\n'
        return page

    def search_filters(self) -> str:
        return pagefind.filter_choices(self.catalog, self.renderer.labels, self.renderer.unit_name)

    def _around(self, bulletin: Bulletin) -> tuple[str, str]:
        """What a bulletin's page has before and after its content: its header and sign-off, and
        with Pagefind the start and end of its body."""
        before = self.renderer.bulletin_header(bulletin, self.history.get(bulletin.rel_path))
        after = self.renderer.bulletin_footer(bulletin)
        if self.search == "pagefind":
            before, after = self._pagefind_start(bulletin) + before, after + pagefind.BODY_END
        return before, after

    def _pagefind_start(self, bulletin: Bulletin) -> str:
        """The start of the page as Pagefind's body (pagefind.body_start), filterable by the units
        its cards' directives name (as the register's filter: responsible or supporting, `all` for every unit; a follow-up's: the
        directive it follows up), its type and year, and those directives' statuses as of the build."""
        # each card's directive, for filters that act at the directive (a follow-up: the one it follows up)
        cards = {d.id: d for d in bulletin.directives}
        cards.update((f.anchor, self.catalog.directive_of(f)) for f in bulletin.follow_ups)
        # (to all, issued before a unit joined (units.yml's `since`): `!id`, not that unit's, as on its page)
        card_filters = {anchor: ([*d.units, *d.support, *filters.not_for(d, self.catalog.registry)],
                                 self.catalog.state_of(d).status)
                        for anchor, d in cards.items() if d is not None}
        units = {u for d in cards.values() if d is not None for u in (*d.units, *d.support)}
        statuses = {status for _, status in card_filters.values()}
        return pagefind.body_start(bulletin, sorted(statuses), sorted(units),
                                   self.renderer.labels_of(bulletin).TYPES[bulletin.type], cards=card_filters)

    def page_output(self, src_uri: str, output: str) -> str:
        """The written page, with its listing or its cards' facts in place of their placeholders.

        Raises LostPlaceholder if one is missing: a page that silently lost them would be
        written without its rows or its cards' units, deadlines and status. Every page's
        head gets the links to its feeds.
        """
        head_end = output.find("</head>")  # the first: titles in the head are escaped
        if head_end >= 0:
            output = output[:head_end] + (self.feed_links(src_uri) if not self.offline else "") + output[head_end:]
        if src_uri in self.pages:
            if LISTING_PLACEHOLDER not in output:
                raise LostPlaceholder(f"{src_uri}: the listing's placeholder {LISTING_PLACEHOLDER} is missing, "
                                      f"so the page would have no rows: {_HOW_TO_KEEP}")
            body = self._listing_bodies.pop(src_uri, None)  # the preview's, made beforehand
            if body is None:
                body = self._taken(("listing", src_uri))  # a full build's, made beside the page loop
            if body is None:
                body = self.renderer.page(self.pages[src_uri])
            output = output.replace(LISTING_PLACEHOLDER, body, 1)
            self._listings_left.discard(src_uri)
            if not self._listings_left:  # the rows shared by listing pages are not needed any more
                self.renderer.forget_rows()
            return output
        bulletin = self.bulletins.get(src_uri)
        if bulletin is None:
            return output
        blocks = [(d.line, d.id, f"directive '{d.id}'") for d in bulletin.directives]
        blocks += [(f.line, f.anchor, f"the follow-up of '{f.directive_id}'") for f in bulletin.follow_ups]
        placed = set(FACTS_PLACEHOLDER.findall(output))  # one pass: a page may hold thousands of cards
        lost = [block for block in blocks if block[1] not in placed]
        if lost:
            raise LostPlaceholder("\n".join(
                f"{bulletin.source}:{line}: the placeholder {facts_placeholder(key)} of {what} "
                f"is missing, so its card would have no units, deadline or status: {_HOW_TO_KEEP}"
                for line, key, what in lost
            ))
        follow_ups = {f.anchor: f for f in bulletin.follow_ups}
        made = self._taken(("facts", src_uri)) or {}
        # a card's id is always known: cards are made for known ids only
        return FACTS_PLACEHOLDER.sub(lambda m: made[m[1]] if m[1] in made else self._facts(m[1], follow_ups), output)

    def _facts(self, key: str, follow_ups: dict[str, FollowUp]) -> str:
        if key in follow_ups:
            facts = self.renderer.follow_up_meta(follow_ups[key])
        else:
            facts = self.renderer.directive_meta(self._directives[key])
        if self.search != "pagefind":
            return facts
        # the same units, dates and statuses on every card: they would crowd out the text in excerpts;
        # what other outputs print of a directive (its id, owner, document number) is found all the same
        found_by = "" if key in follow_ups else pagefind.card_terms(self._directives[key])
        return f"{found_by}<div data-pagefind-ignore>{facts}</div>"

    def render_problems(self, src_uri: str, content: str) -> list[Problem]:
        """Directives of a bulletin missing from its rendered page, and block headers left
        as text. The checker and pymdown read the block syntax separately: this is the net
        that makes a disagreement fail the build instead of dropping or forging a card."""
        bulletin = self.bulletins.get(src_uri)
        if bulletin is None:
            return []
        blocks = [(d.line, d.id, f"directive '{d.id}'") for d in bulletin.directives]
        blocks += [(f.line, f.anchor, f"the follow-up of '{f.directive_id}'") for f in bulletin.follow_ups]
        # One pass each, not one per card: a page may hold a thousand. Only our cards' headings
        # count: an editor's element with a directive's id ({#REAL-1}, attrs: {id: REAL-1}) is no card.
        ids = set(_CARD_TITLE.findall(content))
        problems = [
            Problem(bulletin.source, line, f"{what} did not render as a card",
                    "Start it at the beginning of a line, indent its options by four spaces and close "
                    "any code fence before it.")
            for line, key, what in blocks
            if key not in ids
        ]
        # The header page_markdown wrote for each card: seen as text, it was read as code (or
        # as something else) while another block took the card. Whole ids: 'A' is not 'A-2'.
        as_text = set(_CARD_HEADER.findall(content))
        problems += [
            Problem(bulletin.source, d.line, f"directive '{d.id}' was shown as text or code, not as its card",
                    "Close every code fence before the directive (a fence is ``` or ~~~ with at most a language "
                    "after it), and write no other '/// directive' header with this id.")
            for d in bulletin.directives
            if ("directive", d.id) in as_text
        ]
        problems += [
            Problem(bulletin.source, f.line, f"the follow-up of '{f.directive_id}' was shown as text or code, "
                    "not as its card", "Close every code fence before the follow-up.")
            for f in bulletin.follow_ups
            if ("follow-up", f.anchor) in as_text
        ]
        cards = {key: (line, what) for line, key, what in blocks}
        taken = {}  # card anchors that another element of the page also holds: a link would find the first
        for key in _ID.findall(content):
            if key in cards:
                taken[key] = taken.get(key, 0) + 1
        problems += [
            Problem(bulletin.source, cards[key][0], f"another element on this page has the anchor '#{key}' of "
                    f"{cards[key][1]}", "Remove that id ('{#...}' or 'attrs: {id: ...}') or give the directive "
                    "another id.")
            for key, count in taken.items() if count > 1
        ]
        renamed = {m[1]: m[2] for m in _RENAMED_HEADING.finditer(content)}
        for d in bulletin.directives:  # toc renames a heading whose anchor a card holds: `#id_1`
            if d.id in renamed:
                problems.append(Problem(
                    bulletin.source, d.line,
                    f"a heading on this page was given the anchor '#{d.id}_{renamed[d.id]}' because directive "
                    f"'{d.id}' holds '#{d.id}'", "Reword the heading or give the directive another id."))
        if "///" in content and LOOSE_DIRECTIVE.search(_CODE.sub("", content)):
            headers = {d.line for d in bulletin.directives} | {f.line for f in bulletin.follow_ups}
            lines = [
                bulletin.body_line + n
                for n, line in enumerate(bulletin.body.split("\n"))
                if LOOSE_DIRECTIVE.search(line) and bulletin.body_line + n not in headers
            ]
            problems.append(Problem(
                bulletin.source, lines[0] if lines else bulletin.body_line,
                f"a '/// directive' block was shown as text (lines {', '.join(map(str, lines)) or '?'})",
                "Start it at the beginning of a line, indent its options by four spaces and close any code "
                "fence before it; a block inside an indented code block or repeating another directive's "
                "id is never a card.",
            ))
        return problems

    def _big_outputs(self) -> Iterator[tuple[str, str | bytes]]:
        """(src_uri, text, or bytes for the workbook) of the outputs that grow to megabytes with the archive, one at a
        time: the exports, made from one making of their records, then the calendars."""
        data = directives_json(self.catalog, self.urls)
        yield site.EXPORT_JSON, self._json_text(data)
        yield site.EXPORT_SCHEMA, schema_text()
        records, labels = data.pop("directives"), self.renderer.labels
        rows = list(directive_rows(records, self.catalog, labels))  # the same rows in both
        yield site.EXPORT_CSV, directives_csv(records, self.catalog, labels, rows)
        yield site.EXPORT_XLSX, directives_xlsx(records, self.catalog, labels, rows)
        del records, rows
        yield site.EXPORT_BY_UNIT_CSV, directives_by_unit_csv(share_records(self.catalog, self.urls), self.catalog, labels)
        yield from self.calendars.texts()

    def _big_output_sources(self) -> list[str]:
        """The src_uri of each file `_big_outputs` makes, in its order, known before they are made."""
        return [site.EXPORT_JSON, site.EXPORT_SCHEMA, site.EXPORT_CSV, site.EXPORT_XLSX, site.EXPORT_BY_UNIT_CSV,
                *self.calendars.sources()]

    def _output_files(self, folder: Path | None) -> list[SourceFile]:
        if folder is None:
            return [SourceFile(src, content=text) for src, text in self._big_outputs()]
        written = self._outputs_written(folder)
        return [SourceFile(src, path=written[src]) for src in self._big_output_sources()]

    def _outputs_written(self, folder: Path) -> dict[str, Path]:
        """Where the feeds, exports and calendars are written in `folder`, by src_uri: started on the first
        call, written once a build (MkDocs may ask for the files again: serve)."""
        if self._written is None:
            self._written = {src: folder / src for src in (*self._feed_titles, *self._big_output_sources())}
            # Nothing they hold depends on the pages: with a core to spare, they are made while MkDocs renders
            # them, in a process forked now (it starts with the catalog as it is; joined by outputs_in_place).
            # With other threads (`mkdocs serve`'s rebuilds) a fork could inherit a lock one of them holds.
            if self.outputs_beside and threading.active_count() == 1:
                self._making = _OutputsProcess(functools.partial(self._write_outputs, folder))
            else:
                self._write_outputs(folder)
        return self._written

    def _write_outputs(self, folder: Path) -> None:
        made = []
        feed_texts = ((src, render_feed(feed)) for src, feed in self.feeds.items())
        for src, text in itertools.chain(feed_texts, self._big_outputs()):
            _write_output(folder / src, text)
            made.append(src)
        if made != list(self._written):  # MkDocs was given the files by the names announced before
            raise AssertionError(f"the outputs made ({', '.join(made)}) are not those announced "
                                 f"({', '.join(self._written)}): keep _big_output_sources and _feed_titles in step "
                                 "with _big_outputs and feeds")

    def make_parts_beside(self, pages: list[str]) -> bool:
        """Start making, in a forked process, what the catalog alone gives of the pages `pages` (the
        src_uris of the page loop, in its order): each bulletin's header, sign-off and Pagefind
        body, then its cards' facts and the listings' HTML, each page's as the loop reaches it. The
        page loop then takes them (page_content, page_output) instead of making them, on the
        other core. A full build only: a dirty build skips pages. False if not started (the
        one-process build, other threads running: a fork could inherit a lock one of them holds)."""
        if not self.outputs_beside or threading.active_count() != 1 or self._parts is not None:
            return False
        bulletins = [src for src in pages if src in self.bulletins]
        around = [("around", src) for src in bulletins]
        written = [("listing", src) if src in self.pages else ("facts", src) for src in pages
                   if src in self.pages or src in self.bulletins]
        self._parts = _PartsProcess(functools.partial(self._made_parts, around + written), set(around + written))
        return True

    def _made_parts(self, keys: list[tuple[str, str]]) -> Iterator[tuple[tuple, object]]:
        for key in keys:
            kind, src = key
            if kind == "around":
                yield key, self._around(self.bulletins[src])
            elif kind == "listing":
                yield key, self.renderer.page(self.pages[src])
            else:
                bulletin = self.bulletins[src]
                follow_ups = {f.anchor: f for f in bulletin.follow_ups}
                yield key, {k: self._facts(k, follow_ups) for k in [*(d.id for d in bulletin.directives), *follow_ups]}

    def _taken(self, key: tuple[str, str]):
        """A part of a page made beside the page loop (make_parts_beside), or None: make it here."""
        return None if self._parts is None else self._parts.take(key)

    def stop_parts(self) -> str | None:
        """Stop making parts of pages beside the page loop, and say what it gave (None: not started)."""
        parts, self._parts = self._parts, None
        return None if parts is None else parts.stop()

    def making_outputs(self) -> list[str]:
        """The src_uris of the files that the outputs' process is still writing (empty when none is running)."""
        return list(self._written) if self._making is not None else []

    def outputs_in_place(self) -> str | None:
        """Wait for the outputs' process, if one runs, and say what it took. Raises OutputsError, with its
        message, if it failed."""
        making, self._making = self._making, None
        return None if making is None else f"{_MADE_BESIDE} made beside the page loop: {making.join()}"

    def stop_outputs(self) -> None:
        """Stop the outputs' process, if one runs (the build failed: nothing will copy them)."""
        making, self._making = self._making, None
        if making is not None:
            making.stop()

    def export_json(self) -> str:
        return self._json_text(directives_json(self.catalog, self.urls))

    @staticmethod
    def _json_text(data: dict) -> str:
        """One directive per line: readable, diffable, and written by json's C encoder
        (`indent` falls back to pure Python, three times slower), made safe for the web
        (site.web_json)."""
        records = ",\n".join(json.dumps(record, ensure_ascii=False) for record in data["directives"])
        head = json.dumps({key: value for key, value in data.items() if key != "directives"})[:-1]
        text = f'{head}, "directives": [\n{records}\n]}}\n'
        return site.web_json(text)

    def export_csv(self) -> str:
        return directives_csv(directives_json(self.catalog, self.urls)["directives"], self.catalog, self.renderer.labels)

    def summary(self) -> str:
        counts = self.catalog.counts(self.catalog.directives)
        return (
            f"{len(self.catalog.bulletins)} bulletins, {len(self.catalog.directives)} directives, "
            f"{counts['overdue']} overdue as of {self.catalog.as_of.isoformat()}"
        )
