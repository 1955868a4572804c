"""Every command of `bulletins`, in every format, over every fixture site (the example project,
the helpers' fixtures and each case of the bad-input catalogue) at several as-of dates: no
traceback, and the exit code the command documents (0 success, 1 problems, 2 bad usage).

In-process (`cli.main`), so that a crash is an exception with its stack, and fast. `digest`
once crashed on every acceptance in its window, the shipped example's included: a template
asked for a name the digest did not give it, and only a run over real follow-ups showed it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import pickle
import re
import shutil
from pathlib import Path

import pytest
from helpers import AS_OF, MEETING_MD, REPO, SITE_YML, UNITS_YML, build, builds_forked, example_project, write_tree
from test_catalogue import CASES, make_project, read_case
from test_follow_ups import ACCEPTANCE_MD, INSPECTION_MD

from safety_bulletins.commands import cli
from safety_bulletins.mkdocs_adapter import config as adapter_config
from safety_bulletins.mkdocs_adapter import read_settings
from safety_bulletins.site_build.settings import SettingsError
from safety_bulletins.sources.project import load_project

SITE_URL = "http://intranet.example/safety/"


def example_copy(root: Path, site_url: bool = True) -> Path:
    return example_project(root, site_url=SITE_URL if site_url else None)


def _example_dates() -> list[str]:
    """Before the first bulletin, the day after each acceptance (the digest's default window
    holds it), and the tests' pinned today."""
    project = load_project(REPO / "bulletins")
    first = min(b.date for b in project.bulletins)
    accepted = {f.date for b in project.bulletins for f in b.follow_ups if f.accepted_by}
    assert accepted, "the example has acceptances: the digest must be run over them"
    return sorted({(first - dt.timedelta(days=1)).isoformat(), AS_OF,
                   *((day + dt.timedelta(days=1)).isoformat() for day in accepted)})


EXAMPLE_DATES = _example_dates()


@pytest.fixture(autouse=True)
def one_reading_per_state_of_the_files(monkeypatch):
    """The commands here run one after another on the same files: each reads the project, mkdocs.yml's
    settings and its Markdown configuration afresh, as a command run alone does, and that reading (two
    thirds of a `digest` on the example) is the same for every unit, format and option of a loop. So it is
    done once for each state of the files (every file's name, size and time) and set of arguments; each
    command gets a copy of its own (unpickled: what one command changed reaches no other), and runs
    everything after it as it is. What fails to be read is read again each time (it raises)."""
    def once_per_state(real, folder_of):
        read = {}

        def reading(first, *args, **kwargs):
            folder = folder_of(Path(first).absolute())
            files = [folder / "mkdocs.yml", *sorted(p for p in (folder / "bulletins").rglob("*") if p.is_file())]
            state = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.exists())
            # a link judge by its kind: the Markdown configuration it holds is mkdocs.yml's, in `state`
            key = (str(first), state, re.sub(r"<([\w.]+) object at 0x\w+>", r"\1", repr((args, sorted(kwargs.items())))))
            if key not in read:
                read[key] = pickle.dumps(real(first, *args, **kwargs))
            return pickle.loads(read[key])
        return reading

    monkeypatch.setattr(cli, "load_project", once_per_state(cli.load_project, lambda bulletins: bulletins.parent))
    monkeypatch.setattr(cli, "read_settings", once_per_state(cli.read_settings, lambda config: config.parent))
    monkeypatch.setattr(adapter_config, "markdown_config",
                        once_per_state(adapter_config.markdown_config, lambda config: config.parent))
    monkeypatch.setattr(cli, "_parser", functools.cache(cli._parser))  # argparse's, built anew by each main()
    builds_forked(monkeypatch)  # verify's rebuild: forked from the warm MkdocsForks, not a new interpreter


def run(*argv: str, expect: tuple[int, ...] = (0,)) -> int:
    code = cli.main(list(argv))
    assert code in expect, f"bulletins {' '.join(argv)} exited {code}"
    return code


def every_reading_command(units: list[str], as_of: str, errors: bool, site_url: bool = True,
                          formats: tuple[str, ...] = ("text", "html", "eml")) -> None:
    """check, due and digest in each format, for every unit and `all`, with and without sub-units."""
    bad = (1,) if errors else (0,)
    run("check", expect=bad)
    run("check", "--format", "json", expect=bad)
    for form in ("table", "csv", "json"):
        for subunits in ((), ("--with-subunits",)):
            run("due", "--as-of", as_of, "--format", form, *subunits, expect=bad)
            run("due", "--as-of", as_of, "--format", form, "--within", "30d", "--unit", units[0], *subunits,
                expect=bad)
    for unit in [*units, "all"]:
        for form in formats if unit != "all" else ("text", "html", "eml"):
            for subunits in ((), ("--with-subunits",)):
                usage = () if site_url or form == "text" else (2,)  # html and eml link to the site: they need it
                run("digest", "--unit", unit, "--as-of", as_of, "--format", form, *subunits,
                    expect=bad if errors else (usage or bad))
        run("digest", "--unit", unit, "--as-of", as_of, "--since", "1970-01-01", expect=bad)


@pytest.fixture(scope="session")
def example(tmp_path_factory):
    """A copy of the example, read by the commands, once per worker: session-wide, not module-wide, so the
    module's tests are not one xdist group (about a minute of CPU, one test after another on one worker)."""
    return example_copy(tmp_path_factory.mktemp("every") / "example")


@pytest.mark.parametrize("as_of", EXAMPLE_DATES)
def test_every_command_on_the_example(example, as_of, monkeypatch, capsys):
    monkeypatch.chdir(example)
    monkeypatch.setenv("BULLETINS_TODAY", as_of)
    units = [u.id for u in load_project(example / "bulletins").registry.units.values()]
    every_reading_command(units, as_of, errors=False)
    capsys.readouterr()


def test_the_digest_lists_the_examples_acceptances(example, monkeypatch, capsys):
    monkeypatch.chdir(example)
    # the acceptance of 2021-06-11 is recorded in the notice of 2021-06-25: listed once that notice is out
    assert run("digest", "--unit", "construction", "--as-of", "2021-06-25", "--since", "2021-06-10") == 0
    assert "accepted by Safety and Environmental Protection Department" in capsys.readouterr().out
    # the record as it stood on 2021-06-12 does not know it yet
    assert run("digest", "--unit", "construction", "--as-of", "2021-06-12", "--since", "2021-06-10") == 0
    assert "accepted by" not in capsys.readouterr().out


def test_digest_without_site_url_is_bad_usage_in_html_and_eml(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(example_copy(tmp_path / "example", site_url=False))
    every_reading_command(["construction"], "2021-06-26", errors=False, site_url=False)
    assert "has no site_url" in capsys.readouterr().err


@pytest.mark.parametrize("as_of", [EXAMPLE_DATES[0], EXAMPLE_DATES[-1]])
def test_verify_and_new_on_copies_of_the_example(as_of, tmp_path, monkeypatch, capsys):
    project = example_copy(tmp_path / "example")
    site = build(project, as_of=as_of)
    monkeypatch.chdir(project)
    monkeypatch.setenv("BULLETINS_TODAY", as_of)
    run("verify", str(site))
    run("verify", str(site), "--as-of", as_of)
    for kind in ("minutes", "inspection", "notice", "bulletin"):
        run("new", kind, "--title", f"New {kind}")
    run("new", "minutes", "--title", "Review of open work", "--review")
    run("new", "minutes", "--title", "Review of open work", "--review", expect=(1,))  # never overwrites
    run("new", "notice", "--title", "x", "--review", expect=(2,))
    run("check")  # the drafts it made are valid
    capsys.readouterr()


FIXTURES = {
    "meeting": {"2021/2021-05-25-meeting.md": MEETING_MD},
    "follow-ups": {"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-06-08-inspection.md": INSPECTION_MD,
                   "2021/2021-07-10-acceptance.md": ACCEPTANCE_MD},
    "empty": {},
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_command_on_the_helpers_fixtures(name, tmp_path, monkeypatch, capsys):
    project = write_tree(tmp_path / "project", {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n",
                                                "bulletins/units.yml": UNITS_YML,
                                                **{f"bulletins/{p}": text for p, text in FIXTURES[name].items()}})
    monkeypatch.chdir(project)
    units = [u.id for u in load_project(project / "bulletins").registry.units.values()]
    for as_of in ("2021-05-01", "2021-06-09", "2021-07-11", AS_OF):
        monkeypatch.setenv("BULLETINS_TODAY", as_of)
        every_reading_command(units, as_of, errors=False)
        site = build(project, as_of=as_of) if as_of in ("2021-07-11", AS_OF) and name != "empty" else None
        if site is not None:
            run("verify", str(site))
            shutil.rmtree(site)
    run("new", "inspection", "--title", "Check", "--review")
    run("check")
    capsys.readouterr()


@pytest.mark.parametrize("case_file", CASES, ids=[p.stem for p in CASES])
def test_every_reading_command_on_each_catalogue_case(case_file, tmp_path, monkeypatch, capsys):
    """The bad-input catalogue: what the checker refuses, due and digest refuse with exit 1 (no
    traceback); what it accepts, they list. Their builds are verified in test_catalogue."""
    case = read_case(case_file)
    project = make_project(case, tmp_path)
    monkeypatch.chdir(project)
    check = cli.main(["check", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert check == (1 if report["errors"] else 0)
    if case.only != "build":
        assert check == (1 if case.fails else 0)
    units = [u.id for u in load_project(project / "bulletins").registry.units.values()] or ["all"]
    try:
        read_settings(project / "mkdocs.yml")
    except SettingsError:  # a mkdocs.yml the build refuses: check reports it, the commands that read it say so
        assert case.fails and check == 1
        assert cli.main(["due"]) == 2 and cli.main(["digest", "--unit", "all"]) == 2
        assert "mkdocs.yml:" in capsys.readouterr().err
        return
    every_reading_command(units, AS_OF, errors=bool(report["errors"]), formats=("text",))
    capsys.readouterr()
