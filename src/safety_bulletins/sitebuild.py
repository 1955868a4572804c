"""Everything one site build needs from the bulletins, independent of MkDocs.

The MkDocs hooks ask this object which files to add, what each page's title and content
are, and what to export; they hold nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import site
from .catalog import Catalog
from .export import directives_json
from .history import History, git_history
from .labels import for_language
from .markdown_ext import FACTS_PLACEHOLDER, Card, DirectiveExtension, SafeHtmlExtension, page_markdown
from .model import Bulletin, Directive
from .pages import GeneratedPage, generated_pages
from .parse import LOOSE_DIRECTIVE
from .project import Project, load_project
from .render import Renderer


# Changes whenever this package's code or templates change, so dirty builds redo every page
PACKAGE_VERSION = hashlib.sha256(b"".join(
    p.read_bytes() for p in sorted(Path(__file__).parent.rglob("*")) if p.is_file() and p.suffix != ".pyc"
)).hexdigest()
LISTING_PLACEHOLDER = '<div class="sb-listing"></div>'
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)


@dataclass(frozen=True)
class SourceFile:
    """A file to add to the site: in-memory Markdown, or a file on disk copied as is."""

    src_uri: str
    content: str | None = None
    path: Path | None = None


class SiteBuild:
    def __init__(self, project: Project, as_of: dt.date, directory_urls: bool = True, language: str = "en",
                 history: History | None = None):
        self.project = project
        self.history = history or History(available=False)
        self.rendered: set[str] = set()  # URLs of the pages rendered so far (progress, dirty builds)
        self.previous_search_index: str | None = None  # a dirty build's starting point
        self.files = None  # MkDocs' files, kept by the hooks for the end of the build
        self.catalog = Catalog(project, as_of)
        labels = for_language(language)
        self.renderer = Renderer(self.catalog, directory_urls, labels)
        self.pages: dict[str, GeneratedPage] = {p.src_uri: p for p in generated_pages(self.catalog, labels)}
        self._listings_left = set(self.pages)
        self.bulletins: dict[str, Bulletin] = {site.bulletin_src(b): b for b in self.catalog.bulletins}
        self._directives: dict[str, Directive] = {d.id: d for d in self.catalog.directives}

    @classmethod
    def load(cls, bulletins_dir: Path, as_of: dt.date, directory_urls: bool = True, language: str = "en") -> SiteBuild:
        project = load_project(bulletins_dir)
        history = git_history(bulletins_dir, [b.rel_path for b in project.published])
        return cls(project, as_of, directory_urls, language, history)

    def markdown_extensions(self) -> list:
        return [SafeHtmlExtension(), DirectiveExtension(self.card)]

    def card(self, directive_id: str) -> Card | None:
        directive = self._directives.get(directive_id)
        return None if directive is None else Card(directive, self.catalog.bucket_of(directive))

    def source_files(self, page_stamps: Path | None = None, site_config: str = "") -> list[SourceFile]:
        """The files to add to the site. A bulletin's Markdown comes with `page_source`
        (given here, MkDocs would hold it twice). For dirty builds, each bulletin page's
        source is a stamp file in `page_stamps` that changes only when something the page
        shows changes (`site_config`, the text of mkdocs.yml, included), so MkDocs can skip
        the pages whose output is newer."""
        if page_stamps is None:
            files = [SourceFile(src, content="") for src in self.bulletins]
        else:
            files = [SourceFile(src, path=self._stamp(page_stamps, src, b, site_config)) for src, b in self.bulletins.items()]
        attachments = {site.attachment_src(b, a): a.source for b in self.bulletins.values() for a in b.attachments}
        files += [SourceFile(src, path=path) for src, path in sorted(attachments.items())]
        files += [SourceFile(src, content="") for src in self.pages]
        return files

    def _stamp(self, folder: Path, src_uri: str, bulletin: Bulletin, site_config: str) -> Path:
        """A file holding the fingerprint of the page's inputs, rewritten (newer) when they change."""
        fingerprint = hashlib.sha256((self._page_inputs(bulletin) + site_config).encode("utf-8")).hexdigest()
        path = folder / src_uri
        if not (path.is_file() and path.read_text() == fingerprint):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(fingerprint)
        return path

    def _page_inputs(self, bulletin: Bulletin) -> str:
        """Everything a bulletin's page is made from: its data, the buckets and unit names
        it shows, its history, the language, the URL style and this package's version."""
        units = {u for d in bulletin.directives for u in (*d.units, *d.support)} | {bulletin.issuer}
        return repr((
            bulletin, [self.catalog.bucket_of(d) for d in bulletin.directives],
            [self.catalog.registry.units.get(u) for u in sorted(filter(None, units))],
            self.history.get(bulletin.rel_path), self.renderer.labels.language,
            self.renderer.directory_urls, self.catalog.as_of, PACKAGE_VERSION,
        ))

    def page_meta(self, src_uri: str, meta: dict) -> dict:
        """Front matter for a page: titles escaped (Material writes them raw), listings kept out of search."""
        meta = dict(meta)
        if src_uri in self.bulletins:
            meta["title"] = self.bulletins[src_uri].title
        elif src_uri in self.pages:
            meta["title"] = self.pages[src_uri].title
            meta["search"] = {"exclude": True}
        if "title" in meta:
            meta["title"] = html.escape(str(meta["title"]))
        return meta

    def page_source(self, src_uri: str, markdown: str) -> str:
        """The Markdown MkDocs renders for a page."""
        bulletin = self.bulletins.get(src_uri)
        return markdown if bulletin is None else page_markdown(bulletin)

    def page_content(self, src_uri: str, content: str) -> str:
        if src_uri in self.pages:
            # MkDocs keeps every page's content to the end of the build; listings are big
            # (at 10,000 bulletins, hundreds of MB of rows): they go in as the page is written.
            return f"<h1>{html.escape(self.pages[src_uri].title)}</h1>\n{LISTING_PLACEHOLDER}"
        if src_uri == site.HOME:
            return content + self.renderer.home()
        bulletin = self.bulletins.get(src_uri)
        if bulletin is None:
            return content
        changes = self.history.get(bulletin.rel_path)
        return self.renderer.bulletin_header(bulletin, changes) + content + self.renderer.bulletin_footer(bulletin)

    def page_output(self, src_uri: str, output: str) -> str:
        """The written page, with its listing or its cards' facts in place of their placeholders."""
        if src_uri in self.pages:
            output = output.replace(LISTING_PLACEHOLDER, self.renderer.page(self.pages[src_uri]), 1)
            self._listings_left.discard(src_uri)
            if not self._listings_left:  # the rows shared by listing pages are not needed any more
                self.renderer.forget_rows()
            return output
        if "<!--sb-facts:" in output:  # a card's id is always known: cards are made for known ids only
            return FACTS_PLACEHOLDER.sub(lambda m: self.renderer.directive_meta(self._directives[m[1]]), output)
        return output

    def render_problems(self, src_uri: str, content: str) -> list[str]:
        """Directives of a bulletin missing from its rendered page, as 'file:line: ...' messages.

        The checker and pymdown read the block syntax separately: this is the net that
        makes a disagreement fail the build instead of dropping a directive.
        """
        bulletin = self.bulletins.get(src_uri)
        if bulletin is None:
            return []
        problems = [
            f"{bulletin.source}:{d.line}: directive '{d.id}' did not render as a card"
            for d in bulletin.directives
            if f'id="{html.escape(d.id)}"' not in content
        ]
        for d in bulletin.directives:  # toc renames a heading whose anchor a card holds: `#id_1`
            renamed = f'id="{html.escape(d.id)}_'
            if renamed in content and (heading := re.search(f"<h[1-6] {re.escape(renamed)}([0-9]+)\"", content)):
                problems.append(
                    f"{bulletin.source}:{d.line}: a heading on this page was given the anchor "
                    f"'#{d.id}_{heading[1]}' because directive '{d.id}' holds '#{d.id}': reword the heading "
                    "or give the directive another id"
                )
        if "///" in content and LOOSE_DIRECTIVE.search(_CODE.sub("", content)):
            headers = {d.line for d in bulletin.directives}
            lines = [
                str(bulletin.body_line + n)
                for n, line in enumerate(bulletin.body.split("\n"))
                if LOOSE_DIRECTIVE.search(line) and bulletin.body_line + n not in headers
            ]
            problems.append(
                f"{bulletin.source}:{lines[0] if lines else bulletin.body_line}: a '/// directive' block "
                f"was shown as text (lines {', '.join(lines) or '?'}): start it at the beginning of a line, "
                "indent its options by four spaces and close any code fence before it"
            )
        return problems

    def export_json(self) -> str:
        """One directive per line: readable, diffable, and written by json's C encoder
        (`indent` falls back to pure Python, three times slower)."""
        data = directives_json(self.catalog, self.renderer.directory_urls)
        records = ",\n".join(json.dumps(record, ensure_ascii=False) for record in data["directives"])
        return f'{{"as_of": {json.dumps(data["as_of"])}, "directives": [\n{records}\n]}}\n'

    def summary(self) -> str:
        counts = self.catalog.counts(self.catalog.directives)
        return (
            f"{len(self.catalog.bulletins)} bulletins, {len(self.catalog.directives)} directives, "
            f"{counts['overdue']} overdue as of {self.catalog.as_of.isoformat()}"
        )
