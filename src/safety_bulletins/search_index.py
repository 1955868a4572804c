"""The search index written as UTF-8, without holding it in memory.

Material writes `search_index.json` as ASCII-escaped JSON: six bytes for each Chinese
character. Parsing and writing it again would hold the whole index as Python objects at
the end of the build, the moment memory peaks (117 MB of JSON at 10,000 bulletins); this
rewrites it a few megabytes at a time instead, turning `\\uXXXX` escapes back into the
characters they stand for.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

CHUNK = 4 * 2**20
# Between two entries of the index's lists: a raw `"` never occurs inside a JSON string,
# so this cannot be part of one.
_BOUNDARY = b'},{"'
# Escapes that must stay escapes: control characters; `\u0022` and `\u005c` would become a
# quote and a backslash, which Python's json never writes as \u escapes (if seen: parse).
_CONTROL = {c: f"\\u{c:04x}" for c in range(0x20)}
_QUOTE_OR_BACKSLASH = re.compile(rb"\\u00(?:22|5[cC])")
_SURROGATE = re.compile("[\ud800-\udfff]")


def rewrite_as_utf8(path: Path, chunk_size: int = CHUNK) -> None:
    """Rewrite the JSON file at `path` with its non-ASCII characters as UTF-8; same data."""
    path = Path(path)
    if _QUOTE_OR_BACKSLASH.search(path.read_bytes()) is not None:  # not Python's json: parse it
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        return
    temporary = path.with_name(path.name + ".tmp")
    with path.open("rb") as source, temporary.open("wb") as target:
        pending = b""
        while True:
            block = source.read(chunk_size)
            pending += block
            cut = pending.rfind(_BOUNDARY) + 2 if block else len(pending)
            if cut >= 2:
                target.write(_unescape(pending[:cut]))
                pending = pending[cut:]
            if not block:
                break
    os.replace(temporary, path)


def _unescape(chunk: bytes) -> bytes:
    if not chunk.isascii():  # written as UTF-8 already
        return chunk
    # raw_unicode_escape decodes \uXXXX after an odd number of backslashes only, and leaves
    # JSON's other escapes (\\ \" \n) as they are
    text = chunk.decode("raw_unicode_escape")
    if _SURROGATE.search(text):  # characters beyond U+FFFF are written as pairs: join them
        text = text.encode("utf-16", "surrogatepass").decode("utf-16")
    return text.translate(_CONTROL).encode("utf-8")
