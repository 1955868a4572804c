"""`bulletins new`: a new bulletin file from the template of its type."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from ..catalog import Catalog
from ..model import ALL_UNITS, BULLETIN_TYPES, WIDE_CHARACTERS
from ..outputs.labels import for_language
from ..outputs.render import template_environment
from ..sources.validate import FOLLOW_UP_STUB, FOLLOW_UP_STUB_ZH

_ENV = template_environment(autoescape=False)  # Markdown and YAML: values are quoted by the yaml filter
_ENV.filters["yaml"] = lambda value: json.dumps(value or "", ensure_ascii=False)  # JSON strings are YAML
_NOT_A_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(f"[{WIDE_CHARACTERS}]")
SLUG_LENGTH = 60
REVIEW_TYPES = ("minutes", "inspection")  # the types `--review` can add follow-up stubs to
REVIEW_HEADINGS = {"en": "## Implementation of earlier directives", "zh": "## 前期安排事项落实情况"}
NOTHING_OPEN = {"en": "No directive is open.", "zh": "没有未办结的事项。"}
# The lines of a follow-up stub besides its title and id, in the new bulletin's language
STUB_UNITS = {  # whose shares a follow-up reports, when the units' shares differ
    "en": "    # units: [{units}]   (whose shares it reports: these are still open)",
    "zh": "    # units: [{units}]   （报送哪些单位的办理情况：这些单位尚未办结）",
}
STUB_LINES = {
    "en": ("    # status: in-progress        (open, in-progress, awaiting-acceptance, done, cancelled)",
           "    # deadline: YYYY-MM-DD       (a new deadline needs: reason: ...)", FOLLOW_UP_STUB),
    "zh": ("    # status: 整改中              （未开始、整改中、待验收、已完成、已取消）",
           "    # deadline: YYYY-MM-DD       （延期须同时写 reason: 延期原因）", FOLLOW_UP_STUB_ZH),
}


def language_of(title: str) -> str:
    """The language a new bulletin is written in, as its template decides: Chinese if its title is."""
    return "zh" if _CJK.search(title) else "en"


def file_name(day: dt.date, title: str) -> str:
    """`YYYY-MM-DD-words-of-the-title.md`; Chinese letters are kept, punctuation becomes '-'."""
    slug = _NOT_A_WORD.sub("-", title.lower()).strip("-")[:SLUG_LENGTH].strip("-")
    return f"{day.isoformat()}-{slug or 'bulletin'}.md"


def render(kind: str, title: str, day: dt.date, issuer: str = "", number: str = "", presided_by: str = "",
           review: str = "", meeting_start: str = "") -> str:
    if kind not in BULLETIN_TYPES:
        raise ValueError(f"unknown type {kind!r}: use one of {', '.join(BULLETIN_TYPES)}")
    if review and kind not in REVIEW_TYPES:
        raise ValueError(f"a review of earlier directives goes only into {' or '.join(REVIEW_TYPES)}, not {kind}")
    return _ENV.get_template(f"new/{kind}.md.j2").render(
        title=title, date=day.isoformat(), type=kind, issuer=issuer, number=number,
        presided_by=presided_by, chinese=language_of(title) == "zh", review=review, meeting_start=meeting_start,
    )


def review_section(catalog: Catalog, language: str = "en") -> str:
    """`## Implementation of earlier directives` (in the new bulletin's `language`, language_of): a
    follow-up stub for each directive still open at the catalog's as-of date, under its lead unit
    (牵头单位, who reports on it), else its first responsible unit (by its display name in that
    language, or All units), by deadline in force."""
    groups: dict[str, list] = {}
    for directive in catalog.directives:
        state = catalog.state_of(directive)
        if not state.closed:
            unit = directive.lead or (directive.units[0] if directive.units else ALL_UNITS)
            groups.setdefault(unit, []).append(directive)
    order = [ALL_UNITS, *catalog.registry.units]  # All units first, then units.yml's order
    language = "zh" if language == "zh" else "en"
    lines = [REVIEW_HEADINGS[language], ""]
    if not groups:
        lines += [NOTHING_OPEN[language], ""]
    all_units = for_language(language).ALL_UNITS
    for unit in sorted(groups, key=lambda u: order.index(u) if u in order else len(order)):
        name = all_units if unit == ALL_UNITS else catalog.registry.display_name(unit, language) or unit
        lines += [f"### {name}", ""]
        for directive in sorted(groups[unit], key=lambda d: (catalog.state_of(d).deadline or dt.date.max, d.id)):
            still_open = [unit for unit, share in catalog.shares_of(directive) if not share.closed]
            lines += _stub(directive, language, still_open, catalog.state_of(directive))
    return "\n".join(lines)


def _stub(directive, language: str, still_open: list[str] = (), state=None) -> list[str]:
    """A follow-up to fill in, in the bulletin's language; for a directive whose units' shares
    differ, which are still open; for a recurring duty the first period still due, for one with
    stages the next stage, instead of a new deadline."""
    status, deadline, text = STUB_LINES[language]
    if state is not None and state.recurrence is not None and state.deadline is not None:
        # a recurring duty is reported period by period: the first one still due
        deadline = f"    # period: {state.recurrence.period(state.deadline)}           (the occurrence reported)"
    elif state is not None and state.stages:
        next_stage = next((name for name, _, done in state.stages if done is None), state.stages[-1][0])
        deadline = f"    # stage: {next_stage}           (the stage reported)"
    units = STUB_UNITS[language].format(units=", ".join(still_open))
    return [f"/// follow-up | {directive.title}", f"    directive: {directive.id}", *([units] if still_open else []),
            status, deadline, "", text, "///", ""]


def new_bulletin(bulletins_dir: Path, kind: str, title: str, day: dt.date, **fields: str) -> Path:
    # fields: issuer, number, presided_by, meeting_start (notices), and review (the text of review_section, for minutes and inspections)
    """Write the file into `bulletins/<year>/`; never overwrites (FileExistsError)."""
    text = render(kind, title, day, **fields)
    path = bulletins_dir / str(day.year) / file_name(day, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # "x": fails if the file exists, even in a race
        out.write(text)
    return path
