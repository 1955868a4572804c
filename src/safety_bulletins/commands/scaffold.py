"""`bulletins new`: a new bulletin file from the template of its type."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from ..model import BULLETIN_TYPES
from ..outputs.render import template_environment

_ENV = template_environment(autoescape=False)  # Markdown and YAML: values are quoted by the yaml filter
_ENV.filters["yaml"] = lambda value: json.dumps(value or "", ensure_ascii=False)  # JSON strings are YAML
_NOT_A_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
SLUG_LENGTH = 60


def file_name(day: dt.date, title: str) -> str:
    """`YYYY-MM-DD-words-of-the-title.md`; Chinese letters are kept, punctuation becomes '-'."""
    slug = _NOT_A_WORD.sub("-", title.lower()).strip("-")[:SLUG_LENGTH].strip("-")
    return f"{day.isoformat()}-{slug or 'bulletin'}.md"


def render(kind: str, title: str, day: dt.date, issuer: str = "", number: str = "", presided_by: str = "") -> str:
    if kind not in BULLETIN_TYPES:
        raise ValueError(f"unknown type {kind!r}: use one of {', '.join(BULLETIN_TYPES)}")
    return _ENV.get_template(f"new/{kind}.md.j2").render(
        title=title, date=day.isoformat(), type=kind, issuer=issuer, number=number,
        presided_by=presided_by, chinese=bool(_CJK.search(title)),
    )


def new_bulletin(bulletins_dir: Path, kind: str, title: str, day: dt.date, **fields: str) -> Path:
    """Write the file into `bulletins/<year>/`; never overwrites (FileExistsError)."""
    text = render(kind, title, day, **fields)
    path = bulletins_dir / str(day.year) / file_name(day, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # "x": fails if the file exists, even in a race
        out.write(text)
    return path
