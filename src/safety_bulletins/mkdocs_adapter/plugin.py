"""The build's MkDocs events: BulletinsPlugin holds a build's state; hooks/bulletins.py, the entry
mkdocs.yml names, hands MkDocs' events to one instance of it.

MkDocs does not reload hook modules between `mkdocs serve` rebuilds, so the plugin lives for the
whole process: the state of one build, `build`, is replaced at the start of every build
(on_config); `dirty` is the process's command-line flag, set once at startup. What the preview
keeps between its rebuilds (the bulletins as read, the listings' rows, the exports made after the
pages: site_build/incremental.py) is kept here too, and only when serving.

Other plugins run beside this hook (minifiers, feed and git-date plugins). At equal priority
a hook runs after every plugin, so the page events that make a page say when they run:
bulletins' files, Markdown and content first (100), so that other plugins see the pages as
the site shows them (a bulletin's HTML is the one its render worker made: MkDocs does not render
it again, see _take_rendered); placeholders filled first when a page is written (100), before any
plugin rewrites the HTML; memory released last (-100), once every plugin has seen the page.
"""

from __future__ import annotations

import calendar
import errno
import functools
import hashlib
import logging
import os
import resource
import shutil
import socket
import threading
import time
from html import escape as escape_html
from pathlib import Path

import jinja2
import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import _RelativePathTreeprocessor
from mkdocs.structure.toc import get_toc
from mkdocs.utils.yaml import get_yaml_loader

from ..outputs import csp, pagefind, site
from ..outputs.feeds import site_url_note
from ..outputs.search_index import rewrite_as_utf8
from ..outputs.site import (FILTER_SCRIPT, HOME, LIVE_SCRIPT, OFFLINE_WORKER_SHIM, SEARCH_FILTERS_SCRIPT, SEARCH_INDEX,
                            SEARCH_WORKER, STYLESHEET)
from ..site_build.incremental import (CacheError, KeptRows, ShownBefore, SourceCache, build_cache, merge_search_index,
                                      remove_stale, remove_unmade)
from ..site_build.rendering import MarkdownConfig, WorkerPool, cache_dir_for
from ..site_build.settings import SettingsError, file_including_extension_problem, site_name_problem
from ..site_build.sitebuild import LostPlaceholder, OutputsError, SiteBuild, site_fingerprint
from ..sources.dates import DateError, as_of_date
from .config import BulletinsConfig, bulletins_config, settings_of
from .urls import url_rule

log = logging.getLogger("mkdocs.hooks.bulletins")
PROGRESS_EVERY = 500  # pages, for a long build to say how far it has got
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
# Material's toggle of a page's table of contents, written only where the page is in the navigation,
# and the label of the contents' title that toggles it (partials/nav-item.html, partials/toc.html)
TOC_TOGGLE = '<input class="md-nav__toggle md-toggle" type="checkbox" id="__toc">'
TOC_TITLE = '<label class="md-nav__title" for="__toc">'
NOT_FOUND = "<h1>404 - Not found</h1>"  # Material's 404.html
# Plugins whose on_post_build leaves the bulletin pages as written: Pagefind may read them before it
INDEX_EARLY_BESIDE = ("material/search", "material/offline")  # offline: the search index only, and never with Pagefind


class _NotForThisSite(logging.Filter):
    """MkDocs warns on every dirty build that navigation may go stale, and says the site
    folder "contains stale files" whenever it is not empty. Neither holds here: any change to
    mkdocs.yml, docs/ or the theme redoes every page (see _fingerprint), bulletins are never
    in the navigation, and on_post_build removes what the build no longer has. Messages that
    never apply teach editors to ignore messages."""

    NOT_HERE = ("A 'dirty' build is being performed", "The directory contains stale files")

    def filter(self, record):
        return not record.getMessage().startswith(self.NOT_HERE)


class BulletinsPlugin(BasePlugin[BulletinsConfig]):
    """Safety Bulletins as MkDocs events. Its settings stay where editors write them, under
    `extra: bulletins:` (the hook is no `plugins:` entry, so MkDocs does not load them): on_config
    loads them into self.config, validated by BulletinsConfig."""

    def __init__(self):
        self.build: SiteBuild | None = None
        self.dirty = False  # `mkdocs serve --dirty` / `build --dirty`: set once per process, at startup
        self.started = 0.0
        self.inputs = ""  # this dirty build's site_fingerprint
        self.serving = False  # `mkdocs serve` until its address is checked, before the first build
        self.previewing = False  # `mkdocs serve`, for the whole process
        self.indexing: tuple[pagefind.Run, threading.Thread] | None = None  # the preview's last Pagefind run
        self.theme_scripts: dict[str, csp.ThemeScripts] = {}  # a page's own inline scripts, written to policy
        self.written: dict[str, str] = {}  # a page as this plugin left it, to its policy
        self.copy_later: list[File] = []  # outputs still being made when MkDocs copies its files (on_files)
        self.take_rendered: bool | None = None  # whether pages come from the render workers (this build; first page)
        self.taken = 0  # bulletin pages of this build as their render worker made them
        self.bulletins_to_write: int | None = None  # a full build's bulletin pages not yet written (on_nav)
        self.early_index: tuple[pagefind.Run, threading.Thread, dict] | None = None  # Pagefind started before on_post_build
        # the preview's bulletins as its last rebuild read them: a rebuild reads only the files that changed
        self.sources = SourceCache()
        self.kept_rows = KeptRows()  # and the rows of its listings
        self.kept_reprs = KeptRows()  # and the text of each bulletin in its page's stamp
        self.shown_before = ShownBefore()  # and what it showed: only the stamps of what an edit changed are made
        # the preview's exports and calendars as its last build left them (made again after the pages)
        self.kept_outputs: dict[str, Path] | None = None
        self.outputs_deferred = False  # this build gave the kept ones: remake them after its pages
        self.kept_shows: frozenset[str] = frozenset()  # the bulletins the kept ones (and the search index) show
        self.last_shows: frozenset[str] = frozenset()  # the bulletins the last build showed (its Pagefind run)
        self.showing: frozenset[str] = frozenset()  # the bulletins this build shows (last_shows once it is done)
        self.hid_some = False  # this rebuild of the preview hides a bulletin the last one (or the kept files) showed
        self.remaking: tuple | None = None  # (the process making them, the thread waiting for it)
        self.render_pool = WorkerPool()  # the preview's render workers, kept between its rebuilds
        self.stamps_written: dict[Path, str] = {}  # and what they wrote in each page's stamp
        self.template_code = _TemplateCode()  # and the theme's templates as compiled (1 s of CPU a rebuild)

    def on_startup(self, *, command, dirty):
        self.dirty = dirty
        self.serving = self.previewing = command == "serve"
        build_log = logging.getLogger("mkdocs.commands.build")
        if not any(isinstance(f, _NotForThisSite) for f in build_log.filters):
            build_log.addFilter(_NotForThisSite())

    def on_shutdown(self):  # the preview ends: nothing it started outlives it
        self._stop_remaking()
        self.render_pool.close()

    def on_config(self, config):
        self.started = time.monotonic()
        self._stop_indexing()  # a rebuild of the preview: the last one's index would be out of date, and takes the CPU
        self._stop_remaking()  # as out of date: this rebuild makes them again
        # Each build of `mkdocs serve` starts afresh: what a failed or earlier build noted of its pages
        # would hold the old pages in memory and could give a page another build's policy.
        self.theme_scripts, self.written, self.take_rendered, self.taken = {}, {}, None, 0
        self.bulletins_to_write, self.early_index = None, None
        if self.serving:  # once: each rebuild runs on_config again, while the server holds the port
            self.serving = False
            _check_address(config.dev_addr)
        # Material's search segments Chinese with jieba, which prints four lines of its
        # dictionary's loading to stderr at DEBUG level on every build: keep its warnings only.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        _forget_logged_messages()
        config_file = Path(config.config_file_path)
        try:
            self.config = bulletins_config(config.extra, config_file)  # who the build is for: extra: bulletins: audience:
            settings = settings_of(self.config)
            if (problem := site_name_problem(config_file, config.site_name)) is not None:
                raise SettingsError(str(problem))
            # before any page is rendered: what such an extension includes is past every check
            if (problem := file_including_extension_problem(config_file, config.markdown_extensions)):
                raise SettingsError(str(problem))
            as_of = as_of_date(time_zone=settings.time_zone)  # today where the site is, not where the build runs
        except (DateError, SettingsError) as exc:
            raise PluginError(str(exc)) from None
        # Same sources and as-of date, same bytes: MkDocs dates the sitemap by SOURCE_DATE_EPOCH.
        os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(as_of.timetuple()))
        build = self.build = SiteBuild.load(
            config_file.parent / "bulletins", as_of, url_rule(config.use_directory_urls), config.theme["language"],
            settings.audience, site_name=config.site_name, site_url=config.site_url, time_zone=settings.time_zone,
            search=_search_engine(config, settings.search), windows=settings.windows,
            markdown=MarkdownConfig(tuple(config.markdown_extensions), dict(config.mdx_configs)),
            cache_dir=cache_dir_for(config_file.parent), workers=settings.worker_count,
            sources=self.sources if self.previewing else None,
            kept_rows=self.kept_rows if self.previewing else None,
            kept_reprs=self.kept_reprs if self.previewing else None,
            pool=self.render_pool if self.previewing else None,
            shown_before=self.shown_before if self.previewing else None)
        # Material fetches a sitemap beside each <link rel="alternate">, which a file:// page may not:
        # the copy for a file share or USB stick leaves the feeds out of the head (its pages link them)
        build.offline = _offline(config)
        build.stamps_written = self.stamps_written if self.previewing else None
        for problem in build.project.problems:
            if problem.severity != "error":
                log.warning(str(problem))
        if (note := site_url_note(config.site_url)) is not None:  # info: `--strict` builds need no site_url
            log.info(f"Bulletins: {note}")
        for message in build.history.warnings:  # a shallow CI clone: say so, but build
            (log.warning if build.history.shallow else log.info)(message)
        errors = build.project.errors
        if errors:
            report = "\n".join(str(p) for p in errors)
            raise PluginError(f"{len(errors)} problem(s) in the bulletins; nothing was built:\n{report}")
        config.markdown_extensions.extend(build.markdown_extensions())
        for script in (LIVE_SCRIPT, FILTER_SCRIPT):  # live.js first: the filter reads the buckets it sets
            if script not in [str(known) for known in config.extra_javascript]:  # serve rebuilds reuse the config
                config.extra_javascript.append(script)
        # the package's stylesheet before the site's own (extra_css), which may then override it
        if STYLESHEET not in [str(css) for css in config.extra_css]:
            config.extra_css.insert(0, STYLESHEET)
        # The offline plugin adds a Web Worker shim from a CDN; the intranet has no internet: the package's copy
        config.extra["polyfills"] = [
            OFFLINE_WORKER_SHIM if "iframe-worker" in script else script for script in config.extra.get("polyfills", [])
        ]
        return config

    @event_priority(100)  # plugins that list or filter pages (feeds, tags...) see the bulletins too
    def on_files(self, files, *, config):
        # Dirty builds skip pages whose output is newer than their source: give them sources
        # that change only when the page would (see SiteBuild.source_files).
        try:
            stamps = build_cache(Path(config.config_file_path).parent)
        except CacheError as exc:
            raise PluginError(str(exc)) from None
        if not self.dirty:  # a full build may leave pages newer than their stamps: start again next time
            shutil.rmtree(stamps, ignore_errors=True)
        self.inputs = _fingerprint(config) if self.dirty else ""
        # The preview's editor waits for the pages: the feeds, exports and calendars (megabytes, remade on
        # every edit) are the last build's until they are made again after the pages (_remake_in_background)
        kept = self.kept_outputs if self.previewing and self.dirty else None
        # ... unless a bulletin they show is hidden now (a draft, an embargo, removed): nothing of it may
        # stay visible, so they are made now, with the pages (and Pagefind's index is dropped, _post_build)
        shown = frozenset(b.rel_path for b in self.build.catalog.bulletins)
        self.hid_some = self.previewing and not (self.kept_shows | self.last_shows) <= shown
        # what the site shows once this build is done (not before: a build that fails keeps the signal)
        self.showing = shown if self.previewing else frozenset()
        self.outputs_deferred = kept is not None and not self.hid_some and self.build.can_keep(kept)
        sources = self.build.source_files(stamps if self.dirty else None, self.inputs, outputs=stamps / "outputs",
                                          kept_outputs=kept if self.outputs_deferred else None)
        if self.previewing and self.dirty and not self.outputs_deferred:
            self.kept_outputs, self.kept_shows = self.build.written_outputs, shown
        existing = [(f.src_uri, f.abs_src_path) for f in files]
        problems = self.build.output_problems(existing, [s.src_uri for s in sources], Path(config.docs_dir))
        if problems:
            raise PluginError(f"{len(problems)} problem(s) with the site's files; nothing was built:\n"
                              + "\n".join(problems))
        home = files.get_file_from_path(HOME)
        if self.dirty and home is not None:  # its live figures change with any bulletin: never skip it
            home.is_modified = lambda: True
        # Every output of the registry (outputs/site.py OUTPUTS) is a file of the build, as pages
        # are: dirty builds, `mkdocs serve` and other plugins see them as MkDocs' own
        being_made, self.copy_later = set(self.build.making_outputs()), []
        for source in sources:
            backing = {"abs_src_path": str(source.path)} if source.path is not None else {"content": source.content}
            file = File.generated(config, source.src_uri, inclusion=InclusionLevel.NOT_IN_NAV, **backing)
            if self.dirty and site.output_at(source.src_uri).dirty == "always":  # not left to its dates
                file.is_modified = lambda: True
            if source.src_uri in being_made:  # written beside the page loop: copied once made (_outputs_in_place)
                file.copy_file = lambda dirty=False: None
                self.copy_later.append(file)
            files.append(file)
        if self.dirty and _read(_inputs_marker(config)) != self.inputs:
            # A new tool version, hook, config, docs/ or theme file (maybe older than the site):
            # MkDocs' dates cannot tell, so every page and file is redone.
            for file in files:
                file.is_modified = lambda: True
        return files

    @event_priority(-100)  # last: every plugin has added its files, the page loop's order is known
    def on_nav(self, nav, *, config, files):
        # A full build makes the parts of pages that the catalog alone gives (headers, cards' facts,
        # listings) beside the page loop; a dirty build skips pages, and the preview rebuilds few.
        if not self.dirty and not self.previewing:
            pages = [file.src_uri for file in files.documentation_pages()]
            self.build.make_parts_beside(pages)
            if self._may_index_early(config, files):
                self.bulletins_to_write = sum(1 for src in pages if src in self.build.bulletins)
        return nav

    def _may_index_early(self, config, files) -> bool:
        """Whether Pagefind may start as soon as the last bulletin page is written (a full build with
        Pagefind): only if nothing can change what it reads after that, that is no other plugin's
        on_post_build (this hook's changes only pages of docs/, which must not be under bulletins/)."""
        if self.build.search != "pagefind":
            return False
        others = [method for method in config.plugins.events["post_build"]
                  if getattr(method, "__self__", None) is not self
                  and config.plugins._event_origins.get(method) not in INDEX_EARLY_BESIDE]
        # what Pagefind's glob (pagefind.PAGES) reads: .html files at any depth under bulletins/
        return not others and not any(file.dest_uri.startswith("bulletins/") and file.dest_uri.endswith(".html")
                                      for file in files.static_pages())

    @event_priority(-100)  # after every plugin's: the pages before this one are written
    def on_page_context(self, context, *, page, config, nav):
        if self.bulletins_to_write == 0 and self.early_index is None:
            self._index_early(Path(config.site_dir))
        return context

    def _index_early(self, site_dir: Path) -> None:
        """Pagefind reads only bulletin pages: it indexes them in a thread while the page loop writes
        the listings after them; on_post_build waits for it."""
        run, outcome = pagefind.Run(site_dir), {}

        def index():
            try:
                outcome["indexed"] = run()
            except pagefind.PagefindError as exc:
                outcome["error"] = exc
            outcome["done"] = time.monotonic()

        thread = threading.Thread(target=index, name="pagefind", daemon=True)
        self.early_index = (run, thread, {"started": time.monotonic(), "outcome": outcome})
        thread.start()

    def on_pre_build(self, *, config):
        if self.dirty and self.build.search == "material":  # the search plugin overwrites it with the pages it renders
            self.build.previous_search_index = _read(Path(config.site_dir, SEARCH_INDEX))

    @event_priority(100)  # a bulletin's file is empty: its Markdown must be there before plugins read it
    def on_page_markdown(self, markdown, *, page, config, files):
        page.meta = self.build.page_meta(page.file.src_uri, page.meta)
        # Plugins read the argument or page.markdown (MkDocs sets it only after every plugin ran)
        page.markdown = self.build.page_source(page.file.src_uri, markdown)
        if page.file.src_uri in self.build.bulletins:  # Page.render, for this page only
            page.render = functools.partial(self._take_rendered, page, page.markdown)
        return page.markdown

    def _take_rendered(self, page, markdown, config, files):
        """MkDocs' Page.render for a bulletin: the HTML, table of contents and anchor ids its render
        worker made, links rewritten and warned about by MkDocs' own code as its render does (the
        render is otherwise the same: site_build/rendering.py render_page). MkDocs renders the page
        itself when the workers' render would differ: a plugin changed the Markdown or the Markdown
        extensions, the worker's page is not kept (a one-process build, a lost cache file)."""
        del page.render  # the instance's: a later render would be MkDocs' own
        made = None
        if page.markdown == markdown and self._pages_from_workers(config):
            links = _RelativePathTreeprocessor(page.file, files, config)
            made = self.build.rendered_page(page.file.src_uri, links.path_to_url)
        if made is None:
            return type(page).render(page, config, files)
        page.content, toc_tokens, anchors = made
        self.taken += 1
        page.toc = get_toc(toc_tokens)
        page._title_from_render = None  # a bulletin's title is its front matter's (SiteBuild.page_meta)
        page.present_anchor_ids = set(anchors)
        if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:  # as Page.render
            page.links_to_anchors = links.links_to_anchors
        return None

    def _pages_from_workers(self, config) -> bool:
        """Whether the page loop renders with what the workers rendered with (once a build: a
        plugin's on_config may add an extension after ours, or another than the site's)."""
        if self.take_rendered is None:
            judge = self.build.judge
            loop = MarkdownConfig(tuple(config.markdown_extensions), dict(config.mdx_configs))
            self.take_rendered = (judge is not None and judge.workers > 0 and judge.config.sendable() and loop.sendable()
                                  and loop.for_workers().fingerprint() == judge.config.for_workers().fingerprint())
        return self.take_rendered

    @event_priority(100)  # checks pymdown's cards before anyone else changes the HTML
    def on_page_content(self, html, *, page, config, files):
        problems = self.build.render_problems(page.file.src_uri, html)
        if problems:
            raise PluginError("\n".join(map(str, problems)))
        self.build.rendered.add(page.url)
        if len(self.build.rendered) % PROGRESS_EVERY == 0:
            log.info(f"Bulletins: {len(self.build.rendered)} of {len(files.documentation_pages())} pages rendered")
        return self.build.page_content(page.file.src_uri, html)

    @event_priority(100)  # before any plugin rewrites the HTML: a minifier drops the comments we fill
    def _fill_placeholders(self, output, *, page, config):
        try:
            return self.build.page_output(page.file.src_uri, output)
        except LostPlaceholder as exc:  # never write a card without its facts, or a listing without rows
            raise PluginError(str(exc)) from None

    @event_priority(-100)  # after every plugin's on_post_page, which may still read them
    def _forget_bulletin(self, output, *, page, config):
        if page.file.src_uri in self.build.bulletins:
            # MkDocs holds every page's Markdown and HTML to the end of the build, though nothing
            # in this site reads a bulletin's once it is written: at 10,000 bulletins, a third of
            # the memory. (Markdown "", not None: MkDocs' Page.title is None without Markdown.)
            page.markdown, page.content = "", None
            if self.bulletins_to_write:
                self.bulletins_to_write -= 1
        return output

    @event_priority(100)
    def _name_the_search_dialog(self, output, *, page, config):
        """Material's search is a dialog without a name, which screen readers announce as just
        'dialog' (axe: aria-dialog-name)."""
        return self._named_search(output)

    def _named_search(self, output: str) -> str:
        label = self.build.renderer.labels("Search")
        return output.replace(SEARCH_DIALOG, f'{SEARCH_DIALOG[:-1]} aria-label="{label}">', 1)

    @event_priority(100)
    def _unlink_the_toc_title(self, output, *, page, config):
        """A bulletin is not in the navigation, so Material writes no toggle for its contents, yet
        labels their title `for` it: a label for no control (HTML validator). It stays a title."""
        if TOC_TOGGLE in output:
            return output
        return output.replace(TOC_TITLE, '<label class="md-nav__title">', 1)

    @event_priority(100)
    def _search_with_pagefind(self, output, *, page, config):
        if self.build.search != "pagefind":
            return output
        try:
            return pagefind.use_worker(output, SEARCH_WORKER, SEARCH_FILTERS_SCRIPT)
        except pagefind.PagefindError as exc:
            raise PluginError(f"{page.file.src_uri}: {exc}") from None

    @event_priority(100)  # the page as the template made it: what is not its content is the theme's
    def _note_theme_scripts(self, output, *, page, config):
        try:
            self.theme_scripts[page.file.src_uri] = csp.theme_scripts(output, page.content or "")
        except csp.CspError as exc:
            raise PluginError(f"{page.file.src_uri}: {exc}") from None
        return output

    @event_priority(100)  # after this plugin's own changes, before any other plugin's
    def _note_written(self, output, *, page, config):
        self.written[page.file.src_uri] = output
        return output

    @event_priority(-100)  # last: the hashes are of the final bytes, after any plugin (a minifier) rewrote the scripts
    def _add_policy(self, output, *, page, config):
        as_written = self.written.pop(page.file.src_uri, None) is output  # no plugin changed the page's scripts
        try:
            return csp.with_policy(output, self.theme_scripts.pop(page.file.src_uri), preview=self.previewing,
                                   scripts_as_read=as_written)
        except csp.CspError as exc:
            raise PluginError(f"{page.file.src_uri}: {exc}") from None

    on_post_page = CombinedEvent(_note_theme_scripts, _fill_placeholders, _name_the_search_dialog,
                                 _unlink_the_toc_title, _search_with_pagefind, _note_written, _add_policy, _forget_bulletin)

    @event_priority(-100)  # 404.html: after any plugin (a minifier) rewrote it
    def on_post_template(self, output_content, *, template_name, config):
        if not template_name.endswith(".html"):
            return output_content
        # 404.html has the search box of every page: named, and answered by Pagefind as theirs are;
        # its heading in the site's language
        output_content = self._named_search(output_content).replace(
            NOT_FOUND, f"<h1>{escape_html(self.build.renderer.labels('404 - Not found'))}</h1>", 1)
        if self.build.search == "pagefind":
            try:
                output_content = pagefind.use_worker(output_content, SEARCH_WORKER, SEARCH_FILTERS_SCRIPT)
            except pagefind.PagefindError as exc:
                raise PluginError(f"{template_name}: {exc}") from None
        try:  # a theme template: its scripts are the theme's
            return csp.with_policy(output_content, preview=self.previewing)
        except csp.CspError as exc:
            raise PluginError(f"{template_name}: {exc}") from None

    def on_env(self, env, *, config, files):
        self.build.files = files  # for on_post_build, which is not given them
        if self.previewing:  # MkDocs makes the theme's environment afresh for each rebuild: compile each template once
            env.bytecode_cache = self.template_code
        return env

    @event_priority(100)  # before any plugin's on_post_build, which may read them in the site
    def _outputs_in_place(self, *, config):
        """The exports and calendars, made beside the page loop (SiteBuild.source_files), copied
        into the site as MkDocs copies its static files (dirty builds: only if modified)."""
        if (parts := self.build.stop_parts()) is not None:  # every page is written
            log.info(f"Bulletins: {parts}")
        try:
            made = self.build.outputs_in_place()
        except OutputsError as exc:
            raise PluginError(str(exc)) from None
        if made is not None:
            log.info(f"Bulletins: {made}")
        for file in self.copy_later:
            File.copy_file(file, self.dirty)
        self.copy_later = []

    def on_build_error(self, *, error):
        if self.build is not None:  # a failed build copies nothing: the outputs' process is not waited for
            self.build.stop_outputs()
            self.build.stop_parts()
        if self.early_index is not None:
            self.early_index[0].cancel()
            self.early_index[1].join()
            self.early_index = None

    def _post_build(self, *, config):  # default priority: after the search plugin (a plugin) wrote its index
        build, site_dir = self.build, Path(config.site_dir)
        docs = Path(config.docs_dir)
        # HTML files of docs/, copied as written (attachments are downloads). MkDocs counts .xml and
        # .json files as static pages too: a feed or data an editor wrote is not a page to give a policy.
        for file in build.files.static_pages():
            if (file.abs_src_path and Path(file.abs_src_path).is_relative_to(docs)
                    and file.src_uri.lower().endswith((".html", ".htm"))):
                self._add_policy_to_file(Path(file.abs_dest_path), file.src_uri)
        index = site_dir / SEARCH_INDEX  # written by the search plugin, before us
        if index.is_file() and self.dirty and build.search == "material":
            pages = [f.url for f in build.files.documentation_pages()]
            text = index.read_text(encoding="utf-8")
            index.write_text(merge_search_index(build.previous_search_index, text, pages, build.rendered),
                             encoding="utf-8")
        elif index.is_file():
            rewrite_as_utf8(index)
        if self.dirty:
            expected = {Path(f.abs_dest_path) for f in build.files}
            removed = remove_stale(site_dir, expected) + remove_unmade(site_dir, build.search)
            for path in removed:
                log.info(f"Bulletins: removed {path}, which this build no longer has")
            marker = _inputs_marker(config)  # only now: a build stopped half-way must redo everything next time
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(self.inputs, encoding="utf-8")
        if self.outputs_deferred:
            self._remake_in_background(site_dir, build_cache(Path(config.config_file_path).parent) / "outputs")
        if build.search == "pagefind" and self.previewing:
            if self.hid_some:  # the last index holds the hidden bulletin's text: no search until the new one
                shutil.rmtree(site_dir / pagefind.FOLDER, ignore_errors=True)
            self._index_in_background(site_dir)
        elif self.early_index is not None:  # started when the last bulletin page was written
            _, thread, times = self.early_index
            waiting = time.monotonic()
            thread.join()
            self.early_index = None
            if "error" in times["outcome"]:
                raise PluginError(str(times["outcome"]["error"])) from None
            log.info(f"Bulletins: Pagefind indexed {times['outcome']['indexed']} in "
                     f"{times['outcome']['done'] - times['started']:.1f} s, beside the listings "
                     f"(the build waited {time.monotonic() - waiting:.1f} s for it)")
        elif build.search == "pagefind":  # last: it reads every page as written
            started = time.monotonic()
            try:
                indexed = pagefind.index_site(site_dir)
            except pagefind.PagefindError as exc:
                raise PluginError(str(exc)) from None
            log.info(f"Bulletins: Pagefind indexed {indexed} in {time.monotonic() - started:.1f} s")
        self.last_shows = self.showing
        log.info(f"Bulletins: {build.summary()} ({self.taken} bulletin pages as their render worker made them), "
                 f"built in {time.monotonic() - self.started:.1f} s ({_own_cpu():.1f} s of this process's CPU)")

    on_post_build = CombinedEvent(_outputs_in_place, _post_build)

    def _add_policy_to_file(self, path: Path, name: str) -> None:
        text = path.read_bytes().decode("utf-8", "surrogateescape")  # its bytes kept, whatever its encoding
        if csp.has_policy(text):
            return
        try:
            path.write_bytes(csp.with_policy(text, preview=self.previewing).encode("utf-8", "surrogateescape"))
        except csp.CspError as exc:
            raise PluginError(f"{name}: {exc}") from None

    def _stop_indexing(self) -> None:
        if self.indexing is not None:
            self.indexing[0].cancel()
            self.indexing[1].join()
            self.indexing = None  # stopped and joined: nothing to stop at the next rebuild

    def _stop_remaking(self) -> None:
        if self.remaking is not None:
            self.remaking[0].stop()
            self.remaking[1].join()
            self.remaking = None

    def wait_for_outputs(self) -> None:
        """Until the preview's exports and calendars of the last build are in the site."""
        if self.remaking is not None:
            self.remaking[1].join()

    def _remake_in_background(self, site_dir: Path, folder: Path) -> None:
        """The preview's exports and calendars, made again once the pages are written (4 s at
        2,000 bulletins on two cores, where the pages of an edit take under 2 s): in a process
        forked now (SiteBuild.remake_outputs_apart: not on this process's interpreter, which the
        next edit's rebuild needs), into the build's outputs folder, then each into the site in
        one rename. The next rebuild stops it (on_config) and gives the files as they are, to be
        made again after its own pages."""
        before, shows = dict(self.kept_outputs or {}), self.showing  # the bulletins this build shows
        making = self.build.remake_outputs_apart(folder)

        def remake():
            started = time.monotonic()
            try:
                made = making.wait()
                if made is None:  # stopped by the next rebuild, which makes them again
                    return
                for src, path in made.items():
                    dest = site_dir / src
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    partial = dest.with_name(dest.name + ".partial")
                    shutil.copyfile(path, partial)
                    os.replace(partial, dest)  # a reader gets the old file or the new one, never half
                for src in before.keys() - made.keys():  # a unit gone: its calendar too
                    (site_dir / src).unlink(missing_ok=True)
                    before[src].unlink(missing_ok=True)
            except Exception as exc:  # noqa: BLE001 - a thread's error is otherwise lost
                log.error(f"Bulletins: the exports and calendars are not up to date: {exc}")
                return
            self.kept_outputs, self.kept_shows = made, shows
            log.info(f"Bulletins: exports and calendars made again in {time.monotonic() - started:.1f} s "
                     "(after the pages, in a process of their own)")

        thread = threading.Thread(target=remake, name="outputs", daemon=True)
        self.remaking = (making, thread)
        thread.start()

    def _index_in_background(self, site_dir: Path) -> None:
        """The preview shows an edit as soon as its pages are written; Pagefind reads every
        bulletin page again (7 s at 2,000 bulletins, 25 s at 10,000), so it runs after, in a
        thread, at a lower CPU priority, and search answers from the previous index until the
        new one is in place. The next rebuild stops it as it starts (on_config)."""
        self._stop_indexing()  # one at a time: each puts its index in place of the last
        run = pagefind.Run(site_dir, background=True)

        def index():
            started = time.monotonic()
            try:
                indexed = run()
            except pagefind.PagefindError as exc:
                if not str(exc).startswith("cancelled"):
                    log.error(f"Bulletins: search is not up to date: {exc}")
                return
            log.info(f"Bulletins: Pagefind indexed {indexed} in {time.monotonic() - started:.1f} s "
                     "(search is up to date)")

        thread = threading.Thread(target=index, name="pagefind", daemon=True)
        self.indexing = (run, thread)
        thread.start()


class _TemplateCode(jinja2.BytecodeCache):
    """The preview's compiled theme templates, in memory. Jinja checks each against its template's
    source as it loads it: an edited template (custom_dir, overrides) is compiled again; so is every
    template of an environment that compiles otherwise (a plugin's Jinja extension, other syntax)."""

    def __init__(self):
        self._code: dict[tuple, bytes] = {}

    @staticmethod
    def _key(bucket) -> tuple:
        env = bucket.environment
        compiles_as = (sorted(env.extensions), env.block_start_string, env.block_end_string,
                       env.variable_start_string, env.variable_end_string, env.comment_start_string,
                       env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                       env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
                       env.is_async, env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape))
        return (repr(compiles_as), bucket.key)

    def load_bytecode(self, bucket):
        if (code := self._code.get(self._key(bucket))) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[self._key(bucket)] = bucket.bytecode_to_string()


def _forget_logged_messages() -> None:
    """MkDocs' build logger drops any message it logged before (its DuplicateFilter), for the life
    of the process: the preview's second failed rebuild printed only "Aborted with a BuildError!",
    not what to fix. Each build starts with none remembered (within a build, repeats still go)."""
    for log_filter in logging.getLogger("mkdocs.commands.build").filters:
        remembered = getattr(log_filter, "msgs", None)
        if isinstance(remembered, set):
            remembered.clear()


def _own_cpu() -> float:
    """CPU seconds of the build's own process so far: the part no other core can take (the render
    workers, the outputs' and pages' processes and Pagefind run beside it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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


def _fingerprint(config) -> str:
    hooks = [Path(module.__file__) for module in config["hooks"].values()]
    custom_dir = config.theme.custom_dir
    folders = [Path(config.docs_dir), *([Path(custom_dir)] if custom_dir else [])]
    # this module and its package are in site_fingerprint's PACKAGE_VERSION
    files = site_fingerprint([*_config_files(Path(config.config_file_path)), *hooks], folders)
    # and the code of the Markdown extensions (a site's own module, edited, renders every page otherwise)
    markdown = MarkdownConfig(tuple(config.markdown_extensions), dict(config.mdx_configs)).for_workers().fingerprint()
    return hashlib.sha256(f"{files}\0{markdown}".encode()).hexdigest()


def _config_files(path: Path) -> list[Path]:
    """mkdocs.yml and each file it INHERITs, as MkDocs follows them (mkdocs.zh.yml INHERITs mkdocs.yml:
    an edit of mkdocs.yml changes every page of the Chinese site)."""
    files: list[Path] = []
    while path not in files:
        files.append(path)
        try:
            with open(path, "rb") as file:
                loaded = yaml.load(file, Loader=get_yaml_loader())  # noqa: S506 - MkDocs' own loader, as it reads it
        except (OSError, yaml.YAMLError, ValueError):  # MkDocs says what is wrong with it
            break
        inherit = loaded.get("INHERIT") if isinstance(loaded, dict) else None
        if not isinstance(inherit, str):
            break
        path = Path(os.path.normpath(path.parent / inherit))
    return files


def _inputs_marker(config) -> Path:
    """The fingerprint of the last complete dirty build into this site folder (one per folder:
    `serve` and `build` may use different ones)."""
    folder = hashlib.sha256(str(Path(config.site_dir).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return build_cache(Path(config.config_file_path).parent) / f".site-inputs-{folder}"


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
