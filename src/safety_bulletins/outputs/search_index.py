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
# Where a chunk may end: between the `,` and the `{` of `},{"`. Outside strings that is
# between two entries; inside one (a text ending in `},{`) it is still between two plain
# characters, never within an escape, a run of backslashes or a surrogate pair.
_BOUNDARY = b'},{"'
# Escapes that must stay escapes: control characters. `\u0022` and `\u005c` would become a
# quote and a backslash; Python's json never writes them, so if seen, the index is parsed.
_CONTROL = {c: f"\\u{c:04x}" for c in range(0x20)}
_QUOTE_OR_BACKSLASH = re.compile(rb"(?<!\\)(?:\\\\)*\\u00(?:22|5[cC])")
_MAYBE_SPECIAL = re.compile(rb"\\u00(?:[01]|22|5[cC])")  # a quick look first: the two above are slow
_SURROGATE = re.compile("[\ud800-\udfff]")


class _NotFromPythonJson(Exception):
    pass


def rewrite_as_utf8(path: Path, chunk_size: int = CHUNK) -> None:
    """Rewrite the JSON file at `path` with its non-ASCII characters as UTF-8; same data."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    try:
        _rewrite(path, temporary, chunk_size)
    except _NotFromPythonJson:
        data = json.loads(path.read_text(encoding="utf-8"))
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


def _rewrite(path: Path, temporary: Path, chunk_size: int) -> None:
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


def _unescape(chunk: bytes) -> bytes:
    if not chunk.isascii():  # written as UTF-8 already
        return chunk
    special = _MAYBE_SPECIAL.search(chunk) is not None
    if special and _QUOTE_OR_BACKSLASH.search(chunk):
        raise _NotFromPythonJson
    # raw_unicode_escape decodes \uXXXX after an odd number of backslashes only, and leaves
    # JSON's other escapes (\\ \" \n) as they are
    text = chunk.decode("raw_unicode_escape")
    if _SURROGATE.search(text):  # characters beyond U+FFFF are written as pairs: join them
        text = text.encode("utf-16", "surrogatepass").decode("utf-16")
    return (text.translate(_CONTROL) if special else text).encode("utf-8")
