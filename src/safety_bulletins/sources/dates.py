"""Dates as editors write them, deadlines, and the buckets directives fall into."""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo

from ..model import DEFAULT_TIME_ZONE


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})$")
_RELATIVE = re.compile(r"^\+(\d+)([dw])$")
# A build is stamped with its as-of date (MkDocs' SOURCE_DATE_EPOCH), and gzip stores the
# sitemap's stamp as unsigned 32-bit seconds since 1970: outside these days MkDocs crashes.
AS_OF_FIRST = dt.date(1970, 1, 1)
AS_OF_LAST = dt.date(2106, 2, 7)


class DateError(ValueError):
    """A date that is malformed or does not exist; the message says which."""


def _shown(text: str, limit: int = 40) -> str:
    """A value for a message, quoted and cut short: the message must stay readable."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} characters)"


def parse_date(value: object) -> dt.date:
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        raise DateError(f"{_shown(text)} is not a date: write it as YYYY-MM-DD, e.g. 2021-06-30")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"{_shown(text)} is not a real date ({exc})") from None


def parse_datetime(value: object) -> dt.datetime:
    text = str(value).strip()
    match = _DATETIME.match(text)
    if not match:
        day = parse_date(text)  # a bare date is a meeting with no time yet
        return dt.datetime(day.year, day.month, day.day)
    day = parse_date(match.group(1))
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise DateError(f"{_shown(text)} has an impossible time: write it as YYYY-MM-DD HH:MM, e.g. 2021-06-01 09:30")
    return dt.datetime(day.year, day.month, day.day, hour, minute)


def parse_deadline(value: object, issued: dt.date) -> dt.date | None:
    """A date, `ongoing` (None), or +Nd / +Nw counted from the bulletin's date."""
    text = str(value).strip()
    if text.lower() == "ongoing":
        return None
    relative = _RELATIVE.match(text)
    if relative:
        # As ASCII digits (an IME may type full-width ones), without leading zeros: no date is
        # ten thousand million days after another, so a longer number is never converted.
        digits = "".join(str(int(c)) for c in relative.group(1)).lstrip("0") or "0"
        try:
            if len(digits) > 10:
                raise OverflowError
            return issued + dt.timedelta(days=int(digits) * (7 if relative.group(2) == "w" else 1))
        except OverflowError:
            raise DateError(
                f"{_shown(text)} from the bulletin's date {issued.isoformat()} falls after {dt.date.max.isoformat()}, "
                "the last date there is: write the deadline as a date (YYYY-MM-DD), or 'ongoing' if it has none"
            ) from None
    try:
        return parse_date(text)
    except DateError:
        raise DateError(
            f"{_shown(text)} is not a deadline: write YYYY-MM-DD (e.g. 2021-06-30), 'ongoing', "
            "or a time from the bulletin's date such as +14d or +2w"
        ) from None


def as_of_date(environ: os._Environ | dict | None = None, time_zone: str = DEFAULT_TIME_ZONE) -> dt.date:
    """Today where the site is (its `time_zone`, an IANA name), or BULLETINS_TODAY=YYYY-MM-DD
    (for reproducible builds and tests). Never the build machine's own zone: a runner in UTC,
    or ahead of China, would lift an embargo hours late or early."""
    environ = os.environ if environ is None else environ
    value = environ.get("BULLETINS_TODAY")
    if not value:
        return dt.datetime.now(zoneinfo.ZoneInfo(time_zone)).date()
    try:
        day = parse_date(value)
    except DateError as exc:
        raise DateError(f"BULLETINS_TODAY: {exc}") from None
    if not AS_OF_FIRST <= day <= AS_OF_LAST:
        raise DateError(
            f"BULLETINS_TODAY: {day.isoformat()} is outside the dates a site can be built for, "
            f"{AS_OF_FIRST.isoformat()} to {AS_OF_LAST.isoformat()}: set a date in that range, "
            "or unset BULLETINS_TODAY to use today"
        )
    return day
