"""The as-of date is today where the site is (`extra: bulletins: time_zone:`, default
Asia/Shanghai), whatever zone the build machine is set to: a runner in UTC is still on
yesterday for the first eight hours of a Chinese day, one on Kiritimati (UTC+14) is already on
tomorrow for six. An embargo lifts at midnight in Shanghai for the build and for every command.

Each case pins the instant (time-machine) and the machine's zone (TZ); BULLETINS_TODAY is unset.
"""

import datetime as dt
import json
import os
import time

import pytest
import time_machine
from helpers import REPO, SITE_YML, build, mkdocs

from safety_bulletins.commands import cli, publish as publishing

EMBARGOED = """\
---
title: Notice on the north shaft
date: 2026-11-20
type: notice
issuer: safety-env
publish: 2026-11-28
---
Text.

/// directive | Seal the north shaft
    id: SHAFT-1
    units: [energy]
    deadline: 2026-12-02

Seal it.
///
"""
LINKING = """\
---
title: Weekly summary
date: 2026-11-21
type: bulletin
issuer: safety-env
---
See [the notice](2026-11-20-north-shaft.md).
"""
# (the machine's zone, the instant) -> the date in Asia/Shanghai, which the machine's clock does not show
MOMENTS = {
    "utc-still-on-the-27th": ("UTC", "2026-11-27T16:30:00+00:00", dt.date(2026, 11, 28)),
    "kiritimati-already-on-the-29th": ("Pacific/Kiritimati", "2026-11-28T15:30:00+00:00", dt.date(2026, 11, 28)),
    "kiritimati-already-on-the-28th": ("Pacific/Kiritimati", "2026-11-27T15:30:00+00:00", dt.date(2026, 11, 27)),
}


@pytest.fixture(params=sorted(MOMENTS))
def moment(request, monkeypatch):
    """The machine set to a zone, its clock stopped at an instant; yields the Shanghai date."""
    zone, instant, shanghai = MOMENTS[request.param]
    monkeypatch.delenv("BULLETINS_TODAY")
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        with time_machine.travel(dt.datetime.fromisoformat(instant).timestamp(), tick=False):
            yield zone, instant, shanghai
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.fixture
def project(site_project, monkeypatch):
    root = site_project({"2026/2026-11-20-north-shaft.md": EMBARGOED})
    monkeypatch.chdir(root)
    return root


def test_the_machines_zone_is_not_the_sites(moment):
    _, _, shanghai = moment
    assert dt.date.today() != shanghai  # each moment is one where the machine's calendar is wrong


def test_due_digest_and_new_take_the_date_in_the_sites_zone(moment, project, capsys):
    _, _, shanghai = moment
    assert cli.main(["due", "--format", "json", "--within", "30d"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_of"] == shanghai.isoformat()
    assert [d["id"] for d in report["directives"]] == (["SHAFT-1"] if shanghai >= dt.date(2026, 11, 28) else [])
    assert cli.main(["digest", "--unit", "energy"]) == 0
    assert f"({shanghai.isoformat()})" in capsys.readouterr().out.splitlines()[0]
    assert cli.main(["new", "minutes", "--title", "Review", "--review"]) == 0
    assert f"bulletins/2026/{shanghai.isoformat()}-review.md" in capsys.readouterr().out


def test_check_lifts_the_embargo_at_midnight_in_shanghai(moment, site_project, monkeypatch, capsys):
    _, _, shanghai = moment
    root = site_project({"2026/2026-11-20-north-shaft.md": EMBARGOED, "2026/2026-11-21-summary.md": LINKING})
    monkeypatch.chdir(root)
    lifted = shanghai >= dt.date(2026, 11, 28)
    assert cli.main(["check"]) == (0 if lifted else 1)
    assert ("embargoed until 2026-11-28" in capsys.readouterr().err) != lifted


def test_verify_and_publish_take_the_date_in_the_sites_zone(moment, project, tmp_path, monkeypatch, capsys):
    _, _, shanghai = moment
    site = build(project, as_of=shanghai.isoformat())
    assert cli.main(["verify", str(site)]) == 0
    assert f"as of {shanghai.isoformat()}" in capsys.readouterr().out
    dated = []
    monkeypatch.setattr(publishing, "publish", lambda root, dest, as_of, *steps, **options: dated.append(as_of) or dest)
    assert cli.main(["publish", str(tmp_path / "live")]) == 0
    assert dated == [shanghai]


def test_a_site_in_another_zone_takes_its_own_date(moment, site_project, monkeypatch, capsys):
    _, instant, _ = moment
    root = site_project({})
    (root / "mkdocs.yml").write_text(SITE_YML + "extra:\n  bulletins:\n    time_zone: America/Los_Angeles\n")
    monkeypatch.chdir(root)
    assert cli.main(["due", "--format", "json"]) == 0
    los_angeles = dt.datetime.fromisoformat(instant).astimezone(dt.timezone(dt.timedelta(hours=-8))).date()
    assert json.loads(capsys.readouterr().out)["as_of"] == los_angeles.isoformat()


@pytest.mark.parametrize("zone, instant, lifted", [
    ("UTC", "2026-11-27T16:30:00+00:00", True),  # 00:30 in Shanghai on the 28th; the machine: the 27th
    ("Pacific/Kiritimati", "2026-11-27T15:30:00+00:00", False),  # 23:30 on the 27th; the machine: the 28th
])
def test_the_build_lifts_the_embargo_at_midnight_in_shanghai(site_project, zone, instant, lifted):
    project = site_project({"2026/2026-11-20-north-shaft.md": EMBARGOED})
    env = {"TZ": zone, "BULLETINS_CLOCK_SHIFT_TO": instant,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "tests" / "clockshift"), os.environ.get("PYTHONPATH")]))}
    result = mkdocs(project, "build", as_of="", **env)
    assert result.returncode == 0, result.stderr
    assert (project / "site/bulletins/2026/2026-11-20-north-shaft/index.html").is_file() == lifted
    assert ("Seal the north shaft" in (project / "site/directives.json").read_text(encoding="utf-8")) == lifted
