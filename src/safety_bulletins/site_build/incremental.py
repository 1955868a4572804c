"""Dirty (incremental) builds that give the same site as a full build.

MkDocs' `--dirty` skips pages whose output is newer than their source. Two things then go
wrong for a site like ours: the search plugin indexes only the pages it rendered, and the
pages of bulletins that were removed (or turned into drafts) stay on disk. These two
functions put both right. The build keeps its stamps and big outputs in the project's
`.cache/safety-bulletins` (build_cache), which it deletes and rewrites.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import operator
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import fields
from ..catalog import Catalog, UnitEntry
from ..model import Bulletin, Directive

from ..outputs.site import GENERATED_FOLDERS, unmade
from .kept import KeptRows
from ..sources.project import FileChecks, load_bulletin
from .rendering import KeptVerdicts


BUILD_CACHE = (".cache", "safety-bulletins")  # below the project's folder


class CacheError(ValueError):
    pass


def build_cache(project_dir: Path) -> Path:
    """The project's `.cache/safety-bulletins`, where the build keeps its stamps and writes its big
    outputs, and which a full build deletes. Each part must be a folder of the project itself, or
    not be there yet: a link (or a file) there could come from a commit, and the build would
    delete and write wherever it leads."""
    folder = Path(project_dir)
    for part in BUILD_CACHE:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            break
        if not stat.S_ISDIR(mode):
            what = "a link" if stat.S_ISLNK(mode) else "not a folder"
            raise CacheError(f"{folder} is {what}: the build keeps its own files there, and deletes them. "
                             "Remove it (the build makes it again; it is never committed: see .gitignore).")
    return Path(project_dir).joinpath(*BUILD_CACHE)


def _page_of(location: str) -> str:
    return location.split("#", 1)[0]


def merge_search_index(previous: str | None, current: str, page_urls: Iterable[str], rendered: set[str]) -> str:
    """This build's entries for the pages it rendered and the previous build's for those it
    skipped, in the order of a full build; pages that no longer exist are dropped."""
    index = json.loads(current)
    groups: dict[str, list] = {}
    for entry in json.loads(previous)["docs"] if previous else []:
        groups.setdefault(_page_of(entry["location"]), []).append(entry)
    fresh: dict[str, list] = {}
    for entry in index["docs"]:
        fresh.setdefault(_page_of(entry["location"]), []).append(entry)
    docs = []
    for url in page_urls:
        url = "" if url == "./" else url
        docs += fresh.get(url, []) if url in rendered else groups.get(url, [])
    index["docs"] = docs
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"))


def remove_stale(site_dir: Path, expected: set[Path]) -> list[Path]:
    """Delete files in the generated folders of the site that this build did not make."""
    removed = []
    for folder in GENERATED_FOLDERS:
        for root, _, names in os.walk(site_dir / folder, topdown=False):
            for name in names:
                path = Path(root, name)
                if path not in expected:
                    path.unlink()
                    removed.append(path)
            if not os.listdir(root):
                os.rmdir(root)
    return sorted(removed)


def remove_unmade(site_dir: Path, search: str) -> list[Path]:
    """Delete the outputs another tool wrote beside an earlier build's files (Pagefind's index)
    that this build does not make (site.unmade)."""
    removed = []
    for name in unmade(search):
        path = site_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(path)
    return removed


def _file_key(path: Path) -> tuple[int, ...] | None:
    """A file's identity as the preview compares it between rebuilds: any write changes its
    ctime, which no tool can set back (an editor's `cp -p` or `touch -d` sets only the mtime)."""
    try:
        st = os.lstat(path)
        linked = os.stat(path) if stat.S_ISLNK(st.st_mode) else st  # a link: the file it leads to too
    except OSError:
        return None
    return tuple((s.st_mode, s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns) for s in (st, linked))


def _folder_key(root: Path) -> tuple:
    """What a bulletin's checks read besides its own file: units.yml (unit names and ids) and every
    other file below the folder (the attachments it lists, whose presence and size it checks)."""
    seen = []
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        seen.append((folder, tuple(sorted(subfolders)), None))
        seen += [(folder, name, _file_key(Path(folder, name))) for name in sorted(names)
                 if os.path.splitext(name)[1].lower() != ".md"]
    return tuple(seen)


class SourceCache:
    """The bulletins as the preview's last rebuild read them, to read again only the files that
    changed (`mkdocs serve` keeps the plugin, and so this, for the whole process).

    A file is read again when its own stat (size, times, inode) changed; every file is read again
    when units.yml or any other file of the folder (an attachment) changed, or the folder moved.
    What `load_bulletin` returns is kept with the links and attachments it found: the link judge
    adds the rendered page's to the bulletin (rendering.apply), and they are put back as read
    before the bulletin is handed out again."""

    def __init__(self, read_file=load_bulletin):
        self._read_file = read_file  # (path, root, registry) -> (bulletin or None, problems)
        self._context: tuple | None = None
        self._last: dict[Path, tuple] = {}  # path: (key, bulletin, problems, attachments, page_links)
        self._kept: dict[Path, tuple] = {}  # the same, of this build's files: a file gone is forgotten
        self.read = 0  # files read by the last build (the rest were kept)
        # what the checks made of each file and bulletin object, and the link judge of each object
        self.checks = FileChecks()
        self.verdicts = KeptVerdicts(lambda: self.checks.listing)
        self.states = KeptRows()  # and the catalog's replay of each directive (catalog.py Catalog)

    def start(self, root: Path) -> None:
        """Before a build: forget every file if what all of them depend on changed."""
        context = (str(Path(root).resolve()), _folder_key(Path(root)))
        self._last = self._kept if context == self._context else {}
        self._context, self._kept, self.read = context, {}, 0

    def __call__(self, path: Path, root: Path, registry) -> tuple:
        key = _file_key(path)  # before reading: a write while it is read gives it another key
        kept = self._last.get(path)
        if key is not None and kept is not None and kept[0] == key:
            self._kept[path] = kept
            _, bulletin, problems, attachments, page_links = kept
            if bulletin is not None:
                bulletin.attachments, bulletin.page_links = attachments, page_links
            return bulletin, list(problems)
        self.read += 1
        bulletin, problems = self._read_file(path, root, registry)
        if key is not None:
            self._kept[path] = (key, bulletin, tuple(problems), *(
                (bulletin.attachments, bulletin.page_links) if bulletin is not None else ((), ())))
        return bulletin, problems


def _shown(catalog: Catalog) -> dict[str, tuple]:
    """What a catalog shows of each directive, by id as ids match (casefolded): the object (a new one
    when its file was read again), its state, bucket and units' shares (the progress follows from them)."""
    return {d.id.casefold(): (d, catalog.states[d.id], catalog.buckets[d.id], catalog.shares.get(d.id))
            for d in catalog.directives}


def changed_since(last_shown: dict[str, tuple], last_bulletins: dict[str, Bulletin],
                  shown: dict[str, tuple], bulletins: dict[str, Bulletin]) -> tuple[set[str], set[str]]:
    """What an edit changed between two catalogs of the same site on the same day: (the ids, casefolded, of
    the directives whose object, state, bucket or shares differ, that appeared or went, or that a bulletin
    read again names: its own and those its follow-ups follow up, before and after; the paths of the
    bulletins read again, published or withdrawn). Everything else is shown as the last build showed it."""
    directives = {key for key, now in shown.items()
                  if (last := last_shown.get(key)) is None or last[0] is not now[0] or last[1:] != now[1:]}
    directives |= last_shown.keys() - shown.keys()
    paths = set()
    for path in last_bulletins.keys() | bulletins.keys():
        before, after = last_bulletins.get(path), bulletins.get(path)
        if before is after:
            continue
        paths.add(path)
        for bulletin in filter(None, (before, after)):
            directives.update(d.id.casefold() for d in bulletin.directives)
            directives.update(f.directive_id.casefold() for f in bulletin.follow_ups)
    return directives, paths


def _counted(shown: tuple) -> tuple:
    """What a unit's figures (Catalog.unit_counts, unit_rates) take of a directive besides its id: which
    units list it and in which role (its units, support, responsible; the acceptor in its state), its
    states and buckets (its own, its shares'), and whether it is a hidden danger (its grade)."""
    d, *states = shown
    return d.units, d.support, d.responsible, d.grade, *states


def _listed(shown: tuple) -> tuple:
    """What a unit page's context (outputs/pages.py: its sections, figures, filter's options) takes of a
    directive besides its id: _counted, and what its filter offers (filterable options, type, year)."""
    d = shown[0]
    return (*_counted(shown), tuple(d.details.get(f.name) for f in fields.filters()), d.bulletin.type,
            d.bulletin.date.year)


def _recounted(last_shown: dict[str, tuple], shown: dict[str, tuple], changed: set[str], key) -> Iterator[Directive]:
    """The directives, in either catalog, whose `key` (_counted, _listed) differs, or that appeared or went:
    some of the `changed` (changed_since; the others are the same objects in the same states)."""
    for name in changed:
        last, now = last_shown.get(name), shown.get(name)
        if last is None or now is None or (last[0] is not now[0] and key(last) != key(now)) or last[1:] != now[1:]:
            yield from (item[0] for item in (last, now) if item is not None)


def shallow(value, refs: set[str]):
    """A listing page's context as a comparable value, each entry by what names it (its directive's id,
    role, units and share), the directives named added to `refs`: the page is the same as the last
    build's if this is and none of `refs` changed (changed_since). What it does not know is its repr
    (dataclasses: every field; anything else its address, which never compares equal: made again)."""
    if isinstance(value, UnitEntry):
        refs.add(value.directive.id.casefold())
        return value.directive.id, value.role, value.units, value.share
    if isinstance(value, dict):
        return tuple((key, shallow(item, refs)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(shallow(item, refs) for item in value)
    if value is None or isinstance(value, (str, int, float, dt.date)):
        return value
    return repr(value)


class ShownBefore:
    """What the preview's last build showed (each directive and bulletin of its catalog, each listing
    page's and bulletin page's stamp with what it was made from), to make only what an edit changed:
    a stamp is kept when what it was made from is the same and names nothing changed_since gives.
    All is forgotten when what every page shows besides its directives changed (units.yml, the as-of
    date, the language, the URL style, the audience, the search engine): the caller's `context`."""

    def __init__(self):
        self._context: tuple | None = None
        self._last: dict | None = None

    def for_build(self, context: tuple, catalog: Catalog) -> Shown:
        last = self._last if context == self._context else None
        now = {"shown": _shown(catalog), "bulletins": {b.rel_path: b for b in catalog.bulletins}, "catalog": catalog,
               "listings": {}, "stamps": {}, "unit_pages": {}}
        self._context, self._last = context, now
        if last is None:
            return Shown(None, set(), {}, {}, now["listings"], now["stamps"], now["unit_pages"])
        directives, paths = changed_since(last["shown"], last["bulletins"], now["shown"], now["bulletins"])
        # the same ids as the catalogs' entries hold them (as written), to compare a unit's at C speed
        written = {item[0].id for key in directives for item in (last["shown"].get(key), now["shown"].get(key)) if item}
        # and those whose counting changed: a title edited (a new object) leaves every unit's figures as they were
        recounted = {d.id for d in _recounted(last["shown"], now["shown"], directives, _counted)}
        relisted = {d.id for d in _recounted(last["shown"], now["shown"], directives, _listed)}
        return Shown(directives, paths, last["listings"], last["stamps"], now["listings"], now["stamps"],
                     now["unit_pages"], last["catalog"], written, last["unit_pages"], recounted, relisted)


@dataclass
class Shown:
    """One build's view of what changed since the preview's last: `directives` None when everything
    is made again (the first build, or the context changed)."""

    directives: set[str] | None
    bulletins: set[str]
    last_listings: dict[str, tuple]
    last_stamps: dict[str, tuple]
    listings: dict[str, tuple]  # this build's, kept for the next
    stamps: dict[str, tuple]
    unit_pages: dict[str, list]  # each unit's listing pages (outputs/pages.py GeneratedPage) as this build made them
    last_catalog: Catalog | None = None
    written: set[str] = field(default_factory=set)  # `directives` by their ids as written
    last_unit_pages: dict[str, list] = field(default_factory=dict)
    recounted: set[str] = field(default_factory=set)  # the ids, as written, of those a unit's figures count otherwise
    relisted: set[str] = field(default_factory=set)  # and of those a unit page's context takes otherwise
    relinked: dict[str, object] = field(default_factory=dict)  # src_uri: the last build's page a page is relinked from

    def unchanged(self, refs: set[str], paths: Iterable[str] = ()) -> bool:
        return self.directives is not None and self.directives.isdisjoint(refs) and self.bulletins.isdisjoint(paths)

    def same_entries(self, catalog: Catalog, unit_id: str, scope: str, changed: set[str] | None = None) -> bool:
        """Whether a unit's entries of `scope` (Catalog.unit_counts') name no directive that changed, in the
        last build's catalog and in this one: they are then the same entries (the same directives in the
        same roles, states and shares) and all made of them (figures, pages) is what the last build made."""
        changed = self.written if changed is None else changed
        if self.last_catalog is not None and not changed:  # (an edited title: no unit counts otherwise)
            return True
        return self.last_catalog is not None and all(
            changed.isdisjoint(map(_DIRECTIVE_ID, _ENTRIES[scope](c, unit_id))) for c in (self.last_catalog, catalog))

    def keep_figures(self, catalog: Catalog) -> None:
        """Give `catalog` the last build's figures of each unit whose entries count the same: they name no
        directive whose counting changed (`recounted`; an edited title changes the rows, not the figures)."""
        if self.last_catalog is not None:
            catalog.keep_unit_figures({key: figures for key, figures in self.last_catalog.unit_figures_made().items()
                                       if self.same_entries(catalog, *key, changed=self.recounted)})

    def kept_unit_pages(self, catalog: Catalog, unit_id: str) -> list | None:
        """A unit's listing pages as the last build made them, if its own and its sub-units' entries are the
        same; if only directives it shows were read again (a title edited), its entries given this build's
        directives: its sections, figures and filter are the same, its rows are made again."""
        pages = self.last_unit_pages.get(unit_id)
        if pages is None:
            return None
        scopes = ("own", "sub") if catalog.registry.has_subunits(unit_id) else ("own",)
        if all(self.same_entries(catalog, unit_id, scope) for scope in scopes):
            return pages
        if all(self.same_entries(catalog, unit_id, scope, changed=self.relisted) for scope in scopes):
            relinked = [_relinked(page, catalog, self.written) for page in pages]
            self.relinked.update((page.src_uri, last) for page, last in zip(relinked, pages))
            return relinked
        return None


def _relinked(page, catalog: Catalog, written: set[str]):
    """A unit's page (outputs/pages.py GeneratedPage) with the entries of the directives read again (`written`)
    given this catalog's (by their ids); the others' are the same objects."""
    context = dict(page.context)
    for key in ("groups", "sub_groups"):  # where a unit page's context holds entries
        if key in context:
            context[key] = {bucket: [e if e.directive.id not in written else
                                     UnitEntry(catalog.directive(e.directive.id), e.role, e.units, e.share)
                                     for e in entries] for bucket, entries in context[key].items()}
    return dataclasses.replace(page, context=context)


_DIRECTIVE_ID = operator.attrgetter("directive.id")
_ENTRIES = {"own": Catalog.for_unit, "sub": Catalog.for_subunits, "all": Catalog.rollup}  # as Catalog._unit_figures
