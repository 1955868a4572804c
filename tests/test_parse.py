import time
from pathlib import Path

import pytest

from safety_bulletins.sources.parse import headings, parse_bulletin, read_text, without_code_spans
from safety_bulletins.sources.project import load_project
from safety_bulletins.sources.validate import first_sentence

P = Path("b.md")


def parse(text):
    return parse_bulletin(P, text)


def test_front_matter_body_and_line_numbers():
    raw, problems = parse("---\ntitle: T\ndate: 2021-05-25\ntype: minutes\n---\nBody\n")
    assert problems == []
    assert raw.front_matter["title"] == "T"
    assert raw.front_matter.line_of("type") == 3  # relative to the YAML, which starts on file line 2
    assert raw.body_line == 6
    assert raw.body.startswith("Body")


def test_dates_stay_strings_so_impossible_dates_can_be_reported():
    raw, _ = parse("---\ndate: 2021-02-30\n---\n")
    assert raw.front_matter["date"] == "2021-02-30"


def test_directive_block_with_title_options_and_text():
    text = "---\ntitle: T\n---\nIntro\n\n/// directive | Do it\n    units: [all]\n    deadline: +14d\n\nThe text.\n\nMore.\n///\nAfter\n"
    raw, problems = parse(text)
    assert problems == []
    (d,) = raw.directives
    assert d.line == 6 and d.options_line == 7
    assert d.title == "Do it"
    assert d.options == {"units": ["all"], "deadline": "+14d"}
    assert d.options.line_of("deadline") == 2
    assert d.text == "The text.\n\nMore."


def test_directive_without_options_or_title():
    raw, _ = parse("---\ntitle: T\n---\n/// directive\nJust text.\n///\n")
    (d,) = raw.directives
    assert d.title == "" and d.options is None and d.text == "Just text."


def test_directive_inside_code_fence_is_text():
    text = "---\ntitle: T\n---\n```markdown\n/// directive\n    units: [all]\n///\n```\n\n~~~~\n/// directive\n~~~~\n"
    raw, problems = parse(text)
    assert raw.directives == []
    assert [(p.line, p.severity, p.message) for p in problems] == [
        (5, "warning", "a directive inside a code block is only an example, not a directive"),
        (11, "warning", "a directive inside a code block is only an example, not a directive"),
    ]


def test_code_fence_inside_directive_does_not_close_it():
    text = "---\ntitle: T\n---\n/// directive\n    units: [all]\n\n```\n///\n```\n///\nafter\n"
    raw, problems = parse(text)
    assert problems == []
    assert raw.directives[0].text == "```\n///\n```"


def test_nested_blocks_need_their_own_closing_line():
    text = "---\ntitle: T\n---\n//// directive\n    units: [all]\n\n/// note\nInside\n///\nStill the directive\n////\n"
    raw, problems = parse(text)
    assert problems == []
    assert raw.directives[0].text.endswith("Still the directive")


def test_unclosed_directive_is_reported_at_its_header():
    raw, problems = parse("---\ntitle: T\n---\ntext\n/// directive\n    units: [all]\n\nnever closed\n")
    assert raw.directives == []
    (p,) = problems
    assert p.line == 5 and "never closed" in p.message and "'///'" in p.hint


def test_directive_inside_directive_is_reported():
    _, problems = parse("---\ntitle: T\n---\n/// directive\nA\n/// directive\nB\n///\n///\n")
    assert [(p.line, "inside another directive" in p.message) for p in problems] == [(6, True)]


def test_malformed_option_yaml_names_the_file_line():
    _, problems = parse("---\ntitle: T\n---\n/// directive\n    units: [all\n    deadline: x\n\ntext\n///\n")
    (p,) = problems
    assert "malformed YAML" in p.message and p.line in (5, 6)


def test_missing_and_unclosed_front_matter():
    assert "does not start with YAML front matter" in parse("# Title\n")[1][0].message
    assert "never closed" in parse("---\ntitle: T\n")[1][0].message


def test_malformed_front_matter_yaml():
    _, problems = parse("---\ntitle: T\ndate: [2021\n---\n")
    (p,) = problems
    assert p.line >= 3 and "malformed YAML" in p.message


def test_not_utf8_is_reported_with_its_line(tmp_path):
    path = tmp_path / "gbk.md"
    path.write_bytes("---\ntitle: x\n---\n".encode() + "安全".encode("gbk"))
    text, problems = read_text(path)
    assert text is None
    assert problems[0].line == 4 and "not UTF-8" in problems[0].message


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\nx\r\n")
    text, problems = read_text(path)
    assert problems == [] and text == "---\ntitle: T\n---\nx\n"


def test_header_name_is_case_insensitive_and_tabs_count_as_spaces():
    raw, problems = parse("---\ntitle: T\n---\n///\tDirective\t| Do it\n    units: all\n\nText\n///\n")
    assert problems == [] and raw.directives[0].title == "Do it"


def test_quoted_fence_closes_and_inline_code_is_no_fence():
    text = "---\ntitle: T\n---\n> ```\n> /// directive\n> ```\n\n```python``` is code.\n\n/// directive\n    units: all\n\nx\n///\n"
    raw, problems = parse(text)
    assert [p.severity for p in problems] == ["warning"] and len(raw.directives) == 1


def test_unclosed_code_fence_is_reported():
    _, problems = parse("---\ntitle: T\n---\ntext\n~~~\n/// directive\n")
    assert [(p.line, p.message) for p in problems] == [(5, "a code block opened here is never closed")]


def test_anything_else_that_looks_like_a_directive_is_reported():
    text = "---\ntitle: T\n---\n- /// directive\n\nWrite `/// directive` to start one.\n"
    _, problems = parse(text)
    assert [(p.line, p.message) for p in problems] == [(4, "a directive must start at the beginning of a line")]


def test_code_spans_close_only_with_a_run_of_the_same_length():
    assert without_code_spans("a `x` b ``y`z`` c") == "a  b  c"
    assert without_code_spans("`` only ` one") == "`` only ` one"  # no partner: the backticks are text
    assert without_code_spans("``` `x` ```") == ""


HOSTILE_LINES = {
    "backticks": "`" * 100_000,
    "backtick runs": "``` `" * 20_000,
    "brackets": "[" * 100_000,
    "bracket spaces": "[ " * 50_000,
    "link openings": "](" * 50_000,
    "empty links": "[](" * 33_000,
    "angle links": "[](<" * 25_000,
    "titles never closed": "[](a 'x " * 12_500,
    "slashes": "/" * 100_000,
    "slash runs": "/// " * 25_000,
    "spaces": " " * 100_000,
    "header spaces": "/// directive |" + " " * 100_000 + "x",
    "quote markers": "> " * 50_000 + "~",
    "list markers": "- " * 50_000 + "`",
    "mixed": "`[](/ !>" * 12_500,
}


@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_hostile_lines_take_linear_time(line):
    text = f"---\ntitle: T\n---\n{line}\n\n/// directive\n    units: [all]\n\n{line}\n///\n"
    started = time.perf_counter()
    raw, _ = parse(text)
    first_sentence(line)
    assert time.perf_counter() - started < 0.5  # each was seconds to hours before


def test_headings_atx_and_setext_outside_code():
    body = "# A\n## B ##\n#no\n```\n# code\n```\n    # indented code\nSet\n===\n\ntext\nmore\n---\n"
    assert headings(body, 1) == [("A", 1), ("B", 2), ("Set", 8), ("more", 12)]


def anchor_problems(bulletins_dir, body, directive_id):
    text = (f"---\ntitle: T\ndate: 2021-05-25\ntype: minutes\n---\n{body}\n\n"
            f"/// directive | Do it\n    id: {directive_id}\n    units: [all]\n    deadline: 2021-06-30\n///\n")
    return [(p.line, p.message) for p in load_project(bulletins_dir({"2021/b.md": text})).problems]


@pytest.mark.parametrize(("body", "directive_id", "anchor"), [
    ("## Clear the exits", "clear-the-exits", "clear-the-exits"),  # toc's default slug and pymdownx's
    ("## CIG-2021-05-2", "CIG-2021-05-2", "cig-2021-05-2"),  # anchors that differ only in case
    ("Clear *the* `exits`\n---", "clear-the-exits", "clear-the-exits"),  # setext, markup dropped
    ("### 二、检查 [出口](b.md)", "二检查-出口", "二检查-出口"),  # the shipped site's slugs keep Chinese
])
def test_a_heading_named_like_a_directive_is_an_error_at_the_heading(bulletins_dir, body, directive_id, anchor):
    directive_line = 8 + body.count("\n")
    assert anchor_problems(bulletins_dir, body, directive_id) == [
        (6, f"the heading's anchor '#{anchor}' is the id of directive '{directive_id}' (line {directive_line}) "
            "on this page"),
    ]


def test_headings_in_code_or_with_other_anchors_pass(bulletins_dir):
    assert anchor_problems(bulletins_dir, "```\n## Clear the exits\n```\n\n## Clear the exit", "clear-the-exits") == []


HEAD = "---\ntitle: T\n---\n/// directive | Do it\n"  # the header is on line 4


@pytest.mark.parametrize("options, line, message", [
    ("\n    units: [all]\n    deadline: +14d\n", 5, "a blank line below the '/// directive' line ends the options: line 6"),
    ("  units: [all]\n  deadline: +14d\n", 5, "indented by 2 spaces, so it is read as text"),
    ("\u3000\u3000units: [all]\n", 5, "indented with full-width spaces (U+3000)"),
    ("    units: [all]\n  deadline: +14d\n", 6, "indented by 2 spaces"),
    ("    units: [all]\n\n    deadline: +14d\n", 6, "a blank line among the options ends the options: line 7"),
    ("\n\n    units: [all]\n", 5, "2 blank lines below the '/// directive' line end the options: line 7"),
    ("units: [all]\ndeadline: +14d\n", 5, "the option is not indented, so it is read as text"),
    ("\t  units: [all]\n  \tdeadline: +14d\n", 6,
     "the options are not lined up: line 5 is indented by the width of 6 spaces, line 6 by 4"),
])
def test_misplaced_options_are_named_at_their_line(options, line, message):
    raw, problems = parse(HEAD + options + "\nText.\n///\n")
    assert raw.directives == []
    ((problem_line, problem_message),) = [(p.line, p.message) for p in problems]
    assert problem_line == line and message in problem_message


def test_tab_indented_options_are_four_spaces_as_in_markdown():
    raw, problems = parse(HEAD + "\tunits: [all]\n\tdeadline: +14d\n\nText.\n///\n")
    assert problems == [] and raw.directives[0].options == {"units": ["all"], "deadline": "+14d"}


def test_text_after_a_blank_line_is_not_an_option():
    raw, problems = parse(HEAD + "    units: [all]\n    deadline: +14d\n\nnote: the text may start so.\n///\n")
    assert problems == [] and raw.directives[0].text == "note: the text may start so."


def test_an_option_of_a_follow_up_not_indented_is_named():
    raw, problems = parse("---\ntitle: T\n---\n/// follow-up\n    directive: X-1\nstatus: done\n\nText.\n///\n")
    assert [(p.line, p.message) for p in problems] == [(6, "the option is not indented, so it is read as text")]


@pytest.mark.parametrize("text", ["\n    note: an indented code block\n", "\n\n  Note: text\n", "status report: text\n"])
def test_text_that_only_looks_like_an_option_is_text(text):
    raw, problems = parse(HEAD + "    units: [all]\n    deadline: +14d\n" + text + "///\n")
    assert problems == [] and raw.directives[0].text == text.strip("\n")
