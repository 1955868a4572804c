"""directives.xlsx: the register as an Excel workbook, written with XlsxWriter.

The same records, columns and values as directives.csv (spreadsheet.directive_rows, in the
site's language), but typed: dates are Excel dates with a date format, days are numbers, and
every text is a text cell, so an editor's `=HYPERLINK(...)` is shown, never run (no quote is
put before it: a text cell is never a formula). Three sheets:

- every directive, with all of the CSV's columns (the codes for machines last);
- the overdue ones, most days overdue first, in the columns a meeting reads;
- "by unit": a row per unit and directive it holds (responsible, supporting, accepting), its
  share's state, units in the order of the unit tree. One sheet rather than one per unit: a
  company has dozens of units (sheet names of 31 characters would cut their names, and any
  change of units would move every sheet), while the autofilter on the unit column gives each
  unit's list in one click and a pivot table works on one table.

Byte for byte the same for the same sources and as-of date: the workbook is made in memory
(XlsxWriter then dates every part of the zip 1980-01-01) and its created date is the as-of date.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile

import xlsxwriter

from . import spreadsheet
from .export import share_record
from ..catalog import Catalog
from .labels import ENGLISH, Labels

# Columns holding a day (ISO dates in the records): written as Excel dates
DATE_COLUMNS = frozenset(("deadline", "original_deadline", "closed_on", "until", "next_deadline", "starts",
                          "bulletin_date"))
# The columns of the overdue and by-unit sheets: what a meeting reads of each directive
MEETING_COLUMNS = ("id", "title", "units", "owner", "deadline", "status", "bucket", "days_overdue", "progress",
                   "bulletin_title", "bulletin_date", "url")
BY_UNIT_CODES = ("unit_id", "role_code", "status_code", "bucket_code")
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_MIN_WIDTH, _MAX_WIDTH, _WIDTH_SAMPLE = 6, 60, 80  # columns' widths, in characters; characters measured per cell
READABLE_LIMIT = 256 * 2**20  # bytes: what `readable` decompresses at most (the file searched may not be ours)


def directives_xlsx(records: list[dict], catalog: Catalog, labels: Labels = ENGLISH) -> bytes:
    """The workbook of directives.json's `records` (export.directives_json of `catalog`)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    as_of = catalog.as_of
    book.set_properties({"created": dt.datetime(as_of.year, as_of.month, as_of.day)})
    formats = _Formats(book)
    header = dict(zip(spreadsheet.directive_columns(), spreadsheet.directive_header(labels)))
    header.update({code: code for code in (*spreadsheet.code_columns(), *BY_UNIT_CODES)})
    header.update(unit=labels("Unit") if labels.language != "en" else "unit",
                  role=labels("Role") if labels.language != "en" else "role")
    rows = list(spreadsheet.directive_rows(records, catalog, labels))
    names = sheet_names([labels("All directives"), labels("Overdue"), labels("By unit")])

    every = (*spreadsheet.directive_columns(), *spreadsheet.code_columns())
    _sheet(book, names[0], every, header, rows, formats)
    overdue = sorted((row for row in rows if row["bucket_code"] == "overdue"),
                     key=lambda row: (-(row["days_overdue"] or 0), row["id"]))
    _sheet(book, names[1], (*MEETING_COLUMNS, "status_code"), header, overdue, formats)
    _sheet(book, names[2], ("unit", "role", *MEETING_COLUMNS, *BY_UNIT_CODES), header,
           _by_unit(records, catalog, labels), formats)
    book.close()
    return out.getvalue()


def _by_unit(records: list[dict], catalog: Catalog, labels: Labels) -> list[dict]:
    """A row per unit and directive it holds, with its share's state, by deadline in force."""
    by_id = {record["id"]: record for record in records}
    roles = {"responsible": labels("Responsible"), "support": labels("Supporting unit"),
             "acceptance": labels("Accepting unit")}
    rows = []
    for unit, _depth in catalog.unit_tree():
        name = catalog.registry.display_name(unit.id, labels.language) or unit.id
        held = [(entry, share_record(catalog, unit.id, catalog.entry_state(entry))) for entry in catalog.for_unit(unit.id)
                if entry.directive.id in by_id]
        held.sort(key=lambda pair: (pair[1]["deadline"] or "9999", pair[0].directive.id))
        for (entry, share), row in zip(held, spreadsheet.directive_rows(
                ({**by_id[entry.directive.id], **{k: v for k, v in share.items() if k != "unit"}}
                 for entry, share in held), catalog, labels)):
            row.update(unit=name, unit_id=unit.id, role_code=entry.role,
                       role=entry.role if labels.language == "en" else roles[entry.role])
            rows.append(row)
    return rows


class _Formats:
    def __init__(self, book):
        self.header = book.add_format({"bold": True, "text_wrap": False, "valign": "top", "bottom": 1})
        self.date = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top", "align": "left"})
        self.text = book.add_format({"valign": "top"})


def _sheet(book, name: str, columns: tuple[str, ...], header: dict[str, str], rows: list[dict], formats) -> None:
    sheet = book.add_worksheet(name)
    widths = [display_width(header[c]) for c in columns]
    for col, column in enumerate(columns):
        sheet.write_string(0, col, header[column], formats.header)
    for r, row in enumerate(rows, 1):
        for col, column in enumerate(columns):
            value = row.get(column)
            if column in DATE_COLUMNS and value:
                sheet.write_datetime(r, col, dt.date.fromisoformat(value), formats.date)
                width = 10
            else:
                value = spreadsheet.plain_cell(value)
                if value.__class__ is str:
                    if not value:
                        continue
                    sheet.write_string(r, col, value, formats.text)  # never a formula, whatever it starts with
                    width = display_width(value.split("\n", 1)[0][:_WIDTH_SAMPLE])
                else:
                    sheet.write_number(r, col, value, formats.text)
                    width = len(str(value))
            if width > widths[col]:
                widths[col] = width
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def display_width(text: str) -> int:
    """Columns the text takes in a spreadsheet: a wide (CJK) character counts two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_names(wanted: list[str]) -> list[str]:
    """Names Excel accepts for the sheets: at most 31 characters, none of []:*?/\\, not
    starting or ending with an apostrophe, unique regardless of case."""
    names: list[str] = []
    for text in wanted:
        base = text.translate(_SHEET_NAME_FORBIDDEN).strip("'")[:31] or "Sheet"
        name, n = base, 1
        while name.casefold() in (taken.casefold() for taken in names):
            n += 1
            name = f"{base[:31 - len(str(n)) - 1]}_{n}"
        names.append(name)
    return names


def readable(data: bytes, limit: int = READABLE_LIMIT) -> bytes:
    """A workbook as its text can be searched (`bulletins verify` and the tests look for what a
    hidden bulletin must not publish): its XML parts decompressed and joined, every text cell
    among them (XML-escaped: `&amp;`, `&lt;`, `&gt;`), at most `limit` bytes. Anything that is
    not a zip as it is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            parts, left = [], limit
            for member in book.infolist():
                if left <= 0:
                    break
                if member.filename.endswith((".xml", ".rels")):
                    with book.open(member) as stream:
                        parts.append(stream.read(left))
                    left -= len(parts[-1])
            return b"\n".join(parts)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError):
        return data
