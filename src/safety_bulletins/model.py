"""Plain data: units, bulletins, directives and the problems found in them."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from .recurrence import Recurrence

BULLETIN_TYPES = ("minutes", "notice", "bulletin", "inspection")
STATUSES = ("open", "in-progress", "awaiting-acceptance", "done", "cancelled")
CLOSED_STATUSES = ("done", "cancelled")
# 较大隐患 (significant) sits between 一般 and 重大; like a major one it is done only after acceptance
GRADES = ("general", "significant", "major")
GRADES_ACCEPTED = ("significant", "major")  # done only after acceptance (验收)
# Buckets in the order pages list them: most urgent first. "to-accept" is a unit's own view of
# what waits for its acceptance; a directive is in it only on the accepting unit's page. "support"
# likewise: what a unit only cooperates on (配合), open, apart, whatever its deadline: never overdue there.
BUCKETS = ("overdue", "due-soon", "upcoming", "later", "ongoing", "awaiting-acceptance", "to-accept", "support", "closed")
# The buckets that change as days pass; the others change only with a follow-up.
DATED_BUCKETS = ("overdue", "due-soon", "upcoming", "later")
ALL_UNITS = "all"
# Chinese (and Japanese, Korean) characters and their punctuation, full-width forms included: text
# written in them has no spaces between words, so a line break between two of them is no space
WIDE_CHARACTERS = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f"
# Control characters (C0, DEL, C1) and bidi overrides: a terminal or a CI log acts on them
# (an ESC starts an escape sequence, U+202E reverses the text shown), so a message prints them escaped.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Who may read a bulletin, lowest first: a build for an audience shows what is at or below it.
CLASSIFICATIONS = ("public", "internal", "restricted")
DEFAULT_CLASSIFICATION = "internal"  # an unmarked bulletin is for the staff, not the public
DEFAULT_TIME_ZONE = "Asia/Shanghai"  # of the meetings in the calendars: `time_zone` in mkdocs.yml


@dataclass(frozen=True)
class DueWindows:
    """How many days ahead a deadline is "due soon" and "upcoming" (the rest is "later"): the
    one bucket rule's thresholds, `due_soon_days` and `upcoming_days` under `extra: bulletins:`
    in mkdocs.yml. `State.bucket` reads them at build time, and live.js from the page
    (`data-sb-windows`) on the reader's day; the labels say them ("Due within 7 days")."""

    due_soon: int = 7
    upcoming: int = 30
    immediately: int = 3  # 立即: due this many days after the bulletin's date (`immediately_days`)


# A deadline written 立即 / immediately: urgent, due within DueWindows.immediately days
IMMEDIATE = ("立即", "immediately", "立即整改", "立即执行", "立即落实")


def is_immediate(written: str) -> bool:
    return written.strip().lower() in IMMEDIATE


@dataclass(frozen=True)
class Problem:
    """Something wrong in the sources, pinned to a file and line."""

    path: Path
    line: int
    message: str
    hint: str = ""
    severity: str = "error"  # "error" fails the build; "warning" does not

    @property
    def where(self) -> str:
        """The path as text that can always be printed: bytes that are not UTF-8, and control
        characters (a terminal would act on them), as \\xNN."""
        return printable(os.fsencode(self.path).decode("utf-8", "backslashreplace"))

    def __str__(self) -> str:
        # Messages quote the sources (a link's target, a value): shown escaped, never acted on
        text = f"{self.where}:{self.line}: {self.severity}: {printable(self.message)}"
        return f"{text}\n    {printable(self.hint)}" if self.hint else text


def printable(text: str) -> str:
    """Text that a terminal shows as written: control characters and bidi overrides as \\xNN / \\uNNNN."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def errors_in(problems: list[Problem]) -> list[Problem]:
    """The problems that fail a check or a build (warnings do not)."""
    return [p for p in problems if p.severity == "error"]


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    name_zh: str = ""  # its Chinese name, units.yml's name_zh ("" without one: never an alias)
    receives_all: bool = True  # whether a directive to `all` is addressed to it (units.yml's receives_all)
    # the day it joined (units.yml's `since`): a directive to `all` or to a group issued before it
    # is not its work; None: it has always been there
    since: dt.date | None = None

    def name_in(self, language: str) -> str:
        """The one name every output shows the unit by, in the language of the page, feed,
        calendar or mail that shows it: `name_zh` in Chinese if given, else `name`. An alias
        is what editors may write, never what is shown (通风区 is every mine's alias)."""
        return self.name_zh or self.name if language == "zh" else self.name


@dataclass(frozen=True)
class Meeting:
    start: dt.datetime
    place: str = ""
    attendees: tuple[str, ...] = ()
    end: dt.datetime | None = None  # `meeting: end:`; None: the calendar gives it an hour (a day if untimed)


# 紧急程度 (GB/T 9704 7.2.3) as written in the front matter: the code kept, and the words a page shows
URGENCIES = {"extra-urgent": "特急", "urgent": "加急"}


@dataclass(frozen=True)
class Contact:
    """联系人, the note (附注) under a notice's signature: one line as written, or a name and a phone."""

    text: str = ""  # `contact: 林晓 0351-6012345`
    name: str = ""  # `contact: {name: 林晓, phone: 0351-6012345}`
    phone: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file kept next to a bulletin and published with it."""

    path: str  # relative to the bulletin's folder, as the editor wrote it
    source: Path  # the file on disk
    line: int = 1  # where the bulletin first attaches or links it


@dataclass
class Directive:
    id: str
    title: str
    text: str  # Markdown, as written
    units: tuple[str, ...]  # unit ids, or ("all",)
    support: tuple[str, ...]
    owner: str
    deadline: dt.date | None  # None: ongoing
    status: str
    line: int
    # the deadline as the document writes it when that is not a date (10月底前, 立即, 长期坚持), else ""
    deadline_written: str = ""
    # The header and options as lines of the body: [start, end), replaced when the page is rendered
    header: tuple[int, int] = (0, 0)
    # The free-text and choice options by name (fields.details: grade, measures, funds,
    # contingency...), as read by the spec; "" or None when not written
    details: dict[str, str | None] = field(default_factory=dict)
    # The responsible units' ids with `all` expanded (units.yml's units that receive directives to
    # all), each with a share of its own; () when not known (then `units`, `all` as every unit)
    responsible: tuple[str, ...] = ()
    bulletin: Bulletin = field(repr=False, compare=False, default=None)  # type: ignore[assignment]
    recurrence: Recurrence | None = None  # a recurring duty (每月5日前): `deadline` is its first occurrence
    until: dt.date | None = None  # the last day a recurring duty runs
    stages: tuple[tuple[str, dt.date], ...] = ()  # milestones (方案报送 by 12-20...), by deadline
    starts: dt.date | None = None  # `from:`: the phase starts then, not overdue before
    # Roles beside the responsible (`units`) and cooperating (`support`) units, each a unit id or None:
    # the lead unit (牵头, one of the responsible units), the unit named at issue to accept the work
    # (验收; without it the issuer accepts), the supervising unit (督办)
    lead: str | None = None
    accepting_unit: str | None = None
    supervisor: str | None = None
    # 责任人 per unit (`owner:` written as a mapping): (unit id, person), in the order written
    owners: tuple[tuple[str, str], ...] = ()

    def owner_of(self, unit_id: str) -> str:
        """The person responsible for a unit's share: its own (`owner: {unit: name}`), else the
        directive's one owner."""
        return next((person for unit, person in self.owners if unit == unit_id), "") or self.owner

    @property
    def grade(self) -> str | None:
        """general or major (a major hidden danger must be accepted), None when not graded."""
        return self.details.get("grade")

    def addresses(self, unit_id: str) -> bool:
        return ALL_UNITS in self.units or unit_id in self.units


@dataclass(frozen=True)
class Escalation:
    """挂牌督办 as a follow-up writes it (`escalate: {level: 省级, by: 省安委办, number: ...}`):
    each part as written, "" when not given (`escalate: true` gives none)."""

    level: str = ""  # 督办级别: 国家级, 省级, 市级, 集团级, 公司级... (who supervises sets its own levels)
    by: str = ""  # the supervising body (督办单位): a unit's id where it names one of units.yml, else as written
    number: str = ""  # 督办编号

    def __bool__(self) -> bool:
        return bool(self.level or self.by or self.number)


@dataclass(frozen=True)
class FollowUp:
    """Progress on an earlier directive, recorded in a later bulletin (`/// follow-up`).
    Each option is None (or "") when the follow-up leaves that part of the directive as it was.
    It names its bulletin by path, not by object: checks across files run on it in other processes."""

    directive_id: str  # as written (ids are matched regardless of case)
    title: str
    text: str  # Markdown, as written
    date: dt.date  # when it happened: `date:`, or the bulletin's date
    anchor: str  # its card's id on the page: sb-fu-<directive id>[-n]
    source: Path
    rel_path: str
    line: int
    order: int  # its place among the follow-ups of its file, from 1
    status: str | None = None
    deadline: dt.date | None = None  # an extension (or a shorter time)
    reason: str = ""
    deadline_written: str = ""  # the new deadline as written when that is not a date (年底前, 立即), else ""
    accepted_by: str = ""  # a unit's id, or a person's name
    accepted_by_unit: bool = False  # whether accepted_by is a unit of units.yml
    escalate: bool | None = None
    reopen: str = ""  # why a closed directive is open again
    header: tuple[int, int] = (0, 0)
    bulletin_date: dt.date | None = None  # its bulletin's date, which `date` may not be after (None: `date`)
    units: tuple[str, ...] = ()  # whose shares it reports (unit ids); (): every unit of the directive
    period: str = ""  # the occurrence of a recurring duty it reports (2026-11), "" for the duty as a whole
    period_line: int = 0  # the line of its `period:`
    stage: str = ""  # the milestone of its directive it reports (方案报送), "" for the directive as a whole
    stage_line: int = 0
    escalation: Escalation = Escalation()  # the level, body and number of an `escalate:` mapping
    closed_off: bool = False  # 销号: the done work is taken off the ledger on this follow-up's date

    @property
    def changes_anything(self) -> bool:
        return (self.status is not None or self.deadline is not None or bool(self.accepted_by)
                or self.escalate is not None)


@dataclass
class Bulletin:
    source: Path
    rel_path: str  # POSIX path below the bulletins folder, e.g. "2021/2021-05-25-meeting.md"
    title: str
    date: dt.date
    type: str
    body: str  # Markdown after the front matter
    body_line: int  # line number of the body's first line in the file
    issuer: str | None = None  # the lead issuer (the first of `issuers`): it accepts the work by default
    number: str = ""
    presided_by: str = ""
    recorder: str = ""
    place: str = ""
    attendees: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = ""
    draft: bool = False
    publish: dt.date | None = None  # an embargo: hidden before this date
    classification: str = DEFAULT_CLASSIFICATION
    meeting: Meeting | None = None
    language: str = "en"  # "zh" or "en": of its text, so of its header, sign-off and cards
    attachments: tuple[Attachment, ...] = ()
    page_links: tuple[tuple[str, int], ...] = ()  # linked bulletins: (path below bulletins/, line)
    directives: list[Directive] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    # GB/T 9704's official-document fields. Addressees are unit ids where the editor named a unit
    # of units.yml, else the text as written (各二级单位)
    issuers: tuple[str, ...] = ()  # every issuing unit of a joint document (联合行文), the lead first
    recipients: tuple[str, ...] = ()  # 主送
    cc: tuple[str, ...] = ()  # 抄送
    signed_by: tuple[str, ...] = ()  # 签发人, one per issuer of a joint document
    urgency: str | None = None  # 紧急程度: a key of URGENCIES
    contact: Contact | None = None  # 联系人 (附注)
    observers: tuple[str, ...] = ()  # 列席
    printed: dt.date | None = None  # 印发日期, not before `date`
    printed_by: str = ""  # 印发机关 (a unit's id, or as written); "" for the lead issuer

    @property
    def stem(self) -> str:
        return posixpath.splitext(posixpath.basename(self.rel_path))[0]


@dataclass(frozen=True)
class FileHistory:
    """When a file last changed in git, and how often (site_build/history.py reads it)."""

    last_changed: str  # ISO 8601 committer date of the newest commit touching the file, e.g. 2026-11-28T16:22:06+08:00
    commits: int  # commits that touched the file (merges not counted), renames followed
    complete: bool = True  # False in a shallow clone when the file's history reaches the cut: `commits` is then
    #                        a lower bound, and if it is 1 the real last change may be older than `last_changed`

    @property
    def last_changed_day(self) -> dt.date:
        """The day of the last change, on its committer's calendar (shown as the bulletin writes dates)."""
        return dt.date.fromisoformat(self.last_changed[:10])
