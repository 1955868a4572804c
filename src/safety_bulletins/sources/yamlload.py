"""YAML that remembers where each key was written, so errors can name the line.

Every plain value stays the text the editor wrote, except null and true/false: YAML 1.1
would turn `number: 012` into 10, `presided_by: 12:30` into 750 and `units: no` into
False, and `2021-02-30` into a crash deep in its constructor. The validator parses
dates and numbers itself and can say exactly what is wrong and where.

What editors never need is refused with its line, before anything is built: a key given
twice (YAML would silently keep the last: `draft: true` then `draft: false` publishes),
explicit tags (`!!binary`, `!!float`, `!foo`: conversions the validator cannot check),
anchors and aliases (nine nested aliases make a billion values: minutes and gigabytes),
merge keys, and nesting deeper than any field needs. So reading takes time and memory in
proportion to the text.
"""

from __future__ import annotations

import json
import re
import reprlib
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import yaml
from yaml.composer import Composer

try:  # libyaml is ten times faster on thousands of front matters

    class _BaseLoader(Composer, yaml.CSafeLoader):
        """libyaml's events, composed by PyYAML's Python composer so that each event can
        be looked at (libyaml's own composer resolves aliases before we could see them);
        as fast as libyaml's composer plus the constructor on front matters."""

        def __init__(self, stream):
            yaml.CSafeLoader.__init__(self, stream)
            Composer.__init__(self)

except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

MAX_DEPTH = 8  # lists and mappings inside each other; fields need three at most
_MERGE = "tag:yaml.org,2002:merge"


class LineDict(dict):
    """A mapping whose keys remember the (1-based) line they were written on."""

    line: int = 1
    key_lines: Mapping[str, int] = MappingProxyType({})

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Repr(reprlib.Repr):
    repr_LineDict = reprlib.Repr.repr_dict  # noqa: N815 - reprlib looks methods up by type name


_SHORT = _Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlevel = 40, 40, 3, 3, 2


def shorten(value) -> str:
    """`repr(value)` cut short, for messages: a value may be a megabyte of text."""
    return _SHORT.repr(value)


@dataclass
class YamlError(Exception):
    line: int  # 1-based, in the file (see `load`'s first_line)
    message: str
    hint: str = ""  # how to fix it, when the caller's general hint would not say


_KEPT_TAGS = ("tag:yaml.org,2002:null", _MERGE)


def _tag_as_written(tag: str) -> str:
    return shorten("!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag)


class _Loader(_BaseLoader):
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_TAGS]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }
    first_line = 1  # the file line of the text's first line
    _depth = 0

    def _error(self, mark, message: str, hint: str) -> YamlError:
        return YamlError(mark.line + self.first_line, message, hint)

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook, called once per value
        event = self.peek_event()
        if event.anchor is not None:  # an alias has one too: the name it refers to
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise self._error(
                event.start_mark, f"anchors and aliases ({shorten(sign + event.anchor)}) are not allowed",
                "Write the value out in full at each place it is needed.")
        if event.tag is not None:
            tag = _tag_as_written(event.tag)
            raise self._error(
                event.start_mark, f"the tag {tag} is not allowed: values are read as plain text",
                f"Remove {tag} and write the value plainly (quote it if it contains ': ').")
        if type(event) is yaml.ScalarEvent:  # most values: Composer.compose_node less its checks (and no path resolvers)
            return self.compose_scalar_node(None)
        if self._depth == MAX_DEPTH:
            raise self._error(event.start_mark, f"lists and mappings are nested more than {MAX_DEPTH} deep",
                              "A field holds text or a list of names: write it out flat.")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML's hook
        mapping, key_lines = LineDict(), {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise self._error(key_node.start_mark, "merge keys ('<<') are not allowed",
                                  "Write each field out in full.")
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise self._error(key_node.start_mark, f"a key must be a name, not {shorten(key)}",
                                  "Write 'name: value'.")
            line = key_node.start_mark.line + 1
            if key in key_lines:
                first, second = (n + self.first_line - 1 for n in (key_lines[key], line))
                where = f"on line {first}" if first == second else f"on lines {first} and {second}"
                raise self._error(key_node.start_mark, f"{shorten(key)} is given twice, {where}: keep one",
                                  "YAML would silently use the last one: delete the one that is wrong.")
            mapping[key] = self.construct_object(value_node, deep=True)
            key_lines[key] = line
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = key_lines
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


# The shape of nearly every directive's options: `name: plain value` or `name: [a, b]`,
# one per line, maybe with a comment. Parsed here directly, since PyYAML's constructor
# (pure Python even with libyaml) is most of the time `bulletins check` takes; anything
# else, or anything in doubt, goes to PyYAML.
_SIMPLE_KEY = re.compile(r"([A-Za-z_][\w-]*):")
_COMMENT = re.compile(r"[ \t]#")
_PLAIN = re.compile(r"^[^\s\[\]{}&*!|>'\"%@`#,:?-][^\[\]{}#\"']*$")
_NULLS = ("", "~", "null", "Null", "NULL")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_QUOTED = re.compile(r"^(?:\"([^\"\\]*)\"|'([^']*)')$")


def _plain_scalar(text: str):
    if text[:1] in ("'", '"'):
        quoted = _QUOTED.match(text)
        if not quoted:
            raise ValueError(text)
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if ": " in text or text.endswith(":") or not _PLAIN.match(text):
        raise ValueError(text)
    return text


def _simple_line(line: str) -> tuple[str, str] | None:
    """`name: value  # comment` as (name, value), else None. No regular expression over the
    whole line: one that could match spaces two ways took seconds on a long line of them."""
    match = _SIMPLE_KEY.match(line)
    if not match:
        return None
    rest = line[match.end():]
    if rest[:1] not in ("", " ", "\t"):
        return None
    comment = _COMMENT.search(rest)
    return match.group(1), (rest[: comment.start()] if comment else rest).strip(" \t")


def _load_simple(text: str) -> LineDict | None:
    """`text` as a mapping when every line has the simple shape, else None."""
    mapping, key_lines = LineDict(), {}
    for number, line in enumerate(text.split("\n"), start=1):
        simple = _simple_line(line)
        # a repeated key is an error, `true:` or `null:` a key that is not text: PyYAML says so
        if simple is None or simple[0] in key_lines or simple[0] in _BOOLS or simple[0] in _NULLS:
            return None
        key, value = simple
        try:
            if value.startswith("[") and value.endswith("]"):
                inner = value[1:-1].strip()
                items = [_plain_scalar(v.strip()) for v in inner.split(",")] if inner else []
                if None in items or any(isinstance(v, bool) for v in items):
                    return None
                mapping[key] = items
            else:
                mapping[key] = _plain_scalar(value)
        except ValueError:
            return None
        key_lines[key] = number
    mapping.key_lines = key_lines
    return mapping


# Chinese keyboards type these in place of YAML's own characters: YAML reads them as text,
# and stumbles a line later with a message about something else (or not at all).
_FULL_WIDTH = "：，、【】“”\u3000"
_KEY_FULL_COLON = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_-]*)[ \t\u3000]*：")
_INDENT_FULL_SPACE = re.compile(r"^[ \t]*\u3000")
_KEY_FULL_SPACE = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_-]*):\u3000")
_VALUE = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_-]*):[ \t]+(.*)")
_BLOCK_SCALAR = re.compile(r"^([ \t]*)\S.*:[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _full_width(text: str, first_line: int) -> YamlError | None:
    """The first line where a full-width character stands in YAML's structure, as an error
    that names the character and what to type instead; None if there is none."""
    if not any(char in text for char in _FULL_WIDTH):  # nearly every text: one scan each
        return None
    block_indent = None  # inside a `|` or `>` block scalar: text, whatever it holds
    for number, line in enumerate(text.split("\n"), start=first_line):
        if block_indent is not None:
            if not line.strip() or len(line) - len(line.lstrip(" ")) > block_indent:
                continue
            block_indent = None
        block = _BLOCK_SCALAR.match(line)
        if block:
            block_indent = len(block.group(1))
            continue
        if _INDENT_FULL_SPACE.match(line):
            return YamlError(number, "the line is indented with a full-width space (U+3000)",
                             "Indent with ordinary spaces: switch the keyboard to half-width (半角) and retype them.")
        key = _KEY_FULL_COLON.match(line)
        if key:
            rest = _cut(line[key.end():].strip(), 40)
            return YamlError(number, f"a full-width colon '：' after '{key.group(1)}'",
                             f"Replace '：' with ':' and a space (半角冒号): '{key.group(1)}: {rest}'.")
        space = _KEY_FULL_SPACE.match(line)
        if space:
            return YamlError(number, f"a full-width space (U+3000) after '{space.group(1)}:'",
                             f"Type an ordinary space after the colon: '{space.group(1)}: ...'.")
        value = _VALUE.match(line)
        if value is None:
            continue
        name, written = value.group(1), value.group(2)
        comment = _COMMENT.search(written)  # '# 注：物业，酒店' is the editor's note, not the value
        written = (written[: comment.start()] if comment else written).rstrip(" \t")  # not in a pattern: quadratic on spaces
        if written.startswith("{") and ("：" in written or "，" in written):
            mark = "：" if "：" in written else "，"
            fixed = _cut(re.sub(r"：\s*", ": ", re.sub(r"，\s*", ", ", written)), 60)
            return YamlError(number, f"the mapping of '{name}' holds a full-width '{mark}'",
                             f"Type ':' and ',' with a space after each (半角): '{name}: {fixed}'.")
        # 【...】 around several items is a list; around one it may be text: '【重要通知】'
        if written.startswith("【") and written.endswith("】") and any(c in written for c in "，、,"):
            fixed = _cut("[" + re.sub(r"[，、,]\s*", ", ", written[1:-1]) + "]", 60)
            return YamlError(number, f"'{name}' is a list in full-width brackets '【】'",
                             f"Write the list with '[', ']' and ', ' (半角): '{name}: {fixed}'.")
        if written.startswith("[") and ("，" in written or "、" in written):
            mark = "，" if "，" in written else "、"
            fixed = _cut(re.sub(r"[，、]\s*", ", ", written), 60)
            return YamlError(number, f"the list of '{name}' is separated by a full-width '{mark}'",
                             f"Separate the items with ',' and a space (半角逗号): '{name}: {fixed}'.")
        if written.startswith("“") and written.endswith("”") and ": " in written:
            return YamlError(number, f"the value of '{name}' is in curly quotes '“”', which YAML does not read as quotes",
                             f"Use straight quotes: '{name}: \"...\"'.")
    return None


def load(text: str, first_line: int = 1):
    """Parse YAML text that starts on line `first_line` of its file; raise YamlError with a file line."""
    full_width = _full_width(text, first_line)
    if full_width is not None:
        raise full_width
    simple = _load_simple(text)
    if simple is not None:
        return simple
    loader = _Loader(text)
    loader.first_line = first_line
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        colon = _full_width_colon(text, first_line, exc.context_mark, exc.problem_mark)
        if colon is not None:
            raise colon from None
        plain = _in_plain_words(text, first_line, exc)
        if plain is not None:
            raise plain from None
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlError(line, _cut(message) or "malformed YAML") from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, _cut(str(exc))) from None
    finally:
        loader.dispose()


_KEY_LINE = re.compile(r"^( *)(- +)?([^\s#:-][^:#]*?):(?:[ \t]+(.*))?$")
_ITEM_LINE = re.compile(r"^( *)- ")


def _in_plain_words(text: str, first_line: int, exc: yaml.MarkedYAMLError) -> YamlError | None:
    """What PyYAML's words ("mapping values are not allowed in this context", "did not find
    expected key") mean in the shapes editors write, said in theirs: a line indented more or
    less than its neighbours, a tab, a value holding ': '. None for anything else."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    lines = text.split("\n")
    index = min(mark.line, len(lines) - 1)
    line = lines[index]
    number = index + first_line
    indent = len(line) - len(line.lstrip(" "))
    if line[indent:indent + 1] == "\t":
        return YamlError(number, "the line is indented with a tab", "Indent with spaces only (two per level).")
    key_here, item_here = _KEY_LINE.match(line), _ITEM_LINE.match(line)
    if key_here and key_here.group(4) and ": " in key_here.group(4) and mark.column > line.index(":"):
        name = key_here.group(3).strip()
        return YamlError(number, f"the value of '{name}' holds ': ', which YAML reads as another field",
                         f"Put the value in quotes: {name}: {json.dumps(_cut(key_here.group(4).strip(), 40), ensure_ascii=False)}")
    above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip() and not lines[i].lstrip().startswith("#")), None)
    if above is None:
        return None
    above_indent = len(above) - len(above.lstrip(" "))
    key_above, item_above = _KEY_LINE.match(above), _ITEM_LINE.match(above)
    if item_here and item_above and indent != above_indent:
        return YamlError(number, f"the list item starts at column {indent + 1}, the one above it at column {above_indent + 1}",
                         f"Line up the '- ' of every item of one list (here at column {above_indent + 1}).")
    if key_here and key_above and indent > above_indent and key_above.group(4):
        name = key_above.group(3).strip()
        return YamlError(number, f"'{key_here.group(3).strip()}:' is indented further than '{name}:' on the line above, "
                                 f"which has a value of its own",
                         f"Start it in the same column as '{name}:' (column {above_indent + 1 + len(key_above.group(2) or '')})"
                         " if it is a field of its own.")
    return None


def _full_width_colon(text: str, first_line: int, *marks) -> YamlError | None:
    """Where PyYAML stumbled (often the line after), a key typed with '：' and no ':', like
    '标题：冬季': said at its own line. Only once PyYAML has failed: in a value, '：' is text."""
    lines = text.split("\n")
    for index in sorted({n for mark in marks if mark is not None for n in (mark.line - 1, mark.line)}):
        line = lines[index] if 0 <= index < len(lines) else ""
        key, colon, rest = line.partition("：")
        if colon and ":" not in key and key.strip() and not key.lstrip().startswith("#"):
            key, rest = key.strip(), _cut(rest.strip(), 40)
            return YamlError(index + first_line, f"a full-width colon '：' after '{_cut(key, 40)}'",
                             f"Replace '：' with ':' and a space (半角冒号): '{_cut(key, 40)}: {rest}'.")
    return None


def _cut(message: str, limit: int = 200) -> str:
    """PyYAML's messages quote the text they stumbled on: keep them short."""
    return message if len(message) <= limit else message[: limit - 3] + "..."
