"""Judge each bulletin on the HTML the renderer makes of it, not on its source lines.

Every link and image the page will hold is read from the HTML that Python-Markdown makes
with the site's own extensions and options (mkdocs.yml's `markdown_extensions`, then ours),
so a link whose text wraps, a reference whose address is on the next line, a link in a
quote, a list item or a table cell is judged like any other. Those URLs are the one source
of a bulletin's links: they decide what it publishes (attachments) and which bulletins it
links to (drafts and hidden ones are refused across files, see `project.across_files`).

Rendering is also where hostile Markdown bites: some shapes take time that grows with the
square of their size, deep nesting recurses until RecursionError. So each bulletin is
rendered in a worker process with a CPU-time limit (the worker is killed if it stops
answering), a memory limit, and RecursionError caught: a bulletin that cannot be rendered
within bounds is refused with its file and line. Verdicts are cached by a hash of the text
and the Markdown configuration, so dirty builds and `mkdocs serve` render only what changed.

That render is the page: the worker keeps the HTML and the table of contents it made (`Rendered`),
and the build's page loop takes them instead of rendering the bulletin a second time in its one
thread. What only the build knows is left as tokens the page loop fills (`Rendered.page`): each
link's address, as MkDocs rewrites it (a `.md` link becomes the page's URL, a missing target is
MkDocs' own warning), and each card's title and colour (its bucket, as of the build's date).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import importlib.metadata
import importlib.util
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import pickle
import re
import resource
import signal
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from markdown.serializers import _escape_attrib_html, _escape_cdata
from pymdownx.slugs import slugify

from ..model import Bulletin, Problem
from ..outputs import markdown_ext
from ..outputs.markdown_ext import Card, page_markdown
from .kept import KeptRows
from ..outputs.sanitize import OWN_MARK
from ..sources.attachments import local_files
from ..sources.paths import other_host

# The example site's mkdocs.yml: what `bulletins check` renders with when no mkdocs.yml is beside
# the bulletins folder (MkDocs' built-ins toc, tables and fenced_code first, as MkDocs lists them).
DEFAULT_EXTENSIONS = ("toc", "tables", "fenced_code", "admonition", "def_list", "footnotes", "pymdownx.details",
                      "pymdownx.superfences", "pymdownx.blocks.admonition", "pymdownx.blocks.details")
DEFAULT_EXTENSION_CONFIGS = {"toc": {"permalink": True, "slugify": slugify(case="lower")}}

# Bounds on rendering one bulletin. A long inspection report (230 KB of Chinese, tables, photos)
# renders in 0.3-0.6 s of CPU here against its 4.3 s; the limit grows with the text, so a real
# bulletin stays 5x or more below it, while Markdown's quadratic shapes cross it at a few KB
# (7 KB of '![a](' take 1 s): a small hostile bulletin costs at most about a second.
SECONDS_BASE = 1.0  # CPU seconds for any bulletin
SECONDS_PER_MB = 40.0  # and per MB of its text (a legal 72 KB run of backticks takes 1.9 s)
# A page is 1.3 times its text for that report, 7-9 times for the most markup-heavy real shapes
# (a page of short headings with permalinks, tables of empty cells); a reference or a footnote
# used hundreds of times makes one far bigger, which the parent would hold, cache and the build write.
PAGE_BYTES_BASE = 2**20  # bytes of HTML for any bulletin
PAGE_BYTES_PER_BYTE = 20  # and per byte of its text
URL_BYTES = 8192  # the longest address kept: nginx answers a longer request line with 414
MEMORY_BYTES = 2 * 2**30  # address space of a rendering worker
# The verdicts are kept in the user's cache folder, never in the checkout: anything in the checkout
# may come from a commit (a forged verdict, or a `.cache` that is a link), and a verdict decides
# what is published. One folder per project, by its real path.
CACHE_ROOT_VARIABLE = "XDG_CACHE_HOME"
CACHE_FILE = "verdicts.json"
PAGES_FOLDER = "pages"  # one file per rendered page, by its key, beside the verdicts

def cache_dir_for(project_dir: Path) -> Path:
    """Where the render verdicts of the project in `project_dir` are kept: under the user's cache
    folder ($XDG_CACHE_HOME, else ~/.cache), outside any checkout."""
    root = os.environ.get(CACHE_ROOT_VARIABLE) or os.path.join(os.path.expanduser("~"), ".cache")
    project = hashlib.sha256(os.path.realpath(project_dir).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(root) / "safety-bulletins" / "render" / project


# Elements that make the browser load something as the page opens (an outside host would see
# every reader), by the attributes holding what they load. A link (<a href>) loads only on a click.
LOADS = {
    "img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",),
    "track": ("src",), "iframe": ("src",), "frame": ("src",), "embed": ("src",), "object": ("data",),
    "link": ("href",), "script": ("src",), "input": ("src",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"), "feimage": ("href", "xlink:href"), "body": ("background",),
    "table": ("background",), "td": ("background",), "th": ("background",),
}
LINKS = {"a": ("href",), "area": ("href",)}
_ATTRIBUTE = re.compile(  # an attribute of a start tag as written (html.parser's attrfind_tolerant)
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*")
_SRCSET_URL = re.compile(r"\s*([^\s,]+)[^,]*,?")
# The code that decides a verdict: a new version of it (or of the tools) renders everything again.
_CODE = hashlib.sha256(b"".join(Path(m).read_bytes() for m in (
    __file__, Path(__file__).parents[1] / "outputs" / "markdown_ext.py"))).hexdigest()
_TOOLS = ("markdown", "pymdown-extensions")


@functools.cache
def _tool_versions() -> tuple[str, ...]:
    """The renderers' versions, read once per process: reading a package's metadata costs about
    0.4 ms, and a key is made for every bulletin of every build."""
    return tuple(f"{t}={importlib.metadata.version(t)}" for t in _TOOLS)


@dataclass(frozen=True)
class MarkdownConfig:
    """The Markdown extensions (names, or extension objects) and their options the site renders with."""

    extensions: tuple = DEFAULT_EXTENSIONS
    configs: dict = dataclasses.field(default_factory=lambda: dict(DEFAULT_EXTENSION_CONFIGS))

    def fingerprint(self) -> str:
        return self._fingerprint

    @functools.cached_property  # once per configuration: a key is made for every bulletin
    def _fingerprint(self) -> str:
        """The options as written and the code of the modules that make the extensions (a site's own
        extension, or a slugify function of its own, edited under the same name renders otherwise)."""
        modules = _modules_of((self.extensions, self.configs)) | _extension_modules(self.extensions)
        code = [_module_code(name) for name in sorted(modules)]
        return hashlib.sha256(repr((_stable((self.extensions, self.configs)), code)).encode("utf-8")).hexdigest()

    def sendable(self) -> bool:
        """Whether workers render with every extension of the site (one that cannot be sent to a
        worker process is left out of theirs: their pages are then not the site's)."""
        theirs = [e for e in self.extensions if not isinstance(e, markdown_ext.OURS)]
        workers = self.for_workers()
        return len(workers.extensions) == len(theirs) and workers.configs.keys() == self.configs.keys()

    def for_workers(self) -> MarkdownConfig:
        """Only what can be sent to a worker process (a plugin may add an extension object that cannot),
        without ours (added by every build: `render` adds them)."""
        theirs = [e for e in self.extensions if not isinstance(e, markdown_ext.OURS)]
        return MarkdownConfig(tuple(e for e in theirs if _picklable(e)),
                              {k: v for k, v in self.configs.items() if _picklable(v)})


def _picklable(value) -> bool:
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001 - any reason it cannot be sent
        return False
    return True


def _stable(value):
    """A repr that is the same in every process (functions by name, not by address)."""
    if isinstance(value, dict):
        return sorted((str(k), _stable(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if isinstance(value, functools.partial):
        return ["partial", _stable(value.func), _stable(value.args), _stable(value.keywords)]
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return f"{type(value).__module__}.{type(value).__qualname__}:{_stable(getattr(value, '__dict__', {}))}"


def _modules_of(value) -> set[str]:
    """The modules whose code the extensions run: each extension's (named "a.b" or "a.b:Class", or
    an object), each function's of their options."""
    if isinstance(value, str):
        return set()
    if isinstance(value, dict):
        return set().union(*map(_modules_of, value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*map(_modules_of, value))
    if isinstance(value, functools.partial):
        return _modules_of(value.func) | _modules_of(value.args) | _modules_of(value.keywords)
    module = getattr(value, "__module__", None) if callable(value) else type(value).__module__
    return {module} if isinstance(module, str) else set()


def _extension_modules(extensions: tuple) -> set[str]:
    """The modules of the extensions named as text (options' text is no module)."""
    return {e.split(":")[0] for e in extensions if isinstance(e, str)}


_code_cache: dict[tuple, str] = {}
_no_file: set[str] = set()


def _module_code(name: str) -> tuple[str, str]:
    """(name, a digest of its file's bytes): read again only when the file's size or times change."""
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None)
    if path is None and name not in _no_file:  # not imported yet (a worker's first build)
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError, AttributeError):  # a parent that is no package
            spec = None
        path = spec.origin if spec is not None and spec.has_location else None
    if path is None:  # a built-in, or Markdown's short names ('toc'): in the tools' versions
        _no_file.add(name)
        return name, ""
    try:
        st = os.stat(path)
    except OSError:
        return name, ""
    stamp = (path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if stamp not in _code_cache:
        try:
            _code_cache[stamp] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            return name, ""
    return name, _code_cache[stamp]


class Url(NamedTuple):
    tag: str
    attribute: str
    value: str  # as written in the HTML: entities not decoded (the browser decodes them)
    line: int  # in the bulletin's file


@dataclass(frozen=True)
class Verdict:
    urls: tuple[Url, ...] = ()
    failure: tuple[int, str, str] | None = None  # (line, message, hint): not rendered within bounds
    # the page as rendered, when the build can take it as it is (not part of the verdict: cached apart)
    page: Rendered | None = dataclasses.field(default=None, compare=False, repr=False)


# Tokens the worker writes where only the build knows what goes: STX and ETX never reach Python-
# Markdown's tree from the text (its first preprocessor removes them), so no text can forge one.
_TOKEN = re.compile("\x02sb-(url|title|bucket|mark):([0-9]+)\x03")
_CONTROL = ("\x02", "\x03")


def _token(kind: str, index: int) -> str:
    return f"\x02sb-{kind}:{index}\x03"


@dataclass(frozen=True, eq=False)
class Rendered:
    """A bulletin's page as the worker rendered it, with tokens for what the build fills in."""

    html: str
    toc: list  # Python-Markdown's toc tokens (nested dicts), a card's title as its token
    anchors: tuple[str, ...]  # the ids a link may point to (MkDocs' present_anchor_ids)
    urls: tuple[str, ...]  # the address of each link token, as MkDocs' link rewriting reads it

    def page(self, resolve: Callable[[str], str], cards: list[tuple[str, str]]) -> tuple[str, list] | None:
        """The HTML and toc tokens MkDocs' own render would make, given `resolve` (MkDocs' rewriting
        of one address; called in page order, as MkDocs does: its warnings come in the same order) and
        each card's (title, bucket), in the job's order. None where a title would not come out the same
        (a control character, spaces that the table of contents collapses): MkDocs renders that page."""
        titles = []
        for title, _ in cards:
            text = _escape_cdata(title)
            if any(c in title for c in _CONTROL) or text != " ".join(text.split()):
                return None
            titles.append(text)
        values = {"url": [_escape_attrib_html(resolve(url)) for url in self.urls],
                  "title": titles, "bucket": [bucket for _, bucket in cards], "mark": [OWN_MARK]}

        def fill(match: re.Match) -> str:
            return values[match[1]][int(match[2])]

        return _TOKEN.sub(fill, self.html), _fill_toc(self.toc, fill)

    def plain(self) -> str:
        """The HTML with every address as written, cards untitled (what the verdict reads)."""
        return self.page(lambda url: url, [("", "open")] * _cards_in(self.html))[0]

    def as_json(self) -> dict:
        return {"html": self.html, "toc": self.toc, "anchors": list(self.anchors), "urls": list(self.urls)}

    @classmethod
    def from_json(cls, data: dict) -> Rendered:
        return cls(str(data["html"]), list(data["toc"]), tuple(data["anchors"]), tuple(data["urls"]))


def _cards_in(html: str) -> int:
    indexes = [int(m[2]) for m in _TOKEN.finditer(html) if m[1] in ("title", "bucket")]
    return max(indexes) + 1 if indexes else 0


def _fill_toc(tokens: list, fill) -> list:
    return [{**token, "name": _TOKEN.sub(fill, token["name"]), "html": _TOKEN.sub(fill, token["html"]),
             "children": _fill_toc(token.get("children", []), fill)} for token in tokens]


@dataclass(frozen=True)
class Job:
    """One bulletin to render: the Markdown the build renders, and its source to find lines in."""

    markdown: str
    cards: tuple[tuple[str, str], ...]  # the (kind, id) of its directive and follow-up blocks
    body: str
    body_line: int

    @classmethod
    def of(cls, bulletin: Bulletin) -> Job:
        return cls(page_markdown(bulletin), cls.of_cards(bulletin), bulletin.body, bulletin.body_line)

    @staticmethod
    def of_cards(bulletin: Bulletin) -> tuple[tuple[str, str], ...]:
        """The (kind, id) of the bulletin's cards, in the order their tokens are numbered."""
        return tuple([("directive", d.id) for d in bulletin.directives]
                     + [("follow-up", f.anchor) for f in bulletin.follow_ups])

    def key(self, config: MarkdownConfig) -> str:
        digest = hashlib.sha256("\0".join([_CODE, *_tool_versions(), config.fingerprint(), repr(self.cards), str(self.body_line),
                                           str(SECONDS_BASE), str(SECONDS_PER_MB), str(MEMORY_BYTES),
                                           str(PAGE_BYTES_BASE), str(PAGE_BYTES_PER_BYTE), str(URL_BYTES)]).encode())
        for text in (self.markdown, self.body):
            digest.update(b"\0" + text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def text_bytes(self) -> int:
        return len(self.markdown.encode("utf-8", "surrogatepass"))

    def seconds(self) -> float:
        return SECONDS_BASE + SECONDS_PER_MB * self.text_bytes() / 2**20

    def page_bytes(self) -> int:
        """The largest page its text may make."""
        return PAGE_BYTES_BASE + PAGE_BYTES_PER_BYTE * self.text_bytes()


# --- rendering one bulletin (in a worker) ---------------------------------------------------

class _TooSlow(BaseException):  # not an Exception: no `except Exception` in an extension may swallow it
    pass


def _on_timer(signum, frame):
    raise _TooSlow


class _StubTarget(NamedTuple):
    id: str  # a directive's, or
    anchor: str  # a follow-up's: what Card.anchor reads


def render(job: Job, config: MarkdownConfig) -> str:
    """The HTML of the bulletin's Markdown, as the build makes it (before MkDocs rewrites links)."""
    return render_page(job, config)[0].plain()


def render_page(job: Job, config: MarkdownConfig) -> tuple[Rendered, bool]:
    """The bulletin's page as MkDocs' Page.render makes it, and whether the build may take it as
    it is (False: a link MkDocs would read differently from any page's, see _LinkTokens)."""
    due = {key: index for index, key in enumerate(job.cards)}

    def card(kind: str, key: str) -> Card | None:  # each card once, as the build's SiteBuild.card
        index = due.pop((kind, key), None)
        if index is None:
            return None
        target = _StubTarget(key, key)
        return Card(target, _token("bucket", index), target if kind == "follow-up" else None, _token("title", index))

    renderer = _Renderer.of(config)
    renderer.card = card
    try:
        # Cards' classes carry this process's secret mark (outputs/sanitize.py OWN_MARK); the build's
        # process has its own (a worker may be a fresh process, the page may come from the cache)
        html = renderer.md.convert(job.markdown).replace(OWN_MARK, _token("mark", 0))
    except BaseException:  # stopped midway (too slow, too deep): the next page gets a renderer afresh
        _Renderer.drop()
        raise
    anchors = tuple(sorted(a for a in renderer.ids.found | renderer.raw_ids.found if a is not None))
    return (Rendered(html, getattr(renderer.md, "toc_tokens", []), anchors, tuple(renderer.links.urls)),
            renderer.links.faithful)


class _Renderer:
    """The Markdown of one configuration with our extensions and what MkDocs' Page.render adds,
    kept for the next page (building it took a tenth of a page's render: the extensions' configs
    copied, pymdown's settings read), reset before each page as Python-Markdown asks
    (Markdown.reset); `card` is the page's own. One per thread: a Markdown converts one text at a time."""

    _kept = threading.local()

    def __init__(self, config: MarkdownConfig):
        import markdown  # only where pages are rendered

        self.config = config
        self.card: Callable[[str, str], Card | None] = lambda kind, key: None
        self.md = markdown.Markdown(extensions=[*config.extensions, *markdown_ext.ours(self._card)],
                                    extension_configs=config.configs)
        # What MkDocs' Page.render adds, at its priorities, registered after the extensions as it does:
        # MkDocs reads every page's Markdown once more for the ids of raw HTML (its _RawHTMLPreprocessor),
        # with Python-Markdown's copy of html.parser: that read is quadratic on runs of unclosed tags
        # ('<div <div ...', '<a@b <a@b ...'), so it is part of what a page costs to build.
        self.raw_ids = _RawHtmlIds(self.md)
        self.md.preprocessors.register(self.raw_ids, "sb_raw_html_ids", 21)
        self.ids = _Ids(self.md)
        self.md.treeprocessors.register(self.ids, "sb_ids", 5)
        self.links = _LinkTokens(self.md)
        self.md.treeprocessors.register(self.links, "sb_link_tokens", 0)  # where MkDocs rewrites links (its "relpath")

    def _card(self, kind: str, key: str) -> Card | None:
        return self.card(kind, key)

    @classmethod
    def of(cls, config: MarkdownConfig) -> _Renderer:
        """The renderer of `config`, reset for a page."""
        renderer = cls.kept()
        if renderer is None or renderer.config != config:
            renderer = cls._kept.renderer = cls(config)
        else:
            renderer.md.reset()
        renderer.raw_ids.found.clear()
        renderer.ids.found.clear()
        renderer.links.urls, renderer.links.faithful = [], True
        return renderer

    @classmethod
    def kept(cls) -> _Renderer | None:
        """This thread's renderer, kept from its last page."""
        return getattr(cls._kept, "renderer", None)

    @classmethod
    def drop(cls) -> None:
        cls._kept.renderer = None


class _RawHtmlIds:
    """MkDocs' _RawHTMLPreprocessor: the ids of raw HTML in the text (with our extensions, shown as text)."""

    def __init__(self, md):
        import markdown.htmlparser
        self.found: set[str | None] = set()
        found = self.found

        class Handler(markdown.htmlparser.htmlparser.HTMLParser):
            def handle_starttag(self, tag, attrs):
                found.update(v for k, v in attrs if k == "id" or (k == "name" and tag == "a"))
                return super().handle_starttag(tag, attrs)

        self.handler = Handler

    def run(self, lines: list[str]) -> list[str]:
        parser = self.handler()
        parser.feed("\n".join(lines))
        parser.close()
        return lines


class _Ids:
    """MkDocs' _ExtractAnchorsTreeprocessor: every element's id, and <a name>."""

    def __init__(self, md):
        self.found: set[str] = set()

    def run(self, root) -> None:
        for element in root.iter():
            if anchor := element.get("id"):
                self.found.add(anchor)
            if element.tag == "a" and (anchor := element.get("name")):
                self.found.add(anchor)


class _LinkTokens:
    """Where MkDocs rewrites a link or an image's address (its _RelativePathTreeprocessor: a `.md`
    file becomes its page's URL, a missing one is warned about), a token for the build to fill
    with MkDocs' own rewriting. Addresses of other hosts it leaves as they are, without a word."""

    def __init__(self, md):
        self.urls: list[str] = []
        self.faithful = True

    def run(self, root) -> None:
        for element in root.iter():
            key = "href" if element.tag == "a" else "src" if element.tag == "img" else None
            if key is None:
                continue
            url = element.get(key)
            try:
                external = url is not None and any(urllib.parse.urlsplit(url)[:2])
            except ValueError:  # MkDocs would stop on it: let it, in its own render
                external = False
                self.faithful = False
            if url is None or any(c in url for c in _CONTROL):  # Markdown's own placeholders: MkDocs' render
                self.faithful = False
            elif not external:
                element.set(key, _token("url", len(self.urls)))
                self.urls.append(url)


def judge(job: Job, config: MarkdownConfig) -> Verdict:
    """Render the bulletin within its time limit (CPU time, so a busy machine does not refuse it)
    and read the URLs of the result; a failure is the verdict."""
    limit = job.seconds()
    previous = signal.signal(signal.SIGPROF, _on_timer)
    signal.setitimer(signal.ITIMER_PROF, limit)
    try:
        rendered, faithful = render_page(job, config)
        page = rendered.plain()
    except _TooSlow:
        return Verdict(failure=_too_slow(job, limit))
    except RecursionError:
        return Verdict(failure=(job.body_line, "the text is nested too deep for Markdown to read "
                                "(emphasis, lists, quotes or definitions inside each other)",
                                "Write it flatter: a few levels of emphasis, lists and quotes are the most a page needs."))
    except MemoryError:
        return Verdict(failure=(job.body_line, f"Markdown needs more than {MEMORY_BYTES // 2**30} GB to read this text",
                                "Split the bulletin, or look for a long run of repeated markup such as '![a]('."))
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    page_bytes = len(page.encode("utf-8", "surrogatepass"))
    if page_bytes > job.page_bytes():
        return Verdict(failure=(
            job.body_line, f"this bulletin makes a page of {page_bytes / 2**20:.1f} MB from "
            f"{job.text_bytes() / 1024:.0f} KB of text (at most {job.page_bytes() / 2**20:.1f} MB): "
            "a reference, a footnote or an abbreviation used many times?",
            "Look for a reference definition ([name]: address) or a footnote used hundreds of times, "
            "or a very long address; write the link out where it is needed, or split the bulletin."))
    urls = urls_of(page, job.body, job.body_line)
    if long := next((u for u in urls if len(u.value.encode("utf-8", "surrogatepass")) > URL_BYTES), None):
        return Verdict(failure=(
            long.line, f"an address of {len(long.value.encode('utf-8', 'surrogatepass')) // 1024} KB "
            f"('{_short(long.value, 60)}'): no server takes one over {URL_BYTES // 1024} KB",
            "Link the page by a short address, or copy the file next to the bulletin and link it by its file name."))
    # Each link once (a reference used 400 times is one URL of one line): the parent and the cache
    # hold no more than the text wrote.
    return Verdict(urls=tuple(dict.fromkeys(urls)), page=rendered if faithful else None)


def _too_slow(job: Job, limit: float) -> tuple[int, str, str]:
    return (job.body_line, f"Markdown takes more than {limit:.1f} s to read this bulletin: some markup in it "
            "makes its time grow with the square of its length",
            "Look for a long run of repeated markup ('![a](', '<a@b ', '<div ', ': ' definitions, '===' "
            "underlines, unclosed '[' or '*'); write literal characters as '\\[', '\\*', '\\<'. "
            "Split a very long bulletin into several.")


class _Urls(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        wanted = LOADS.get(tag, ()) + LINKS.get(tag, ())
        if not wanted or not any(name in wanted for name, _ in attrs):
            return
        raw = self.get_starttag_text()
        for match in _ATTRIBUTE.finditer(raw, len(tag) + 1):
            name, value = match.group(1).lower(), match.group(3)
            if name in wanted and value is not None:
                value = value[1:-1] if value[:1] in "'\"" and value[-1:] == value[:1] and len(value) > 1 else value
                if name == "srcset":
                    self.found += [(tag, name, m.group(1)) for m in _SRCSET_URL.finditer(value) if m.group(1)]
                else:
                    self.found.append((tag, name, value))


def urls_of(page: str, body: str, body_line: int) -> list[Url]:
    """Every URL a link or a loading element of the HTML holds, as written, in page order, each
    with the line of the bulletin's source it came from."""
    parser = _Urls()
    parser.feed(page)
    parser.close()
    lines = _Lines(body, body_line)
    return [Url(tag, name, value, lines.of(value)) for tag, name, value in parser.found]


class _Lines:
    """Where in the source a URL of the page was written: the next line holding it as written (or,
    decoded, its file name), in page order; else the line of the URL before it. Markdown keeps the
    target of a link on one line, wherever its text and label are."""

    def __init__(self, body: str, body_line: int):
        self.body = body
        self.lines = body.split("\n")
        self.body_line = body_line
        self.last = 0  # index of the line of the URL before
        self.after: dict[str, int] = {}  # per needle: the index after its last match

    def of(self, value: str) -> int:
        decoded = html.unescape(value)
        tail = re.split(r"[/\\]", re.split(r"[#?]", decoded, maxsplit=1)[0])[-1]
        for needle in dict.fromkeys((value, decoded, tail)):
            if needle and (found := self._find(needle)) is not None:
                self.last = found
                return self.body_line + found
        return self.body_line + self.last

    def _find(self, needle: str) -> int | None:
        """The next line holding `needle` as a whole target or file name (`t.md` is not in `draft.md`)."""
        if needle not in self.body:  # most of a page's links are not written in it (permalinks, footnotes): no line to scan
            return None
        start = self.after.get(needle, 0)
        for index in [*range(start, len(self.lines)), *range(0, start)]:
            line = self.lines[index]
            at = line.find(needle)
            while at >= 0:
                end = at + len(needle)
                if (at == 0 or line[at - 1] in _BEFORE_TARGET) and (end == len(line) or line[end] in _AFTER_TARGET):
                    self.after[needle] = index + 1
                    return index
                at = line.find(needle, at + 1)
        return None


_BEFORE_TARGET = frozenset(" \t(<:/\\]")  # what may come before a target or a file name in Markdown
_AFTER_TARGET = frozenset(" \t)>\"'#?")


# --- what the URLs mean ---------------------------------------------------------------------

def outside_request(value: str) -> bool:
    """Whether loading this URL, as written in the HTML, asks another host."""
    return other_host(html.unescape(value))


def url_problems(path: Path, urls: Iterable[Url]) -> list[Problem]:
    """Elements that would load something from another host as the page opens."""
    return [
        Problem(path, url.line, f"{'an image' if url.tag == 'img' else f'a <{url.tag}>'} loads "
                f"'{_short(url.value)}' from another host: every reader's browser would ask it (the intranet "
                "makes no outside requests)",
                "Copy the image (or file) next to the bulletin and link it by its file name, e.g. ![photo](photo.jpg); "
                "a plain link [text](https://...) to another site is fine.")
        for url in urls if url.tag in LOADS and url.attribute in LOADS[url.tag] and outside_request(url.value)
    ]


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def apply(bulletin: Bulletin, verdict: Verdict) -> list[Problem]:
    """Give the bulletin what its page links to (attachments, linked bulletins) and say what is wrong."""
    if verdict.failure is not None:
        line, message, hint = verdict.failure
        return [Problem(bulletin.source, line, message, hint)]
    files = local_files(bulletin.source, bulletin.rel_path, [], [(url.value, url.line) for url in verdict.urls])
    listed = {a.path for a in bulletin.attachments}
    bulletin.attachments = bulletin.attachments + tuple(a for a in files.attachments if a.path not in listed)
    bulletin.page_links = files.page_links
    return files.problems + url_problems(bulletin.source, verdict.urls)


# --- many bulletins: workers, limits, cache ---------------------------------------------------

class Judge:
    """Renders bulletins in worker processes (one per core) and remembers verdicts in `cache_dir`.
    Called with a project's bulletins, it gives each its links and returns the problems.
    `workers=0` renders in this process (unit tests: no worker to start, but none to kill either).
    Each bulletin's page, as rendered, is kept for the build (`page_of`): in memory when just
    rendered, else in the cache (a file per page, read when the page loop comes to it)."""

    def __init__(self, config: MarkdownConfig | None = None, cache_dir: Path | None = None, workers: int | None = None,
                 pool: WorkerPool | None = None, kept: KeptVerdicts | None = None):
        self.config = config or MarkdownConfig()
        self.pool = pool  # the preview's workers, kept between rebuilds
        self.kept = kept  # and what the last call made of each bulletin object
        self.cache_file = cache_dir / CACHE_FILE if cache_dir is not None else None
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.rendered = 0  # bulletins rendered by the last call (the rest came from the cache)
        self.asked = 0  # bulletins whose key was made by the last call (the rest were kept: KeptVerdicts)
        self._keys: dict[Path, str] = {}  # the key of each bulletin of the last call, by its source
        self._pages: dict[str, Rendered | None] = {}  # pages rendered by the last call, by key

    def __call__(self, bulletins: list[Bulletin]) -> list[Problem]:
        if self.kept is not None:
            return self._with_kept(bulletins)
        jobs = [Job.of(b) for b in bulletins]
        self.asked = len(jobs)
        verdicts = self.verdicts(jobs)
        self._keys = {b.source: key for b, key in zip(bulletins, self._last_keys)}
        return [p for bulletin, verdict in zip(bulletins, verdicts) for p in apply(bulletin, verdict)]

    def _with_kept(self, bulletins: list[Bulletin]) -> list[Problem]:
        """The preview's: only the bulletins read again (new objects) are keyed and judged; the others get
        the last call's links and problems, applied again when a Markdown-like file appeared, went or
        changed kind (a link to another bulletin depends on it: KeptVerdicts.listing)."""
        config = self.config.for_workers()
        last, now = self.kept.for_call(config.fingerprint())
        todo = [b for b in bulletins if (k := last.get(id(b))) is None or k[0] is not b]
        jobs = [Job.of(b) for b in todo]
        self.asked = len(jobs)
        fresh = dict(zip(map(id, todo), self.verdicts(jobs, also={last[id(b)][1]: last[id(b)][2] for b in bulletins
                                                                    if id(b) in last and last[id(b)][0] is b})))
        fresh_keys = dict(zip(map(id, todo), self._last_keys))
        listing, problems, self._keys = self.kept.same_listing(), [], {}
        for b in bulletins:
            if id(b) in fresh:
                key, verdict = fresh_keys[id(b)], fresh[id(b)]
            else:
                kept = last[id(b)]
                key, verdict = kept[1], kept[2]
                if kept[3] is listing:
                    b.attachments, b.page_links = kept[4], kept[5]
                    problems += kept[6]
                    now[id(b)] = kept
                    self._keys[b.source] = key
                    continue
            found = apply(b, verdict)
            problems += found
            now[id(b)] = (b, key, verdict, listing, b.attachments, b.page_links, tuple(found))
            self._keys[b.source] = key
        return problems

    def page_of(self, source: Path) -> Rendered | None:
        """The page of a bulletin of the last call as its worker rendered it, or None (not kept,
        refused, or the cache lost it). A page just rendered is handed over once (the memory is
        freed); again, it is read from the cache (a rebuild that keeps this judge)."""
        key = self._keys.get(source)
        if key is None:
            return None
        if (fresh := self._pages.pop(key, None)) is not None:
            return fresh
        if self.cache_file is None:
            return None
        try:
            data = json.loads((self.cache_file.parent / PAGES_FOLDER / f"{key}.json").read_text(encoding="utf-8"))
            return Rendered.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):  # a lost or damaged page: MkDocs renders it
            return None

    def verdicts(self, jobs: list[Job], also: dict[str, Verdict] | None = None) -> list[Verdict]:
        """Each job's verdict, from the cache or rendered; `also`: the verdicts of the preview's bulletins
        not asked again (KeptVerdicts), which the cache keeps too (and their pages)."""
        config = self.config.for_workers()
        keys = self._last_keys = [job.key(config) for job in jobs]
        if also is not None and not jobs:  # nothing read again: the cache holds the last call's verdicts
            self.rendered, self._pages = 0, {}
            return []
        cached = self._load()
        todo = {key: job for key, job in zip(keys, jobs) if key not in cached}
        self.rendered = len(todo)
        fresh = run_jobs(list(todo.values()), config, self.workers, self.pool) if todo else []
        self._pages = {key: verdict.page for key, verdict in zip(todo, fresh)}
        self._save_pages(self._pages)
        known = {**cached, **(also or {}), **dict(zip(todo, fresh))}
        every = [*keys, *(also or {})]
        if todo or len(cached) != len(set(every)) or not cached.keys() >= set(every):
            self._save({key: known[key] for key in every})
        return [known[key] for key in keys]

    def _load(self) -> dict[str, Verdict]:
        if self.cache_file is None or not self.cache_file.is_file():
            return {}
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
            return {key: Verdict(tuple(Url(*u) for u in v["urls"]), tuple(v["failure"]) if v["failure"] else None)
                    for key, v in data.items()}
        except (OSError, ValueError, KeyError, TypeError):  # a damaged cache is no cache
            return {}

    def _save(self, verdicts: dict[str, Verdict]) -> None:
        if self.cache_file is None:
            return
        data = {key: {"urls": [list(u) for u in v.urls], "failure": list(v.failure) if v.failure else None}
                for key, v in verdicts.items()}
        _write(self.cache_file, json.dumps(data, ensure_ascii=False))
        try:  # the pages of bulletins no longer rendered so (edited, removed)
            for old in (self.cache_file.parent / PAGES_FOLDER).glob("*.json"):
                if old.stem not in verdicts:
                    old.unlink(missing_ok=True)
        except OSError:
            pass

    def _save_pages(self, pages: dict[str, Rendered | None]) -> None:
        if self.cache_file is None:
            return
        folder = self.cache_file.parent / PAGES_FOLDER
        for key, page in pages.items():
            if page is not None:
                _write(folder / f"{key}.json", json.dumps(page.as_json(), ensure_ascii=False))


class KeptVerdicts:
    """What the preview's judge made of each bulletin object (kept between rebuilds; an object is the same
    while its file is: site_build/incremental.py SourceCache): its key, verdict, links, attachments and
    problems. All is forgotten when the Markdown configuration (or the code of its extensions) changed;
    `listing` gives the kind of every Markdown-like file of the folder (sources/project.py FileChecks), on
    which `apply` depends beyond the bulletin (a link to a bulletin that appears or goes): when it changed,
    the kept verdicts are applied again (attachments' files changed: every file is read again anyway)."""

    def __init__(self, listing: Callable[[], tuple] = tuple):
        self.listing = listing
        # by id(bulletin): (bulletin, key, verdict, listing, attachments, links, problems), per Markdown configuration
        self._calls = KeptRows()
        self._listing: tuple | None = None

    def same_listing(self) -> tuple:
        """This call's listing: the last call's object when equal (compared once, then by identity)."""
        listing = self.listing()
        if listing != self._listing:
            self._listing = listing
        return self._listing

    def for_call(self, fingerprint: str) -> tuple[dict, dict]:
        """(the last call's, this call's to fill): objects not seen again are dropped with the last."""
        return self._calls.for_build((fingerprint,))


def _write(path: Path, text: str) -> None:
    """Whole or not at all (a build beside may read it); a cache that cannot be written is no cache."""
    partial = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:  # a file named .cache, a read-only checkout: the verdicts stand, uncached
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass


def _address_space() -> int:
    """Bytes of address space this process holds now (a forked worker starts with its parent's)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _worker(connection, config: MarkdownConfig) -> None:
    limit = _address_space() + MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a worker ended by SIGXCPU leaves no core file in the project
    # Ctrl-C in the terminal reaches the whole process group: the parent stops its workers itself
    # (a traceback per worker said nothing the editor needs)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    while True:
        # A worker kept between the preview's rebuilds (WorkerPool) outlives a parent killed without
        # stopping it: its pipe never ends (a sibling forked after it holds the parent's end too)
        while not connection.poll(1.0):
            if os.getppid() != parent:
                return
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        # The CPU timer in `judge` interrupts Python code only between bytecodes; Markdown's slow
        # shapes spend their time inside single regex searches. The kernel's CPU limit stops
        # those (SIGXCPU, left at its default: the worker ends), a second after the timer.
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = math.ceil(used.ru_utime + used.ru_stime + job.seconds()) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
        connection.send(judge(job, config))


class _Slot:
    def __init__(self, context, config: MarkdownConfig):
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_worker, args=(theirs, config), daemon=True)
        self.process.start()
        theirs.close()
        self.index: int | None = None  # the job it is rendering
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class WorkerPool:
    """Render workers kept between the preview's rebuilds (`mkdocs serve`, which has threads, could
    otherwise only spawn a fresh interpreter for each edit's bulletin: importing Markdown and this
    package again, on the editor's wait). Workers forked by the first build (one thread then) stay
    for every later one with the same Markdown configuration; a worker is kept only idle and alive
    (one stopped mid-job could answer the next job with the last one's verdict)."""

    def __init__(self):
        self._key: str | None = None
        self._idle: list[_Slot] = []
        self.started = 0  # workers started so far (tests: a kept pool starts none for the next rebuild)

    def take(self, context, config: MarkdownConfig, count: int) -> list[_Slot]:
        if config.fingerprint() != self._key:  # another configuration: its workers render otherwise
            self.close()
            self._key = config.fingerprint()
        alive = [slot for slot in self._idle if slot.process.is_alive()]
        for slot in self._idle:
            if slot not in alive:
                slot.stop(kill=True)
        taken, self._idle = alive[:count], alive[count:]
        self.started += count - len(taken)
        return taken + [_Slot(context, config) for _ in range(count - len(taken))]

    def give_back(self, slots: list[_Slot]) -> None:
        for slot in slots:
            if slot.index is None and slot.process.is_alive():
                self._idle.append(slot)
            else:
                slot.stop(kill=True)

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for slot in idle:
            slot.stop()


def run_jobs(jobs: list[Job], config: MarkdownConfig, workers: int, pool: WorkerPool | None = None) -> list[Verdict]:
    """Every job's verdict, in order. A worker that outlives its job's limit by far (stuck in C,
    where the CPU timer cannot interrupt it) or dies is replaced, and its job refused. With `pool`
    (the preview), its idle workers are used and kept for the next call."""
    if workers == 0:
        return [judge(job, config) for job in jobs]
    # Forking is fast (the Markdown modules are loaded already), but a thread of the parent may
    # hold a lock at that moment: with other threads (`mkdocs serve`), start fresh processes.
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    verdicts: list[Verdict | None] = [None] * len(jobs)
    waiting = list(range(len(jobs)))[::-1]
    count = max(1, min(workers, len(jobs)))
    slots = pool.take(context, config, count) if pool is not None else [_Slot(context, config) for _ in range(count)]
    try:
        while waiting or any(s.index is not None for s in slots):
            for slot in slots:
                if slot.index is None and waiting:
                    slot.index = waiting.pop()
                    # wall-clock backstop (the CPU limits stop it first): starting the worker, a busy machine
                    slot.deadline = time.monotonic() + 30 + 3 * jobs[slot.index].seconds()
                    slot.connection.send(jobs[slot.index])
            busy = [s for s in slots if s.index is not None]
            timeout = max(0.0, min(s.deadline for s in busy) - time.monotonic())
            ready = multiprocessing.connection.wait([s.connection for s in busy], timeout)
            for i, slot in enumerate(slots):
                if slot.index is None:
                    continue
                job = jobs[slot.index]
                if slot.connection in ready:
                    try:
                        verdicts[slot.index] = slot.connection.recv()
                        slot.index = None
                        continue
                    except (EOFError, OSError):  # the worker ended: over its CPU limit, or a crash in C
                        slot.process.join(5)
                        failure = (_too_slow(job, job.seconds()) if slot.process.exitcode == -signal.SIGXCPU else
                                   (job.body_line, "Markdown could not read this bulletin: its renderer died "
                                    f"(exit code {slot.process.exitcode})", _too_slow(job, job.seconds())[2]))
                elif time.monotonic() >= slot.deadline:
                    failure = _too_slow(job, job.seconds())
                else:
                    continue
                verdicts[slot.index] = Verdict(failure=failure)
                slot.stop(kill=True)
                slots[i] = _Slot(context, config)
    finally:
        if pool is not None:
            pool.give_back(slots)
        else:
            for slot in slots:
                slot.stop()
    return verdicts

