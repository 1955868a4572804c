"""What the filter of the register and the unit pages (assets/filter.js) reads: the facts of
each row as data attributes, and the choices its controls offer.

A row is on the register and on every unit page it concerns (about 160,000 rows at 2,000
bulletins), so its facts are short: the unit ids in one attribute, and status, type, year,
grade and escalation as words of another, words the script matches whole. The bucket is
not among them: the row's class holds it, and the site's script (live.js) changes it on
the reader's day.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from ..catalog import Catalog, UnitEntry
from ..model import ALL_UNITS, BUCKETS, BULLETIN_TYPES, DATED_BUCKETS, GRADES, STATUSES, Directive
from ..state import State

ESCALATED = "escalated"


def row_attributes(directive: Directive, state: State) -> Markup:
    """` data-sb-units="..." data-sb-facts="..."` for a directive's row: the units it is for
    and those that support it (`all` for every unit); its status, its bulletin's type and
    year, its grade and `escalated` while under supervision."""
    facts = [state.status, directive.bulletin.type, str(directive.bulletin.date.year)]
    if directive.grade:
        facts.append(directive.grade)
    if state.escalated:
        facts.append(ESCALATED)
    units = " ".join(dict.fromkeys((*directive.units, *directive.support)))
    return Markup(f' data-sb-units="{escape(units)}" data-sb-facts="{escape(" ".join(facts))}"')


@dataclass(frozen=True)
class FilterOptions:
    """The values a listing's rows have, in the order the controls offer them: the same on
    every page of a paginated listing."""

    units: tuple[str, ...]  # registry order; `all` first when some directive is for every unit
    buckets: tuple[str, ...]
    statuses: tuple[str, ...]
    grades: tuple[str, ...]
    types: tuple[str, ...]
    years: tuple[int, ...]  # newest first
    escalated: bool
    total: int  # rows of the whole listing, all pages


def filter_options(catalog: Catalog, entries: list[UnitEntry]) -> FilterOptions:
    units: set[str] = set()
    buckets: set[str] = set()
    statuses, grades, types, years = set(), set(), set(), set()
    escalated = False
    for entry in entries:
        d, state = entry.directive, catalog.state_of(entry.directive)
        units.update(d.units, d.support)
        buckets.add("to-accept" if entry.role == "acceptance" else catalog.bucket_of(d))
        statuses.add(state.status)
        grades.add(d.grade)
        types.add(d.bulletin.type)
        years.add(d.bulletin.date.year)
        escalated |= state.escalated
    if buckets & set(DATED_BUCKETS):  # on a later day live.js moves rows to any of them
        buckets |= set(DATED_BUCKETS)
    return FilterOptions(
        units=tuple(u for u in (ALL_UNITS, *catalog.registry.units) if u in units),
        buckets=tuple(b for b in BUCKETS if b in buckets),
        statuses=tuple(s for s in STATUSES if s in statuses),
        grades=tuple(g for g in GRADES if g in grades),
        types=tuple(t for t in BULLETIN_TYPES if t in types),
        years=tuple(sorted(years, reverse=True)),
        escalated=escalated,
        total=len(entries),
    )
