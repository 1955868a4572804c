from safety_bulletins.units import load_units


def load(tmp_path, text):
    path = tmp_path / "units.yml"
    path.write_text(text, encoding="utf-8")
    return load_units(path)


def test_resolves_ids_names_aliases_any_case(tmp_path):
    registry, problems = load(tmp_path, "- id: property\n  name: Property  Co\n  aliases: [物业公司]\n- id: pm\n  name: PM\n  parent: Property Co\n")
    assert problems == []
    assert [registry.resolve(r) for r in ("PROPERTY", "property co", "物业公司", "ALL", "nope")] == [
        "property", "property", "property", "all", None]
    assert registry.units["pm"].parent == "property"
    assert [u.id for u in registry.children("property")] == ["pm"]
    assert registry.suggest("proprety").id == "property"


def test_problems_name_their_line(tmp_path):
    text = ("- id: Bad Id\n  name: X\n"
            "- id: a\n  name: A\n"
            "- id: b\n  name: a\n"
            "- id: all\n  name: Everyone\n"
            "- id: c\n  name: C\n  parent: nowhere\n  colour: red\n")
    _, problems = load(tmp_path, text)
    found = [(p.line, p.message) for p in problems]
    assert found == [
        (1, "unit id 'Bad Id' is missing or not a slug"),
        (6, "'a' already names unit 'a'"),
        (7, "'all' is reserved: it addresses every unit"),
        (12, "unknown field 'colour' in a unit"),
    ]


def test_unknown_parent(tmp_path):
    _, problems = load(tmp_path, "- id: c\n  name: C\n  parent: nowhere\n")
    assert [(p.line, p.message) for p in problems] == [(3, "unit 'c' has an unknown parent 'nowhere'")]


def test_missing_malformed_or_not_a_list(tmp_path):
    assert "missing" in load_units(tmp_path / "none.yml")[1][0].message
    assert "malformed YAML" in load(tmp_path, "- id: [a\n")[1][0].message
    assert "must be a YAML list" in load(tmp_path, "id: a\n")[1][0].message


def test_units_of_the_wrong_shape(tmp_path):
    text = "- just a name\n- id: a\n  aliases: {x: y}\n- id: b\n  name: B\n  parent: [a]\n"
    _, problems = load(tmp_path, text)
    assert [p.message for p in problems] == [
        "a unit must be a mapping with id and name, not 'just a name'",
        "a unit needs a name",
        "aliases must be a list of names",
        "parent must be a unit id",
    ]
