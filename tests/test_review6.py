"""Session 6's hostile review of the merged leftovers: what a reader of every output would catch."""

from __future__ import annotations

import io

import openpyxl
from helpers import URLS
from test_shares import _catalog

from safety_bulletins.outputs.export import directives_json, share_records
from safety_bulletins.outputs.labels import for_language
from safety_bulletins.outputs.schema import directives_schema
from safety_bulletins.outputs.workbook import directives_xlsx

# 立即 for both units; then the second unit is given to the year's end: its share's deadline is
# no longer 立即, while the directive's (the first unit's, the earliest open) still is
URGENT = {"2026/2026-10-20-meeting.md": """\
---
title: Boiler room
date: 2026-10-20
type: minutes
issuer: safety-env
---
/// directive | Boiler room hazards fixed
    id: BR-1
    units: [u1, u2]
    deadline: 立即

Fix them.
///
""", "2026/2026-10-22-extension.md": """\
---
title: Boiler room, u2's extension
date: 2026-10-22
type: notice
issuer: safety-env
---
/// follow-up | More time for Unit 2
    directive: BR-1
    units: [u2]
    deadline: 2026-12-31
    reason: the parts are on order

Granted.
///
"""}


def test_a_shares_deadline_as_written_is_its_own_in_every_output(bulletins_dir):
    """directives-by-unit.csv gives each unit's share its own `deadline_written`; directives.json's
    shares (and the workbook's by-unit sheet, made from them) must too: the sheet showed
    立即（2026-12-31） for the unit given until the year's end, the directive's 立即 on its share's day."""
    catalog = _catalog(bulletins_dir, "2026-10-25", URGENT)
    record = next(r for r in directives_json(catalog, URLS)["directives"] if r["id"] == "BR-1")
    assert (record["deadline"], record["deadline_written"]) == ("2026-10-23", "立即")  # u1's, the earliest open
    by_unit = {r["unit"]: (r["deadline"], r["deadline_written"]) for r in share_records(catalog, URLS)}
    assert by_unit == {"u1": ("2026-10-23", "立即"), "u2": ("2026-12-31", None)}
    shares = {s["unit"]: (s["deadline"], s.get("deadline_written", "missing")) for s in record["shares"]}
    assert shares == by_unit, "directives.json's shares and directives-by-unit.csv disagree"
    share_schema = directives_schema()["properties"]["directives"]["items"]["properties"]["shares"]["items"]
    assert "deadline_written" in share_schema["required"]
    for language, word in (("zh", "立即"), ("en", "Immediately")):
        book = openpyxl.load_workbook(io.BytesIO(directives_xlsx([record], catalog, for_language(language))))
        sheet = book.worksheets[2]  # open, by unit
        header = [c.value for c in sheet[1]]
        rows = {row[header.index("unit_id")].value: row for row in sheet.iter_rows(min_row=2)}
        deadline = header.index(for_language(language)("Deadline") if language == "zh" else "deadline")
        assert word in rows["u1"][deadline].number_format, language
        assert word not in rows["u2"][deadline].number_format, (language, rows["u2"][deadline].number_format)


def test_pagefind_stopped_by_a_signal_says_so_not_that_it_may_be_missing(tmp_path, monkeypatch):
    """Ctrl-C in the terminal of `mkdocs serve --dirty` reaches the preview's background Pagefind (it stays
    in the terminal's process group on purpose): the preview then logged 'Pagefind failed (exit -2): ...
    KeyboardInterrupt; is 'pagefind[extended]>=1.3,<2' installed in this Python?', sending whoever reads it
    to reinstall a tool that works."""
    import sys

    import pytest

    from safety_bulletins.outputs import pagefind

    interrupted = tmp_path / "interrupted-python"
    interrupted.write_text("#!/bin/sh\nkill -INT $$\nsleep 5\n", encoding="utf-8")
    interrupted.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(interrupted))
    site = tmp_path / "site"
    (site / "bulletins").mkdir(parents=True)
    with pytest.raises(pagefind.PagefindError) as raised:
        pagefind.Run(site, timeout=30, background=True)()
    assert "SIGINT" in str(raised.value) and "installed" not in str(raised.value), str(raised.value)
    assert not list(site.glob(".pagefind*")), "its staging folder is left behind"
