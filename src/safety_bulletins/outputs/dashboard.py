"""The dashboard: the figures a head of safety shows at the monthly meeting, from the catalog,
and the geometry of their SVG charts (the markup is in templates/dashboard.html and _charts.html).

Everything here is as of the catalog's as-of date: the charts are pictures of the day the site
was built, printed and put on slides, so the page says so instead of being recounted by live.js.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass

from ..catalog import Catalog, Rate, Rates
from ..model import Directive, Unit
from .labels import Labels

MONTHS = 24  # issued and closed per month, up to the as-of date's month
OLDEST = 10  # rows of the oldest overdue directives

# Chart geometry, in the SVG's own units (viewBox); the page scales it to its width.
WIDTH = 960
FONT = 13  # px of labels; the page's font, so Chinese renders with the reader's fonts
LABEL_WIDTH = 250  # unit names, right-aligned, wrapped to two lines
VALUE_ROOM = 170  # after the longest bar: its figures
LEGEND_HEIGHT = 30


@dataclass(frozen=True)
class Frame:
    """A chart's width and where its unit names go. A phone shows the page about 350 px wide: the
    wide charts scaled to it have 5 px text, so it gets charts drawn for its width (chosen by the
    stylesheet), each unit's name on its own line above its bars, and the last 12 months."""

    width: float = WIDTH
    label_width: float = LABEL_WIDTH  # names right-aligned before the bars; 0: names above them
    value_room: float = VALUE_ROOM
    months: int = MONTHS

    @property
    def stacked(self) -> bool:
        return not self.label_width

    @property
    def x0(self) -> float:  # where bars start
        return self.label_width + 10 if self.label_width else 0.0

    @property
    def span(self) -> float:  # the longest bar
        return self.width - self.x0 - self.value_room


WIDE = Frame()
NARROW = Frame(width=360, label_width=0, value_room=100, months=12)
NAME_LINE = FONT + 6  # a stacked chart's line for a unit's name


@dataclass(frozen=True)
class UnitLoad:
    """Open directives a unit is responsible for, and how many of them are overdue or due soon."""

    unit: Unit
    open: int
    overdue: int
    due_soon: int
    name: str = ""  # the unit's name in the site's language (Unit.name_in)


@dataclass(frozen=True)
class Month:
    first: dt.date  # its first day
    issued: int
    closed: int


@dataclass(frozen=True)
class UnitRates:
    unit: Unit
    rates: Rates
    name: str = ""  # the unit's name in the site's language (Unit.name_in)


@dataclass(frozen=True)
class Overdue:
    directive: Directive
    deadline: dt.date  # in force
    days: int


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    loads: list[UnitLoad]  # most overdue first
    months: list[Month]  # oldest first, the as-of date's month last
    rates: list[UnitRates]  # lowest closure rate first; units with nothing to rate last
    group_rates: Rates
    oldest: list[Overdue]  # most days overdue first
    overdue_total: int


def build_dashboard(catalog: Catalog, months: int = MONTHS, oldest: int = OLDEST, language: str = "en") -> Dashboard:
    """The dashboard's figures, read from the catalog's states and buckets only."""
    order = {unit.id: n for n, unit in enumerate(catalog.units)}  # ties keep the order of units.yml
    loads, rates = [], []
    for unit in catalog.units:
        # what the unit is responsible for (directives to all units included): counts and rates
        # keep what it supports or accepts apart
        counts = catalog.unit_counts(unit.id)
        name = unit.name_in(language)
        loads.append(UnitLoad(unit, counts["open"], counts["overdue"], counts["due-soon"], name))
        rates.append(UnitRates(unit, catalog.unit_rates(unit.id), name))
    loads.sort(key=lambda u: (-u.overdue, -u.open, order[u.unit.id]))
    rates.sort(key=lambda u: (u.rates.combined.due == 0, _ratio(u.rates.combined.closed, u.rates.combined.due),
                              _ratio(u.rates.combined.on_time, u.rates.combined.due), order[u.unit.id]))
    overdue = sorted(
        (Overdue(d, catalog.state_of(d).deadline, catalog.state_of(d).days_overdue(catalog.as_of))
         for d in catalog.directives if catalog.bucket_of(d) == "overdue"),
        key=lambda o: (o.deadline, o.directive.id),
    )
    return Dashboard(catalog.as_of, loads, _months(catalog, months), rates, catalog.rates(catalog.directives),
                     overdue[:oldest], len(overdue))


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def month_starts(as_of: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months up to and including the as-of date's."""
    index = as_of.year * 12 + as_of.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(max(index - count + 1, 12), index + 1)]  # from year 1


def _months(catalog: Catalog, count: int) -> list[Month]:
    starts = month_starts(catalog.as_of, count)
    issued = dict.fromkeys(starts, 0)
    closed = dict.fromkeys(starts, 0)
    for d in catalog.directives:
        state = catalog.states[d.id]
        if state.issued <= catalog.as_of and (first := state.issued.replace(day=1)) in issued:
            issued[first] += 1
        if state.closed and state.closed_on and (first := state.closed_on.replace(day=1)) in closed:
            closed[first] += 1
    return [Month(first, issued[first], closed[first]) for first in starts]


# Geometry -----------------------------------------------------------------------------------

def text_width(text: str, size: float = FONT) -> float:
    """About how wide a line of text is: wide (CJK) characters one em, others a little over half.
    No font is at hand at build time; the estimate errs wide, so labels never overlap bars."""
    return size * sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def wrap(text: str, width: float, lines: int = 2, size: float = FONT) -> list[str]:
    """The text in at most `lines` lines of about `width`, cut with an ellipsis if longer
    (the whole name is in the chart's table and the bar's tooltip). Breaks between words, or
    anywhere in Chinese."""
    out: list[str] = []
    rest = " ".join(text.split())
    while rest and len(out) < lines:
        if text_width(rest, size) <= width:
            out.append(rest)
            rest = ""
            break
        cut = 1
        while cut < len(rest) and text_width(rest[:cut + 1], size) <= width:
            cut += 1
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0 and not (unicodedata.east_asian_width(rest[cut - 1]) in "WF"):
            cut = space
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        last = out[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        out[-1] = last.rstrip() + "…"
    return out


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round tick values from 0 to at least `top` (1, 2, 5 times a power of ten apart)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= raw)
    return list(range(0, math.ceil(top / step) * step + 1, step))


@dataclass(frozen=True)
class Segment:
    css: str  # bucket: overdue, due-soon, open
    x: float
    width: float
    value: int


@dataclass(frozen=True)
class UnitRow:
    load: UnitLoad
    lines: list[str]
    y: float  # top of the row
    segments: list[Segment]
    end: float  # x after the bar, where its figures go
    bar_y: float = 0.0  # top of the bar


@dataclass(frozen=True)
class LoadChart:
    rows: list[UnitRow]
    height: float
    x0: float
    bar: float  # bar thickness
    row: float  # row height
    frame: Frame = WIDE


def load_chart(loads: list[UnitLoad], frame: Frame = WIDE) -> LoadChart:
    """Horizontal stacked bars, one per unit: overdue, then due within 7 days, then the rest of
    what is open; their whole length is the unit's open directives."""
    bar = 18.0
    name = NAME_LINE if frame.stacked else 0.0
    row_height = 34.0 + name
    x0, span = frame.x0, frame.span
    scale = span / max([u.open for u in loads] + [1])
    rows = []
    for n, load in enumerate(loads):
        y = LEGEND_HEIGHT + n * row_height
        x, segments = x0, []
        for css, value in (("overdue", load.overdue), ("due-soon", load.due_soon),
                           ("open", load.open - load.overdue - load.due_soon)):
            if value:
                segments.append(Segment(css, round(x, 2), round(value * scale, 2), value))
                x += value * scale
        lines = wrap(load.name, frame.width, 1) if frame.stacked else wrap(load.name, frame.label_width - 10)
        bar_y = y + name + (row_height - name - bar) / 2
        rows.append(UnitRow(load, lines, y, segments, round(x, 2), round(bar_y, 2)))
    return LoadChart(rows, LEGEND_HEIGHT + len(loads) * row_height + 4, x0, bar, row_height, frame)


@dataclass(frozen=True)
class Column:
    css: str  # issued, closed
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass(frozen=True)
class MonthSlot:
    month: Month
    columns: list[Column]
    centre: float
    label: str  # month
    year: str  # shown under January and the first month


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class MonthChart:
    slots: list[MonthSlot]
    ticks: list[Tick]
    x0: float
    x1: float
    base: float  # y of the zero line
    height: float
    frame: Frame = WIDE


def month_chart(months: list[Month], labels: Labels, frame: Frame = WIDE) -> MonthChart:
    """Columns side by side per month, issued and closed, on a scale of round ticks."""
    months = months[-frame.months:]
    top, base, x0, x1 = LEGEND_HEIGHT + 10, 320.0 if not frame.stacked else 240.0, 48.0, float(frame.width - 8)
    ticks = nice_ticks(max([m.issued for m in months] + [m.closed for m in months] + [0]))
    scale = (base - top) / ticks[-1]
    slot = (x1 - x0) / max(len(months), 1)
    width = min(16.0, slot * 0.36)
    slots = []
    for n, month in enumerate(months):
        centre = x0 + slot * (n + 0.5)
        columns = [
            Column(css, round(x, 2), round(base - value * scale, 2), round(width, 2), round(value * scale, 2), value)
            for css, x, value in (("issued", centre - width - 1, month.issued), ("closed", centre + 1, month.closed))
            if value
        ]
        # the year under each January, and under the first month unless a January is next to it
        first = n == 0 and not (len(months) > 1 and months[1].first.month == 1)
        year = labels.year(month.first.year) if first or month.first.month == 1 else ""
        slots.append(MonthSlot(month, columns, round(centre, 2), labels.short_month(month.first.month), year))
    return MonthChart(slots, [Tick(t, round(base - t * scale, 2)) for t in ticks], x0, x1, base, base + 40, frame)


@dataclass(frozen=True)
class RateBar:
    css: str  # closure, on-time
    x: float  # where its column's track starts
    y: float
    width: float
    part: int
    whole: int
    percent: str


@dataclass(frozen=True)
class RateRow:
    item: UnitRates
    lines: list[str]
    y: float
    bars: list[RateBar]


@dataclass(frozen=True)
class RateColumn:
    kind: str  # tasks, dangers
    x: float  # where its 0–100% track starts
    title: str


@dataclass(frozen=True)
class RateChart:
    rows: list[RateRow]
    columns: list[RateColumn]
    span: float  # the length of 100%
    bar: float
    height: float
    title_y: float  # the columns' titles, between the legend and the first row (two columns or more)
    frame: Frame = WIDE
    row: float = 38.0  # row height


COLUMN_VALUE_ROOM = 100  # after a bar of a column: "100% (12/12)"


def rate_chart(rates: list[UnitRates], titles: dict[str, str], frame: Frame = WIDE) -> RateChart:
    """A column per kind of work any unit has (meeting tasks, hidden dangers), side by side so the
    chart stays one row per unit: in each, two bars on a 0–100% track, the rate and the on-time
    rate, both of what is due. `titles`: each kind's column heading. On a phone (`frame` stacked)
    each unit's name is a line above its bars."""
    bar, gap = 12.0, 3.0
    name = NAME_LINE if frame.stacked else 0.0
    row_height = 38.0 + name
    kinds = [kind for kind in ("tasks", "dangers") if any(kind in (r.kind for r in u.rates.shown) for u in rates)]
    kinds = kinds or ["tasks"]
    x0, room = frame.x0, (frame.value_room if len(kinds) == 1 else COLUMN_VALUE_ROOM)
    width = (frame.width - x0) / len(kinds)
    columns = [RateColumn(kind, round(x0 + n * width, 2), titles[kind]) for n, kind in enumerate(kinds)]
    span = round(width - room, 2)
    top = LEGEND_HEIGHT + (20 if len(kinds) > 1 else 0)  # room for the columns' titles
    rows = []
    for n, item in enumerate(rates):
        y = top + n * row_height
        bars = [RateBar(css, column.x, round(y + name + 4 + k * (bar + gap), 2),
                        round(span * part / whole, 2) if whole else 0.0, part, whole, Rate.percent(part, whole))
                for column in columns for rate in item.rates.shown if rate.kind == column.kind
                for k, (css, part, whole) in enumerate((("closure", rate.closed, rate.due), ("on-time", rate.on_time, rate.due)))]
        lines = wrap(item.name, frame.width, 1) if frame.stacked else wrap(item.name, frame.label_width - 10)
        rows.append(RateRow(item, lines, y, bars))
    return RateChart(rows, columns, span, bar, top + len(rates) * row_height + 4, LEGEND_HEIGHT + 12, frame, row_height)


@dataclass(frozen=True)
class LegendItem:
    css: str
    x: float
    text: str


def legend(items: list[tuple[str, str]], x: float = 0.0) -> list[LegendItem]:
    """Swatches and their words in a row, each after the one before."""
    out = []
    for css, text in items:
        out.append(LegendItem(css, round(x, 2), text))
        x += 14 + 6 + text_width(text) + 18
    return out


def dashboard_context(catalog: Catalog, labels: Labels) -> dict:
    """What templates/dashboard.html needs: the figures and the charts' geometry."""
    dash = build_dashboard(catalog, language=labels.language)
    load = load_chart(dash.loads)
    narrow_load = load_chart(dash.loads, NARROW)
    return {
        "width": WIDTH, "font": FONT, "label_width": LABEL_WIDTH,
        "counts": catalog.counts(catalog.directives),
        "dash": dash,
        "load": load,
        "load_legend": legend([("overdue", labels.BUCKETS["overdue"]), ("due-soon", labels.BUCKETS["due-soon"]),
                               ("open", labels("Other open"))], load.x0),
        "months": month_chart(dash.months, labels),
        "month_legend": legend([("issued", labels("Issued")), ("closed", labels.BUCKETS["closed"])], 48.0),
        "rates": rate_chart(dash.rates, {"tasks": labels("Meeting tasks"), "dangers": labels("Hidden dangers")}),
        "rate_legend": legend([("closure", f'{labels("Completion rate")} / {labels("Rectification rate")}'),
                               ("on-time", f'{labels("On-time completion rate")} / {labels("On-time rectification rate")}')],
                              LABEL_WIDTH + 10),
        # the same charts drawn for a phone's width (the stylesheet shows one or the other)
        "narrow": {
            "load": narrow_load,
            "load_legend": legend([("overdue", labels.BUCKETS["overdue"]), ("due-soon", labels.BUCKETS["due-soon"]),
                                   ("open", labels("Other open"))]),
            "months": month_chart(dash.months, labels, NARROW),
            "rates": rate_chart(dash.rates, {"tasks": labels("Meeting tasks"), "dangers": labels("Hidden dangers")}, NARROW),
            # short words: the column titles say which rate (meeting tasks, hidden dangers)
            "rate_legend": legend([("closure", labels("Rate")), ("on-time", labels("On-time rate"))]),
        },
    }
