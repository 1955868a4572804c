"""Every validation rule, through load_project as `bulletins check` and the build use it."""

import datetime as dt

import pytest
from helpers import AS_OF, MEETING_MD

from safety_bulletins.site_build.rendering import Judge
from safety_bulletins.sources import project as projects


def load_project(root, as_of=None):
    """As `bulletins check` loads it: links read from the rendered pages."""
    return projects.load_project(root, as_of, Judge(workers=0))

AS_OF_DATE = dt.date.fromisoformat(AS_OF)

HEAD = "---\ntitle: T\ndate: 2021-05-25\ntype: minutes\n---\n"


def problems_of(bulletins_dir, text, name="2021/b.md", **extra):
    project = load_project(bulletins_dir({name: text, **extra}))
    return [(p.line, p.message, p.hint) for p in project.problems]


def one_problem(bulletins_dir, text, **extra):
    found = problems_of(bulletins_dir, text, **extra)
    assert len(found) == 1, found
    return found[0]


def directive(options: str, text: str = "Do it.") -> str:
    return HEAD + "/// directive\n" + "".join(f"    {o}\n" for o in options.split(";") if o) + f"\n{text}\n///\n"


def test_the_meeting_fixture_is_valid(bulletins_dir):
    project = load_project(bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD}))
    assert project.errors == []
    (b,) = project.bulletins
    assert (b.title, b.date, b.type, b.issuer, b.number) == (
        "Special meeting on production safety", dt.date(2021, 5, 25), "minutes", "safety-env", "CIG-Safety〔2021〕7号")
    first, second = b.directives
    assert first.id == "CIG-2021-05-2" and first.units == ("all",) and first.support == ("safety-env",)
    assert first.deadline == dt.date(2021, 6, 30) and first.grade == "major" and first.status == "open"
    # defaults: id from the file stem and position, title from the first sentence, alias resolved
    assert second.id == "2021-05-25-meeting-2"
    assert second.title == "Keep the emergency plans current."
    assert second.units == ("property",) and second.deadline is None


@pytest.mark.parametrize("field", ["title", "date", "type"])
def test_required_front_matter(bulletins_dir, field):
    text = "\n".join(line for line in HEAD.split("\n") if not line.startswith(field + ":"))
    line, message, hint = one_problem(bulletins_dir, text)
    assert message == f"'{field}' is missing" and field in hint


def test_invalid_and_impossible_dates(bulletins_dir):
    line, message, _ = one_problem(bulletins_dir, HEAD.replace("2021-05-25", "25/05/2021"))
    assert line == 3 and "YYYY-MM-DD" in message
    line, message, _ = one_problem(bulletins_dir, HEAD.replace("2021-05-25", "2021-02-30"))
    assert line == 3 and "not a real date" in message and "day is out of range" in message


def test_unknown_type_suggests_the_closest(bulletins_dir):
    line, message, hint = one_problem(bulletins_dir, HEAD.replace("minutes", "minute"))
    assert line == 4 and "'minute'" in message and "Did you mean 'minutes'?" in hint


def test_unknown_front_matter_field_suggests_the_closest(bulletins_dir):
    line, message, hint = one_problem(bulletins_dir, HEAD.replace("type: minutes", "type: minutes\npresided: X"))
    assert line == 5 and "unknown field 'presided'" in message and "Did you mean 'presided_by'?" in hint


def test_draft_must_be_boolean(bulletins_dir):
    line, message, _ = one_problem(bulletins_dir, HEAD.replace("type: minutes", "type: minutes\ndraft: maybe"))
    assert line == 5 and "'draft' must be true or false" in message


def test_meeting_start_is_checked_at_its_line(bulletins_dir):
    text = HEAD.replace("type: minutes", "type: notice\nmeeting:\n  place: Hall\n  start: 2021-06-31 09:00")
    line, message, _ = one_problem(bulletins_dir, text)
    assert line == 7 and "not a real date" in message


def test_unknown_issuer_suggests_a_unit(bulletins_dir):
    line, message, hint = one_problem(bulletins_dir, HEAD.replace("type: minutes", "type: minutes\nissuer: propertty"))
    assert line == 5 and "unknown unit 'propertty'" in message and "Did you mean 'property' (Property Management Company)?" in hint


def test_directive_needs_units_and_deadline(bulletins_dir):
    found = problems_of(bulletins_dir, directive(""))
    assert [(line, message) for line, message, _ in found] == [
        (6, "the directive has no 'units'"), (6, "the directive has no 'deadline'")]


@pytest.mark.parametrize("deadline", ["2021-13-01", "next week", "+3m"])
def test_bad_deadlines(bulletins_dir, deadline):
    line, message, _ = one_problem(bulletins_dir, directive(f"units: [all];deadline: {deadline}"))
    assert line == 8 and "deadline" in message


def test_relative_deadlines_count_from_the_bulletin_date(bulletins_dir):
    project = load_project(bulletins_dir({"b.md": directive("units: all;deadline: +2w")}))
    assert project.bulletins[0].directives[0].deadline == dt.date(2021, 6, 8)


def test_unknown_status_and_grade(bulletins_dir):
    line, message, hint = one_problem(bulletins_dir, directive("units: all;deadline: ongoing;status: finished"))
    assert line == 9 and "'finished'" in message and "done" in hint
    line, message, hint = one_problem(bulletins_dir, directive("units: all;deadline: ongoing;grade: big"))
    assert line == 9 and "general (一般隐患), significant (较大隐患), major (重大隐患)" in hint


def test_unknown_unit_in_directive_suggests_the_closest(bulletins_dir):
    line, message, hint = one_problem(bulletins_dir, directive("units: [Energy Co];deadline: ongoing"))
    assert line == 7 and "unknown unit 'Energy Co'" in message and "Did you mean 'energy' (Energy Company)?" in hint


def test_units_written_as_one_with_chinese_commas_are_named(bulletins_dir):
    line, message, hint = one_problem(bulletins_dir, directive("units: 安全环保部，energy、Property;deadline: ongoing"))
    assert line == 7 and message == "'安全环保部，energy、Property' in 'units' is several units written as one"
    assert "'units: [安全环保部, energy, Property]'" in hint


def test_units_match_id_name_or_alias_in_any_case(bulletins_dir):
    text = directive("units: [PROPERTY, energy company, 安全环保部];support: Filling Stations;deadline: ongoing")
    d = load_project(bulletins_dir({"b.md": text})).bulletins[0].directives[0]
    assert d.units == ("property", "energy", "safety-env") and d.support == ("filling-stations",)


def test_unknown_option_suggests_the_closest(bulletins_dir):
    found = problems_of(bulletins_dir, directive("units: all;deadine: 2021-06-30"))
    messages = [(line, message, hint) for line, message, hint in found]
    assert (8, "unknown field 'deadine' in the directive", messages[0][2]) == messages[0]
    assert "Did you mean 'deadline'?" in messages[0][2]
    assert messages[1][1] == "the directive has no 'deadline'"


def test_bad_directive_id(bulletins_dir):
    line, message, _ = one_problem(bulletins_dir, directive("id: a b;units: all;deadline: ongoing"))
    assert line == 7 and "'a b'" in message


def test_directive_with_no_title_and_no_text(bulletins_dir):
    line, message, _ = one_problem(bulletins_dir, directive("units: all;deadline: ongoing", text=""))
    assert line == 6 and "neither a title nor any text" in message


def test_duplicate_ids_are_reported_in_both_places(bulletins_dir):
    text = directive("id: X-1;units: all;deadline: ongoing")
    project = load_project(bulletins_dir({"2021/a.md": text, "2021/b.md": text.replace("Do it.", "Again.")}))
    found = sorted((p.path.name, p.line, p.message) for p in project.problems)
    assert [(name, line) for name, line, _ in found] == [("a.md", 6), ("b.md", 6)]
    assert "b.md:6" in found[0][2] and "a.md:6" in found[1][2]


def test_missing_attachment_listed_or_linked(bulletins_dir):
    text = HEAD.replace("type: minutes", "type: minutes\nattachments: [forms/a.xlsx]") + "See [plan](plan.pdf).\n"
    found = problems_of(bulletins_dir, text, **{"2021/forms/a.xlsx": b"x"})
    assert [(line, "'plan.pdf' does not exist" in message) for line, message, _ in found] == [(7, True)]


def test_attachments_are_collected_once_and_external_links_ignored(bulletins_dir):
    text = (HEAD.replace("type: minutes", "type: minutes\nattachments: [forms/a.xlsx]")
            + "[a](forms/a.xlsx) [web](https://example.org/x.pdf) [top](#top) [other](other.md)\n")
    project = load_project(bulletins_dir({"2021/b.md": text, "2021/forms/a.xlsx": b"x", "2021/other.md": HEAD}))
    assert project.problems == []
    b = next(b for b in project.bulletins if b.rel_path == "2021/b.md")
    assert [a.path for a in b.attachments] == ["forms/a.xlsx"]


def test_links_may_not_leave_the_bulletins_folder(bulletins_dir, tmp_path):
    (tmp_path / "outside.txt").write_text("x")
    line, message, _ = one_problem(bulletins_dir, HEAD + "[x](../../outside.txt)\n")
    assert line == 6 and "points outside the bulletins folder" in message


def test_links_to_bulletins_of_other_years(bulletins_dir):
    project = load_project(bulletins_dir({"2021/b.md": HEAD + "[a](../2022/a.md)\n", "2022/a.md": HEAD}))
    assert project.problems == []


def test_a_directive_pymdown_would_see_but_not_at_the_line_start_is_an_error(bulletins_dir):
    for hidden, expected_line in (("!!! note\n    /// directive\n        units: all\n", 8), ("> /// directive\n", 7)):
        line, message, hint = one_problem(bulletins_dir, HEAD + "\n" + hidden + "\n    x\n")
        assert (line, message) == (expected_line, "a directive must start at the beginning of a line"), hidden
    project = load_project(bulletins_dir({"code.md": HEAD + "```\n    /// directive\n```\n"}))
    assert [p.severity for p in project.problems if p.path.name == "code.md"] == ["warning"]


def test_default_title_of_chinese_text_wrapped_over_lines(bulletins_dir):
    text = directive("units: all;deadline: ongoing", text="各单位要进一步建立健全\n应急救援管理机制。其他内容。")
    assert load_project(bulletins_dir({"b.md": text})).bulletins[0].directives[0].title == "各单位要进一步建立健全应急救援管理机制。"


def test_directives_are_checked_even_when_the_date_is_wrong(bulletins_dir):
    text = directive("units: [nowhere];deadline: +3d").replace("2021-05-25", "2021-05-32")
    assert [message for _, message, _ in problems_of(bulletins_dir, text)] == [
        "'date': '2021-05-32' is not a real date (day is out of range for month)",
        "unknown unit 'nowhere' in 'units'",
    ]


def test_not_utf8_file_fails_check(bulletins_dir):
    line, message, _ = one_problem(bulletins_dir, HEAD.encode() + "安全".encode("gbk"))
    assert "not UTF-8" in message


def test_drafts_are_validated_but_not_published(bulletins_dir):
    text = HEAD.replace("type: minutes", "type: minutes\ndraft: true")
    project = load_project(bulletins_dir({"d.md": text, "p.md": HEAD}))
    assert project.problems == [] and [b.rel_path for b in project.published(AS_OF_DATE)] == ["p.md"]
    assert "title" in str(load_project(bulletins_dir({"d.md": text.replace("title: T\n", "")})).problems[0])


def test_problem_text_names_file_line_and_fix(bulletins_dir):
    project = load_project(bulletins_dir({"2021/b.md": HEAD.replace("minutes", "minute")}))
    text = str(project.problems[0])
    assert text.startswith(f"{project.root / '2021/b.md'}:4: error: 'type' is 'minute'")
    assert "Did you mean 'minutes'?" in text


def test_plain_values_stay_as_written(bulletins_dir):
    text = HEAD.replace("type: minutes", "type: minutes\nnumber: 012\npresided_by: 12:30") + \
        "/// directive\n    units: no\n    deadline: ongoing\n\nx\n///\n"
    project = load_project(bulletins_dir({"b.md": text}))
    assert [p.message for p in project.problems] == ["unknown unit 'no' in 'units'"]
    text = text.replace("units: no", "units: all")
    b = load_project(bulletins_dir({"b.md": text})).bulletins[0]
    assert (b.number, b.presided_by) == ("012", "12:30")


def test_yaml_tags_are_errors_not_crashes(bulletins_dir):
    line, message, _ = one_problem(bulletins_dir, HEAD.replace("2021-05-25", "!!timestamp 2021-02-30"))
    assert "malformed YAML" in message


@pytest.mark.parametrize(("text", "line", "message"), [
    ("---\n- a\n- b\n---\n", 2, "the front matter must be 'field: value' lines"),
    (HEAD.replace("title: T", "title: [a, b]"), 2, "'title' must be text"),
    (HEAD.replace("type: minutes", "type: minutes\nattendees: {a: b}"), 5, "'attendees' must be a list of names"),
    (HEAD.replace("type: minutes", "type: notice\nmeeting: tomorrow"), 5, "'meeting' must hold start:"),
    (HEAD + "/// directive\n    - units\n\nx\n///\n", 7, "a directive's options must be 'name: value' lines"),
    (HEAD + "/// directive\n    units: []\n    deadline: ongoing\n\nx\n///\n", 7, "'units' is empty"),
])
def test_values_of_the_wrong_shape(bulletins_dir, text, line, message):
    found_line, found_message, _ = one_problem(bulletins_dir, text)
    assert found_line == line and found_message.startswith(message)


def test_markdown_files_with_another_extension_are_not_skipped(bulletins_dir):
    project = load_project(bulletins_dir({"2021/b.MD": HEAD, "2021/c.markdown": HEAD}))
    assert sorted(p.message for p in project.problems) == [
        "bulletins must end in '.md', not '.MD'", "bulletins must end in '.md', not '.markdown'"]


def test_links_to_drafts_are_errors(bulletins_dir):
    draft = HEAD.replace("type: minutes", "type: minutes\ndraft: true")
    line, message, _ = one_problem(bulletins_dir, HEAD + "See [it](d.md).\n", name="p.md", **{"d.md": draft})
    assert line == 6 and message == "links to 'd.md', which is a draft and will not be published"


def test_angle_bracket_links_are_checked(bulletins_dir):
    line, message, _ = one_problem(bulletins_dir, HEAD + "[x](<missing file.pdf>)\n")
    assert "'missing file.pdf' does not exist" in message


def test_attachments_with_spaces_and_images(bulletins_dir):
    project = load_project(bulletins_dir({"b.md": HEAD + "[x](<form 1.pdf>) ![p](photo%20a.jpg)\n",
                                          "form 1.pdf": b"x", "photo a.jpg": b"x"}))
    assert project.problems == []
    assert [a.path for a in project.bulletins[0].attachments] == ["form 1.pdf", "photo a.jpg"]


def test_a_file_name_that_makes_no_valid_default_id(bulletins_dir):
    line, message, hint = one_problem(bulletins_dir, directive("units: all;deadline: ongoing"), name="会议（一）.md")
    assert line == 6 and "does not make a valid directive id" in message and "id:" in hint


def test_ids_may_not_take_the_sites_own_anchors(bulletins_dir):
    line, message, _ = one_problem(bulletins_dir, directive("id: SB-attachments;units: all;deadline: ongoing"))
    assert line == 7 and message == "directive ids may not start with 'sb-'"
    line, message, _ = one_problem(bulletins_dir, directive("id: MD-header;units: all;deadline: ongoing"))
    assert line == 7 and message == "directive ids may not start with 'md-'"  # the theme's: the gate renames them


def test_likely_mistakes_are_warnings(bulletins_dir):
    text = directive("units: all;owner: Wang;deadline: 2021-05-01")
    project = load_project(bulletins_dir({"b.md": text}))
    assert [(p.line, p.severity, p.message) for p in project.problems] == [
        (9, "warning", "the deadline 2021-05-01 is before the bulletin's date 2021-05-25"),
        (8, "warning", "a directive to all units has one owner"),
    ]
    assert len(project.published(AS_OF_DATE)) == 1  # warnings do not stop a bulletin


DRAFT = HEAD.replace("type: minutes", "type: minutes\ndraft: true")  # draft: true on line 5


@pytest.mark.parametrize("fields, blanks", [
    ('meeting: {start: "  "}\nattendees: [""]\npresided_by: "  "',
     "meeting start (line 6), attendees (line 7), presided_by (line 8)"),
    ("meeting:", "meeting (line 6)"),
])
def test_blanks_of_spaces_or_empty_items_are_blanks(bulletins_dir, fields, blanks):
    line, message, _ = one_problem(bulletins_dir, DRAFT.replace("draft: true", "draft: true\n" + fields))
    assert (line, message) == (6, "a draft, still to fill in before it can be published: " + blanks)
    published = problems_of(bulletins_dir, HEAD.replace("type: minutes", "type: minutes\n" + fields))
    assert [(line, message) for line, message, _ in published] == [
        (5 + n, f"'{name.split(' (')[0]}' is empty") for n, name in enumerate(blanks.split(", "))]


@pytest.mark.parametrize("options, message, hint", [
    ("units: 【物业公司】", "'【物业公司】' in 'units' is in full-width brackets '【】'", "'units: 物业公司'"),
    ("units: [all];support: 安全环保部、物业公司", "'安全环保部、物业公司' in 'support' is several units written as one",
     "'support: [安全环保部, 物业公司]'"),
])
def test_units_in_full_width_brackets_or_run_together_are_named(bulletins_dir, options, message, hint):
    _, found, found_hint = one_problem(bulletins_dir, directive(options + ";deadline: ongoing"))
    assert found == message and hint in found_hint


@pytest.mark.parametrize("value, hint", [("ZH", "Did you mean 'zh'? "), ("[zh]", ""), ("Chinese", "")])
def test_lang_is_zh_or_en(bulletins_dir, value, hint):
    line, message, found = one_problem(bulletins_dir, HEAD.replace("type: minutes", f"type: minutes\nlang: {value}"))
    assert line == 5 and message.startswith("'lang' is ") and found == hint + "Use one of: zh, en."
