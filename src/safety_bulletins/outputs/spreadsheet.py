"""CSV for spreadsheets: directives.csv on the site and `bulletins due --format csv`.

Excel opens a double-clicked CSV as the Windows code page unless it starts with a UTF-8 BOM,
and runs any cell that looks like a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+cmd|...`): a
title written by an editor must never become one. `safe_cell` is the one place that decides
(OWASP's advice: put a single quote before such a cell), and `csv_text` the one writer.
"""

from __future__ import annotations

import csv
import io

from . import cells, changes
from .. import fields
from ..catalog import Catalog
from ..state import Change
from .labels import ENGLISH, Labels


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
    return ("id", "title", "text", "units", "support", "owner", "lead", "accepting_unit", "supervisor", "owners",
            "deadline", "deadline_written", "original_deadline", "status", "bucket",
            "days_overdue", "closed_on", "on_time", "escalated", "escalation", "accepted_by", "accepted_on",
            "closed_off_on",
            "recurrence", "until", "next_deadline", "missed_periods", "stages", "starts",
            *(f.column for f in fields.details() if f.column),
            "progress", "url", "bulletin_title", "bulletin_date", "bulletin_type", "bulletin_url", "history")



def plain_cell(value) -> str | int:
    """A value as a cell: numbers as numbers, None empty, booleans as JSON writes them, lists
    joined with '; ' (for the workbook, whose text cells are never formulas: `safe_cell` for the CSV)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):  # written by this package (days), never by an editor: keep it a number
        return value
    if isinstance(value, dict):  # owners by unit, escalation's parts: "key: value; ..." (empty parts left out)
        return "; ".join(f"{key}: {part}" for key, part in value.items() if part is not None)
    return "; ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def safe_cell(value) -> str | int:
    """`plain_cell`, and text that a spreadsheet could read as a formula after a single quote."""
    if value.__class__ is not str:  # most cells are text: one test for them (250,000 cells at 2,000 bulletins)
        value = plain_cell(value)
        if value.__class__ is not str:
            return value
    if value.startswith(_SUSPECT) and (value.startswith(_FORMULA) or value.lstrip(_LEADING_SPACE).startswith(_FORMULA)):
        return "'" + value
    return value


def csv_text(fields, records, header=None) -> str:
    """A whole CSV file: BOM, header (`header`, or the fields' names), one row per record
    (mappings of the fields), CRLF line ends (the csv module's, which Excel expects), every
    cell through `safe_cell`."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)  # QUOTE_MINIMAL: a cell with a comma, quote or line break is quoted
    writer.writerow([safe_cell(name) for name in header or fields])
    # most cells are text that starts as no formula does, or empty: kept without a call (400,000 and
    # 700,000 cells at 2,000 bulletins)
    writer.writerows([value if value.__class__ is str and not value.startswith(_SUSPECT) else
                      "" if value is None else safe_cell(value)
                      for value in map(record.get, fields)] for record in records)
    return BOM + out.getvalue()


def directives_csv(records: list[dict], catalog: Catalog, labels: Labels = ENGLISH, rows=None) -> str:
    """directives.json's records (export.directives_json of `catalog`) as a table in the site's
    language: the bulletin's fields as columns of their own, the history as a line per follow-up
    (changes.describe), then the codes for machines (`code_columns`). `rows`: `directive_rows`
    made already (the workbook's too)."""
    codes = code_columns()
    return csv_text((*directive_columns(), *codes), directive_rows(records, catalog, labels) if rows is None else rows,
                    header=[*directive_header(labels), *codes])


def directive_rows(records, catalog: Catalog, labels: Labels = ENGLISH):
    """directives.json's records as the rows of directives.csv and directives.xlsx (mappings of
    `directive_columns()` and `code_columns()`), values in the site's language."""
    return (_flat(record, catalog, labels) for record in records)


def code_columns() -> tuple[str, ...]:
    """The codes of the values a Chinese sheet shows by name, in columns of their own after the
    ones people read, named alike on every site (a script reads any site's sheet the same way):
    unit ids, status, bucket, each choice of the field spec (grade...), acceptor, bulletin type."""
    return ("unit_ids", "support_ids", "status_code", "bucket_code", *(f"{f.column}_code" for f in _choices()),
            "accepted_by_id", "bulletin_type_code", *(f"{f.column}_id" for f in fields.roles()), "owners_by_unit_id")


def _choices() -> tuple[fields.Field, ...]:
    """The directive's choice options exported with a column (grade, and any the spec adds)."""
    return tuple(f for f in fields.details() if f.kind == fields.CHOICE and f.column)


def directive_header(labels: Labels) -> list[str]:
    """The names of `directive_columns()` as a reader sees them: the keys of directives.json on
    an English site (as they always were), the field spec's labels and the pages' words on others."""
    if labels.language == "en":
        return list(directive_columns())
    spec = {f.column: labels.field(f) for f in reversed((*fields.DIRECTIVE, *fields.FOLLOW_UP))  # the directive's first
            if f.column and labels.language in f.label}
    words = {
        "title": labels("Title"), "text": labels("Directive text"), "original_deadline": labels("Original deadline"),
        "deadline_written": labels("Deadline as written"),
        "bucket": labels("When due"), "days_overdue": labels("Days overdue"), "closed_on": labels("Closed on"),
        "on_time": labels("Closed on time"), "url": labels("Link"), "bulletin_title": labels("Bulletin title"),
        "bulletin_date": labels("Bulletin date"), "bulletin_type": labels("Bulletin type"),
        "bulletin_url": labels("Bulletin link"), "history": labels("History"), "progress": labels("Units' progress"),
        "recurrence": labels("Recurrence"), "next_deadline": labels("Next deadline"),
        "missed_periods": labels("Missed periods"),
        "owners": labels("Owner per unit"), "escalation": labels("Escalation (level · body · number)"),
        "accepted_on": labels("Accepted on"), "closed_off_on": labels("Closed off on"),
    }
    return [spec.get(name) or words[name] for name in directive_columns()]


def _flat(record: dict, catalog: Catalog, labels: Labels) -> dict:
    flat = {key: value for key, value in record.items() if key not in ("bulletin", "history", "shares")}
    flat.update({f"bulletin_{key}": value for key, value in record["bulletin"].items()})
    flat.update(unit_ids=record["units"], support_ids=record["support"], status_code=record["status"],
                bucket_code=record["bucket"], accepted_by_id=record["accepted_by"],
                bulletin_type_code=record["bulletin"]["type"], **{f"{f.column}_code": record.get(f.column) for f in _choices()},
                **{f"{f.column}_id": record.get(f.column) for f in fields.roles()},
                owners_by_unit_id=record["owners"])  # 责任人 by unit id ("property: 王磊; ..."), beside the names
    changes_made = catalog.states[record["id"]].history  # in the order of record["history"], which has their URLs
    flat["history"] = "\n".join(_history_line(change, entry["url"], catalog, labels)
                                 for change, entry in zip(changes_made, record["history"], strict=True))
    flat["stages"] = [f"{s['name']} {s['deadline']}" + (f" done {s['done_on']}" if s["done_on"] else "")
                      for s in record.get("stages", ())]
    if labels.language != "en":  # values by name; the codes stay in code_columns()
        flat.update(_readable(record, catalog, labels))
    return flat


# directives-by-unit.csv: a row per unit's share (export.share_records), the directive's columns
# a reader filters and sorts by, then the codes
SHARE_COLUMNS = ("id", "unit", "owner", "title", "deadline", "deadline_written", "original_deadline", "status", "bucket", "days_overdue",
                 "closed_on", "on_time", "escalated", "accepted_by")
SHARE_TAIL_COLUMNS = ("bulletin_title", "bulletin_date", "url")


def share_columns() -> tuple[str, ...]:
    """directives-by-unit.csv's columns (keys of export.share_records), before the codes."""
    return (*SHARE_COLUMNS, *(f.column for f in _choices()), *SHARE_TAIL_COLUMNS)


def share_code_columns() -> tuple[str, ...]:
    return ("unit_id", "status_code", "bucket_code", *(f"{f.column}_code" for f in _choices()), "accepted_by_id")


def directives_by_unit_csv(records: list[dict], catalog: Catalog, labels: Labels = ENGLISH) -> str:
    """Each unit's share of every directive (export.share_records) as a table: its status and
    deadline in force, a row per unit, written and translated as directives.csv is."""
    columns, codes = share_columns(), share_code_columns()
    names = dict(zip(directive_columns(), directive_header(labels)))
    names["unit"] = labels("Unit") if labels.language != "en" else "unit"
    choices = [(f.column, f"{f.column}_code") for f in _choices()]  # once, not once a row
    rows = []
    for record in records:
        row = {**record, "unit_id": record["unit"], "status_code": record["status"], "bucket_code": record["bucket"],
               "accepted_by_id": record["accepted_by"], **{code: record.get(column) for column, code in choices}}
        if labels.language != "en":
            row.update(_readable_share(record, catalog, labels))
        rows.append(row)
    return csv_text((*columns, *codes), rows, header=[*(names[c] for c in columns), *codes])


def _readable_share(record: dict, catalog: Catalog, labels: Labels) -> dict:
    def yes_no(value: bool | None) -> str:
        return "" if value is None else labels("yes") if value else labels("no")

    return {
        "unit": catalog.registry.display_name(record["unit"], labels.language) or record["unit"],
        "status": labels.STATUSES[record["status"]], "bucket": labels.BUCKETS[record["bucket"]],
        **{f.column: f.choice_labels.get(labels.language, {}).get(record[f.column], record[f.column])
           for f in _choices() if record.get(f.column)},
        "on_time": yes_no(record["on_time"]), "escalated": yes_no(record["escalated"]),
        "accepted_by": changes.acceptor_name(record["accepted_by"], labels, catalog.registry)
        if record["accepted_by"] else None,
    }


def _readable(record: dict, catalog: Catalog, labels: Labels) -> dict:
    """The values a reader would otherwise have to look up, by their names in the language."""
    def units(unit_ids: list[str]) -> str:
        return "、".join(catalog.registry.display_name(u, labels.language) or labels.ALL_UNITS for u in unit_ids)

    shares = catalog.progress(catalog.directive(record["id"]))

    def yes_no(value: bool | None) -> str:
        return "" if value is None else labels("yes") if value else labels("no")

    return {
        "units": units(record["units"]), "support": units(record["support"]),
        "status": labels.STATUSES[record["status"]], "bucket": labels.BUCKETS[record["bucket"]],
        **{f.column: f.choice_labels.get(labels.language, {}).get(record[f.column], record[f.column])
           for f in _choices() if record.get(f.column)},  # grade: 重大隐患
        "on_time": yes_no(record["on_time"]), "escalated": yes_no(record["escalated"]),
        "accepted_by": changes.acceptor_name(record["accepted_by"], labels, catalog.registry)
        if record["accepted_by"] else None,
        "bulletin_type": labels.TYPES[record["bulletin"]["type"]],
        **{f.column: units([record[f.column]]) for f in fields.roles() if record.get(f.column)},  # lead: 能源公司
        "owners": labels.join(labels("{unit}: {person}", unit=units([unit]), person=person)
                              for unit, person in record["owners"].items()) or None,
        "escalation": changes.escalation_text(catalog.state_of(catalog.directive(record["id"])).escalation, labels,
                                              catalog.registry) or None if record["escalation"] else None,
        "progress": cells.progress_text(shares, labels, lambda u: units([u])) if shares else None,
    }


def _history_line(change: Change, url: str, catalog: Catalog, labels: Labels) -> str:
    """One follow-up as a line: `2021-06-10 Re-inspection: status Open → Done; ... <url>`."""
    what = labels("{title}: {changes}", title=change.follow_up.title,
                  changes=changes.describe(change, labels, catalog.registry))
    return f"{change.follow_up.date.isoformat()} {what} <{url}>"


# `bulletins due --format csv`: its records' keys, the columns people read, then the codes
DUE_COLUMNS = ("unit", "unit_name", "id", "title", "deadline", "days_left", "status", "role", "escalated", "bulletin",
               "bulletin_date")
DUE_PEOPLE_COLUMNS = ("owner", "leader", "escalation")  # 责任人, 责任领导, 挂牌督办: after the sub-units
DUE_CODE_COLUMNS = ("unit_id", "status_code", "role_code")


def due_csv(records: list[dict], labels: Labels, names: dict[str, str], with_subunits: bool = False) -> str:
    """What is due as a table, written and translated as directives.csv is: on an English site the
    columns as they always were, on others the unit by name (its id among the codes), headers and
    values in the language; then the codes (`DUE_CODE_COLUMNS`, and the sub-units' ids)."""
    codes = (*DUE_CODE_COLUMNS, *(["sub_unit_ids"] if with_subunits else []))
    rows = []
    for record in records:
        row = {**record, "unit_id": record["unit"], "status_code": record["status"], "role_code": record["role"]}
        if with_subunits:
            row["sub_unit_ids"] = " ".join(record["sub_units"])
            row["sub_units"] = row["sub_unit_ids"] if labels.language == "en" else \
                "、".join(names[u] for u in record["sub_units"])
        if labels.language != "en":
            row.update(status=labels.STATUSES[record["status"]],
                       role=labels("Responsible") if record["role"] == "responsible" else labels("Supporting unit"),
                       escalated=labels("yes") if record["escalated"] else labels("no"))
        rows.append(row)
    if labels.language == "en":
        columns = (*DUE_COLUMNS, *(["sub_units"] if with_subunits else []), *DUE_PEOPLE_COLUMNS)
        return csv_text((*columns, *codes), rows)
    # the unit by name; its id is a code
    columns = (*DUE_COLUMNS[1:], *(["sub_units"] if with_subunits else []), *DUE_PEOPLE_COLUMNS)
    header = [labels("Unit"), labels.field(fields.by_name(fields.DIRECTIVE, "id")), labels("Title"),
              labels("Deadline"), labels("Days left"), labels("Status"), labels("Role"), labels("Escalated"),
              labels("Bulletin title"), labels("Bulletin date"), *([labels("For sub-unit")] if with_subunits else []),
              labels.field(fields.by_name(fields.DIRECTIVE, "owner")), labels.field(fields.by_name(fields.DIRECTIVE, "leader")),
              labels("Escalation (level · body · number)")]
    return csv_text((*columns, *codes), rows, header=[*header, *codes])
