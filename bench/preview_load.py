"""The preview's reading of the project alone (`SiteBuild.load` with the state `mkdocs serve` keeps), in process.

    .venv/bin/python bench/preview_load.py [CORPUS_DIR=/tmp/preview-load] [--profile]
    PYTHONPATH=OTHER_CHECKOUT/src .venv/bin/python bench/preview_load.py ...   # the same for other code

Generates `bench/corpus.py 2000` into CORPUS_DIR once, loads it (the first build: every bulletin rendered
by two workers, verdicts cached in CORPUS_DIR/.cache-<code>, one per version of the package), then edits one
bulletin's title four times and prints the CPU seconds of each load; --profile: a cProfile of the last.
"""

import cProfile
import datetime as dt
import hashlib
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402

import safety_bulletins  # noqa: E402
from safety_bulletins.mkdocs_adapter.urls import url_rule  # noqa: E402
from safety_bulletins.site_build.incremental import SourceCache  # noqa: E402
from safety_bulletins.site_build.rendering import WorkerPool  # noqa: E402
from safety_bulletins.site_build.sitebuild import SiteBuild  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    corpus = Path(args[0] if args else "/tmp/preview-load")
    if not (corpus / "bulletins").is_dir():
        generate(2000, corpus)
    root = corpus / "bulletins"
    code = hashlib.sha256(str(Path(safety_bulletins.__file__).parent).encode()).hexdigest()[:8]
    sources, pool = SourceCache(), WorkerPool()

    def load():
        return SiteBuild.load(root, dt.date(2026, 11, 28), url_rule(True), sources=sources, pool=pool,
                              cache_dir=corpus / f".cache-{code}", workers=2)

    try:
        load()
        target = sorted(root.rglob("*.md"))[1000]
        text = target.read_text(encoding="utf-8")
        profile = cProfile.Profile() if "--profile" in sys.argv else None
        times = []
        try:
            for n in range(4):
                target.write_text(text.replace('title: "', f'title: "E{n} ', 1), encoding="utf-8")
                start = time.process_time()
                if profile is not None and n == 3:
                    profile.enable()
                build = load()
                if profile is not None and n == 3:
                    profile.disable()
                times.append(time.process_time() - start)
                assert not build.project.errors, build.project.errors[:3]
        finally:
            target.write_text(text, encoding="utf-8")
        print("load CPU per edit:", " / ".join(f"{t:.2f} s" for t in times))
        if profile is not None:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    finally:
        pool.close()


if __name__ == "__main__":
    main()
