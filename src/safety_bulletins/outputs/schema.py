"""directives.schema.json: the JSON Schema (draft 2020-12) of directives.json (export.directives_json).

A program reading directives.json checks `format` and `version` first; the version goes up when
a key changes meaning or goes away (a new key is not a new version: objects allow more keys).
The choices (status, bucket, grade, type) come from the model and the field spec, so the schema
follows them.
"""

from __future__ import annotations

import json

from .. import fields
from ..model import BUCKETS, BULLETIN_TYPES, GRADES, STATUSES

FORMAT = "safety-bulletins/directives"
VERSION = 1

_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_DATE_OR_NULL = {"anyOf": [_DATE, {"type": "null"}]}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_UNIT_IDS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_URL = {"type": "string", "format": "uri-reference"}
_CHOICES = {"grade": GRADES}


def _obj(properties: dict, required: tuple[str, ...] | None = None) -> dict:
    return {"type": "object", "required": list(required if required is not None else properties),
            "properties": properties}


def directives_schema() -> dict:
    """The schema as a JSON document."""
    share = _obj({
        "unit": {"type": "string"}, "status": {"enum": list(STATUSES)}, "deadline": _DATE_OR_NULL,
        "deadline_written": _TEXT_OR_NULL, "bucket": {"enum": list(BUCKETS)}, "days_overdue": {"type": "integer", "minimum": 0},
        "closed_on": _DATE_OR_NULL, "on_time": {"type": ["boolean", "null"]}, "accepted_by": _TEXT_OR_NULL,
        "escalated": {"type": "boolean"},
    })
    change = _obj({
        "date": _DATE, "title": {"type": "string"},
        "changes": {"type": "object", "properties": {
            "status": {"type": "array", "prefixItems": [{"enum": list(STATUSES)}] * 2, "minItems": 2, "maxItems": 2},
            "period": {"type": "string"}, "stage": {"type": "string"},
            "deadline": {"type": "array", "prefixItems": [_DATE_OR_NULL, _DATE_OR_NULL], "minItems": 2, "maxItems": 2},
            "reason": _TEXT_OR_NULL, "accepted_by": {"type": "string"}, "escalated": {"type": "boolean"},
            "reopen": {"type": "string"},
        }},
        "url": _URL, "anchor": {"type": "string"}, "units": _UNIT_IDS,
    })
    details = {f.column: ({"enum": [*_CHOICES.get(f.column, f.choices), None]} if f.kind == fields.CHOICE
                          else _TEXT_OR_NULL) for f in fields.details() if f.column}
    directive = _obj({
        "id": {"type": "string", "minLength": 1},
        "title": {"type": "string"}, "text": {"type": "string"},
        "units": _UNIT_IDS, "support": _UNIT_IDS, "owner": _TEXT_OR_NULL,
        "deadline": _DATE_OR_NULL, "deadline_written": _TEXT_OR_NULL, "original_deadline": _DATE_OR_NULL,
        "status": {"enum": list(STATUSES)}, "bucket": {"enum": list(BUCKETS)},
        "days_overdue": {"type": "integer", "minimum": 0},
        "closed_on": _DATE_OR_NULL, "on_time": {"type": ["boolean", "null"]}, "escalated": {"type": "boolean"},
        "accepted_by": _TEXT_OR_NULL,
        "recurrence": _TEXT_OR_NULL, "until": _DATE_OR_NULL,
        "stages": {"type": "array", "items": _obj({"name": {"type": "string"}, "deadline": _DATE_OR_NULL,
                                                    "done_on": _DATE_OR_NULL})},
        "starts": _DATE_OR_NULL, "next_deadline": _DATE_OR_NULL,
        "missed_periods": {"type": "array", "items": {"type": "string"}},
        **details,
        "url": _URL,
        "bulletin": _obj({"title": {"type": "string"}, "date": _DATE, "type": {"enum": list(BULLETIN_TYPES)},
                          "url": _URL}),
        "history": {"type": "array", "items": change},
        "shares": {"type": "array", "items": share},
        "progress": _TEXT_OR_NULL,
    })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Directives of a Safety Bulletins site (directives.json)",
        "description": "Every published directive with its current state as of `as_of` and its history; "
                       "URLs are relative to the site's root.",
        **_obj({
            "format": {"const": FORMAT}, "version": {"const": VERSION}, "as_of": _DATE,
            "directives": {"type": "array", "items": directive},
        }),
    }


def schema_text() -> str:
    return json.dumps(directives_schema(), ensure_ascii=False, indent=2) + "\n"
