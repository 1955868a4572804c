"""Hypothesis strategies for tests/test_properties.py: bulletins, unit registries and whole
projects, valid ones (with what the site must show of them) and hostile ones.

Hostile sources are near-valid files (the real fields and the directive block syntax) bent
by a few mutations: odd characters, markup, script links, duplicated or re-valued keys,
deep indentation, tabs, long lines, YAML tags and alias bombs.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from dataclasses import dataclass, field

from hypothesis import strategies as st
from helpers import UNITS_YML

import yaml

# The test registry (tests/helpers.py), as (what an editor may write, the unit id it names).
TEST_UNITS = yaml.safe_load(UNITS_YML)
UNIT_IDS = [u["id"] for u in TEST_UNITS]
UNIT_REFERENCES = [(ref, u["id"]) for u in TEST_UNITS for ref in (u["id"], u["name"], *u.get("aliases", []))]

TYPES = ("minutes", "notice", "bulletin", "inspection")
STATUSES = ("open", "in-progress", "awaiting-acceptance", "done", "cancelled")
GRADES = ("general", "major")

# ---------------------------------------------------------------- valid corpora

# Words of a valid body: text, CJK, safe markup, raw HTML (shown as text), a web link.
WORDS = [
    "safety", "inspection", "fire", "extinguishers", "ladder", "report", "Room", "3", "09:30", "R&D",
    "安全生产", "隐患排查", "应急预案", "（一）", "第一条", "：", "，", "。", "“quoted”", "**bold**", "_stress_",
    "`code`", "<Safety Law>", "<script>alert(1)</script>", "&amp;", "x < y", "[the law](https://example.org/law)",
]
# Titles: letters (CJK included), digits, punctuation and symbols, no line breaks; never '///'.
TITLE_CHARS = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\\\u2028\u2029")


@functools.cache  # one strategy object, built and validated once, not again on every draw
def title_text(min_words: int = 1):
    words = st.one_of(st.sampled_from(WORDS), st.text(TITLE_CHARS, min_size=1, max_size=12))
    return st.lists(words, min_size=min_words, max_size=6).map(" ".join).map(str.strip).filter(
        lambda t: t and "///" not in t and not t.startswith(("-", "#", "!", "&", "*", "|", ">", "%", "@", "`")))


def yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


dates = st.dates(dt.date(2019, 1, 1), dt.date(2030, 12, 31))
# a published bulletin's date: on or before the builds' as-of date (helpers.AS_OF), or the build leaves it out
issue_dates = st.dates(dt.date(2019, 1, 1), dt.date(2026, 11, 28))


@dataclass
class PlannedDirective:
    id: str
    units: frozenset[str]  # unit ids; every unit when written as 'all'
    support: frozenset[str]


@dataclass
class Corpus:
    files: dict[str, str | bytes]  # below bulletins/
    published: list[PlannedDirective]
    markers: list[str]  # strings only hidden sources hold
    bulletin_pages: dict[str, list[str]] = field(default_factory=dict)  # site path of a bulletin -> its ids


# Strategies drawn from on every example, made once: a new strategy object is validated afresh each time
UNIT_LISTS = st.lists(st.sampled_from(UNIT_REFERENCES), min_size=1, max_size=3)
SUPPORT_LISTS = st.lists(st.sampled_from(UNIT_REFERENCES), max_size=2)
DEADLINE_TEXT = st.one_of(
    dates.map(dt.date.isoformat), st.just("ongoing"),
    st.integers(0, 400).map("+{}d".format), st.integers(0, 60).map("+{}w".format))


def words_text(max_words: int):
    return _WORD_LISTS[max_words]


_WORD_LISTS = {n: st.lists(st.sampled_from(WORDS), max_size=n) for n in (6, 8, 10)}


@st.composite
def directive_block(draw, directive_id: str | None, marker: str = "") -> tuple[str, frozenset, frozenset]:
    lines = []
    title = draw(title_text())
    header = f"/// directive | {marker} {title}".replace("  ", " ") if draw(st.booleans()) or marker else "/// directive"
    lines.append(header.rstrip())
    if directive_id:
        lines.append(f"    id: {directive_id}")
    everyone = draw(st.integers(0, 3)) == 0
    if everyone:
        refs = [("all", None)]
    else:
        refs = draw(UNIT_LISTS)
    units = frozenset(UNIT_IDS) if everyone else frozenset(unit for _, unit in refs)
    written = [ref for ref, _ in refs]
    lines.append(f"    units: {written[0]}" if len(written) == 1 and draw(st.booleans())
                 else f"    units: [{', '.join(written)}]")
    support_refs = draw(SUPPORT_LISTS)
    if support_refs:
        lines.append(f"    support: [{', '.join(ref for ref, _ in support_refs)}]")
    if draw(st.booleans()):
        lines.append(f"    owner: {yaml_string(draw(title_text()))}")
    deadline = draw(DEADLINE_TEXT)
    lines.append(f"    deadline: {deadline}")
    if draw(st.booleans()):
        lines.append(f"    status: {draw(st.sampled_from(STATUSES))}")
    if draw(st.booleans()):
        lines.append(f"    grade: {draw(st.sampled_from(GRADES))}")
    lines.append("")
    text = " ".join(draw(words_text(8)))
    if header == "/// directive":  # the title comes from the text's first sentence
        text = f"Do it. {text}"
    lines += [f"{text} {marker}".strip(), "///"]
    return "\n".join(lines), units, frozenset(unit for _, unit in support_refs) - units


@st.composite
def valid_bulletin(draw, stem: str, first_id: int, marker: str = "", attachment: str = ""):
    """The text of a valid bulletin and its directives' plans; `marker` in every part of it."""
    day = draw(issue_dates)
    front = [
        "---",
        f"title: {yaml_string((marker + ' ' + draw(title_text())).strip())}",
        f"date: {day.isoformat()}",
        f"type: {draw(st.sampled_from(TYPES))}",
    ]
    if draw(st.booleans()):
        front.append(f"issuer: {draw(st.sampled_from(UNIT_REFERENCES))[0]}")
    if draw(st.booleans()):
        front.append(f"number: {yaml_string(draw(title_text()))}")
    if draw(st.booleans()):
        front.append(f"summary: {yaml_string((draw(title_text()) + ' ' + marker).strip())}")
    if draw(st.booleans()):
        front.append(f'meeting: {{start: "{draw(dates).isoformat()} 09:30", place: Room 3}}')
    if marker:
        front.append("draft: true")
    if attachment:
        front.append(f"attachments: [{attachment}]")
    front.append("---")
    body = [" ".join(draw(words_text(10))) + (" " + marker if marker else "")]
    plans = []
    for n in range(draw(st.integers(0, 3))):
        explicit = draw(st.booleans())
        directive_id = draw(st.sampled_from(["D", "CIG-2021-", "安全-", "n.", "X_"])) + str(first_id + n)
        if marker and explicit:
            directive_id = f"{marker}-{n}"
        block, units, support = draw(directive_block(directive_id if explicit else None, marker))
        body += ["", block, ""]
        if draw(st.booleans()):
            body += ["## Background", "", " ".join(draw(words_text(6)))]
        plans.append(PlannedDirective(directive_id if explicit else f"{stem}-{n + 1}", units, support))
    return "\n".join(front + body) + "\n", plans


@st.composite
def valid_corpus(draw) -> Corpus:
    """Published bulletins, drafts holding a unique marker everywhere (file name, title,
    text, directives, an attachment), and hidden files holding one too."""
    files: dict[str, str | bytes] = {"units.yml": UNITS_YML}
    corpus = Corpus(files, [], [])
    next_id = 1
    for n in range(draw(st.integers(1, 4))):
        stem = f"{draw(dates).isoformat()}-b{n}"
        text, plans = draw(valid_bulletin(stem, next_id))
        next_id += 10
        files[f"{stem[:4]}/{stem}.md"] = text
        corpus.published += plans
        corpus.bulletin_pages[f"bulletins/{stem[:4]}/{stem}/index.html"] = [p.id for p in plans]
    for n in range(draw(st.integers(1, 2))):
        marker = f"zqxdraft{n}k{draw(st.integers(1000, 9999))}"
        corpus.markers.append(marker)
        stem = f"2026-11-2{n}-draft-{marker}"
        attachment = f"draft-{marker}.txt"
        text, _ = draw(valid_bulletin(stem, next_id, marker, attachment))
        next_id += 10
        files[f"2026/{stem}.md"] = text
        files[f"2026/{attachment}"] = f"attachment of {marker}\n"
    hidden = f"zqxhidden{draw(st.integers(1000, 9999))}"
    corpus.markers.append(hidden)
    text, _ = draw(valid_bulletin(f"hidden-{hidden}", next_id + 100))
    text = text.replace('title: "', f'title: "{hidden} ', 1)
    files[f".hidden-{hidden}.md"] = text
    files[f".notes/{hidden}.md"] = text
    files[f"2026/.{hidden}.txt"] = hidden
    return corpus


# ---------------------------------------------------------------- hostile sources

SCRIPT_LINKS = [
    "[x](javascript:alert(1))", "[x](&#106;avascript:alert(1))", "[x](javascript&colon;alert(2))",
    "[x](JaVaScRiPt:alert(3))", "[x](java\tscript:alert(4))", "[x]( javascript:alert(5))",
    "[x](\x01javascript:alert(6))", "[x](&#x6A;avascript&#58;alert(7))", "<javascript:alert(8)>",
    "![i](javascript:alert(9))", "[x](vbscript:msgbox(1))", "[x](data:text/html,<script>alert(10)</script>)",
    "[x][r]\n\n[r]: javascript:alert(11)", "[x](<javascript:alert(12)>)", "[x](%6Aavascript:alert(13))",
]
ODD = [
    "中文", "安全环保部", "：", "，", "（", "）", "｜", "／／／", "\t", "\u3000", "\u200b", "\u202e", "\ufeff",
    "\u2028", "\x00", "\x0b", "\x1b[31m", "é", "e\u0301", "😀", "\ufffd", "&amp;", "&#106;", "<b>",
    "</div>", "<!--", "-->", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "*", "**", "_", "`",
    "```", "~~~", "[", "]", "](", "{", "}", ": ", "- ", "# ", "&", "*a", "&a", "!!binary", "!!float",
    "!!python/object/apply:os.system", "%", "@", "|", ">", "'", '"', "\\", "///", "/// directive", "////",
    "---", "...", "\r", "    ", "\n", "\n\n", "\n///\n", "\n/// directive\n", "[^law]", "[^law]: Article 21",
    "<http://example.org>", "[d](2026-11-27-draft.md/)", "[d](./2026-11-27-draft.md)",
    "[d](2026-11-27-draft%2Emd)", "[d](../2026/2026-11-27-draft.md#x)", "[f](forms/list.csv)",
    "[f](/etc/passwd)", "[f](../../mkdocs.yml)", "[f](file:///etc/passwd)", *SCRIPT_LINKS,
]
DEADLINES = [
    "+9999999d", "+99999999999999999999d", "+999999w", "+0d", "+1w", "9999-12-31", "0001-01-01", "0000-00-00",
    "2021-02-30", "2021-13-01", "ongoing", "ONGOING", "+-1d", "+1y", "２０２１-０６-３０", "2021-6-3",
]
VALUES = [
    *DEADLINES, "!!binary aGVsbG8=", "!!float 1e400", "!!int abc", "!!timestamp 2021-01-01", "!!str 12", "!!set {a}",
    "!!python/object/apply:os.system [echo]", "&a [x]", "*a", "*undefined", "[all, all]", "[]", "{}", "null", "~",
    "true", "True", "no", "yes", "012", "12:30", "1e9999", "-1", "all", "[index]", "index", "sb-x", "a b c",
    "'unclosed", '"\\x00"', "|\n  block", ">\n  folded", "{start: 2026-13-01 25:61}", "? complex\n: key",
    "<<: {a: 1}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
]
FIELDS = ["title", "date", "type", "issuer", "number", "presided_by", "summary", "draft", "meeting", "attachments",
          "tags", "attendees", "id", "units", "support", "owner", "deadline", "status", "grade", "parent",
          "aliases", "name", "Title", "dead line", "截止日期"]


def alias_bomb(levels: int, width: int) -> str:
    """A YAML flow value that names `width ** levels` scalars in a few dozen characters."""
    items = [f"&a0 [{', '.join(['lol'] * width)}]"]
    items += [f"&a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return f"[{', '.join(items)}]"


hostile_values = st.one_of(
    st.sampled_from(VALUES),
    st.builds(alias_bomb, st.integers(1, 5), st.integers(2, 9)),
    st.integers(0, 10**30).map("+{}d".format),
    st.lists(st.sampled_from(ODD), max_size=4).map("".join),
)


@st.composite
def mutated(draw, lines: list[str], max_mutations: int = 4) -> str:
    """`lines` bent by a few hostile edits."""
    lines = list(lines)
    for _ in range(draw(st.integers(0, max_mutations))):
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        line = lines[i] if lines else ""
        kind = draw(st.sampled_from(["insert", "duplicate", "revalue", "delete", "indent", "long", "key", "long"]))
        if kind == "insert":
            at = draw(st.integers(0, len(line)))
            snippet = draw(st.one_of(st.sampled_from(ODD), st.text(max_size=5)))
            line = line[:at] + snippet + line[at:]
        elif kind == "duplicate":  # the same key twice, maybe with another value
            copy = line if draw(st.booleans()) or ":" not in line else \
                line.partition(":")[0] + ": " + draw(hostile_values)
            lines.insert(i + draw(st.integers(1, 3)), copy)
        elif kind == "revalue" and ":" in line:
            line = line.partition(":")[0] + ": " + draw(hostile_values)
        elif kind == "delete" and lines:
            del lines[i]
            continue
        elif kind == "indent":
            line = draw(st.sampled_from([" ", "  ", "   ", "    ", "     ", "\t", " \t", "        " * 8])) + line
        elif kind == "long":  # quadratic matching shows on long lines
            prefix = draw(st.sampled_from(["/// ", "", "/// directive ", "[x](", "/// ", "    ", "> ", "- ", "text "]))
            unit = draw(st.sampled_from(["`", "``", "` ", "`", "[", "](", "*", "_", "<", "\\", "/", "a", "中", "![](", ":"]))
            line = prefix + unit * draw(st.integers(100, 1500))  # longer ones: long_lines + draw(st.sampled_from(["", "`", ")", "///"]))
            lines.insert(draw(st.integers(len(lines) // 2, len(lines))), line)  # mostly in the body
            continue
        elif kind == "key":
            line = f"{draw(st.sampled_from(['', '    ']))}{draw(st.sampled_from(FIELDS))}: {draw(hostile_values)}"
            lines.insert(i, line)
            continue
        if lines:
            lines[i] = line
        else:
            lines.append(line)
    return "\n".join(lines)


@st.composite
def near_valid_bulletin(draw, stem: str = "2026-11-20-b") -> str:
    text, _ = draw(valid_bulletin(stem, draw(st.integers(1, 99))))
    if draw(st.booleans()):
        text = text.replace("---\n", "---\ndraft: true\n", 1)
    if draw(st.integers(0, 3)) == 0:
        text += draw(st.sampled_from(SCRIPT_LINKS)) + "\n"
    if draw(st.integers(0, 2)) == 0:  # one field's value made hostile, where the validator reads it
        key = draw(st.sampled_from(["deadline", "title", "date", "units", "draft", "meeting", "status", "id"]))
        text = re.sub(rf"(?m)^( *{key}:).*$", lambda m: m[1] + " " + draw(hostile_values), text, count=1)
    out = draw(mutated(text.split("\n")))
    return out.replace("\n", "\r\n") if draw(st.integers(0, 9)) == 0 else out


LINE_STARTS = ["/// ", "", "[x](", "/// directive ", "    ", "> ", "title: "]
LINE_UNITS = ["`", "/", "[", "*", "_", "<", "\\", "](", ":", "a", "中", "` ", "![](", "&#"]


@st.composite
def long_lines(draw) -> str:
    """A bulletin with long lines of one repeated piece: where a regular expression backtracks."""
    lines = []
    for _ in range(draw(st.integers(1, 2))):
        lines.append(draw(st.sampled_from(LINE_STARTS)) + draw(st.sampled_from(LINE_UNITS)) * draw(st.integers(1000, 20000))
                     + draw(st.sampled_from(["", "`", ")", "///", " x"])))
    head = "---\ntitle: T\ndate: 2026-11-20\ntype: notice\n---\n"
    return draw(st.sampled_from([head, "---\n", head + "/// directive\n    units: all\n"])) + "\n".join(lines) + "\n"


raw_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(ODD), max_size=40).map("".join),
    st.lists(st.sampled_from(ODD), max_size=40).map(lambda parts: "---\n" + "".join(parts)),
)
bulletin_text = st.one_of(near_valid_bulletin(), near_valid_bulletin(), raw_text)


@st.composite
def units_text(draw) -> str:
    """A units.yml: the test registry bent by mutations, or units made up (cycles, reserved ids...)."""
    if draw(st.booleans()):
        return draw(mutated(UNITS_YML.split("\n")))
    ids = draw(st.lists(st.sampled_from(["a", "b", "index", "all", "units", "2", "A", "a-b", "sb-x", "中", "-x"]),
                        min_size=1, max_size=5))
    lines = []
    for unit_id in ids:
        lines += [f"- id: {unit_id}", f"  name: {draw(st.sampled_from(['Unit ' + unit_id, '<b>x</b>', '安全', 'a']))}"]
        if draw(st.booleans()):
            lines.append(f"  parent: {draw(st.sampled_from(ids))}")
        if draw(st.booleans()):
            lines.append(f"  aliases: [{draw(st.sampled_from(['x', '物业公司', 'all', '']))}]")
    return draw(mutated(lines, max_mutations=2))


FILE_NAMES = ["2026-11-20-b", "2026-11-20 会议", "a#b", "x?y", "%41", "index", "README", "b.MD", "-", "a b",
              "2026-11-20-b/index", os.fsdecode(b"\xb0\xb2\xc8\xab")]  # the last: GBK bytes, not UTF-8


@st.composite
def hostile_project(draw) -> tuple[dict[str, str | bytes], list[str]]:
    """Files below bulletins/ (units.yml, bulletins, a draft holding a marker, an attachment),
    and the markers that must never be published."""
    marker = f"zqxdraft{draw(st.integers(1000, 9999))}"
    draft = draw(valid_bulletin(f"2026-11-27-draft", 500, marker))[0]
    files: dict[str, str | bytes] = {
        "units.yml": draw(units_text()) if draw(st.booleans()) else UNITS_YML,
        "2026/2026-11-27-draft.md": draw(mutated(draft.split("\n"), max_mutations=1)) if draw(st.booleans()) else draft,
        "2026/forms/list.csv": "item,done\n",
    }
    names = draw(st.lists(st.sampled_from(FILE_NAMES), min_size=1, max_size=3, unique=True))
    for name in names:
        files[f"2026/{name}.md"] = draw(bulletin_text)
    if draw(st.integers(0, 4)) == 0:
        files["2026/raw.md"] = draw(st.binary(max_size=200))
    return files, [marker]


# ---------------------------------------------------------------- corpora whose outputs must agree
# (tests/test_outputs_agree.py): a unit tree several levels deep, directives with responsible and
# supporting units, follow-ups that accept, reopen and extend, and bulletins that must stay hidden.

AGREE_AS_OF = (dt.date(2026, 11, 28), dt.date(2027, 1, 9))  # the two as-of dates every output is read at
PEOPLE = ("Wang Jianmin", "李工")  # who may accept work besides a unit


@dataclass
class AgreeingCorpus:
    files: dict[str, str]  # below bulletins/
    unit_ids: list[str]
    markers: list[str]  # strings only drafts and embargoed bulletins hold
    lifted: str = ""  # a marker of a bulletin embargoed until between the two as-of dates: shown at the second
    language: str = "en"  # the site's (theme.language): the units have Chinese names too


@st.composite
def unit_tree(draw) -> tuple[str, list[str]]:
    """A units.yml of 4 to 8 units, each under one made before it or at the top: trees several levels deep."""
    count = draw(st.integers(4, 8))
    lines, ids = [], []
    for n in range(count):
        unit_id = f"u{n}"
        lines += [f"- id: {unit_id}", f"  name: Unit {n} {draw(st.sampled_from(['Works', 'Branch', 'Team']))}",
                  f"  name_zh: 第{n}{draw(st.sampled_from(['工区', '分公司', '班组']))}"]
        if n and draw(st.integers(0, 3)):  # mostly under another: chains and fans
            lines.append(f"  parent: u{draw(st.integers(max(0, n - 3), n - 1))}")
        ids.append(unit_id)
    if draw(st.booleans()):  # now and then a committee (receives_all: false): a directive to all is not its own
        lines += ["- id: board", "  name: Safety Board", "  name_zh: 安全生产委员会", "  receives_all: false"]
        ids.append("board")
    return "\n".join(lines) + "\n", ids


def _day_after(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


@st.composite
def agreeing_corpus(draw) -> AgreeingCorpus:
    """Valid sources only (`bulletins check` passes): directive bulletins first, then follow-up
    bulletins on later days, some between the two as-of dates, each follow-up valid for the state
    its directive has then (replayed here as state.py does, to choose what may come next). About a
    third of the follow-ups of a directive to several units report for some of them (`units:`): each
    share is followed apart, and a follow-up naming closed and open shares together only reports."""
    units_yml, ids = draw(unit_tree())
    first_as_of, second_as_of = AGREE_AS_OF
    files: dict[str, str] = {"units.yml": units_yml}
    some_units = st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)
    directives: dict[str, dict] = {}  # id -> {"status", "grade"}: what the follow-ups are chosen from
    for b in range(draw(st.integers(2, 4))):
        day = _day_after(dt.date(2025, 3, 1), draw(st.integers(0, 540)))
        issuer = draw(st.one_of(st.none(), st.sampled_from(ids)))
        body = []
        for n in range(draw(st.integers(1, 4))):
            directive_id = f"{draw(st.sampled_from(['D', '安全']))}-{b}{n}"
            units = ["all"] if draw(st.integers(0, 5)) == 0 else draw(some_units)
            support = [u for u in draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) if u not in units]
            deadline = "ongoing" if draw(st.integers(0, 7)) == 0 else \
                _day_after(first_as_of, draw(st.integers(-300, 90))).isoformat()
            if draw(st.integers(0, 5)) == 0:  # written in words (its `deadline_written`): 立即, the month's or year's end
                deadline = draw(st.sampled_from(["立即", "月底前", "年底前", "immediately"]))
            status = draw(st.sampled_from(["open", "open", "in-progress", "done", "cancelled"]))
            grade = draw(st.sampled_from([None, "general", "major"]))
            block = [f"/// directive | Directive {directive_id}", f"    id: {directive_id}",
                     f"    units: [{', '.join(units)}]"]
            if support:
                block.append(f"    support: [{', '.join(support)}]")
            if units != ["all"] and draw(st.integers(0, 2)) == 0:  # now and then a 责任人 per unit (issue 21)
                block.append(f"    owner: {{{', '.join(f'{u}: 责任人-{u}' for u in [*units, *support])}}}")
            block += [f"    deadline: {deadline}", f"    status: {status}"]
            if grade:
                block.append(f"    grade: {grade}")
            body += block + ["", f"Carry out work {directive_id}.", "///", ""]
            # each responsible unit's share, followed apart once a follow-up names some of them
            responsible = [u for u in ids if u != "board"] if units == ["all"] else units
            directives[directive_id] = {"status": status, "grade": grade, "shares": dict.fromkeys(responsible, status)}
        front = ["---", f'title: "Meeting {b}"', f"date: {day.isoformat()}", "type: minutes"]
        if issuer:
            front.append(f"issuer: {issuer}")
        files[f"{day.year}/{day.isoformat()}-meeting-{b}.md"] = "\n".join(front + ["---", "", *body])

    # Follow-up bulletins on distinct later days: after every directive bulletin (2026-08-24 at the
    # latest), some after the first as-of date (counted only at the second)
    offsets = draw(st.lists(st.integers(0, 120), min_size=1, max_size=3, unique=True))
    for n, offset in enumerate(sorted(offsets)):
        day = _day_after(dt.date(2026, 9, 10), offset)
        blocks = []
        for directive_id in draw(st.lists(st.sampled_from(sorted(directives)), min_size=1, max_size=5, unique=True)):
            state = directives[directive_id]
            shares = state["shares"]
            # now and then a report for some of its units only (`units:`: their shares, issue 21)
            named = draw(st.lists(st.sampled_from(sorted(shares)), min_size=1, max_size=len(shares) - 1, unique=True)) \
                if len(shares) > 1 and draw(st.integers(0, 2)) == 0 else []
            chosen = [shares[u] for u in (named or shares)]
            if all(s in ("done", "cancelled") for s in chosen):
                options = ["reopen", "reopen-extend"]
            elif not any(s in ("done", "cancelled") for s in chosen):
                options = ["progress", "extend", "await", "accept", "accept", "escalate", "cancel", "note"]
            else:
                options = ["note"]  # some of the shares it names are closed, some not: a report only
            action = draw(st.sampled_from(options))
            block = [f"/// follow-up | {action} {directive_id}", f"    directive: {directive_id}"]
            if named:
                block.append(f"    units: [{', '.join(named)}]")
            new = None  # the status the shares it reports for take, if it sets one
            acceptor = draw(st.one_of(st.sampled_from(ids), st.sampled_from(PEOPLE)))
            if action.startswith("reopen"):
                block.append("    reopen: the fix did not hold")
                new = "in-progress"
            if action.endswith("extend"):
                extended = _day_after(first_as_of, draw(st.integers(-20, 90))).isoformat()
                if draw(st.integers(0, 4)) == 0:  # now and then as words: the share's own `deadline_written`
                    extended = draw(st.sampled_from(["立即", "年底前"]))
                block += [f"    deadline: {extended}", "    reason: more time is needed"]
            elif action == "progress":
                block.append("    status: in-progress")
                new = "in-progress"
            elif action == "await":
                block += ["    status: awaiting-acceptance", f"    accepted_by: {acceptor}"]
                new = "awaiting-acceptance"
            elif action == "accept":
                block += ["    status: done", f"    accepted_by: {acceptor}"]
                new = "done"
            elif action == "escalate":
                block.append("    escalate: true")
            elif action == "cancel":
                block.append("    status: cancelled")
                new = "cancelled"
            for unit in named or shares:
                shares[unit] = new or shares[unit]
            state["status"] = "done" if all(s in ("done", "cancelled") for s in shares.values()) else "in-progress"
            blocks += block + ["", f"Reported on {directive_id}.", "///", ""]
        front = ["---", f'title: "Inspection {n}"', f"date: {day.isoformat()}", "type: inspection", "---", ""]
        files[f"{day.year}/{day.isoformat()}-inspection-{n}.md"] = "\n".join(front + blocks)

    # Hidden: a draft (with a follow-up that would close a published directive), a bulletin
    # embargoed past both as-of dates, and one whose embargo lifts between them
    corpus = AgreeingCorpus(files, ids, [], language=draw(st.sampled_from(["en", "zh"])))
    some_id = draw(st.sampled_from(sorted(directives)))
    for kind in ("draft", "embargo", "lifted"):
        marker = f"zqx{kind}{draw(st.integers(1000, 9999))}"
        corpus.markers.append(marker)
        units = draw(some_units)
        front = ["---", f'title: "{marker} hidden"', "date: 2026-11-20", "type: notice"]
        if kind == "draft":
            front.append("draft: true")
        else:
            lifts = _day_after(second_as_of, 1) if kind == "embargo" else dt.date(2026, 12, 20)  # between the dates
            front.append(f"publish: {lifts.isoformat()}")
        body = [f"/// directive | {marker} work", f"    id: {marker}-1", f"    units: [{', '.join(units)}]",
                f"    deadline: {_day_after(first_as_of, draw(st.integers(-30, 30))).isoformat()}",
                "", f"Text of {marker}.", "///", ""]
        if kind == "draft":
            body += [f"/// follow-up | {marker} closes it", f"    directive: {some_id}", "    status: cancelled"
                     if directives[some_id]["status"] not in ("done", "cancelled") else "    reopen: a draft's reason",
                     "", f"{marker} said so.", "///", ""]
        files[f"2026/2026-11-20-{marker}.md"] = "\n".join(front + ["---", "", *body])
        if kind == "lifted":
            corpus.lifted = marker
    return corpus


# ---------------------------------------------------------------- each unit's share (issue 21)

SHARES_AS_OF = dt.date(2026, 11, 28)


@dataclass
class SharesCorpus:
    files: dict[str, str]  # below bulletins/
    shares: dict[str, dict[str, str]]  # directive id -> unit id -> its share's status after every follow-up


@st.composite
def shares_corpus(draw) -> SharesCorpus:
    """Valid sources whose follow-ups carry `units:`: one meeting of directives to two or more of
    five units (or to all, which a committee does not receive), then follow-up bulletins, each
    follow-up for some of the units (or every one), valid for the statuses of the shares it names
    (tracked here, share by share, as state.py replays them)."""
    ids = [f"u{n}" for n in range(5)]
    units_yml = "- id: board\n  name: Safety Board\n  receives_all: false\n" + "".join(
        f"- id: {u}\n  name: Unit {u[1:]} Works\n  name_zh: 第{u[1:]}工区\n  parent: board\n" for u in ids)
    files = {"units.yml": units_yml}
    shares: dict[str, dict[str, str]] = {}
    body = ["---", 'title: "Meeting"', "date: 2026-09-01", "type: minutes", "---", ""]
    for n in range(draw(st.integers(1, 3))):
        directive_id = f"S-{n}"
        units = ["all"] if draw(st.integers(0, 3)) == 0 else draw(
            st.lists(st.sampled_from(ids), min_size=2, max_size=5, unique=True))
        deadline = _day_after(SHARES_AS_OF, draw(st.integers(-40, 30)))
        body += [f"/// directive | Directive {directive_id}", f"    id: {directive_id}",
                 f"    units: [{', '.join(units)}]", f"    deadline: {deadline.isoformat()}", "",
                 f"Carry out work {directive_id}.", "///", ""]
        shares[directive_id] = {u: "open" for u in (ids if units == ["all"] else units)}
    files["2026/2026-09-01-meeting.md"] = "\n".join(body)
    for n, offset in enumerate(sorted(draw(st.lists(st.integers(0, 80), min_size=1, max_size=3, unique=True)))):
        day = _day_after(dt.date(2026, 9, 5), offset)
        blocks = []
        for directive_id in draw(st.lists(st.sampled_from(sorted(shares)), min_size=1, max_size=3, unique=True)):
            mine = shares[directive_id]
            named = draw(st.one_of(st.just([]), st.lists(st.sampled_from(sorted(mine)), min_size=1, unique=True)))
            chosen = named or sorted(mine)
            closed = [mine[u] in ("done", "cancelled") for u in chosen]
            if all(closed):
                actions = ["reopen", "note"]
            elif not any(closed):
                actions = ["progress", "done", "done", "cancel", "extend", "escalate", "note"]
            else:
                actions = ["note"]  # reports on them all, changes none
            action = draw(st.sampled_from(actions))
            block = [f"/// follow-up | {action} {directive_id}", f"    directive: {directive_id}"]
            if named:
                block.append(f"    units: [{', '.join(named)}]")
            after = {"reopen": "in-progress", "progress": "in-progress", "done": "done", "cancel": "cancelled"}
            block += {"reopen": ["    reopen: the fix did not hold"], "progress": ["    status: in-progress"],
                      "done": ["    status: done"], "cancel": ["    status: cancelled"],
                      "extend": [f"    deadline: {_day_after(SHARES_AS_OF, draw(st.integers(-10, 40))).isoformat()}",
                                 "    reason: more time is needed"],
                      "escalate": ["    escalate: true"], "note": []}[action]
            if action in after:
                mine.update(dict.fromkeys(chosen, after[action]))
            blocks += block + ["", f"Reported on {directive_id}.", "///", ""]
        front = ["---", f'title: "Progress {n}"', f"date: {day.isoformat()}", "type: bulletin", "---", ""]
        files[f"{day.year}/{day.isoformat()}-progress-{n}.md"] = "\n".join(front + blocks)
    return SharesCorpus(files, shares)
