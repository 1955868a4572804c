"""What units.yml's `since:` (the day a unit joined) means beyond the directives it owes (session 5):
a site shown as of a day before the unit joined has no trace of it, a bulletin dated before it
cannot name it, and the register's unit filter lists what the unit's page lists. Each read back
from a real build, the real command's output or the real check."""

from __future__ import annotations

import datetime as dt

from helpers import ROLE_UNITS_YML, build, site_files
from test_roles2 import JOINED

from safety_bulletins.catalog import Catalog
from safety_bulletins.model import errors_in
from safety_bulletins.sources.project import load_project

D = dt.date.fromisoformat

# the hotel joined on 12-01, below property: property's Σ counts it once it is there
JOINED_BELOW = ROLE_UNITS_YML + """\
- id: hotel
  name: Hotel Management Company
  name_zh: 酒店公司
  aliases: [酒店公司]
  parent: property
  since: 2026-12-01
- group: 各二级单位
  units: [property, energy, hotel]
"""


def test_a_site_as_of_a_day_before_a_unit_joined_has_no_trace_of_it(site_project, bulletins_dir, monkeypatch,
                                                                    capsysbinary):
    from safety_bulletins.commands.cli import main

    project = load_project(bulletins_dir(JOINED, units=JOINED_BELOW))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    assert "hotel" not in Catalog(project, D("2026-11-30")).registry.units
    assert "hotel" in Catalog(project, D("2026-12-01")).registry.units

    root = site_project(JOINED, units=JOINED_BELOW)
    before = build(root, as_of="2026-11-30", site="before")
    # no page, calendar, feed, CSV row, index entry, search record or Σ of property names it
    found = sorted(str(path.relative_to(before)) for path, data in site_files(before).items()
                   if b"hotel" in data.lower() or "酒店".encode() in data or "Hotel".encode() in data)
    assert found == [], found
    assert not (before / "units/hotel").exists() and not (before / "calendar/hotel.ics").exists()
    # the day it joined, it is there (the test above is not empty by accident)
    after = build(root, as_of="2026-12-03", site="after")
    assert (after / "units/hotel/index.html").is_file() and (after / "calendar/hotel.ics").is_file()

    monkeypatch.chdir(root)
    assert main(["due", "--as-of", "2026-11-30"]) == 0
    listed = capsysbinary.readouterr().out.decode("utf-8")
    assert "Property Management Company" in listed and "hotel" not in listed.lower(), listed
    # asked for by name, it is a usage error that says when it joined (the digest crashed with a KeyError)
    capsysbinary.readouterr()
    for command in ("due", "digest"):
        assert main([command, "--unit", "酒店公司", "--as-of", "2026-11-30"]) == 2
        said = capsysbinary.readouterr().err.decode("utf-8")
        assert "'酒店公司' joined on 2026-12-01" in said and "--as-of 2026-12-01 or later" in said, said
    assert main(["digest", "--unit", "hotel", "--as-of", "2026-12-03"]) == 0
