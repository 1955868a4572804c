"""Milestones (stages: 方案报送 by 12-20, 完成整改 by 03-31) and a phase's start (`from:`):
the deadline in force is the next open stage's, a follow-up completes one stage, a missed
stage is overdue, every stage done is the directive done; before `from:` never overdue."""

from __future__ import annotations

import datetime as dt

from safety_bulletins.catalog import Catalog
from safety_bulletins.model import errors_in
from safety_bulletins.sources.project import load_project

D = dt.date.fromisoformat
ID = "2026-11-01-plan-1"


def front(title: str, date: str) -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntype: bulletin\nissuer: safety-env\n---\nText.\n"


ISSUE = front("整改通知", "2026-11-01") + """
/// directive | 完成锅炉房隐患整改
    units: property
    stages:
      - 方案报送: 2026-12-20
      - 完成整改: 2027-03-31

The text.
///
"""
AS_LIST = ISSUE.replace("      - 方案报送: 2026-12-20\n      - 完成整改: 2027-03-31\n",
                        "      - {name: 方案报送, deadline: 12月20日前}\n      - {name: 完成整改, deadline: 2027-03-31}\n")


def stage(name: str, status: str = "done") -> str:
    return f"\n/// follow-up | {name}\n    directive: {ID}\n    stage: {name}\n    status: {status}\n\nDone.\n///\n"


def catalog(bulletins_dir, as_of: str, *follow_ups: tuple[str, str], issue: str = ISSUE):
    files = {"2026/2026-11-01-plan.md": issue}
    for n, (date, text) in enumerate(follow_ups):
        files[f"{date[:4]}/{date}-report-{n}.md"] = front("Report", date) + text
    project = load_project(bulletins_dir(files))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    result = Catalog(project, D(as_of))
    (directive,) = result.directives
    return result, directive


def test_the_first_open_stage_is_in_force_and_the_last_is_the_directives_deadline(bulletins_dir):
    for issue in (ISSUE, AS_LIST):
        result, d = catalog(bulletins_dir, "2026-12-01", issue=issue)
        state = result.state_of(d)
        assert d.deadline == D("2027-03-31") and state.deadline == D("2026-12-20") and not state.extended
        assert state.stages == (("方案报送", D("2026-12-20"), None), ("完成整改", D("2027-03-31"), None))
        assert result.bucket_of(d) == "upcoming"


def test_a_missed_stage_is_overdue(bulletins_dir):
    result, d = catalog(bulletins_dir, "2026-12-22")
    assert result.bucket_of(d) == "overdue" and result.state_of(d).days_overdue(D("2026-12-22")) == 2


def test_a_stage_done_moves_the_deadline_to_the_next(bulletins_dir):
    result, d = catalog(bulletins_dir, "2027-01-10", ("2026-12-18", stage("方案报送")))
    state = result.state_of(d)
    assert state.deadline == D("2027-03-31") and state.status == "open" and result.bucket_of(d) == "later"
    assert state.stages[0] == ("方案报送", D("2026-12-20"), D("2026-12-18"))
    assert [(c.stage, c.status) for c in state.history] == [("方案报送", ("open", "done"))]


def test_every_stage_done_is_the_directive_done_on_time_only_if_each_was(bulletins_dir):
    result, d = catalog(bulletins_dir, "2027-04-10", ("2026-12-22", stage("方案报送")), ("2027-03-30", stage("完成整改")))
    state = result.state_of(d)
    assert (state.status, state.closed_on, state.on_time) == ("done", D("2027-03-30"), False)
    assert result.bucket_of(d) == "closed"


def test_before_from_the_phase_is_not_started_and_never_overdue(bulletins_dir):
    issue = front("整改通知", "2026-11-01") + (
        "\n/// directive | 第二阶段整改\n    units: property\n    from: 2027-01-01\n    deadline: 2027-01-05\n\nThe text.\n///\n")
    result, d = catalog(bulletins_dir, "2026-12-31", issue=issue)
    assert result.bucket_of(d) == "later" and not result.state_of(d).started(D("2026-12-31"))
    result, d = catalog(bulletins_dir, "2027-01-01", issue=issue)
    assert result.bucket_of(d) == "due-soon"


def problems_of(bulletins_dir, issue: str, report: str = "") -> list[str]:
    files = {"2026/2026-11-01-plan.md": issue}
    if report:
        files["2026/2026-12-10-report.md"] = front("Report", "2026-12-10") + report
    project = load_project(bulletins_dir(files))
    return [f"{p.path.name}:{p.line}: {p.message}" for p in errors_in(project.problems)]


def test_a_stage_the_directive_does_not_have_is_an_error_at_its_line(bulletins_dir):
    (problem,) = problems_of(bulletins_dir, ISSUE, stage("方案上报"))
    assert problem == f"2026-12-10-report.md:11: 'stage': directive '{ID}' has no stage '方案上报'"


def test_stages_out_of_order_are_an_error(bulletins_dir):
    issue = ISSUE.replace("2027-03-31", "2026-12-01")
    (problem,) = problems_of(bulletins_dir, issue)
    assert problem.startswith("2026-11-01-plan.md:13: stage '完成整改' (2026-12-01) is due before the stage above it")


def test_a_real_build_lists_the_stages_with_their_state_and_a_phase_not_started(tmp_path):
    import json

    from helpers import SITE_YML, UNITS_YML, build, write_tree

    phase = ("\n/// directive | 第二阶段整改\n    id: PHASE-2\n    units: property\n    from: 2026-12-01\n"
             "    deadline: 2027-01-05\n\nThe text.\n///\n")
    project = write_tree(tmp_path / "project", {
        "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n\nWelcome.\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-11-01-plan.md": ISSUE + phase,
        "bulletins/2026/2026-11-20-report.md": front("Report", "2026-11-20") + stage("方案报送"),
    })
    site = build(project)  # as of 2026-11-28
    card = (site / "bulletins/2026/2026-11-01-plan/index.html").read_text(encoding="utf-8")
    unit = (site / "units/property/index.html").read_text(encoding="utf-8")
    # the bulletin's page in its own language (a Chinese title), the unit's page in the site's
    # stage dates as the page's other dates (the printed ledger's too): 2026年12月20日 on a Chinese page
    for page, done, starts, due, end in (
            (card, "✓ 2026年11月20日 完成", "2026-12-01</time> 开始", "2026年12月20日", "2027年3月31日"),
            (unit, "✓ done on 2026-11-20", "starts on <time datetime=\"2026-12-01\">2026-12-01</time>", "2026-12-20", "2027-03-31")):
        assert (f'<span class="sb-stage sb-stage--done">方案报送 <time datetime="2026-12-20">{due}</time> '
                f'<span class="sb-stage-done">{done}</span></span>') in page
        assert f'<span class="sb-stage sb-stage--open">完成整改 <time datetime="2027-03-31">{end}</time></span>' in page
        assert starts in page and '<span class="sb-not-started">' in page
    records = {r["id"]: r for r in json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]}
    assert records[ID]["deadline"] == "2027-03-31" and records[ID]["stages"][0]["done_on"] == "2026-11-20"
    assert (records["PHASE-2"]["starts"], records["PHASE-2"]["bucket"]) == ("2026-12-01", "later")


def test_the_review_stub_of_a_staged_directive_names_the_next_open_stage(bulletins_dir):
    from safety_bulletins.commands.scaffold import review_section

    result, _ = catalog(bulletins_dir, "2027-01-10", ("2026-12-18", stage("方案报送")))
    assert "    # stage: 完成整改 " in review_section(result)
