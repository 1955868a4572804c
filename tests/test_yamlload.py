"""yamlload: the fast path reads exactly what PyYAML (with our resolvers) reads, and what
editors never need (repeated keys, tags, anchors, deep nesting) is an error with its file line,
in time and memory in proportion to the text."""

import re
import time
from pathlib import Path

import pytest
import yaml
from helpers import REPO
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safety_bulletins.sources import yamlload
from safety_bulletins.sources.parse import parse_bulletin


def full_yaml(text):
    return yaml.load(text, Loader=yamlload._Loader)  # noqa: S506 - our SafeLoader subclass


def load_error(text, first_line=1) -> yamlload.YamlError:
    with pytest.raises(yamlload.YamlError) as caught:
        yamlload.load(text, first_line)
    return caught.value


# Texts the fast path reads itself: it must give what PyYAML gives, key lines included.
FAST = [
    "units: [all]\ndeadline: 2021-06-30",
    "units: [物业公司, 安全环保部]\nsupport: safety-env   # a comment\nstatus: in-progress",
    "id: CIG-2021-05-2\nowner: Wang Jianmin\ngrade: major\ndeadline: +14d",
    "units: []\ndeadline: ongoing\ndraft: true\nnumber: 012\ntime: 12:30",
    "title: T\nempty:\nnothing: ~\nflag: False",
    "units: 'quoted'",
    'title: "Minutes: Q4 (12)"\nnumber: \'CIG〔2021〕7号\'',
    "key: value # comment",
    "units: [yes, no]",
    "owner:  # nobody yet\nunits: [all]",
]


@pytest.mark.parametrize("text", FAST)
def test_fast_path_reads_simple_options_as_pyyaml_does(text):
    simple = yamlload._load_simple(text)
    assert simple is not None, "the fast path should read this itself"
    assert simple == full_yaml(text)
    assert simple.key_lines == {k: n for n, k in enumerate([line.split(":")[0] for line in text.split("\n")], 1)}


# Texts the fast path leaves to PyYAML, with what PyYAML must make of them: a value, or an
# error (line, part of the message).
LEFT_TO_PYYAML = [
    ("owner: Wang: Jianmin", (1, "the value of 'owner' holds ': '")),
    ("units: [a, [b]]", {"units": ["a", ["b"]]}),
    ("units: &anchor x", (1, "anchors and aliases ('&anchor') are not allowed")),
    ("a: 1\na: 2", (2, "'a' is given twice, on lines 1 and 2: keep one")),
    ("units: [a,, b]", (1, "did not find expected node content")),
    ('title: "a \\" b"', {"title": 'a " b'}),
    ("title: 'it''s'", {"title": "it's"}),
    ("key: value#not-a-comment", {"key": "value#not-a-comment"}),
    ("key: - item", (1, "block sequence entries are not allowed")),
    ("key: {a: b}", {"key": {"a": "b"}}),
    ("units: [a, ~]", {"units": ["a", None]}),
    ("units: [true]", {"units": [True]}),
    ("true: 1", {True: "1"}),
    ("true: 1\nTrue: 2", (2, "True is given twice, on lines 1 and 2")),
    ("null: 1", {None: "1"}),
]


@pytest.mark.parametrize(("text", "expected"), LEFT_TO_PYYAML, ids=[t for t, _ in LEFT_TO_PYYAML])
def test_what_the_fast_path_leaves_to_pyyaml(text, expected):
    assert yamlload._load_simple(text) is None
    if isinstance(expected, dict):
        assert yamlload.load(text) == expected
    else:
        error = load_error(text)
        assert (error.line, expected[1] in error.message) == (expected[0], True), error


def directive_options():
    for path in sorted((REPO / "bulletins").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"^/// directive.*\n((?:    .*\n)+)", text, re.M):
            yield "\n".join(line[4:] for line in block.rstrip("\n").split("\n"))


def test_every_directive_of_the_example_site_reads_the_same():
    blocks = list(directive_options())
    assert len(blocks) > 30
    fast = [b for b in blocks if yamlload._load_simple(b) is not None]
    assert len(fast) > len(blocks) / 2
    for block in fast:
        assert yamlload._load_simple(block) == full_yaml(block), block


# Lines made of the pieces that decide the fast path's choices.
_PIECE = st.sampled_from(["a", "b", "id", "true", "null", "~", ":", ": ", " ", "\t", "#", " #", "[", "]", ",", "'",
                          '"', "-", "&", "*", "!", "x y", "物业", "012", "12:30", "{", "}", "\\"])
_KEY = st.sampled_from(["a", "b", "id", "units", "a-b", "_x", "true", "null", "物业", "-a", "a b"])
_LINE = (st.tuples(_KEY, st.sampled_from([":", ": ", ":\t", ":  ", "::"]), st.lists(_PIECE, max_size=6).map("".join))
         .map("".join) | st.lists(_PIECE, max_size=8).map("".join))


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@example("a: a:")  # the fast path once took a trailing colon for text
@given(st.lists(_LINE, min_size=1, max_size=4).map("\n".join))
def test_fast_path_never_disagrees_with_pyyaml(text):
    simple = yamlload._load_simple(text)  # None: it leaves the text to PyYAML, which is no disagreement
    assert simple is None or (simple, dict(simple.key_lines)) == (full_yaml(text), dict(full_yaml(text).key_lines))


# --- what is refused ---

@pytest.mark.parametrize(("text", "line", "message"), [
    # the shape the fast path reads
    ("draft: true\ntitle: T\ndraft: false", 12, "'draft' is given twice, on lines 10 and 12: keep one"),
    # nested
    ("title: T\nmeeting:\n  start: 2021-06-01 09:00\n  place: A\n  place: B", 14,
     "'place' is given twice, on lines 13 and 14: keep one"),
    # in a list of mappings
    ("- id: a\n  name: A\n- id: b\n  name: B\n  id: c", 14, "'id' is given twice, on lines 12 and 14: keep one"),
    ("units: [a]\nunits: [b]  # again", 11, "'units' is given twice, on lines 10 and 11: keep one"),
    # quoted or not, the same key
    ('status: open\n"status": done', 11, "'status' is given twice, on lines 10 and 11: keep one"),
    ("meeting: {start: x, start: y}", 10, "'start' is given twice, on line 10: keep one"),
])
def test_every_repeated_key_is_an_error_naming_both_lines(text, line, message):
    error = load_error(text, first_line=10)
    assert (error.line, error.message) == (line, message)
    assert "delete" in error.hint


@pytest.mark.parametrize("value", [
    "!!binary aGVsbG8=", "!!float 1.5", "!!str 012", "!!int abc", "!!timestamp 2021-02-30",
    "!!python/object/apply:os.system [ls]", "!!python/name:os.system", "!foo x", "! x", "!!map {a: b}",
    "!!seq [a]", "!<tag:yaml.org,2002:str> x",
])
def test_explicit_tags_are_errors_not_conversions(value):
    error = load_error(f"title: T\nvalue: {value}", first_line=2)
    tag = value.split(" ")[0]
    assert error.line == 3
    assert re.fullmatch(r"the tag '!\S*' is not allowed: values are read as plain text", error.message), error.message
    if tag.startswith("!!") or tag in ("!foo", "!"):
        assert f"'{tag}'" in error.message


def test_a_tag_declared_with_a_directive_is_an_error_too():
    error = load_error("%TAG !e! tag:example.com,2000:\n---\na: !e!thing x")
    assert (error.line, error.message) == (3, "the tag 'tag:example.com,2000:thing' is not allowed: values are read "
                                              "as plain text")


def billion_laughs(levels: int = 9, indent: str = "") -> str:
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{indent}{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "\n".join(lines)


def test_a_nine_level_alias_bomb_is_refused_at_once():
    start = time.perf_counter()
    error = load_error(billion_laughs(9))
    assert time.perf_counter() - start < 2
    assert (error.line, error.message) == (1, "anchors and aliases ('&a') are not allowed")


def test_an_alias_without_its_anchor_is_refused_too():
    error = load_error("title: T\nunits: *everyone")
    assert (error.line, error.message) == (2, "anchors and aliases ('*everyone') are not allowed")


def test_merge_keys_are_errors():
    error = load_error("title: T\n<<: {draft: false}\ndraft: true")
    assert (error.line, error.message) == (2, "merge keys ('<<') are not allowed")


@pytest.mark.parametrize("text", [
    "a: " + "[" * 100_000 + "]" * 100_000,
    "a: " + "{b: " * 50_000 + "c" + "}" * 50_000,
    "\n".join(" " * level + f"k{level}:" for level in range(2000)) + " x",
    "\n".join(" " * level + "- " for level in range(0, 4000, 2)) + "x",
])
def test_deep_nesting_is_refused_quickly_without_a_recursion_error(text):
    start = time.perf_counter()
    error = load_error(text)
    assert time.perf_counter() - start < 2
    assert "nested" in error.message or "maximum nesting depth" in error.message, error.message


def test_nesting_a_field_needs_is_read():
    text = "title: T\nmeeting:\n  start: 2021-06-01 09:00\n  attendees:\n    - [A, B]\n"
    assert yamlload.load(text)["meeting"]["attendees"] == [["A", "B"]]


@pytest.mark.parametrize("line", [
    "a: x" + " " * 50_000 + "y",
    "a: x" + " \t" * 50_000 + "y",
    "a: x" + " #" * 50_000,
    "a: [" + "x, " * 50_000 + "]",
])
def test_a_long_line_takes_time_in_proportion(line):
    start = time.perf_counter()
    yamlload.load(line)
    assert time.perf_counter() - start < 5  # about 0.2 s; quadratic would take minutes (1 s failed on a loaded machine)


def test_a_large_document_is_read_in_proportion():
    text = "\n".join(f"- id: u{i}\n  name: Unit {i}\n  aliases: [a{i}, b{i}]" for i in range(5000))
    start = time.perf_counter()
    assert len(yamlload.load(text)) == 5000
    assert time.perf_counter() - start < 10  # about 1 s on 2 shared cores; quadratic would take minutes


def test_messages_quote_values_cut_short():
    assert len(yamlload.shorten("x" * 1_000_000)) < 80
    assert len(yamlload.shorten([list(range(1000))] * 1000)) < 200
    assert len(yamlload.shorten(yamlload.load("a: {" + ", ".join(f"k{i}: v" for i in range(1000)) + "}"))) < 200
    error = load_error("k" * 1000 + ": 1\n" + "k" * 1000 + ": 2")  # YAML allows 1024 characters
    assert len(error.message) < 200 and error.line == 2
    error = load_error("a: !" + "t" * 100_000 + " x")
    assert len(error.message) < 200


def test_errors_carry_file_lines_through_the_bulletin_parser():
    text = ("---\ntitle: T\ndraft: true\ndate: 2021-05-25\ndraft: false\n---\nText.\n\n"
            "/// directive\n    units: [all]\n    deadline: ongoing\n    units: [energy]\n\nx\n///\n")
    _, problems = parse_bulletin(Path("b.md"), text)
    assert [(p.line, p.message) for p in problems] == [
        (5, "malformed YAML in the front matter: 'draft' is given twice, on lines 3 and 5: keep one")]
    _, problems = parse_bulletin(Path("b.md"), text.replace("draft: false\n", "type: minutes\n"))
    assert [(p.line, p.message) for p in problems] == [
        (12, "malformed YAML in the directive's options: 'units' is given twice, on lines 10 and 12: keep one")]
    assert "delete" in problems[0].hint
    _, problems = parse_bulletin(Path("b.md"), billion_laughs(9, "    ").join(
        ["---\ntitle: T\n---\n/// directive\n", "\n\nx\n///\n"]))
    assert [(p.line, p.message) for p in problems] == [
        (5, "malformed YAML in the directive's options: anchors and aliases ('&a') are not allowed")]


@pytest.mark.parametrize("text, line, message, hint", [
    ("title：冬季安全检查\ndate: 2026-11-20", 2, "a full-width colon '：' after 'title'", "'title: 冬季安全检查'"),
    ("title: x\nunits: [物业公司，酒店公司]", 3, "separated by a full-width '，'", "'units: [物业公司, 酒店公司]'"),
    ("units: [物业公司、酒店公司]", 2, "separated by a full-width '、'", "'units: [物业公司, 酒店公司]'"),
    ("units: 【物业公司, 酒店公司】", 2, "full-width brackets '【】'", "'units: [物业公司, 酒店公司]'"),
    ("title: “会议: 安全”", 2, "curly quotes '“”'", "straight quotes"),
    ("title:\u3000冬季", 2, "a full-width space (U+3000) after 'title:'", "ordinary space"),
    ("a: 1\n\u3000b: 2", 3, "indented with a full-width space", "ordinary spaces"),
])
def test_full_width_punctuation_in_the_structure_is_named(text, line, message, hint):
    with pytest.raises(yamlload.YamlError) as caught:
        yamlload.load(text, first_line=2)
    assert caught.value.line == line and message in caught.value.message and hint in caught.value.hint


@pytest.mark.parametrize("text", [
    "title: “安全生产月”活动通知", "title: 会议：安全，检查【重要】", "summary: |\n  units: [a，b]\n  x：y\ntitle: ok",
])
def test_full_width_punctuation_in_values_is_text(text):
    assert isinstance(yamlload.load(text), dict)


@pytest.mark.parametrize("text", [
    "a: " + " " * 200_000 + "x，", "a：" + "：" * 200_000, "a: [" + "，" * 200_000, "\u3000" * 200_000,
    "a: {" + "：" * 200_000, "a: [x]" + " #，" * 100_000, "a: x\n" + "键：" * 100_000 + "\nb: c d: e",
])
def test_full_width_checks_stay_linear_on_long_lines(text):
    start = time.perf_counter()
    try:
        yamlload.load(text)
    except yamlload.YamlError:
        pass
    assert time.perf_counter() - start < 5  # quadratic would take hours


@pytest.mark.parametrize("text, line, message, hint", [
    ("title: x\nmeeting: {start：2026-12-01 09:00, place: 三楼}", 3, "the mapping of 'meeting' holds a full-width '：'",
     "'meeting: {start: 2026-12-01 09:00, place: 三楼}'"),
    ("title: x\n标题：冬季安全\ndate: 2026-11-20", 3, "a full-width colon '：' after '标题'", "'标题: 冬季安全'"),
])
def test_full_width_colons_yaml_stumbles_over_are_named_at_their_line(text, line, message, hint):
    with pytest.raises(yamlload.YamlError) as caught:
        yamlload.load(text, first_line=2)
    assert (caught.value.line, caught.value.message) == (line, message) and hint in caught.value.hint


@pytest.mark.parametrize("text, value", [
    ("title: 【重要通知】", "【重要通知】"),  # one thing in 【】 is a title, not a list
    ("title: 【重要】冬季安全", "【重要】冬季安全"),
    ("title: 冬季\u3000安全", "冬季\u3000安全"),
    ('title: "冬季：安全，检查"', "冬季：安全，检查"),
    ("title: [a, b]  # 注：物业，酒店", ["a", "b"]),  # a comment is the editor's note
])
def test_full_width_characters_in_text_or_comments_are_kept(text, value):
    assert yamlload.load(text)["title"] == value


@pytest.mark.parametrize(("text", "line", "message", "hint"), [
    # a field indented under one that has a value: PyYAML says "mapping values are not allowed"
    ("title: x\ndate: 2026-11-20\n type: notice\n", 4, "'type:' is indented further than 'date:'", "column 1"),
    ("meeting:\n  start: 2026-11-25 09:00\n   place: A\n", 4, "'place:' is indented further than 'start:'", "column 3"),
    # list items out of line: "did not find expected key"
    ("attendees:\n  - a\n - b\ntitle: x\n", 4, "the list item starts at column 2, the one above it at column 3",
     "Line up the '- '"),
    # a tab: "found character '\\t' that cannot start any token"
    ("title: x\ntags:\n\t- a\n", 4, "indented with a tab", "spaces only"),
    # a value holding ': '
    ('title: 测试: 冒号 "引"\ndate: 2026-11-20\n', 2, "the value of 'title' holds ': '",
     'Put the value in quotes: title: "测试: 冒号 \\"引\\""'),
])
def test_yaml_errors_in_the_shapes_editors_make_are_said_in_plain_words(text, line, message, hint):
    with pytest.raises(yamlload.YamlError) as caught:
        yamlload.load(text, first_line=2)
    assert caught.value.line == line
    assert message in caught.value.message and hint in caught.value.hint
    assert "mapping values" not in caught.value.message and "expected key" not in caught.value.message
