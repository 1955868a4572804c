"""What the filter of the register and the unit pages (assets/filter.js) reads: the facts of
each row as data attributes, and the choices its controls offer.

A row is on the register and on every unit page it concerns (about 86,000 rows at 2,000
bulletins), so its facts are short, words of one attribute that the script matches whole:
status, type, year, the directive's options the field spec makes filterable (grade),
`escalated`, and each unit as `@id`. The bucket is not among them: the row's class holds it,
and the site's script (live.js) changes it on the reader's day.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from .. import fields
from ..catalog import Catalog, UnitEntry
from ..model import ALL_UNITS, BUCKETS, BULLETIN_TYPES, DATED_BUCKETS, STATUSES, Directive
from ..sources.units import UnitRegistry
from ..state import State

ESCALATED = "escalated"


def row_attributes(directive: Directive, state: State, registry: UnitRegistry | None = None) -> Markup:
    """` data-sb-f="..."` for a directive's row: its status, its bulletin's type and year, its
    grade, `escalated` while under supervision, then `@` and the id of each unit it is for or
    that supports it (`@all` for every unit): `in-progress minutes 2021 major @all @safety-env`.
    A directive to `all` is not the unit's that joined after it was issued (units.yml's `since`)
    nor a committee's (`receives_all: false`), as their pages say: `!` and the id (`@all !hotel`),
    which the filter's `all` does not match."""
    facts = [state.status, directive.bulletin.type, str(directive.bulletin.date.year)]
    facts += [value for f in fields.filters() if (value := directive.details.get(f.name))]
    if state.escalated:
        facts.append(ESCALATED)
    facts += [f"@{unit}" for unit in dict.fromkeys((*directive.units, *directive.support))]
    if registry is not None:
        facts += not_for(directive, registry)
    return Markup(f' data-sb-f="{escape(" ".join(facts))}"')


def not_for(directive: Directive, registry: UnitRegistry) -> list[str]:
    """`!id` for each unit a directive to `all` is not for: one that does not receive them
    (`receives_all: false`) and one that joined after it was issued (units.yml's `since`); the
    one rule of the register's filter and the search's cards. A unit the directive also names
    (`units: [all, committee]`) is matched by its `@id` first."""
    if ALL_UNITS not in directive.units:
        return []
    return [f"!{unit}" for unit in (*registry.outside_all(), *registry.joined_after(directive.bulletin.date))]


@dataclass(frozen=True)
class FilterOptions:
    """The values a listing's rows have, in the order the controls offer them: the same on
    every page of a paginated listing."""

    units: tuple[str, ...]  # registry order; `all` first when some directive is for every unit
    buckets: tuple[str, ...]
    statuses: tuple[str, ...]
    choices: dict[str, tuple[str, ...]]  # the values of each filterable option (fields.filters), by name
    types: tuple[str, ...]
    years: tuple[int, ...]  # newest first
    escalated: bool
    total: int  # rows of the whole listing, all pages

    @property
    def grades(self) -> tuple[str, ...]:
        return self.choices.get("grade", ())


def filter_options(catalog: Catalog, entries: list[UnitEntry]) -> FilterOptions:
    # one pass per dimension, in comprehensions: 86,000 entries at 2,000 bulletins
    directives = [entry.directive for entry in entries]
    states = [catalog.entry_state(entry) for entry in entries]
    units = {unit for d in directives for unit in (*d.units, *d.support)}
    buckets = {catalog.listed_bucket(entry) for entry in entries}  # the sections the rows are in
    if buckets & set(DATED_BUCKETS):  # on a later day live.js moves rows to any of them
        buckets |= set(DATED_BUCKETS)
    statuses = {state.status for state in states}
    written = {f.name: {d.details.get(f.name) for d in directives} for f in fields.filters()}
    types = {d.bulletin.type for d in directives}
    return FilterOptions(
        units=(*([ALL_UNITS] if ALL_UNITS in units else []), *catalog.registry.in_file_order(units)),
        buckets=tuple(b for b in BUCKETS if b in buckets),
        statuses=tuple(s for s in STATUSES if s in statuses),
        choices={f.name: tuple(value for value in f.choices if value in written[f.name]) for f in fields.filters()},
        types=tuple(t for t in BULLETIN_TYPES if t in types),
        years=tuple(sorted({d.bulletin.date.year for d in directives}, reverse=True)),
        escalated=any(state.escalated for state in states),
        total=len(entries),
    )
