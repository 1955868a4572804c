"""`bulletins digest`: one unit's morning mail: what is overdue, what falls due within a week,
and what was issued or changed (follow-ups) lately, with links to the site.

The data is made here from the catalog's current states (drafts and embargoed bulletins are not
in it); the text and HTML bodies are templates (digest.txt, digest.html); `message` wraps them in
a MIME message for `sendmail -t`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy


from ..catalog import Catalog, UnitEntry
from ..model import ALL_UNITS, Directive, Unit
from ..outputs import changes, site
from ..outputs.labels import Labels
from ..outputs.render import template_environment
from ..sources.paths import readable_url
from ..sources.units import UnitRegistry
from ..state import Change, State

_HTML = template_environment(autoescape=True)
_TEXT = template_environment(autoescape=False)
DEFAULT_SENDER = "Safety Bulletins <safety-bulletins@{host}>"
NO_RECIPIENTS = "undisclosed-recipients:;"  # RFC 5322's empty group: `sendmail ADDRESS < file` adds one


class DigestError(ValueError):
    """The digest cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Item:
    """A directive as the digest lists it: for which of the units in scope, and in what role."""

    directive: Directive
    state: State
    units: tuple[str, ...]  # the ids of the units in scope it is for
    support: bool  # only supporting: no unit in scope is responsible
    days: int  # overdue by (overdue), or left (due soon)
    url: str
    # who answers for it: the 责任人 of each unit in scope it is for (none when it only supports:
    # the person named answers for the responsible unit's share), and the directive's 责任领导
    owners: tuple[tuple[str, str], ...] = ()
    leader: str = ""


@dataclass(frozen=True)
class Update:
    """Something dated on or after `since`: a directive issued, or a follow-up's change."""

    date: dt.date
    item: Item
    change: Change | None  # None: issued
    url: str  # the bulletin's card of the directive, or of the follow-up


@dataclass(frozen=True)
class Digest:
    unit: Unit | None  # None: every unit
    units: tuple[str, ...]  # the unit and, with --with-subunits, its sub-units
    as_of: dt.date
    since: dt.date
    overdue: tuple[Item, ...]
    due_soon: tuple[Item, ...]
    updates: tuple[Update, ...]
    site_url: str | None  # links are absolute under it; without it, paths below the site's root
    # overdue or due soon where the units in scope only support (配合): listed apart, as the unit
    # page does, never among their overdue items nor counted in the subject (the responsible unit answers)
    supporting: tuple[Item, ...] = ()

    @property
    def home(self) -> str:
        return self.site_url or "./"


def resolve_unit(registry: UnitRegistry, reference: str) -> str:
    """A unit's id from its id, name or alias (or `all`); an unknown one is an error with a suggestion."""
    unit_id = registry.resolve(reference)
    if unit_id is None:
        suggestion = registry.suggest(reference)
        hint = f" Did you mean '{suggestion.id}' ({suggestion.name})?" if suggestion else ""
        raise DigestError(f"unknown unit {reference!r}.{hint} Units are listed in bulletins/units.yml.")
    return unit_id


def make_digest(catalog: Catalog, unit_id: str, with_subunits: bool = False, since: dt.date | None = None,
                site_url: str | None = None, *, urls: site.UrlRule) -> Digest:
    """What the unit (and its sub-units) must see this morning. A directive is listed once, for
    the units in scope it is addressed to or supports; what waits for the unit's acceptance is
    not its work (as in `bulletins due`) and is left out."""
    since = since or catalog.as_of - dt.timedelta(days=1)
    if since > catalog.as_of:
        raise DigestError(f"--since {since.isoformat()} is after the as-of date {catalog.as_of.isoformat()}: "
                          "give an earlier date")
    if unit_id == ALL_UNITS:
        unit, scope = None, [u.id for u in catalog.units]
    else:
        unit = catalog.registry.units[unit_id]
        scope = [unit_id, *(catalog.registry.descendants(unit_id) if with_subunits else ())]
    base = _base(site_url)
    if unit is None:  # every unit: each directive once, for the units it is addressed to or supported by
        entries = _every_unit(catalog)
    else:  # the roll-up the unit's page counts (Catalog.rollup), or the unit's own list
        entries = catalog.rollup(unit_id) if with_subunits else catalog.for_unit(unit_id)
    items = []
    for entry in entries:
        if entry.role not in ("responsible", "support"):
            continue
        d = entry.directive
        state = catalog.entry_state(entry)  # the unit's own share
        bucket = catalog.entry_bucket(entry)
        days = state.days_overdue(catalog.as_of) if bucket == "overdue" else (
            (state.deadline - catalog.as_of).days if bucket == "due-soon" else 0)
        url = _link(base, urls.url(site.bulletin_src(d.bulletin)), d.id)
        for_units = entry.units or (unit_id,)
        owners = () if entry.role == "support" else tuple((u, d.owner_of(u)) for u in for_units if d.owner_of(u))
        items.append((bucket, Item(d, state, for_units, entry.role == "support", days, url, owners,
                                   d.details.get("leader", ""))))

    def order(item: Item):
        return item.state.deadline or dt.date.max, item.directive.id

    updates = []
    for bucket, item in items:
        b = item.directive.bulletin
        shown = max(b.date, b.publish or b.date)  # an embargoed bulletin is news the day it appears
        if since <= shown <= catalog.as_of:
            updates.append(Update(b.date, item, None, item.url))
        for change in item.state.history:  # dated up to the as-of date: the catalog replayed them so
            f = change.follow_up
            # news on the day readers learn of it: a completion of 11-20 recorded in the minutes of
            # 12-05 reaches the mail of 12-05 (dated by the follow-up alone, it never did)
            if since <= changes.reported_on(change, catalog.bulletin_of(f)) <= catalog.as_of:
                page = urls.url(site.bulletin_src(catalog.bulletin_of(f)))
                updates.append(Update(f.date, item, change, _link(base, page, f.anchor)))
    return Digest(
        unit, tuple(scope), catalog.as_of, since,
        overdue=tuple(sorted((i for bucket, i in items if bucket == "overdue" and not i.support), key=order)),
        due_soon=tuple(sorted((i for bucket, i in items if bucket == "due-soon" and not i.support), key=order)),
        updates=tuple(sorted(updates, key=lambda u: (u.date, u.item.directive.id, u.url))),
        site_url=base or None,
        supporting=tuple(sorted((i for bucket, i in items if bucket in ("overdue", "due-soon") and i.support),
                                key=order)),
    )


def _every_unit(catalog: Catalog) -> list[UnitEntry]:
    """Each directive once, in its strongest role among all units (responsible, then support),
    naming the units that hold it."""
    roles: dict[str, tuple[Directive, list[str], list[str]]] = {}  # id: (directive, responsible, support)
    for unit in catalog.units:
        for entry in catalog.for_unit(unit.id):
            if entry.role in ("responsible", "support"):
                d = entry.directive
                roles.setdefault(d.id, (d, [], []))[1 if entry.role == "responsible" else 2].append(unit.id)
    return [UnitEntry(d, "responsible" if responsible else "support", tuple(responsible or supporting))
            for d, responsible, supporting in roles.values()]


def _link(base: str, page: str, anchor: str) -> str:
    """A link under the site's address, percent-encoded (Chinese file names and ids) so that
    every mail reader makes it clickable; without an address, the readable path."""
    if not base:
        return f"{readable_url(page)}#{anchor}"
    # the page's URL is MkDocs' (its UrlRule), encoded already: `%` kept
    return base + urllib.parse.quote(page, safe="/%") + "#" + urllib.parse.quote(anchor, safe="")


def _base(site_url: str | None) -> str:
    if not site_url:
        return ""
    return site_url if site_url.endswith("/") else site_url + "/"


def _context(digest: Digest, catalog: Catalog, labels: Labels) -> dict:
    def unit_name(unit_id: str) -> str:
        return catalog.registry.display_name(unit_id, labels.language) or labels.ALL_UNITS

    title = unit_name(digest.unit.id) if digest.unit else labels.ALL_UNITS
    def names(unit_ids) -> str:
        return ", ".join(unit_name(u) for u in unit_ids)

    def people(item: Item) -> str:
        """责任人 (each unit's by name when several are in scope) and 责任领导, in a line ("" for none)."""
        if len(item.owners) == 1 and len(digest.units) == 1:
            owners = item.owners[0][1]
        else:
            owners = ("; " if labels.language == "en" else "；").join(
                labels("{unit}: {person}", unit=unit_name(u), person=person) for u, person in item.owners)
        said = [(labels("Owner"), owners), (labels("Responsible leader"), item.leader)]
        return ("; " if labels.language == "en" else "；").join(
            f"{what}{': ' if labels.language == 'en' else '：'}{who}" for what, who in said if who)

    def escalation(item: Item) -> str:
        return changes.escalation_text(item.state.escalation, labels, catalog.registry)

    return {"d": digest, "c": catalog, "labels": labels, "unit_name": unit_name, "people": people,
            "escalation": escalation,
            "names": names, "title": title, "with_subunits": len(digest.units) > 1 and digest.unit is not None}


def subject(digest: Digest, catalog: Catalog, labels: Labels) -> str:
    context = _context(digest, catalog, labels)
    return labels("Safety digest for {unit}: {overdue} overdue, {due} due within {due_soon_days} days ({date})",
                  unit=context["title"], overdue=len(digest.overdue), due=len(digest.due_soon),
                  date=digest.as_of.isoformat())


def text_body(digest: Digest, catalog: Catalog, labels: Labels) -> str:
    return _TEXT.get_template("digest.txt").render(subject=subject(digest, catalog, labels),
                                                    **_context(digest, catalog, labels))


def html_body(digest: Digest, catalog: Catalog, labels: Labels) -> str:
    return _HTML.get_template("digest.html").render(subject=subject(digest, catalog, labels),
                                                     **_context(digest, catalog, labels))


def message(digest: Digest, catalog: Catalog, labels: Labels, sender: str | None = None,
            recipients: list[str] | None = None, sent: dt.datetime | None = None) -> bytes:
    """The digest as a complete MIME message: text and HTML alternatives, the subject encoded
    (RFC 2047) by the policy, dated when it is made (`sent`: now), as RFC 5322 wants and mail
    programs sort by: the as-of date at 00:00 UTC put a 07:00 mail at 08:00 Beijing time, in the
    future. Everything else is the same bytes for the same digest (no random Message-ID)."""
    host = urllib.parse.urlsplit(digest.site_url or "").hostname or "localhost"
    msg = EmailMessage(policy=default_policy)
    try:
        msg["Subject"] = subject(digest, catalog, labels)
        msg["From"] = sender or DEFAULT_SENDER.format(host=host)
        msg["To"] = ", ".join(recipients) if recipients else NO_RECIPIENTS
    except (ValueError, IndexError) as exc:  # a line break in an address, an address that is not one
        raise DigestError(f"--from/--to: {exc}; give addresses such as 'Safety <safety@example.com>'") from None
    for header in ("From", "To"):
        if msg[header].defects:
            raise DigestError(f"--{header.lower()}: {str(msg[header])!r} is not a list of mail addresses: "
                              "give e.g. 'Safety <safety@example.com>'")
    msg["Date"] = email.utils.format_datetime(sent or email.utils.localtime())
    text, html = text_body(digest, catalog, labels), html_body(digest, catalog, labels)
    unique = hashlib.sha256(f"{digest.units}\0{digest.since}\0{text}".encode()).hexdigest()[:20]
    msg["Message-ID"] = f"<digest.{digest.as_of.isoformat()}.{unique}@{host}>"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.set_boundary(f"digest-{hashlib.sha256(html.encode()).hexdigest()[:32]}")  # not random: the same bytes
    return msg.as_bytes()



