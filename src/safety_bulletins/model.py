"""Plain data: units, bulletins, directives and the problems found in them."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

BULLETIN_TYPES = ("minutes", "notice", "bulletin", "inspection")
STATUSES = ("open", "in-progress", "awaiting-acceptance", "done", "cancelled")
CLOSED_STATUSES = ("done", "cancelled")
GRADES = ("general", "major")
# Buckets in the order pages list them: most urgent first.
BUCKETS = ("overdue", "due-soon", "upcoming", "later", "ongoing", "closed")
ALL_UNITS = "all"
# Who may read a bulletin, lowest first: a build for an audience shows what is at or below it.
CLASSIFICATIONS = ("public", "internal", "restricted")
DEFAULT_CLASSIFICATION = "internal"  # an unmarked bulletin is for the staff, not the public


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
        """The path as text that can always be printed: bytes that are not UTF-8 as \\xNN."""
        return os.fsencode(self.path).decode("utf-8", "backslashreplace")

    def __str__(self) -> str:
        text = f"{self.where}:{self.line}: {self.severity}: {self.message}"
        return f"{text}\n    {self.hint}" if self.hint else text


def errors_in(problems: list[Problem]) -> list[Problem]:
    """The problems that fail a check or a build (warnings do not)."""
    return [p for p in problems if p.severity == "error"]


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None


@dataclass(frozen=True)
class Meeting:
    start: dt.datetime
    place: str = ""
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A file kept next to a bulletin and published with it."""

    path: str  # relative to the bulletin's folder, as the editor wrote it
    source: Path  # the file on disk


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
    grade: str | None
    line: int
    # The header and options as lines of the body: [start, end), replaced when the page is rendered
    header: tuple[int, int] = (0, 0)
    bulletin: Bulletin = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def addresses(self, unit_id: str) -> bool:
        return ALL_UNITS in self.units or unit_id in self.units


@dataclass
class Bulletin:
    source: Path
    rel_path: str  # POSIX path below the bulletins folder, e.g. "2021/2021-05-25-meeting.md"
    title: str
    date: dt.date
    type: str
    body: str  # Markdown after the front matter
    body_line: int  # line number of the body's first line in the file
    issuer: str | None = None
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
    attachments: tuple[Attachment, ...] = ()
    page_links: tuple[tuple[str, int], ...] = ()  # linked bulletins: (path below bulletins/, line)
    directives: list[Directive] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return posixpath.splitext(posixpath.basename(self.rel_path))[0]
