"""Two shapes of archive that once grew the build faster than the square of their size:

    .venv/bin/python bench/shapes_bench.py chain 500 1000 2000       # a units.yml chain of N units
    .venv/bin/python bench/shapes_bench.py follow-ups 7500 15000 30000  # N follow-ups on N/10 directives
    .venv/bin/python bench/shapes_bench.py long-histories 1000 2000 4000  # N follow-ups on 3 directives

For each size it writes a project (fixed content, no randomness) and times what a build does
without MkDocs (`SiteBuild.load`: check across files, the catalog, the states; then every
generated page and every bulletin page's cards and header), and `bulletins check`. Doubling N
should about double the time; 4x means quadratic.
"""

from __future__ import annotations


import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from safety_bulletins.mkdocs_adapter import url_rule
from safety_bulletins.site_build.sitebuild import SiteBuild
from safety_bulletins.sources.project import check_folder

AS_OF = dt.date(2026, 11, 28)


def chain(root: Path, count: int) -> None:
    """Units each the parent of the next; directives to the ten at the top and one to every
    unit (each unit lists the directives of every unit below it: a directive to each unit would
    make the pages themselves grow as the square of the chain)."""
    units = ["- id: u0\n  name: Unit 0\n"] + [f"- id: u{n}\n  name: Unit {n}\n  parent: u{n - 1}\n" for n in range(1, count)]
    (root / "units.yml").write_text("".join(units), encoding="utf-8")
    blocks = [f"/// directive | Work of unit {n}\n    id: C-{n}\n    units: [u{n}]\n    deadline: 2026-12-{1 + n:02d}\n///\n"
              for n in range(10)]
    blocks.append("/// directive | Work of every unit\n    id: C-ALL\n    units: [all]\n    deadline: 2026-12-20\n///\n")
    write_bulletins(root, blocks, per_file=100, kind="minutes")


def follow_ups(root: Path, count: int) -> None:
    """count / 10 directives, each followed up ten times, in bulletins of a hundred blocks."""
    (root / "units.yml").write_text("- id: works\n  name: Works\n- id: safety\n  name: Safety\n", encoding="utf-8")
    directives = count // 10
    blocks = [f"/// directive | Task {n}\n    id: F-{n}\n    units: [works]\n    deadline: 2030-01-01\n///\n"
              for n in range(directives)]
    write_bulletins(root, blocks, per_file=100, kind="minutes", start=dt.date(2020, 1, 1))
    reports = []
    for round_ in range(10):
        for n in range(directives):
            option = "    escalate: true\n" if round_ % 2 else "    status: in-progress\n"
            reports.append(f"/// follow-up\n    directive: F-{n}\n{option}\nReport {round_}.\n///\n")
    write_bulletins(root, reports, per_file=100, kind="inspection", start=dt.date(2021, 1, 1), prefix="r")


def long_histories(root: Path, count: int) -> None:
    """count follow-ups on three directives (years of weekly reports), ten to a bulletin."""
    (root / "units.yml").write_text("- id: works\n  name: Works\n", encoding="utf-8")
    blocks = [f"/// directive | Task {n}\n    id: L-{n}\n    units: [works]\n    deadline: 2099-01-01\n///\n"
              for n in range(3)]
    write_bulletins(root, blocks, per_file=100, kind="minutes", start=dt.date(1990, 1, 1))
    reports = [f"/// follow-up\n    directive: L-{n % 3}\n    escalate: {'true' if n % 2 else 'false'}\n\nReport {n}.\n///\n"
               for n in range(count)]
    write_bulletins(root, reports, per_file=10, kind="inspection", start=dt.date(1990, 1, 2), prefix="r")


def write_bulletins(root: Path, blocks: list[str], per_file: int, kind: str, start=dt.date(2020, 1, 1),
                    prefix: str = "b") -> None:
    folder = root / "2020"
    folder.mkdir(parents=True, exist_ok=True)
    for number, first in enumerate(range(0, len(blocks), per_file)):
        day = start + dt.timedelta(days=number)
        text = f"---\ntitle: {prefix} {number}\ndate: {day.isoformat()}\ntype: {kind}\n---\n" + "\n".join(
            blocks[first:first + per_file])
        (folder / f"{day.isoformat()}-{prefix}{number}.md").write_text(text, encoding="utf-8")


def measure(shape: str, count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bulletins"
        root.mkdir()
        SHAPES[shape](root, count)
        started = time.perf_counter()
        report = check_folder(root, as_of=AS_OF)
        checked = time.perf_counter() - started
        assert not report.errors, report.errors[:3]
        started = time.perf_counter()
        build = SiteBuild.load(root, AS_OF, urls=url_rule(True))
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        for page in build.pages.values():
            build.renderer.page(page)
        for src, bulletin in build.bulletins.items():
            build.page_source(src, "")
            build._page_inputs(bulletin)
            for d in bulletin.directives:
                build.renderer.directive_meta(d)
            for f in bulletin.follow_ups:
                build.renderer.follow_up_meta(f)
        rendered = time.perf_counter() - started
        return {"check": checked, "load": loaded, "pages": rendered}


SHAPES = {"chain": chain, "follow-ups": follow_ups, "long-histories": long_histories}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("shape", choices=sorted(SHAPES))
    parser.add_argument("sizes", nargs="+", type=int)
    args = parser.parse_args()
    for size in args.sizes:
        times = measure(args.shape, size)
        print(f"{args.shape} {size}: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
