"""Split a bulletin file into front matter, body and directive blocks, keeping line numbers.

Only syntax lives here (what is where); what the values mean is checked in `validate`.
The block syntax mirrors pymdown-extensions' generic blocks, which render the page:
a header `/// directive | Title`, options as YAML indented by four spaces, the text, and
a closing line with the same number of slashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlload
from .. import fields
from ..model import Problem

_BLOCK_START = re.compile(r"^[ ]{0,3}(/{3,})[ ]*([\w-]+)[ ]*(?:\|[ ]*(.*?)[ ]*)?$")
_BLOCK_END = re.compile(r"^[ ]{0,3}(/{3,})[ ]*$")
# Anything else that looks like a directive header (quoted, indented, inside a note...):
# pymdown may still render it, so the checker must not pass over it.
# Every pattern applied to bulletin text runs in linear time on any line: here a search
# starts only where a run of slashes starts, and never gives back what it took.
CHINESE_LETTER = re.compile(r"[\u4e00-\u9fff]")  # a unit's Chinese alias, a Chinese bulletin's title
LOOSE_DIRECTIVE = re.compile(r"(?<!/)/{3,}+[ ]*+(?:directive|follow-up)\b", re.IGNORECASE)
BLOCKS = ("directive", "follow-up")  # the blocks that are ours: a directive, and progress on one
# A code fence, also inside quotes and list items; a backtick fence's info has no backtick.
# The markers before it are taken possessively: "> > > ..." can be split in many ways.
_FENCE = re.compile(r"^(?:[ ]*+(?:>|[-*+]|\d++[.)])[ ]++|[ ]*+>)*+[ ]*+(?:(`{3,})([^`]*)|(~{3,})(.*))$")
_BACKTICKS = re.compile(r"`+")
_FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


@dataclass
class RawDirective:
    """A directive or follow-up block as written: where it is and its unparsed parts."""

    line: int  # line of the `/// directive` (or `/// follow-up`) header in the file
    title: str  # the text after `|`, may be empty
    options: object  # the parsed YAML (a LineDict when well formed), None if empty
    options_line: int  # file line of the first option line
    text: str  # the Markdown inside the block
    # 0-based indexes into the body's lines, for rewriting the block when rendering
    first: int
    text_first: int
    kind: str = "directive"  # or "follow-up"


@dataclass
class RawBulletin:
    path: Path
    front_matter: object  # LineDict when well formed
    body: str
    body_line: int
    directives: list[RawDirective] = field(default_factory=list)
    follow_ups: list[RawDirective] = field(default_factory=list)


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8; a file that is not UTF-8 is a problem at the first bad byte."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                path,
                line,
                f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be decoded)",
                "Save it as UTF-8: in most editors 'Save with encoding' > UTF-8 "
                "(files saved as GBK/GB2312 by older Chinese tools are the usual cause).",
            )
        ]
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), []


def parse_bulletin(path: Path, text: str) -> tuple[RawBulletin | None, list[Problem]]:
    lines = text.split("\n")
    if not lines or not _FRONT_MATTER_FENCE.match(lines[0]):
        return None, [
            Problem(
                path,
                1,
                "the file does not start with YAML front matter",
                "Begin the file with a line '---', then title:, date: and type:, then another '---'.",
            )
        ]
    end = next((i for i in range(1, len(lines)) if _FRONT_MATTER_END.match(lines[i])), None)
    if end is None:
        return None, [
            Problem(path, 1, "the front matter is never closed", "Add a line '---' after the last field.")
        ]
    try:
        front_matter = yamlload.load("\n".join(lines[1:end]), first_line=2)
    except yamlload.YamlError as exc:
        return None, [
            Problem(
                path,
                exc.line,
                f"malformed YAML in the front matter: {exc.message}",
                exc.hint or "Write one 'field: value' per line; quote values that contain ': ' or start with a symbol.",
            )
        ]
    body_line = end + 2
    # Markdown expands tabs before pymdown reads a block header: so do we.
    body_lines = [line.expandtabs(4) for line in lines[end + 1 :]]
    blocks, problems = _find_directives(path, body_lines, body_line)
    problems += markdown_limits(path, body_lines, body_line)
    raw = RawBulletin(path, front_matter, "\n".join(body_lines), body_line,
                      [b for b in blocks if b.kind == "directive"], [b for b in blocks if b.kind == "follow-up"])
    return raw, problems


def _find_directives(path: Path, lines: list[str], first_line: int):
    directives: list[RawDirective] = []
    problems: list[Problem] = []
    fence = None
    fence_line = 0
    examples: list[Problem] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        was_open = fence
        fence, in_code = _track_fence(fence, line)
        if fence and not was_open:
            fence_line = i
        slashes = "///" in line  # most lines have none: nothing more to look for
        start = None if in_code or not slashes else _BLOCK_START.match(line)
        if start and start.group(2).lower() in BLOCKS:
            directive, i, problem = _read_directive(path, lines, i, first_line, start)
            if problem:
                problems.append(problem)
            if directive:
                directives.append(directive)
            continue
        if was_open and not fence:  # examples count once their code block is known to be one
            problems += examples
            examples = []
        if slashes and in_code and LOOSE_DIRECTIVE.search(line):
            examples.append(_EXAMPLE_IN_CODE(path, first_line + i))
        elif slashes and LOOSE_DIRECTIVE.search(without_code_spans(line)):
            kind = "follow-up" if "follow-up" in line.lower() else "directive"
            problems.append(Problem(
                path, first_line + i, f"a {kind} must start at the beginning of a line",
                f"Write '/// {kind}' at the very start of a line: not indented, quoted (>) or inside "
                "a note. To show an example of one, put it in a fenced code block (```).",
            ))
        i += 1
    if fence:
        # Markdown would not treat it as code at all, and what follows would render differently
        problems.append(Problem(
            path, first_line + fence_line, "a code block opened here is never closed",
            f"Add a line '{fence}' after the end of the code.",
        ))
    return directives, problems


def _EXAMPLE_IN_CODE(path: Path, line: int) -> Problem:  # noqa: N802 - reads as a constant
    return Problem(
        path, line, "a directive inside a code block is only an example, not a directive",
        "If it is the example 'bulletins new' wrote, delete it; to issue the directive, "
        "write it outside the code block.",
        severity="warning",
    )


def _track_fence(fence: str | None, line: str) -> tuple[str | None, bool]:
    """Follow fenced code: returns the open fence (or None) and whether `line` is code."""
    if fence is None and "`" not in line and "~" not in line:  # most lines: no fence can start here
        return None, False
    match = _FENCE.match(line)
    marker, info = (match.group(1) or match.group(3), match.group(2) or match.group(4) or "") if match else ("", "")
    if fence is None:
        return (marker, True) if marker else (None, False)
    closes = marker[:1] == fence[0] and len(marker) >= len(fence) and not info.strip()
    return (None if closes else fence), True


def _read_directive(path, lines, i, first_line, start):
    header = i
    slashes = start.group(1)
    kind = start.group(2).lower()
    title = (start.group(3) or "").strip()
    i += 1
    option_lines = []
    while i < len(lines) and lines[i].startswith("    ") and not lines[i].isspace():
        option_lines.append(lines[i])
        i += 1
    options_line = first_line + header + 1
    misplaced = _misplaced_option(path, lines, i, first_line, kind, bool(option_lines))
    if misplaced is not None:
        return None, _skip_block(lines, i, slashes), misplaced
    options = None
    if option_lines:
        indents = [len(o) - len(o.lstrip(" ")) for o in option_lines]
        indent = min(indents)
        if indents[0] > indent:  # YAML would say "expected <document start>"; mixed tabs and spaces, often
            less = indents.index(indent)
            return None, _skip_block(lines, i, slashes), Problem(
                path, options_line + less,
                f"the options are not lined up: line {options_line} is indented by the width of {indents[0]} spaces, "
                f"line {options_line + less} by {indent}",
                "Indent each option by four spaces. A tab counts up to the next multiple of four "
                "(as in Markdown), so tabs mixed with spaces may not line up: use spaces only.",
            )
        try:
            options = yamlload.load("\n".join(o[indent:] for o in option_lines), first_line=options_line)
        except yamlload.YamlError as exc:
            return None, _skip_block(lines, i, slashes), Problem(
                path,
                exc.line,
                f"malformed YAML in the {kind}'s options: {exc.message}",
                exc.hint or "Indent each option by four spaces as 'name: value', e.g. '    deadline: 2021-06-30'.",
            )
    text_first = i
    end, nested = _block_end(lines, i, slashes)
    if nested is not None:
        return None, len(lines) if end is None else end + 1, Problem(
            path,
            first_line + nested,
            f"a directive or follow-up inside another {kind}",
            f"Close the {kind} with its '{slashes}' line before starting the next block.",
        )
    if end is None:
        return None, len(lines), Problem(
            path,
            first_line + header,
            f"the {kind} block opened here with '{slashes} {kind}' is never closed",
            f"Add a line '{slashes}' on its own after the directive's text.",
        )
    text = "\n".join(lines[text_first:end]).strip("\n")
    directive = RawDirective(first_line + header, title, options, options_line, text, header, text_first, kind)
    return directive, end + 1, None


# An option as editors write it, whatever the indentation: `units: [...]`, `deadline: ...`
_OPTION_LIKE = re.compile(r"^([ \u3000]*)([a-z_]+):(?:[ \t\u3000]|$)")


def _misplaced_option(path, lines, i, first_line, kind, after_options) -> Problem | None:
    """One of the block's options where Markdown would take it for text: not indented, indented
    by fewer than four spaces or by full-width ones, or parted from the header (or the other
    options) by blank lines. Said here, at its line, instead of as the option the directive
    then lacks. Other words ('note: ...') may start the text."""
    j = i
    while j < len(lines) and not lines[j].strip():
        j += 1
    option = _OPTION_LIKE.match(lines[j]) if j < len(lines) else None
    if option is None or option.group(2) not in fields.names(fields.of_block(kind)):
        return None
    indent, where = option.group(1), f"below the '/// {kind}' line" if not after_options else "among the options"
    if j > i:
        if not indent:  # after a blank line, text may start with any word
            return None
        blank, end = ("a blank line", "ends") if j - i == 1 else (f"{j - i} blank lines", "end")
        return Problem(path, first_line + i, f"{blank} {where} {end} the options: line {first_line + j} is read as text",
                       f"Delete the blank line{'s' * (j - i > 1)}: the options follow the '/// {kind}' line with none between.")
    if "\u3000" in indent:
        return Problem(path, first_line + j, "the option is indented with full-width spaces (U+3000)",
                       "Indent each option with four ordinary spaces (半角空格).")
    if len(indent) < 4:
        spaces = "not indented" if not indent else f"indented by {len(indent)} space{'s' * (len(indent) > 1)}"
        return Problem(path, first_line + j, f"the option is {spaces}, so it is read as text",
                       f"Indent each option by four spaces, like '    {option.group(2)}: ...'.")
    return None


def _block_end(lines: list[str], i: int, slashes: str) -> tuple[int | None, int | None]:
    """Index of the line closing a block (skipping nested blocks and code fences),
    and of the first directive nested in it, if any."""
    open_blocks = [slashes]
    nested = None
    fence = None
    for j in range(i, len(lines)):
        fence, in_code = _track_fence(fence, lines[j])
        if in_code:
            continue
        if "///" not in lines[j]:
            continue
        end = _BLOCK_END.match(lines[j])
        if end and end.group(1) in open_blocks:
            # pymdown closes the innermost block of that length (and any inside it)
            del open_blocks[len(open_blocks) - 1 - open_blocks[::-1].index(end.group(1)) :]
            if not open_blocks:
                return j, nested
            continue
        start = _BLOCK_START.match(lines[j])
        if start:
            open_blocks.append(start.group(1))
            if start.group(2).lower() in BLOCKS and nested is None:
                nested = j
    return None, nested


def _skip_block(lines: list[str], i: int, slashes: str) -> int:
    end, _ = _block_end(lines, i, slashes)
    return len(lines) if end is None else end + 1


def without_code_spans(line: str) -> str:
    """The line with its code spans removed. A span opens with a run of backticks and
    closes at the next run of the same length; a run with no such partner is text.
    One pass over the runs, each length's next partner found by a cursor that only moves on
    (a regex such as (`+).*?\\1 takes cubic time on a line of backticks)."""
    if "`" not in line:
        return line
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    cursor = dict.fromkeys(by_length, 0)
    kept, position, index = [], 0, 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        while cursor[end - start] < len(same) and same[cursor[end - start]] <= index:
            cursor[end - start] += 1
        if cursor[end - start] == len(same):  # no closing run: the backticks are text
            index += 1
            continue
        closing = same[cursor[end - start]]
        kept.append(line[position:start])
        position = runs[closing][1]
        index = closing + 1
    kept.append(line[position:])
    return "".join(kept)


_ATX_HEADING = re.compile(r"^[ ]{0,3}(#{1,6})(?:[ ]+(.*?))?[ ]*+(?:(?<=[ ])#++[ ]*+)?$")
_SETEXT_UNDERLINE = re.compile(r"^[ ]{0,3}(?:=++|-++)[ ]*+$")
_BLOCK_LINE = re.compile(r"^[ ]{0,3}/{3,}")


def headings(text: str, first_line: int) -> list[tuple[str, int]]:
    """Headings of the Markdown (`# Title`, or a line underlined with === or ---), as
    written, with their file lines; code and block markers are skipped."""
    found = []
    fence = None
    previous = ""  # the line before, if it could be a setext heading's text
    for offset, line in enumerate(text.split("\n")):
        fence, in_code = _track_fence(fence, line)
        if in_code:
            previous = ""
            continue
        if "#" in line and (atx := _ATX_HEADING.match(line)):
            found.append(((atx.group(2) or "").strip(), first_line + offset))
            previous = ""
            continue
        if previous and _SETEXT_UNDERLINE.match(line):
            found.append((previous.strip(), first_line + offset - 1))
            previous = ""
            continue
        plain = line.strip() and not line.startswith("    ") and not _BLOCK_LINE.match(line)
        previous = line if plain else ""
    return found


# Python-Markdown reads some shapes of text in time that grows with the square of their size
# (seconds for a few KB), or recurses per level of nesting: refused before the build meets them.
MAX_NESTING = 16  # list items and quotes opened on one line (`- - - x`, `> > >`)
MAX_INDENT = 160  # columns of leading space outside code
MAX_HEADING = 2000  # characters in a heading line (pymdown's slugify is quadratic on some)
MAX_BRACKET_COST = 2_000_000  # unclosed `[` times the length of their paragraph, per file
_OPENERS = re.compile(r"(?:[ ]*+(?:[-*+>]|\d{1,9}[.)])(?=[ ]|$))++")
_MARKER = re.compile(r"[-*+>]|\d+[.)]")


def markdown_limits(path: Path, lines: list[str], first_line: int) -> list[Problem]:
    """Text that would make the build hang or crash (each reported once, at its first line):
    very deep nesting, a huge heading, and paragraphs full of `[` that are never closed
    (Markdown looks for the `]` of each one to the end of the paragraph)."""
    problems: list[Problem] = []
    fence = None
    cost, worst = 0, (0, 0, 0)  # (cost, line, brackets) of the worst paragraph
    paragraph_start, paragraph_length, unclosed = 0, 0, 0
    for n, line in enumerate(lines + [""]):
        fence, in_code = _track_fence(fence, line)
        if in_code:
            continue
        if not line.strip():
            if unclosed:
                cost += unclosed * paragraph_length
                worst = max(worst, (unclosed * paragraph_length, first_line + paragraph_start, unclosed))
            paragraph_start, paragraph_length, unclosed = n + 1, 0, 0
            continue
        paragraph_length += len(line) + 1
        if "[" in line:
            unclosed = max(0, unclosed + line.count("[") - line.count("]"))
        indent = len(line) - len(line.lstrip(" "))
        openers = _OPENERS.match(line)
        depth = len(_MARKER.findall(openers[0])) if openers else 0
        if (indent > MAX_INDENT or depth > MAX_NESTING) and not any("nested too deep" in p.message for p in problems):
            problems.append(Problem(path, first_line + n, f"the line is nested too deep ({depth} list or quote "
                                    f"markers, {indent} spaces of indentation)",
                                    f"Use at most {MAX_NESTING} levels of lists and quotes: Markdown cannot read more."))
        elif len(line) > MAX_HEADING and line.lstrip(" ").startswith("#") and not problems:
            problems.append(Problem(path, first_line + n, f"a heading of {len(line)} characters",
                                    f"Keep headings under {MAX_HEADING} characters; put the rest in the text."))
    if cost > MAX_BRACKET_COST:
        problems.append(Problem(path, worst[1], f"the paragraph starting here has {worst[2]} '[' that are never "
                                "closed: Markdown would take seconds or minutes to read it",
                                "Close each '[' with ']', or write a literal bracket as '\\['."))
    return problems
