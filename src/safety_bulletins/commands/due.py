"""`bulletins due`: what each unit has overdue or due soon, for a unit head's terminal."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..catalog import Catalog
from ..model import DATED_BUCKETS
from ..state import Escalation

_SPAN = re.compile(r"^(\d+)([dw])$")


@dataclass(frozen=True)
class DueRow:
    unit: str  # unit id
    id: str
    title: str
    deadline: dt.date
    days_left: int  # negative: overdue by that many days
    status: str
    role: str  # "responsible" or "support"
    escalated: bool
    bulletin: str  # the bulletin's title
    bulletin_date: dt.date
    sub_units: tuple[str, ...] = ()  # with --with-subunits: the sub-units of `unit` it is for (ids)
    # The people who answer for it: each unit's 责任人 (of `unit`, or of each sub-unit it is for; none
    # for a supporting unit: the person named answers for the responsible unit's share), the
    # directive's 责任领导, and 挂牌督办's level, body and number while escalated
    owners: tuple[tuple[str, str], ...] = ()
    leader: str = ""
    escalation: Escalation = Escalation()

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def parse_span(text: str) -> int:
    """`7d` or `2w` as days."""
    match = _SPAN.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a span of time: write e.g. 7d or 2w")
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


def due_rows(catalog: Catalog, within_days: int, unit_ids: list[str] | None = None,
             with_subunits: bool = False) -> list[DueRow]:
    """Open directives with a deadline before as-of + within_days, per unit, most urgent first;
    `with_subunits`: each unit's with its sub-units' (any depth), each directive once."""
    rows = []
    for unit in catalog.units:
        if unit_ids is not None and unit.id not in unit_ids:
            continue
        for entry in catalog.rollup(unit.id) if with_subunits else catalog.for_unit(unit.id):
            d, state = entry.directive, catalog.entry_state(entry)  # the unit's own share
            # closed, awaiting acceptance (out of the unit's hands) and ongoing ones are not due
            if entry.role == "acceptance" or catalog.entry_bucket(entry) not in DATED_BUCKETS:
                continue
            if not state.started(catalog.as_of):  # a phase that starts later (`from:`): not due yet, as on its page
                continue
            days_left = (state.deadline - catalog.as_of).days
            if days_left <= within_days:
                sub_units = () if entry.units[:1] in ((), (unit.id,)) else entry.units  # () for the unit's own
                owners = () if entry.role == "support" else tuple(
                    (u, d.owner_of(u)) for u in (sub_units or (unit.id,)) if d.owner_of(u))
                rows.append(DueRow(unit.id, d.id, d.title, state.deadline, days_left, state.status, entry.role,
                                   state.escalated, d.bulletin.title, d.bulletin.date, sub_units, owners,
                                   d.details.get("leader", ""), state.escalation))
    order = {u.id: n for n, u in enumerate(catalog.units)}
    return sorted(rows, key=lambda r: (order[r.unit], r.deadline, r.id))
