"""Files a bulletin points to: attachments to publish with it, and links to other bulletins."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .model import Attachment, Problem
from .parse import links

_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|#|/)")


@dataclass
class LocalFiles:
    attachments: tuple[Attachment, ...]
    page_links: tuple[tuple[str, int], ...]  # (bulletins-relative path of a linked .md, line)
    problems: list[Problem]


def local_files(path: Path, rel_path: str, listed: list[tuple[str, int]], body: str, body_line: int) -> LocalFiles:
    """Resolve `attachments:` entries and relative links of the text; each must exist
    inside the bulletins folder (whatever is outside is not published)."""
    folder = posixpath.dirname(rel_path)
    found: dict[str, Attachment] = {}
    page_links = []
    problems = []
    for target, line in listed + links(body, body_line):
        if _EXTERNAL.match(target):
            continue
        rel = unquote(target.split("#")[0].split("?")[0])
        if not rel:
            continue
        inside = posixpath.normpath(posixpath.join(folder, rel))
        source = path.parent / rel
        if inside.startswith("../") or not source.is_file():
            problems.append(Problem(
                path, line, f"attachment or link '{target}' does not exist next to the bulletin",
                f"Put the file at {source} or correct the path (it is relative to the bulletin's folder).",
            ))
        elif rel.endswith(".md"):
            page_links.append((inside, line))
        elif rel not in found:
            found[rel] = Attachment(rel, source)
    return LocalFiles(tuple(found.values()), tuple(page_links), problems)
