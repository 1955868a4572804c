"""The fast path for simple options must read exactly what PyYAML (with our resolvers) reads."""

import re
from pathlib import Path

import pytest
import yaml
from helpers import REPO

from safety_bulletins import yamlload


def full_yaml(text):
    return yaml.load(text, Loader=yamlload._Loader)  # noqa: S506 - our SafeLoader subclass


SAMPLES = [
    "units: [all]\ndeadline: 2021-06-30",
    "units: [物业公司, 安全环保部]\nsupport: safety-env   # a comment\nstatus: in-progress",
    "id: CIG-2021-05-2\nowner: Wang Jianmin\ngrade: major\ndeadline: +14d",
    "units: []\ndeadline: ongoing\ndraft: true\nnumber: 012\ntime: 12:30",
    "title: T\nempty:\nnothing: ~\nflag: False",
    "owner: Wang: Jianmin",  # not simple: PyYAML says what is wrong
    "units: [a, [b]]", "units: 'quoted'", "units: &anchor x", "a: 1\na: 2", "units: [a,, b]",
    'title: "Minutes: Q4 (12)"\nnumber: \'CIG〔2021〕7号\'', 'title: "a \\" b"', "title: 'it''s'",
    "key: value # comment", "key: value#not-a-comment", "units: [yes, no]", "key: - item", "key: {a: b}",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_fast_path_agrees_with_pyyaml(text):
    simple = yamlload._load_simple(text)
    if simple is None:
        return  # left to PyYAML
    assert simple == full_yaml(text)
    assert simple.key_lines == {k: n for n, k in enumerate([line.split(":")[0] for line in text.split("\n")], 1)}


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
