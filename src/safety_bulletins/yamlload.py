"""YAML that remembers where each key was written, so errors can name the line.

Dates are left as strings: PyYAML would turn `2021-02-30` into a crash deep in its
constructor, and we want to say exactly what is wrong with it and where.
"""

from __future__ import annotations

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


class _Loader(_BaseLoader):
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
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
