"""Calendars (RFC 5545): open directives on their deadlines and the meetings of notices,
for Outlook and any other calendar program, as files of the build.

`calendar/all.ics` holds every open directive with a deadline and the meetings (those of the
past year and to come); `calendar/<unit id>.ics` the directives the unit and its sub-units are
responsible for (directives to `all` included), and the same meetings: notices name their
attendees as people and groups in free text ("Heads of all subsidiaries", "各单位分管安全负责人"),
never as units, so no meeting can be said to concern some units and not others.

The calendar's head and the VTIMEZONE (from zoneinfo's rules) come from the `icalendar`
library; the events are written here (see `_vevent`: thousands of them, once each). The same
sources and as-of date give the same bytes: no wall-clock time (DTSTAMP is the as-of date),
no random UID, events in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vDuration

from . import changes, site
from .. import fields
from ..catalog import Catalog
from ..model import DEFAULT_TIME_ZONE, Bulletin, Directive
from ..sources.paths import readable_url
from .labels import Labels

PRODID = "-//Safety Bulletins//Deadlines and meetings//EN"
# The UIDs' domain, whatever the site's address: a subscribed calendar matches events by UID, so
# moving the site to another host (site_url) must not turn every event into a new one
UID_HOST = "safety-bulletins"
MEETING_LENGTH = dt.timedelta(hours=1)  # of a meeting whose notice gives no `meeting: end:`
# A subscribed calendar is fetched again after this: its deadlines move with the follow-ups.
REFRESH = dt.timedelta(days=1)
PAST_MEETINGS = dt.timedelta(days=365)  # how long a meeting stays in the calendars after it took place
TIME_ZONE_YEARS = dt.timedelta(days=3653)  # the span of the VTIMEZONE's rules from the first meeting
DAY = dt.timedelta(days=1)
TIME_ZONE_END = dt.date(9998, 1, 1)  # icalendar's walk through a zone's rules overflows near 9999-12-31
_END = "END:VCALENDAR\r\n"
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
    urls: site.UrlRule  # MkDocs' rule for where each file goes and its URL
    site_url: str | None = None  # mkdocs.yml's site_url: absolute links and the subscribe link
    time_zone: str = DEFAULT_TIME_ZONE

    def __post_init__(self):
        if self.site_url and not self.site_url.endswith("/"):
            self.site_url += "/"
        self.host = UID_HOST
        ZoneInfo(self.time_zone)  # a zone zoneinfo does not know fails here (settings.py checks mkdocs.yml's)
        # DTSTAMP says when the event's data was taken: at the as-of date, which decides every
        # deadline and status in it. The wall clock would change the bytes of every build.
        self.stamp = _date(self.catalog.as_of) + "T000000Z"

    @cached_property
    def files(self) -> dict[str, str]:
        """src_uri -> the calendar's text (CRLF line ends, as RFC 5545 wants), all.ics first."""
        return dict(self.texts())

    def sources(self) -> list[str]:
        """The src_uri of each calendar `texts` makes, in its order, without making them."""
        return [site.CALENDAR_ALL, *(site.calendar_src(unit.id) for unit in self.catalog.units)]

    def texts(self) -> Iterator[tuple[str, str]]:
        """(src_uri, text) of each calendar, one at a time: at 10,000 bulletins they are tens
        of megabytes together, which a build need not hold (SiteBuild writes each and lets go)."""
        yield site.CALENDAR_ALL, self._calendar(
            "all", f"{self.labels('The whole group')}: {self.labels('Deadlines and meetings')}",
            self._deadlines(self.catalog.directives))
        for unit in self.catalog.units:
            # what the unit page lists as the unit's own (directives to `all` too), and its sub-units'
            mine = [entry for entry in self.catalog.rollup(unit.id) if entry.role == "responsible"]
            yield site.calendar_src(unit.id), self._calendar(
                unit.id, f"{plain(unit.name_in(self.labels.language))}: {self.labels('Deadlines and meetings')}",
                self._unit_deadlines(mine, unit.id))

    def subscribe_url(self, src_uri: str) -> str | None:
        """The webcal:// address a calendar program subscribes to; None without an http(s) site_url."""
        if not self.site_url or urlsplit(self.site_url).scheme not in ("http", "https"):
            return None
        return "webcal://" + self._absolute(src_uri).split("://", 1)[1]

    def _absolute(self, path: str) -> str:
        # a page's URL is percent-encoded already (MkDocs' rule): its anchor is not
        return _CONTROL.sub("", self.site_url) + quote(path, safe="/#%")

    @cached_property
    def _meetings(self) -> list[Bulletin]:
        """The meetings of published notices from a year before the as-of date on, by start: the
        past year's stay in the calendar (what was decided, with whom), older ones are on the site."""
        since = _shifted(self.catalog.as_of, -PAST_MEETINGS) or dt.date.min
        return sorted((b for b in self.catalog.bulletins if b.meeting and b.meeting.start.date() >= since),
                      key=lambda b: (b.meeting.start, b.rel_path))

    @cached_property
    def _meeting_events(self) -> list[str]:
        return [self._meeting(b) for b in self._meetings]

    def _deadlines(self, directives: Iterable[Directive]) -> list[str]:
        """The open directives with a deadline (an ongoing one has no day to be on), by deadline then id."""
        events = self._events
        return [events[i] for i in sorted((d.id for d in directives if d.id in events), key=self._rank.__getitem__)]

    def _unit_deadlines(self, entries, unit_id: str) -> list[str]:
        """A unit's calendar: the directive's event, or where its shares differ, the unit's share's
        (its own deadline in force; none once its share is closed), by deadline then id. Each names
        the 责任人 of the units whose work it is here (the unit, or its sub-units holding it)."""
        events, states, chosen = self._events, self.catalog.states, []
        for entry in entries:
            d = entry.directive
            holders = entry.units or (unit_id,)
            if entry.share and d.id in self.catalog.shares:
                state = self.catalog.share(d, entry.share)
                if not state.closed and state.deadline is not None:
                    chosen.append(((state.deadline, d.id), self._deadline_event(d, state, entry.share)))
            elif entry.units and d.id in self.catalog.shares:  # a roll-up: the shares of the units holding it
                state = self.catalog.entry_state(entry)
                if not state.closed and state.deadline is not None:
                    chosen.append(((state.deadline, d.id), self._deadline_event(d, state, people_of=holders)))
            elif d.id in events:
                # a person per unit: the event (its UID the directive's) names this unit's, not every unit's
                event = events[d.id] if not d.owners else self._deadline_event(d, people_of=holders)
                chosen.append(((states[d.id].deadline, d.id), event))
        return [event for _, event in sorted(chosen, key=lambda item: item[0])]

    @cached_property
    def _events(self) -> dict[str, str]:
        """One VEVENT per open directive, as text, shared by every calendar it is in."""
        states = self.catalog.states
        chosen = [d for d in self.catalog.directives if not states[d.id].closed and states[d.id].deadline is not None]
        chosen.sort(key=lambda d: (states[d.id].deadline, d.id))
        return {d.id: self._deadline_event(d) for d in chosen}

    @cached_property
    def _rank(self) -> dict[str, int]:
        return {directive_id: n for n, directive_id in enumerate(self._events)}

    def _deadline_event(self, d: Directive, state=None, unit: str = "", people_of: tuple[str, ...] = ()) -> str:
        """A directive's event; with `unit`, that unit's share of it (`state`), its own UID. It names
        the 责任人 of `people_of` (default: the unit, else every unit of the directive) and the 责任领导."""
        state, labels = state or self.catalog.states[d.id], self.labels
        waiting = state.status == "awaiting-acceptance"
        summary = plain(d.title) + (f" ({labels.STATUSES['awaiting-acceptance']})" if waiting else "")
        units = [plain(self._unit_name(u)) for u in ((unit,) if unit else d.units)]
        lines = [f"{labels('Units')}: {', '.join(units)}", f"{labels('Status')}: {labels.STATUSES[state.status]}"]
        lines += self._people(d, people_of or ((unit,) if unit else d.units))
        grade = fields.by_name(fields.DIRECTIVE, "grade")
        if d.grade:  # a major hidden danger is what a unit head looks for first in the calendar too
            lines.append(f"{labels.field(grade)}: {labels.choice(grade, d.grade)}")
        if state.escalated:
            escalation = changes.escalation_text(state.escalation, labels, self.catalog.registry)
            lines.append(labels("Under supervision (escalated)") + (f": {plain(escalation)}" if escalation else ""))
        if waiting:
            lines.append(labels("Done; waiting for acceptance, so not overdue against the unit."))
        if state.extended:
            original = state.original_deadline.isoformat() if state.original_deadline else labels("ongoing")
            lines.append(f"{labels('Deadline')}: {state.deadline.isoformat()} "
                         f"({labels('extended from {date}', date=original)})")
        if state.history:  # what the follow-ups changed, as the card's history says it
            lines.append(f"{labels('History')}:")
            lines += [f"{change.follow_up.date.isoformat()} "
                      f"{plain(changes.describe(change, labels, self.catalog.registry))}" for change in state.history]
        start, rule, skipped = state.deadline, None, None
        if state.recurrence is not None:
            # One series from the first occurrence to `until`, whatever is missed: a subscribed
            # calendar keeps the same DTSTART and RRULE from one day to the next (a series that
            # restarted after each missed month was a new series each time). A missed occurrence
            # is left out of it (EXDATE) and is an overdue event of its own below, until reported.
            lines.append(f"{labels('Deadline')}: {plain(state.deadline_written)}")
            if state.missed_periods:
                lines.append(labels("missed {periods}", periods=", ".join(p for p, _ in state.missed_periods)))
            start = state.original_deadline or state.deadline
            until = f";UNTIL={state.until:%Y%m%d}" if state.until else ""
            rule = state.recurrence.rrule() + until
            skipped = ",".join(_date(day) for _, day in state.missed_periods) or None
        lines.append(f"{labels('Issued in')}: {plain(d.bulletin.title)} ({d.bulletin.date.isoformat()})")
        page = self.urls.url(site.bulletin_src(d.bulletin)) + "#" + d.id
        url = self._absolute(page) if self.site_url else None
        lines.append(url or f"{labels('On the site')}: {readable_url(page)}")  # Outlook shows no URL property
        # What a client must take as an update: each change of the deadline or of the status
        sequence = sum(1 for change in state.history if change.deadline or change.status)
        uid = f"{d.id}{'.' + unit if unit else ''}"

        def event(key: str, day: dt.date, rule: str | None, summary: str) -> str:
            return _vevent([
                ("UID", _text(f"{key}@{self.host}")), ("DTSTAMP", self.stamp), ("SEQUENCE", str(sequence)),
                ("DTSTART;VALUE=DATE", _date(day)),
                ("DTEND;VALUE=DATE", _date(_shifted(day, DAY))), ("RRULE", rule),
                ("EXDATE;VALUE=DATE", skipped if rule else None),
                ("SUMMARY", _text(summary)), ("DESCRIPTION", _text("\n".join(lines))),
                ("CATEGORIES", ",".join(map(_text, units))), ("URL", url),
                ("TRANSP", "TRANSPARENT"),  # a deadline does not make anyone busy all day
            ])

        # A missed occurrence of a recurring duty is overdue on its own day (the series goes on from
        # the next one): an event each, its UID the duty's and the period's, gone once it is reported
        missed = [event(f"{uid}.{period}", day, None, f"{summary} ({labels('missed {periods}', periods=period)})")
                  for period, day in (state.missed_periods if state.recurrence is not None else ())]
        return "".join(missed) + event(uid, start, rule, summary)

    def _people(self, d: Directive, unit_ids: tuple[str, ...]) -> list[str]:
        """The lines naming who answers: 责任人 (one, or each unit's by name) and 责任领导."""
        labels, lines = self.labels, []
        owners = [(u, d.owner_of(u)) for u in unit_ids if d.owner_of(u)]
        if len({person for _, person in owners}) == 1 and (len(unit_ids) == 1 or not d.owners):
            lines.append(f"{labels('Owner')}: {plain(owners[0][1])}")
        elif owners:
            lines.append(f"{labels('Owner per unit')}: " + labels.join(
                labels("{unit}: {person}", unit=plain(self._unit_name(u)), person=plain(person)) for u, person in owners))
        if d.details.get("leader"):
            lines.append(f"{labels('Responsible leader')}: {plain(d.details['leader'])}")
        return lines

    def _meeting(self, b: Bulletin) -> str:
        labels, meeting = self.labels, b.meeting
        if meeting.start.time() == dt.time():  # a notice giving only the day (see dates.parse_datetime)
            start = ("DTSTART;VALUE=DATE", _date(meeting.start.date()))
            last_day = (meeting.end or meeting.start).date()  # `meeting: end:` a later day: over several days
            end = ("DTEND;VALUE=DATE", _date(_shifted(last_day, DAY)))
        else:  # local times of the site's zone: its VTIMEZONE is in the file
            start = (f"DTSTART;TZID={self.time_zone}", _date_time(meeting.start))
            end_time = meeting.end or _shifted(meeting.start, MEETING_LENGTH)  # an hour when no end is written
            end = (f"DTEND;TZID={self.time_zone}", end_time and _date_time(end_time))
        lines = []
        if meeting.attendees:
            lines.append(f"{labels('Attendees')}: {', '.join(plain(a) for a in meeting.attendees)}")
        lines.append(f"{labels.TYPES[b.type]}: {plain(b.title)}" + (f" ({plain(b.number)})" if b.number else ""))
        page = self.urls.url(site.bulletin_src(b))
        url = self._absolute(page) if self.site_url else None
        lines.append(url or f"{labels('On the site')}: {readable_url(page)}")
        return _vevent([
            ("UID", _text(f"{posixpath.splitext(b.rel_path)[0]}-meeting@{self.host}")), ("DTSTAMP", self.stamp),
            start, end, ("SUMMARY", _text(f"{labels('Meeting')}: {plain(b.title)}")),
            ("LOCATION", _text(plain(meeting.place)) or None), ("DESCRIPTION", _text("\n".join(lines))), ("URL", url),
        ])

    def _unit_name(self, unit_id: str) -> str:
        return self.catalog.registry.display_name(unit_id, self.labels.language) or self.labels.ALL_UNITS

    @cached_property
    def _time_zone(self) -> str:
        """The VTIMEZONE of the meetings' TZID, from the zone's rules since the first timed meeting
        (icalendar makes it from zoneinfo), or "" without one."""
        starts = [b.meeting.start.date() for b in self._meetings if b.meeting.start.time() != dt.time()]
        if not starts:
            return ""
        # Its rules from the first meeting for at most ten years: icalendar walks every change of
        # offset, and a meeting dated in the year 9999 must not cost minutes (nor overflow its
        # search, which looks 64 days ahead). Later meetings keep the last rule, which is right
        # for zones without daylight saving time such as China's.
        first = min(starts)
        last = min(max(starts) + DAY if max(starts) < TIME_ZONE_END else TIME_ZONE_END,
                   _shifted(first, TIME_ZONE_YEARS) or TIME_ZONE_END, TIME_ZONE_END)
        first = min(first, last - 2 * DAY)
        return Timezone.from_tzid(self.time_zone, first_date=first, last_date=last).to_ical().decode("utf-8")

    def _calendar(self, key: str, name: str, deadlines: list[str]) -> str:
        """The calendar's own properties (icalendar), its VTIMEZONE before the events that name it,
        then the events, each written once for every calendar it is in."""
        calendar = Calendar.new(prodid=PRODID, name=name, refresh_interval=REFRESH, uid=f"calendar-{key}@{self.host}")
        calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # required by RFC 7986
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))  # Outlook's name for it
        head = calendar.to_ical().decode("utf-8")
        assert head.endswith(_END)
        return "".join((head[: -len(_END)], self._time_zone, *deadlines, *self._meeting_events, _END))


# The events are written here, not with icalendar's Event: at 2,000 bulletins (3,000 open
# directives) its objects and its folding, character by character, cost seconds per build.
# The tests read every file back with icalendar and import one into calcurse.


def _date(day: dt.date | None) -> str | None:
    return day and day.isoformat().replace("-", "")  # not strftime: "%Y" of the year 1 is "1"


def _date_time(moment: dt.datetime) -> str:
    return f"{_date(moment.date())}T{moment.hour:02d}{moment.minute:02d}00"


def _shifted(moment, delta: dt.timedelta):
    """`moment + delta`, or None past the end (or start) of the calendar: a deadline of
    9999-12-31 has no next day, so its event has no DTEND (RFC 5545: it lasts the day)."""
    try:
        return moment + delta
    except OverflowError:
        return None


def _text(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _vevent(properties: list[tuple[str, str | None]]) -> str:
    lines = ["BEGIN:VEVENT\r\n"]
    lines += [_fold(f"{name}:{value}") for name, value in properties if value]
    lines.append("END:VEVENT\r\n")
    return "".join(lines)


def _fold(line: str) -> str:
    """A content line folded at 75 octets of UTF-8 (RFC 5545, 3.1): never inside a character,
    nor between a backslash and the character it escapes (some readers would not undo it)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts, start, limit = [], 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to the character's start
            cut -= 1
        backslashes = 0
        while cut - 1 - backslashes >= start and data[cut - 1 - backslashes] == 0x5C:
            backslashes += 1
        cut -= backslashes % 2  # an odd run ends with an escape's backslash: keep it with its character
        parts.append(data[start:cut])
        start, limit = cut, 74  # a continuation line starts with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8") + "\r\n"
