"""The index of published bulletins at an as-of date: by unit, by bucket, by year and type."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from .model import ALL_UNITS, BUCKETS, Bulletin, Directive, DueWindows, FollowUp, Unit
from .sources.project import DEFAULT_AUDIENCE, Project
from .state import Change, Issued, State, derived, replay, replay_shares


@dataclass(frozen=True, slots=True)  # one per directive and unit: ~150,000 at 2,000 bulletins
class UnitEntry:
    """A directive as one unit sees it: addressed to it (maybe through `all`) or supporting."""

    directive: Directive
    role: str  # "responsible", "support", "acceptance" (waits for the unit to accept it), or "" in the register
    units: tuple[str, ...] = ()  # on a parent unit's page: the sub-units it is listed for, in the file's order
    share: str = ""  # the unit whose share of the directive it shows (Catalog.share); "": the directive's own state


@dataclass(frozen=True)
class Rate:
    """One kind of work's rates, as supervision bulletins compute them: of the items due (the
    deadline in force passed by the as-of date, or done; cancelled ones never), those done (整改率,
    办结率) and those done on time (按期整改率, 按期办结率), both divided by what is due."""

    kind: str  # "tasks": meeting tasks, directives without a grade (办结率); "dangers": hidden dangers (整改率)
    due: int = 0
    closed: int = 0  # done
    on_time: int = 0  # done on or before the deadline in force when it was done
    counted: int = 0  # not cancelled, due or not: whether the unit has this kind of work at all

    @staticmethod
    def percent(part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "–"

    @property
    def closure(self) -> str:
        return self.percent(self.closed, self.due)

    @property
    def timely(self) -> str:
        return self.percent(self.on_time, self.due)


@dataclass(frozen=True)
class Rates:
    """A unit's rates, one per kind of work: meeting tasks (办结率) and hidden dangers (整改率) are
    reported apart, as supervision bulletins do, so that quick fixes of hidden dangers never hide
    overdue meeting tasks (or the reverse). The definitions are on the pages."""

    tasks: Rate = Rate("tasks")
    dangers: Rate = Rate("dangers")

    @property
    def shown(self) -> list[Rate]:
        """The kinds a page shows: those the unit has (meeting tasks alone when it has neither)."""
        return [r for r in (self.tasks, self.dangers) if r.counted] or [self.tasks]

    @property
    def combined(self) -> Rate:
        """Both kinds together: only to order units on the dashboard."""
        t, d = self.tasks, self.dangers
        return Rate("all", t.due + d.due, t.closed + d.closed, t.on_time + d.on_time, t.counted + d.counted)


def is_due(state: State, as_of: dt.date) -> bool:
    """Counted in a rate at `as_of`: done, or open past its deadline in force (cancelled: never)."""
    if state.status == "cancelled":
        return False
    return state.status == "done" or (state.deadline is not None and state.deadline < as_of)


def rates_of(items, as_of: dt.date) -> Rates:
    """Rates of (is a hidden danger, State) pairs at `as_of`: a pure function of the states, so a
    unit's own share of a directive can be counted as well as a whole directive."""
    figures = {False: [0, 0, 0, 0], True: [0, 0, 0, 0]}  # due, closed, on time, counted
    for danger, state in items:
        if state.status == "cancelled":
            continue
        f = figures[bool(danger)]
        f[3] += 1
        if is_due(state, as_of):
            f[0] += 1
            f[1] += state.status == "done"
            f[2] += state.status == "done" and bool(state.on_time)
    return Rates(Rate("tasks", *figures[False]), Rate("dangers", *figures[True]))


@dataclass(frozen=True)
class Progress:
    """The register's "3 of 12 units done, 2 overdue: A, B" of a directive with shares."""

    closed: int
    total: int
    overdue: tuple[str, ...]  # unit ids, in the directive's order


_ROLE_RANK = {"responsible": 0, "support": 1, "acceptance": 2}  # which role a parent's page shows


class Catalog:
    def __init__(self, project: Project, as_of: dt.date, audience: str = DEFAULT_AUDIENCE,
                 windows: DueWindows = DueWindows(), kept: tuple[dict, dict] | None = None):
        """`kept`: (the last build's, this build's) replayed states of each directive by its object and its
        follow-ups' objects (the same while their files are), for the same as-of date and windows (the
        preview's, site_build/incremental.py SourceCache: a directive not read again is not replayed again)."""
        self.as_of = as_of
        self.windows = windows  # the bucket rule's thresholds: pages pass them on to live.js
        self.audience = audience
        self.registry = project.registry.joined_by(as_of)  # a unit that joined later is not there yet
        # Newest first; the path breaks ties so the order never depends on the file system.
        self.bulletins: list[Bulletin] = sorted(project.published(as_of, audience),
                                                key=lambda b: (-b.date.toordinal(), b.rel_path))
        self.hidden: list[Bulletin] = project.hidden(as_of, audience)  # for `bulletins verify`
        self.directives: list[Directive] = [d for b in self.bulletins for d in b.directives]
        self.follow_ups: list[FollowUp] = [f for b in self.bulletins for f in b.follow_ups]
        by_directive: dict[str, list[FollowUp]] = defaultdict(list)
        for f in self.follow_ups:
            by_directive[f.directive_id.casefold()].append(f)
        # The one place a directive's current state is computed: everything reads these. Each
        # responsible unit has a share; a directive whose shares differ (a follow-up names units)
        # keeps them in `shares`, and its own state is derived from theirs.
        self.states: dict[str, State] = {}
        self.shares: dict[str, dict[str, State]] = {}  # directive id -> unit id -> its share's state
        last, now = kept if kept is not None else ({}, None)
        for d in self.directives:
            follow_ups = by_directive.get(d.id.casefold(), ())
            if kept is not None:  # (the objects are held in `now`: their ids are not reused while kept)
                key = (id(d), *map(id, follow_ups))
                if (same := last.get(key)) is not None:
                    self.states[d.id], shares = same[2], same[3]
                    if shares is not None:
                        self.shares[d.id] = shares
                    now[key] = same
                    continue
                now[key] = (d, tuple(follow_ups), *self._replayed(d, follow_ups, as_of, windows))
            else:
                self._replayed(d, follow_ups, as_of, windows)
        self.buckets: dict[str, str] = {d.id: self.states[d.id].bucket(as_of, windows) for d in self.directives}
        self._by_id: dict[str, Directive] = {d.id.casefold(): d for d in self.directives}
        self._bulletin_of: dict[str, Bulletin] = {b.rel_path: b for b in self.bulletins}
        self._rollups: dict[str, list[UnitEntry]] = {}
        self._held_states: dict[tuple[str, tuple[str, ...]], State] = {}
        self._figures: dict[tuple[str, str], tuple[Counter, Rates]] = {}

    def _replayed(self, d: Directive, follow_ups, as_of: dt.date, windows: DueWindows) -> tuple[State, dict | None]:
        """Sets and gives (the directive's state, its units' shares when they differ)."""
        issued = Issued.of(d, windows)
        if not any(f.units for f in follow_ups):  # most directives: one replay, every unit's share
            self.states[d.id] = replay(issued, follow_ups, as_of)[0]
            return self.states[d.id], None
        replayed = replay_shares(issued, follow_ups, as_of)
        if len(replayed) > 1:  # in the directive's order of units, not by group
            by_unit = {unit: state for units, state in replayed for unit in units}
            self.shares[d.id] = {unit: by_unit[unit] for unit in issued.units}
        self.states[d.id] = derived([state for _, state in replayed])
        return self.states[d.id], self.shares.get(d.id)

    @cached_property
    def units(self) -> list[Unit]:
        return list(self.registry.units.values())

    def bucket_of(self, directive: Directive) -> str:
        return self.buckets[directive.id]

    def state_of(self, directive: Directive) -> State:
        return self.states[directive.id]

    def share(self, directive: Directive, unit_id: str) -> State:
        """A unit's share of a directive; for a unit that is not responsible for it (support,
        acceptance, a parent's roll-up), or a directive whose shares are all alike, its own state."""
        shares = self.shares.get(directive.id)
        return shares.get(unit_id, self.states[directive.id]) if shares else self.states[directive.id]

    def shares_of(self, directive: Directive) -> list[tuple[str, State]]:
        """Each responsible unit's share, in the directive's order; [] when they are all alike
        (no follow-up names units): the directive's own state is then every unit's."""
        shares = self.shares.get(directive.id)
        return list(shares.items()) if shares else []

    def every_share(self, directive: Directive) -> list[tuple[str, State]]:
        """Every responsible unit (`all` expanded, as Issued.of does) with its share, in the
        directive's order, whether or not the shares differ: a row per unit (directives-by-unit.csv)."""
        units = directive.responsible or tuple(u for u in directive.units if u != ALL_UNITS)
        return [(unit, self.share(directive, unit)) for unit in units]

    def directive(self, directive_id: str) -> Directive | None:
        """A published directive by its id (ids are matched regardless of case)."""
        return self._by_id.get(directive_id.casefold())

    def progress(self, directive: Directive) -> Progress | None:
        """How far the units are with a directive whose shares differ (None when they are alike:
        its own state says it all): shares closed, of how many, and the units overdue."""
        shares = self.shares_of(directive)
        if not shares:
            return None
        overdue = tuple(unit for unit, state in shares if state.bucket(self.as_of, self.windows) == "overdue")
        return Progress(sum(state.status == "done" for _, state in shares), len(shares), overdue)

    # The two below run for every entry of every listing and count (400,000 at 2,000 bulletins):
    # a directive without shares of its own (most) costs a dict lookup, as before shares.

    def entry_state(self, entry) -> State:
        """The state a listing's entry (or a directive) shows: its unit's share, else the directive's own."""
        if entry.__class__ is not UnitEntry:
            return self.states[entry.id]
        if self.shares and (shares := self.shares.get(entry.directive.id)):
            if entry.share:
                return shares.get(entry.share) or self.states[entry.directive.id]
            if entry.role == "responsible" and entry.units:  # a roll-up's entry: the shares of the units holding it
                return self._held(entry.directive.id, entry.units, shares)
        return self.states[entry.directive.id]

    def _held(self, directive_id: str, units: tuple[str, ...], shares: dict[str, State]) -> State:
        """The state of a directive as some units hold it together (a parent with its sub-units):
        derived from their shares alone, as the directive's own is from all of them."""
        key = (directive_id, units)
        if key not in self._held_states:
            held = [shares[u] for u in units if u in shares]
            self._held_states[key] = derived(held) if held else self.states[directive_id]
        return self._held_states[key]

    def entry_bucket(self, entry) -> str:
        """The bucket of what `entry_state` gives."""
        if entry.__class__ is not UnitEntry:
            return self.buckets[entry.id]
        if self.shares and entry.directive.id in self.shares:
            return self.entry_state(entry).bucket(self.as_of, self.windows)
        return self.buckets[entry.directive.id]

    def directive_of(self, follow_up: FollowUp) -> Directive | None:
        """The directive a published follow-up is about (always published: checked across files)."""
        return self._by_id.get(follow_up.directive_id.casefold())

    def bulletin_of(self, follow_up: FollowUp) -> Bulletin:
        return self._bulletin_of[follow_up.rel_path]

    def change_of(self, follow_up: FollowUp) -> Change | None:
        """What a follow-up changed in its directive's history; None if it counts only after
        the as-of date (or broke a rule)."""
        return self._changes.get((follow_up.rel_path, follow_up.order))

    @cached_property
    def _changes(self) -> dict[tuple[str, int], Change]:
        # by file and place, not by searching the history: a directive may have thousands
        return {(change.follow_up.rel_path, change.follow_up.order): change
                for state in self.states.values() for change in state.history}

    def by_bucket(self, entries: list[UnitEntry]) -> dict[str, list[UnitEntry]]:
        """Entries grouped into buckets (most urgent first), each sorted by deadline in force then id;
        what waits for the unit's acceptance apart, and what it only supports (配合) while open."""
        groups: dict[str, list[UnitEntry]] = {name: [] for name in BUCKETS}
        for entry in entries:  # listed_bucket, inline: every row of every listing passes here
            if entry.role == "acceptance":
                groups["to-accept"].append(entry)
                continue
            bucket = self.entry_bucket(entry)
            groups["support" if entry.role == "support" and bucket != "closed" else bucket].append(entry)
        for group in groups.values():
            group.sort(key=lambda entry: (self.entry_state(entry).deadline or dt.date.max, entry.directive.id))
        return groups

    def listed_bucket(self, entry: UnitEntry) -> str:
        """The section a unit's page lists an entry in: its bucket, except what waits for the unit's
        acceptance ("to-accept") and what it only supports while open ("support"): another unit's
        delay is not the supporting unit's, so it is never under its page's Overdue."""
        if entry.role == "acceptance":
            return "to-accept"
        bucket = self.entry_bucket(entry)
        return "support" if entry.role == "support" and bucket != "closed" else bucket

    def _deadline_order(self, directive: Directive):
        return (self.states[directive.id].deadline or dt.date.max, directive.id)

    @cached_property
    def register(self) -> list[UnitEntry]:
        """Every directive, as the register lists them (no unit's point of view)."""
        return [UnitEntry(d, "") for d in self.directives]

    @cached_property
    def _unit_entries(self) -> dict[str, list[UnitEntry]]:
        """Each unit's directives in catalog order, each once in its strongest role: responsible,
        then support, then acceptance (a unit's own is listed already). Made by walking each
        directive's units, not every unit for every directive (30 units x 10,000 directives)."""
        known = self.registry.units
        entries: dict[str, list[UnitEntry]] = defaultdict(list)
        for directive in self.directives:
            roles: dict[str, str] = {}
            shares = self.shares.get(directive.id) if self.shares else None
            for state in (shares.values() if shares else (self.states[directive.id],)):
                if state.acceptor in known:
                    roles[state.acceptor] = "acceptance"
            roles.update((unit, "support") for unit in directive.support if unit in known)
            responsible = directive.responsible or (known if ALL_UNITS in directive.units else directive.units)
            roles.update((unit, "responsible") for unit in responsible if unit in known)
            for unit, role in roles.items():  # a responsible unit's entry shows its share
                entries[unit].append(UnitEntry(directive, role, (), unit if role == "responsible" else ""))
        return entries

    def for_unit(self, unit_id: str) -> list[UnitEntry]:
        return self._unit_entries.get(unit_id, [])

    @cached_property
    def _listed_below(self) -> dict[str, list[str]]:
        """For each unit, its sub-units (any depth, in the file's order) with entries of their
        own, beyond the directives to every unit that it lists itself: all that its pages, feed
        and calendar take from below. Made by walking up from each such sub-unit, so it costs
        what the pages list, never the number of units times their depth (a chain of 2,000)."""
        below: dict[str, list[str]] = defaultdict(list)
        # a unit that does not receive directives to all (units.yml's receives_all) takes those from below
        outside_all = {u.id for u in self.units if not u.receives_all}
        # a unit that joined later (units.yml's `since`) lacks the directives to all issued before:
        # its sub-units' are not its own already
        outside_all |= {u.id for u in self.units if u.since is not None}
        for unit_id in self.registry.units:
            entries = self._unit_entries.get(unit_id, ())
            # (a directive to all whose units' shares differ: the sub-unit's share may not be the parent's)
            if any(entry.role != "responsible" or ALL_UNITS not in entry.directive.units
                   or entry.directive.id in self.shares for entry in entries):
                for ancestor in self.registry.ancestors(unit_id):
                    below[ancestor].append(unit_id)
            elif outside_all and entries:
                for ancestor in self.registry.ancestors(unit_id):
                    if ancestor in outside_all:
                        below[ancestor].append(unit_id)
        return below

    def subunits_listed(self, unit_id: str) -> list[str]:
        """The sub-units (any depth) whose entries a unit's roll-up may take: `descendants`
        without those that have only the directives to every unit, which the unit has too."""
        return self._listed_below.get(unit_id, [])

    def rollup(self, unit_id: str) -> list[UnitEntry]:
        """The one roll-up of a unit with its sub-units (any depth), which its page's sub-units
        section (for_subunits), the units index's Σ, its feed and calendar, `due --with-subunits`
        and `digest --with-subunits` all read: each directive once, in its strongest role among
        the unit and its sub-units (responsible, then support, then acceptance). A directive the
        unit only supports while a sub-unit is responsible for it is the sub-unit's work, so it
        counts as responsible here. `units` names who holds that role: () the unit alone (or a
        directive to every unit), (unit_id, sub, ...) the unit and sub-units, (sub, ...) only
        sub-units, in the order they were met."""
        if unit_id not in self._rollups:
            own = self.for_unit(unit_id)
            own_roles = {entry.directive.id: entry.role for entry in own}
            found: dict[str, list] = {}  # what sub-units add or change: directive id -> [role, units, directive]
            for sub in self.subunits_listed(unit_id):
                for entry in self.for_unit(sub):
                    d, role = entry.directive, entry.role
                    if (role == "responsible" and ALL_UNITS in d.units and own_roles.get(d.id) == "responsible"
                            and d.id not in self.shares):
                        continue  # to every unit, alike for all: the unit's own already, in the strongest role
                    held = found.get(d.id)
                    if held is None:
                        mine = own_roles.get(d.id)
                        if mine is None or _ROLE_RANK[role] < _ROLE_RANK[mine]:
                            found[d.id] = [role, [sub], d]
                        elif role == mine:
                            found[d.id] = [role, [unit_id, sub], d]
                    elif _ROLE_RANK[role] < _ROLE_RANK[held[0]]:
                        held[0], held[1] = role, [sub]
                    elif role == held[0]:
                        held[1].append(sub)
            if not found:  # no sub-units, or none adds anything: the unit's own list as it is
                self._rollups[unit_id] = own
            else:
                changed = {i: UnitEntry(d, role, tuple(units)) for i, (role, units, d) in found.items()}
                self._rollups[unit_id] = ([changed.pop(e.directive.id, e) for e in own] + list(changed.values()))
        return self._rollups[unit_id]

    def for_subunits(self, unit_id: str) -> list[UnitEntry]:
        """The part of the roll-up the unit's own list does not show in the same role: what its
        sub-units hold in a stronger role than the unit (or alone), naming those sub-units.
        A directive the unit supports and a sub-unit must carry out is listed in both."""
        return [entry for entry in self.rollup(unit_id) if entry.units and entry.units[0] != unit_id]

    def unit_tree(self) -> list[tuple[Unit, int]]:
        """Every unit with its depth, each under its parent, siblings in the file's order."""
        children: dict[str | None, list[Unit]] = defaultdict(list)
        for unit in self.units:
            children[unit.parent if unit.parent in self.registry.units else None].append(unit)
        tree: list[tuple[Unit, int]] = []
        seen: set[str] = set()
        waiting = [(unit, 0) for unit in reversed(children[None])]
        while waiting:
            unit, depth = waiting.pop()
            if unit.id in seen:
                continue
            seen.add(unit.id)
            tree.append((unit, depth))
            waiting += [(child, depth + 1) for child in reversed(children.get(unit.id, []))]
        # a `parent` cycle is an error that stops the build; `bulletins due` and tests may still get here
        tree += [(unit, 0) for unit in self.units if unit.id not in seen]
        return tree

    def unit_counts(self, unit_id: str, scope: str = "own") -> Counter:
        """`counts` of a unit's own entries ("own"), its sub-units' ("sub") or both ("all")."""
        return self._unit_figures(unit_id, scope)[0]

    def unit_rates(self, unit_id: str, scope: str = "own") -> Rates:
        """`rates` of a unit's own entries ("own"), its sub-units' ("sub") or both ("all")."""
        return self._unit_figures(unit_id, scope)[1]

    def _unit_figures(self, unit_id: str, scope: str) -> tuple[Counter, Rates]:
        # made once a build: the unit's page, the units index and the dashboard all show them
        if (unit_id, scope) not in self._figures:
            entries = {"own": self.for_unit, "sub": self.for_subunits, "all": self.rollup}[scope](unit_id)
            self._figures[unit_id, scope] = (self.counts(entries), self.rates(entries))
        return self._figures[unit_id, scope]

    def unit_figures_made(self) -> dict[tuple[str, str], tuple[Counter, Rates]]:
        """The figures `unit_counts` and `unit_rates` made so far, by (unit id, scope)."""
        return dict(self._figures)

    def keep_unit_figures(self, figures: dict[tuple[str, str], tuple[Counter, Rates]]) -> None:
        """Figures made by an earlier catalog of the same site and day for units whose entries are the same (the
        preview: site_build/incremental.py Shown.keep_figures): not counted again."""
        self._figures.update(figures)

    def counts(self, entries) -> Counter:
        """How many of a unit's entries (or directives) fall in each bucket, plus 'open' (not
        closed) and 'escalated' (open and under supervision): the unit's own work, those it is
        responsible for. What waits for its acceptance is 'to-accept', and what it only supports
        'support-open' and 'support-overdue', apart: a unit is not to blame for another's delay."""
        counter: Counter = Counter()
        for entry in entries:
            if isinstance(entry, UnitEntry) and entry.role == "acceptance":
                counter["to-accept"] += 1
                continue
            if isinstance(entry, UnitEntry) and entry.role == "support":
                bucket = self.entry_bucket(entry)
                counter["support-open"] += bucket not in ("closed", "to-accept")
                counter["support-overdue"] += bucket == "overdue"
                continue
            counter[self.entry_bucket(entry)] += 1
            counter["escalated"] += self.entry_state(entry).escalated
        counter["open"] = sum(counter[name] for name in BUCKETS if name not in ("closed", "to-accept", "support"))
        return counter

    def oldest_overdue(self, entries) -> dt.date | None:
        """The deadline in force of the longest overdue directive the unit is responsible for."""
        deadlines = [self.entry_state(e).deadline for e in entries
                     if e.role in ("responsible", "") and self.entry_bucket(e) == "overdue"]
        return min(deadlines, default=None)

    def coming_deadlines(self, entries) -> dict[str, int]:
        """How many open directives (not awaiting acceptance) fall due on each day from the
        as-of date on: what a page's script needs to recount its buckets on a later day
        (what is overdue at the as-of date stays overdue). A phase not begun by then is keyed
        `deadline@start`: it is 'later' until its start (State.bucket), and live.js says so too."""
        days: Counter = Counter()
        for entry in entries:
            if isinstance(entry, UnitEntry) and entry.role in ("acceptance", "support"):  # not counted: see counts
                continue
            if self.entry_bucket(entry) in ("due-soon", "upcoming", "later"):
                state = self.entry_state(entry)
                key = state.deadline.isoformat()
                days[key if state.started(self.as_of) else f"{key}@{state.starts.isoformat()}"] += 1
        return dict(sorted(days.items()))

    def rates(self, entries) -> Rates:
        """Rates of the directives a unit is responsible for (or of any directives), at the as-of date:
        each directive by the unit's own share of it."""
        chosen = (entry for entry in entries if not isinstance(entry, UnitEntry) or entry.role in ("responsible", ""))
        return rates_of((((entry.directive if isinstance(entry, UnitEntry) else entry).grade is not None,
                          self.entry_state(entry)) for entry in chosen), self.as_of)

    def escalated(self) -> list[Directive]:
        """Open directives under supervision (督办), most urgent first: shown everywhere until closed."""
        return sorted((d for d in self.directives if self.states[d.id].escalated), key=self._deadline_order)

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

