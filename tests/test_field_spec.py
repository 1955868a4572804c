"""The one field spec (fields.py): an option added there, and nowhere else, is read by the parser
and the validator, exported in directives.json and directives.csv, named in each language on the
card and, when filterable, offered by the filter and written in each row's facts."""

from helpers import URLS
import csv
import datetime as dt
import io
import re

import pytest

from safety_bulletins import fields
from safety_bulletins.catalog import Catalog
from safety_bulletins.model import BULLETIN_TYPES, STATUSES
from safety_bulletins.outputs.export import directives_json
from safety_bulletins.outputs.filters import ESCALATED, filter_options
from safety_bulletins.outputs.spreadsheet import directives_csv
from safety_bulletins.site_build.sitebuild import SiteBuild
from safety_bulletins.sources.project import load_project

AS_OF = dt.date(2026, 11, 28)

INSPECTOR = fields.Field("inspector", fields.TEXT, {"en": "Inspector", "zh": "检查人"}, column="inspector")
HAZARD = fields.Field("hazard", fields.CHOICE, {"en": "Hazard", "zh": "危险类别"}, column="hazard",
                      choices=("fire", "gas"), filter=True,
                      choice_labels={"en": {"fire": "Fire", "gas": "Gas"}, "zh": {"fire": "火灾", "gas": "燃气"}})

NOTICE = """\
---
title: 关于冬季检查的通知
date: 2026-11-20
type: notice
---
/// directive | 检查灭火器
    id: FIRE-1
    units: [property]
    deadline: 2026-12-20
    inspector: 王工
    hazard: fire
///

/// directive | Check the boilers
    id: GAS-1
    units: [property]
    deadline: 2026-12-21
///
"""


@pytest.fixture
def new_fields(monkeypatch):
    """Two options more, in the spec only: a free-text one and a filterable choice."""
    monkeypatch.setattr(fields, "DIRECTIVE", (*fields.DIRECTIVE, INSPECTOR, HAZARD))


def build_of(bulletins_dir, text: str, language: str = "en") -> SiteBuild:
    return SiteBuild.load(bulletins_dir({"2026/2026-11-20-notice.md": text}), AS_OF, language=language, urls=URLS)


def test_a_new_option_is_read_and_exported(new_fields, bulletins_dir):
    build = build_of(bulletins_dir, NOTICE)
    assert not build.project.problems
    fire, gas = build.catalog.directives
    assert fire.details["inspector"] == "王工" and fire.details["hazard"] == "fire"
    records = directives_json(build.catalog, urls=URLS)["directives"]
    assert [(r["inspector"], r["hazard"]) for r in records] == [("王工", "fire"), (None, None)]
    assert list(records[0])[list(records[0]).index("contingency") + 1:][:3] == ["inspector", "hazard", "url"]
    table = list(csv.DictReader(io.StringIO(directives_csv(records, build.catalog).removeprefix("\ufeff"))))
    assert (table[0]["inspector"], table[0]["hazard"], table[1]["inspector"]) == ("王工", "fire", "")
    assert (table[0]["hazard_code"], table[1]["hazard_code"]) == ("fire", "")
    # a Chinese site's sheet: the spec's label as header, the choice by its name, its code after
    chinese = build_of(bulletins_dir, NOTICE, language="zh")
    table = list(csv.DictReader(io.StringIO(chinese.export_csv().removeprefix("\ufeff"))))
    assert (table[0]["检查人"], table[0]["危险类别"], table[0]["hazard_code"]) == ("王工", "火灾", "fire")


def test_a_new_option_shows_on_the_card_in_the_bulletins_language(new_fields, bulletins_dir):
    build = build_of(bulletins_dir, NOTICE)
    fire, gas = build.catalog.directives
    card = build.renderer.directive_meta(fire)  # a Chinese bulletin: its cards speak Chinese
    assert "<dt>检查人</dt><dd>王工</dd>" in card and "<dt>危险类别</dt><dd>火灾</dd>" in card
    assert "检查人" not in build.renderer.directive_meta(gas)  # not written: not shown


def test_a_new_filterable_option_is_offered_and_matched(new_fields, bulletins_dir):
    build = build_of(bulletins_dir, NOTICE, language="zh")
    assert filter_options(build.catalog, build.catalog.register).choices["hazard"] == ("fire",)
    html = build.page_output("directives/index.md", build.page_content("directives/index.md", ""))
    assert '<label>危险类别 <select name="hazard"><option value="">不限</option>\n<option value="fire">火灾</option>' in html
    facts = dict(re.findall(r'data-sb-f="([^"]*)".*?#([A-Z]+-1)"', html, re.S))
    assert {v: k for k, v in facts.items()} == {"FIRE-1": "open notice 2026 fire @property",
                                                "GAS-1": "open notice 2026 @property"}


@pytest.mark.parametrize(("option", "message", "hint"), [
    ("    inspektor: 王工", "unknown field 'inspektor' in the directive", "Did you mean 'inspector'?"),
    ("    hazard: fier", "'hazard' is 'fier', which is not allowed", "Did you mean 'fire'? Use one of: fire (火灾), gas (燃气)."),
    ("inspector: 王工", "the option is not indented, so it is read as text", "like '    inspector: ...'"),
])
def test_a_new_option_is_checked(new_fields, bulletins_dir, option, message, hint):
    text = NOTICE.replace("    hazard: fire", option) if "hazard" in option else NOTICE.replace(
        "    inspector: 王工", option)
    if not option.startswith(" "):  # an option that is not indented, right below the header
        text = NOTICE.replace("    inspector: 王工\n", "").replace("/// directive | Check the boilers\n",
                                                                     f"/// directive | Check the boilers\n{option}\n")
    problems = load_project(bulletins_dir({"2026/2026-11-20-notice.md": text}), AS_OF).problems
    assert [(p.message, hint in p.hint) for p in problems] == [(message, True)], [str(p) for p in problems]
    if "unknown" in message:
        assert "Allowed fields: id, units, support, lead, accepting_unit, supervisor, leader, owner, deadline, status, " \
               "grade, measures, funds, contingency, until, stages, from, inspector, hazard." in problems[0].hint


def test_the_card_and_exports_list_the_spec_in_its_order():
    """The details are read, shown and exported in the spec's order, so the spec's order is the card's."""
    assert [f.name for f in fields.details()] == ["leader", "grade", "measures", "funds", "contingency"]
    assert [f.name for f in fields.filters()] == ["grade"]


def test_every_label_has_both_languages_and_every_choice_a_name():
    for f in (*fields.DIRECTIVE, *fields.FOLLOW_UP):
        assert not f.label or set(f.label) == {"en", "zh"}, f.name
        for language in ("en", "zh"):
            assert not f.choices or set(f.choice_labels[language]) == set(f.choices), (f.name, language)


def test_a_filterable_options_values_are_words_no_other_fact_is():
    """The filter matches whole words of data-sb-f (outputs/filters.py), and each select's name is
    a key of the query string: a value may not be another dimension's word, a name not a key taken."""
    words = [*STATUSES, *BULLETIN_TYPES, ESCALATED, *(v for f in fields.filters() for v in f.choices)]
    assert len(words) == len(set(words))
    assert not any(re.fullmatch(r"[0-9]{4}", w) or re.search(r"[\s@]", w) for w in words)
    taken = {"unit", "bucket", "status", "type", "year", "escalated", "text", "q", "h"}
    assert all(f.kind == fields.CHOICE and f.name not in taken for f in fields.filters())


HISTORY = """\
---
title: Inspection follow-ups
date: 2026-11-25
type: inspection
issuer: safety-env
---
/// follow-up
    directive: FIRE-1
    date: 2026-11-22
    status: done
    accepted_by: safety-env
    closed_off: true
///

/// follow-up
    directive: FIRE-1
    reopen: The extinguishers failed again
    deadline: 2026-12-31
    reason: New ones are on order
    escalate: true
///
"""


def test_every_column_the_spec_declares_is_exported(bulletins_dir):
    """A directive's columns are keys of directives.json and columns of directives.csv; a
    follow-up's are the keys of what its entry of the history says it changed."""
    root = bulletins_dir({"2026/2026-11-20-notice.md": NOTICE.replace("    inspector: 王工\n    hazard: fire\n", ""),
                          "2026/2026-11-25-inspection.md": HISTORY})
    catalog = Catalog(load_project(root, AS_OF), AS_OF)
    assert not catalog.directives[0].bulletin.follow_ups and len(catalog.follow_ups) == 2
    record = directives_json(catalog, urls=URLS)["directives"][0]
    header = next(csv.reader(io.StringIO(directives_csv([record], catalog).removeprefix("\ufeff"))))
    for f in fields.DIRECTIVE:
        assert f.column in record and f.column in header, f.name
    changed = {key for change in record["history"] for key in change["changes"]}
    assert {f.column for f in fields.FOLLOW_UP if f.column} == changed
