"""What issue 21's roles still missed (session 5): 销号 after a directive's stages are all done,
the digest and `due` naming people and never blaming a supporting unit, calendars naming the
责任人, the owner code column, units that join later, and a monthly series a missed month does not
break. Each read back from a real build or the real command's output."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from helpers import build

from safety_bulletins.catalog import Catalog
from safety_bulletins.model import errors_in
from safety_bulletins.sources.project import load_project

D = dt.date.fromisoformat


def front(title: str, date: str) -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntype: bulletin\nissuer: safety-env\n---\nText.\n"


STAGED = front("整改通知", "2026-11-01") + """
/// directive | 完成锅炉房隐患整改
    id: GL-9
    units: property
    stages:
      - 方案报送: 2026-12-20
      - 完成整改: 2027-03-31

The text.
///
"""


def _stage(name: str) -> str:
    return f"\n/// follow-up | {name}\n    directive: GL-9\n    stage: {name}\n    status: done\n\nDone.\n///\n"


CLOSE_OFF = "\n/// follow-up | 予以销号\n    directive: GL-9\n    销号: true\n\n销号。\n///\n"

STAGED_FILES = {
    "2026/2026-11-01-plan.md": STAGED,
    "2026/2026-12-18-plan-done.md": front("方案", "2026-12-18") + _stage("方案报送"),
    "2027/2027-03-30-works-done.md": front("完成", "2027-03-30") + _stage("完成整改"),
    "2027/2027-04-06-closed-off.md": front("销号", "2027-04-06") + CLOSE_OFF,
}


def test_a_directive_done_by_its_stages_can_be_closed_off_later(bulletins_dir, site_project):
    project = load_project(bulletins_dir(STAGED_FILES))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    state = Catalog(project, D("2027-04-10")).state_of(Catalog(project, D("2027-04-10")).directive("GL-9"))
    assert (state.status, state.closed_on, state.closed_off_on) == ("done", D("2027-03-30"), D("2027-04-06"))
    # before the last stage, 销号 is refused at its line: the work is not done
    early = {**STAGED_FILES, "2027/2027-03-30-works-done.md": front("完成", "2027-03-30")}  # the same folder
    problems = [f"{p.path.name}:{p.line}: {p.message}" for p in errors_in(load_project(bulletins_dir(early)).problems)]
    assert any(p.startswith("2027-04-06-closed-off.md:9: directive 'GL-9' is open: only done work is closed off")
               for p in problems), problems
    # the real build says so in directives.json, and the card shows the day
    site = build(site_project(STAGED_FILES), as_of="2027-04-10")
    (entry,) = json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]
    assert (entry["status"], entry["closed_off_on"]) == ("done", "2027-04-06")
    assert entry["history"][-1]["changes"] == {"closed_off": True}
