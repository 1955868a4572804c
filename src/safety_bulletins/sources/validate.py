"""Turn a parsed file into a Bulletin, checking every value the site relies on."""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
import unicodedata
from pathlib import Path

from . import dates
from .. import fields
from ..recurrence import period_name
from ..model import (
    WIDE_CHARACTERS,
    ALL_UNITS,
    BULLETIN_TYPES,
    CLASSIFICATIONS,
    DEFAULT_CLASSIFICATION,
    URGENCIES,
    Bulletin,
    Contact,
    Directive,
    Escalation,
    FollowUp,
    Meeting,
    Problem,
    errors_in,
)
from .attachments import local_files
from .parse import CHINESE_LETTER, RawBulletin, RawDirective, headings
from .units import UnitRegistry, _unprintable as unprintable
from .yamlload import LineDict, shorten

FRONT_MATTER_FIELDS = (
    "title", "date", "type", "issuer", "number", "presided_by", "recorder", "place",
    "attendees", "absent", "tags", "summary", "draft", "publish", "classification", "meeting", "attachments",
    "lang", "recipients", "cc", "signed_by", "urgency", "contact", "observers", "printed",
    "printed_by",
)
LANGUAGES = ("zh", "en")  # of a bulletin's text: its header, sign-off and cards speak it
MEETING_FIELDS = ("start", "end", "place", "attendees")
# Fields `bulletins new` writes empty, for the editor to fill in before publishing
FILL_IN_FIELDS = ("issuer", "number", "presided_by", "recorder", "place", "attendees", "meeting",
                   "recipients", "cc", "signed_by", "urgency", "contact", "observers", "printed", "printed_by")
# 紧急程度 as editors may write it, in either language: the code each stands for
URGENCY_WORDS = {**{word: code for code, word in URGENCIES.items()}, **{code: code for code in URGENCIES}}
CONTACT_FIELDS = ("name", "phone")
_ADDRESSEE_SEPARATORS = re.compile(r"[，、,；;]")
# The text `bulletins new --review` puts in each follow-up stub, for the editor to replace
FOLLOW_UP_STUB = "What was done, by whom, and the evidence (photos and reports as attachments)."
FOLLOW_UP_STUB_ZH = "落实情况：做了什么、由谁完成，以及佐证材料（照片、报告作为附件）。"  # in a Chinese bulletin
FOLLOW_UP_ANCHOR_PREFIX = "sb-fu-"
_DIRECTIVE_ID = re.compile(r"^[^\W_][\w.-]*$")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.;；])\s")
# Linear on any text: a link's text stops at the next bracket and its target at the next
# parenthesis, so no try reads past the start of the next one.
_MARKUP = re.compile(r"[*_`#>]++|!?\[([^\[\]]*)\]\([^()]*\)")
# Chinese text wrapped over lines joins without a space
_WIDE_GAP = re.compile(f"(?<=[{WIDE_CHARACTERS}])\\s+(?=[{WIDE_CHARACTERS}])")
_CJK_LINE_BREAK = re.compile(f"(?<=[{WIDE_CHARACTERS}])[ \t]*\n[ \t]*(?=[{WIDE_CHARACTERS}])")
TITLE_LENGTH = 80
# Directives and follow-ups in one bulletin: real ones hold tens. pymdown's blocks cost time
# that grows with the square of their number on a page (a second at 1,000, minutes at 20,000).
MAX_BLOCKS = 1000
# anchors of the generated parts of pages, and the theme's (outputs/sanitize.py renames editors' ids there)
RESERVED_ID_PREFIXES = ("sb-", "md-")


def did_you_mean(word: str, choices) -> str:
    same = [choice for choice in choices if str(choice).lower() == str(word).strip().lower()]  # 'ZH' for 'zh'
    close = same or difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'? " if close else ""


class _Checker:
    """Collects problems for one file while reading its values."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, hint))

    def warn(self, line: int, message: str, hint: str = "") -> None:
        """A likely mistake that does not stop the build."""
        self.problems.append(Problem(self.path, line, message, hint, severity="warning"))

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    def unknown_fields(self, mapping: LineDict, allowed, line_offset: int, what: str, also=(), elsewhere=None) -> None:
        """Keys neither `allowed` nor `also` (accepted, not listed in the hint: other names of options);
        `elsewhere`: the hint for a key that belongs in another place."""
        for key in mapping:
            if key not in allowed and key not in also:
                self.add(
                    line_offset + mapping.line_of(key) - 1,
                    f"unknown field {shorten(key)} in {what}",
                    (elsewhere or {}).get(key) or did_you_mean(key, allowed) + f"Allowed fields: {', '.join(allowed)}.",
                )

    def text(self, mapping: LineDict, key: str, line_offset: int, required: bool = False) -> str:
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                self.add(line_offset + mapping.line - 1, f"'{key}' is missing", f"Add a line '{key}: ...'.")
            return ""
        if isinstance(value, (list, dict)) or isinstance(value, bool):
            self.add(line_offset + mapping.line_of(key) - 1, f"'{key}' must be text, not {shorten(value)}",
                     f"Write '{key}: some text' (quote it if it contains ': ').")
            return ""
        return str(value).strip()

    def text_list(self, mapping: LineDict, key: str, line_offset: int) -> tuple[str, ...]:
        value = mapping.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.add(line_offset + mapping.line_of(key) - 1, f"'{key}' must be a list of names",
                     f"Write '{key}: [first, second]' or one '- name' per line below '{key}:'.")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def date(self, mapping: LineDict, key: str, line_offset: int, parse=dates.parse_date, required=False):
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                written = "YYYY-MM-DD HH:MM" if parse is dates.parse_datetime else "YYYY-MM-DD"
                self.add(line_offset + mapping.line - 1, f"'{key}' is missing", f"Add a line '{key}: {written}'.")
            return None
        try:
            return parse(value)
        except dates.DateError as exc:
            self.add(line_offset + mapping.line_of(key) - 1, f"'{key}': {exc}")
            return None

    def deadline(self, mapping: LineDict, line_offset: int, issued: dt.date) -> dates.Deadline | None:
        """A block's `deadline:` as documents write it (dates.read_deadline), counted from `issued`;
        a reading that is not the obvious one (a day already passed: next year's) is a warning."""
        line = line_offset + mapping.line_of("deadline") - 1
        try:
            read = dates.read_deadline(mapping["deadline"], issued)
        except dates.DateError as exc:
            self.add(line, f"'deadline': {exc}")
            return None
        if read.note:
            self.warn(line, f"'deadline': {read.note}",
                      f"If that is meant, write it as a date to say so: 'deadline: {read.date.isoformat()}'.")
        return read

    def choice(self, mapping: LineDict, key: str, choices, line_offset: int, default=None, required=False,
               aliases=None, names=None):
        value = mapping.get(key, default)
        if value is None:
            if required:
                self.add(line_offset + mapping.line - 1, f"'{key}' is missing",
                         f"Add a line '{key}: ' with one of: {', '.join(choices)}.")
            return default
        if aliases and isinstance(value, str) and value.strip() in aliases:  # 已完成 for done
            return aliases[value.strip()]
        if value not in choices:
            shown = [f"{c} ({names[c]})" if names and c in names else c for c in choices]
            self.add(line_offset + mapping.line_of(key) - 1, f"'{key}' is {shorten(value)}, which is not allowed",
                     did_you_mean(value, [*choices, *(aliases or ())]) + f"Use one of: {', '.join(shown)}.")
            return default
        return value

    def field(self, spec: fields.Field, mapping: LineDict, line_offset: int):
        """A free-text or choice option of a block, read as the field spec declares it."""
        if spec.kind == fields.CHOICE:
            return self.choice(mapping, spec.name, spec.choices, line_offset, default=spec.default,
                               required=spec.required, aliases=spec.aliases, names=spec.choice_labels.get("zh"))
        return self.text(mapping, spec.name, line_offset, required=spec.required)

    def units(self, mapping: LineDict, key: str, registry: UnitRegistry, line_offset: int,
              required: bool = False, on: dt.date | None = None) -> tuple[str, ...]:
        references = self.text_list(mapping, key, line_offset)
        if required and key in mapping and not references:
            self.add(line_offset + mapping.line_of(key) - 1, f"'{key}' is empty",
                     f"Name at least one unit, e.g. '{key}: [all]' or '{key}: [property]'.")
        ids = []
        for reference in references:
            members = registry.group(reference) if key != "issuer" else None  # a named group: its units
            if members:  # issued `on` a day: the members that had joined by then (units.yml's `since`)
                ids += [unit_id for unit_id in members if unit_id not in ids and registry.there_on(unit_id, on)]
                continue
            unit_id = registry.resolve(reference)
            inner = reference[1:-1] if reference[:1] == "【" and reference[-1:] == "】" else reference
            parts = [p.strip() for p in re.split(r"[，、,；;]", inner) if p.strip()] if unit_id is None else []
            if parts and all(registry.resolve(p) for p in parts) and (len(parts) > 1 or inner != reference):
                if len(parts) == 1:
                    wrong, hint = "in full-width brackets '【】'", f"Write it without them: '{key}: {parts[0]}'."
                else:
                    wrong = "several units written as one"
                    hint = f"Write them as a list, with '[', ']' and ', ' (半角): '{key}: [{', '.join(parts)}]'."
                self.add(line_offset + mapping.line_of(key) - 1, f"'{reference}' in '{key}' is {wrong}", hint)
            elif unit_id is None:
                suggestion = registry.suggest(reference)
                self.add(
                    line_offset + mapping.line_of(key) - 1,
                    f"unknown unit '{reference}' in '{key}'",
                    (f"Did you mean '{suggestion.id}' ({suggestion.name})? " if suggestion else "")
                    + "Use a unit's id, name or alias from bulletins/units.yml, a group of it, or 'all'.",
                )
            elif not registry.there_on(unit_id, on):
                self.add(line_offset + mapping.line_of(key) - 1, not_joined(registry, reference, unit_id, key, on),
                         JOINED_HINT)
            elif unit_id not in ids:
                ids.append(unit_id)
        return tuple(ids)


JOINED_HINT = "Date the bulletin on or after that day, or name a unit that was there then."


def not_joined(registry: UnitRegistry, reference: str, unit_id: str, key: str, on: dt.date) -> str:
    """A unit named in a bulletin dated before it joined (units.yml's `since`): it owed nothing then."""
    return (f"'{reference}' in '{key}' had not joined on {on.isoformat()}: "
            f"it joined on {registry.units[unit_id].since.isoformat()} (units.yml's 'since')")


def validate_bulletin(raw: RawBulletin, rel_path: str, registry: UnitRegistry) -> tuple[Bulletin | None, list[Problem]]:
    check = _Checker(raw.path)
    fm = raw.front_matter
    if not isinstance(fm, LineDict):
        check.add(2, "the front matter must be 'field: value' lines", "Start with 'title:', 'date:' and 'type:'.")
        return None, check.problems
    check.unknown_fields(fm, FRONT_MATTER_FIELDS, 2, "the front matter")
    title = check.text(fm, "title", 2, required=True)
    date = check.date(fm, "date", 2, required=True)
    kind = check.choice(fm, "type", BULLETIN_TYPES, 2, required=True)
    issuer = check.units(fm, "issuer", registry, 2, on=date)  # by a unit that had joined by its date
    draft = fm.get("draft", False)
    if not isinstance(draft, bool):
        check.add(1 + fm.line_of("draft"), f"'draft' must be true or false, not {shorten(draft)}", "Write 'draft: true'.")
    _blanks(check, fm, draft is True)
    bulletin = Bulletin(
        source=raw.path,
        rel_path=rel_path,
        title=title,
        date=date,
        type=kind,
        body=raw.body,
        body_line=raw.body_line,
        issuer=issuer[0] if issuer else None,
        number=check.text(fm, "number", 2),
        presided_by=check.text(fm, "presided_by", 2),
        recorder=check.text(fm, "recorder", 2),
        place=check.text(fm, "place", 2),
        attendees=check.text_list(fm, "attendees", 2),
        absent=check.text_list(fm, "absent", 2),
        tags=check.text_list(fm, "tags", 2),
        # written over lines (`summary: >`), YAML folds each line break into a space: between
        # Chinese characters a reader sees it as a gap, as Chromium shows a break in a page
        summary=_WIDE_GAP.sub("", check.text(fm, "summary", 2)),
        draft=draft is True,
        publish=check.date(fm, "publish", 2),
        classification=_classification(check, fm),
        meeting=_meeting(check, fm),
        language=check.choice(fm, "lang", LANGUAGES, 2) or ("zh" if CHINESE_LETTER.search(title) else "en"),
        issuers=issuer,
        recipients=_addressees(check, fm, "recipients", registry, date),
        cc=_addressees(check, fm, "cc", registry, date),
        signed_by=check.text_list(fm, "signed_by", 2),
        urgency=_urgency(check, fm),
        contact=_contact(check, fm),
        observers=check.text_list(fm, "observers", 2),
        printed=_printed(check, fm, date),
        printed_by=_printed_by(check, fm, registry),
    )
    listed = [(p, 1 + fm.line_of("attachments")) for p in check.text_list(fm, "attachments", 2)]
    files = local_files(raw.path, rel_path, listed, [])  # links in the text: from the rendered page (site_build/rendering.py)
    check.problems += files.problems
    bulletin.attachments, bulletin.page_links = files.attachments, files.page_links
    blocks = sorted(raw.directives + raw.follow_ups, key=lambda block: block.line)
    if len(blocks) > MAX_BLOCKS:
        check.add(blocks[MAX_BLOCKS].line, f"the bulletin holds {len(blocks)} directives and follow-ups; "
                  f"one bulletin may hold at most {MAX_BLOCKS}",
                  "Split it into several bulletins (each page is rendered in time that grows with the square "
                  "of its cards).")
        return None, check.problems
    for number, raw_directive in enumerate(raw.directives, start=1):
        directive = _directive(check, raw_directive, number, bulletin, registry)
        if directive is not None:
            bulletin.directives.append(directive)
    anchors = _FollowUpAnchors()
    for raw_follow_up in raw.follow_ups:
        follow_up = _follow_up(check, raw_follow_up, bulletin, registry, anchors)
        if follow_up is not None:
            bulletin.follow_ups.append(follow_up)
    _headings_named_like_directives(check, raw, bulletin.directives)
    if check.errors:
        return None, check.problems
    return bulletin, check.problems


def _classification(check: _Checker, fm: LineDict) -> str:
    """One of CLASSIFICATIONS. Any other marking (secret, 机密, ...) is a classified document,
    which no build may show to anyone: refused, not hidden."""
    value = fm.get("classification")
    if value is None or value in CLASSIFICATIONS:
        return value or DEFAULT_CLASSIFICATION
    shown = value if isinstance(value, str) else repr(value)
    if isinstance(shown, str) and len(shown) > 40:
        shown = shown[:39] + "…"
    check.add(1 + fm.line_of("classification"),
              f"classification '{shown}' is not allowed: a document marked so must not be on the intranet at all",
              did_you_mean(str(value).lower(), CLASSIFICATIONS)
              + "Only public, internal and restricted bulletins may be committed here. A classified document "
                "(secret, confidential, 秘密, 机密, 绝密...) must be removed from this repository, its history "
                "included, and handled through the secrecy office.")
    return DEFAULT_CLASSIFICATION


def _is_blank(value) -> bool:
    """Empty as written: nothing, only spaces, or a list of such (`attendees: [""]`)."""
    if isinstance(value, list):
        return all(_is_blank(item) for item in value)
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_fields(fm: LineDict) -> list[tuple[str, int]]:
    """The fields written but left empty (as `bulletins new` writes them), with their lines."""
    blank = [(key, 1 + fm.line_of(key)) for key in FILL_IN_FIELDS if key in fm and _is_blank(fm[key])]
    meeting = fm.get("meeting")
    if isinstance(meeting, LineDict):
        blank += [(f"meeting {key}", 1 + meeting.line_of(key)) for key in MEETING_FIELDS
                  if key in meeting and _is_blank(meeting[key])]
    return sorted(blank, key=lambda blank: blank[1])


def _blanks(check: _Checker, fm: LineDict, draft: bool) -> None:
    """A draft may hold empty fields: what is still to fill in is said once, as a warning.
    A published bulletin may not: a blank left in would show as an empty line on the page,
    or an invented meeting time."""
    blank = _blank_fields(fm)
    if draft and blank:
        check.warn(blank[0][1], "a draft, still to fill in before it can be published: "
                   + ", ".join(f"{name} (line {line})" for name, line in blank),
                   "Fill each in, or delete the lines that do not apply; then delete 'draft: true' to publish.")
    elif not draft:
        for name, line in blank:
            check.add(line, f"'{name}' is empty", "Fill it in, or delete the line if it does not apply.")


def _addressees(check: _Checker, fm: LineDict, key: str, registry: UnitRegistry,
                on: dt.date | None = None) -> tuple[str, ...]:
    """主送 or 抄送: a list, or one string whose parts are parted by 、，, or ;. Each part is a
    unit's id where it names a unit of units.yml (by id, name or alias), else the text as
    written (各二级单位, 集团公司各部门): documents address bodies no units.yml lists."""
    value = fm.get(key)
    if isinstance(value, str):
        value = _ADDRESSEE_SEPARATORS.split(value)
    if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
        check.add(1 + fm.line_of(key), f"'{key}' must be names of units or bodies, not {shorten(value)}",
                  f"Write '{key}: [safety-env, 各二级单位]' or '{key}: 各二级单位、集团公司各部门'.")
        return ()
    written = [part.strip() for part in value or () if part.strip()]
    for part in written:  # a unit that had not joined by the bulletin's date (units.yml's `since`)
        if (unit_id := registry.resolve(part)) is not None and not registry.there_on(unit_id, on):
            check.add(1 + fm.line_of(key), not_joined(registry, part, unit_id, key, on), JOINED_HINT)
    return tuple(dict.fromkeys(registry.resolve(part) or part for part in written))


def _urgency(check: _Checker, fm: LineDict) -> str | None:
    """紧急程度: 特急 / 加急 (extra-urgent / urgent), kept as the English code."""
    value = fm.get("urgency")
    if _is_blank(value):
        return None
    code = URGENCY_WORDS.get(str(value).strip().lower()) if isinstance(value, str) else None
    if code is None:
        allowed = [f"{word} ({code})" for code, word in URGENCIES.items()]
        check.add(1 + fm.line_of("urgency"), f"'urgency' is {shorten(value)}, which is not allowed",
                  did_you_mean(value, URGENCY_WORDS) + f"Use one of: {', '.join(allowed)}; "
                  "leave the field out for an ordinary document (平件).")
    return code


def _contact(check: _Checker, fm: LineDict) -> Contact | None:
    """联系人: one line of text (`林晓 0351-6012345`), or `{name: 林晓, phone: 0351-6012345}`."""
    value = fm.get("contact")
    if _is_blank(value):
        return None
    line = 1 + fm.line_of("contact")
    example = "Write 'contact: 林晓 0351-6012345' or 'contact: {name: 林晓, phone: 0351-6012345}'."
    if isinstance(value, LineDict):
        known = len(check.problems)
        check.unknown_fields(value, CONTACT_FIELDS, 2, "the contact")
        name, phone = check.text(value, "name", 2, required=True), check.text(value, "phone", 2)
        return Contact(name=name, phone=phone) if name and len(check.problems) == known else None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        check.add(line, f"'contact' must be a name and a phone, not {shorten(value)}", example)
        return None
    text = str(value).strip()
    if "\n" in text:
        check.add(line, "'contact' must be one line", example)
        return None
    return Contact(text=text)


def _printed(check: _Checker, fm: LineDict, date: dt.date | None) -> dt.date | None:
    """印发日期: a notice is printed on or after the day it is dated, never before."""
    printed = check.date(fm, "printed", 2)
    if printed and date and printed < date:
        check.add(1 + fm.line_of("printed"),
                  f"'printed' {printed.isoformat()} is before the bulletin's date {date.isoformat()}",
                  "A document is printed (印发) on or after the day it is signed: check the year and month.")
        return None
    return printed


def _printed_by(check: _Checker, fm: LineDict, registry: UnitRegistry) -> str:
    """印发机关: the office that printed and sent the document (集团办公室), a unit or as written;
    said only beside the 印发 date."""
    printed_by = check.text(fm, "printed_by", 2)
    if printed_by and "printed" not in fm:
        check.add(1 + fm.line_of("printed_by"), "'printed_by' without 'printed'",
                  "The 版记 gives who printed it with the day: add 'printed: YYYY-MM-DD', or delete 'printed_by'.")
    return registry.resolve(printed_by) or printed_by if printed_by else ""


def _meeting(check: _Checker, fm: LineDict) -> Meeting | None:
    meeting = fm.get("meeting")
    if meeting is None:
        return None
    line = 1 + fm.line_of("meeting")
    if not isinstance(meeting, LineDict):
        check.add(line, "'meeting' must hold start:, place: and attendees:",
                  "Write 'meeting: {start: 2021-06-01 09:00, place: Room 3}'.")
        return None
    offset = 2  # nested keys count lines from the front matter's start, like the top level
    check.unknown_fields(meeting, MEETING_FIELDS, offset, "the meeting")
    if "start" in meeting and _is_blank(meeting["start"]):  # still to fill in: said by _blanks
        return None
    start = check.date(meeting, "start", offset, parse=dates.parse_datetime, required="start" not in meeting)
    if start is None:
        return None
    return Meeting(start, check.text(meeting, "place", offset), check.text_list(meeting, "attendees", offset),
                   _meeting_end(check, meeting, start))


_CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _meeting_end(check: _Checker, meeting: LineDict, start: dt.datetime) -> dt.datetime | None:
    """When the meeting ends: written like its start (YYYY-MM-DD HH:MM, or the day alone for a
    meeting without times), or HH:MM on the day it starts; after the start."""
    value = meeting.get("end")
    if _is_blank(value):
        return None
    line = 1 + meeting.line_of("end")
    clock = _CLOCK_TIME.match(str(value).strip())
    on_the_day = f"{start.date().isoformat()} {clock.group(1)}:{clock.group(2)}" if clock else None
    end = check.date(meeting, "end", 2, parse=lambda v: dates.parse_datetime(on_the_day or v))
    if end is None:
        return None
    timed, end_timed = start.time() != dt.time(), end.time() != dt.time() or bool(clock)
    if timed != end_timed:
        written = "a day and a time, e.g. '2026-12-10 11:30'" if timed else "a day alone, e.g. '2026-12-11'"
        check.add(line, f"the meeting's end {shorten(str(meeting['end']))} and start are not written alike",
                  f"The start has {'a time' if timed else 'no time'}: write the end as {written}.")
        return None
    if end < start or (end == start and timed):
        check.add(line, f"the meeting ends ({_shown_time(end, timed)}) before it starts ({_shown_time(start, timed)})",
                  "Check the day and the time: 'end' is when the meeting is over, after 'start'.")
        return None
    return end


def _shown_time(moment: dt.datetime, timed: bool) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if timed else moment.date().isoformat()


def _block_options(check: _Checker, raw: RawDirective, what: str, allowed, example: str) -> LineDict | None:
    """A block's options (`/// directive`, `/// follow-up`), unknown ones reported; None if
    they are not 'name: value' lines at all."""
    options = raw.options if raw.options is not None else LineDict()
    if not isinstance(options, LineDict):
        check.add(raw.options_line, f"a {what}'s options must be 'name: value' lines",
                  f"Indent each option by four spaces, e.g. '    {example}'.")
        return None
    names = fields.keys(fields.of_block(raw.kind))
    check.unknown_fields(options, allowed, raw.options_line, f"the {what}", also=names,
                         elsewhere=_FOLLOW_UP_ONLY if raw.kind == "directive" else None)
    return _named(check, options, names, raw.options_line)


# What only a follow-up records (挂牌督办, 销号 come after a directive is issued): the hint for a
# directive that holds one, under each name it may be written with
_FOLLOW_UP_ONLY = {
    key: f"'{key}' is recorded in a follow-up of the directive, not in the directive itself: write it in a "
         "'/// follow-up' block with '    directive: <id>' (in this bulletin, below the directive, if it is "
         "so from the start)."
    for name in ("escalate", "closed_off", "accepted_by", "reopen")
    for key in (name, *fields.by_name(fields.FOLLOW_UP, name).keys)
}


def _named(check: _Checker, options: LineDict, names: dict[str, str], offset: int) -> LineDict:
    """The options under their own names: one written as documents say it (牵头单位: 能源公司) as
    that option (lead), at its line; both names of one option is an error."""
    if not any(key in names for key in options):
        return options
    named, lines, written = LineDict(), {}, {}
    for key, value in options.items():
        name = names.get(key, key)
        if name in named:
            check.add(offset + options.line_of(key) - 1,
                      f"option '{name}' is written twice, as '{written[name]}' and as '{key}'",
                      f"Write it once, as '{name}:' or as '{written[name] if written[name] != name else key}:'.")
            continue
        named[name], lines[name], written[name] = value, options.line_of(key), key
    named.line, named.key_lines = options.line, lines
    return named


def _directive(check: _Checker, raw: RawDirective, number: int, bulletin: Bulletin, registry: UnitRegistry):
    options = _block_options(check, raw, "directive", fields.names(fields.DIRECTIVE), "units: [all]")
    if options is None:
        return None
    offset = raw.options_line
    directive_id = check.text(options, "id", offset)
    if directive_id.lower().startswith(RESERVED_ID_PREFIXES):
        check.add(offset + options.line_of("id") - 1, f"directive ids may not start with '{directive_id[:3].lower()}'",
                  "The site uses such anchors itself: choose another id.")
    elif directive_id and not _DIRECTIVE_ID.match(directive_id):
        check.add(offset + options.line_of("id") - 1, f"directive id '{directive_id}' has characters an anchor cannot hold",
                  "Start with a letter or digit; use letters, digits, '-', '.' and '_' only, e.g. 'id: CIG-2021-05-2'.")
    elif not directive_id:
        directive_id = f"{'-'.join(bulletin.stem.split())}-{number}"
        if directive_id.lower().startswith(RESERVED_ID_PREFIXES):
            check.add(raw.line, f"the file name makes a directive id starting with '{directive_id[:3].lower()}' "
                      f"('{directive_id}'), which the site uses for its own anchors",
                      "Rename the file (e.g. with its date first, '2026-11-26-notice.md'), or give the directive "
                      "an id, e.g. '    id: CIG-2021-05-2'.")
        elif not _DIRECTIVE_ID.match(directive_id):
            check.add(raw.line, f"the file name does not make a valid directive id ('{directive_id}')",
                      "Give the directive an id, e.g. '    id: CIG-2021-05-2', or rename the file "
                      "with letters, digits and '-' only.")
    units = check.units(options, "units", registry, offset, required=True, on=bulletin.date)
    if "units" not in options:
        check.add(raw.line, "the directive has no 'units'",
                  "Add '    units: [all]' or the ids of the responsible units below the '/// directive' line.")

    deadline_value = options.get("deadline")
    deadline, written, recurrence, read = None, "", None, None
    stages = _stages(check, options, offset, bulletin.date or dt.date.min)
    if deadline_value is None and stages:  # the last milestone's
        deadline = stages[-1][1]
    elif deadline_value is None:
        if "stages" not in options:  # bad stages are reported already
            check.add(raw.line, "the directive has no 'deadline'",
                      "Add '    deadline: YYYY-MM-DD' (or 10月底前, 立即, 长期坚持, or '+14d' from the bulletin's date).")
    else:
        # Without a valid bulletin date (already reported) relative deadlines count from an
        # arbitrary day, so that the rest of the directive is still checked.
        read = check.deadline(options, offset, bulletin.date or dt.date.min)
        deadline, written = (read.date, read.written) if read else (None, "")
        recurrence = read.recurrence if read else None
    until = check.date(options, "until", offset)
    if until is not None and recurrence is None and deadline_value is not None and read is not None:
        check.add(offset + options.line_of("until") - 1, "'until' ends a recurring duty, and this deadline does not recur",
                  "Remove 'until:', or write a recurring deadline such as '    deadline: 每月5日前'.")
        until = None
    if stages and read is not None and (recurrence is not None or deadline is None or deadline < stages[-1][1]):
        check.add(offset + options.line_of("deadline") - 1,
                  f"the deadline is before the last stage's ({stages[-1][0]}: {stages[-1][1].isoformat()})",
                  "Leave out 'deadline:' (the last stage's is the directive's), or give a date on or after it.")
    starts = check.date(options, "from", offset)
    if starts is not None and deadline is not None and starts > deadline:
        check.add(offset + options.line_of("from") - 1,
                  f"'from' {starts.isoformat()} is after the deadline {deadline.isoformat()}",
                  "A phase starts before it is due: check both dates.")
        starts = None
    if until is not None and deadline is not None and until < deadline:
        check.add(offset + options.line_of("until") - 1,
                  f"'until' {until.isoformat()} is before the duty's first occurrence {deadline.isoformat()}",
                  "Give the last day the duty runs, on or after its first deadline.")
        until = None
    if deadline and bulletin.date and deadline < bulletin.date:
        check.warn(offset + options.line_of("deadline") - 1,
                   f"the deadline {deadline.isoformat()} is before the bulletin's date {bulletin.date.isoformat()}",
                   "Check the year and month; for a time from the bulletin's date write e.g. +14d.")
    if ALL_UNITS in units and options.get("owner") and not isinstance(options.get("owner"), dict):
        check.warn(offset + options.line_of("owner") - 1,
                   "a directive to all units has one owner",
                   "Is the owner the person who follows it up for the group? If each unit answers for "
                   "itself, remove 'owner:' or address the directive to that owner's unit.")
    support = check.units(options, "support", registry, offset, on=bulletin.date)
    if ALL_UNITS in support:  # no unit page would show it: support is named, unit by unit
        check.add(offset + options.line_of("support") - 1, "'support' cannot be 'all'",
                  "Name the supporting units, e.g. '    support: [safety-env]'; a directive for every unit "
                  "is 'units: [all]'.")
        support = tuple(u for u in support if u != ALL_UNITS)
    responsible = registry.receivers(bulletin.date) if ALL_UNITS in units else units
    roles = {spec.name: _one_unit(check, spec.name, options, registry, offset, bulletin.date) for spec in fields.roles()}
    lead = roles["lead"]
    if lead is not None and lead in support:
        check.add(offset + options.line_of("lead") - 1, f"the lead unit '{lead}' is also a supporting unit",
                  "A lead unit (牵头) answers for the directive: remove it from 'support:' (配合).")
    elif lead is not None and lead not in responsible:  # named to lead, it is responsible too
        responsible = (*responsible, lead)
        units = units if ALL_UNITS in units else (*units, lead)
    accepting = roles["accepting_unit"]
    if accepting is not None and accepting in units:  # named (or lead); `all` alone is everyone's share, not this
        check.warn(offset + options.line_of("accepting_unit") - 1,
                   f"the accepting unit '{accepting}' is also responsible for the directive: it accepts its own work",
                   "验收 is usually another unit's check of the work: name that unit in 'accepting_unit:' (验收单位); "
                   "keep it only where the unit does accept its own work.")
    owner, owners = _owners(check, options, offset, registry, (*responsible, *support), bulletin.date)
    for key in ("owner", "leader"):  # persons, as units' names are: one line of text
        if isinstance(options.get(key), str) and unprintable(options[key]):
            check.add(offset + options.line_of(key) - 1, f"'{key}' has {unprintable(options[key])}: a name is "
                      "one line of text", f"Write the person's name alone, e.g. '    {key}: 王磊'.")
    title = raw.title or first_sentence(raw.text)
    if not title:
        check.add(raw.line, "the directive has neither a title nor any text",
                  "Write '/// directive | What must be done' or the instruction below the options.")
    return Directive(
        id=directive_id,
        title=title,
        text=raw.text,
        units=(ALL_UNITS,) if ALL_UNITS in units else units,
        responsible=responsible,
        support=support,
        owner=owner,
        owners=owners,
        lead=lead,
        accepting_unit=roles["accepting_unit"],
        supervisor=roles["supervisor"],
        deadline=deadline,
        status=check.field(fields.by_name(fields.DIRECTIVE, "status"), options, offset),
        line=raw.line,
        deadline_written=written,
        header=(raw.first, raw.text_first),
        details={spec.name: check.field(spec, options, offset) for spec in fields.details()},
        bulletin=bulletin,
        recurrence=recurrence,
        until=until,
        stages=stages,
        starts=starts,
    )


def _one_unit(check: _Checker, key: str, options, registry: UnitRegistry, offset: int,
              on: dt.date | None = None) -> str | None:
    """A role one unit holds (`lead`, `accepting_unit`, `supervisor`): a unit of units.yml, not
    `all` nor a group, nor a list."""
    if options.get(key) in (None, ""):
        return None
    line = offset + options.line_of(key) - 1
    value = options[key]
    if isinstance(value, list) or registry.group(str(value).strip()) or str(value).strip().lower() == ALL_UNITS:
        check.add(line, f"'{key}' names one unit, not {shorten(value)}",
                  f"Write the one unit that holds the role, e.g. '    {key}: safety-env'; the others go in "
                  "'units:' (责任单位) or 'support:' (配合单位).")
        return None
    ids = check.units(options, key, registry, offset, on=on)  # a unit that had joined by `on`
    return ids[0] if ids else None


def _owners(check: _Checker, options, offset: int, registry: UnitRegistry,
            units: tuple[str, ...], on: dt.date | None = None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`owner:` as one person (责任人 of the directive), or as a mapping of the directive's units
    (responsible or supporting; id, name or alias) to the person each names."""
    value = options.get("owner")
    if not isinstance(value, dict):
        return check.field(fields.by_name(fields.DIRECTIVE, "owner"), options, offset), ()
    line = offset + options.line_of("owner") - 1
    hint_units = ", ".join(units[:6]) + (", ..." if len(units) > 6 else "")
    owners: list[tuple[str, str]] = []
    if not value:  # `owner: {}`: no person at all, which a reader of the card would not guess
        check.add(line, "'owner' names no unit's person",
                  f"Name each unit with its person, e.g. '    owner: {{物业公司: 王磊}}' ({hint_units}), or remove 'owner:'.")
    for key, person in value.items():
        where = offset + value.line_of(key) - 1 if hasattr(value, "line_of") else line
        unit = registry.resolve(str(key))
        group = registry.group(str(key)) if unit is None else None
        if group or str(key).strip().lower() == ALL_UNITS:  # several units: each has its own person
            check.add(where, f"'owner': {shorten(str(key))} names several units, not one",
                      f"Give each unit its own person: {hint_units}; e.g. '    owner: {{物业公司: 王磊, 能源公司: 李强}}', "
                      "or write one person for the whole directive as '    owner: 王磊'.")
            continue
        if unit is not None and not registry.there_on(unit, on):
            check.add(where, not_joined(registry, str(key), unit, "owner", on), JOINED_HINT)
            continue
        if unit is None or unit not in units:
            suggestion = registry.suggest(str(key)) if unit is None else None
            check.add(where, f"'owner': {shorten(str(key))} is not a unit of the directive",
                      (f"Did you mean '{suggestion.id}' ({suggestion.name})? " if suggestion else "")
                      + f"Name each of its units (责任单位, 配合单位) with its person: {hint_units}; "
                      "e.g. '    owner: {物业公司: 王磊}'.")
            continue
        if not isinstance(person, (str, int)) or isinstance(person, bool) or not str(person).strip():
            check.add(where, f"'owner': the person of '{unit}' must be a name, not {shorten(person)}",
                      "Write the person's name after the unit, e.g. '    owner: {物业公司: 王磊}'.")
            continue
        if any(unit == earlier for earlier, _ in owners):
            check.add(where, f"'owner': unit '{unit}' is named twice", "Give each unit one person.")
            continue
        if unprintable(str(person)):  # a calendar line, a mail header, a spreadsheet row: one line
            check.add(where, f"'owner': the person of '{unit}' has {unprintable(str(person))}: a name is one line "
                      "of text", "Write the person's name alone, e.g. '    owner: {物业公司: 王磊}'.")
            continue
        owners.append((unit, str(person).strip()))
    return "", tuple(owners)


def _stages(check: _Checker, options, offset: int, issued: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """`stages:` as a list of 'name: deadline' (or of {name, deadline}), in order of their deadlines."""
    value = options.get("stages")
    if value in (None, ""):
        return ()
    line = offset + options.line_of("stages") - 1
    hint = "Write one stage a line below 'stages:', e.g. '      - 方案报送: 2026-12-20'."
    if not isinstance(value, list) or not value:
        check.add(line, "'stages' must be a list of 'name: deadline'", hint)
        return ()
    stages: list[tuple[str, dt.date]] = []
    for n, item in enumerate(value, start=1):
        where = offset + item.line - 1 if hasattr(item, "line") else line + n
        if isinstance(item, dict) and set(item) == {"name", "deadline"}:
            name, written = item["name"], item["deadline"]
        elif isinstance(item, dict) and len(item) == 1:
            ((name, written),) = item.items()
        else:
            check.add(where, f"stage {n} is not 'name: deadline'", hint)
            return ()
        name = str(name).strip()
        try:
            read = dates.read_deadline(written, issued)
        except dates.DateError as exc:
            check.add(where, f"stage '{name}': {exc}")
            return ()
        if read.date is None or read.recurrence is not None:
            check.add(where, f"stage '{name}' needs one deadline, not {shorten(written)}",
                      "Give the stage a date, e.g. '2026-12-20' or '12月20日前'.")
            return ()
        if any(name == earlier for earlier, _ in stages):
            check.add(where, f"two stages are named '{name}'", "Give each stage its own name.")
            return ()
        if stages and read.date < stages[-1][1]:
            check.add(where, f"stage '{name}' ({read.date.isoformat()}) is due before the stage above it "
                      f"('{stages[-1][0]}', {stages[-1][1].isoformat()})", "List the stages in the order they are due.")
            return ()
        stages.append((name, read.date))
    return tuple(stages)


def _follow_up(check: _Checker, raw: RawDirective, bulletin: Bulletin, registry: UnitRegistry,
               anchors: _FollowUpAnchors) -> FollowUp | None:
    """A follow-up's own values; what it may say of its directive is checked across files
    (`state.follow_up_problems`), where the directive is known."""
    options = _block_options(check, raw, "follow-up", fields.names(fields.FOLLOW_UP), "directive: CIG-2021-05-2")
    if options is None:
        return None
    offset = raw.options_line
    directive_id = check.text(options, "directive", offset)
    if "directive" not in options:
        check.add(raw.line, "the follow-up does not say which directive it follows up",
                  "Add '    directive: <id>' below the '/// follow-up' line, with the id shown on the directive's card.")
        return None
    if directive_id and not _DIRECTIVE_ID.match(directive_id):
        check.add(offset + options.line_of("directive") - 1, f"{shorten(directive_id)} is not a directive id",
                  "Write the id shown on the directive's card, e.g. '    directive: CIG-2021-05-2'.")
        return None
    day = check.date(options, "date", offset) or bulletin.date
    if bulletin.date is not None and day > bulletin.date:  # a bulletin reports what was done by its date
        check.add(offset + options.line_of("date") - 1,
                  f"the follow-up is dated {day.isoformat()}, after its bulletin ({bulletin.date.isoformat()})",
                  "Give the day the work was done, on or before the bulletin's date (or leave out 'date:'); "
                  "what happens later goes in a later bulletin.")
    deadline, written = None, ""
    if options.get("deadline") not in (None, ""):
        value = str(options.get("deadline")).strip()
        if value.lower() in dates.STANDING:
            check.add(offset + options.line_of("deadline") - 1,
                      f"a follow-up cannot make a deadline a standing order ({shorten(value)})",
                      "Give the new deadline as a date (YYYY-MM-DD), or cancel the directive and issue an ongoing one.")
        else:
            read = check.deadline(options, offset, day or dt.date.min)
            deadline, written = (read.date, read.written) if read else (None, "")
    reason = check.field(fields.by_name(fields.FOLLOW_UP, "reason"), options, offset)
    if deadline is not None and not reason:
        check.add(offset + options.line_of("deadline") - 1, "a new deadline needs a reason",
                  "Add '    reason: ...' saying why the time limit changed (延期原因), e.g. what must happen first.")
    escalate, escalation = _escalate(check, options, offset, registry)
    closed_off = options.get("closed_off")
    if str(options.get("status") or "").strip() == "已销号":  # done, and closed off that day
        closed_off = True if closed_off is None else closed_off
    if closed_off is not None and closed_off is not True:
        check.add(offset + options.line_of("closed_off") - 1, f"'closed_off' must be true, not {shorten(closed_off)}",
                  "Write '    closed_off: true' in the follow-up of the day the work is closed off (销号); "
                  "leave it out until then.")
        closed_off = None
    accepted_by = check.text(options, "accepted_by", offset)
    if unprintable(accepted_by):  # a unit's name or a person's: one line, as 责任人 is
        check.add(offset + options.line_of("accepted_by") - 1, f"'accepted_by' has {unprintable(accepted_by)}: a "
                  "name is one line of text", "Write the unit or the person who accepts, e.g. '    accepted_by: 王磊'.")
        accepted_by = ""
    unit = registry.resolve(accepted_by) if accepted_by else None  # a unit by id, name or alias; else a person
    accepted_by = unit or accepted_by
    if unit not in (None, ALL_UNITS) and not registry.there_on(unit, day):  # units.yml's `since`
        check.add(offset + options.line_of("accepted_by") - 1,
                  not_joined(registry, str(options.get("accepted_by")).strip(), unit, "accepted_by", day), JOINED_HINT)
        accepted_by = ""
    if accepted_by == ALL_UNITS:
        check.add(offset + options.line_of("accepted_by") - 1, "'accepted_by' cannot be 'all'",
                  "Name the unit (e.g. safety-env) or the person who accepts the work.")
    # whose shares (checked across files), each a unit that had joined by the follow-up's day (`since`)
    share_units = check.units(options, "units", registry, offset, on=day)
    share_units = () if ALL_UNITS in share_units else share_units
    if "units" in options and not share_units and options.get("units") in ([], "", None):
        # `units: []` reads as "no unit", not "every unit": say so rather than report for everyone
        check.add(offset + options.line_of("units") - 1, "'units' names no unit",
                  "Name the units whose shares the follow-up reports, e.g. 'units: [property]', "
                  "or leave 'units:' out for every unit of the directive.")
    text = raw.text
    if text.strip() in (FOLLOW_UP_STUB, FOLLOW_UP_STUB_ZH):
        check.warn(raw.line, "the follow-up still has the text 'bulletins new --review' wrote",
                   "Write what was done, or delete the follow-up if there is nothing to report.")
    anchor = anchors.next(directive_id)
    return FollowUp(
        directive_id=directive_id,
        title=raw.title or first_sentence(text),
        text=text,
        date=day,
        anchor=anchor,
        source=bulletin.source,
        rel_path=bulletin.rel_path,
        line=raw.line,
        order=len(bulletin.follow_ups) + 1,
        status=check.field(fields.by_name(fields.FOLLOW_UP, "status"), options, offset),
        deadline=deadline,
        deadline_written=written,
        reason=reason,
        accepted_by=accepted_by,
        accepted_by_unit=unit is not None,
        escalate=escalate,
        reopen=check.field(fields.by_name(fields.FOLLOW_UP, "reopen"), options, offset),
        header=(raw.first, raw.text_first),
        bulletin_date=bulletin.date,
        units=share_units,
        period=_period(check, options, offset),
        period_line=offset + options.line_of("period") - 1 if "period" in options else 0,
        stage=str(options.get("stage") or "").strip(),
        stage_line=offset + options.line_of("stage") - 1 if "stage" in options else 0,
        escalation=escalation,
        closed_off=closed_off is True,
    )


_NUMBERED_PERIOD = re.compile(r"^(\d{4})-(W?)(\d{2})$")  # a month or an ISO week, as period_name gives them


def _period(check: _Checker, options, offset: int) -> str:
    """`period:` as a period's name (recurrence.period_name). One written as Chinese documents do
    (2026年13月) naming no month or week is refused here, quoting it as written: the check across
    files, which knows the duty's rule, would quote the name it was read as (2026-13)."""
    written = str(options.get("period") or "").strip()
    name = period_name(written)
    match = _NUMBERED_PERIOD.match(name) if name != written else None
    if match:
        year, week, number = int(match.group(1)), bool(match.group(2)), int(match.group(3))
        try:
            dt.date.fromisocalendar(year, number, 1) if week else dt.date(year, number, 1)
        except ValueError:
            check.add(offset + options.line_of("period") - 1,
                      f"'period': '{written}' names no {'week' if week else 'month'}: {year} has no "
                      f"{'week' if week else 'month'} {number}",
                      "Name the occurrence reported, e.g. '    period: 2026年11月' (or 2026-11), '2026年第48周' "
                      "(or 2026-W48).")
    return name


def _escalate(check: _Checker, options, offset: int, registry: UnitRegistry) -> tuple[bool | None, Escalation]:
    """`escalate:` true or false, or 挂牌督办 as a mapping of its level, supervising body and number
    (`{level: 省级, by: 省安委办, number: 甘安督〔2026〕3号}`, or the Chinese words 级别, 督办单位,
    督办编号): escalated, with those parts. The body is a unit's id where it names one."""
    value = options.get("escalate")
    line = offset + options.line_of("escalate") - 1 if "escalate" in options else 0
    example = "'    escalate: {level: 省级, by: 省安委办, number: 甘安督〔2026〕3号}'"
    if value is None or isinstance(value, bool):
        return value, Escalation()
    if not isinstance(value, dict):
        check.add(line, f"'escalate' must be true or false, or the level, body and number of 挂牌督办, not "
                  f"{shorten(value)}", "Write '    escalate: true' to put the directive under supervision (督办), "
                  f"false to end it, or {example}.")
        return None, Escalation()
    words = {word: part for part, spelt in fields.ESCALATION_KEYS.items() for word in spelt}
    parts: dict[str, str] = {}
    for key, text in value.items():
        where = offset + value.line_of(key) - 1 if hasattr(value, "line_of") else line
        part = words.get(str(key).strip())
        if part is None:
            check.add(where, f"unknown field {shorten(key)} in 'escalate'",
                      did_you_mean(key, list(words)) + f"Write level (级别), by (督办单位) and number (督办编号): {example}.")
            return None, Escalation()
        if part in parts:
            check.add(where, f"'escalate' gives its {part} twice", "Write each of level, by and number once.")
            return None, Escalation()
        if isinstance(text, (list, dict, bool)) or text is None or not str(text).strip():
            check.add(where, f"'escalate': its {part} must be one line of text, not {shorten(text)}",
                      f"Write it as the document does, e.g. {example}.")
            return None, Escalation()
        if unprintable(str(text)):
            check.add(where, f"'escalate': its {part} has {unprintable(str(text))}: it is one line of text",
                      f"Write it as the document does, e.g. {example}.")
            return None, Escalation()
        parts[part] = str(text).strip()
    if "by" in parts:
        parts["by"] = registry.resolve(parts["by"]) or parts["by"]
        if parts["by"] == ALL_UNITS:
            check.add(line, "'escalate': the supervising body cannot be 'all'", "Name the body that supervises.")
            return None, Escalation()
    if not parts:  # `escalate: {}`: a template's stub, or parts lost
        check.add(line, "'escalate' gives none of level, by and number",
                  f"Write '    escalate: true' to put the directive under supervision, or {example}.")
        return None, Escalation()
    return True, Escalation(**parts)


class _FollowUpAnchors:
    """The anchors of one file's follow-up cards: sb-fu-<id> for a directive's first follow-up,
    sb-fu-<id>-<n> for the n-th, and never one another follow-up of the file holds (the second
    of 'A' and the first of 'A-2' would both be sb-fu-A-2: the next free number is taken).
    Regardless of case, like directive ids."""

    def __init__(self):
        self.counts: dict[str, int] = {}  # by directive id
        self.taken: set[str] = set()

    def next(self, directive_id: str) -> str:
        key = directive_id.casefold()
        number = self.counts.get(key, 0)
        while True:
            number += 1
            anchor = FOLLOW_UP_ANCHOR_PREFIX + directive_id + ("" if number == 1 else f"-{number}")
            if anchor.casefold() not in self.taken:
                self.counts[key] = number
                self.taken.add(anchor.casefold())
                return anchor


def _headings_named_like_directives(check: _Checker, raw: RawBulletin, directives: list[Directive]) -> None:
    """A heading whose anchor is a directive's id: Markdown's table of contents would quietly
    give the heading another anchor (`#id_1`), and links to it would land on the card."""
    ids = {d.id.casefold(): d for d in directives}
    if not ids:
        return
    for text, line in headings(raw.body, raw.body_line):
        for anchor in heading_anchors(text):
            directive = ids.get(anchor.casefold())
            if directive is not None:
                check.add(line, f"the heading's anchor '#{anchor}' is the id of directive '{directive.id}' "
                                f"(line {directive.line}) on this page",
                          "Reword the heading, or give the directive another id: an anchor names one place.")
                break


_HEADING_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
_TAG = re.compile(r"<[^<>]*>")


def heading_anchors(text: str) -> tuple[str, ...]:
    """The anchors a heading may get: `bulletins check` does not read mkdocs.yml, so both
    slug styles a site may set for toc: Python-Markdown's default (ASCII) and
    pymdownx.slugs.slugify(case="lower") (the shipped site's, keeps Chinese). Compared
    with ids regardless of case, so that a site with other settings is covered too."""
    plain = _HEADING_LINK.sub(lambda m: m.group(1), text.replace("`", ""))
    plain = html.unescape(plain.replace("*", "").replace("\\", "")).strip()
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode("ascii")
    toc_default = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip().lower())
    unicode_text = _TAG.sub("", unicodedata.normalize("NFC", plain)).strip()
    pymdownx = re.sub(r"[A-Z]+", lambda m: m[0].lower(), re.sub(r"[^\w\- ]", "", unicode_text)).replace(" ", "-")
    return tuple(dict.fromkeys(anchor for anchor in (toc_default, pymdownx) if anchor))


def first_sentence(markdown: str) -> str:
    """The first sentence of a directive's text, as plain text, for a default title."""
    paragraph = _CJK_LINE_BREAK.sub("", markdown.strip().split("\n\n")[0])
    plain = " ".join(_MARKUP.sub(lambda m: m.group(1) or "", paragraph).split())
    sentence = _SENTENCE_END.split(plain, maxsplit=1)[0].strip()
    if len(sentence) > TITLE_LENGTH:
        sentence = sentence[: TITLE_LENGTH - 1].rstrip() + "…"
    return sentence
