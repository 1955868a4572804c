"""The `bulletins` command: what editors run between writing minutes and publishing them.

Exit codes: 0 success (warnings allowed), 1 problems found or the action failed (nothing
was changed), 2 the command was used wrongly; `publish` stopped by a signal: 128 + its number.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import unicodedata
import urllib.parse
from pathlib import Path

from . import digest as digests
from . import publish as publishing
from ..catalog import Catalog
from ..sources.dates import DateError, as_of_date, parse_date
from .due import due_rows, parse_span
from ..model import BULLETIN_TYPES, Problem
from ..outputs import site
from ..outputs.changes import escalation_text
from ..outputs.labels import for_language
from ..outputs.feeds import site_url_note
from ..outputs.spreadsheet import due_csv
from ..sources.project import check_folder, load_project
from .scaffold import REVIEW_TYPES, language_of, new_bulletin, review_section
from ..site_build.settings import Settings, SettingsError
from .verify import read_record, verify_site
from ..mkdocs_adapter import ConfigError, judge_for, read_settings, url_rule, url_rules
from ..site_build.rendering import Judge

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """The command was given something it cannot use; the message says what."""


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above `start` with a mkdocs.yml."""
    return next((folder for folder in (start, *start.parents) if (folder / "mkdocs.yml").is_file()), None)


def project_root(start: Path) -> Path:
    """The project around `start`; commands that write into it refuse to guess."""
    root = find_project(start)
    if root is None:
        raise UsageError(f"{start} is not inside a bulletins project (no mkdocs.yml here or above): "
                         "run this in the project's folder")
    return root


def project_bulletins(start: Path) -> Path:
    """bulletins/ of the project around `start`, as the site build uses (or ./bulletins)."""
    return (find_project(start) or start) / "bulletins"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"bulletins {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:  # a refusal at its line of mkdocs.yml: a problem of the project, as check says
        print(exc.problem, file=sys.stderr)
        print(f"bulletins {args.command}: 1 error(s) in {Path(exc.problem.path).name if exc.problem else 'mkdocs.yml'}; run 'bulletins check"
              f"{_config_argument(args)}'.", file=sys.stderr)
        return EXIT_PROBLEMS
    except BrokenPipeError:  # `bulletins due | head`: the reader has all it wanted
        sys.stdout = None
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bulletins", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    check = _command(commands, "check", run_check, "validate bulletins and units.yml",
                     "Validate every bulletin and units.yml.")
    check.add_argument("path", nargs="?", type=Path, help="the bulletins folder (default: the project's bulletins/)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    _config_option(check)

    new = _command(commands, "new", run_new, "start a new bulletin from the template of its type",
                   "Create bulletins/YEAR/DATE-TITLE.md; asks for what is not given.")
    new.add_argument("type", nargs="?", choices=BULLETIN_TYPES)
    new.add_argument("--title")
    new.add_argument("--date", help="YYYY-MM-DD (default: today)")
    new.add_argument("--issuer", default="", help="the issuing unit")
    new.add_argument("--number", default="", help="the document number")
    new.add_argument("--presided-by", default="", help="for minutes: who presided")
    new.add_argument("--meeting-start", default="", help="for notices: the meeting's start, YYYY-MM-DD HH:MM")
    new.add_argument("--review", action="store_true",
                     help="for minutes and inspections: add a follow-up stub for every directive still open "
                          "(as of today, or BULLETINS_TODAY), per unit")
    _config_option(new)

    due = _command(commands, "due", run_due, "what is overdue and due soon, per unit",
                   "List open directives that are overdue or due soon.")
    due.add_argument("--unit", action="append", help="a unit id, name or alias (repeatable; default: all units)")
    due.add_argument("--within", help="how far ahead: 7d, 2w, ... (default: the site's due_soon_days, 7 unless set)")
    _as_of_option(due, "YYYY-MM-DD")
    due.add_argument("--format", choices=("table", "csv", "json"), default="table")
    due.add_argument("--with-subunits", action="store_true",
                     help="include the directives of each unit's sub-units (any depth), each once")
    _config_option(due)

    digest = _command(commands, "digest", run_digest, "a unit's daily digest: overdue, due soon, news",
                      "What a unit has overdue, due soon (within due_soon_days, 7 unless mkdocs.yml says), and issued or changed (follow-ups) since a "
                      "date, with links to the site (site_url in mkdocs.yml), as text, HTML or a complete e-mail "
                      "(eml) for 'sendmail -t'.")
    digest.add_argument("--unit", required=True, help="a unit id, name or alias (or 'all')")
    digest.add_argument("--with-subunits", action="store_true", help="include its sub-units, at any depth")
    _as_of_option(digest, "YYYY-MM-DD")
    digest.add_argument("--since", help="list what is dated on or after this day, YYYY-MM-DD "
                                        "(default: the day before the as-of date)")
    digest.add_argument("--format", choices=("text", "html", "eml"), default="text")
    digest.add_argument("--from", dest="sender", help="eml: the From address "
                                                      "(default: Safety Bulletins <safety-bulletins@SITE-HOST>)")
    digest.add_argument("--to", action="append", help="eml: a recipient (repeatable; default: none in the "
                                                      "header, for 'sendmail ADDRESS < FILE')")
    digest.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    _config_option(digest)

    pub = _command(commands, "publish", run_publish, "check, build and switch the live site atomically",
                   "Check and build from scratch into DEST.releases/NEW, then point the link DEST at it in one "
                   "step; --rollback goes back to the previous release. Stopped by a signal, it stops its build, "
                   "removes it and exits with 128 + the signal's number.")
    pub.add_argument("dest", type=Path, help="the link the web server serves, e.g. /srv/safety-bulletins")
    pub.add_argument("--rollback", action="store_true", help="switch back to the previous release")
    pub.add_argument("--build-timeout", type=_seconds, metavar="SECONDS",
                     help="stop the build (and all it started) after this long (default: "
                          f"{publishing.BUILD_TIMEOUT_FLOOR} s + {publishing.BUILD_TIMEOUT_PER_BULLETIN} s per bulletin)")
    _config_option(pub)

    outputs = _command(commands, "outputs", run_outputs, "list every file the site makes beyond docs/",
                       "List the site's outputs as the build registers them (outputs/site.py OUTPUTS): the path "
                       "(`*` one part of a path, `**` any), what it is, who writes it, whether a dirty build remakes it "
                       "always or only when what it shows changed, how `verify` names a difference inside it, and "
                       "the search engine it belongs to.")
    outputs.add_argument("--format", choices=("table", "json"), default="table")

    verify = _command(commands, "verify", run_verify, "check a built site against a new build of its sources",
                      "Build the project again as of the day SITE records (a real mkdocs build into a temporary "
                      "folder) and compare every file byte for byte: report each file missing, extra, different "
                      "(with its first differing line) or not a regular file; and, what no rebuild can show, "
                      "anything from a hidden bulletin (draft, embargoed, above the audience) and any script URL. "
                      "One finding per line.")
    verify.add_argument("site", type=Path, help="the built site, e.g. site/")
    verify.add_argument("--project", type=Path, help="the project it was built from (default: the one around "
                                                     "the current folder)")
    verify.add_argument("--as-of", help="the as-of date the site must have been built for: YYYY-MM-DD "
                                        "(default: the one it records)")
    _config_option(verify, "it was built with")
    return parser


_EXITS = "Exit codes: 0 success, 1 problems found (nothing changed), 2 bad usage."


def _command(commands, name: str, run, summary: str, description: str) -> argparse.ArgumentParser:
    """A subcommand: its one-line help, its description with the exit codes, and what runs it."""
    command = commands.add_parser(name, help=summary, description=f"{description} {_EXITS}")
    command.set_defaults(run=run)
    return command


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds greater than 0, e.g. 600")
    return seconds


def _config_option(command: argparse.ArgumentParser, what: str = "to read") -> None:
    command.add_argument("-f", "--config-file", metavar="FILE",
                         help=f"the site's configuration file {what}, in the project (relative to its folder; "
                              "default: mkdocs.yml), e.g. mkdocs.zh.yml for the Chinese site")


def _config_argument(args) -> str:
    """` -f FILE` as the command was given it, for a command it suggests."""
    return f" -f {args.config_file}" if getattr(args, "config_file", None) else ""


def config_file_of(project: Path, name: str | None) -> Path:
    """The site's configuration file of `project` named by -f/--config-file (default: its mkdocs.yml):
    a file in the project's folder (its settings, Markdown configuration and build are the site's; one
    outside, or a link leading out, is no configuration of this project; one in a sub-folder would build
    the bulletins/ beside it, as MkDocs' hook reads them)."""
    if name is None:
        return project / "mkdocs.yml"
    path = Path(os.path.abspath(project / name))  # an absolute name stays as it is; 'a/..' read as written
    candidates = sorted(p.name for p in project.glob("mkdocs*.yml") if p.is_file())
    hint = f"name one of the project's configuration files: {', '.join(candidates)}" if candidates else \
        "name a configuration file in the project's folder, e.g. mkdocs.yml"
    try:
        inside = path.resolve().is_relative_to(project.resolve())
        is_dir, is_file = path.is_dir(), path.is_file()
    except (OSError, RuntimeError) as exc:  # a name too long for the system, a loop of links
        shown = name if len(name) <= 80 else f"{name[:80]}..."
        raise UsageError(f"-f/--config-file {shown}: cannot be used as a file name "
                         f"({getattr(exc, 'strerror', None) or exc}); {hint}") from None
    if not inside:
        raise UsageError(f"-f/--config-file {name}: {path} is outside the project {project}; {hint}")
    if is_dir:
        raise UsageError(f"-f/--config-file {name}: {path} is a folder, not a configuration file; {hint}")
    if path.parent != Path(os.path.abspath(project)):
        raise UsageError(f"-f/--config-file {name}: {path} is not in the project's folder {project} (the build "
                         f"reads the bulletins/ beside its configuration file); {hint}")
    if not is_file:
        raise UsageError(f"-f/--config-file {name}: {path} does not exist; {hint}")
    return path


def _as_of_option(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--as-of", help=f"{what} (default: today, or BULLETINS_TODAY)")


def _as_of(args, settings: Settings) -> dt.date:
    """The date given with --as-of, or today in the site's time zone (BULLETINS_TODAY)."""
    return _date(args.as_of, "--as-of") if args.as_of else _today(settings)


def _project(root: Path, as_of: dt.date, judge, settings: Settings):
    """The project's bulletins as the build reads them: for the site's audience, two sources on one
    path found by MkDocs' URL rule, 立即 counted with the site's days; links judged on the rendered
    pages when `judge` is given (check's own reading, so the commands refuse what check refuses)."""
    return load_project(root / "bulletins", as_of, judge, audience=settings.audience, url_rules=url_rules(),
                        windows=settings.windows)


def run_check(args) -> int:
    path = args.path or project_bulletins(Path.cwd())
    config_file = config_file_of(_project_of(path), args.config_file)
    settings_refused = None
    try:  # a setting the build refuses is a problem of mkdocs.yml, for the pre-commit hook to stop too
        settings = read_settings(config_file)
    except SettingsError as exc:  # the bulletins are still checked, as for the default site
        settings = Settings()
        settings_refused = exc.problem or Problem(config_file, 1, str(exc).removeprefix(f"{config_file}: "))
    try:  # past embargoes do not count against links; a wrong BULLETINS_TODAY is the build's to report
        as_of = as_of_date(time_zone=settings.time_zone)
    except DateError:
        as_of = None
    # as the site's build will see them: its audience leaves out what is classified above it
    refused = None
    try:
        # the folder above bulletins/, as the build's; a configuration named with -f is the project's
        judge = judge_for(path.parent) if args.config_file is None else judge_for(config_file.parent, config_file)
    except ConfigError as exc:
        if exc.problem is None:
            raise UsageError(f"cannot read the site's Markdown configuration: {exc}") from None
        # an extension refused: an error at its line of mkdocs.yml; the bulletins are still checked, but their links
        # (read from the pages rendered as the site renders them) cannot be
        refused, judge = exc.problem, None
    report = check_folder(path, workers=os.cpu_count() or 1, as_of=as_of, judge=judge, audience=settings.audience,
                          url_rules=url_rules(), windows=settings.windows)
    if refused is not None:
        report.problems.insert(0, refused)
    if settings_refused is not None:
        report.problems.insert(0, settings_refused)
    errors = report.errors
    # not a problem of the sources: what the site will lack (feeds' absolute links), said once
    notes = [f"{config_file}: note: {note}" for note in [site_url_note(settings.site_url)]
             if note and config_file.is_file() and settings_refused is None]
    if args.format == "json":
        print(json.dumps({
            "ok": not errors,
            "errors": len(errors),
            "warnings": len(report.problems) - len(errors),
            "notes": notes,
            "problems": [
                {"path": p.where, "line": p.line, "severity": p.severity, "message": p.message, "hint": p.hint}
                for p in report.problems
            ],
        }, ensure_ascii=False, indent=2))
        return EXIT_PROBLEMS if errors else EXIT_OK
    for problem in report.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    for note in notes:
        print(note)
    if errors:
        print(f"{len(errors)} error(s) in {path}: fix them before committing.", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"OK: {report.bulletins} bulletins, {report.directives} directives in {path}.")
    return EXIT_OK


def _judge(project_dir: Path, config_file: Path) -> Judge:
    try:
        return judge_for(project_dir, config_file)
    except ConfigError as exc:
        if exc.problem is not None:
            raise
        raise UsageError(f"cannot read the site's Markdown configuration: {exc}") from None


def run_new(args) -> int:
    kind = args.type or _ask("Type (minutes, notice, bulletin, inspection)", choices=BULLETIN_TYPES)
    if args.review and kind not in REVIEW_TYPES:
        raise UsageError(f"--review reviews earlier directives in {' or '.join(REVIEW_TYPES)}, not in a {kind}: "
                         "leave out --review, or choose one of those types")
    title = (args.title or _ask("Title")).strip()
    if not title:
        raise UsageError("a bulletin needs a title")
    root = project_root(Path.cwd())
    # read once, and not at all for a dated draft (a broken mkdocs.yml does not stop one)
    config_file = config_file_of(root, args.config_file)  # named wrongly: said even where it is not read
    settings = _settings(config_file) if args.review or not args.date else None
    day = _date(args.date, "--date") if args.date else _today(settings)
    bulletins_dir = root / "bulletins"
    fields = _fields_asked(args, kind)
    review = ""
    if args.review:
        as_of = _today(settings)
        project = _project(root, as_of, None, settings)
        if project.errors:
            print(f"bulletins new: {len(project.errors)} error(s) in the bulletins, so the open directives are not "
                  "known; run 'bulletins check'. Nothing was written.", file=sys.stderr)
            return EXIT_PROBLEMS
        # the directives the site shows: its audience, as mkdocs.yml sets it (like `due`)
        review = review_section(Catalog(project, as_of, *_catalog_settings(settings)),
                                language_of(title))  # the language of the bulletin's template
    try:
        path = new_bulletin(bulletins_dir, kind, title, day, review=review, **fields)
    except FileExistsError as exc:
        print(f"bulletins new: a bulletin of that date with that file name already exists: {exc.filename}\n"
              "It was left as it is. Edit that file, or choose a title with other words.", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"Created {path}\nIt is a draft: the site leaves it out until you fill in its blanks and delete "
          f"'draft: true'.\nWrite the {kind}, then run: bulletins check")
    return EXIT_OK


def run_due(args) -> int:
    root = project_root(Path.cwd())
    try:
        within = parse_span(args.within) if args.within is not None else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    config_file = config_file_of(root, args.config_file)
    settings = _settings(config_file)  # read once (YAML is slow to parse): every default below is the site's
    if within is None:  # what the site calls due soon (extra: bulletins: due_soon_days)
        within = settings.windows.due_soon
    as_of = _as_of(args, settings)
    # read as check reads it (links from the rendered pages), so it refuses what check refuses
    project = _project(root, as_of, _judge(root, config_file), settings)
    if project.errors:
        print(f"bulletins due: {len(project.errors)} error(s) in the bulletins; run 'bulletins check'.", file=sys.stderr)
        return EXIT_PROBLEMS
    unit_ids = None
    if args.unit:
        unit_ids = [project.registry.resolve(u) for u in args.unit]
        if "all" in unit_ids:
            unit_ids = None  # every unit
        else:
            unknown = [u for u, i in zip(args.unit, unit_ids) if i is None]
            if unknown:
                suggestion = project.registry.suggest(unknown[0])
                hint = f" Did you mean '{suggestion.id}' ({suggestion.name})?" if suggestion else ""
                raise UsageError(f"unknown unit {unknown[0]!r}.{hint} Units are listed in bulletins/units.yml.")
    catalog = Catalog(project, as_of, *_catalog_settings(settings))
    for reference, unit_id in zip(args.unit or (), unit_ids or ()):
        _joined_by(project, catalog, reference, unit_id)
    rows = due_rows(catalog, within, unit_ids, args.with_subunits)
    language = settings.language  # the site's: the unit names its pages show
    names = {u.id: u.name_in(language) for u in catalog.units}
    _print_due(rows, names, as_of, within, args.format, args.with_subunits, for_language(language), catalog.registry)
    return EXIT_OK


def _print_due(rows, names, as_of, within, form, with_subunits, labels, registry) -> None:
    records = [{
        "unit": r.unit, "unit_name": names[r.unit], "id": r.id, "title": r.title,
        "deadline": r.deadline.isoformat(), "days_left": r.days_left, "status": r.status, "role": r.role,
        "escalated": r.escalated, "bulletin": r.bulletin, "bulletin_date": r.bulletin_date.isoformat(),
        # who answers for it: the unit's 责任人 (each sub-unit's by name), 责任领导, 挂牌督办's parts
        "owner": _owners_text(r, names, labels), "leader": r.leader,
        "escalation": escalation_text(r.escalation, labels, registry) if r.escalated else "",
    } for r in rows]
    if with_subunits:  # which sub-units (ids) a row is for; empty for the unit's own
        for record, r in zip(records, rows):
            record["sub_units"] = list(r.sub_units)
    if form == "json":
        print(json.dumps({"as_of": as_of.isoformat(), "within_days": within, "directives": records},
                         ensure_ascii=False, indent=2))
    elif form == "csv":  # what Excel opens as it is: BOM, CRLF, no cell read as a formula
        _write_bytes(due_csv(records, labels, names, with_subunits).encode("utf-8"))
    else:  # the site's language (extra: bulletins: language), as the digest
        print(labels("Overdue or due within {days} days, as of {date}:", days=within, date=as_of.isoformat()))
        if not rows:
            print("  " + labels("nothing."))
        by_unit: dict[str, list] = {}
        for r in rows:
            by_unit.setdefault(r.unit, []).append(r)
        for unit, unit_rows in by_unit.items():
            # the unit's own first, counted; what it only supports apart: the responsible unit answers for it
            own = [r for r in unit_rows if r.role != "support"]
            support = [r for r in unit_rows if r.role == "support"]
            print(f"\n{names[unit]} ({unit}): {_due_count(own, labels)}"
                  + (labels("; supporting other units: {count}", count=_due_count(support, labels)) if support else ""))
            for r, record in ((r, record) for r, record in zip(rows, records) if r.unit == unit):
                if r.role != "support":
                    print(_due_line(r, names, record, labels))
            if support:
                print("  " + labels("Supporting other units:"))
                for r, record in ((r, record) for r, record in zip(rows, records) if r.unit == unit):
                    if r.role == "support":
                        print(_due_line(r, names, record, labels))


def _due_count(rows, labels) -> str:
    overdue = sum(r.overdue for r in rows)
    return labels("{overdue} overdue, {soon} due soon", overdue=overdue, soon=len(rows) - overdue)


def _due_line(r, names, record, labels) -> str:
    when = labels("{n} days overdue", n=-r.days_left) if r.overdue else labels("due in {n} days", n=r.days_left)
    role = " " + labels("[support]") if r.role == "support" else ""
    escalated = ""
    if r.escalated:
        escalated = " " + (labels("[escalated: {escalation}]", escalation=record["escalation"]) if record["escalation"]
                           else labels("[escalated]"))
    sub = " " + labels("[for {units}]", units=labels.join(names[u] for u in r.sub_units)) if r.sub_units else ""
    colon, semicolon = (": ", "; ") if labels.language == "en" else ("：", "；")
    people = semicolon.join(f"{what}{colon}{who}" for what, who in ((labels("owner"), record["owner"]),
                                                                   (labels("leader"), r.leader)) if who)
    return f"  {r.deadline.isoformat()}  {_padded(when, 18)} {r.id}: {r.title}{role}{sub}{escalated}" + (
        f"\n      {people}" if people else "")


def _padded(text: str, width: int) -> str:
    """`text` filled with spaces to `width` terminal columns: a Chinese character takes two."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def _owners_text(r, names, labels) -> str:
    """The 责任人 of the row's unit, or of each sub-unit it is for by name (物业公司：王磊；...)."""
    if not r.sub_units:
        return "; ".join(person for _, person in r.owners)
    if labels.language == "en":
        return "; ".join(f"{names[u]}: {person}" for u, person in r.owners)
    return "；".join(f"{names[u]}：{person}" for u, person in r.owners)


def _joined_by(project, catalog: Catalog, reference: str, unit_id: str) -> None:
    """A unit that joined after the as-of date (units.yml's `since`) is nowhere in the site as of
    that day: asked for by name, it is a usage error that says so, not an empty answer."""
    if unit_id in project.registry.units and unit_id not in catalog.registry.units:
        joined = project.registry.units[unit_id].since
        raise UsageError(f"unit {reference!r} joined on {joined.isoformat()} (units.yml's 'since'), after the "
                         f"as-of date {catalog.as_of.isoformat()}: use --as-of {joined.isoformat()} or later")


def run_digest(args) -> int:
    root = project_root(Path.cwd())
    config_file = config_file_of(root, args.config_file)
    settings = _settings(config_file)  # read once (YAML is slow to parse)
    as_of = _as_of(args, settings)
    since = _date(args.since, "--since") if args.since else None
    if args.format != "text" and not settings.site_url:
        raise UsageError(f"{config_file} has no site_url, so an {args.format} digest cannot link to the "
                         "site: set e.g. 'site_url: https://intranet.example/safety/' (the plain-text digest "
                         "prints paths below the site's root instead)")
    if settings.site_url and urllib.parse.urlsplit(settings.site_url).scheme not in ("http", "https"):
        raise UsageError(f"{config_file}: site_url {settings.site_url!r} is not an http or https "
                         "address: write e.g. 'site_url: https://intranet.example/safety/'")
    if (args.sender or args.to) and args.format != "eml":
        raise UsageError("--from and --to are for --format eml")
    project = _project(root, as_of, _judge(root, config_file), settings)
    if project.errors:
        print(f"bulletins digest: {len(project.errors)} error(s) in the bulletins; run 'bulletins check'.",
              file=sys.stderr)
        return EXIT_PROBLEMS
    catalog = Catalog(project, as_of, *_catalog_settings(settings))
    labels = for_language(settings.language, settings.windows)
    try:
        unit_id = digests.resolve_unit(project.registry, args.unit)
        _joined_by(project, catalog, args.unit, unit_id)
        digest = digests.make_digest(catalog, unit_id, args.with_subunits, since, settings.site_url,
                                     urls=url_rule(settings.directory_urls))
        if args.format == "eml":
            data = digests.message(digest, catalog, labels, args.sender, args.to)
        elif args.format == "html":
            data = digests.html_body(digest, catalog, labels).encode("utf-8")
        else:
            data = digests.text_body(digest, catalog, labels).encode("utf-8")
    except digests.DigestError as exc:
        raise UsageError(str(exc)) from None
    _write_bytes(data, args.output)
    return EXIT_OK


def run_publish(args) -> int:
    dest = args.dest.absolute()
    progress = publishing.Progress()
    try:
        with publishing.signals_stop_publishing():
            if args.rollback:
                release = publishing.rollback(dest, progress)
                print(f"{dest} now serves {release}")
                return EXIT_OK
            root = project_root(Path.cwd())
            config_file = config_file_of(root, args.config_file)
            try:  # a mkdocs.yml the build cannot use fails the build, which says why (exit 1)
                settings = read_settings(config_file)
            except SettingsError:
                settings = Settings()
            # once: the check, the build and its verification see the same day, the site's
            as_of = as_of_date(time_zone=settings.time_zone)
            progress.step = "checking the bulletins"
            try:
                judge = judge_for(root, config_file)
            except ConfigError:  # as above: the build says what is wrong with mkdocs.yml
                judge = None
            project = _project(root, as_of, judge, settings)
            if project.errors:
                for problem in project.errors:
                    print(problem, file=sys.stderr)
                print(f"Not published: {len(project.errors)} error(s).\n{publishing.what_is_live(dest, progress)}.",
                      file=sys.stderr)
                return EXIT_PROBLEMS
            release = publishing.publish(root, dest, as_of, progress, timeout=args.build_timeout,
                                         config_file=config_file)
    except (publishing.PublishError, DateError) as exc:
        print(f"bulletins publish: {exc}\n{publishing.what_is_live(dest, progress)}.", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError as exc:  # what the checks before the build cannot foresee: a folder made read-only...
        print(f"bulletins publish: {publishing.disk_problem(exc, dest.parent)}\n"
              f"{publishing.what_is_live(dest, progress)}.", file=sys.stderr)
        return EXIT_PROBLEMS
    except (KeyboardInterrupt, publishing.Interrupted) as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        stopped = "; the build was stopped and removed" if progress.step == "building the new release" else ""
        when = "once done" if progress.step == "done" else f"while {progress.step}"
        print(f"bulletins publish: stopped by {signal.Signals(signum).name} {when}{stopped}.\n"
              f"{publishing.what_is_live(dest, progress)}.", file=sys.stderr)
        return 128 + signum
    for problem in progress.not_removed:
        print(f"bulletins publish: warning: an old release could not be removed (the next publish tries again): "
              f"{problem}", file=sys.stderr)
    print(f"Published: {dest} now serves {release}")
    return EXIT_OK


def run_outputs(args) -> int:
    rows = [{"path": o.path, "what": o.what, "made_by": o.by, "dirty_build": o.dirty, "verify_parts": o.parts,
             "search": o.search} for o in site.OUTPUTS]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    columns = ("path", "made_by", "dirty_build", "verify_parts", "search", "what")
    widths = {c: max(len(c), *(len(str(r[c] or "-")) for r in rows)) for c in columns[:-1]}
    print("  ".join(c.ljust(widths[c]) for c in columns[:-1]) + "  what")
    for row in rows:
        print("  ".join(str(row[c] or "-").ljust(widths[c]) for c in columns[:-1]) + "  " + row["what"])
    return EXIT_OK


def run_verify(args) -> int:
    if args.project:
        root = args.project.absolute()
    elif args.config_file and find_project(Path.cwd()) is None:  # its one configuration is the named file
        root = Path.cwd()
    else:
        root = project_root(Path.cwd())
    if not args.config_file and not (root / "mkdocs.yml").is_file():  # -f names it otherwise (checked below)
        raise UsageError(f"{root} is not a bulletins project (it has no mkdocs.yml): name its configuration "
                         "file with -f, e.g. -f mkdocs.zh.yml")
    if not args.site.is_dir():
        raise UsageError(f"{args.site} is not a folder: name the built site, e.g. site/")
    config_file = config_file_of(root, args.config_file)
    as_of = _date(args.as_of, "--as-of") if args.as_of else None
    _settings(config_file)  # a wrong setting is bad usage, said before anything is built
    findings = verify_site(root, args.site, as_of, config_file=config_file)
    for finding in findings:
        print(finding)
    if findings:
        print(f"{len(findings)} finding(s): {args.site} is not what its sources say.", file=sys.stderr)
        return EXIT_PROBLEMS
    as_of = as_of or read_record(args.site).as_of
    print(f"OK: {args.site} is byte for byte what the sources give as of {as_of.isoformat()}, and holds nothing hidden.")
    return EXIT_OK


def _write_bytes(data: bytes, path: Path | None = None) -> None:
    """Bytes as they are (a BOM, CRLF line ends, a MIME message) to a file or to stdout."""
    if path is not None:
        path.write_bytes(data)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _settings(config_file: Path):
    try:
        return read_settings(config_file)
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


def _catalog_settings(settings: Settings) -> tuple:
    """What a Catalog takes from the settings: the audience and the bucket rule's windows."""
    return settings.audience, settings.windows


def _date(text: str, option: str) -> dt.date:
    try:
        return parse_date(text)
    except DateError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _project_of(bulletins: Path) -> Path:
    """The project a bulletins folder belongs to (its mkdocs.yml's folder), or the folder above it."""
    above = bulletins.absolute().parent
    return find_project(above) or above


def _today(settings: Settings) -> dt.date:
    """Today in the site's time zone (extra: bulletins: time_zone:), as its build takes it, or
    BULLETINS_TODAY."""
    try:
        return as_of_date(time_zone=settings.time_zone)
    except DateError as exc:
        raise UsageError(str(exc)) from None


# What `new` asks for beyond the title, by type, when a terminal runs it: (option, question); Enter skips
NEW_FIELDS = {
    "minutes": (("issuer", "Issuing unit"), ("number", "Document number"), ("presided_by", "Presided by")),
    "notice": (("issuer", "Issuing unit"), ("number", "Document number"),
               ("meeting_start", "The meeting's start, YYYY-MM-DD HH:MM")),
    "bulletin": (("issuer", "Issuing unit"), ("number", "Document number")),
    "inspection": (("issuer", "Issuing unit"), ("number", "Document number")),
}


def _fields_asked(args, kind: str) -> dict[str, str]:
    """The front matter `new` fills in: each option given, else (in a terminal) asked for, each optional."""
    fields = {"issuer": args.issuer, "number": args.number, "presided_by": args.presided_by,
              "meeting_start": args.meeting_start}
    if sys.stdin.isatty():
        for name, question in NEW_FIELDS[kind]:
            if not fields[name]:
                fields[name] = _ask(f"{question} (Enter: fill it in later)")
    return fields


def _ask(question: str, choices=None) -> str:
    if not sys.stdin.isatty():
        raise UsageError(f"{question.split(' (')[0].lower()} not given (use the options, or run it in a terminal)")
    while True:
        answer = input(f"{question}: ").strip()
        if choices is None or answer in choices:
            return answer
        print(f"  please answer one of: {', '.join(choices)}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
