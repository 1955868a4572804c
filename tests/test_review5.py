"""The fifth session's hostile review of roles, shares, recurring duties and the workbook: each
test is a defect found by attacking them, fixed (bad-input cases are in tests/catalogue/rev5-*)."""

from __future__ import annotations

import io

import openpyxl
import pytest
import xlsxwriter

from safety_bulletins.outputs.labels import for_language
from safety_bulletins.outputs.workbook import _Formats, _sheet

CELL_LIMIT = 32767  # characters (UTF-16 units) Excel holds in a cell


def _one_cell_workbook(value: str, language: str) -> str:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    _sheet(book, "S", ("text",), {"text": "text"}, [{"text": value}], _Formats(book, for_language(language)))
    book.close()
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))["S"]["A2"].value


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("language, note", [("en", "cut at Excel's limit"), ("zh", "以下从略")])
@pytest.mark.parametrize("character", ["隐", "𠀀"])  # one UTF-16 unit, and two (beyond U+FFFF)
def test_a_text_longer_than_a_cell_holds_is_cut_with_a_note_saying_so(language, note, character):
    """XlsxWriter cut a text at 32,767 characters without a word: a reader of the workbook took a
    directive's text (or its history) as whole. Now the cell ends with a note, in the site's language."""
    text = "开头" + character * 40_000 + "结尾"
    cell = _one_cell_workbook(text, language)
    assert note in cell and cell.endswith(("]", "〕")) and "结尾" not in cell
    kept = cell[:cell.index("…")]
    assert text.startswith(kept) and len(kept) > 16_000, len(kept)
    assert _utf16(cell) <= CELL_LIMIT, _utf16(cell)


@pytest.mark.parametrize("length", [CELL_LIMIT, CELL_LIMIT // 2 + 1])
def test_a_text_a_cell_holds_is_whole(length):
    text = "a" * length
    assert _one_cell_workbook(text, "en") == text
    astral = "𠀀" * (CELL_LIMIT // 2)  # 32,766 units
    assert _one_cell_workbook(astral, "zh") == astral
