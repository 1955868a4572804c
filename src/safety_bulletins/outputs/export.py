"""The machine-readable register: directives.json."""

from __future__ import annotations

from . import site
from .schema import FORMAT, VERSION
from .. import fields
from ..catalog import Catalog
from ..state import Change


def _day(day) -> str | None:
    return day.isoformat() if day else None


def directives_json(catalog: Catalog, urls: site.UrlRule) -> dict:
    """Every published directive with its bulletin and its current state (after the follow-ups
    dated up to the as-of date) and history; URLs are relative to the site's root."""
    records = []
    for d in catalog.directives:
        state = catalog.state_of(d)
        bulletin_url = urls.url(site.bulletin_src(d.bulletin))
        records.append({
            "id": d.id,
            "title": d.title,
            "text": d.text,
            "units": list(d.units),
            "support": list(d.support),
            "owner": d.owner or None,
            # roles and people (issue 21): lead, accepting and supervising units (ids), 责任人 per unit
            "lead": d.lead,
            "accepting_unit": d.accepting_unit,
            "supervisor": d.supervisor,
            "owners": dict(d.owners),
            "deadline": _day(state.deadline),
            # the deadline in force as written (立即, 10月底前, 每月5日前...), its day in `deadline`
            "deadline_written": state.deadline_written or None,
            "original_deadline": _day(state.original_deadline),
            "status": state.status,
            "bucket": catalog.bucket_of(d),
            "days_overdue": state.days_overdue(catalog.as_of),
            "closed_on": _day(state.closed_on),
            "on_time": state.on_time,
            "escalated": state.escalated,
            "escalation": _escalation(state),
            "accepted_by": state.accepted_by or None,
            "accepted_on": _day(state.accepted_on),
            "closed_off_on": _day(state.closed_off_on),  # 销号
            # a recurring duty (每月5日前): its rule as written, next occurrence, missed periods
            "recurrence": state.deadline_written if state.recurrence else None,
            "until": _day(d.until),
            "stages": [{"name": name, "deadline": _day(due), "done_on": _day(done)} for name, due, done in state.stages],
            "starts": _day(d.starts),
            "next_deadline": _day(state.next_deadline),
            "missed_periods": [period for period, _ in state.missed_periods],
            # grade, measures, funds, contingency...: by the field spec, in its order
            **{f.column: d.details.get(f.name) or None for f in fields.details() if f.column},
            "url": f"{bulletin_url}#{d.id}",
            "bulletin": {
                "title": d.bulletin.title,
                "date": d.bulletin.date.isoformat(),
                "type": d.bulletin.type,
                "url": bulletin_url,
            },
            "history": [_change(catalog, change, urls) for change in state.history],
            # each responsible unit's share where they differ ([]: the directive's state is every unit's)
            "shares": [share_record(catalog, unit, share) for unit, share in catalog.shares_of(d)],
            "progress": _progress(catalog.progress(d)),
        })
    # what it is and in which version (its JSON Schema: schema.py, directives.schema.json beside it)
    return {"format": FORMAT, "version": VERSION, "as_of": catalog.as_of.isoformat(), "directives": records}


def share_records(catalog: Catalog, urls: site.UrlRule) -> list[dict]:
    """One record per responsible unit of every directive (its share: status, deadline in force,
    bucket, closure): the rows of directives-by-unit.csv, where a unit filters its own 督办台账
    and counts what it has overdue. directives.csv keeps one row per directive, so that counting
    its rows counts directives; here a directive to five units is five rows."""
    records = []
    for d in catalog.directives:
        url = f"{urls.url(site.bulletin_src(d.bulletin))}#{d.id}"
        grades = {f.column: d.details.get(f.name) or None for f in fields.details() if f.column and f.kind == fields.CHOICE}
        for unit, state in catalog.every_share(d):
            records.append({
                "id": d.id, "unit": unit, "owner": d.owner_of(unit) or None, "title": d.title,  # its 责任人
                "deadline": _day(state.deadline), "deadline_written": state.deadline_written or None,
                "original_deadline": _day(state.original_deadline), "status": state.status,
                "bucket": state.bucket(catalog.as_of, catalog.windows), "days_overdue": state.days_overdue(catalog.as_of),
                "closed_on": _day(state.closed_on), "on_time": state.on_time, "escalated": state.escalated,
                "accepted_by": state.accepted_by or None, **grades,
                "bulletin_title": d.bulletin.title, "bulletin_date": d.bulletin.date.isoformat(), "url": url,
            })
    return records


def share_record(catalog: Catalog, unit: str, state) -> dict:
    """A unit's share of a directive: the fields of the record that differ between units."""
    return {"unit": unit, "status": state.status, "deadline": _day(state.deadline),
            "deadline_written": state.deadline_written or None,  # its own: one unit may be given more time
            "bucket": state.bucket(catalog.as_of, catalog.windows), "days_overdue": state.days_overdue(catalog.as_of),
            "closed_on": _day(state.closed_on), "on_time": state.on_time, "accepted_by": state.accepted_by or None,
            "escalated": state.escalated, "escalation": _escalation(state),
            "accepted_on": _day(state.accepted_on), "closed_off_on": _day(state.closed_off_on)}


def _escalation(state) -> dict | None:
    """挂牌督办's level, supervising body (a unit's id, or as written) and number while escalated;
    None when not escalated, and each part None where the follow-up did not give it."""
    if not state.escalated:
        return None
    e = state.escalation
    return {"level": e.level or None, "by": e.by or None, "number": e.number or None}


def _progress(progress) -> str | None:
    """For directives.csv's column: "3/12 done; overdue: a, b" (unit ids); None without shares."""
    if progress is None:
        return None
    return f"{progress.closed}/{progress.total} done" + (f"; overdue: {', '.join(progress.overdue)}"
                                                         if progress.overdue else "")


def _change(catalog: Catalog, change: Change, urls: site.UrlRule) -> dict:
    f = change.follow_up
    url = urls.url(site.bulletin_src(catalog.bulletin_of(f)))
    changes: dict = {}
    if change.status:
        changes["status"] = list(change.status)
    if change.period:
        changes["period"] = change.period
    if change.stage:
        changes["stage"] = change.stage
    if change.deadline:
        changes["deadline"] = [_day(change.deadline[0]), _day(change.deadline[1])]
        changes["reason"] = f.reason
    if change.accepted_by:
        changes["accepted_by"] = change.accepted_by
    if change.escalate is not None:
        changes["escalated"] = change.escalate
        if change.escalation:
            changes["escalation"] = {"level": change.escalation.level or None, "by": change.escalation.by or None,
                                     "number": change.escalation.number or None}
    if change.closed_off:
        changes["closed_off"] = True
    if change.reopen:
        changes["reopen"] = change.reopen
    return {"date": f.date.isoformat(), "title": f.title, "changes": changes, "url": f"{url}#{f.anchor}",
            "anchor": f.anchor, "units": list(f.units)}  # whose shares it reports ([]: every unit's)
