"""Load a whole `bulletins/` folder: every file parsed and validated, every problem collected."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import functools
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .paths import MARKDOWN_SUFFIXES, UNITS_FILE, not_utf8_name, unsafe_file, url_breaking_character
from ..model import CLASSIFICATIONS, DEFAULT_CLASSIFICATION, Bulletin, DueWindows, FollowUp, Problem, errors_in
from ..state import Issued, follow_up_problems
from .parse import parse_bulletin, read_text
from .units import UnitRegistry, load_units
from .validate import validate_bulletin

DEFAULT_AUDIENCE = "internal"  # a build for the staff, unless the site says otherwise


def hidden_because(bulletin: Bulletin, as_of: dt.date, audience: str = DEFAULT_AUDIENCE) -> str:
    """Why a bulletin stays out of a build for `audience` at `as_of` ("" if it is published).
    The one rule: every page, listing, export and file of a build follows it through
    `Project.published`, and `bulletins verify` checks the built site against it. A build
    dated in the past shows the record as it stood that day: what was issued later is absent."""
    why = withheld_because(bulletin, as_of, audience)
    if not why and bulletin.date > as_of:
        return f"dated {bulletin.date.isoformat()}, after the as-of date {as_of.isoformat()}"
    return why


def withheld_because(bulletin: Bulletin | Outline, as_of: dt.date, audience: str = DEFAULT_AUDIENCE) -> str:
    """What an editor chose to keep out (a draft, an embargo, a classification), as opposed to
    what has not happened yet at `as_of`: the checks across files hold only the former against
    the sources (a later bulletin absent from a build of the past is no mistake)."""
    if bulletin.draft:
        return "a draft"
    if bulletin.publish is not None and as_of < bulletin.publish:
        return f"embargoed until {bulletin.publish.isoformat()}"
    if CLASSIFICATIONS.index(bulletin.classification) > CLASSIFICATIONS.index(audience):
        return f"classified '{bulletin.classification}', above the '{audience}' audience"
    return ""


@dataclass
class Project:
    root: Path  # the bulletins folder
    registry: UnitRegistry
    bulletins: list[Bulletin] = field(default_factory=list)  # drafts included
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    def published(self, as_of: dt.date, audience: str = DEFAULT_AUDIENCE) -> list[Bulletin]:
        """What a build for `audience` at `as_of` shows (a method: there is no answer without both)."""
        return [b for b in self.bulletins if not hidden_because(b, as_of, audience)]

    def hidden(self, as_of: dt.date, audience: str = DEFAULT_AUDIENCE) -> list[Bulletin]:
        """Everything else: drafts, embargoed and above the audience."""
        return [b for b in self.bulletins if hidden_because(b, as_of, audience)]


def markdown_files(root: Path) -> list[Path]:
    """Every Markdown-like file below the folder, skipping hidden ones, in a stable order.
    Linked folders are listed too (not followed), so that the caller can refuse them."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found += [Path(folder, name) for name in subfolders if os.path.islink(os.path.join(folder, name))]
        found += [Path(folder, name) for name in names
                  if not name.startswith(".") and os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES]
    return sorted(found)


MAX_BULLETIN_BYTES = 4 * 2**20  # real ones are ~10 KB: reading more is an accident or an attack
PARALLEL_FROM = 1000  # files; below that, starting processes costs more than it saves


@dataclass(frozen=True)
class Outline:
    """What the checks across files need of a bulletin: small, so that worker processes
    hand it back quickly (sending whole bulletins took a third of `bulletins check`)."""

    source: Path
    rel_path: str
    draft: bool
    page_links: tuple[tuple[str, int], ...]
    directives: tuple[Issued, ...]
    publish: dt.date | None = None
    classification: str = DEFAULT_CLASSIFICATION
    outputs: tuple[str, ...] = ()  # source paths in the site: its page, then its attachments
    follow_ups: tuple[FollowUp, ...] = ()
    # its attachments: (source path in the site, the file it really is, the line attaching it)
    attached: tuple[tuple[str, str, int], ...] = ()
    date: dt.date | None = None

    @classmethod
    def of(cls, bulletin: Bulletin, windows: DueWindows = DueWindows()) -> Outline:
        """`windows`: the site's (立即 counts its immediately_days), so the checks across files judge
        a deadline as the build does."""
        attached = tuple((paths.attachment_src(bulletin, a), os.path.realpath(a.source), a.line)
                         for a in bulletin.attachments)
        outputs = (paths.bulletin_src(bulletin), *(src for src, _, _ in attached))
        return cls(bulletin.source, bulletin.rel_path, bulletin.draft, bulletin.page_links,
                   tuple(Issued.of(d, windows) for d in bulletin.directives), bulletin.publish, bulletin.classification,
                   outputs, tuple(bulletin.follow_ups), attached, bulletin.date)


@dataclass
class CheckReport:
    problems: list[Problem]
    bulletins: int
    directives: int

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)


# Gives bulletins the links and attachments of their rendered pages, returning the problems found.
# It lives above this layer (site_build/rendering.py: it renders the Markdown): given by the caller.
LinkJudge = Callable[[list[Bulletin]], list[Problem]]


def load_project(root: Path, as_of: dt.date | None = None, judge: LinkJudge | None = None,
                 workers: int = 1, audience: str = DEFAULT_AUDIENCE, url_rules: tuple[paths.UrlRule, ...] = (),
                 windows: DueWindows = DueWindows(), read_file: Callable | None = None,
                 checks: FileChecks | None = None) -> Project:
    """Every bulletin below `root`, validated, with every problem found (embargoes that
    have lifted by `as_of` are not held against links to them; without it, all are), and
    what a build for `audience` at `as_of` would get wrong (across_files).
    The links in the text are read from the rendered page by `judge`: without one, a bulletin
    has only its listed attachments and no links (enough for the directives alone). Two sources
    written to one file are found by `url_rules` (MkDocs' rule, from the caller as the judge is:
    both styles of URLs; without them, not looked for). `read_file` reads one bulletin as
    `load_bulletin` does (the preview's: from what it kept of the last rebuild, site_build/incremental.py);
    `checks` the verdicts of the checks on each file's name and kind and the outlines of the checks across
    files, kept by the preview between rebuilds (FileChecks)."""
    project = _start(Path(root))
    if project.root.is_dir():
        for bulletin, file_problems in _read_all(project, read_file or load_bulletin, workers, checks):
            project.problems += file_problems
            if bulletin is not None:
                project.bulletins.append(bulletin)
        if judge is not None:
            found = judge(project.bulletins)
            project.problems += found
            refused = {p.path for p in errors_in(found)}
            project.bulletins = [b for b in project.bulletins if b.source not in refused]
        outline = Outline.of if checks is None else checks.outline
        project.problems += across_files([outline(b, windows) for b in project.bulletins], as_of, audience, url_rules,
                                         None if checks is None else checks.replays())
        if checks is not None:
            checks.keep_outlines_of(project.bulletins)
    return project


def check_folder(root: Path, workers: int = 1, as_of: dt.date | None = None,
                 judge: LinkJudge | None = None, audience: str = DEFAULT_AUDIENCE,
                 url_rules: tuple[paths.UrlRule, ...] = (), windows: DueWindows = DueWindows()) -> CheckReport:
    """The problems `load_project` would find, counting bulletins and directives; with
    workers > 1, large folders are read by that many processes, in the same order."""
    if judge is not None:  # the links need the bulletins themselves, not their outlines
        project = load_project(root, as_of, judge, workers, audience, url_rules, windows)
        return CheckReport(project.problems, len(project.bulletins), sum(len(b.directives) for b in project.bulletins))
    project = _start(Path(root))
    if not project.root.is_dir():
        return CheckReport(project.problems, 0, 0)
    results = _read_all(project, functools.partial(_outline_of_file, windows=windows), workers)
    outlines = [o for o, _ in results if o is not None]
    problems = project.problems + [p for _, file_problems in results for p in file_problems] + across_files(outlines, as_of, audience, url_rules)
    return CheckReport(problems, len(outlines), sum(len(o.directives) for o in outlines))


def _read_all(project: Project, read_file, workers: int = 1, checks: FileChecks | None = None) -> list[tuple]:
    """`read_file(path, root, registry)` for each bulletin file, in order."""
    paths = _bulletin_files(project, checks)
    read = functools.partial(read_file, root=project.root, registry=project.registry)
    if workers > 1 and len(paths) >= PARALLEL_FROM:
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            return list(pool.map(read, paths, chunksize=max(1, len(paths) // (workers * 8))))
    return list(map(read, paths))


def _start(root: Path) -> Project:
    if not root.is_dir():
        problem = Problem(root, 1, "the bulletins folder does not exist",
                          "Run the command from the project's folder, or name the folder: bulletins check PATH.")
        return Project(root, UnitRegistry(), problems=[problem])
    registry, problems = load_units(root / UNITS_FILE)
    return Project(root, registry, problems=problems)


class FileChecks:
    """The preview's (kept between rebuilds; full builds and `bulletins check` have none): the verdict of
    `_bulletin_files` on each file that is no link, by its path and lstat (mode, inode, size, mtime): what
    the checks read of such a file (a link is checked every time: where it leads may change unseen), and
    each bulletin object's outline (an object is the same while its file is: site_build/incremental.py
    SourceCache). `listing`: the kind of every Markdown-like file found (its type, and for a link where it
    leads), which a link between bulletins depends on (site_build/rendering.py KeptVerdicts)."""

    def __init__(self):
        self._root: str | None = None
        self._last: dict[Path, tuple] = {}  # path: (lstat key, its problem or None, whether it is read)
        self._outlines: dict[int, tuple] = {}  # id(bulletin): (bulletin, windows, attachments, links, outline)
        self.listing: tuple = ()
        self._replays: dict[tuple, tuple] = {}

    def start(self, root: Path) -> dict[Path, tuple]:
        """This build's verdicts, to fill; the last build's are kept only for the same folder."""
        real = os.path.realpath(root)
        last = self._last if real == self._root else {}
        self._root, self._last, self.listing = real, {}, ()
        return last

    def outline(self, bulletin: Bulletin, windows: DueWindows = DueWindows()) -> Outline:
        """Outline.of, the last build's for the same object with the same links and attachments (the judge's;
        where an attachment really is changes only with a file other than a bulletin: SourceCache then reads
        every file again, and every object is new)."""
        kept = self._outlines.get(id(bulletin))
        if kept is not None and kept[0] is bulletin and kept[1:4] == (windows, bulletin.attachments, bulletin.page_links):
            return kept[4]
        made = Outline.of(bulletin, windows)
        self._outlines[id(bulletin)] = (bulletin, windows, bulletin.attachments, bulletin.page_links, made)
        return made

    def replays(self) -> tuple[dict, dict]:
        """(the last build's, this build's) checks of each directive's follow-ups replayed (state.py
        follow_up_problems), by the objects of the outlines kept."""
        last, self._replays = self._replays, {}
        return last, self._replays

    def keep_outlines_of(self, bulletins: list[Bulletin]) -> None:
        """Forget the outlines of bulletins no longer read (their objects may be freed, their ids reused)."""
        ids = {id(b) for b in bulletins}
        self._outlines = {key: kept for key, kept in self._outlines.items() if key in ids}


def _lstat_key(path: Path) -> tuple | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_mode, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _bulletin_files(project: Project, checks: FileChecks | None = None) -> list[Path]:
    """The .md files that are safe to read; any other Markdown-like file, a linked folder, a
    link out of the folder or a special file is a problem (nothing is read from it). With `checks`
    (the preview), a file that is no link and whose lstat is the last build's has its last verdict."""
    if checks is None:
        return _checked_files(project, markdown_files(project.root))
    last, now, listing = checks.start(project.root), checks._last, []
    found = []
    for path in markdown_files(project.root):
        key = _lstat_key(path)
        if key is None or stat.S_ISLNK(key[0]):
            listing.append((path, key, os.path.realpath(path), _lstat_key(Path(os.path.realpath(path)))))
            found += _checked_files(project, [path])
            continue
        listing.append((path, stat.S_IFMT(key[0])))
        kept = last.get(path)
        if kept is None or kept[0] != key:
            before = len(project.problems)
            accepted = _checked_files(project, [path])
            kept = (key, project.problems[before] if len(project.problems) > before else None, bool(accepted))
        elif kept[1] is not None:
            project.problems.append(kept[1])
        now[path] = kept
        if kept[2]:
            found.append(path)
    checks.listing = tuple(listing)
    return found


def _checked_files(project: Project, candidates: list[Path]) -> list[Path]:
    """Those of `candidates` that are safe to read; a problem in `project` for each of the others."""
    paths = []
    for path in candidates:
        if not_utf8_name(path):
            project.problems.append(Problem(path, 1, "the file name is not UTF-8 (saved by an older Chinese tool?)",
                                            "Rename the file: type its name again in UTF-8."))
        elif (char := url_breaking_character(path.relative_to(project.root).as_posix())) is not None:
            project.problems.append(Problem(path, 1, f"the file name has {char} in its path, which breaks every "
                                            "link to the bulletin's page (and its feeds' entries)",
                                            "Rename the file (and its folders) with letters, digits, '-', '_' and '.'."))
        elif path.is_symlink() and path.is_dir():
            project.problems.append(Problem(path, 1, "is a link to a folder, which is not read",
                                            "Move the bulletins into a real folder below bulletins/."))
        elif (why := unsafe_file(path, project.root)) is not None:
            project.problems.append(Problem(path, 1, f"the bulletin {why}", "Replace it with the bulletin's own file."))
        elif (size := path.stat().st_size) > MAX_BULLETIN_BYTES:
            project.problems.append(Problem(path, 1, f"the file is {size / 2**20:.1f} MB; a bulletin is at most "
                                            f"{MAX_BULLETIN_BYTES // 2**20} MB of text",
                                            "Move tables and data into attachments next to it."))
        elif path.suffix == ".md":
            paths.append(path)
        else:
            project.problems.append(Problem(path, 1, f"bulletins must end in '.md', not '{path.suffix}'",
                                            f"Rename it to {path.with_suffix('.md').name}."))
    return paths


def load_bulletin(path: Path, root: Path, registry: UnitRegistry) -> tuple[Bulletin | None, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    raw, problems = parse_bulletin(path, text)
    if raw is None:
        return None, problems
    bulletin, found = validate_bulletin(raw, path.relative_to(root).as_posix(), registry)
    problems += found
    return (None if errors_in(problems) else bulletin), problems


def _outline_of_file(path: Path, root: Path, registry: UnitRegistry,
                     windows: DueWindows = DueWindows()) -> tuple[Outline | None, list[Problem]]:
    bulletin, problems = load_bulletin(path, root, registry)
    return (None if bulletin is None else Outline.of(bulletin, windows)), problems


def across_files(outlines: list[Outline], as_of: dt.date | None = None, audience: str = DEFAULT_AUDIENCE,
                 url_rules: tuple[paths.UrlRule, ...] = (), kept: tuple[dict, dict] | None = None) -> list[Problem]:
    """Every problem between files. `kept`: the preview's replays of follow-ups (FileChecks.replays)."""
    directives = [d for o in outlines for d in o.directives]
    follow_ups = [(f, o.draft) for o in outlines for f in o.follow_ups]
    # what a build for `audience` leaves out besides drafts (without an as-of date, every embargo holds)
    left_out = {o.rel_path: why for o in outlines if not o.draft
                and (why := withheld_because(o, as_of or dt.date.min, audience))}
    return (duplicate_ids(outlines) + links_to_drafts(outlines) + links_to_hidden(_with_follow_ups(outlines), as_of)
            + attachments_of_drafts(outlines) + attachments_of_hidden(outlines, as_of) + same_address(outlines, url_rules)
            + follow_up_problems(directives, follow_ups, left_out, kept))


def _with_follow_ups(outlines: list[Outline]) -> list[Outline]:
    """A follow-up links to its directive's bulletin: a build that shows the follow-up must
    show the directive too (embargoes and classification, checked as links)."""
    where = {d.id.casefold(): d.rel_path for o in outlines for d in o.directives}
    return [
        dataclasses.replace(o, page_links=o.page_links + tuple(
            (where[f.directive_id.casefold()], f.line) for f in o.follow_ups if f.directive_id.casefold() in where))
        if o.follow_ups else o
        for o in outlines
    ]


def attachments_of_drafts(outlines: list[Outline]) -> list[Problem]:
    """A draft's attachments stay out of the site like the draft: a published bulletin that
    attaches one too (or a link to the same file) would publish it (an editor copying the
    draft's line, say)."""
    drafts: dict[str, str] = {}
    for o in outlines:
        if o.draft:
            for _, real, _ in o.attached:
                drafts.setdefault(real, o.rel_path)
    return [
        Problem(o.source, line, f"attaches '{src.removeprefix('bulletins/')}', an attachment of the draft "
                f"'{drafts[real]}', which is not published", "Publish the draft first, or attach a copy of the file.")
        for o in outlines if not o.draft
        for src, real, line in o.attached if real in drafts
    ]


def attachments_of_hidden(outlines: list[Outline], as_of: dt.date | None = None) -> list[Problem]:
    """A file attached (or linked) by a bulletin that some build leaves out, as `links_to_hidden`
    says (embargoed until later, classified higher), is hidden with it: another bulletin shown
    in that build may not attach it too, or the build would publish it (drafts:
    attachments_of_drafts)."""
    # Per file, the first bulletin attaching it for each (embargo, classification): a form attached
    # by a thousand bulletins is compared with a few, not with a thousand
    owners: dict[str, dict[tuple, Outline]] = {}
    for o in outlines:
        if not o.draft:
            for _, real, _ in o.attached:
                owners.setdefault(real, {}).setdefault((o.publish, o.classification), o)
    problems = []
    for o in outlines:
        if o.draft:
            continue
        for src, real, line in o.attached:
            # one bulletin named per file (the first that hides it), for each reason it gives
            other, reasons = next(((other, reasons) for other in owners[real].values()
                                   if (reasons := _shown_without(o, other, as_of))), (None, []))
            problems += [Problem(o.source, line, f"attaches '{src.removeprefix('bulletins/')}', an attachment of "
                                 f"'{other.rel_path}', which is {why}",
                                 f"Attach a copy of the file under another name, or {hint}.")
                         for why, hint in reasons]
    return problems


def _shown_without(o: Outline, other: Outline, as_of: dt.date | None) -> list[tuple[str, str]]:
    """(why, hint) for each way a build for some audience at some date (not before `as_of`:
    builds are not dated in the past) shows `o` but not `other`: an embargo that lifts later,
    a classification above it. Drafts are not looked at (they are never shown)."""
    found = []
    if (other.publish is not None and (as_of is None or as_of < other.publish)
            and (o.publish is None or o.publish < other.publish)):
        found.append((f"embargoed until {other.publish.isoformat()}"
                      + (f", later than this bulletin ({o.publish.isoformat()})" if o.publish else ""),
                      f"give this bulletin 'publish: {other.publish.isoformat()}' (or later)"))
    if CLASSIFICATIONS.index(other.classification) > CLASSIFICATIONS.index(o.classification):
        found.append((f"classified '{other.classification}', above this bulletin ('{o.classification}')",
                      f"classify this bulletin '{other.classification}' too: a build for a "
                      f"'{o.classification}' audience leaves the other one out"))
    return found


def same_address(outlines: list[Outline], url_rules: tuple[paths.UrlRule, ...]) -> list[Problem]:
    """Two sources written to one file of the site (`x.md` beside `x/index.md`, an attachment
    named like a page): one would silently replace the other. Checked for both URL styles,
    since the offline copy uses the other one."""
    bringer: dict[str, Path] = {}
    for outline in outlines:
        if not outline.draft:
            for src in outline.outputs:
                bringer.setdefault(src, outline.source)
    reported, problems = set(), []
    for rule in url_rules:
        for dest, first, second in paths.same_output(list(bringer), rule):
            if (first, second) not in reported:
                reported.add((first, second))
                problems.append(Problem(
                    bringer[second], 1, f"'{second}' and '{first}' would both be published as '{dest}'",
                    f"Rename one of them (the other comes from {bringer[first]}).",
                ))
    return problems


def links_to_drafts(outlines: list[Outline]) -> list[Problem]:
    """A published bulletin may not link to a draft: the link would break and name the draft."""
    drafts = {o.rel_path for o in outlines if o.draft}
    return [
        Problem(o.source, line, f"links to '{target}', which is a draft and will not be published",
                "Remove the link, or publish the other bulletin (remove its 'draft: true').")
        for o in outlines if not o.draft
        for target, line in o.page_links if target in drafts
    ]


def links_to_hidden(outlines: list[Outline], as_of: dt.date | None = None) -> list[Problem]:
    """A bulletin may not link to one that some build shows it without: embargoed until later
    than it is (and than `as_of`: builds are not dated in the past), or classified above it.
    The link would break in that build and name what is hidden (drafts: links_to_drafts)."""
    by_path = {o.rel_path: o for o in outlines}
    return [
        Problem(o.source, line, f"links to '{target}', which is {why}", f"Remove the link, or {hint}.")
        for o in outlines if not o.draft
        for target, line in o.page_links if (other := by_path.get(target)) is not None and not other.draft
        for why, hint in _shown_without(o, other, as_of)
    ] + [
        # a warning: bulletins link to their later follow-ups, and the record of an earlier day is still sound
        Problem(o.source, line, f"links to '{target}', which is {why}", f"The link is broken in this build: {hint}.",
                severity="warning")
        for o in outlines if not o.draft
        for target, line in o.page_links if (other := by_path.get(target)) is not None and not other.draft
        for why, hint in _issued_after(o, other, as_of)
    ]


def _issued_after(o: Outline, other: Outline, as_of: dt.date | None) -> list[tuple[str, str]]:
    """(why, hint) when a build as of `as_of` shows `o` but not `other`, dated after that day:
    the site as it was then has no page to link to."""
    if as_of is None or o.date is None or other.date is None or not o.date <= as_of < other.date:
        return []
    return [(f"dated {other.date.isoformat()}, after the as-of date {as_of.isoformat()}: the site as it "
             "was that day does not have it",
             f"build as of {other.date.isoformat()} or later (BULLETINS_TODAY) to follow it")]


def duplicate_ids(outlines: list[Outline]) -> list[Problem]:
    """Directive ids are anchors and keys in the exports: each must name one directive."""
    # the directive itself, not a tuple made for each: at 10,000 directives those tuples set off the cyclic
    # garbage collector's full passes over the preview's kept objects (0.1-0.3 s, counted here)
    first_seen: dict[str, Issued] = {}
    problems = []
    for outline in outlines:
        for directive in outline.directives:
            there = first_seen.setdefault(directive.id.casefold(), directive)
            if there is directive:
                continue
            here, there = (outline.source, directive.id, directive.line), (there.source, there.id, there.line)
            for (source, same_id, at), (other_source, _, other_line) in ((here, there), (there, here)):
                problems.append(Problem(
                    source, at, f"directive id '{same_id}' is also used at {other_source}:{other_line}",
                    "Give one of them another 'id:' (ids must be unique across all bulletins).",
                ))
    return problems
