"""How the build grows with the archive: our site against plain MkDocs + Material.

    .venv/bin/python bench/build_bench.py 500 2000 [--variants ours,baseline,autonav,blog] [--before REV ...]
                                         [--before-follow-ups] [--no-follow-ups]

For each N, generates N bulletins (bench/corpus.py, fixed seed) and builds, pair by pair
in one run (the machine is noisy: compare within a run):
- ours:     this project's site (hooks, generated pages, cards);
- baseline: the same Markdown pages with plain MkDocs + Material, hooks off, a one-entry nav;
- autonav:  the baseline with Material's automatic navigation (every page in the nav);
- blog:     the same pages as posts of Material's blog plugin, 3 of 30 categories each;
- before:   with --before REV, our site as commit REV built it (its hook, package, docs and
            mkdocs.yml, from `git archive` of REV in a temporary folder): an issue's cost, side
            by side. --before may be given more than once: the first is 'before', the others
            'before_REV'. It builds the corpus without follow-ups (a commit from before them cannot
            read `/// follow-up`), and so, next to it, does
- ours_no_follow_ups: our site on that corpus (also with the variant named), so that one run
            gives the old code against the new on the same files, and the follow-ups' cost.
            With --before-follow-ups (REV reads follow-ups: 2026-11 or later) the 'before'
            variants build the same corpus as ours, follow-ups included, and this one is left out.
The corpus has about one follow-up for every two directives; --no-follow-ups leaves them out.
Reports time (wall, and CPU: user + system of the build and its children, the measure
on a shared machine), ratio to the baseline (both), peak memory, site size, the size of one
bulletin page and the mean of all (both over the pages every variant has: a site as of the
bench's date leaves out bulletins dated after it), the search index against the size of the
sources, and `bulletins check`'s time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402

PYTHON = sys.executable
ENV = {**os.environ, "BULLETINS_TODAY": "2026-11-28", "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
       # the render verdicts (site_build/rendering.py) of this run only, not the user's
       "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="build-bench-cache-")}
# Runs a command and prints its peak memory (children's max RSS, KiB) and CPU seconds (user + system
# of the command and every process it waited for), as the last line.
_MEASURE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(u.ru_maxrss, u.ru_utime + u.ru_stime); sys.exit(r.returncode)")


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, float]:
    """Wall seconds, peak memory (bytes) and CPU seconds of a command."""
    start = time.perf_counter()
    result = subprocess.run([PYTHON, "-c", _MEASURE, *cmd], cwd=cwd, env=env or ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed in {cwd}:\n{result.stderr[-3000:]}")
    memory, cpu = result.stdout.strip().splitlines()[-1].split()
    return seconds, int(memory) * 1024, float(cpu)


def plain_config(project: Path, nav: bool) -> str:
    """Our mkdocs.yml without hooks, and with a one-entry nav (or none: Material's automatic one)."""
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?ms)^hooks:\n(  - .*?\n)+", "", config)
    config = re.sub(r"(?ms)^watch:\n(  - .*?\n)+", "", config)
    config = re.sub(r"(?ms)^nav:\n(  .*?\n)+", "nav:\n  - index.md\n" if nav else "", config)
    return config


def baseline_project(corpus: Path, dest: Path, nav: bool = True) -> Path:
    shutil.copytree(corpus / "docs", dest / "docs")
    shutil.copytree(corpus / "bulletins", dest / "docs" / "bulletins", ignore=shutil.ignore_patterns("*.yml"))
    (dest / "mkdocs.yml").write_text(plain_config(corpus, nav), encoding="utf-8")
    return dest


def blog_project(corpus: Path, dest: Path) -> Path:
    """The same bodies as blog posts; each post in 3 of 30 categories (units)."""
    rng = random.Random(1)
    units = [f"unit-{n}" for n in range(30)]
    posts = dest / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    shutil.copytree(corpus / "docs" / "assets", dest / "docs" / "assets")
    (dest / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (dest / "docs" / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    for path in sorted((corpus / "bulletins").rglob("*.md")):
        front, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
        day = re.search(r"^date: (\S+)", front, re.M).group(1)
        title = re.search(r"^title: (.+)$", front, re.M).group(1)
        categories = ", ".join(rng.sample(units, 3))
        (posts / path.name).write_text(f"---\ndate: {day}\ncategories: [{categories}]\n---\n# {title.strip(chr(34))}\n\n{body}",
                                       encoding="utf-8")
    config = plain_config(corpus, nav=True).replace("nav:\n  - index.md\n", "nav:\n  - index.md\n  - Blog: blog/index.md\n")
    config = config.replace("plugins:\n", "plugins:\n  - blog\n", 1)
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest


def before_project(corpus: Path, dest: Path, tree: Path) -> Path:
    """The corpus's bulletins with an older commit's docs, hook and mkdocs.yml."""
    for name in ("docs", "hooks"):
        shutil.copytree(tree / name, dest / name)
    shutil.copy(tree / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(corpus / "bulletins", dest / "bulletins")
    return dest


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bulletin_pages(site: Path) -> dict[str, int]:
    """The size of each bulletin's page, by its path in the site."""
    return {p.relative_to(site).as_posix(): p.stat().st_size for p in site.glob("bulletins/*/*/index.html")}


def bulletin_page(site: Path) -> int:
    pages = sorted(site.glob("**/bulletins/*/*/index.html")) or sorted(site.glob("blog/20*/**/index.html"))
    return pages[len(pages) // 2].stat().st_size


def search_index(site: Path) -> int:
    return (site / "search" / "search_index.json").stat().st_size


def index_by_language(site: Path, chinese_pages: set[str], ascii_only: bool) -> dict[str, int]:
    """Bytes of the index's entries for English and for Chinese bulletin pages, each entry
    written as the index writes it (Material: ASCII-escaped; ours: UTF-8)."""
    sizes = {"en": 0, "zh": 0}
    for entry in json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]:
        page = entry["location"].split("#", 1)[0]
        if page.startswith("bulletins/"):
            sizes["zh" if page in chinese_pages else "en"] += len(json.dumps(entry, ensure_ascii=ascii_only, separators=(",", ":")).encode())
    return sizes


def measure(count: int, variants: list[str], work: Path, befores: dict[str, Path] | None = None, follow_ups: bool = True,
            before_follow_ups: bool = False) -> dict:
    befores = befores or {}
    corpus = generate(count, work / f"corpus-{count}", follow_ups=follow_ups)
    projects = {"ours": corpus}
    envs = {}
    plain = corpus
    if follow_ups and ((befores and not before_follow_ups) or "ours_no_follow_ups" in variants):
        plain = projects["ours_no_follow_ups"] = generate(count, work / f"plain-{count}", follow_ups=False)
    for name, tree in befores.items():
        projects[name] = before_project(corpus if before_follow_ups else plain, work / f"{name}-{count}", tree)
        envs[name] = {**ENV, "PYTHONPATH": str(tree / "src")}
    if "baseline" in variants:
        projects["baseline"] = baseline_project(corpus, work / f"baseline-{count}")
    if "autonav" in variants:
        projects["autonav"] = baseline_project(corpus, work / f"autonav-{count}", nav=False)
    if "blog" in variants:
        projects["blog"] = blog_project(corpus, work / f"blog-{count}")
    sources = {p: p.read_text(encoding="utf-8") for p in (corpus / "bulletins").rglob("*.md")}
    chinese = {p for p, s in sources.items() if re.search(r"[\u4e00-\u9fff]{20}", s)}
    chinese_pages = {f"{p.relative_to(corpus).with_suffix('').as_posix()}/" for p in chinese}
    source_bytes = {"zh": sum(len(s.encode()) for p, s in sources.items() if p in chinese)}
    source_bytes["en"] = sum(len(s.encode()) for s in sources.values()) - source_bytes["zh"]
    result = {"n": count, "follow_ups": sum(s.count("\n/// follow-up") for s in sources.values()),
              "sources_bytes": source_bytes["en"] + source_bytes["zh"], "chinese_sources_bytes": source_bytes["zh"]}
    check_seconds, _, _ = run([str(Path(PYTHON).parent / "bulletins"), "check", str(corpus / "bulletins")], corpus)
    result["check_seconds"] = round(check_seconds, 2)
    # check leaves its verdicts (links judged on each rendered page) in the user's cache folder:
    # the builds start without them, as a build on a fresh machine does
    shutil.rmtree(ENV["XDG_CACHE_HOME"], ignore_errors=True)
    for name in variants:
        seconds, memory, cpu = run([PYTHON, "-m", "mkdocs", "build", "-q"], projects[name], envs.get(name))
        site = projects[name] / "site"
        result[name] = {
            "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "peak_memory_mb": round(memory / 2**20), "site_mb": round(folder_size(site) / 2**20, 1),
            "bulletin_page_kb": round(bulletin_page(site) / 1024, 1), "search_index_mb": round(search_index(site) / 2**20, 1),
        }
    # The same pages in every variant: a site as of the bench's date leaves out the bulletins dated
    # after it (older code published them), so "the middle page" of each would be another bulletin.
    sizes = {name: bulletin_pages(projects[name] / "site") for name in variants if name != "blog"}
    common = set.intersection(*(set(pages) for pages in sizes.values())) if sizes else set()
    if common:
        middle = sorted(common)[len(common) // 2]
        for name, pages in sizes.items():
            result[name]["bulletin_page_kb"] = round(pages[middle] / 1024, 1)
            result[name]["bulletin_pages_mean_kb"] = round(sum(pages[p] for p in common) / len(common) / 1024, 1)
        result["bulletin_page"] = middle
        result["bulletin_pages_compared"] = len(common)
    if "baseline" in result:
        for name in variants:
            result[name]["ratio_to_baseline"] = round(result[name]["seconds"] / result["baseline"]["seconds"], 2)
            result[name]["cpu_ratio_to_baseline"] = round(result[name]["cpu_seconds"] / result["baseline"]["cpu_seconds"], 2)
    if "ours" not in variants:
        return result
    result["ours"]["search_index_to_sources"] = round(search_index(corpus / "site") / result["sources_bytes"], 2)
    # The targets: at most 1.3x the sources for English text, 1.8x for Chinese
    for name in ("ours", "baseline"):
        if name in variants:
            sizes = index_by_language(projects[name] / "site", chinese_pages, ascii_only=name != "ours")
            for language in ("en", "zh"):
                result[name][f"search_index_to_sources_{language}"] = round(sizes[language] / source_bytes[language], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("counts", nargs="+", type=int)
    parser.add_argument("--variants", default="ours,baseline")
    parser.add_argument("--before", metavar="REV", action="append", default=[],
                        help="also build with the code of this commit (variant 'before'; again: 'before_REV')")
    parser.add_argument("--before-follow-ups", action="store_true",
                        help="the --before commits build the corpus with its follow-ups, as ours does")
    parser.add_argument("--no-follow-ups", action="store_true", help="a corpus without `/// follow-up` blocks")
    args = parser.parse_args()
    variants = args.variants.split(",")
    if args.no_follow_ups:  # the corpus is already without them
        variants = [v for v in variants if v != "ours_no_follow_ups"]
    elif args.before and not args.before_follow_ups and "ours_no_follow_ups" not in variants:
        variants.append("ours_no_follow_ups")
    with tempfile.TemporaryDirectory() as tmp:
        befores = {}
        for n, rev in enumerate(args.before):
            name = "before" if n == 0 else f"before_{rev}"
            # an archive of the commit, not a git worktree: nothing is added to the repository's own list
            tree = befores[name] = Path(tmp) / f"{name}-tree"
            tree.mkdir()
            archive = subprocess.run(["git", "-C", str(Path(__file__).parents[1]), "archive", rev], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        variants = [*befores, *[v for v in variants if v not in befores]]
        for count in args.counts:
            print(json.dumps(measure(count, variants, Path(tmp), befores, not args.no_follow_ups, args.before_follow_ups)),
                  flush=True)


if __name__ == "__main__":
    main()
