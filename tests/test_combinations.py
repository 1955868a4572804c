"""Shares, recurring duties, milestones and start dates together: what the separate features never
met until they were merged (a review built them together and found each of these)."""

from __future__ import annotations

import datetime as dt

from safety_bulletins.catalog import Catalog
from safety_bulletins.commands.due import due_rows
from safety_bulletins.sources.project import load_project

D = dt.date.fromisoformat

DUTIES = """\
---
title: 关于建立月报制度的通知
date: 2026-10-08
type: notice
issuer: safety-env
---
/// directive | 按月报送台账
    id: T-M1
    units: [property, energy]
    deadline: 每月5日前
    until: 2026-12-31
///

/// directive | 锅炉房整改
    id: T-S1
    units: [property, energy]
    stages:
      - 方案报送: 2026-11-20
      - 完成整改: 2027-03-31
///

/// directive | 冬季演练
    id: T-F1
    units: [property, energy]
    from: 2026-12-08
    deadline: 2026-12-10
///
"""

REPORTS = """\
---
title: 督办通报
date: 2026-11-10
type: bulletin
---
/// follow-up | 按月报送台账
    directive: T-M1
    units: [property]
    period: 2026-11
    status: done
    date: 2026-11-04
///

/// follow-up | 按月报送台账
    directive: T-M1
    units: [energy]
    period: 2026-11
    status: done
    date: 2026-11-09
///

/// follow-up | 锅炉房整改
    directive: T-S1
    units: [energy]
    stage: 方案报送
    status: done
///

/// follow-up | 冬季演练
    directive: T-F1
    units: [property]
    status: cancelled
///
"""

LATER = """\
---
title: 十二月督办通报
date: 2027-01-10
type: bulletin
---
/// follow-up | 按月报送台账
    directive: T-M1
    units: [energy]
    period: 2026-12
    status: done
    date: 2026-12-20
///

/// follow-up | 按月报送台账
    directive: T-M1
    units: [property]
    period: 2026-12
    status: awaiting-acceptance
    date: 2026-12-04
///
"""


def catalog(bulletins_dir, as_of: str, files: dict) -> Catalog:
    project = load_project(bulletins_dir(files), D(as_of))
    assert not project.errors, project.errors
    return Catalog(project, D(as_of))


def directive(c: Catalog, directive_id: str):
    return c.directive(directive_id)


def test_a_directive_whose_shares_differ_keeps_its_rule_its_stages_and_its_start(bulletins_dir):
    c = catalog(bulletins_dir, "2026-12-06", {"2026/2026-10-08-a.md": DUTIES, "2026/2026-11-10-b.md": REPORTS})
    duty, staged, phase = directive(c, "T-M1"), directive(c, "T-S1"), directive(c, "T-F1")
    assert c.shares_of(duty) and c.shares_of(staged)  # the units' shares differ
    own = c.state_of(duty)
    assert own.recurrence is not None and own.until == D("2026-12-31") and not own.extended
    assert [p for p, _ in own.missed_periods] == ["2026-12"]  # November reported by both; December by none
    assert [name for name, _, _ in c.state_of(staged).stages] == ["方案报送", "完成整改"]
    assert not c.state_of(staged).extended  # never "extended" backwards from the last stage to the first
    assert c.state_of(phase).starts == D("2026-12-08")


def test_a_cancelled_share_is_not_counted_done(bulletins_dir):
    c = catalog(bulletins_dir, "2026-12-06", {"2026/2026-10-08-a.md": DUTIES, "2026/2026-11-10-b.md": REPORTS})
    progress = c.progress(directive(c, "T-F1"))
    assert (progress.closed, progress.total) == (0, 2)


def test_due_leaves_out_a_phase_that_has_not_started(bulletins_dir):
    c = catalog(bulletins_dir, "2026-12-06", {"2026/2026-10-08-a.md": DUTIES, "2026/2026-11-10-b.md": REPORTS})
    assert "T-F1" not in {row.id for row in due_rows(c, 7)}  # starts 12-08: "Due later" on its page too
    c = catalog(bulletins_dir, "2026-12-08", {"2026/2026-10-08-a.md": DUTIES, "2026/2026-11-10-b.md": REPORTS})
    assert {row.unit for row in due_rows(c, 7) if row.id == "T-F1"} == {"energy"}  # started; property cancelled


def test_a_period_reported_late_makes_the_duty_late_and_it_never_closes_after_the_as_of_date(bulletins_dir):
    files = {"2026/2026-10-08-a.md": DUTIES, "2026/2026-11-10-b.md": REPORTS, "2027/2027-01-10-c.md": LATER}
    c = catalog(bulletins_dir, "2027-01-12", files)
    duty = directive(c, "T-M1")
    energy, property_ = c.share(duty, "energy"), c.share(duty, "property")
    # energy reported December on 12-20, after its deadline of 12-05: done (until 12-31 has passed), but late
    assert (energy.status, energy.on_time) == ("done", False)
    assert energy.closed_on <= c.as_of
    # property's December waits for acceptance: out of its hands, never a missed occurrence
    assert "2026-12" not in [p for p, _ in property_.missed_periods]


def test_a_period_awaiting_acceptance_is_not_overdue(bulletins_dir):
    files = {"2026/2026-10-08-a.md": DUTIES, "2026/2026-11-10-b.md": REPORTS, "2027/2027-01-10-c.md": LATER}
    c = catalog(bulletins_dir, "2027-01-12", files)
    assert c.share(directive(c, "T-M1"), "property").bucket(c.as_of) != "overdue"


IMMEDIATE = """\
---
title: 关于立即排查的通知
date: 2026-10-08
type: notice
issuer: safety-env
---
/// directive | 立即排查
    id: T-I1
    units: [property, energy]
    deadline: 立即
///
"""

EXTENDED = """\
---
title: 延期
date: 2026-10-14
type: bulletin
---
/// follow-up | 立即排查
    directive: T-I1
    units: [property]
    deadline: 2026-10-30
    reason: 设备未到
///
"""


def test_check_judges_an_extension_of_immediately_with_the_sites_days(site_project, monkeypatch, capsys):
    """立即 is due immediately_days after the bulletin (10 here: 10-18): an extension on 10-14 was granted
    in time, as the build says; check counted the default 3 days (10-11) and warned it was retroactive."""
    from helpers import SITE_YML

    from safety_bulletins.commands.cli import main

    project = site_project({"2026/2026-10-08-a.md": IMMEDIATE, "2026/2026-10-14-b.md": EXTENDED})
    monkeypatch.chdir(project)
    monkeypatch.setenv("BULLETINS_TODAY", "2026-10-20")
    (project / "mkdocs.yml").write_text(SITE_YML + "extra:\n  bulletins:\n    immediately_days: 10\n", encoding="utf-8")
    assert main(["check"]) == 0
    assert "retroactive" not in capsys.readouterr().out
    (project / "mkdocs.yml").write_text(SITE_YML + "extra:\n  bulletins:\n    immediately_days: 2\n", encoding="utf-8")
    assert main(["check"]) == 0
    assert "retroactive extension" in capsys.readouterr().out  # 立即 was due 10-10: the extension came late


def test_a_change_to_some_units_shares_says_whose(bulletins_dir):
    """Two reports of November look alike on the card, in the CSV and the feeds unless they say whose
    share they report (directives.json said it; nothing a person reads did)."""
    from safety_bulletins.outputs import changes
    from safety_bulletins.outputs.labels import CHINESE, ENGLISH

    c = catalog(bulletins_dir, "2026-12-06", {"2026/2026-10-08-a.md": DUTIES, "2026/2026-11-10-b.md": REPORTS})
    history = c.state_of(c.directive("T-M1")).history
    assert [changes.describe(h, ENGLISH, c.registry) for h in history] == [
        "for Property Management Company; period 2026-11; status Open → Done",
        "for Energy Company; period 2026-11; status Open → Done"]
    assert changes.describe(history[0], CHINESE, c.registry).startswith("物业公司；")


TO_ALL = """\
---
title: 关于按月报送的通知
date: 2026-10-08
type: notice
issuer: safety-env
---
/// directive | 按月报送台账
    id: T-A1
    units: [all]
    deadline: 每月5日前
///
"""

MOST_REPORTED = """\
---
title: 督办通报
date: 2026-11-10
type: bulletin
---
/// follow-up | 按月报送台账
    directive: T-A1
    units: [safety-env, property, energy]
    period: 2026-11
    status: done
    date: 2026-11-04
///
"""


def test_a_sub_units_overdue_share_of_a_directive_to_all_counts_in_its_parents_rollup(bulletins_dir):
    """Energy reported November, its Filling Stations did not: the stations' share is overdue, and
    Energy with its sub-units (Σ, --with-subunits, its feed and calendar) must count it; the roll-up
    skipped directives to all the parent holds itself, as if every unit's share were the parent's."""
    c = catalog(bulletins_dir, "2026-11-25", {"2026/2026-10-08-a.md": TO_ALL, "2026/2026-11-10-b.md": MOST_REPORTED})
    duty = c.directive("T-A1")
    assert c.share(duty, "filling-stations").bucket(c.as_of) == "overdue"
    assert c.share(duty, "energy").bucket(c.as_of) != "overdue"
    assert c.unit_counts("filling-stations")["overdue"] == 1
    assert c.unit_counts("energy")["overdue"] == 0  # its own share is reported
    assert c.unit_counts("energy", "all")["overdue"] == 1  # with its sub-units: the stations' is not
    assert {row.unit for row in due_rows(c, 7, ["energy"], with_subunits=True)} == {"energy"}
    assert [row.id for row in due_rows(c, 7, ["energy"], with_subunits=True)] == ["T-A1"]
    # and Property, without sub-units, is as before
    assert c.unit_counts("property", "all")["overdue"] == 0
