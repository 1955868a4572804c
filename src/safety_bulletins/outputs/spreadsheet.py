"""CSV for spreadsheets: directives.csv on the site and `bulletins due --format csv`.

Excel opens a double-clicked CSV as the Windows code page unless it starts with a UTF-8 BOM,
and runs any cell that looks like a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+cmd|...`): a
title written by an editor must never become one. `safe_cell` is the one place that decides
(OWASP's advice: put a single quote before such a cell), and `csv_text` the one writer.
"""

from __future__ import annotations

import csv
import io

from .. import fields


BOM = "\ufeff"
# What a spreadsheet may read as the start of a formula: OWASP's list, the full-width forms
# Excel accepts from an East Asian keyboard, and a leading quote (so that removing one quote
# from every cell that starts with one gives back the value exactly).
FORMULA_STARTS = frozenset("=+-@\t\r" "＝＋－＠" "'")
# What a spreadsheet may skip before the formula's first character
_LEADING_SPACE = " \t\r\n\u00a0\u3000\ufeff"
_FORMULA = tuple(FORMULA_STARTS)
_SUSPECT = _FORMULA + tuple(_LEADING_SPACE)


def directive_columns() -> tuple[str, ...]:
    """directives.csv's header: directives.json's keys (export.directives_json), the bulletin's
    as columns of its own; the options of the field spec (grade, measures...) in its order."""
    return ("id", "title", "text", "units", "support", "owner", "deadline", "original_deadline", "status", "bucket",
            "days_overdue", "closed_on", "on_time", "escalated", "accepted_by",
            "recurrence", "until", "next_deadline", "missed_periods", "stages", "starts",
            *(f.column for f in fields.details() if f.column),
            "url", "bulletin_title", "bulletin_date", "bulletin_type", "bulletin_url", "history")



def safe_cell(value) -> str | int:
    """A value as a cell: numbers as numbers, None empty, booleans as JSON writes them, lists
    joined with '; ', and text that a spreadsheet could read as a formula after a single quote."""
    if value.__class__ is not str:  # most cells are text: one test for them (250,000 cells at 2,000 bulletins)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):  # written by this package (days), never by an editor: keep it a number
            return value
        value = "; ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    if value.startswith(_SUSPECT) and (value.startswith(_FORMULA) or value.lstrip(_LEADING_SPACE).startswith(_FORMULA)):
        return "'" + value
    return value


def csv_text(fields, records) -> str:
    """A whole CSV file: BOM, header, one row per record (mappings), CRLF line ends (the csv
    module's, which Excel expects), every cell through `safe_cell`."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)  # QUOTE_MINIMAL: a cell with a comma, quote or line break is quoted
    writer.writerow([safe_cell(name) for name in fields])
    writer.writerows([safe_cell(record.get(name)) for name in fields] for record in records)
    return BOM + out.getvalue()


def directives_csv(records: list[dict]) -> str:
    """directives.json's records (export.directives_json) as a table: the bulletin's fields as
    columns of their own and the history as one line per follow-up."""
    return csv_text(directive_columns(), (_flat(record) for record in records))


def _flat(record: dict) -> dict:
    flat = {key: value for key, value in record.items() if key not in ("bulletin", "history")}
    flat.update({f"bulletin_{key}": value for key, value in record["bulletin"].items()})
    flat["history"] = "\n".join(_history_line(change) for change in record["history"])
    flat["stages"] = [f"{s['name']} {s['deadline']}" + (f" done {s['done_on']}" if s["done_on"] else "")
                      for s in record.get("stages", ())]
    return flat


def _history_line(change: dict) -> str:
    """One follow-up as a line: `2021-06-10 Re-inspection: status open → done; ... (url)`."""
    parts = []
    changes = change["changes"]
    if "stage" in changes:
        parts.append(f"stage {changes['stage']}")
    if "period" in changes:  # one occurrence of a recurring duty
        parts.append(f"period {changes['period']}")
    if "status" in changes:
        parts.append("status {} → {}".format(*changes["status"]))
    if "deadline" in changes:
        before, after = changes["deadline"]
        reason = f" ({changes['reason']})" if changes.get("reason") else ""
        parts.append(f"deadline {before or 'ongoing'} → {after}{reason}")
    if "accepted_by" in changes:
        parts.append(f"accepted by {changes['accepted_by']}")
    if "escalated" in changes:
        parts.append("escalated" if changes["escalated"] else "supervision lifted")
    if "reopen" in changes:
        parts.append(f"reopened: {changes['reopen']}")
    what = "; ".join(parts) or "progress reported"
    return f"{change['date']} {change['title']}: {what} <{change['url']}>"
