"""The dashboard: its figures from a small project, the SVG its charts are drawn in, escaping,
byte-identical builds, and a dirty build that redoes it."""

import datetime as dt
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from helpers import REPO, UNITS_YML, build, mkdocs, URLS

from safety_bulletins.outputs import dashboard as dash
from safety_bulletins.outputs.labels import CHINESE, ENGLISH
from safety_bulletins.site_build.sitebuild import SiteBuild

AS_OF = dt.date(2026, 11, 28)
SVG = "{http://www.w3.org/2000/svg}"

MINUTES = """\
---
title: January safety meeting
date: 2026-01-10
type: minutes
issuer: safety-env
---
/// directive | Fix the exits
    id: D-1
    units: [property]
    deadline: 2026-03-01

Text.
///

/// directive | Check the pumps
    id: D-2
    units: [energy]
    deadline: 2026-11-30

Text.
///

/// directive | Train the guards
    id: D-3
    units: [property]
    deadline: 2026-02-01
    status: done

Text.
///

/// directive | Replace the hoses
    id: D-5
    units: [property]
    deadline: 2026-03-01

Text.
///
"""

NOTICE = """\
---
title: June notice
date: 2026-06-15
type: notice
issuer: safety-env
---
/// directive | Drill in every unit
    id: D-4
    units: [all]
    deadline: 2026-10-01

Text.
///

/// follow-up
    directive: D-2
    status: done

Done early.
///

/// follow-up
    directive: D-1
    deadline: 2026-04-01
    reason: Parts late

Waiting for parts.
///
"""

DRAFT = """\
---
title: Draft notice
date: 2026-11-01
type: notice
issuer: safety-env
draft: true
---
/// directive | Secret plan
    id: DRAFT-1
    units: [property]
    deadline: 2026-01-01

Text.
///
"""

FILES = {"2026/2026-01-10-minutes.md": MINUTES, "2026/2026-06-15-notice.md": NOTICE,
         "2026/2026-11-01-draft.md": DRAFT}


@pytest.fixture
def board(bulletins_dir):
    build = SiteBuild.load(bulletins_dir(FILES), AS_OF, urls=URLS)
    return build, dash.build_dashboard(build.catalog)


def test_open_and_overdue_per_unit_most_overdue_first(board):
    _, d = board
    loads = [(u.unit.id, u.open, u.overdue, u.due_soon) for u in d.loads]
    # property: D-1 (deadline extended to 2026-04-01, still overdue), D-5, D-4 (to all); D-3 done; the draft is left out
    assert loads == [("property", 3, 3, 0), ("safety-env", 1, 1, 0), ("energy", 1, 1, 0), ("filling-stations", 1, 1, 0)]


def test_issued_and_closed_per_month_over_24_months(board):
    _, d = board
    assert len(d.months) == 24
    assert (d.months[0].first, d.months[-1].first) == (dt.date(2024, 12, 1), dt.date(2026, 11, 1))
    by_month = {m.first: (m.issued, m.closed) for m in d.months if m.issued or m.closed}
    # D-3 closed when issued; D-2 closed by the June follow-up (state.closed_on)
    assert by_month == {dt.date(2026, 1, 1): (4, 1), dt.date(2026, 6, 1): (1, 1)}
    assert dash.month_starts(dt.date(1, 2, 3), 24) == [dt.date(1, 1, 1), dt.date(1, 2, 1)]  # the calendar's start
    assert dash.month_starts(dt.date(2026, 1, 31), 3) == [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]


def test_rates_per_unit_lowest_first(board):
    _, d = board
    # meeting tasks only (no grade): done, due (all are past their deadline or done), done on time
    rates = [(u.unit.id, u.rates.tasks.closed, u.rates.tasks.due, u.rates.tasks.on_time) for u in d.rates]
    assert rates == [("safety-env", 0, 1, 0), ("filling-stations", 0, 1, 0), ("property", 1, 4, 1), ("energy", 1, 2, 1)]
    assert [[r.kind for r in u.rates.shown] for u in d.rates] == [["tasks"]] * 4
    assert (d.group_rates.tasks.closed, d.group_rates.tasks.due) == (2, 5)


def test_oldest_overdue_by_deadline_in_force(board):
    _, d = board
    assert [(o.directive.id, o.deadline, o.days) for o in d.oldest] == [
        ("D-5", dt.date(2026, 3, 1), 272), ("D-1", dt.date(2026, 4, 1), 241), ("D-4", dt.date(2026, 10, 1), 58)]
    assert d.overdue_total == 3
    assert [o.directive.id for o in dash.build_dashboard(board[0].catalog, oldest=2).oldest] == ["D-5", "D-1"]


def page_html(build):
    return build.page_output("dashboard/index.md", build.page_content("dashboard/index.md", ""))


def charts(html, kind="wide"):
    return [ET.fromstring(svg) for svg in re.findall(rf"<svg class=\"sb-chart sb-chart--{kind}\".*?</svg>", html, re.DOTALL)]


def test_svg_is_xml_with_bars_proportional_to_the_figures(board):
    build, d = board
    html = page_html(build)
    loads, months, rates = charts(html)
    for svg in (loads, months, rates):
        assert svg.find(f"{SVG}title").text and svg.find(f"{SVG}desc").text
    # a chart with links (unit names) is a group, whose links assistive technology can reach
    assert [svg.get("role") for svg in (loads, months, rates)] == ["group", "img", "group"]
    lengths = [sum(float(r.get("width")) for r in g.iter(f"{SVG}rect"))
               for g in loads.iter(f"{SVG}g") if g.get("class") == "sb-bar"]
    assert len(lengths) == len(d.loads)
    for length, load in zip(lengths, d.loads):
        assert length == pytest.approx(lengths[0] * load.open / d.loads[0].open, abs=0.05)
    columns = [(float(r.get("height")), r.get("class"), m) for g, m in
               zip([g for g in months.iter(f"{SVG}g") if g.get("class") == "sb-month"], d.months)
               for r in g.iter(f"{SVG}rect")]
    unit = columns[0][0] / columns[0][2].issued
    for height, css, month in columns:
        assert height == pytest.approx(unit * (month.issued if css == "sb-fill--issued" else month.closed), abs=0.05)
    assert len(columns) == 4  # January and June, issued and closed
    widths = [float(r.get("width")) for g in rates.iter(f"{SVG}g") if g.get("class") == "sb-rate"
              for r in g.iter(f"{SVG}rect")]
    layout = dash.rate_chart(d.rates, {"tasks": "", "dangers": ""})
    expected = [layout.span * p / w if w else 0 for u in d.rates for r in u.rates.shown
                for p, w in ((r.closed, r.due), (r.on_time, r.due))]
    assert widths == pytest.approx(expected, abs=0.05)
    # the figures for screen readers, and the date the page is true on
    assert "Figures as of 2026-11-28" in html and "data-sb-as-of" not in html  # live.js leaves it as built
    assert "DRAFT-1" not in html and "Secret plan" not in html


def test_unit_names_are_escaped_in_charts_and_tables(bulletins_dir):
    units = UNITS_YML.replace("name: Property Management Company", "name: \"<b>&amp; Co' \\\"x\\\" </svg>\"")
    build = SiteBuild.load(bulletins_dir(FILES, units=units), AS_OF, urls=URLS)
    html = page_html(build)
    assert "<b>" not in html and "</svg>\"" not in html
    assert html.count("&lt;b&gt;&amp;amp; Co") >= 4  # two charts' labels and tooltips, two tables
    loads, _, rates = charts(html)
    for svg in (loads, rates):  # parsed back: the name as written
        texts = "".join(svg.itertext())
        assert "<b>&amp; Co" in texts


def test_long_names_wrap_to_two_lines_and_chinese_counts_wide():
    assert dash.wrap("Safety and Environmental Protection Department", 240) == [
        "Safety and Environmental", "Protection Department"]
    lines = dash.wrap("安全环保部" * 20, 240)
    assert len(lines) == 2 and lines[1].endswith("…") and all(dash.text_width(line) <= 240 for line in lines)
    assert dash.nice_ticks(0) == [0, 1] and dash.nice_ticks(7) == [0, 2, 4, 6, 8] and dash.nice_ticks(230) == [0, 100, 200, 300]


def test_chinese_labels(bulletins_dir):
    build = SiteBuild.load(bulletins_dir(FILES), AS_OF, language="zh", urls=URLS)
    html = page_html(build)
    assert "各单位未办结事项" in html and "截至 2026-11-28" in html and ">1月<" in html and "2026年" in html
    assert build.pages["dashboard/index.md"].title == "统计看板"
    assert CHINESE.short_month(12) == "12月" and ENGLISH.short_month(12) == "Dec"


def test_builds_are_byte_identical_and_a_dirty_build_redoes_the_dashboard(site_project, tmp_path):
    project = site_project(FILES)
    first = (build(project, site="one") / "dashboard/index.html").read_bytes()
    second = (build(project, site="two") / "dashboard/index.html").read_bytes()
    assert first == second and b"sb-chart" in first
    assert mkdocs(project, "build", "--dirty").returncode == 0
    notice = project / "bulletins/2026/2026-06-15-notice.md"
    notice.write_text(NOTICE.replace("deadline: 2026-10-01", "deadline: 2026-12-20"), encoding="utf-8")
    assert mkdocs(project, "build", "--dirty").returncode == 0
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", "one", "two", ".cache"))
    full = build(fresh) / "dashboard/index.html"
    dirty = project / "site/dashboard/index.html"
    assert dirty.read_bytes() == full.read_bytes() != first


def test_a_phone_gets_charts_drawn_for_its_width(board):
    """Scaled to a phone's 350 px, the 960-wide charts' 13 px text is under 5 px: the page carries
    each chart drawn 360 wide too (the stylesheet shows it on a narrow screen), names above the
    bars and the last 12 months; with their own ids, and the same proportions."""
    build, d = board
    html = page_html(build)
    loads, months, rates = charts(html, "narrow")
    assert [svg.get("viewBox").split()[2] for svg in (loads, months, rates)] == ["360", "360", "360"]
    assert len(charts(html)) == 3
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # each unit's name on its own line, left-aligned above its bar, and the bars in proportion
    labels = [t for t in loads.iter(f"{SVG}text") if t.get("class") == "sb-chart__label"]
    assert [t.text for t in labels] == [u.name for u in d.loads] and {t.get("x") for t in labels} == {"0"}
    lengths = [sum(float(r.get("width")) for r in g.iter(f"{SVG}rect"))
               for g in loads.iter(f"{SVG}g") if g.get("class") == "sb-bar"]
    for length, load in zip(lengths, d.loads):
        assert length == pytest.approx(dash.NARROW.span * load.open / max(u.open for u in d.loads), abs=0.05)
    assert len([g for g in months.iter(f"{SVG}g") if g.get("class") == "sb-month"]) == 12
    assert len([g for g in rates.iter(f"{SVG}g") if g.get("class") == "sb-rate"]) == 2 * len(d.rates)
    assert "sb-chart--narrow, .md-typeset .sb-narrow-only { display: none; }" in (REPO / "src/safety_bulletins/outputs/assets/bulletins.css").read_text()
