"""Files a bulletin points to: attachments to publish with it, and links to other bulletins.

Every target is resolved the way MkDocs and a browser will resolve it (percent-decoding,
`\\` as `/`, `.` and `..`, a trailing `/`), and only what the project means to publish
passes: a regular file inside the bulletins folder, not hidden, not a bulletin.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..model import Attachment, Problem
from .paths import (MARKDOWN_SUFFIXES, UNITS_FILE, URL_SCHEMES, active_suffix, hidden_part, unsafe_file, url_scheme,
                    url_breaking_character)



@dataclass(frozen=True)
class _Refused:
    why: str
    hint: str
    severity: str = "error"


@dataclass
class LocalFiles:
    attachments: tuple[Attachment, ...]
    page_links: tuple[tuple[str, int], ...]  # (bulletins-relative path of a linked .md, line)
    problems: list[Problem]


def local_files(path: Path, rel_path: str, listed: list[tuple[str, int]], body_links: list[tuple[str, int]]) -> LocalFiles:
    """Resolve `attachments:` entries and relative links of the text (each a (target, line))."""
    root = path.parents[rel_path.count("/")]  # the bulletins folder
    folder = posixpath.dirname(rel_path)
    found: dict[str, Attachment] = {}
    page_links = []
    problems = []
    for target, line, is_listed in [(t, n, True) for t, n in listed] + [(t, n, False) for t, n in body_links]:
        kind = "attachment" if is_listed else "link"
        resolved = _resolve(target, folder, is_listed)
        if resolved is None:
            continue  # a web address or an anchor in the page: not a file
        if isinstance(resolved, _Refused):
            problems.append(Problem(path, line, f"{kind} '{_short(target)}' {resolved.why}", resolved.hint,
                                    resolved.severity))
            continue
        inside, is_page = resolved
        source = root / inside
        if is_page and is_listed:
            problems.append(Problem(path, line, f"attachment '{_short(target)}' is a bulletin, not a file to attach",
                                    "Link to the other bulletin in the text instead: [its title](path/to/it.md)."))
            continue
        why = unsafe_file(source, root, plain=not is_page)
        if why is not None:
            hint = (f"Put the file at {source} or correct the path (it is relative to the bulletin's folder)."
                    if why == "does not exist" else "Copy the file itself into the bulletins folder.")
            problems.append(Problem(path, line, f"{kind} '{_short(target)}' {why}", hint))
        elif is_page:
            page_links.append((inside, line))
        elif inside not in found:
            found[inside] = Attachment(posixpath.relpath(inside, folder or "."), source, line)
    return LocalFiles(tuple(found.values()), tuple(page_links), problems)


def _resolve(target: str, folder: str, is_listed: bool) -> tuple[str, bool] | _Refused | None:
    """None for an address that is not a local file; _Refused for a target that may not be
    used; else (its path below the bulletins folder, whether it is a bulletin page)."""
    target = html.unescape(target)  # Markdown keeps entities in URLs; the browser decodes them
    scheme = url_scheme(target)
    target = target.strip()
    if is_listed and (scheme or target.startswith(("/", "\\"))):
        return _Refused("is an address, not a file next to the bulletin",
                        "List only files kept in the bulletin's folder (or below it); link web addresses in the text.")
    if scheme and scheme not in URL_SCHEMES:
        return _Refused(f"uses the scheme '{_short(scheme, 20)}:', which is removed from the page",
                        f"Only {', '.join(sorted(URL_SCHEMES))} and relative links are published.", "warning")
    if scheme or target.startswith(("#", "/", "\\")):
        return None
    # What the browser and the web server will look for: the path part, percent-decoded, `\` as `/`.
    rel = unquote(re.split(r"[#?]", target, maxsplit=1)[0]).replace("\\", "/")
    if not rel:
        return None
    if any(ord(c) < 0x20 or c == "\x7f" for c in rel):
        return _Refused("has a control character in its path", "Write the file name with letters, digits, '-' and '.'.")
    inside = posixpath.normpath(posixpath.join(folder, rel))
    if inside == ".." or inside.startswith(("../", "/")):
        return _Refused("points outside the bulletins folder: nothing outside it is published",
                        "Copy the file next to the bulletin, or link to it by its web address.")
    if inside == UNITS_FILE:
        return _Refused("is the list of units, not a file to publish", "Attach a copy under another name, if at all.")
    if hidden_part(inside):
        return _Refused("is a hidden file or inside a hidden folder, which is never published",
                        "Rename it without the leading '.'.")
    is_page = posixpath.splitext(inside)[1].lower() in MARKDOWN_SUFFIXES
    if rel.endswith("/") or posixpath.basename(rel) in (".", ".."):
        if is_page:
            return _Refused("ends in '/': MkDocs only links bulletins written as '.md' files",
                            f"Write '{rel.rstrip('/')}' without the '/'.")
        return _Refused("is a folder: only files are published", "Link to a file in the folder, or to a bulletin's .md file.")
    if (char := url_breaking_character(inside)) is not None:
        return _Refused(f"names a file with {char} in its path, which breaks every link to it",
                        "Rename the file (and its folders) with letters, digits, '-', '_' and '.'.")
    if not is_page and (suffix := active_suffix(inside)) is not None:
        return _Refused(f"is a '{suffix}' file: the browser would open it as a page of this site and run the "
                        "script it may hold, with the reader's access to the intranet",
                        "Export it to PDF (or a PNG or JPEG image) and attach that, or put the file in a .zip "
                        "for readers to download.")
    return inside, is_page


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
