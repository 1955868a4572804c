"""Load a whole `bulletins/` folder: every file parsed and validated, every problem collected."""

from __future__ import annotations

import concurrent.futures
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from .model import Bulletin, Problem
from .parse import parse_bulletin, read_text
from .units import UnitRegistry, load_units
from .validate import validate_bulletin

UNITS_FILE = "units.yml"


@dataclass
class Project:
    root: Path  # the bulletins folder
    registry: UnitRegistry
    bulletins: list[Bulletin] = field(default_factory=list)  # drafts included
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def published(self) -> list[Bulletin]:
        return [b for b in self.bulletins if not b.draft]


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def markdown_files(root: Path) -> list[Path]:
    """Every Markdown-like file below the folder, skipping hidden ones, in a stable order."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found += [Path(folder, name) for name in names
                  if not name.startswith(".") and os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES]
    return sorted(found)


PARALLEL_FROM = 1000  # files; below that, starting processes costs more than it saves


def load_project(root: Path, workers: int = 1, keep_text: bool = True) -> Project:
    """Every bulletin below `root`, validated. With workers > 1 (the `bulletins check`
    command), large folders are read by that many processes, in the same order; without
    keep_text the bulletins come back without their Markdown (enough for checking)."""
    root = Path(root)
    if not root.is_dir():
        problem = Problem(root, 1, "the bulletins folder does not exist",
                          "Run the command from the project's folder, or name the folder: bulletins check PATH.")
        return Project(root, UnitRegistry(), problems=[problem])
    registry, problems = load_units(root / UNITS_FILE)
    project = Project(root, registry, problems=problems)
    paths = []
    for path in markdown_files(root):
        if path.suffix == ".md":
            paths.append(path)
        else:  # the site would leave it out: say so rather than drop it
            project.problems.append(Problem(path, 1, f"bulletins must end in '.md', not '{path.suffix}'",
                                            f"Rename it to {path.with_suffix('.md').name}."))
    load = functools.partial(load_bulletin, root=root, registry=registry, keep_text=keep_text)
    if workers > 1 and len(paths) >= PARALLEL_FROM:
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(load, paths, chunksize=max(1, len(paths) // (workers * 8))))
    else:
        results = map(load, paths)
    for bulletin, file_problems in results:
        project.problems += file_problems
        if bulletin is not None:
            project.bulletins.append(bulletin)
    project.problems += duplicate_ids(project.bulletins) + links_to_drafts(project.bulletins)
    return project


def load_bulletin(path: Path, root: Path, registry: UnitRegistry,
                  keep_text: bool = True) -> tuple[Bulletin | None, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    raw, problems = parse_bulletin(path, text)
    if raw is None:
        return None, problems
    bulletin, found = validate_bulletin(raw, path.relative_to(root).as_posix(), registry)
    problems += found
    if bulletin is not None and not keep_text:
        bulletin.body = ""
        for directive in bulletin.directives:
            directive.text = ""
    return (None if any(p.severity == "error" for p in problems) else bulletin), problems


def links_to_drafts(bulletins: list[Bulletin]) -> list[Problem]:
    """A published bulletin may not link to a draft: the link would break and name the draft."""
    drafts = {b.rel_path for b in bulletins if b.draft}
    return [
        Problem(b.source, line, f"links to '{target}', which is a draft and will not be published",
                "Remove the link, or publish the other bulletin (remove its 'draft: true').")
        for b in bulletins if not b.draft
        for target, line in b.page_links if target in drafts
    ]


def duplicate_ids(bulletins: list[Bulletin]) -> list[Problem]:
    """Directive ids are anchors and keys in the exports: each must name one directive."""
    first_seen: dict[str, object] = {}
    problems = []
    for directive in (d for b in bulletins for d in b.directives):
        other = first_seen.setdefault(directive.id.casefold(), directive)
        if other is directive:
            continue
        for here, there in ((directive, other), (other, directive)):
            problems.append(Problem(
                here.bulletin.source, here.line,
                f"directive id '{here.id}' is also used at {there.bulletin.source}:{there.line}",
                "Give one of them another 'id:' (ids must be unique across all bulletins).",
            ))
    return problems
