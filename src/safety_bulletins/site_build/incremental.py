"""Dirty (incremental) builds that give the same site as a full build.

MkDocs' `--dirty` skips pages whose output is newer than their source. Two things then go
wrong for a site like ours: the search plugin indexes only the pages it rendered, and the
pages of bulletins that were removed (or turned into drafts) stay on disk. These two
functions put both right.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from ..outputs.site import GENERATED_FOLDERS


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
