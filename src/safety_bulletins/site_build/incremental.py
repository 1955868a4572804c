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
