import os
import time

from safety_bulletins.outputs import site
from safety_bulletins.sources.units import load_units


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
        (6, "'a' (name of 'b') already names unit 'a'"),
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


def test_a_repeated_key_is_an_error_naming_both_lines(tmp_path):
    _, problems = load(tmp_path, "- id: a\n  name: A\n- id: b\n  name: B\n  parent: a\n  name: Bee\n")
    assert [(p.line, p.message) for p in problems] == [
        (6, "malformed YAML: 'name' is given twice, on lines 4 and 6: keep one")]


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    lines = ['- id: a\n  name: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"- id: {c}\n  name: &{c} [{', '.join(['*' + chr(ord(c) - 1)] * 9)}]" for c in "bcdefghi"]
    start = time.perf_counter()
    _, problems = load(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2
    assert [(p.line, p.message) for p in problems] == [(2, "malformed YAML: anchors and aliases ('&a') are not allowed")]


def test_a_tag_is_an_error(tmp_path):
    _, problems = load(tmp_path, "- id: a\n  name: !!binary QQ==\n")
    assert [(p.line, p.message) for p in problems] == [
        (2, "malformed YAML: the tag '!!binary' is not allowed: values are read as plain text")]


def test_a_huge_entry_is_quoted_cut_short(tmp_path):
    _, problems = load(tmp_path, "- " + "x" * 100_000 + "\n- [" + ", ".join(["y" * 100] * 1000) + "]\n")
    assert [p.message[:43] for p in problems] == ["a unit must be a mapping with id and name, "] * 2
    assert all(len(p.message) < 200 for p in problems)


def test_a_unit_that_is_its_own_parent(tmp_path):
    _, problems = load(tmp_path, "- id: a\n  name: A\n- id: b\n  name: B\n  parent: b\n")
    assert [(p.line, p.message) for p in problems] == [(5, "unit 'b' is its own parent")]
    _, problems = load(tmp_path, "- id: a\n  name: A\n  parent: a\n- id: b\n  name: B\n  parent: a\n")
    assert [(p.line, p.message) for p in problems] == [(3, "unit 'a' is its own parent")]


def test_a_parent_cycle_is_named_once_from_its_first_unit(tmp_path):
    text = ("- id: x\n  name: X\n  parent: b\n"  # leads into the cycle, is not part of it
            "- id: a\n  name: A\n  parent: c\n"
            "- id: b\n  name: B\n  parent: a\n  aliases: [Bee]\n"
            "- id: c\n  name: C\n  parent: Bee\n")
    _, problems = load(tmp_path, text)
    assert [(p.line, p.message) for p in problems] == [
        (6, "the parents of units go round in a circle: 'a' (line 6) → 'c' (line 13) → 'b' (line 9) → 'a'")]
    assert "parent:" in problems[0].hint


def test_a_long_cycle_is_found_in_proportion_and_named_in_short(tmp_path):
    count = 5000
    text = "".join(f"- id: u{i}\n  name: U{i}\n  parent: u{(i + 1) % count}\n" for i in range(count))
    start = time.perf_counter()
    _, problems = load(tmp_path, text)
    assert time.perf_counter() - start < 10
    (problem,) = problems
    assert problem.line == 3 and problem.message.startswith("the parents of units go round in a circle: 'u0' (line 3)")
    assert problem.message.endswith(f"... {count - 6} more → 'u0'") and len(problem.message) < 300


def test_a_chain_of_parents_is_fine(tmp_path):
    registry, problems = load(tmp_path, "- id: c\n  name: C\n  parent: b\n- id: b\n  name: B\n  parent: a\n"
                                        "- id: a\n  name: A\n")
    assert problems == []
    assert [registry.units[u].parent for u in "cba"] == ["b", "a", None]


def test_an_id_that_would_replace_a_generated_page_is_refused(tmp_path):
    _, problems = load(tmp_path, "- id: a\n  name: A\n- id: index\n  name: Index Department\n")
    assert [(p.line, p.message) for p in problems] == [
        (3, "unit id 'index' is taken: its page would replace the overview of units (units/index.md)")]
    assert site.unit_src("index") == site.UNITS_INDEX  # the reason, should the layout change


def test_a_folder_fifo_or_outside_link_is_reported_without_reading_it(tmp_path):
    path = tmp_path / "units.yml"
    path.mkdir()
    assert [p.message for p in load_units(path)[1]] == ["units.yml is a folder, not a file"]
    path.rmdir()
    os.mkfifo(path)  # reading it would wait for a writer forever
    assert [p.message for p in load_units(path)[1]] == [
        "units.yml is not a regular file (a FIFO, socket or device): only plain files are published"]
    path.unlink()
    outside = tmp_path / "outside.yml"
    outside.write_text("- id: secret\n  name: Secret\n", encoding="utf-8")
    (tmp_path / "bulletins").mkdir()
    path = tmp_path / "bulletins" / "units.yml"
    path.symlink_to(outside)
    registry, problems = load_units(path)
    assert [p.message for p in problems] == [f"units.yml is a link to {outside}, outside the bulletins folder: "
                                             "nothing outside it is published"]
    assert registry.units == {}
    path.unlink()
    path.symlink_to("units.yml")
    assert [p.message for p in load_units(path)[1]] == ["units.yml cannot be read (Too many levels of symbolic links)"]


def test_a_link_inside_the_bulletins_folder_is_read(tmp_path):
    (tmp_path / "shared.yml").write_text("- id: a\n  name: A\n", encoding="utf-8")
    (tmp_path / "units.yml").symlink_to("shared.yml")
    registry, problems = load_units(tmp_path / "units.yml")
    assert problems == [] and list(registry.units) == ["a"]


def test_descendants_at_any_depth_in_file_order(tmp_path):
    registry, problems = load(tmp_path, "- id: group\n  name: Group\n- id: b\n  name: B\n  parent: a\n"
                                        "- id: a\n  name: A\n  parent: group\n- id: c\n  name: C\n  parent: b\n"
                                        "- id: other\n  name: Other\n")
    assert problems == []
    assert registry.descendants("group") == ["b", "a", "c"]
    assert registry.descendants("a") == ["b", "c"]
    assert registry.descendants("c") == [] and registry.descendants("unknown") == []


def test_descendants_stop_in_a_parent_cycle(tmp_path):
    registry, problems = load(tmp_path, "- id: a\n  name: A\n  parent: b\n- id: b\n  name: B\n  parent: a\n")
    assert problems and registry.descendants("a") == ["b"]


def test_a_chinese_name_taken_by_another_unit_names_both(tmp_path):
    text = ("- id: property\n  name: Property Co\n  aliases: [物业公司]\n"
            "- id: hotel\n  name: Hotel Co\n  name_zh: 物业公司\n"
            "- id: energy\n  name: Energy Co\n  name_zh: 能源公司\n  aliases: [能源公司]\n")  # its own alias: fine
    _, problems = load(tmp_path, text)
    assert [(p.line, p.message) for p in problems] == [(6, "'物业公司' (name_zh of 'hotel') already names unit 'property'")]
    assert "name_zh" in problems[0].hint


def test_line_breaks_and_control_characters_in_names_are_refused(tmp_path):
    text = ('- id: "gas\\n"\n  name: Gas\n'  # `$` in a pattern matches before a final line break
            "- id: energy\n  name: |\n    Energy\n    Company\n"
            '- id: water\n  name: Water\n  name_zh: "水务\\t公司"\n'
            "- id: heat\n  name: >\n    Heating Company\n")  # folded onto one line: only its end is a break, trimmed
    registry, problems = load(tmp_path, text)
    assert [(p.line, p.message.split(": ")[0]) for p in problems] == [
        (1, "unit id 'gas\\n' is missing or not a slug"),
        (4, "the name 'Energy\\nCompany\\n' has a line break"),
        (9, "the name_zh '水务\\t公司' has the control character U+0009"),
    ]
    assert registry.units["heat"].name == "Heating Company"
