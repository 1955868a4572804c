"""The index of published bulletins at an as-of date: by unit, by bucket, by year and type."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from .sources.dates import bucket
from .model import BUCKETS, Bulletin, Directive, Unit
from .sources.project import DEFAULT_AUDIENCE, Project


@dataclass(frozen=True, slots=True)  # one per directive and unit: ~150,000 at 2,000 bulletins
class UnitEntry:
    """A directive as one unit sees it: addressed to it (maybe through `all`) or supporting."""

    directive: Directive
    role: str  # "responsible", "support", or "" in the register


class Catalog:
    def __init__(self, project: Project, as_of: dt.date, audience: str = DEFAULT_AUDIENCE):
        self.as_of = as_of
        self.audience = audience
        self.registry = project.registry
        # Newest first; the path breaks ties so the order never depends on the file system.
        self.bulletins: list[Bulletin] = sorted(project.published(as_of, audience),
                                                key=lambda b: (-b.date.toordinal(), b.rel_path))
        self.hidden: list[Bulletin] = project.hidden(as_of, audience)  # for `bulletins verify`
        self.directives: list[Directive] = [d for b in self.bulletins for d in b.directives]
        self.buckets: dict[str, str] = {d.id: bucket(d, as_of) for d in self.directives}

    @property
    def units(self) -> list[Unit]:
        return list(self.registry.units.values())

    def bucket_of(self, directive: Directive) -> str:
        return self.buckets[directive.id]

    def by_bucket(self, entries: list[UnitEntry]) -> dict[str, list[UnitEntry]]:
        """Entries grouped into buckets (most urgent first), each sorted by deadline then id."""
        groups: dict[str, list[UnitEntry]] = {name: [] for name in BUCKETS}
        for entry in entries:
            groups[self.bucket_of(entry.directive)].append(entry)
        for group in groups.values():
            group.sort(key=lambda entry: _deadline_order(entry.directive))
        return groups

    @cached_property
    def register(self) -> list[UnitEntry]:
        """Every directive, as the register lists them (no unit's point of view)."""
        return [UnitEntry(d, "") for d in self.directives]

    @cached_property
    def _unit_entries(self) -> dict[str, list[UnitEntry]]:
        entries: dict[str, list[UnitEntry]] = defaultdict(list)
        for directive in self.directives:
            for unit in self.units:
                if directive.addresses(unit.id):
                    entries[unit.id].append(UnitEntry(directive, "responsible"))
                elif unit.id in directive.support:
                    entries[unit.id].append(UnitEntry(directive, "support"))
        return entries

    def for_unit(self, unit_id: str) -> list[UnitEntry]:
        return self._unit_entries.get(unit_id, [])

    def counts(self, directives) -> Counter:
        """How many directives fall in each bucket, plus 'open' (everything not closed)."""
        counter = Counter(self.bucket_of(d) for d in directives)
        counter["open"] = sum(n for name, n in counter.items() if name != "closed")
        return counter

    @cached_property
    def years(self) -> dict[int, list[Bulletin]]:
        years: dict[int, list[Bulletin]] = defaultdict(list)
        for b in self.bulletins:
            years[b.date.year].append(b)
        return dict(years)

    @cached_property
    def types(self) -> dict[str, list[Bulletin]]:
        types: dict[str, list[Bulletin]] = defaultdict(list)
        for b in self.bulletins:
            types[b.type].append(b)
        return dict(types)

    def upcoming_meetings(self) -> list[Bulletin]:
        meetings = [b for b in self.bulletins if b.meeting and b.meeting.start.date() >= self.as_of]
        return sorted(meetings, key=lambda b: (b.meeting.start, b.rel_path))


def _deadline_order(directive: Directive):
    return (directive.deadline or dt.date.max, directive.id)
