"""Dates as editors write them, deadlines, and the buckets directives fall into."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass

from ..model import DEFAULT_TIME_ZONE, IMMEDIATE, DueWindows
from ..recurrence import LAST_DAY, MONTHLY, QUARTERLY, WEEKLY, YEARLY, Recurrence


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


# Standing orders (长期坚持): no deadline, in force until cancelled
STANDING = ("ongoing", "长期坚持", "长期", "持续", "长期执行")
# Urgent: due within the site's `immediately_days` of the bulletin's date
IMMEDIATELY_DAYS = DueWindows.immediately  # the default of `extra: bulletins: immediately_days`
_BEFORE = r"(?:之前|以前|前)?"  # 前, 之前, 以前 add nothing: "by" the day, the day included
_MONTH_END = re.compile(rf"^(?:本|今)?月底{_BEFORE}$")
_YEAR_END = re.compile(rf"^(?:本|今)?年底{_BEFORE}$|^(?:本|今)?年末{_BEFORE}$")
_NAMED_MONTH_END = re.compile(rf"^(?:(\d{{4}})年)?(\d{{1,2}})月(?:底|末){_BEFORE}$")
_FULL_DATE = re.compile(rf"^(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})[日号]{_BEFORE}$")
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})月(\d{{1,2}})[日号]{_BEFORE}$")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH_NAME = r"([a-z]{3,9})"
_EN_MONTH_END = re.compile(rf"^(?:by )?(?:the )?end of (?:the )?(?:(this )?month|{_MONTH_NAME})$")
_EN_YEAR_END = re.compile(r"^(?:by )?(?:the )?end of (?:the |this )?year$")
_EN_DAY_MONTH = re.compile(rf"^(?:by )?(\d{{1,2}}) {_MONTH_NAME}$|^(?:by )?{_MONTH_NAME} (\d{{1,2}})$")
# Forms whose day depends on the place or the lunar calendar: the site cannot know it
_PLACE_OR_CALENDAR = re.compile(r"汛期|雨季|春节|节前|节后|国庆|元旦|中秋|端午|清明|五一|冬季|入冬|冬季前|夏季|"
                                r"开春|春季|秋季|两会|年前|假期|before (?:the )?(?:flood|rainy|spring festival|"
                                r"national day|winter|summer|holiday)")
# Recurring duties: each period is an occurrence with its own deadline (recurrence.Recurrence)
_WEEKDAY_ZH = "一二三四五六日"
_WEEKDAY_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EVERY_MONTH_DAY = re.compile(rf"^每(?:个)?月(\d{{1,2}})[日号]{_BEFORE}$|^monthly by the (\d{{1,2}})(?:st|nd|rd|th)?$|"
                              rf"^(?:by )?the (\d{{1,2}})(?:st|nd|rd|th)? of (?:each|every) month$")
_EVERY_MONTH_END = re.compile(rf"^每(?:个)?月(?:底|末){_BEFORE}$|^(?:by )?(?:the )?end of (?:each|every) month$")
_EVERY_QUARTER_END = re.compile(rf"^每(?:个)?季(?:度)?(?:末|底){_BEFORE}$|^(?:by )?(?:the )?end of (?:each|every) quarter$")
_EVERY_WEEKDAY = re.compile(rf"^每(?:周|星期|礼拜)([一二三四五六日天]){_BEFORE}$|^(?:every|each) ([a-z]+)$|^weekly on ([a-z]+)$")
_EVERY_YEAR_DAY = re.compile(rf"^每年(\d{{1,2}})月(\d{{1,2}})[日号]{_BEFORE}$|"
                             rf"^(?:yearly|annually|every year) by (\d{{1,2}}) {_MONTH_NAME}$|"
                             rf"^(?:yearly|annually|every year) by {_MONTH_NAME} (\d{{1,2}})$")
_EVERY_YEAR_END = re.compile(rf"^每年(?:底|末){_BEFORE}$|^(?:by )?(?:the )?end of (?:each|every) year$")
_RECURRING = re.compile(r"^每|\b(?:each|every)\b|^逐月|^按月|^按季|^按周|^按年|^(?:every|each)\b|^(?:monthly|weekly|quarterly|yearly|"
                        r"annually|daily)\b")


@dataclass(frozen=True)
class Deadline:
    """A deadline as read: its date (None: a standing order), the words the editor wrote when
    they are not a date (kept for the card: 10月底前, 立即), and a note when the reading is
    not the obvious one (a day that has passed this year is next year's)."""

    date: dt.date | None
    written: str = ""
    immediate: bool = False
    note: str = ""
    recurrence: Recurrence | None = None  # a recurring duty: `date` is its first occurrence

    @property
    def standing(self) -> bool:
        return self.date is None


def read_deadline(value: object, issued: dt.date, immediately_days: int = IMMEDIATELY_DAYS) -> Deadline:
    """A deadline as documents write it, counted from the bulletin's date `issued`:
    a date (2026-12-15, 2026年12月15日前), a standing order (长期坚持, ongoing), 立即/immediately,
    a month's or the year's end (月底前, 10月底前, 年底前, end of October), a day of the
    bulletin's year (12月15日前, by 15 December), or +Nd / +Nw."""
    raw = str(value).strip()
    text = " ".join(unicodedata.normalize("NFKC", raw).split())  # full-width digits and spaces as typed by an IME
    if _DATE.match(text) or _RELATIVE.match(text):  # the usual forms first: a build reads thousands
        return Deadline(_relative_or_date(text, raw, issued), "")
    lower = text.lower()
    if lower in STANDING:
        return Deadline(None, raw)
    if lower in IMMEDIATE:
        return Deadline(_after(issued, immediately_days, raw), raw, immediate=True)
    if _MONTH_END.match(text) or (_EN_MONTH_END.match(lower) and not _EN_MONTH_END.match(lower).group(2)):
        return Deadline(_month_end(issued.year, issued.month), raw)
    if _YEAR_END.match(text) or _EN_YEAR_END.match(lower):
        return Deadline(dt.date(issued.year, 12, 31), raw)
    named = _NAMED_MONTH_END.match(text)
    english = _EN_MONTH_END.match(lower)
    if named or (english and english.group(2)):
        year = int(named.group(1)) if named and named.group(1) else issued.year
        month = int(named.group(2)) if named else _month(english.group(2), raw)
        if not 1 <= month <= 12:
            raise DateError(f"{_shown(raw)} names month {month}, which does not exist: write 1月 to 12月")
        day = _real(raw, year, month, 1)
        day = _month_end(year, month)
        if day < issued:
            raise DateError(
                f"{_shown(raw)} is {day.isoformat()}, which had already passed on the bulletin's date "
                f"{issued.isoformat()}: write the deadline as a date (YYYY-MM-DD) of the year it means")
        return Deadline(day, raw)
    full = _FULL_DATE.match(text)
    if full:
        return Deadline(_real(raw, *(int(g) for g in full.groups())), raw)
    day_month = _DAY_MONTH.match(text)
    english = _EN_DAY_MONTH.match(lower)
    if day_month or english:
        if day_month:
            month, day = int(day_month.group(1)), int(day_month.group(2))
        elif english.group(1):
            month, day = _month(english.group(2), raw), int(english.group(1))
        else:
            month, day = _month(english.group(3), raw), int(english.group(4))
        return _next_such_day(raw, month, day, issued)
    if _RECURRING.search(lower):
        rule = read_recurrence(text, raw)
        first = rule.first_on_or_after(issued)
        if first is None:
            raise DateError(f"{_shown(raw)} has no occurrence after the bulletin's date {issued.isoformat()}")
        return Deadline(first, raw, recurrence=rule)
    if _PLACE_OR_CALENDAR.search(lower):
        raise DateError(f"{_shown(raw)} depends on the place or the calendar, which the site cannot know: "
                        "write the date the document means, e.g. 2027-01-15 or 1月15日前")
    return Deadline(_relative_or_date(text, raw, issued), "")


def read_recurrence(text: str, raw: str) -> Recurrence:
    """The rule of a recurring duty (每月5日前, 每季度末, 每周一, 每年12月31日前, and English)."""
    lower = text.lower()
    if match := _EVERY_MONTH_DAY.match(lower):
        day = int(next(g for g in match.groups() if g))
        if not 1 <= day <= 28:
            raise DateError(f"{_shown(raw)}: not every month has day {day}: write 1日 to 28日, or 每月底前 "
                            "('end of each month') for each month's last day")
        return Recurrence(MONTHLY, day)
    if _EVERY_MONTH_END.match(lower):
        return Recurrence(MONTHLY, LAST_DAY)
    if _EVERY_QUARTER_END.match(lower):
        return Recurrence(QUARTERLY, LAST_DAY)
    if match := _EVERY_WEEKDAY.match(lower):
        if match.group(1):
            return Recurrence(WEEKLY, _WEEKDAY_ZH.index(match.group(1).replace("天", "日")))
        name = match.group(2) or match.group(3)
        if name in _WEEKDAY_EN:
            return Recurrence(WEEKLY, _WEEKDAY_EN.index(name))
    if match := _EVERY_YEAR_DAY.match(lower):
        if match.group(1):
            month, day = int(match.group(1)), int(match.group(2))
        elif match.group(3):
            month, day = _month(match.group(4), raw), int(match.group(3))
        else:
            month, day = _month(match.group(5), raw), int(match.group(6))
        _real(raw, 2001, month, day)  # 2月29日 is no yearly day: most years have none
        return Recurrence(YEARLY, day, month)
    if _EVERY_YEAR_END.match(lower):
        return Recurrence(YEARLY, 31, 12)
    raise DateError(f"{_shown(raw)} is a recurring duty the site cannot read: write 每月5日前, 每月底前, 每季度末, "
                    "每周一, 每年12月31日前 (or 'monthly by the 5th', 'end of each month', 'end of each quarter', "
                    "'every Monday', 'yearly by 31 December')")


def _after(issued: dt.date, days: int, raw: str) -> dt.date:
    try:
        return issued + dt.timedelta(days=days)
    except OverflowError:
        raise DateError(f"{_shown(raw)} from the bulletin's date {issued.isoformat()} falls after "
                        f"{dt.date.max.isoformat()}, the last date there is: write the deadline as a date") from None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month(name: str, raw: str) -> int:
    for number, month in enumerate(_MONTHS, start=1):
        if len(name) >= 3 and month.startswith(name):
            return number
    raise DateError(f"{_shown(raw)} names no month: write it in full, e.g. 'end of October' or 'by 15 December'")


def _real(raw: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"{_shown(raw)} is not a real date ({exc})") from None


def _next_such_day(raw: str, month: int, day: int, issued: dt.date) -> Deadline:
    """A day and month without a year: in the bulletin's year, or the next year's when it has
    already passed on the bulletin's date, with a note saying which date was understood."""
    _real(raw, 2000, month, day)  # a day no year has (2月30日) is an error of its own
    for year in (issued.year, issued.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # 2月29日 outside a leap year, or after 9999
            continue
        if candidate >= issued:
            note = "" if year == issued.year else (
                f"{raw} is read as {candidate.isoformat()}: {month:02d}-{day:02d} of {issued.year} had "
                f"already passed on the bulletin's date {issued.isoformat()}")
            return Deadline(candidate, raw, note=note)
    leap = " (February 29 comes only in leap years)" if (month, day) == (2, 29) else ""
    raise DateError(f"{_shown(raw)} is in neither {issued.year} nor {issued.year + 1} on or after the bulletin's "
                    f"date {issued.isoformat()}{leap}: write the deadline as a date")


def _relative_or_date(text: str, raw: str, issued: dt.date) -> dt.date:
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
                f"{_shown(raw)} from the bulletin's date {issued.isoformat()} falls after {dt.date.max.isoformat()}, "
                "the last date there is: write the deadline as a date (YYYY-MM-DD), or 'ongoing' if it has none"
            ) from None
    try:
        return parse_date(text)
    except DateError:
        raise DateError(
            f"{_shown(raw)} is not a deadline: write YYYY-MM-DD (e.g. 2021-06-30), 10月底前, 12月15日前, 年底前, "
            "立即, 长期坚持 ('ongoing'), or a time from the bulletin's date such as +14d or +2w"
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
