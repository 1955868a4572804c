"""YAML that remembers where each key was written, so errors can name the line.

Every plain value stays the text the editor wrote, except null and true/false: YAML 1.1
would turn `number: 012` into 10, `presided_by: 12:30` into 750 and `units: no` into
False, and `2021-02-30` into a crash deep in its constructor. The validator parses
dates and numbers itself and can say exactly what is wrong and where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import yaml

try:  # libyaml is ten times faster on thousands of front matters
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class LineDict(dict):
    """A mapping whose keys remember the (1-based) line they were written on."""

    line: int = 1
    key_lines: Mapping[str, int] = MappingProxyType({})

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


_KEPT_TAGS = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")


class _Loader(_BaseLoader):
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_TAGS]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML's hook
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            key_node.value: key_node.start_mark.line + 1
            for key_node, _ in node.value
            if isinstance(key_node, yaml.ScalarNode)
        }
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class YamlError(Exception):
    line: int  # 1-based, relative to the text given
    message: str


# The shape of nearly every directive's options: `name: plain value` or `name: [a, b]`,
# one per line, maybe with a comment. Parsed here directly, since PyYAML's constructor
# (pure Python even with libyaml) is most of the time `bulletins check` takes; anything
# else, or anything in doubt, goes to PyYAML.
_SIMPLE_LINE = re.compile(r"^([A-Za-z_][\w-]*):(?:[ \t]+(.*?))?[ \t]*(?:[ \t]#.*)?$")
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
    if ": " in text or not _PLAIN.match(text):
        raise ValueError(text)
    return text


def _load_simple(text: str) -> LineDict | None:
    """`text` as a mapping when every line has the simple shape, else None."""
    mapping, key_lines = LineDict(), {}
    for number, line in enumerate(text.split("\n"), start=1):
        match = _SIMPLE_LINE.match(line)
        if not match or match.group(1) in key_lines:
            return None
        key, value = match.group(1), match.group(2) or ""
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


def load(text: str):
    """Parse YAML text; raise YamlError with a line number relative to `text`."""
    simple = _load_simple(text)
    if simple is not None:
        return simple
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlError(line, message or "malformed YAML") from None
    except yaml.YAMLError as exc:
        raise YamlError(1, str(exc)) from None
    except (ValueError, TypeError, OverflowError) as exc:  # explicit tags such as `!!int abc`
        raise YamlError(1, f"a value YAML cannot read ({exc}); remove tags such as '!!int'") from None
