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


def load(text: str):
    """Parse YAML text; raise YamlError with a line number relative to `text`."""
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
