"""The registry of units (`bulletins/units.yml`) and resolving what editors call them."""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlload
from .model import ALL_UNITS, Problem, Unit
from .parse import read_text

_UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_UNIT_FIELDS = ("id", "name", "aliases", "parent")


def _key(reference: str) -> str:
    return " ".join(reference.split()).casefold()


@dataclass
class UnitRegistry:
    units: dict[str, Unit] = field(default_factory=dict)  # by id, in the file's order
    _by_reference: dict[str, str] = field(default_factory=dict)  # casefolded id/name/alias -> id

    def resolve(self, reference: str) -> str | None:
        """The unit id a reference (id, name or alias, any case) stands for; `all` stays `all`."""
        key = _key(reference)
        if key == ALL_UNITS:
            return ALL_UNITS
        return self._by_reference.get(key)

    def suggest(self, reference: str) -> Unit | None:
        """The unit whose id, name or alias is closest to a reference that did not resolve."""
        close = difflib.get_close_matches(_key(reference), list(self._by_reference), n=1, cutoff=0.5)
        return self.units[self._by_reference[close[0]]] if close else None

    def add(self, unit: Unit) -> None:
        self.units[unit.id] = unit
        for reference in (unit.id, unit.name, *unit.aliases):
            self._by_reference[_key(reference)] = unit.id

    def children(self, unit_id: str) -> list[Unit]:
        return [u for u in self.units.values() if u.parent == unit_id]


def load_units(path: Path) -> tuple[UnitRegistry, list[Problem]]:
    registry = UnitRegistry()
    if not path.exists():
        return registry, [
            Problem(path, 1, "the list of units is missing", "Create it: a YAML list of '- id: ..., name: ...'.")
        ]
    text, problems = read_text(path)
    if text is None:
        return registry, problems
    try:
        data = yamlload.load(text)
    except yamlload.YamlError as exc:
        return registry, [Problem(path, exc.line, f"malformed YAML: {exc.message}", _UNIT_EXAMPLE)]
    if not isinstance(data, list):
        return registry, [Problem(path, 1, "units.yml must be a YAML list of units", _UNIT_EXAMPLE)]

    parents: list[tuple[str, str, int]] = []
    for entry in data:
        unit, entry_problems = _read_unit(path, entry, registry)
        problems += entry_problems
        if unit is None:
            continue
        registry.add(unit)
        if unit.parent:
            parents.append((unit.id, unit.parent, entry.line_of("parent")))
    for unit_id, parent, line in parents:
        if registry.resolve(parent) in (None, ALL_UNITS):
            problems.append(Problem(path, line, f"unit '{unit_id}' has an unknown parent '{parent}'", "Use the id of a unit in this file."))
        else:
            registry.add(dataclasses.replace(registry.units[unit_id], parent=registry.resolve(parent)))
    return registry, problems


_UNIT_EXAMPLE = "Each unit looks like:\n    - id: property\n      name: Property Management Co.\n      aliases: [物业公司]"


def _read_unit(path: Path, entry, registry: UnitRegistry) -> tuple[Unit | None, list[Problem]]:
    if not isinstance(entry, yamlload.LineDict):
        return None, [Problem(path, 1, f"a unit must be a mapping with id and name, not {entry!r}", _UNIT_EXAMPLE)]
    problems = [
        Problem(path, entry.line_of(k), f"unknown field '{k}' in a unit", f"A unit has the fields: {', '.join(_UNIT_FIELDS)}.")
        for k in entry
        if k not in _UNIT_FIELDS
    ]
    unit_id, name = entry.get("id"), entry.get("name")
    if not isinstance(unit_id, str) or not _UNIT_ID.match(unit_id):
        problems.append(
            Problem(path, entry.line_of("id"), f"unit id {unit_id!r} is missing or not a slug",
                    "Use lowercase letters, digits and '-', e.g. 'id: property-mgmt'.")
        )
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(path, entry.line_of("name"), "a unit needs a name", "Add e.g. 'name: Property Management Co.'"))
    aliases = entry.get("aliases", [])
    aliases = [aliases] if isinstance(aliases, str) else aliases
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.append(Problem(path, entry.line_of("aliases"), "aliases must be a list of names", "e.g. 'aliases: [物业公司, 新区物业]'"))
        aliases = []
    parent = entry.get("parent")
    if parent is not None and not isinstance(parent, str):
        problems.append(Problem(path, entry.line_of("parent"), "parent must be a unit id", "e.g. 'parent: group'"))
        parent = None
    if problems:
        return None, problems
    if unit_id == ALL_UNITS:
        return None, [Problem(path, entry.line_of("id"), "'all' is reserved: it addresses every unit", "Choose another id.")]
    for reference, key in ((unit_id, "id"), (name, "name"), *((a, "aliases") for a in aliases)):
        taken = registry.resolve(reference)
        if taken is not None:
            problems.append(
                Problem(path, entry.line_of(key), f"'{reference}' already names unit '{taken}'",
                        "Ids, names and aliases must each point to one unit (case does not count).")
            )
    if problems:
        return None, problems
    return Unit(unit_id, name.strip(), tuple(a.strip() for a in aliases), parent), []
