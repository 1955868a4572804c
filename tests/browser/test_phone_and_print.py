"""Issue 22: the example site on a phone (390 px: nothing scrolls sideways, the filter folds under a
summary naming it, the units index stays a table for screen readers) and printed (the listings as
the meeting's ledger, 督办台账, on A4 landscape with page numbers; a bulletin with its print date)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import pytest
from browsing import SUB_PATH, SUB_PATH_ZH
from helpers import AS_OF

PAGES = {
    "home": "", "units": "units/", "unit": "units/property/", "register": "directives/", "dashboard": "dashboard/",
    "bulletin": "bulletins/2026/2026-10-15-冬季消防安全专项检查通报/", "archive": "archive/",
}
# The right edge of every element inside the article, but those an element of the article clips
# (a visually hidden table); Material's scroll box around a table does not clip: what it holds counts.
WIDEST = """() => {
  const clipped = el => { for (let a = el.parentElement; a && a.tagName !== 'ARTICLE'; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX; if (o === 'hidden' || o === 'clip') return true; } return false; };
  let widest = 0, what = '';
  for (const el of document.querySelectorAll('article *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || clipped(el)) continue;
    if (r.right > widest) { widest = r.right; what = el.tagName + '.' + el.className; }
  }
  return {scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, widest, what};
}"""


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_nothing_scrolls_sideways_on_a_phone(page, origin, path, language):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(origin + (SUB_PATH if language == "en" else SUB_PATH_ZH) + path)
    page.wait_for_load_state("load")
    measured = page.evaluate(WIDEST)
    assert measured["scroll"] == measured["client"] == 390, measured
    assert measured["widest"] <= 390.5, measured
    assert page.locator("article .sb-ledger-only:visible, article .sb-print-stamp:visible").count() == 0  # print only


def test_the_dashboard_on_a_phone_shows_charts_with_text_a_phone_can_read(page, origin):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(origin + SUB_PATH + "dashboard/")
    assert page.locator("svg.sb-chart--wide").first.is_hidden()
    sizes = page.evaluate("""() => [...document.querySelectorAll('svg.sb-chart--narrow text')]
        .map(t => t.getBoundingClientRect().height).filter(h => h > 0)""")
    assert len(sizes) > 20 and min(sizes) >= 11, sizes
    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.locator("svg.sb-chart--narrow").first.is_hidden() and page.locator("svg.sb-chart--wide").first.is_visible()


def test_the_units_index_on_a_phone_is_a_block_per_unit_and_still_a_table(page, origin):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(origin + SUB_PATH + "units/")
    row = page.locator("table[data-sb-table=units] tbody tr").first
    name, overdue = row.locator("td").nth(0).bounding_box(), row.locator("td").nth(2).bounding_box()
    assert overdue["y"] >= name["y"] + name["height"] - 1 and overdue["x"] + overdue["width"] <= 390
    tree = page.locator("table[data-sb-table=units]").aria_snapshot()
    assert '- columnheader "Overdue"' in tree and re.search(r'- cell "\d+"', tree)
    # each figure named on screen, not read twice (the drawn name has an empty alternative text)
    drawn = row.locator("td").nth(2).evaluate("td => getComputedStyle(td, '::before').content")
    assert drawn == '"Overdue " / ""', drawn


def test_the_filter_folds_on_a_phone_under_the_active_filter(page, origin):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(origin + SUB_PATH + "directives/?unit=energy&bucket=overdue")
    fold = page.locator("details.sb-filter__fold")
    summary = page.locator(".sb-filter__summary")
    assert summary.inner_text() == "Filter: Unit = Energy Company · Overdue"
    assert fold.get_attribute("open") is None and page.locator(".sb-filter select[name=unit]").is_hidden()
    summary.click()
    page.locator(".sb-filter select[name=status]").select_option("open")
    assert summary.inner_text() == "Filter: Unit = Energy Company · Overdue · Open"
    page.set_viewport_size({"width": 1366, "height": 900})  # open on a wide screen, its summary out of sight
    page.wait_for_function("document.querySelector('details.sb-filter__fold').open")
    assert summary.is_hidden() and page.locator(".sb-filter select[name=unit]").is_visible()


def pdf_text(page, tmp_path, name) -> tuple[str, str]:
    pdf = tmp_path / f"{name}.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return info, text


def test_a_unit_page_and_a_filtered_register_print_as_a_ledger(page, origin, sites, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(origin + SUB_PATH + "units/property/")
    info, text = pdf_text(page, tmp_path, "unit")
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert re.search(r"Page size:\s+841\.\d+ x 594\.\d+ pts \(A4\)", info)  # landscape
    assert pages <= 4  # its 23 directives (11 closed, unfolded in print) and its heading; 11 portrait pages before
    assert [str(n) for n in range(1, pages + 1)] == re.findall(rf"(\d+)\s*/\s*{pages}\s*$", text, re.M)  # page numbers
    assert "Figures as of" in text and "Filter: none" in text
    for heading in ("No.", "Directive", "Unit / owner", "Deadline", "Progress", "Status", "Days overdue"):
        assert heading in text
    assert re.search(r"^\s*1\s+清理消防车道并重新施划标线\s+Property Management.*2026-10-31\s+Open\s+\d+ days", text, re.M)
    assert re.search(r"^\s*2\s+Submit the winter self-inspection report", text, re.M)

    page.goto(origin + SUB_PATH + "directives/?unit=energy&status=open")
    info, text = pdf_text(page, tmp_path, "register")
    # the heading says the filter and how many of all the directives it shows; the rows are numbered 1..n
    assert "Filter: Unit = Energy Company · Open" in text
    shown, total = map(int, re.search(r"(\d+) of (\d+) directives", text).groups())
    assert total == len(json.loads((sites["en"] / "directives.json").read_text(encoding="utf-8"))["directives"])
    assert 0 < shown < total
    rows = re.findall(r"^\s*(\d+)\s{2,}\S", text, re.M)
    assert rows[:shown] == [str(n) for n in range(1, shown + 1)], text
    assert "Energy Company" in text and re.search(r"^\s*1\s*/\s*\d+\s*$", text, re.M)


def test_the_chinese_ledger_prints_in_chinese(page, origin, sites, tmp_path):
    """The same two prints on the Chinese site, read on the as-of date: 督办台账 columns, dates as the
    bulletins write them, days overdue, the filter and the as-of date in the heading, page numbers."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.clock.install(time=dt.datetime.fromisoformat(f"{AS_OF}T09:00:00"))
    page.goto(origin + SUB_PATH_ZH + "units/property/")
    info, text = pdf_text(page, tmp_path, "unit")
    flat = "".join(text.split())
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert re.search(r"Page size:\s+841\.\d+ x 594\.\d+ pts \(A4\)", info) and pages <= 3
    assert [str(n) for n in range(1, pages + 1)] == re.findall(rf"(\d+)\s*/\s*{pages}\s*$", text, re.M)
    assert flat.startswith(f"物业公司统计截至{AS_OF}") and "筛选：无" in flat and "显示24项，共24项" in flat
    for heading in ("序号", "议定事项", "责任单位/责任人", "期限", "进展", "状态", "逾期天数"):
        assert heading in flat
    assert re.search(r"^\s*1\s+清理消防车道并重新施划标线\s+物业公司", text, re.M) and "未开始逾期28天" in flat
    assert re.search(r"^\s*2\s+Submit the winter self-inspection report\s+各单位.*2026年12月3日\s+未开始", text, re.M)
    assert "Overdue" not in text and "Deadline" not in text and "Filter" not in text

    page.goto(origin + SUB_PATH_ZH + "directives/?unit=energy&status=open")
    info, text = pdf_text(page, tmp_path, "register")
    flat = "".join(text.split())
    assert "筛选：单位=能源公司·未开始" in flat and f"统计截至{AS_OF}" in flat
    shown, total = map(int, re.search(r"显示(\d+)项，共(\d+)项", flat).groups())
    assert total == len(json.loads((sites["zh"] / "directives.json").read_text(encoding="utf-8"))["directives"])
    assert 0 < shown < total
    rows = re.findall(r"^\s*(\d+)\s{2,}\S", text, re.M)
    assert rows[:shown] == [str(n) for n in range(1, shown + 1)], text
    assert re.search(r"^\s*\d+\s+消防控制室值班人员持证上岗\s+能源公司.*2027年1月15日\s+未开始", text, re.M)
    assert re.search(r"^\s*1\s*/\s*\d+\s*$", text, re.M)


def test_a_printed_bulletin_says_when_it_was_printed_and_the_date_of_its_statuses(page, origin, tmp_path):
    page.goto(origin + SUB_PATH_ZH + PAGES["bulletin"])
    info, text = pdf_text(page, tmp_path, "bulletin")
    flat = "".join(text.split())
    assert "状态截至2026年11月28日" in flat
    assert re.search(r"打印日期\d{4}年\d{1,2}月\d{1,2}日", flat)
    assert "状态截至" not in page.locator("article").inner_text()  # on screen: not shown


COMMITTEE = "bulletins/2026/2026-11-12-集团安全生产委员会2026年第四季度会议纪要/"


@pytest.mark.parametrize("sub_path", [SUB_PATH, SUB_PATH_ZH], ids=["en", "zh"])
def test_on_a_phone_the_units_progress_keeps_each_date_on_one_line(page, origin, sub_path):
    """Issue 22's leftovers: in a card's table of the units' shares (各单位落实情况) a phone broke
    已完成（2026年|11月14日）: every date there is one line, the table within the card, its last
    heading (逾期天数) not a character a line."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(origin + sub_path + COMMITTEE)
    measured = page.evaluate("""() => [...document.querySelectorAll('table.sb-shares')].map(table => ({
        lines: [...table.querySelectorAll('time')].map(t => [t.textContent, t.getClientRects().length,
                 t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight)]),
        width: table.getBoundingClientRect().width, room: table.parentElement.getBoundingClientRect().width,
        heading: [...table.querySelectorAll('th')].pop().getBoundingClientRect().width,
        size: parseFloat(getComputedStyle(table).fontSize)}))""")
    assert len(measured) >= 3
    for table in measured:
        assert table["lines"] and all(rects == 1 and height < 1.5 for _, rects, height in table["lines"]), table
        assert table["width"] <= table["room"] + 0.5 and table["heading"] >= 2 * table["size"], table
    assert page.evaluate("document.documentElement.scrollWidth") == 390


@pytest.mark.parametrize("sub_path", [SUB_PATH, SUB_PATH_ZH], ids=["en", "zh"])
def test_on_a_phone_the_units_index_names_each_rate_once(page, origin, sub_path):
    """Issue 22's leftovers: a phone drew each rate column's heading ("Completion rate / Rectification
    rate") before figures that name their rate themselves. Each figure now follows its own name, once;
    on a wide screen a unit with one kind of work shows its figure under the column's heading alone."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(origin + sub_path + "units/")
    names = page.evaluate("""() => [...document.querySelectorAll('table[data-sb-table=units] thead th')].slice(5)
        .map(th => th.textContent.split(' / '))""")
    assert len(names) == 2 and all(len(pair) == 2 for pair in names), names
    cells = page.evaluate("""() => [...document.querySelectorAll('table[data-sb-table=units] tbody tr')].map(tr =>
        [...tr.querySelectorAll('td')].slice(5).map(td => [td.innerText.replace(/\\s+/g, ' ').trim(),
         getComputedStyle(td, '::before').content]))""")
    assert len(cells) > 15
    for row in cells:
        for (text, drawn), (tasks, dangers) in zip(row, names):
            assert drawn in ("none", "normal"), (text, drawn)  # no heading drawn before the cell
            figures = re.findall(r"([A-Za-z\u4e00-\u9fff][A-Za-z \u4e00-\u9fff-]*?) (?:\d+%|–)", text)  # a name, its figure
            assert figures and all(name in (tasks, dangers) for name in figures), (text, figures)
            assert text.count(f"{tasks} / {dangers}") == 0
    page.set_viewport_size({"width": 1366, "height": 900})
    single = page.locator("table[data-sb-table=units] tbody tr").filter(has=page.locator("small.sb-narrow-only")).first
    assert single.locator("td").nth(5).locator("small.sb-narrow-only").first.is_hidden()
