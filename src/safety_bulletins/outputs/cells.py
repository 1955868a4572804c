"""Cells of a directive's row and card, as Python functions the templates call.

They run for every directive on every listing page and card (about 100,000 calls in a
build of 2,000 bulletins): Jinja2 macros cost several times more per call. Every value
is escaped (`escape`: `Markup.format` costs three times more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from markupsafe import Markup, escape

from ..model import DATED_BUCKETS, is_immediate
from ..state import State
from .labels import Labels
from .site import Links


def units_of(ids: tuple[str, ...], links: Links, labels: Labels, unit_name: Callable[[str], str]) -> Markup:
    """The units as links to their pages, 'All units' as a label."""
    return Markup(labels.separator.join(
        f'<span class="sb-unit sb-unit--all">{escape(labels.ALL_UNITS)}</span>' if unit_id == "all"
        else f'<a class="sb-unit" href="{escape(links.unit(unit_id))}">{escape(unit_name(unit_id))}</a>'
        for unit_id in ids
    ))


def starts_attribute(state: State, bucket: str, as_of) -> Markup:
    """` data-sb-starts="..."` on a row or card whose phase has not begun at the as-of date: live.js
    then keeps it 'later' until that day, as State.bucket does (never due before it starts)."""
    if bucket not in DATED_BUCKETS or state.started(as_of):
        return Markup("")
    return Markup(f' data-sb-starts="{state.starts.isoformat()}"')


def owners_of(directive, units: tuple[str, ...], labels: Labels, unit_name: Callable[[str], str]) -> str:
    """The person responsible (责任人): the directive's one owner, or, written per unit, the persons
    of `units` (all of them for ()): the person alone where one unit is asked for, else each after
    its unit's name (物业公司：王磊、能源公司：李强). Text: the template escapes it."""
    if not directive.owners:
        return directive.owner
    chosen = [(unit, person) for unit, person in directive.owners if not units or unit in units]
    if len(units) == 1:
        return chosen[0][1] if chosen else ""
    return labels.join(labels("{unit}: {person}", unit=unit_name(unit), person=person) for unit, person in chosen)


def owner_units(entry) -> tuple[str, ...]:
    """Whose persons a listing's entry shows: its unit's (a share), the sub-units' it is listed for,
    the supporting units' on a supporting unit's page; () in the register (every unit's)."""
    if entry.share:
        return (entry.share,)
    if entry.units:
        return entry.units
    return entry.directive.support if entry.role == "support" else ()


def deadline_of(state: State, labels: Labels) -> Markup:
    """The deadline in force as a date (after the original one, struck through, when a
    follow-up changed it); as the document wrote it when that was not a date, the date beside
    it (10月底前（2026-10-31）, 立即 marked urgent); 'No fixed deadline' for a standing order,
    whose status says it is in force."""
    if state.deadline is None:
        return escape(labels("No fixed deadline"))
    shown = f'<time datetime="{state.deadline.isoformat()}">{labels.day(state.deadline)}</time>'
    if state.deadline_written:
        written = labels("Immediately") if is_immediate(state.deadline_written) else state.deadline_written
        words = f'<strong class="sb-urgent">{escape(written)}</strong>' if state.urgent else escape(written)
        date = f'<time datetime="{state.deadline.isoformat()}">{state.deadline.isoformat()}</time>'
        shown = f"{words}（{date}）" if labels.language == "zh" else f"{words} ({date})"
    if state.stages:
        shown = Markup(" · ").join([Markup(shown), stages_of(state, labels)])
    if state.recurrence is not None:
        shown = recurring(state, labels)
    elif state.extended and state.original_deadline is not None:
        before = state.original_deadline
        shown = (f'<del class="sb-original-deadline"><time datetime="{before.isoformat()}">{labels.day(before)}</time>'
                 f'</del> {shown}')
    return Markup(shown)


def stages_of(state: State, labels: Labels) -> Markup:
    """Milestones with their deadlines, each done (its day) or open, dates in the page's language as the
    deadline's (on screen and in the printed ledger): 方案报送 2026年12月20日 ✓、完成整改 2027年3月31日."""
    items = []
    for name, due, done in state.stages:
        mark = (f' <span class="sb-stage-done">✓ {escape(labels("done on {date}", date=labels.day(done)))}</span>'
                if done else "")
        items.append(f'<span class="sb-stage sb-stage--{"done" if done else "open"}">{escape(name)} '
                     f'<time datetime="{due.isoformat()}">{labels.day(due)}</time>{mark}</span>')
    return Markup(str(escape(labels("Stages"))) + labels(": ") + labels.separator.join(items))  # items: escaped above


def recurring(state: State, labels: Labels) -> str:
    """A recurring duty: its rule as written, its next occurrence and the periods it missed
    (每月5日前 · 下次 2026-12-05 · 未按期报送 2026-10, 2026-11)."""
    parts = [escape(state.deadline_written)]
    if state.until is not None:
        space = "" if labels.language == "zh" else " "
        parts[0] = Markup(f"{parts[0]}{space}") + labels("until {date}", date=state.until.isoformat())
    if state.next_deadline is not None:
        day = state.next_deadline.isoformat()
        parts.append(labels("next {date}", date=Markup(f'<time class="sb-next-occurrence" datetime="{day}">{day}</time>')))
    if state.missed_periods:
        periods = Markup(labels.separator).join(Markup(f'<time class="sb-missed-period" datetime="{due.isoformat()}">{escape(period)}</time>')
                                    for period, due in state.missed_periods)
        parts.append(Markup('<span class="sb-overdue">{}</span>').format(labels("missed {periods}", periods=periods)))
    return Markup(" · ").join(parts)


def live(state: State, bucket: str, as_of: dt.date, labels: Labels) -> Markup:
    """The part of a row or card that changes as days pass: days overdue, or days waiting
    for acceptance. The script of the site recounts it in the reader's browser."""
    if not state.started(as_of) and not state.closed:  # a phase not begun: never overdue
        day = state.starts.isoformat()
        return Markup('<span class="sb-not-started">{}</span>').format(
            labels("starts on {date}", date=Markup(f'<time datetime="{day}">{day}</time>')))
    if bucket == "awaiting-acceptance":
        days = state.days_waiting(as_of)
        return Markup(f'<span class="sb-waiting" data-sb-since="{state.since.isoformat()}">'
                      f'{escape(labels("waiting {n} days", n=days))}</span>')
    if bucket not in DATED_BUCKETS:
        return Markup("")
    days = state.days_overdue(as_of)
    return Markup(f'<span class="sb-days">{escape(labels("{n} days overdue", n=days)) if days else ""}</span>')


def escalated(state: State, labels: Labels) -> Markup:
    """The mark of a directive under supervision (督办), on every listing until it is closed."""
    if not state.escalated:
        return Markup("")
    return Markup(f' <span class="sb-badge sb-badge--escalated">{escape(labels("Escalated"))}</span>')


def progress(progress, labels: Labels, unit_name: Callable[[str], str]) -> Markup:
    """A directive's shares in a line under its status (progress_text); nothing when its units'
    shares are all alike."""
    if progress is None:
        return Markup("")
    return Markup(f'<br><small class="sb-progress">{escape(progress_text(progress, labels, unit_name))}</small>')


def progress_text(progress, labels: Labels, unit_name: Callable[[str], str]) -> str:
    """"3 of 12 units done, 2 overdue: A, B" (Catalog.progress), as the register and a Chinese sheet say it."""
    if progress.overdue:
        names = labels.join(unit_name(u) for u in progress.overdue)
        return labels("{closed} of {total} units done, {overdue} overdue: {units}", closed=progress.closed,
                      total=progress.total, overdue=len(progress.overdue), units=names)
    return labels("{closed} of {total} units done", closed=progress.closed, total=progress.total)
