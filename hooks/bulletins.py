"""MkDocs glue for Safety Bulletins: the logic lives in the `safety_bulletins` package.

MkDocs does not reload hook modules between `mkdocs serve` rebuilds, so the state of a
build, `_build`, is replaced at the start of every build (on_config); `_dirty` is the
process's command-line flag, set once at startup.

Other plugins run beside this hook (minifiers, feed and git-date plugins). At equal priority
a hook runs after every plugin, so the page events that make a page say when they run:
bulletins' files, Markdown and content first (100), so that other plugins see the pages as
the site shows them; placeholders filled first when a page is written (100), before any
plugin rewrites the HTML; memory released last (-100), once every plugin has seen the page.
"""

from __future__ import annotations

import calendar
import errno
import hashlib
import logging
import os
import shutil
import socket
import threading
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File, InclusionLevel

from safety_bulletins.sources.dates import DateError, as_of_date
from safety_bulletins.site_build.incremental import CacheError, build_cache, merge_search_index, remove_stale, remove_unmade
from safety_bulletins.outputs import csp, pagefind
from safety_bulletins.outputs.search_index import rewrite_as_utf8
from safety_bulletins.site_build.settings import (
    SettingsError,
    bulletin_settings,
    file_including_extension_problem,
    site_name_problem,
)
from safety_bulletins.outputs.site import (FILTER_SCRIPT, HOME, LIVE_SCRIPT, SEARCH_FILTERS, SEARCH_FILTERS_SCRIPT,
                                           SEARCH_WORKER)
from safety_bulletins.site_build.sitebuild import LostPlaceholder, SiteBuild, site_fingerprint
from safety_bulletins.site_build.rendering import MarkdownConfig, cache_dir_for

log = logging.getLogger("mkdocs.hooks.bulletins")
PROGRESS_EVERY = 500  # pages, for a long build to say how far it has got
OFFLINE_WORKER_SHIM = "assets/vendor/iframe-worker/shim.js"  # in docs/
_build: SiteBuild | None = None
_dirty = False  # `mkdocs serve --dirty` / `build --dirty`: set once per process, at startup
_started = 0.0
_inputs = ""  # this dirty build's site_fingerprint
_serving = False  # `mkdocs serve` until its address is checked, before the first build
_previewing = False  # `mkdocs serve`, for the whole process
_indexing: tuple[pagefind.Run, threading.Thread] | None = None  # the preview's last Pagefind run, in the background


class _NotForThisSite(logging.Filter):
    """MkDocs warns on every dirty build that navigation may go stale, and says the site
    folder "contains stale files" whenever it is not empty. Neither holds here: any change to
    mkdocs.yml, docs/ or the theme redoes every page (see _fingerprint), bulletins are never
    in the navigation, and on_post_build removes what the build no longer has. Messages that
    never apply teach editors to ignore messages."""

    NOT_HERE = ("A 'dirty' build is being performed", "The directory contains stale files")

    def filter(self, record):
        return not record.getMessage().startswith(self.NOT_HERE)


def on_startup(command, dirty):
    global _dirty, _serving, _previewing
    _dirty = dirty
    _serving = _previewing = command == "serve"
    build_log = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _NotForThisSite) for f in build_log.filters):
        build_log.addFilter(_NotForThisSite())


def on_config(config):
    global _build, _started, _serving
    _started = time.monotonic()
    _stop_indexing()  # a rebuild of the preview: the last one's index would be out of date, and takes the CPU
    if _serving:  # once: each rebuild runs on_config again, while the server holds the port
        _serving = False
        _check_address(config.dev_addr)
    # Material's search segments Chinese with jieba, which prints four lines of its
    # dictionary's loading to stderr at DEBUG level on every build: keep its warnings only.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    try:
        settings = bulletin_settings(config.extra)  # who the build is for: extra: bulletins: audience:
        if (problem := site_name_problem(Path(config.config_file_path), config.site_name)) is not None:
            raise SettingsError(str(problem))
        # before any page is rendered: what such an extension includes is past every check
        if (problem := file_including_extension_problem(Path(config.config_file_path), config.markdown_extensions)):
            raise SettingsError(str(problem))
        as_of = as_of_date(time_zone=settings.time_zone)  # today where the site is, not where the build runs
    except (DateError, SettingsError) as exc:
        raise PluginError(str(exc)) from None
    # Same sources and as-of date, same bytes: MkDocs dates the sitemap by SOURCE_DATE_EPOCH.
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(as_of.timetuple()))
    bulletins_dir = Path(config.config_file_path).parent / "bulletins"
    _build = SiteBuild.load(bulletins_dir, as_of, config.use_directory_urls, config.theme["language"],
                            settings.audience, site_name=config.site_name, site_url=config.site_url,
                            time_zone=settings.time_zone, search=_search_engine(config, settings.search),
                            markdown=MarkdownConfig(tuple(config.markdown_extensions), dict(config.mdx_configs)),
                            cache_dir=cache_dir_for(Path(config.config_file_path).parent))
    # Material fetches a sitemap beside each <link rel="alternate">, which a file:// page may not:
    # the copy for a file share or USB stick leaves the feeds out of the head (its pages link them)
    _build.offline = _offline(config)
    for problem in _build.project.problems:
        if problem.severity != "error":
            log.warning(str(problem))
    for message in _build.history.warnings:  # a shallow CI clone: say so, but build
        (log.warning if _build.history.shallow else log.info)(message)
    errors = _build.project.errors
    if errors:
        report = "\n".join(str(p) for p in errors)
        raise PluginError(f"{len(errors)} problem(s) in the bulletins; nothing was built:\n{report}")
    config.markdown_extensions.extend(_build.markdown_extensions())
    for script in (LIVE_SCRIPT, FILTER_SCRIPT):  # live.js first: the filter reads the buckets it sets
        if script not in [str(known) for known in config.extra_javascript]:  # serve rebuilds reuse the config
            config.extra_javascript.append(script)
    # The offline plugin adds a Web Worker shim from a CDN; the intranet has no internet.
    config.extra["polyfills"] = [
        OFFLINE_WORKER_SHIM if "iframe-worker" in script else script for script in config.extra.get("polyfills", [])
    ]
    return config


def _offline(config) -> bool:
    """The copy for a file share or USB stick (Material's offline plugin), read from file://."""
    offline = config.plugins.get("material/offline")
    return offline is not None and bool(offline.config.enabled)


def _search_engine(config, wanted: str) -> str:
    """What answers the search box in this build: Pagefind only where it can (a served site
    with Material's search box). Material's search plugin stays, for its box and its worker's
    place in the page configuration; every page is kept out of its index (SiteBuild.page_meta)."""
    if wanted != "pagefind" or "material/search" not in config.plugins:
        return "material"
    if _offline(config):
        # file:// pages cannot fetch Pagefind's chunks; the offline plugin makes lunr's index a script
        log.info("Bulletins: the offline copy searches with Material's search (search: pagefind is for served sites)")
        return "material"
    return "pagefind"


def _check_address(address) -> None:
    """Say that the preview's port is taken before building, instead of a traceback after it."""
    try:
        family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
        with socket.create_server((address.host, address.port), family=family):
            pass
    except OSError as exc:
        taken = exc.errno == errno.EADDRINUSE
        raise PluginError(
            f"cannot serve the preview at {address.host}:{address.port}: "
            + ("the port is taken (another preview still running?)" if taken else exc.strerror or str(exc))
            + f". Stop the other one, or pick another port: ./dev serve --dev-addr {address.host}:"
            + str(address.port + 1 if address.port < 65535 else 8001)
        ) from None


@event_priority(100)  # plugins that list or filter pages (feeds, tags...) see the bulletins too
def on_files(files, config):
    # Dirty builds skip pages whose output is newer than their source: give them sources
    # that change only when the page would (see SiteBuild.source_files).
    try:
        stamps = build_cache(Path(config.config_file_path).parent)
    except CacheError as exc:
        raise PluginError(str(exc)) from None
    if not _dirty:  # a full build may leave pages newer than their stamps: start again next time
        shutil.rmtree(stamps, ignore_errors=True)
    global _inputs
    _inputs = _fingerprint(config) if _dirty else ""
    sources = _build.source_files(stamps if _dirty else None, _inputs, outputs=stamps / "outputs")
    existing = [(f.src_uri, f.abs_src_path) for f in files]
    problems = _build.output_problems(existing, [s.src_uri for s in sources], Path(config.docs_dir),
                                      config.use_directory_urls)
    if problems:
        raise PluginError(f"{len(problems)} problem(s) with the site's files; nothing was built:\n" + "\n".join(problems))
    home = files.get_file_from_path(HOME)
    if _dirty and home is not None:  # its live figures change with any bulletin: never skip it
        home.is_modified = lambda: True
    for source in sources:
        backing = {"abs_src_path": str(source.path)} if source.path is not None else {"content": source.content}
        files.append(File.generated(config, source.src_uri, inclusion=InclusionLevel.NOT_IN_NAV, **backing))
    if _dirty and _read(_inputs_marker(config)) != _inputs:
        # A new tool version, hook, config, docs/ or theme file (maybe older than the site):
        # MkDocs' dates cannot tell, so every page and file is redone.
        for file in files:
            file.is_modified = lambda: True
    return files


def _fingerprint(config) -> str:
    hooks = [Path(module.__file__) for module in config["hooks"].values()]
    custom_dir = config.theme.custom_dir
    folders = [Path(config.docs_dir), *([Path(custom_dir)] if custom_dir else [])]
    return site_fingerprint([Path(config.config_file_path), *hooks], folders)


def _inputs_marker(config) -> Path:
    """The fingerprint of the last complete dirty build into this site folder (one per folder:
    `serve` and `build` may use different ones)."""
    site = hashlib.sha256(str(Path(config.site_dir).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return build_cache(Path(config.config_file_path).parent) / f".site-inputs-{site}"


def on_pre_build(config):
    if _dirty and _build.search == "material":  # the search plugin will overwrite it with the pages this build renders
        _build.previous_search_index = _read(Path(config.site_dir, "search", "search_index.json"))


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


@event_priority(100)  # a bulletin's file is empty: its Markdown must be there before plugins read it
def on_page_markdown(markdown, page, config, files):
    page.meta = _build.page_meta(page.file.src_uri, page.meta)
    # Plugins read the argument or page.markdown (MkDocs sets it only after every plugin ran)
    page.markdown = _build.page_source(page.file.src_uri, markdown)
    return page.markdown


@event_priority(100)  # checks pymdown's cards before anyone else changes the HTML
def on_page_content(html, page, config, files):
    problems = _build.render_problems(page.file.src_uri, html)
    if problems:
        raise PluginError("\n".join(map(str, problems)))
    _build.rendered.add(page.url)
    if len(_build.rendered) % PROGRESS_EVERY == 0:
        log.info(f"Bulletins: {len(_build.rendered)} of {len(files.documentation_pages())} pages rendered")
    return _build.page_content(page.file.src_uri, html)


@event_priority(100)  # before any plugin rewrites the HTML: a minifier drops the comments we fill
def _fill_placeholders(output, page, config):
    try:
        return _build.page_output(page.file.src_uri, output)
    except LostPlaceholder as exc:  # never write a card without its facts, or a listing without rows
        raise PluginError(str(exc)) from None


@event_priority(-100)  # after every plugin's on_post_page, which may still read them
def _forget_bulletin(output, page, config):
    if page.file.src_uri in _build.bulletins:
        # MkDocs holds every page's Markdown and HTML to the end of the build, though nothing
        # in this site reads a bulletin's once it is written: at 10,000 bulletins, a third of
        # the memory. (Markdown "", not None: MkDocs' Page.title is None without Markdown.)
        page.markdown, page.content = "", None
    return output


SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


@event_priority(100)
def _name_the_search_dialog(output, page, config):
    """Material's search is a dialog without a name, which screen readers announce as just
    'dialog' (axe: aria-dialog-name)."""
    return output.replace(SEARCH_DIALOG, f'{SEARCH_DIALOG[:-1]} aria-label="{_build.renderer.labels("Search")}">', 1)


@event_priority(100)
def _search_with_pagefind(output, page, config):
    if _build.search != "pagefind":
        return output
    try:
        return pagefind.use_worker(output, SEARCH_WORKER, SEARCH_FILTERS_SCRIPT)
    except pagefind.PagefindError as exc:
        raise PluginError(f"{page.file.src_uri}: {exc}") from None


_theme_scripts: dict[str, csp.ThemeScripts] = {}  # a page's own inline scripts, from when it was written to its policy
_written: dict[str, str] = {}  # a page as this hook left it, to its policy


@event_priority(100)  # the page as the template made it: what is not its content is the theme's
def _note_theme_scripts(output, page, config):
    try:
        _theme_scripts[page.file.src_uri] = csp.theme_scripts(output, page.content or "")
    except csp.CspError as exc:
        raise PluginError(f"{page.file.src_uri}: {exc}") from None
    return output


@event_priority(100)  # after this hook's own changes, before any plugin's
def _note_written(output, page, config):
    _written[page.file.src_uri] = output
    return output


@event_priority(-100)  # last: the hashes are of the final bytes, after any plugin (a minifier) rewrote the scripts
def _add_policy(output, page, config):
    as_written = _written.pop(page.file.src_uri, None) is output  # no plugin changed the page: its scripts are as read
    try:
        return csp.with_policy(output, _theme_scripts.pop(page.file.src_uri), preview=_previewing,
                               scripts_as_read=as_written)
    except csp.CspError as exc:
        raise PluginError(f"{page.file.src_uri}: {exc}") from None


on_post_page = CombinedEvent(_note_theme_scripts, _fill_placeholders, _name_the_search_dialog, _search_with_pagefind,
                             _note_written, _add_policy, _forget_bulletin)


@event_priority(-100)  # 404.html: after any plugin (a minifier) rewrote it
def on_post_template(output_content, template_name, config):
    if not template_name.endswith(".html"):
        return output_content
    try:
        return csp.with_policy(output_content, preview=_previewing)  # a theme template: its scripts are the theme's
    except csp.CspError as exc:
        raise PluginError(f"{template_name}: {exc}") from None


def on_env(env, config, files):
    _build.files = files  # for on_post_build, which is not given them
    return env


def on_post_build(config):  # default priority: after the search plugin (a plugin) has written its index
    docs = Path(config.docs_dir)
    # HTML files of docs/, copied as written (attachments are downloads). MkDocs counts .xml and
    # .json files as static pages too: a feed or data an editor wrote is not a page to give a policy.
    for file in _build.files.static_pages():
        if (file.abs_src_path and Path(file.abs_src_path).is_relative_to(docs)
                and file.src_uri.lower().endswith((".html", ".htm"))):
            _add_policy_to_file(Path(file.abs_dest_path), file.src_uri)
    index = Path(config.site_dir, "search", "search_index.json")  # written by the search plugin, before us
    if index.is_file() and _dirty and _build.search == "material":
        pages = [f.url for f in _build.files.documentation_pages()]
        text = index.read_text(encoding="utf-8")
        index.write_text(merge_search_index(_build.previous_search_index, text, pages, _build.rendered), encoding="utf-8")
    elif index.is_file():
        rewrite_as_utf8(index)
    if _dirty:
        expected = {Path(f.abs_dest_path) for f in _build.files}
        for path in remove_stale(Path(config.site_dir), expected):
            log.info(f"Bulletins: removed {path}, which this build no longer has")
        for path in remove_unmade(Path(config.site_dir), _build.search):  # a dirty build after one with search: pagefind
            log.info(f"Bulletins: removed {path}, which this build no longer has")
        marker = _inputs_marker(config)  # only now: a build stopped half-way must redo everything next time
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(_inputs, encoding="utf-8")
    if _build.search == "pagefind" and _previewing:
        _index_in_background(Path(config.site_dir))
    elif _build.search == "pagefind":  # last: it reads every page as written
        started = time.monotonic()
        try:
            indexed = pagefind.index_site(Path(config.site_dir))
        except pagefind.PagefindError as exc:
            raise PluginError(str(exc)) from None
        log.info(f"Bulletins: Pagefind indexed {indexed} in {time.monotonic() - started:.1f} s")
    log.info(f"Bulletins: {_build.summary()}, built in {time.monotonic() - _started:.1f} s")


def _add_policy_to_file(path: Path, name: str) -> None:
    text = path.read_bytes().decode("utf-8", "surrogateescape")  # its bytes kept, whatever its encoding
    if csp.has_policy(text):
        return
    try:
        path.write_bytes(csp.with_policy(text, preview=_previewing).encode("utf-8", "surrogateescape"))
    except csp.CspError as exc:
        raise PluginError(f"{name}: {exc}") from None


def _stop_indexing() -> None:
    if _indexing is not None:
        _indexing[0].cancel()
        _indexing[1].join()


def _index_in_background(site_dir: Path) -> None:
    """The preview shows an edit as soon as its pages are written; Pagefind reads every
    bulletin page again (7 s at 2,000 bulletins, 25 s at 10,000), so it runs after, in a
    thread, at a lower CPU priority, and search answers from the previous index until the
    new one is in place. The next rebuild stops it as it starts (on_config)."""
    global _indexing
    _stop_indexing()  # one at a time: each puts its index in place of the last
    run = pagefind.Run(site_dir, background=True)

    def index():
        started = time.monotonic()
        try:
            indexed = run()
        except pagefind.PagefindError as exc:
            if not str(exc).startswith("cancelled"):
                log.error(f"Bulletins: search is not up to date: {exc}")
            return
        log.info(f"Bulletins: Pagefind indexed {indexed} in {time.monotonic() - started:.1f} s (search is up to date)")

    thread = threading.Thread(target=index, name="pagefind", daemon=True)
    _indexing = (run, thread)
    thread.start()
