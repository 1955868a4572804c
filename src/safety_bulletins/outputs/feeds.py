"""Atom feeds (RFC 4287) of the published bulletins: the site's, one per unit, one per type.

Python builds the data here; `templates/atom.xml` writes it, autoescaped (the escaping of
HTML is the escaping XML needs: `& < > " '`). Everything comes from the catalog, so drafts,
embargoed and classified bulletins never reach a feed, and a directive's deadline and
status are the ones in force (`catalog.states`). Nothing reads the clock: the same sources
and as-of date give the same bytes.

- Entries are bulletins, the FEED_ENTRIES most recently updated first. A bulletin is
  updated on its date, or when a change to one of its directives was reported if later
  (`changes.reported_on`: a follow-up dated before its own bulletin is news on that
  bulletin's day, so the entry moves to the top then, where a reader sees it, rather than
  sinking among entries already read). The title then says the latest change, and the
  summary lists every change under its directive, in the words of `changes.describe`.
- A unit's feed reads the unit's share of each directive (`UnitView`): its state, and only the
  follow-ups that report for it; it holds the bulletins that issue the unit's directives and
  those that report on them for the unit (a 督办通报 of progress holds only follow-ups).
- Ids are `urn:uuid:` names derived from the site's name and the bulletin's path: the same in
  every build, in every feed that holds the bulletin (readers show it once), and whatever
  the site's address (`site_url`, a sub-path, an offline copy).
- Links are absolute when mkdocs.yml has `site_url`. Without it they are relative to the
  feed file, which RFC 4287 allows (section 2: relative references resolve against the
  document's base URI, the address the reader fetched the feed from), and which stays right
  under any sub-path, where an invented absolute address would be wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import islice
from urllib.parse import quote

from . import changes, site
from ..catalog import Catalog
from ..model import Bulletin, Directive, FollowUp
from ..state import Change, State
from .labels import Labels
from .render import template_environment
from .site import Links

FEED_ENTRIES = 50  # per feed: a reader polls the newest; the archive pages list the rest
SUMMARY_LINES = 20  # directives and follow-ups listed in one entry's summary, then "and N more"
# Counts in a unit's feed: the directives its page lists as its work. Not "acceptance": that
# is a passing state after follow-ups, not what the bulletin asked of the unit.
FEED_ROLES = ("responsible", "support")
_NAMESPACE = uuid.UUID("6f1c5d0e-2a57-5b8e-9a43-3d1f0b7c2e61")  # this project's; never change it
# XML 1.0 allows no other characters, even as references: an editor's control character
# would make the whole feed unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ENV = template_environment(autoescape=True)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    href: str  # the bulletin's page, absolute or relative to the feed file
    published: str  # RFC 3339
    updated: str
    summary: str  # plain text
    author: str  # the issuing unit's name, or "" (the feed's author stands for it)
    category: str  # the bulletin's type
    category_label: str
    co_authors: tuple[str, ...] = ()  # a joint document's other issuers (联合行文), after the lead `author`


@dataclass(frozen=True)
class Feed:
    src_uri: str  # where it is written, e.g. feeds/units/energy.xml
    id: str
    title: str
    subtitle: str
    href: str  # the page the feed is about (home, unit or archive type page)
    self_href: str  # the feed's own absolute address, or "" without site_url
    updated: str
    language: str
    author: str
    entries: tuple[Entry, ...]


def feeds(catalog: Catalog, labels: Labels, site_name: str, site_url: str | None,
          urls: site.UrlRule) -> list[Feed]:
    """The site's feed, then one per unit (every unit, so each unit page can advertise its
    own) and one per bulletin type that has bulletins."""
    maker, titles = _FeedMaker(catalog, labels, site_name, site_url, urls), feed_titles(catalog, labels, site_name)
    made = [maker.feed(site.SITE_FEED, titles[site.SITE_FEED], labels("Bulletins, newest first."), site.HOME,
                       catalog.bulletins)]
    for unit in catalog.units:
        view = unit_view(catalog, unit.id)
        made.append(maker.feed(
            site.unit_feed_src(unit.id), titles[site.unit_feed_src(unit.id)],
            labels("Bulletins with directives for this unit or its sub-units, newest first."),
            site.unit_src(unit.id), view.bulletins(catalog), view))
    for kind, bulletins in sorted(catalog.types.items()):
        made.append(maker.feed(site.type_feed_src(kind), titles[site.type_feed_src(kind)],
                               labels("Bulletins, newest first."), site.type_src(kind), bulletins))
    return made


def feed_titles(catalog: Catalog, labels: Labels, site_name: str) -> dict[str, str]:
    """Each feed's title (as written: Feed.title is it made XML-safe) by its source path, in the
    order `feeds` makes them, without their entries: pages name them in their heads while the
    feeds are being made."""
    titles = {site.SITE_FEED: site_name}
    titles.update((site.unit_feed_src(unit.id), site_name + labels(": ") + unit.name_in(labels.language))
                  for unit in catalog.units)
    titles.update((site.type_feed_src(kind), site_name + labels(": ") + labels.TYPES[kind]) for kind in sorted(catalog.types))
    return titles


@dataclass(frozen=True)
class UnitView:
    """What a unit's feed reads of each directive it holds (its rollup, in FEED_ROLES): the state
    its page shows (`Catalog.entry_state`: its own share, or the shares of the sub-units holding
    it), whose history holds only the follow-ups that report for those units. A bulletin is in the
    feed when it issues such a directive or holds such a follow-up (a 督办通报 of progress), which
    its entry lists alone; the bulletin's other directives are shown as in the site's feed."""

    unit_id: str
    states: dict[str, State]  # directive id -> the state the unit's page shows
    issued: frozenset[str] = frozenset()  # the bulletins (rel_path) issuing those directives

    @cached_property
    def _follow_ups(self) -> frozenset[tuple[str, int]]:
        return frozenset((c.follow_up.rel_path, c.follow_up.order) for s in self.states.values() for c in s.history)

    def holds(self, follow_up: FollowUp) -> bool:
        """The follow-up reports for this unit's share (or its sub-units')."""
        return (follow_up.rel_path, follow_up.order) in self._follow_ups

    def bulletins(self, catalog: Catalog) -> list[Bulletin]:
        members = self.issued | {rel_path for rel_path, _ in self._follow_ups}
        return [b for b in catalog.bulletins if b.rel_path in members]


def unit_view(catalog: Catalog, unit_id: str) -> UnitView:
    entries = [e for e in catalog.rollup(unit_id) if e.role in FEED_ROLES]
    return UnitView(unit_id, {e.directive.id: catalog.entry_state(e) for e in entries},
                    frozenset(e.directive.bulletin.rel_path for e in entries))
def site_url_note(site_url: str | None) -> str | None:
    """What the build log and `bulletins check` say, once, of a site without `site_url`: Atom
    wants absolute links and ids (RFC 4287 4.2.6, 4.2.7.1 resolve relative ones against the
    feed's address, which many readers and mail clients do not), and calendars carry no link. And
    the page for a missing address: a server shows 404.html at that address, at any depth, so its
    links are from the server's root, whose path only site_url gives (MkDocs' rule; no page without a
    script can find its sub-path)."""
    if site_url:
        return None
    return ("no site_url in mkdocs.yml: the feeds' links are relative to each feed, which some feed readers "
            "(Outlook, mail clients) cannot follow, calendar events carry no link, and the page for a missing "
            "address (404.html) links from the server's root, so under a sub-path (/safety/) it shows without "
            "its styles, scripts and links; set site_url to the site's public address "
            "(site_url: https://intranet.example/safety/) for absolute links")


def render(feed: Feed) -> str:
    return _ENV.get_template("atom.xml").render(feed=feed)


def xml_text(text: str) -> str:
    """Text as XML 1.0 can hold it: characters it forbids become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def stamp(day: dt.date) -> str:
    """A date as an Atom date-time (RFC 3339 wants a time and zone; the sources have days)."""
    return f"{day.isoformat()}T00:00:00Z"


def atom_id(site_name: str, kind: str, key: str) -> str:
    name = "\0".join((site_name, kind, key))
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


class _FeedMaker:
    """Builds each bulletin's entry facts once for all the feeds that hold it."""

    def __init__(self, catalog: Catalog, labels: Labels, site_name: str, site_url: str | None, urls: site.UrlRule):
        self.catalog, self.labels, self.site_name = catalog, labels, site_name
        self.site_url = site_url.rstrip("/") + "/" if site_url else None
        self.urls = urls
        self._facts: dict[tuple[str, str], tuple[dt.date, Entry]] = {}
        self._last_change: dict[int, tuple[State, dt.date | None]] = {}  # by id(state): its latest change's day
        self._lines: dict[tuple[str, int, bool], tuple[State, list[str]]] = {}  # (the state kept: its id stays its own)

    def feed(self, src_uri: str, title: str, subtitle: str, page_src: str, bulletins: list[Bulletin],
             view: UnitView | None = None) -> Feed:
        """`view`: a unit's feed, whose entries read that unit's shares (None: the directives' own states)."""
        links = Links(src_uri, self.urls, root=self.site_url)  # relative to the feed without site_url

        def href(page_src: str) -> str:
            return self._uri(links.page(page_src))

        members = {b.rel_path for b in bulletins}
        if view is None:
            newest = islice((b for b in self._newest_first if b.rel_path in members), FEED_ENTRIES)
        else:  # catalog order breaks ties, as in _newest_first
            newest = sorted(bulletins, key=lambda b: -self._updated(b, view).toordinal())[:FEED_ENTRIES]
        entries = tuple(replace(entry, href=href(entry.href)) for _, entry in (self._entry(b, view) for b in newest))
        # Never the clock: the newest entry, or for an empty feed the newest bulletin of the site
        updated = entries[0].updated if entries else stamp(self._site_updated())
        return Feed(
            src_uri=src_uri, id=atom_id(self.site_name, "feed", src_uri), title=xml_text(title),
            subtitle=subtitle, href=href(page_src),
            self_href=href(src_uri) if self.site_url else "", updated=updated,
            language=self.labels.language, author=xml_text(self.site_name), entries=entries,
        )

    def _uri(self, link: str) -> str:
        """A link as a URI: its path percent-encoded after site_url (a file name with spaces or
        Chinese), so that a reader or an HTTP client that takes no IRI fetches it as it is."""
        base = self.site_url if self.site_url and link.startswith(self.site_url) else ""
        return base + quote(link[len(base):], safe="/%")  # a page's URL is MkDocs', percent-encoded

    @cached_property
    def _newest_first(self) -> list[Bulletin]:
        """Every bulletin by when it was last updated, sorted once for all the feeds. Catalog
        order (newest date first, then path) breaks ties: stable, never the file system's."""
        return sorted(self.catalog.bulletins, key=lambda b: -self._entry(b)[0].toordinal())

    def _site_updated(self) -> dt.date:
        dates = [self._entry(b)[0] for b in self.catalog.bulletins]
        return max(dates, default=self.catalog.as_of)

    def _changes(self, directive: Directive, view: UnitView | None) -> tuple[Change, ...]:
        """The changes of a directive an entry shows: all of them, or in a unit's feed those of
        the unit's share (the bulletin's other directives as the site's feed shows them)."""
        return self._state(directive, view).history

    def _state(self, directive: Directive, view: UnitView | None) -> State:
        if view is not None and directive.id in view.states:
            return view.states[directive.id]
        return self.catalog.state_of(directive)

    def _updated(self, bulletin: Bulletin, view: UnitView | None) -> dt.date:
        """When the bulletin was last updated for the feed's readers (cheap: for sorting every
        member): as for the site's feed unless one of its directives has shares that differ."""
        shares = self.catalog.shares
        if view is None or not shares or not any(d.id in shares for d in bulletin.directives):
            return self._entry(bulletin)[0]
        days = [bulletin.date]
        for d in bulletin.directives:
            state = self._state(d, view)
            if not state.history:
                continue
            key = id(state)
            if key not in self._last_change:
                self._last_change[key] = (state, max(self._reported_on(c) for c in state.history))
            days.append(self._last_change[key][1])
        return max(days)

    def _entry(self, bulletin: Bulletin, view: UnitView | None = None) -> tuple[dt.date, Entry]:
        """(when it was last updated, its entry with the page's source path as `href`). A unit's
        entry differs from the site's only when the bulletin holds a directive whose shares differ,
        or follow-ups that are not all the unit's: otherwise the site's entry is reused."""
        if view is not None and not self._differs(bulletin, view):
            view = None
        key = (bulletin.rel_path, view.unit_id if view is not None else "")
        if key not in self._facts:
            later = [(self._reported_on(c), d, c) for d in bulletin.directives for c in self._changes(d, view)]
            updated = max([bulletin.date, *(day for day, _, _ in later)])
            issuer = self.catalog.registry.display_name(bulletin.issuer or "", self.labels.language)
            self._facts[key] = (updated, Entry(
                id=atom_id(self.site_name, "bulletin", bulletin.rel_path),
                title=xml_text(self._title(bulletin, [(d, c) for day, d, c in later if day == updated])),
                href=site.bulletin_src(bulletin), published=stamp(bulletin.date), updated=stamp(updated),
                summary=xml_text(self._summary(bulletin, view)), author=xml_text(issuer) if issuer else "",
                category=bulletin.type, category_label=self.labels.TYPES[bulletin.type],
                co_authors=tuple(xml_text(self.catalog.registry.display_name(unit_id, self.labels.language) or "")
                                 for unit_id in bulletin.issuers[1:]),
            ))
        return self._facts[key]

    def _differs(self, bulletin: Bulletin, view: UnitView) -> bool:
        shares = self.catalog.shares
        return (any(not view.holds(f) for f in bulletin.follow_ups)
                or bool(shares) and any(d.id in view.states and d.id in shares for d in bulletin.directives))

    def _reported_on(self, change: Change) -> dt.date:
        return changes.reported_on(change, self.catalog.bulletin_of(change.follow_up))

    def _title(self, bulletin: Bulletin, latest: list[tuple[Directive, Change]]) -> str:
        """The bulletin's title, and when a later follow-up changed one of its directives, what
        the latest report changed (the first change of that day, and how many more)."""
        if not latest:
            return bulletin.title
        directive, change = latest[0]
        what = self.labels("{title}: {changes}", title=directive.title, changes=self._describe(change))
        if len(latest) > 1:
            what = self.labels("{change} (and {count} more)", change=what, count=len(latest) - 1)
        return self.labels("{title} — {change}", title=bulletin.title, change=what)

    def _describe(self, change: Change) -> str:
        return changes.describe(change, self.labels, self.catalog.registry)

    def _summary(self, bulletin: Bulletin, view: UnitView | None = None) -> str:
        """Plain text: the bulletin's own summary, then each directive with its units and the
        deadline and status in force and, a line each, the changes reported since, then what
        each follow-up the bulletin holds changed."""
        follow_ups = bulletin.follow_ups if view is None else [f for f in bulletin.follow_ups if view.holds(f)]
        items = [*bulletin.directives, *follow_ups]
        lines = [bulletin.summary] if bulletin.summary else []
        for item in items[:SUMMARY_LINES]:
            if isinstance(item, FollowUp):
                lines.append(self._follow_up_line(item, view))
            else:
                lines += self._directive_lines(item, view)
        if len(items) > SUMMARY_LINES:
            lines.append(self.labels("… and {count} more", count=len(items) - SUMMARY_LINES))
        return "\n".join(lines) or self.labels.TYPES[bulletin.type]

    def _directive_lines(self, directive: Directive, view: UnitView | None) -> list[str]:
        """The directive's line and a line per change shown, made once per state shown (a unit's
        feed shows most directives as the site's feed does: their lines are made once)."""
        state, shown = self._state(directive, view), self._changes(directive, view)
        key = (directive.id, id(state), bool(shown))
        if key not in self._lines:
            self._lines[key] = (state, [self._directive_line(directive, view), *(
                f"  {self.labels.day(c.follow_up.date)} {self._describe(c)}" for c in shown)])
        return self._lines[key][1]

    def _follow_up_line(self, follow_up: FollowUp, view: UnitView | None = None) -> str:
        """What the follow-up changed, as its directive's history has it (fixed once written,
        unlike the state in force, so this entry's `updated` stays true); in a unit's feed, as
        the unit's share's history has it."""
        directive = self.catalog.directive_of(follow_up)
        change = next((c for c in self._state(directive, view).history if c.follow_up == follow_up), None)
        what = self._describe(change) if change is not None else self.labels("progress reported")
        return self.labels("{follow_up_of} {title}: {changes}", follow_up_of=self.labels("Follow-up of"),
                           title=directive.title, changes=what)

    def _directive_line(self, directive: Directive, view: UnitView | None = None) -> str:
        state = self._state(directive, view)
        units = ", ".join(self._unit_name(u) for u in directive.units)
        if directive.support:
            units = self.labels("{units} (supported by {support})", units=units,
                                support=", ".join(self._unit_name(u) for u in directive.support))
        deadline = self.labels.day(state.deadline) if state.deadline else self.labels("No fixed deadline")
        return self.labels("{title}: {units}; deadline {deadline}; {status}", title=directive.title, units=units,
                           deadline=deadline, status=self.labels.status(state))

    def _unit_name(self, unit_id: str) -> str:
        return self.catalog.registry.display_name(unit_id, self.labels.language) or self.labels.ALL_UNITS
