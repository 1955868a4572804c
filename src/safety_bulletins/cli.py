"""The `bulletins` command: what editors run before they commit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .project import load_project

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bulletins", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="validate bulletins and units.yml",
        description="Validate every bulletin and units.yml. Exit codes: 0 no errors, 1 errors found, 2 bad usage.",
    )
    check.add_argument("path", nargs="?", type=Path,
                       help="the bulletins folder (default: bulletins/ of the project around the current folder)")
    args = parser.parse_args(argv)
    return run_check(args.path or project_bulletins(Path.cwd()))


def project_bulletins(start: Path) -> Path:
    """bulletins/ beside the nearest mkdocs.yml at or above `start`, as the site build uses."""
    for folder in (start, *start.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder / "bulletins"
    return start / "bulletins"


def run_check(path: Path) -> int:
    project = load_project(path)
    for problem in project.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = len(project.errors)
    directives = sum(len(b.directives) for b in project.bulletins)
    if errors:
        print(f"{errors} error(s) in {path}: fix them before committing.", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"OK: {len(project.bulletins)} bulletins, {directives} directives in {path}.")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
