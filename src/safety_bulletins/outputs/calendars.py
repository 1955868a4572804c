"""Calendars (RFC 5545): open directives on their deadlines and the meetings of notices,
for Outlook and any other calendar program, as files of the build.

`calendar/all.ics` holds every open directive with a deadline and every meeting;
`calendar/<unit id>.ics` the directives the unit and its sub-units are responsible for
(directives to `all` included), and every meeting: notices name their attendees as people
and groups in free text ("Heads of all subsidiaries", "各单位分管安全负责人"), never as units,
so no meeting can be said to concern some units and not others.

Written with the `icalendar` library, which escapes TEXT values and folds lines at 75 octets
of UTF-8 without splitting a character. The same sources and as-of date give the same bytes:
no wall-clock time (DTSTAMP is the as-of date), no random UID, events in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration

from . import site
from ..catalog import Catalog
from ..model import DEFAULT_TIME_ZONE, Bulletin, Directive
from .labels import Labels

PRODID = "-//Safety Bulletins//Deadlines and meetings//EN"
UID_HOST = "safety-bulletins"  # the UIDs' domain when mkdocs.yml has no site_url
MEETING_LENGTH = dt.timedelta(hours=1)  # notices give a start, not an end
# A subscribed calendar is fetched again after this: its deadlines move with the follow-ups.
REFRESH = dt.timedelta(days=1)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# icalendar reads a backslash before n or N as a line break (when writing `\N`, and when
# reading `\\n` back): a word joiner between them keeps the text as the editor wrote it.
_BACKSLASH_N = re.compile(r"\\(?=[nN])")
# Some calendar programs (Google Calendar, Outlook on the web) show a description as HTML:
# editors' angle brackets become full-width ones, so nothing in the file is ever markup.
_MARKUP = str.maketrans({"<": "\uff1c", ">": "\uff1e"})


def plain(text: str) -> str:
    """Editors' text as a calendar may show it: no control characters, no markup."""
    return _BACKSLASH_N.sub("\\\\\u2060", _CONTROL.sub("", text)).translate(_MARKUP)


@dataclass
class Calendars:
    """The calendar files of one build, built once (`files`) for SiteBuild.source_files."""

    catalog: Catalog
    labels: Labels
    directory_urls: bool = True
    site_url: str | None = None  # mkdocs.yml's site_url: absolute links and the subscribe link
    time_zone: str = DEFAULT_TIME_ZONE

    def __post_init__(self):
        if self.site_url and not self.site_url.endswith("/"):
            self.site_url += "/"
        self.host = (urlsplit(self.site_url).hostname if self.site_url else None) or UID_HOST
        self.zone = ZoneInfo(self.time_zone)
        # DTSTAMP says when the event's data was taken: at the as-of date, which decides every
        # deadline and status in it. The wall clock would change the bytes of every build.
        self.stamp = dt.datetime.combine(self.catalog.as_of, dt.time(), dt.timezone.utc)

    @cached_property
    def files(self) -> dict[str, str]:
        """src_uri -> the calendar's text (CRLF line ends, as RFC 5545 wants), all.ics first."""
        files = {site.CALENDAR_ALL: self._calendar(
            "all", f"{self.labels('The whole group')}: {self.labels('Deadlines and meetings')}",
            self._deadlines(self.catalog.directives))}
        for unit in self.catalog.units:
            # what the unit page lists as the unit's own (directives to `all` too), and its sub-units'
            mine = {entry.directive.id: entry.directive
                    for u in (unit.id, *self.catalog.registry.descendants(unit.id))
                    for entry in self.catalog.for_unit(u) if entry.role == "responsible"}
            files[site.calendar_src(unit.id)] = self._calendar(
                unit.id, f"{plain(unit.name)}: {self.labels('Deadlines and meetings')}", self._deadlines(mine.values()))
        return files

    def subscribe_url(self, src_uri: str) -> str | None:
        """The webcal:// address a calendar program subscribes to; None without an http(s) site_url."""
        if not self.site_url or urlsplit(self.site_url).scheme not in ("http", "https"):
            return None
        return "webcal://" + self._absolute(src_uri).split("://", 1)[1]

    def _absolute(self, path: str) -> str:
        return self.site_url + quote(path, safe="/#")

    @cached_property
    def _meeting_events(self) -> list[Event]:
        """Every published bulletin's meeting, past ones too (a calendar keeps its history), by start."""
        meetings = sorted((b for b in self.catalog.bulletins if b.meeting), key=lambda b: (b.meeting.start, b.rel_path))
        return [self._meeting(b) for b in meetings]

    def _deadlines(self, directives: Iterable[Directive]) -> list[Event]:
        """The open directives with a deadline (an ongoing one has no day to be on), by deadline then id."""
        states = self.catalog.states
        chosen = [d for d in directives if not states[d.id].closed and states[d.id].deadline is not None]
        chosen.sort(key=lambda d: (states[d.id].deadline, d.id))
        return [self._events[d.id] for d in chosen]

    @cached_property
    def _events(self) -> dict[str, Event]:
        """One event per open directive, shared by every calendar it is in."""
        events = {}
        for d in self.catalog.directives:
            state = self.catalog.states[d.id]
            if state.closed or state.deadline is None:
                continue
            events[d.id] = self._deadline_event(d)
        return events

    def _deadline_event(self, d: Directive) -> Event:
        state, labels = self.catalog.states[d.id], self.labels
        waiting = state.status == "awaiting-acceptance"
        summary = plain(d.title) + (f" ({labels.STATUSES['awaiting-acceptance']})" if waiting else "")
        units = [plain(self._unit_name(u)) for u in d.units]
        lines = [f"{labels('Units')}: {', '.join(units)}", f"{labels('Status')}: {labels.STATUSES[state.status]}"]
        if waiting:
            lines.append(labels("Done; waiting for acceptance, so not overdue against the unit."))
        if state.extended:
            original = state.original_deadline.isoformat() if state.original_deadline else labels("ongoing")
            lines.append(f"{labels('Deadline')}: {state.deadline.isoformat()} "
                         f"({labels('extended from {date}', date=original)})")
        lines.append(f"{labels('Issued in')}: {plain(d.bulletin.title)} ({d.bulletin.date.isoformat()})")
        page = site.url_for(site.bulletin_src(d.bulletin), self.directory_urls) + "#" + d.id
        url = self._absolute(page) if self.site_url else None
        lines.append(url or f"{labels('On the site')}: {page}")
        # What a client must take as an update: each change of the deadline or of the status
        sequence = sum(1 for change in state.history if change.deadline or change.status)
        return Event.new(
            uid=f"{d.id}@{self.host}", stamp=self.stamp, sequence=sequence, summary=summary,
            start=state.deadline, end=state.deadline + dt.timedelta(days=1), description="\n".join(lines),
            categories=units, url=url,
            transparency="TRANSPARENT",  # a deadline does not make anyone busy all day
        )

    def _meeting(self, b: Bulletin) -> Event:
        labels, meeting = self.labels, b.meeting
        if meeting.start.time() == dt.time():  # a notice giving only the day (see dates.parse_datetime)
            start, end = meeting.start.date(), meeting.start.date() + dt.timedelta(days=1)
        else:
            start = meeting.start.replace(tzinfo=self.zone)
            end = start + MEETING_LENGTH
        lines = []
        if meeting.attendees:
            lines.append(f"{labels('Attendees')}: {', '.join(plain(a) for a in meeting.attendees)}")
        lines.append(f"{labels.TYPES[b.type]}: {plain(b.title)}"
                     + (f" ({plain(b.number)})" if b.number else ""))
        page = site.url_for(site.bulletin_src(b), self.directory_urls)
        url = self._absolute(page) if self.site_url else None
        lines.append(url or f"{labels('On the site')}: {page}")
        return Event.new(
            uid=f"{posixpath.splitext(b.rel_path)[0]}-meeting@{self.host}", stamp=self.stamp, summary=f"{labels('Meeting')}: {plain(b.title)}",
            start=start, end=end, location=plain(meeting.place) or None, description="\n".join(lines), url=url,
        )

    def _unit_name(self, unit_id: str) -> str:
        unit = self.catalog.registry.units.get(unit_id)
        return unit.name if unit else self.labels.ALL_UNITS

    @cached_property
    def _time_zone(self) -> Timezone | None:
        """The VTIMEZONE of the meetings' TZID, from the zone's rules since the first timed meeting."""
        starts = [e.start for e in self._meeting_events if isinstance(e.start, dt.datetime)]
        return Timezone.from_tzid(self.time_zone, first_date=min(starts).date()) if starts else None

    def _calendar(self, key: str, name: str, deadlines: list[Event]) -> str:
        calendar = Calendar.new(prodid=PRODID, name=name, refresh_interval=REFRESH, uid=f"calendar-{key}@{self.host}")
        calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # required by RFC 7986
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))  # Outlook's name for it
        if self._time_zone is not None:
            calendar.add_component(self._time_zone)  # before the events that name it
        for event in deadlines + self._meeting_events:
            calendar.add_component(event)
        return calendar.to_ical().decode("utf-8")
