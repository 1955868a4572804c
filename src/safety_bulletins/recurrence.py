"""A recurring duty's rule (每月5日前, 每季度末, 每周一, 每年12月31日前): its occurrences, the
period that names each one (2026-11, 2026-Q4, 2026-W48, 2026) and its RFC 5545 RRULE.

Plain date arithmetic at the bottom layer: `sources/dates.py` reads the rule as documents
write it, `state.py` tracks each occurrence, the outputs show and export it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

MONTHLY, QUARTERLY, WEEKLY, YEARLY = "monthly", "quarterly", "weekly", "yearly"
LAST_DAY = -1  # of the month
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PERIOD = {
    MONTHLY: (re.compile(r"^(\d{4})-(\d{2})$"), "2026-11 (year and month)"),
    QUARTERLY: (re.compile(r"^(\d{4})-Q([1-4])$"), "2026-Q4 (year and quarter)"),
    WEEKLY: (re.compile(r"^(\d{4})-W(\d{2})$"), "2026-W48 (year and ISO week)"),
    YEARLY: (re.compile(r"^(\d{4})$"), "2026 (the year)"),
}


# A period as documents write it (2026年12月, 2026年十二月, 2026年第4季度, 2026年四季度, 2026年第48周, 2026年, 2026年度)
_CHINESE_MONTHS = {name: n for n, name in enumerate("一 二 三 四 五 六 七 八 九 十 十一 十二".split(), start=1)}
_WRITTEN_PERIOD = (
    (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月份?$"), lambda y, n: f"{y}-{int(n):02d}"),
    (re.compile(r"^(\d{4})\s*年\s*(十[一二]?|[一二三四五六七八九])\s*月份?$"), lambda y, n: f"{y}-{_CHINESE_MONTHS[n]:02d}"),
    (re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?$"), lambda y, n: f"{y}-Q{'一二三四'.find(n) + 1 or n}"),
    (re.compile(r"^(\d{4})\s*年\s*第\s*(\d{1,2})\s*周$"), lambda y, n: f"{y}-W{int(n):02d}"),
    (re.compile(r"^(\d{4})\s*年度?$"), lambda y: y),
)


def period_name(written: str) -> str:
    """A follow-up's `period:` as a period's name (2026-12, 2026-Q4, 2026-W48, 2026), whether the
    document writes it so or as Chinese documents do (2026年12月, 2026年第4季度, 2026年); other
    text as it is (the occurrence check then says what to write)."""
    text = unicodedata.normalize("NFKC", written).strip()  # full-width digits: ２０２６年
    for pattern, name in _WRITTEN_PERIOD:
        match = pattern.match(text)
        if match:
            return name(*match.groups())
    return written.strip()


@dataclass(frozen=True)
class Recurrence:
    """`freq` with its day: monthly (day of the month, or LAST_DAY), quarterly (the quarter's last
    day), weekly (day 0 = Monday ... 6 = Sunday), yearly (`month` and `day`)."""

    freq: str
    day: int = LAST_DAY
    month: int = 0

    def due_in(self, year: int, index: int) -> dt.date:
        """The occurrence of the `index`-th period of `year` (month 1-12, quarter 1-4, ISO week, or 1)."""
        if self.freq == WEEKLY:
            return dt.date.fromisocalendar(year, index, self.day + 1)
        if self.freq == YEARLY:
            return dt.date(year, self.month, self.day)
        month = index * 3 if self.freq == QUARTERLY else index
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, last if self.day == LAST_DAY else self.day)

    def first_on_or_after(self, day: dt.date) -> dt.date | None:
        """The first occurrence on or after `day` (None past the calendar's end)."""
        try:
            if self.freq == WEEKLY:
                return day + dt.timedelta(days=(self.day - day.weekday()) % 7)
            if self.freq == YEARLY:
                candidate = self.due_in(day.year, 1)
                return candidate if candidate >= day else self.due_in(day.year + 1, 1)
            step = 3 if self.freq == QUARTERLY else 1
            year, month = day.year, day.month
            if self.freq == QUARTERLY:
                month = (month + 2) // 3 * 3
            while True:
                candidate = self.due_in(year, month // 3 if self.freq == QUARTERLY else month)
                if candidate >= day:
                    return candidate
                month += step
                if month > 12:
                    year, month = year + 1, month - 12
        except (OverflowError, ValueError):
            return None

    def after(self, deadline: dt.date) -> dt.date | None:
        """The occurrence after the one due on `deadline`."""
        return self.first_on_or_after(deadline + dt.timedelta(days=1)) if deadline < dt.date.max else None

    def period(self, deadline: dt.date) -> str:
        """The name of the occurrence due on `deadline`, as a follow-up's `period:` writes it."""
        if self.freq == WEEKLY:
            year, week, _ = deadline.isocalendar()
            return f"{year}-W{week:02d}"
        if self.freq == YEARLY:
            return f"{deadline.year}"
        if self.freq == QUARTERLY:
            return f"{deadline.year}-Q{(deadline.month + 2) // 3}"
        return f"{deadline.year}-{deadline.month:02d}"

    def occurrence(self, period: str) -> dt.date:
        """The deadline of the occurrence `period` names; ValueError saying what to write when it names none."""
        pattern, example = _PERIOD[self.freq]
        match = pattern.match(period.strip())
        if not match:
            raise ValueError(f"'{period}' is not a period of a {self.freq} duty: write it as {example}")
        year, index = int(match.group(1)), int(match.group(2)) if match.lastindex == 2 else 1
        try:
            return self.due_in(year, index)
        except ValueError:
            raise ValueError(f"'{period}' is no {self.freq} period (there is no such month or week): "
                             f"write it as {example}") from None

    def rrule(self) -> str:
        """The RFC 5545 rule; its DTSTART must be an occurrence (a quarter's end for quarterly)."""
        if self.freq == WEEKLY:
            return f"FREQ=WEEKLY;BYDAY={_WEEKDAYS[self.day]}"
        if self.freq == YEARLY:
            return f"FREQ=YEARLY;BYMONTH={self.month};BYMONTHDAY={self.day}"
        interval = ";INTERVAL=3" if self.freq == QUARTERLY else ""
        return f"FREQ=MONTHLY{interval};BYMONTHDAY={self.day}"
