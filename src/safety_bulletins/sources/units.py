"""The registry of units (`bulletins/units.yml`) and resolving what editors call them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from . import yamlload
from .dates import DateError, parse_date
from .paths import unsafe_file
from ..model import ALL_UNITS, Problem, Unit
from .parse import read_text

# Files the site generates where a unit's page (paths.unit_src) or feed (paths.unit_feed_src) could land.
_GENERATED = {paths.UNITS_INDEX: f"the overview of units ({paths.UNITS_INDEX})",
              **{src: f"the empty sitemap Material's script asks for beside the feeds ({src})"
                 for src in paths.FEED_SITEMAPS}}
_UNIT_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # fullmatch: `$` would let a trailing line break through
_UNIT_FIELDS = ("id", "name", "name_zh", "aliases", "parent", "receives_all", "since")


def _key(reference: str) -> str:
    return " ".join(reference.split()).casefold()


@dataclass
class UnitRegistry:
    units: dict[str, Unit] = field(default_factory=dict)  # by id, in the file's order
    _by_reference: dict[str, str] = field(default_factory=dict)  # casefolded id/name/alias -> id
    # named groups documents address (各二级单位): casefolded name -> (name as written, member ids)
    groups: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def group(self, reference: str) -> tuple[str, ...] | None:
        """The member ids of the group a reference names (any case), None if it names none."""
        found = self.groups.get(_key(reference))
        return found[1] if found else None

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

    def receivers(self, on: dt.date | None = None) -> tuple[str, ...]:
        """The units a directive to `all` is addressed to, in the file's order: every unit but
        those that say `receives_all: false` (a committee, the group's root), and, for a directive
        issued `on` a day, those that joined after it (`since`)."""
        if self._receivers is None:
            self._receivers = tuple(u.id for u in self.units.values() if u.receives_all)
        return self._receivers if on is None else tuple(u for u in self._receivers if self.there_on(u, on))

    def there_on(self, unit_id: str, day: dt.date | None) -> bool:
        """Whether a unit had joined by `day` (units.yml's `since`); an unknown day: yes."""
        since = self.units[unit_id].since if unit_id in self.units else None
        return since is None or day is None or since <= day

    def joined_after(self, day: dt.date) -> tuple[str, ...]:
        """The units a directive to `all` is addressed to that joined after `day` (`since`), which one
        issued that day is not for: at the cost of the units with a `since`, not of every unit."""
        if self._late is None:
            self._late = tuple(u for u in self.receivers() if self.units[u].since is not None)
        return tuple(u for u in self._late if not self.there_on(u, day))

    def outside_all(self) -> tuple[str, ...]:
        """The units a directive to `all` is never addressed to (`receives_all: false`: a committee,
        the group's root), in the file's order."""
        if self._outside is None:
            self._outside = tuple(u.id for u in self.units.values() if not u.receives_all)
        return self._outside

    def joined_by(self, day: dt.date) -> UnitRegistry:
        """The registry as it was on `day`: without the units that joined after it (units.yml's
        `since`), which a site shown as of that day has nowhere; itself when every unit was there."""
        if all(self.there_on(unit_id, day) for unit_id in self.units):
            return self
        kept = UnitRegistry()
        for unit in self.units.values():
            if self.there_on(unit.id, day):
                kept.add(unit)
        kept.groups = {key: (name, tuple(u for u in members if u in kept.units))
                       for key, (name, members) in self.groups.items()}
        return kept

    def add(self, unit: Unit) -> None:
        self.units[unit.id] = unit
        self._receivers = self._late = self._outside = None
        self._children = None  # a new unit or parent: the tree is made again when asked
        for reference in (unit.id, unit.name, *unit.aliases, *([unit.name_zh] if unit.name_zh else [])):
            self._by_reference[_key(reference)] = unit.id

    _children: dict[str | None, list[str]] | None = field(default=None, repr=False, compare=False)
    _receivers: tuple[str, ...] | None = field(default=None, repr=False, compare=False)
    _late: tuple[str, ...] | None = field(default=None, repr=False, compare=False)  # receivers with a `since`
    _outside: tuple[str, ...] | None = field(default=None, repr=False, compare=False)  # receives_all: false
    _positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)  # place in the file

    def _tree(self) -> dict[str | None, list[str]]:
        """Each unit's children's ids in the file's order, made once: asked for every unit,
        a scan of the whole file per question made a deep chain cost its length squared."""
        if self._children is None:
            self._children, self._positions = {}, {}
            for number, unit in enumerate(self.units.values()):
                self._children.setdefault(unit.parent, []).append(unit.id)
                self._positions[unit.id] = number
        return self._children

    def display_name(self, unit_id: str, language: str) -> str | None:
        """The name every output shows a unit by in `language` (Unit.name_in); None for `all`
        or an id that is not a unit, which the caller names itself."""
        unit = self.units.get(unit_id)
        return unit.name_in(language) if unit else None

    def children(self, unit_id: str) -> list[Unit]:
        return [self.units[child] for child in self._tree().get(unit_id, ())]

    def has_subunits(self, unit_id: str) -> bool:
        return any(child != unit_id for child in self._tree().get(unit_id, ()))

    def in_file_order(self, unit_ids) -> list[str]:
        """The known units among `unit_ids`, in the file's order (at the cost of their number, not the file's)."""
        self._tree()
        return sorted((u for u in set(unit_ids) if u in self.units), key=self._positions.__getitem__)

    def ancestors(self, unit_id: str) -> list[str]:
        """The ids of the units above a unit, nearest first; stops at a `parent` cycle (an error of its own)."""
        found: list[str] = []
        seen = {unit_id}
        parent = self.units[unit_id].parent if unit_id in self.units else None
        while parent in self.units and parent not in seen:
            found.append(parent)
            seen.add(parent)
            parent = self.units[parent].parent
        return found

    def descendants(self, unit_id: str) -> list[str]:
        """The ids of a unit's sub-units at any depth, in the file's order. A `parent` cycle
        is an error of its own; the walk stops at any unit seen before all the same. Its cost
        is the number it finds: pages that need every unit's use Catalog.subunits_listed."""
        children = self._tree()
        found: set[str] = set()
        waiting = list(children.get(unit_id, ()))
        while waiting:
            child = waiting.pop()
            if child not in found and child != unit_id:
                found.add(child)
                waiting += children.get(child, ())
        return sorted(found, key=self._positions.__getitem__)


def load_units(path: Path) -> tuple[UnitRegistry, list[Problem]]:
    registry = UnitRegistry()
    unreadable = _unreadable(path)
    if unreadable is not None:
        return registry, [unreadable]
    try:
        text, problems = read_text(path)
    except OSError as exc:  # unreadable (permissions), or removed since it was looked at
        return registry, [Problem(path, 1, f"units.yml cannot be read ({exc.strerror})",
                                  "Make it a plain file that you can read.")]
    if text is None:
        return registry, problems
    try:
        data = yamlload.load(text)
    except yamlload.YamlError as exc:
        return registry, [Problem(path, exc.line, f"malformed YAML: {exc.message}", exc.hint or _UNIT_EXAMPLE)]
    if not isinstance(data, list):
        return registry, [Problem(path, 1, "units.yml must be a YAML list of units", _UNIT_EXAMPLE)]

    parents: dict[str, tuple[str, int]] = {}  # unit id -> (parent as written, line)
    groups = []  # read once every unit is known: a group may name units written after it
    for entry in data:
        if isinstance(entry, yamlload.LineDict) and "group" in entry:
            groups.append(entry)
            continue
        unit, entry_problems = _read_unit(path, entry, registry)
        problems += entry_problems
        if unit is None:
            continue
        registry.add(unit)
        if unit.parent:
            parents[unit.id] = (unit.parent, entry.line_of("parent"))
    for unit_id, (parent, line) in parents.items():
        if registry.resolve(parent) in (None, ALL_UNITS):
            problems.append(Problem(path, line, f"unit '{unit_id}' has an unknown parent {yamlload.shorten(parent)}", "Use the id of a unit in this file."))
        else:
            registry.add(dataclasses.replace(registry.units[unit_id], parent=registry.resolve(parent)))
    problems += _parent_cycles(path, registry, {unit_id: line for unit_id, (_, line) in parents.items()})
    for entry in groups:
        problems += _read_group(path, entry, registry)
    return registry, problems


_GROUP_EXAMPLE = "A group looks like:\n    - group: 各二级单位\n      units: [property, energy]"


def _read_group(path: Path, entry, registry: UnitRegistry) -> list[Problem]:
    """A named group of units (`- group: 各二级单位` with `units: [...]`), which bulletins may write
    in `units:` and `support:` for its members; added to the registry if it is valid."""
    problems = [Problem(path, entry.line_of(k), f"unknown field {yamlload.shorten(k)} in a group",
                        f"A group has the fields: group, units. {_GROUP_EXAMPLE}") for k in entry if k not in ("group", "units")]
    name, members = entry.get("group"), entry.get("units")
    if not isinstance(name, str) or not name.strip() or _unprintable(name):
        return problems + [Problem(path, entry.line_of("group"), "a group needs a name on one line", _GROUP_EXAMPLE)]
    name = name.strip()
    taken = registry.resolve(name)
    if taken is not None:
        return problems + [Problem(
            path, entry.line_of("group"), f"the group name {yamlload.shorten(name)} already names "
            + ("every unit ('all')" if taken == ALL_UNITS else f"unit '{taken}'"),
            "A group's name must differ from every unit's id, name, name_zh and alias: rename the group.")]
    if _key(name) in registry.groups:
        return problems + [Problem(path, entry.line_of("group"), f"the group {yamlload.shorten(name)} is defined twice",
                                   "Merge the two lists of units into one group.")]
    members = [members] if isinstance(members, str) else members
    if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
        return problems + [Problem(path, entry.line_of("units") if "units" in entry else entry.line_of("group"),
                                   f"group {yamlload.shorten(name)} needs 'units', a list of units", _GROUP_EXAMPLE)]
    ids: list[str] = []
    for member in members:
        unit_id = registry.resolve(member)
        if unit_id in (None, ALL_UNITS):
            suggestion = registry.suggest(member) if unit_id is None else None
            problems.append(Problem(
                path, entry.line_of("units"), f"unknown unit {yamlload.shorten(member)} in group {yamlload.shorten(name)}",
                (f"Did you mean '{suggestion.id}' ({suggestion.name})? " if suggestion else "")
                + "Name units of this file by id, name or alias ('all' and other groups are not members)."))
        elif unit_id not in ids:
            ids.append(unit_id)
    if not problems:
        registry.groups[_key(name)] = (name, tuple(ids))
    return problems


def _unreadable(path: Path) -> Problem | None:
    """Why units.yml cannot be read as a file of the project, if it cannot: looked at before
    opening it, since reading a FIFO would wait forever and a folder cannot be read at all."""
    if not path.exists() and not path.is_symlink():
        return Problem(path, 1, "the list of units is missing", "Create it: a YAML list of '- id: ..., name: ...'.")
    why = unsafe_file(path, path.parent)
    return None if why is None else Problem(path, 1, f"units.yml {why}", f"Make it a plain file. {_UNIT_EXAMPLE}")


_CYCLE_SHOWN = 6  # units named in the message: a circle may hold thousands


def _parent_cycles(path: Path, registry: UnitRegistry, lines: dict[str, int]) -> list[Problem]:
    """Units that are their own parent, or each other's: each cycle once, at the `parent:` line
    of its unit that comes first in the file."""
    order = {unit_id: number for number, unit_id in enumerate(registry.units)}
    problems, done = [], set()
    for start in registry.units:
        trail: dict[str, None] = {}  # the units walked up from `start`, in order
        unit_id = start
        while unit_id is not None and unit_id not in done and unit_id not in trail:
            trail[unit_id] = None
            parent = registry.units[unit_id].parent  # an unknown parent stays as written: a problem already
            unit_id = parent if parent in registry.units else None
        done.update(trail)
        if unit_id is None or unit_id not in trail:
            continue
        walked = list(trail)
        cycle = walked[walked.index(unit_id):]
        first = min(range(len(cycle)), key=lambda i: order[cycle[i]])
        cycle = cycle[first:] + cycle[:first]
        if len(cycle) == 1:
            message = f"unit '{cycle[0]}' is its own parent"
        else:
            steps = [f"'{u}' (line {lines[u]})" for u in cycle[:_CYCLE_SHOWN]]
            more = [f"... {len(cycle) - _CYCLE_SHOWN} more"] if len(cycle) > _CYCLE_SHOWN else []
            message = f"the parents of units go round in a circle: {' → '.join(steps + more)} → '{cycle[0]}'"
        problems.append(Problem(path, lines[cycle[0]], message,
                                "Parents must lead up to a unit without one: remove or change one 'parent:'."))
    return problems


_UNIT_EXAMPLE = "Each unit looks like:\n    - id: property\n      name: Property Management Co.\n      aliases: [物业公司]"


def _unprintable(text: str) -> str:
    """What in a name cannot be shown on one line ("" if nothing): a line break (a folded or
    literal YAML scalar, a quoted \\n) ends calendar lines and mail headers, and control and
    format characters (bidi overrides among them) change how the rest reads."""
    for char in text.strip():
        category = unicodedata.category(char)
        if char in "\r\n\x0b\x0c\x85" or category in ("Zl", "Zp"):
            return "a line break"
        if category in ("Cc", "Cf", "Cs", "Co"):
            return f"the control character U+{ord(char):04X}"
    return ""


def _read_unit(path: Path, entry, registry: UnitRegistry) -> tuple[Unit | None, list[Problem]]:
    if not isinstance(entry, yamlload.LineDict):
        return None, [Problem(path, 1, f"a unit must be a mapping with id and name, not {yamlload.shorten(entry)}",
                              _UNIT_EXAMPLE)]
    problems = [
        Problem(path, entry.line_of(k), f"unknown field {yamlload.shorten(k)} in a unit", f"A unit has the fields: {', '.join(_UNIT_FIELDS)}.")
        for k in entry
        if k not in _UNIT_FIELDS
    ]
    unit_id, name = entry.get("id"), entry.get("name")
    if not isinstance(unit_id, str) or not _UNIT_ID.fullmatch(unit_id):
        problems.append(
            Problem(path, entry.line_of("id"), f"unit id {yamlload.shorten(unit_id)} is missing or not a slug",
                    "Use lowercase letters, digits and '-', e.g. 'id: property-mgmt'.")
        )
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(path, entry.line_of("name"), "a unit needs a name", "Add e.g. 'name: Property Management Co.'"))
    aliases = entry.get("aliases", [])
    aliases = [aliases] if isinstance(aliases, str) else aliases
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.append(Problem(path, entry.line_of("aliases"), "aliases must be a list of names", "e.g. 'aliases: [物业公司, 新区物业]'"))
        aliases = []
    name_zh = entry.get("name_zh")
    if name_zh is not None and (not isinstance(name_zh, str) or not name_zh.strip()):
        problems.append(Problem(path, entry.line_of("name_zh"), "name_zh must be the unit's Chinese name",
                                "e.g. 'name_zh: 物业公司', or delete the line."))
        name_zh = None
    parent = entry.get("parent")
    if parent is not None and not isinstance(parent, str):
        problems.append(Problem(path, entry.line_of("parent"), "parent must be a unit id", "e.g. 'parent: group'"))
        parent = None
    receives_all = entry.get("receives_all", True)
    if not isinstance(receives_all, bool):
        problems.append(Problem(path, entry.line_of("receives_all"),
                                f"receives_all must be true or false, not {yamlload.shorten(receives_all)}",
                                "Write 'receives_all: false' for a unit that directives to 'all' do not address "
                                "(a committee, the group's root); leave it out otherwise."))
        receives_all = True
    since = entry.get("since")
    if since is not None:
        try:
            since = parse_date(since)
        except DateError as exc:
            problems.append(Problem(path, entry.line_of("since"), f"since: {exc}",
                                    "Write the day the unit joined as 'since: 2026-12-01' (directives to 'all' or "
                                    "to a group issued before it are not its work), or leave it out."))
            since = None
    for key, values in (("name", [name]), ("aliases", aliases), ("name_zh", [name_zh])):
        broken = next((v for v in values if isinstance(v, str) and _unprintable(v)), None)
        if broken is not None:
            problems.append(Problem(
                path, entry.line_of(key), f"the {'alias' if key == 'aliases' else key} {yamlload.shorten(broken)} "
                f"has {_unprintable(broken)}: a unit's name is one line of text",
                "Write it on the line of its key, without '>' or '|' and without \\n or other escapes: "
                f"e.g. '{key}: {'[物业公司]' if key == 'aliases' else '物业公司'}'."))
    if problems:
        return None, problems
    if unit_id == ALL_UNITS:
        return None, [Problem(path, entry.line_of("id"), "'all' is reserved: it addresses every unit", "Choose another id.")]
    for what, src in (("page", paths.unit_src(unit_id)), ("feed", paths.unit_feed_src(unit_id))):
        if src in _GENERATED:
            return None, [Problem(path, entry.line_of("id"),
                                  f"unit id '{unit_id}' is taken: its {what} would replace {_GENERATED[src]}",
                                  f"Choose another id, e.g. '{unit_id}-unit'.")]
    name_zh = name_zh.strip() if name_zh else ""
    for reference, key in ((unit_id, "id"), (name, "name"), *((a, "aliases") for a in aliases),
                           *(((name_zh, "name_zh"),) if entry.get("name_zh") else ())):
        taken = registry.resolve(reference)
        if taken is not None:
            problems.append(
                Problem(path, entry.line_of(key),
                        f"{yamlload.shorten(reference)} ({key} of '{unit_id}') already names unit '{taken}'",
                        "Ids, names, Chinese names (name_zh) and aliases must each point to one unit "
                        "(case does not count): change or delete one of the two.")
            )
    if problems:
        return None, problems
    return Unit(unit_id, name.strip(), tuple(a.strip() for a in aliases), parent, name_zh, receives_all, since), []
