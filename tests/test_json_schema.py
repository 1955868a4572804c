"""directives.json says what it is (`format`, `version`) and its JSON Schema (draft 2020-12) is
published beside it, directives.schema.json: the example's file, random corpora's and the
benchmark corpus's data validate against it, and it refuses a broken document."""

import copy
import datetime as dt
import importlib.util
import json
import tempfile
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from helpers import AS_OF, REPO, URLS, write_tree
from strategies import valid_corpus

from safety_bulletins.catalog import Catalog
from safety_bulletins.outputs.export import directives_json
from safety_bulletins.outputs.schema import FORMAT, VERSION, directives_schema
from safety_bulletins.sources.project import load_project

SCHEMA = directives_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def problems(document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def test_the_schema_is_a_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_example_s_directives_json_has_its_format_and_validates(example_site):
    data = json.loads((example_site / "directives.json").read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == (FORMAT, VERSION) == ("safety-bulletins/directives", 1)
    assert problems(data) == []
    assert len(data["directives"]) > 10
    assert any(r["history"] for r in data["directives"]) and any(r["shares"] for r in data["directives"])
    published = json.loads((example_site / "directives.schema.json").read_text(encoding="utf-8"))
    assert published == SCHEMA
    register = (example_site / "directives" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../directives.schema.json">' in register
    assert '<a href="../directives.xlsx" download>' in register


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=valid_corpus())
def test_random_corpora_give_json_the_schema_accepts(corpus):
    with tempfile.TemporaryDirectory() as tmp:
        project = load_project(write_tree(Path(tmp) / "bulletins", corpus.files))
        assert not project.errors
        data = directives_json(Catalog(project, dt.date.fromisoformat(AS_OF)), urls=URLS)
        assert problems(data) == []


def test_the_benchmark_corpus_gives_json_the_schema_accepts(tmp_path):
    spec = importlib.util.spec_from_file_location("corpus", REPO / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    corpus.generate(40, tmp_path)
    project = load_project(tmp_path / "bulletins")
    assert not project.errors
    for day in ("2021-06-30", AS_OF):  # follow-ups, recurring duties, overdue and closed
        data = directives_json(Catalog(project, dt.date.fromisoformat(day)), urls=URLS)
        assert data["directives"] and problems(data) == []


def broken(data: dict, change) -> dict:
    data = copy.deepcopy(data)
    change(data)
    return data


@pytest.mark.parametrize("change, where", [
    (lambda d: d.pop("format"), ""),
    (lambda d: d.update(version=2), "version"),
    (lambda d: d.update(as_of="2026-13-45"), "as_of"),
    (lambda d: d["directives"][0].update(status="finished"), "directives/0/status"),
    (lambda d: d["directives"][0].update(deadline="30 June"), "directives/0/deadline"),
    (lambda d: d["directives"][0].update(days_overdue="3"), "directives/0/days_overdue"),
    (lambda d: d["directives"][0].pop("id"), "directives/0"),
    (lambda d: d["directives"][0].update(units="energy"), "directives/0/units"),
    (lambda d: d["directives"][0]["bulletin"].update(type="memo"), "directives/0/bulletin/type"),
    (lambda d: d["directives"][0].update(grade="catastrophic"), "directives/0/grade"),
])
def test_the_schema_refuses_a_broken_document(example_site, change, where):
    data = json.loads((example_site / "directives.json").read_text(encoding="utf-8"))
    found = problems(broken(data, change))
    assert found and all(p.split(":")[0] == where for p in found), found
