"""A directive's current state: its own options, updated by its follow-ups in date order.

The one place that says what a directive is at an as-of date. The catalog keeps a `State`
per directive, and every page, card, count, export and command reads it. The same replay
checks the follow-ups across files (`follow_up_problems`), so that the rules a build relies
on are the rules `bulletins check` reports.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .recurrence import Recurrence
from .model import (ALL_UNITS, CLOSED_STATUSES, GRADES_ACCEPTED, STATUSES, Directive, DueWindows, Escalation, FollowUp,
                    Problem, errors_in, is_immediate)


@dataclass(frozen=True)
class Issued:
    """A directive as its bulletin issued it: what replaying its follow-ups starts from.
    Small and without its bulletin, so that checks across files can run in other processes."""

    id: str
    title: str
    source: Path
    rel_path: str
    line: int
    date: dt.date  # the bulletin's
    draft: bool
    status: str
    deadline: dt.date | None
    grade: str | None
    issuer: str | None  # the unit to accept the work unless a follow-up names another: the directive's
    #                     `accepting_unit` (验收单位), else the issuing unit
    deadline_written: str = ""  # as the document writes it when not a date (10月底前, 立即)
    immediately_days: int = DueWindows.immediately  # the site's 立即: so many days from the date it is written
    units: tuple[str, ...] = ()  # the responsible units, `all` expanded: each has a share (Directive.responsible)
    recurrence: Recurrence | None = None  # a recurring duty: `deadline` is its first occurrence
    until: dt.date | None = None  # a recurring duty's last day
    stages: tuple[tuple[str, dt.date], ...] = ()  # milestones (name, deadline), by deadline
    starts: dt.date | None = None  # a phase's first day (`from:`)

    @classmethod
    def of(cls, directive: Directive, windows: DueWindows = DueWindows()) -> Issued:
        b = directive.bulletin
        deadline = directive.deadline
        if is_immediate(directive.deadline_written):  # the validator counted the default days; the site's here
            deadline = immediately(b.date, windows.immediately)
        units = directive.responsible or tuple(u for u in directive.units if u != ALL_UNITS)
        return cls(directive.id, directive.title, b.source, b.rel_path, directive.line, b.date, b.draft,
                   directive.status, deadline, directive.grade, directive.accepting_unit or b.issuer,
                   directive.deadline_written,
                   windows.immediately, units, directive.recurrence, directive.until, directive.stages,
                   directive.starts)


def immediately(day: dt.date, days: int) -> dt.date:
    """The deadline of 立即 written on `day`: `days` later (the last date there is, at the calendar's end)."""
    return day + dt.timedelta(days=days) if (dt.date.max - day).days >= days else dt.date.max


@dataclass(frozen=True)
class Change:
    """What one follow-up changed, as the directive's history shows it."""

    follow_up: FollowUp
    status: tuple[str, str] | None = None  # (before, after)
    deadline: tuple[dt.date | None, dt.date] | None = None  # (before, after)
    accepted_by: str = ""
    escalate: bool | None = None  # set (True) or lifted (False)
    reopen: str = ""
    retroactive: bool = False  # the deadline was extended after it had passed
    period: str = ""  # the occurrence of a recurring duty whose status changed (its own, not the directive's)
    stage: str = ""  # the milestone whose status changed
    escalation: Escalation = Escalation()  # 挂牌督办's level, body and number, set or changed
    closed_off: bool = False  # 销号: taken off the ledger


@dataclass(frozen=True)
class State:
    status: str
    deadline: dt.date | None  # the deadline in force
    original_deadline: dt.date | None
    issued: dt.date
    since: dt.date  # when the current status began
    escalated: bool = False
    # who accepted the work (done) or is named to accept it (awaiting acceptance); "" otherwise:
    # a reopened directive's earlier acceptance is history (its Change), not its state
    accepted_by: str = ""
    acceptor: str | None = None  # the unit that is to accept it, while it awaits acceptance
    closed_on: dt.date | None = None
    on_time: bool | None = None  # done by the deadline in force then; None unless done
    history: tuple[Change, ...] = ()
    deadline_written: str = ""  # the deadline in force as the document writes it, when not a date
    # A deadline that had passed when a follow-up extended it (retroactively): the work was late
    # then, so it is never done on time afterwards; None when no extension came late
    missed: dt.date | None = None
    # A recurring duty (每月5日前): its rule, last day, the occurrences reported by period
    # (2026-11: done...), and at the as-of date the missed ones and the next one
    recurrence: Recurrence | None = None
    until: dt.date | None = None
    periods: tuple[tuple[str, str], ...] = ()
    missed_periods: tuple[tuple[str, dt.date], ...] = ()
    next_deadline: dt.date | None = None
    # Milestones: (name, deadline, the day it was reported done or None), and a phase's first day
    stages: tuple[tuple[str, dt.date, dt.date | None], ...] = ()
    starts: dt.date | None = None
    # 挂牌督办 while escalated: its level, supervising body and number as written (empty: not given)
    escalation: Escalation = Escalation()
    # Acceptance (验收) and closing off the ledger (销号) are events of their own, each on its day:
    # the day the work was accepted (done with `accepted_by`), and the day it was closed off
    accepted_on: dt.date | None = None
    closed_off_on: dt.date | None = None

    def started(self, as_of: dt.date) -> bool:
        return self.starts is None or as_of >= self.starts

    @property
    def urgent(self) -> bool:
        """立即 / immediately, still to be done."""
        return is_immediate(self.deadline_written) and not self.closed

    @property
    def standing(self) -> bool:
        """A standing order (长期坚持, ongoing): in force, with no deadline."""
        return self.deadline is None and not self.closed

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def extended(self) -> bool:
        return self.recurrence is None and not self.stages and self.deadline != self.original_deadline

    def bucket(self, as_of: dt.date, windows: DueWindows = DueWindows()) -> str:
        if self.closed:
            return "closed"
        if self.status == "awaiting-acceptance":  # out of the unit's hands: not overdue against it
            return "awaiting-acceptance"
        if self.deadline is None:
            return "ongoing"
        if not self.started(as_of):  # a phase not yet begun: never overdue, not yet due
            return "later"
        days_left = (self.deadline - as_of).days
        if days_left < 0:
            return "overdue"
        if days_left <= windows.due_soon:
            return "due-soon"
        if days_left <= windows.upcoming:
            return "upcoming"
        return "later"

    def days_overdue(self, as_of: dt.date) -> int:
        """Days past the deadline in force (0 when not overdue)."""
        if self.bucket(as_of) != "overdue":
            return 0
        return (as_of - self.deadline).days

    def days_waiting(self, as_of: dt.date) -> int:
        """Days it has waited for acceptance (0 when it does not)."""
        return max(0, (as_of - self.since).days) if self.status == "awaiting-acceptance" else 0


def in_order(follow_ups: Iterable[FollowUp]) -> list[FollowUp]:
    """Date order; on one day, the order of the files, then of the follow-ups within a file."""
    return sorted(follow_ups, key=lambda f: (f.date, f.rel_path, f.order))


def replay(issued: Issued, follow_ups: Iterable[FollowUp], as_of: dt.date | None = None) -> tuple[State, list[Problem]]:
    """The directive's state after its follow-ups dated up to `as_of` (all, without one),
    and what is wrong with them. A follow-up that breaks a rule changes nothing."""
    status, deadline, escalated = issued.status, issued.deadline, False
    written, missed = issued.deadline_written, None
    since = issued.date
    accepted_by, acceptor, on_time = "", issued.issuer, None
    closed_on = issued.date if status in CLOSED_STATUSES else None
    if status == "done":
        on_time = deadline is None or issued.date <= deadline
    history: list[Change] = []
    problems: list[Problem] = []
    periods: dict[str, str] = {}
    late_periods: set[str] = set()  # occurrences reported done after their deadline
    reported_on: dt.date | None = None  # the last report of an occurrence done
    stages_status: dict[str, str] = {}
    stages_done: dict[str, dt.date | None] = {}
    escalation, accepted_on, closed_off_on = Escalation(), None, None
    for f in in_order(follow_ups):
        if as_of is not None and f.date > as_of:
            break
        # every stage done, the directive is (_staged): 销号 may follow
        closing_status = "done" if issued.stages and status not in CLOSED_STATUSES and all(
            stages_done.get(name) for name, _ in issued.stages) else status
        problem = _broken_rule(issued, f, status) or _broken_closing(issued, f, closing_status, closed_off_on) or _broken_stage(issued, f) or _moves_a_stage(issued, f) or (None if f.stage else _broken_period(issued, f))
        if problem:
            problems.append(problem)
            continue
        if f.stage:  # one milestone: the directive is done when every one is
            if f.status and f.status != stages_status.get(f.stage, "open"):
                history.append(Change(f, status=(stages_status.get(f.stage, "open"), f.status), stage=f.stage))
                stages_status[f.stage] = f.status
                stages_done[f.stage] = f.date if f.status == "done" else None
            else:
                history.append(Change(f, stage=f.stage))
            continue
        if f.period:  # one occurrence of a recurring duty: the duty itself stays as it is
            before = periods.get(f.period, "open")
            if f.status and f.status != before:
                periods[f.period] = f.status
                if f.status == "done" and issued.recurrence is not None:  # reported after its deadline: late
                    late_periods.add(f.period) if f.date > issued.recurrence.occurrence(f.period) else late_periods.discard(f.period)
                    reported_on = max(reported_on or f.date, f.date)
                history.append(Change(f, status=(before, f.status), period=f.period))
            else:
                history.append(Change(f, period=f.period))
            continue
        new_deadline = f.deadline
        if new_deadline is not None and is_immediate(f.deadline_written):
            new_deadline = immediately(f.date, issued.immediately_days)
        change = Change(f, accepted_by=f.accepted_by, reopen=f.reopen)
        if f.reopen:
            missed = None  # reopened work is supervised afresh
        if (new_deadline is not None and deadline is not None and deadline < f.date and new_deadline > deadline
                and status not in CLOSED_STATUSES):
            # Extended after it had passed: supervision (督办) counts the work late whatever follows
            missed = missed or deadline
            problems.append(_retroactive(issued, f, deadline))
            change = _with(change, retroactive=True)
        new_status = f.status or ("in-progress" if f.reopen else status)
        if new_status != status:
            change = _with(change, status=(status, new_status))
            status, since = new_status, f.date
            if status in CLOSED_STATUSES:  # closing ends the supervision too: a reopened one starts afresh
                closed_on, escalated, escalation = f.date, False, Escalation()
            else:
                closed_on, on_time, closed_off_on = None, None, None
        if status not in ("awaiting-acceptance", "done"):
            accepted_by = ""  # reopened or sent back: whoever accepted the earlier work has not accepted what comes
            accepted_on = None
        if new_deadline is not None and new_deadline != deadline:
            change = _with(change, deadline=(deadline, new_deadline))
            deadline, written = new_deadline, f.deadline_written
        if f.escalate is not None and f.escalate != escalated:
            change = _with(change, escalate=f.escalate, escalation=f.escalation)
            escalated, escalation = f.escalate, f.escalation if f.escalate else Escalation()
        elif f.escalate and f.escalation and f.escalation != escalation:  # raised (集团级 → 省级), or its number given
            change = _with(change, escalate=True, escalation=f.escalation)
            escalation = f.escalation
        if f.accepted_by:
            accepted_by = f.accepted_by
            acceptor = f.accepted_by if f.accepted_by_unit else acceptor
        if status == "done" and accepted_by and (f.accepted_by or change.status):
            accepted_on = f.date  # accepted (验收) on the day the follow-up says so
        if f.closed_off:
            change = _with(change, closed_off=True)
            closed_off_on = f.date
        if status == "done" and change.status:
            on_time = missed is None and (deadline is None or f.date <= deadline)
        history.append(change)
    state = State(status, deadline, issued.deadline, issued.date, since, escalated and status not in CLOSED_STATUSES,
                  accepted_by if status in ("awaiting-acceptance", "done") else "", acceptor if status == "awaiting-acceptance" else None, closed_on,
                  on_time if status == "done" else None, tuple(history), written, missed,
                  escalation=escalation if escalated and status not in CLOSED_STATUSES else Escalation(),
                  accepted_on=accepted_on if status == "done" else None,
                  closed_off_on=closed_off_on if status == "done" else None)
    if issued.stages and status not in CLOSED_STATUSES:  # closed off once its stages were all done
        state = _with_state(state, closed_off_on=closed_off_on)
    if issued.recurrence is not None:
        state = _recurring(state, issued, periods, as_of, bool(late_periods), reported_on)
    if issued.stages or issued.starts:
        state = _staged(state, issued, stages_done)
    return state, problems


def _staged(state: State, issued: Issued, done: dict[str, dt.date | None]) -> State:
    """Milestones: the deadline in force is the first open stage's; every stage done, the directive is."""
    stages = tuple((name, due, done.get(name)) for name, due in issued.stages)
    values = dict(stages=stages, starts=issued.starts)
    open_stages = [due for _, due, on in stages if on is None]
    if state.closed or not stages:
        return _with_state(state, **values)
    if open_stages:
        return _with_state(state, deadline=open_stages[0], closed_off_on=None, **values)
    last = max(on for _, _, on in stages)
    return _with_state(state, status="done", since=last, closed_on=last,
                       on_time=all(on <= due for _, due, on in stages), **values)


# Occurrences followed at most: a weekly duty over a century (a hostile date cannot make a build loop)
_MOST_OCCURRENCES = 6000


def _recurring(state: State, issued: Issued, periods: dict[str, str], as_of: dt.date | None,
               late: bool = False, reported_on: dt.date | None = None) -> State:
    """A recurring duty at `as_of`: its missed occurrences (due before, not reported done) and the
    next one; the deadline in force is the first missed one (overdue since), else the next one.
    When its `until` has passed with every occurrence done, the duty is done."""
    rule, first = issued.recurrence, issued.deadline
    values = dict(recurrence=rule, until=issued.until, periods=tuple(sorted(periods.items())))
    if as_of is None or first is None:
        return _with_state(state, **values)
    end = issued.until or dt.date.max
    if state.closed_on is not None:  # cancelled: no occurrence falls due after
        end = min(end, state.closed_on)
    missed, upcoming, last = [], None, None
    occurrence = first
    for _ in range(_MOST_OCCURRENCES):
        if occurrence is None or occurrence > end:
            break
        period = rule.period(occurrence)
        if periods.get(period) not in ("done", "awaiting-acceptance"):  # awaiting acceptance: out of the unit's hands
            if occurrence < as_of:
                missed.append((period, occurrence))
            else:
                upcoming = occurrence
                break
        last = occurrence
        occurrence = rule.after(occurrence)
    values.update(missed_periods=tuple(missed), next_deadline=upcoming)
    if state.closed:
        return _with_state(state, **values)
    if missed or upcoming:
        return _with_state(state, deadline=missed[0][1] if missed else upcoming, **values)
    if issued.until is None:  # beyond the occurrences followed: as issued
        return _with_state(state, **values)
    # every occurrence up to `until` done: the duty is done (on the day of its last report, never
    # after the as-of date), on time unless an occurrence was reported after its deadline
    closed_on = min(reported_on or issued.until, as_of)
    return _with_state(state, status="done", deadline=last or first, closed_on=closed_on, on_time=not late,
                       since=closed_on, **values)


def _with_state(state: State, **values) -> State:
    return State(**{**state.__dict__, **values})


def _broken_closing(issued: Issued, f: FollowUp, status: str, closed_off_on: dt.date | None) -> Problem | None:
    """销号 closes off done work (accepted, for a graded hidden danger: `done` needs it), once."""
    if not f.closed_off:
        return None
    after = f.status or ("in-progress" if f.reopen else status)
    if f.period or f.stage:
        return Problem(f.source, f.line, "'closed_off' closes off the whole directive, not one "
                       + ("period" if f.period else "stage"),
                       "Report the period or stage in a follow-up of its own; close off the directive (销号) "
                       "once it is done.")
    if after != "done":
        return Problem(f.source, f.line, f"directive '{issued.id}' is {after}: only done work is closed off (销号)",
                       "销号 comes after the work is done and accepted (验收): add '    status: done' (with "
                       "'    accepted_by: ...'), or record the 销号 in a later follow-up.")
    if closed_off_on is not None and not f.reopen:
        return Problem(f.source, f.line, f"directive '{issued.id}' was already closed off (销号) on "
                       f"{closed_off_on.isoformat()}", "Remove 'closed_off:': a directive is closed off once.")
    return None


def _broken_stage(issued: Issued, f: FollowUp) -> Problem | None:
    """`stage:` names a milestone of its directive, and reports its status only."""
    if not f.stage:
        return None
    line = f.stage_line or f.line
    names = [name for name, _ in issued.stages]
    if not names:
        return Problem(f.source, line, f"'stage': directive '{issued.id}' has no stages",
                       "Remove 'stage:', or give the directive its milestones with 'stages:'.")
    if f.stage not in names:
        close = difflib.get_close_matches(f.stage, names, n=1, cutoff=0.5)
        return Problem(f.source, line, f"'stage': directive '{issued.id}' has no stage '{f.stage}'",
                       (f"Did you mean '{close[0]}'? " if close else "") + f"Its stages: {', '.join(names)}.")
    if f.deadline is not None or f.reopen or f.period:
        return Problem(f.source, line, "a follow-up of one stage reports its status only",
                       "Remove 'deadline:', 'reopen:' and 'period:' from it.")
    return None


def _moves_a_stage(issued: Issued, f: FollowUp) -> Problem | None:
    """A new deadline for a directive with stages: the stages' deadlines are in force, not its own."""
    if issued.stages and not f.stage and f.deadline is not None:
        return Problem(f.source, f.line, f"directive '{issued.id}' has stages: its deadline in force is the next "
                       "stage's, and a follow-up cannot move it",
                       "Report a stage with '    stage: <name>'; to change the stages, cancel the directive and "
                       "issue a new one.")
    return None


def _broken_period(issued: Issued, f: FollowUp) -> Problem | None:
    """`period:` names an occurrence of a recurring duty; a recurring duty's deadlines follow its rule."""
    rule = issued.recurrence
    line = f.period_line or f.line
    if f.period and rule is None:
        return Problem(f.source, line, f"'period': directive '{issued.id}' does not recur (its deadline is "
                       f"{issued.deadline_written or (issued.deadline.isoformat() if issued.deadline else 'ongoing')})",
                       "Remove 'period:': it names one occurrence of a recurring duty (每月5日前, 每季度末).")
    if rule is None:
        return None
    if f.period:
        try:
            due = rule.occurrence(f.period)
        except ValueError as exc:
            return Problem(f.source, line, f"'period': {exc}",
                           f"Name the occurrence by its deadline's period, e.g. '    period: {rule.period(issued.deadline)}'.")
        if due < issued.deadline or (issued.until is not None and due > issued.until):
            span = f"from {issued.deadline.isoformat()}" + (f" to {issued.until.isoformat()}" if issued.until else "")
            return Problem(f.source, line, f"'period': {f.period} (due {due.isoformat()}) is not an occurrence of "
                           f"directive '{issued.id}', which runs {span}",
                           f"Name an occurrence it has, e.g. '    period: {rule.period(issued.deadline)}'.")
        if f.deadline is not None or f.reopen:
            return Problem(f.source, line, "a follow-up of one period reports its status only",
                           "Remove 'deadline:' and 'reopen:' from it: an occurrence's deadline follows the rule.")
        return None
    if f.deadline is not None:
        return Problem(f.source, f.line, f"directive '{issued.id}' recurs ({issued.deadline_written}): its deadlines "
                       "follow its rule, and a follow-up cannot move them",
                       "Report an occurrence with '    period: ...'; to change the rule, cancel the directive and "
                       "issue a new one.")
    if f.status in ("done", "awaiting-acceptance"):
        return Problem(f.source, f.line, f"directive '{issued.id}' recurs ({issued.deadline_written}): it is done "
                       "period by period, and the follow-up does not say which",
                       f"Add '    period: {rule.period(issued.deadline)}' (the occurrence it reports), or "
                       "'    status: cancelled' to end the duty.")
    return None


def _retroactive(issued: Issued, f: FollowUp, passed: dt.date) -> Problem:
    """A warning: the extension stands, but the directive stays late (its on-time closure is lost)."""
    return Problem(f.source, f.line, f"retroactive extension: directive '{issued.id}' was already overdue on "
                   f"{f.date.isoformat()} (its deadline {passed.isoformat()} had passed); the new deadline counts "
                   "from now on, but the directive is no longer on time, whenever it is done",
                   "Extensions are granted before the deadline (延期须在期限届满前申请); if it was granted in time, "
                   "give the day it was granted with '    date: YYYY-MM-DD'.", severity="warning")


def share_groups(issued: Issued, follow_ups: Iterable[FollowUp]) -> list[tuple[tuple[str, ...], list[FollowUp]]]:
    """The directive's shares, grouped by the follow-ups that apply to them: (units, follow-ups),
    units in the directive's order. A follow-up applies to the units it names (`units:`), or to
    every unit without. Shares that get the same follow-ups are one group, replayed once: a
    directive whose follow-ups name no unit is one group, as a directive to one unit is."""
    follow_ups = list(follow_ups)
    if not any(f.units for f in follow_ups):
        return [(issued.units, follow_ups)]
    groups: dict[tuple[int, ...], list[str]] = {}
    for unit in issued.units:
        chosen = tuple(i for i, f in enumerate(follow_ups) if not f.units or unit in f.units)
        groups.setdefault(chosen, []).append(unit)
    return [(tuple(units), [follow_ups[i] for i in chosen]) for chosen, units in groups.items()]


def replay_shares(issued: Issued, follow_ups: Iterable[FollowUp],
                  as_of: dt.date | None = None) -> list[tuple[tuple[str, ...], State]]:
    """Each group of shares (`share_groups`) with its state at `as_of`: one replay per group."""
    return [(units, replay(issued, chosen, as_of)[0]) for units, chosen in share_groups(issued, follow_ups)]


def derived(shares: list[State]) -> State:
    """The directive's own state from its shares' states: closed when every share is (done if any
    share is done, else cancelled), else the least advanced open status (in progress once any share
    has moved on); the deadline in force is the earliest of the open shares' that are still in the
    units' hands (overdue while any share is); escalated while any share is; on time only if every
    done share was, and once closed its deadline reads as that (`_closed_deadline`); a stage is
    done when every share has done it; its history is every share's, each follow-up once, in date
    order. Every group-wide figure (the register, the whole group's rates, the dashboard) reads it."""
    if len(shares) == 1:
        return shares[0]
    first = shares[0]
    open_shares = [s for s in shares if not s.closed]
    if not open_shares:
        status = "done" if any(s.status == "done" for s in shares) else "cancelled"
        last = max(shares, key=lambda s: s.closed_on or first.issued)
        deadline, since, closed_on = _closed_deadline(shares, last), last.closed_on or first.issued, last.closed_on
    else:
        status = min((s.status for s in open_shares), key=STATUSES.index)
        if status == "open" and any(s.status != "open" for s in shares):
            status = "in-progress"
        in_hand = [s for s in open_shares if s.status != "awaiting-acceptance"] or open_shares
        deadline = min((s.deadline for s in in_hand if s.deadline is not None), default=None)
        since, closed_on = max(s.since for s in open_shares), None
    done = [s for s in shares if s.status == "done"]
    accepted = {s.accepted_by for s in shares if s.accepted_by}
    acceptors = {s.acceptor for s in open_shares if s.acceptor}
    history: dict[tuple[str, int], Change] = {}
    for s in shares:
        for change in s.history:
            history.setdefault((change.follow_up.rel_path, change.follow_up.order), change)
    ordered = tuple(history[key] for key in sorted(
        history, key=lambda key: (history[key].follow_up.date, key[0], key[1])))
    in_force = next((s for s in (open_shares or shares) if s.deadline == deadline), first)
    closed_off = [s.closed_off_on for s in done]
    accepted_on = [s.accepted_on for s in done]
    return State(status, deadline, first.original_deadline, first.issued, since,
                 escalated=any(s.escalated for s in shares),
                 accepted_by=accepted.pop() if len(accepted) == 1 and status in ("awaiting-acceptance", "done") else "",
                 acceptor=acceptors.pop() if len(acceptors) == 1 and status == "awaiting-acceptance" else None,
                 closed_on=closed_on, on_time=all(s.on_time for s in done) if status == "done" else None,
                 history=ordered, deadline_written=in_force.deadline_written,
                 missed=min((s.missed for s in shares if s.missed), default=None),
                 # what the directive is (its rule, stages, start) is every share's; its occurrences at
                 # the as-of date are those of the share in force
                 recurrence=first.recurrence, until=first.until, periods=in_force.periods,
                 missed_periods=in_force.missed_periods, next_deadline=in_force.next_deadline,
                 stages=_group_stages(shares, in_force), starts=first.starts,
                 escalation=next((s.escalation for s in shares if s.escalated and s.escalation), Escalation()),
                 # accepted, and closed off, when every done share is: on the last of their days
                 accepted_on=max(accepted_on) if status == "done" and all(accepted_on) else None,
                 closed_off_on=max(closed_off) if status == "done" and all(closed_off) else None)


def _closed_deadline(shares: list[State], last: State) -> dt.date | None:
    """The deadline of a directive every share of which is closed, so that it reads as its
    timeliness does (on time only if every done share was): a share's that was missed (the
    earliest such), else the latest any unit was held to (each met it). Cancelled: the last's."""
    done = [s for s in shares if s.status == "done"]
    if not done:
        return last.deadline
    late = [s for s in done if not s.on_time and s.deadline is not None]
    if late:
        return min(s.deadline for s in late)
    return max((s.deadline for s in done if s.deadline is not None), default=None)


def _group_stages(shares: list[State], in_force: State) -> tuple[tuple[str, dt.date, dt.date | None], ...]:
    """Milestones as the directive stands: a stage is done when every share not cancelled has
    done it (on the last such day), not when the share in force happens to have."""
    counted = [s for s in shares if s.status != "cancelled" and s.stages] or [in_force]
    stages = []
    for i, (name, due, _) in enumerate(in_force.stages):
        days = [s.stages[i][2] for s in counted if len(s.stages) > i]
        stages.append((name, due, max(days) if days and all(days) else None))
    return tuple(stages)


def _with(change: Change, **values) -> Change:
    return Change(**{**change.__dict__, **values})


def _broken_rule(issued: Issued, f: FollowUp, status: str) -> Problem | None:
    closed = status in CLOSED_STATUSES
    if f.bulletin_date is not None and f.bulletin_date < issued.date:
        return Problem(f.source, f.line, f"the follow-up is in a bulletin of {f.bulletin_date.isoformat()}, before "
                       f"directive '{issued.id}' was issued ({issued.date.isoformat()}, {issued.rel_path})",
                       "A follow-up reports on an earlier directive: check the id it names, or move it to a "
                       f"bulletin dated {issued.date.isoformat()} or later.")
    if f.date < issued.date:
        return Problem(f.source, f.line, f"the follow-up is dated {f.date.isoformat()}, before directive "
                       f"'{issued.id}' was issued ({issued.date.isoformat()}, {issued.rel_path})",
                       "Check the follow-up's 'date:' (default: its bulletin's date) and the directive it names.")
    if closed and f.changes_anything and not f.reopen and not _only_closes_off(f, status):
        return Problem(f.source, f.line, f"directive '{issued.id}' is already {status} by {f.date.isoformat()}: "
                       "a follow-up cannot change it",
                       "If the work must be taken up again, say why with '    reopen: <reason>'; "
                       "to only report on it, leave out status, deadline, accepted_by and escalate.")
    if f.reopen and not closed:
        return Problem(f.source, f.line, f"directive '{issued.id}' is {status}, not done or cancelled: "
                       "there is nothing to reopen", "Remove 'reopen:'.")
    if f.status in CLOSED_STATUSES and f.reopen:
        return Problem(f.source, f.line, "a follow-up cannot reopen a directive and close it at once",
                       "Give the status the reopened work has, e.g. '    status: in-progress'.")
    if f.status == "done" and issued.grade in GRADES_ACCEPTED and not f.accepted_by and not (
            closed and _only_closes_off(f, status)):  # accepted already: 已销号 only closes it off
        return Problem(f.source, f.line, f"directive '{issued.id}' is a {issued.grade} hidden danger: it is done only "
                       "after acceptance (验收), and the follow-up does not say who accepted it",
                       "Add '    accepted_by: <unit id or person>' (e.g. safety-env), or set "
                       "'    status: awaiting-acceptance' until the acceptance is made.")
    return None


def _only_closes_off(f: FollowUp, status: str) -> bool:
    """A 销号 that says the status the directive has already (`status: 已销号` on done work): it
    changes nothing but the ledger, so a closed directive takes it without `reopen:`."""
    return (f.closed_off and f.status in (None, status) and f.deadline is None and not f.accepted_by
            and f.escalate is None)


def follow_up_problems(directives: list[Issued], follow_ups: list[tuple[FollowUp, bool]],
                       left_out: dict[str, str] | None = None, kept: tuple[dict, dict] | None = None) -> list[Problem]:
    """Follow-ups checked against the directives of every file: `follow_ups` with whether each is
    in a draft (a draft's follow-ups count nowhere, but must still name a directive). `left_out`:
    the bulletins (by rel_path) that the build being checked leaves out, and why (embargoed,
    classified above its audience): a follow-up that is valid only after one of theirs would
    change nothing in that build, silently (see `_valid_only_with`). `kept`: (the last call's, this call's)
    replays of each directive's follow-ups, by the objects (the preview's: sources/project.py FileChecks)."""
    by_id = {d.id.casefold(): d for d in directives}
    titles = _TitleIndex(directives)
    problems: list[Problem] = []
    applied: dict[str, list[FollowUp]] = defaultdict(list)
    for f, draft in follow_ups:
        target = by_id.get(f.directive_id.casefold())
        if target is None:
            meant = titles.best_named_by(f.title, f.directive_id) or _closest_ids(f.directive_id, directives)
            problems.append(Problem(
                f.source, f.line, f"the follow-up names directive '{f.directive_id}', which no bulletin issues",
                (f"Did you mean {_described(meant[0])}? " if meant else "")
                + "Write the id shown on the directive's card (its anchor, #id, on the bulletin's page)."))
            continue
        wrong = titles.wrong_title(f, target)
        if wrong is not None:
            problems.append(wrong)
        if target.draft and not draft:
            problems.append(Problem(
                f.source, f.line, f"the follow-up names directive '{target.id}', which is only in a draft "
                f"({target.rel_path}) and will not be published",
                "Publish the directive's bulletin first (remove its 'draft: true'), or make this bulletin a draft too."))
        elif not draft and not target.draft:
            applied[target.id].append(f)
    for directive_id, chosen in applied.items():
        issued = by_id[directive_id.casefold()]
        problems += _foreign_units(issued, chosen)
        found = _share_problems(issued, chosen) if kept is None else _kept_share_problems(issued, chosen, *kept)
        problems += found
        if left_out and not errors_in(found) and any(f.rel_path in left_out for f in chosen):
            problems += _valid_only_with(issued, chosen, left_out)
    return problems


def _foreign_units(issued: Issued, follow_ups: list[FollowUp]) -> list[Problem]:
    """Follow-ups that name a unit the directive was not addressed to: there is no share of it."""
    problems = []
    for f in follow_ups:
        foreign = [u for u in f.units if u not in issued.units]
        if foreign:
            problems.append(Problem(
                f.source, f.line, f"the follow-up reports for {_units_text(foreign)}, which directive '{issued.id}' "
                f"is not addressed to", f"Its responsible units are: {', '.join(issued.units) or '(none)'}. "
                "Name some of them in '    units: [...]', or leave 'units:' out to report for every one."))
    return problems


def _units_text(units) -> str:
    return ("unit " if len(units) == 1 else "units ") + ", ".join(f"'{u}'" for u in units)


def _kept_share_problems(issued: Issued, follow_ups: list[FollowUp], last: dict, now: dict) -> list[Problem]:
    """_share_problems, the last call's for the same objects (held in `now`: their ids are not reused)."""
    key = (id(issued), *map(id, follow_ups))
    found = last.get(key)
    if found is None:
        found = (issued, tuple(follow_ups), tuple(_share_problems(issued, follow_ups)))
    now[key] = found
    return list(found[2])


def _share_problems(issued: Issued, follow_ups: list[FollowUp]) -> list[Problem]:
    """What is wrong with the follow-ups, replayed share by share (once per group of shares that
    get the same follow-ups): a follow-up that breaks a rule for some shares is reported once, at
    its line, naming those units when the directive's shares differ."""
    groups = share_groups(issued, follow_ups)
    if len(groups) == 1:
        return replay(issued, groups[0][1])[1]
    found: dict[tuple, list[str]] = {}
    for units, chosen in groups:
        for problem in replay(issued, chosen)[1]:
            key = (problem.path, problem.line, problem.message, problem.hint, problem.severity)
            found.setdefault(key, []).extend(units)
    unnamed = {(f.source, f.line) for f in follow_ups if not f.units}
    return [Problem(path, line, f"for {_units_text(units)}: {message}",
                    _others_hint(issued, units, hint) if (path, line) in unnamed else hint, severity)
            for (path, line, message, hint, severity), units in found.items()]


def _others_hint(issued: Issued, units: list[str], hint: str) -> str:
    """A follow-up without `units:` reports for every unit: when it breaks a rule for some (a
    share already done), it most likely meant the others. Say which, and how to name them."""
    others = [u for u in issued.units if u not in units]
    if not others:
        return hint
    return (f"Without 'units:' the follow-up reports for every unit; to report for the others only "
            f"({', '.join(others)}), write '    units: [{', '.join(others)}]'. " + hint)


def _valid_only_with(issued: Issued, follow_ups: list[FollowUp], left_out: dict[str, str]) -> list[Problem]:
    """The follow-ups that break a rule once those of the left-out bulletins are gone: the
    build would drop them (an escalation, a new deadline lost) without a word."""
    kept = [f for f in follow_ups if f.rel_path not in left_out]
    problems = []
    for problem in errors_in(_share_problems(issued, kept)):
        f = next(f for f in kept if (f.source, f.line) == (problem.path, problem.line))
        before = [g for g in in_order(follow_ups) if g.rel_path in left_out and (g.date, g.rel_path, g.order)
                  <= (f.date, f.rel_path, f.order)]
        hidden = before[-1] if before else next(g for g in follow_ups if g.rel_path in left_out)
        problems.append(Problem(
            f.source, f.line, f"the follow-up counts only after the one at {hidden.rel_path}:{hidden.line}, which "
            f"this site's build leaves out ({left_out[hidden.rel_path]}): without it, {problem.message}",
            "The build would drop this follow-up without a word. Report the earlier change in a bulletin the "
            "site shows, or give this bulletin the same classification or 'publish:' date as the other."))
    return problems


# A follow-up's title against the directives' titles. A follow-up changes the directive its id
# names: a mistyped or copied id silently changes another unit's directive, and the title is
# what shows the mistake. Titles of follow-ups are headlines of progress ("Edge protection at
# Block 3 accepted" for "Install edge protection ... at Block 3"; 延期, 已报送), so a title need
# not repeat its directive's; it is an error when it names another directive instead: it holds
# nearly all of another directive's title (after NFKC, so full- and half-width alike, and
# ignoring case, spaces and punctuation) and clearly less of its own.
_NAMES_ANOTHER = 0.75  # the share of another directive's title terms the follow-up's title holds
_CLEARLY_LESS = 3  # ... at least this many times the share it holds of its own directive's
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Chinese characters: compared two by two
_CJK = re.compile(f"[{_HAN}]+")
_STOP_WORDS = frozenset("a an and are as at be by for from in is it its of on or the to with".split())


def title_terms(title: str) -> frozenset[str]:
    """What a title is compared by: its English words (a crude stem: 'replaced', 'replace' and
    'replaces' alike; no stop words), its numbers, and the pairs of adjacent Chinese characters."""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = re.sub(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])", "", text)  # 冬季 施工: no word break
    terms = set()
    for run in re.findall(r"[^\W_]+", text):
        for part in re.findall(rf"[{_HAN}]+|[^{_HAN}]+", run):
            if _CJK.fullmatch(part):
                terms.update(part[i:i + 2] for i in range(max(len(part) - 1, 1)))
            elif part not in _STOP_WORDS:
                terms.add(_stem(part))
    return frozenset(terms)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _share(held: frozenset[str], terms: frozenset[str]) -> float:
    return len(held & terms) / len(terms) if terms else 0.0


class _TitleIndex:
    """The directives by the terms of their titles, to find those a follow-up's title names.
    Each distinct title is indexed under its rarest terms only, as many as a title naming it
    may miss plus one (a prefix filter): a lookup reads short lists, even at 10,000 directives."""

    def __init__(self, directives: list[Issued]) -> None:
        self.directives = directives
        self._terms: dict[str, frozenset[str]] = {}
        self._named: dict[str, list[tuple[float, list[Issued]]]] = {}
        self._by_term: dict[str, list[frozenset[str]]] | None = None  # built on first need
        self._titled: dict[frozenset[str], list[Issued]] = defaultdict(list)

    def terms(self, title: str) -> frozenset[str]:
        if title not in self._terms:
            self._terms[title] = title_terms(title)
        return self._terms[title]

    def _index(self) -> dict[str, list[frozenset[str]]]:
        if self._by_term is None:
            for d in sorted(self.directives, key=lambda d: d.id):
                self._titled[self.terms(d.title)].append(d)
            seen = Counter(term for terms in self._titled for term in terms)
            self._by_term = defaultdict(list)
            for terms in self._titled:
                if len(terms) >= 2:  # a title of one word is named by any headline holding it
                    may_miss = len(terms) - math.ceil(_NAMES_ANOTHER * len(terms))
                    for term in sorted(terms, key=lambda t: (seen[t], t))[: may_miss + 1]:
                        self._by_term[term].append(terms)
        return self._by_term

    def named(self, title: str) -> list[tuple[float, list[Issued]]]:
        """The titles `title` names, each with the share of its terms held and its directives (by
        id), best first."""
        if title not in self._named:
            held, by_term = self.terms(title), self._index()
            candidates = {terms for term in held for terms in by_term.get(term, ())}
            scored = [(share, self._titled[terms]) for terms in candidates
                      if (share := _share(held, terms)) >= _NAMES_ANOTHER]
            self._named[title] = sorted(scored, key=lambda s: (-s[0], s[1][0].id))
        return self._named[title]

    def best_named_by(self, title: str, directive_id: str) -> list[Issued]:
        """The directive `title` names best; of several alike (a yearly duty), the one whose id is
        closest to `directive_id`."""
        named = self.named(title)
        alike = [d for share, titled in named if share == named[0][0] for d in titled]
        return sorted(alike, key=lambda d: -difflib.SequenceMatcher(None, directive_id, d.id).ratio())[:1]

    def wrong_title(self, f: FollowUp, target: Issued) -> Problem | None:
        """An error when the follow-up's title names another directive rather than `target`."""
        held = self.terms(f.title)
        own = _share(held, self.terms(target.title))
        if own >= 1 / _CLEARLY_LESS:  # it names its own directive well enough: nothing else can win clearly
            return None
        others = [d for share, titled in self.named(f.title) if share >= _CLEARLY_LESS * own
                  for d in titled if d.id != target.id][:1]
        if not others:
            return None
        return Problem(
            f.source, f.line, f"the follow-up's title '{f.title}' is not that of directive '{target.id}' it "
            f"follows up ('{target.title}', {_whose(target)}) but that of {_described(others[0])}",
            f"A follow-up changes the directive its 'directive:' names: did you mean '{others[0].id}'? If the id "
            "is right, title the follow-up after its own directive (its title, or what was done about it).")


def _closest_ids(directive_id: str, directives: list[Issued]) -> list[Issued]:
    close = difflib.get_close_matches(directive_id, [d.id for d in directives], n=1, cutoff=0.6)
    return [d for d in directives if close and d.id == close[0]][:1]


def _whose(d: Issued) -> str:
    units = ", ".join(d.units) if d.units else "no unit"
    return f"{'unit' if len(d.units) == 1 else 'units'} {units}, issued in {d.rel_path}"


def _described(d: Issued) -> str:
    return f"'{d.id}' ('{d.title}', {_whose(d)})"
