"""Dirty (incremental) builds that give the same site as a full build.

MkDocs' `--dirty` skips pages whose output is newer than their source. Two things then go
wrong for a site like ours: the search plugin indexes only the pages it rendered, and the
pages of bulletins that were removed (or turned into drafts) stay on disk. These two
functions put both right. The build keeps its stamps and big outputs in the project's
`.cache/safety-bulletins` (build_cache), which it deletes and rewrites.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path

from ..outputs.site import GENERATED_FOLDERS, unmade
from ..sources.project import load_bulletin


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


class KeptRows:
    """What the preview made of each directive or bulletin, kept between rebuilds: the listings'
    rows (outputs/render.py Renderer.kept_rows), forgotten all at once when what every row shows
    besides its directive changed (units.yml, the as-of date, the language, the URL style, the
    search engine); the text of each bulletin in its page's stamp (sitebuild.py SiteBuild._text_of).
    Whoever reads them checks that the object and what else it depends on are the same."""

    def __init__(self):
        self._context: tuple | None = None
        self._now: dict = {}

    def for_build(self, context: tuple) -> tuple[dict, dict]:
        """(the last build's rows, this build's): rows not used again are dropped with the last."""
        last = self._now if context == self._context else {}
        self._context, self._now = context, {}
        return last, self._now
