"""What a follow-up changed (a `state.Change`), in words of the reader's language: the one
description every output gives, the directive's card and history, the digest, the feeds, the
calendars and directives.csv's history column.

`describe` is a line ("status In progress → Done; accepted by Safety Department"; 状态 整改中 →
已完成；由安全环保部验收); `parts` its pieces, one per kind of change, in a fixed order. A new kind
of change (say, the units whose shares a follow-up reports) is one more piece in `parts`.

`reported_on` says when readers learnt of a change: a follow-up dated before its bulletin (a
completion reported at the next month's meeting) is news on the bulletin's day, not on the
follow-up's, so a feed entry is updated then and moves to the top, where a reader sees it.
"""

from __future__ import annotations

import datetime as dt

from ..model import Bulletin
from ..sources.units import UnitRegistry
from ..state import Change
from .labels import Labels


def describe(change: Change, labels: Labels, registry: UnitRegistry) -> str:
    """The change as one line, or "progress reported" when the follow-up changed nothing."""
    return labels("; ").join(parts(change, labels, registry)) or labels("progress reported")


def parts(change: Change, labels: Labels, registry: UnitRegistry) -> list[str]:
    """The pieces of `describe`: reopening (with its reason), status, deadline (with the reason),
    acceptance (by whom), supervision (督办) set or lifted."""
    found = []
    if change.follow_up.units:  # one unit's share (or some units'), not the directive's: say whose
        names = labels.join(registry.display_name(u, labels.language) or u for u in change.follow_up.units)
        found.append(labels("for {units}", units=names))
    if change.reopen:
        found.append(labels("reopened: {reason}", reason=change.reopen))
    if change.stage:  # a milestone's report, or a recurring duty's occurrence
        found.append(labels("stage {stage}", stage=change.stage))
    if change.period:
        found.append(labels("period {period}", period=change.period))
    if change.status:
        before, after = (labels.STATUSES[s] for s in change.status)
        found.append(labels("status {before} → {after}", before=before, after=after))
    if change.deadline:
        found.append(_deadline(change, labels))
        if change.retroactive:  # the deadline had passed: the directive stays late (state.replay)
            found.append(labels("extended after the deadline had passed"))
    if change.accepted_by:
        who = acceptor_name(change.accepted_by, labels, registry)
        found.append(labels("accepted by {who}", who=who) if change.follow_up.status == "done"
                     else labels("to be accepted by {who}", who=who))
    if change.escalate is not None:
        shown = escalation_text(change.escalation, labels, registry)
        found.append((labels("escalated (督办): {escalation}", escalation=shown) if shown else labels("escalated (督办)"))
                     if change.escalate else labels("supervision ended"))
    if change.closed_off:
        found.append(labels("closed off (销号)"))
    return found


def escalation_text(escalation, labels: Labels, registry: UnitRegistry) -> str:
    """挂牌督办's parts as written, in a line: 集团级 · 集团办公室 · 督〔2026〕5号 ("" when none is given);
    the supervising body by its name where it is a unit."""
    body = acceptor_name(escalation.by, labels, registry) if escalation.by else ""
    return " · ".join(part for part in (escalation.level, body, escalation.number) if part)


def _deadline(change: Change, labels: Labels) -> str:
    before, after = change.deadline
    reason = change.follow_up.reason
    if before is None:  # an ongoing directive given a day
        return labels("deadline set to {after} ({reason})", after=labels.day(after), reason=reason)
    if after > before:
        return labels("deadline extended from {before} to {after} ({reason})", before=labels.day(before),
                      after=labels.day(after), reason=reason)
    return labels("deadline brought forward from {before} to {after} ({reason})", before=labels.day(before),
                  after=labels.day(after), reason=reason)


def acceptor_name(who: str, labels: Labels, registry: UnitRegistry) -> str:
    """Who accepts (accepted) the work: a unit's name in the language, or a person's as written."""
    if who in registry.units:
        return registry.display_name(who, labels.language) or labels.ALL_UNITS
    return who


def reported_on(change: Change, bulletin: Bulletin) -> dt.date:
    """When readers learn of the change: its follow-up's date, or later its bulletin's (`bulletin`:
    the one holding the follow-up), or the day an embargoed bulletin appears."""
    return max(change.follow_up.date, bulletin.date, bulletin.publish or bulletin.date)
