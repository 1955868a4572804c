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
guides). Their header, sign-off, the search line for lunr and the cards' facts are
`data-pagefind-ignore`. Drafts and other hidden bulletins have no page, so nothing of
theirs can be indexed.

The offline copy (file://) keeps Material's search: browsers refuse to fetch files from
file:// pages, and Pagefind fetches its chunks.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..model import Bulletin

FOLDER = "pagefind"  # in the site folder, beside the pages
# One index for English and Chinese, whatever the UI language: Pagefind's extended build
# segments Chinese only in a zh index, and splits English words on spaces in it too.
LANGUAGE = "zh"
# Material's page configuration names its search worker; the pages get ours in its place.
_MATERIAL_WORKER = re.compile(r'("search":\s*")([^"]*?)assets/javascripts/workers/search\.[0-9a-f]+\.min\.js"')
SEARCH_FORM = 'data-md-component="search"'
# Not words of the page: the headings' permalink sign (¶), which Pagefind would put in every title
NOT_TEXT = (".headerlink",)
TIMEOUT = 3600  # seconds: Pagefind's whole run; a hung indexer must not hang the build


class PagefindError(RuntimeError):
    """Pagefind could not index the site; the message says what it printed."""


def body(bulletin: Bulletin, statuses: list[str], units: list[str], type_label: str, content: str) -> str:
    """A bulletin page's content as Pagefind's body, with what search results show of the
    bulletin (meta: title, date, type) and what they can be filtered by (unit, type, year,
    status). Values are taken from attributes (`key[attr]`), never from text: a title with a
    comma or a colon stays whole, and none of it is indexed as words."""
    parts = ['<div data-pagefind-body>',
             _hidden("data-pagefind-meta", "title[data-title], date[data-date], type[data-type]",
                     {"data-title": bulletin.title, "data-date": bulletin.date.isoformat(), "data-type": type_label})]
    filters = [("type", bulletin.type), ("year", str(bulletin.date.year))]
    filters += [("unit", unit) for unit in units] + [("status", status) for status in statuses]
    parts += [_hidden("data-pagefind-filter", f"{name}[data-value]", {"data-value": value}) for name, value in filters]
    return "".join(parts) + "\n" + content + "</div>\n"


def _hidden(attribute: str, spec: str, values: dict[str, str]) -> str:
    extra = "".join(f' {name}="{html.escape(value)}"' for name, value in values.items())
    return f'<span {attribute}="{spec}"{extra} hidden></span>'


def use_worker(output: str, worker: str) -> str:
    """A written page with our search worker in place of Material's (`worker`: its path from
    the site's root; Material's own path is relative to the page, and so is the new one)."""
    if SEARCH_FORM not in output:
        return output
    replaced, count = _MATERIAL_WORKER.subn(lambda m: f'{m[1]}{m[2]}{worker}"', output, count=1)
    if count == 0:  # a theme override changed Material's configuration: the box would search nothing
        raise PagefindError("the page has Material's search box but no Material search worker in its configuration "
                            "(a theme override of base.html?): search: pagefind cannot answer it")
    return replaced


def index_site(site_dir: Path, timeout: int = TIMEOUT) -> str:
    """Index the written site into `site_dir/pagefind/` (replacing what a previous build left
    there: Pagefind names its chunks by content and never removes old ones). Returns what
    Pagefind says it indexed."""
    target = Path(site_dir, FOLDER)
    shutil.rmtree(target, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", FOLDER,
               "--force-language", LANGUAGE, *(f"--exclude-selectors={s}" for s in NOT_TEXT)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise PagefindError(f"Pagefind did not finish indexing {site_dir} in {timeout} s") from None
    except OSError as exc:
        raise PagefindError(f"cannot run Pagefind ({exc}): pip install 'pagefind[extended]>=1.3,<2'") from None
    if result.returncode != 0 or not (target / "pagefind.js").is_file():
        said = (result.stderr.strip() or result.stdout.strip())[-2000:]
        raise PagefindError(f"Pagefind failed on {site_dir} (exit {result.returncode}): {said or 'no output'}; "
                            "is 'pagefind[extended]>=1.3,<2' installed in this Python?")
    return _summary(result.stdout)


def _summary(stdout: str) -> str:
    """'45 pages, 1234 words, 4 filters' from Pagefind's report."""
    found = dict((what, int(n)) for n, what in re.findall(r"Indexed (\d+) (pages?|words?|filters?)", stdout))
    return ", ".join(f"{n} {what}" for what, n in found.items()) or stdout.strip()[-200:]


def index_files(site_dir: Path) -> dict[str, int]:
    """The files of the index and their sizes (for the benchmark and the tests)."""
    root = Path(site_dir, FOLDER)
    return {p.relative_to(root).as_posix(): p.stat().st_size for p in sorted(root.rglob("*")) if p.is_file()}


def entry(site_dir: Path) -> dict:
    return json.loads(Path(site_dir, FOLDER, "pagefind-entry.json").read_text(encoding="utf-8"))
