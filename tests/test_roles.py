"""Roles and people (issue 21): a directive's lead (牵头), responsible (责任), cooperating (配合),
accepting (验收) and supervising (督办) units, its responsible leader (责任领导) and a person per unit
(责任人); 挂牌督办 with its level, body and number; acceptance (验收) and closing off (销号) as
events of their own, each on its day."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from helpers import ROLE_UNITS_YML as UNITS, build

from safety_bulletins.catalog import Catalog
from safety_bulletins.commands.due import due_rows
from safety_bulletins.model import errors_in
from safety_bulletins.sources.project import load_project

D = dt.date.fromisoformat


NOTICE = """\
---
title: 关于锅炉房隐患整改的通知
date: 2026-10-10
type: notice
issuer: office
---
/// directive | 完成锅炉房隐患整改
    id: GL-1
    units: [物业公司]
    support: [安全环保部]
    lead: 能源公司
    accepting_unit: 安全环保部
    supervisor: office
    leader: 张辉
    owner: {物业公司: 王磊, 能源公司: 李强, 安全环保部: 赵敏}
    deadline: 2026-11-30
    grade: 重大

更换锅炉房泄爆口和燃气报警器。
///

/// directive | 配合检查消防通道
    id: XF-1
    units: [property]
    support: [energy]
    owner: Zhou Li
    deadline: 2026-11-01

Clear the fire lanes.
///
"""

def _bulletin(day: str, title: str, block: str) -> str:
    return f"---\ntitle: {title}\ndate: {day}\ntype: bulletin\nissuer: office\n---\n{block}"


ESCALATION = _bulletin("2026-10-20", "挂牌督办通报", """/// follow-up | 挂牌督办
    directive: GL-1
    escalate: {级别: 集团级, 督办单位: 集团办公室, 督办编号: 督〔2026〕5号}

挂牌。
///
""")

ACCEPTANCE = _bulletin("2026-11-15", "验收通报", """/// follow-up | 验收合格
    directive: GL-1
    status: done
    accepted_by: 安全环保部

合格。
///
""")

CLOSING = _bulletin("2026-11-20", "销号通报", """/// follow-up | 予以销号
    directive: GL-1
    closed_off: true

销号。
///
""")

FILES = {"2026/2026-10-10-notice.md": NOTICE, "2026/2026-10-20-escalation.md": ESCALATION,
         "2026/2026-11-15-acceptance.md": ACCEPTANCE, "2026/2026-11-20-closing.md": CLOSING}


def _project(bulletins_dir, files):
    return load_project(bulletins_dir(files, units=UNITS))


def _catalog(bulletins_dir, day: str, files=FILES) -> Catalog:
    project = _project(bulletins_dir, files)
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    return Catalog(project, D(day))


def _errors(bulletins_dir, files) -> list[str]:
    return [str(p) for p in errors_in(_project(bulletins_dir, files).problems)]


def test_roles_and_people_are_read_as_the_document_writes_them(bulletins_dir):
    c = _catalog(bulletins_dir, "2026-11-28")
    d = c.directive("GL-1")
    # the lead unit is responsible (named to lead, it becomes one), and keeps its role
    assert (d.units, d.responsible, d.lead) == (("property", "energy"), ("property", "energy"), "energy")
    assert (d.support, d.accepting_unit, d.supervisor) == (("safety-env",), "safety-env", "office")
    assert d.details["leader"] == "张辉"
    assert d.owners == (("property", "王磊"), ("energy", "李强"), ("safety-env", "赵敏"))
    assert (d.owner_of("energy"), d.owner_of("office")) == ("李强", "")
    assert c.directive("XF-1").owner_of("property") == "Zhou Li"  # the one owner stands for every unit


def test_the_accepting_unit_named_at_issue_is_to_accept_the_work(bulletins_dir):
    awaiting = ACCEPTANCE.replace("    status: done\n    accepted_by: 安全环保部\n", "    status: awaiting-acceptance\n")
    notice = NOTICE.replace("    support: [安全环保部]\n", "").replace(", 安全环保部: 赵敏", "")
    files = {**FILES, "2026/2026-10-10-notice.md": notice, "2026/2026-11-15-acceptance.md": awaiting}
    del files["2026/2026-11-20-closing.md"]
    c = _catalog(bulletins_dir, "2026-11-28", files)
    d = c.directive("GL-1")
    assert c.state_of(d).acceptor == "safety-env"  # not the issuer (office)
    assert [e.role for e in c.for_unit("safety-env") if e.directive.id == "GL-1"] == ["acceptance"]
    assert not [e for e in c.for_unit("office") if e.directive.id == "GL-1"]


def test_acceptance_and_closing_off_are_events_with_their_own_days(bulletins_dir):
    before = _catalog(bulletins_dir, "2026-11-16")  # accepted, not yet closed off: the 销号 is dated 11-20
    s = before.state_of(before.directive("GL-1"))
    assert (s.status, s.accepted_by, s.accepted_on, s.closed_off_on) == ("done", "safety-env", D("2026-11-15"), None)
    # rectified (整改率) once done and accepted: the 销号 that follows changes no rate
    assert before.unit_rates("property").dangers.closed == 1
    after = _catalog(bulletins_dir, "2026-11-28")
    s = after.state_of(after.directive("GL-1"))
    assert (s.accepted_on, s.closed_off_on, s.closed_on) == (D("2026-11-15"), D("2026-11-20"), D("2026-11-15"))
    assert [bool(change.closed_off) for change in s.history] == [False, False, True]
    assert after.unit_rates("property") == before.unit_rates("property")
    # escalation ends with the closing; its parts are in the history
    assert not s.escalated and s.history[0].escalation.number == "督〔2026〕5号"
    assert s.history[0].escalation.by == "office"  # the body by its unit id: 集团办公室 is a unit


def test_escalation_carries_its_level_body_and_number(bulletins_dir):
    c = _catalog(bulletins_dir, "2026-11-01")
    s = c.state_of(c.directive("GL-1"))
    assert s.escalated and (s.escalation.level, s.escalation.by, s.escalation.number) == (
        "集团级", "office", "督〔2026〕5号")


def test_a_cooperating_unit_is_never_blamed(bulletins_dir):
    """XF-1 is overdue on 2026-11-28: the property company answers for it, energy only cooperates."""
    c = _catalog(bulletins_dir, "2026-11-28")
    xf = c.directive("XF-1")
    assert c.bucket_of(xf) == "overdue"
    energy = [e for e in c.for_unit("energy") if e.directive.id == "XF-1"]
    assert [e.role for e in energy] == ["support"]
    counts = c.unit_counts("energy")
    assert counts["overdue"] == 0 and counts["support-overdue"] == 1
    assert c.oldest_overdue(c.for_unit("energy")) is None
    rates = c.unit_rates("energy")
    assert rates.tasks.due == 0 and rates.tasks.counted == 0  # not in its rates at all
    assert c.unit_counts("property")["overdue"] == 1 and c.unit_rates("property").tasks.due == 1
    rows = [r for r in due_rows(c, 7) if r.id == "XF-1"]
    assert {(r.unit, r.role) for r in rows} == {("property", "responsible"), ("energy", "support")}


def test_a_lead_unit_that_only_cooperates_is_an_error_at_its_line(bulletins_dir):
    text = NOTICE.replace("    lead: 能源公司\n", "    lead: 安全环保部\n")
    errors = _errors(bulletins_dir, {"2026/2026-10-10-notice.md": text})
    assert any(":11: error: the lead unit 'safety-env' is also a supporting unit" in e for e in errors), errors


def test_a_lead_is_one_unit(bulletins_dir):
    for wrong in ("[能源公司, 物业公司]", "all"):
        text = NOTICE.replace("    lead: 能源公司\n", f"    lead: {wrong}\n")
        errors = _errors(bulletins_dir, {"2026/2026-10-10-notice.md": text})
        assert any(":11: error: 'lead' names one unit" in e for e in errors), errors


def test_an_owner_of_a_unit_the_directive_has_not_is_an_error_at_its_line(bulletins_dir):
    text = NOTICE.replace("    owner: {物业公司: 王磊, 能源公司: 李强, 安全环保部: 赵敏}\n",
                          "    owner:\n      物业公司: 王磊\n      集团办公室: 孙丽\n      能源公: 李强\n")
    errors = _errors(bulletins_dir, {"2026/2026-10-10-notice.md": text})
    assert any(":17: error: 'owner': '集团办公室' is not a unit of the directive" in e
               and "Name each of its units" in e for e in errors), errors
    assert any(":18: error: 'owner': '能源公' is not a unit of the directive" in e
               and "Did you mean 'energy'" in e for e in errors), errors


def test_escalation_and_closing_off_errors_name_the_line(bulletins_dir):
    cases = {
        "    escalate: {级别: 集团级, 文号: 督5}\n": ":9: error: unknown field '文号' in 'escalate'",
        "    escalate: 省级\n": ":9: error: 'escalate' must be true or false, or the level",
        "    escalate: {level: 省级, by: all}\n": ":9: error: 'escalate': the supervising body cannot be 'all'",
    }
    for option, message in cases.items():
        text = ESCALATION.replace("    escalate: {级别: 集团级, 督办单位: 集团办公室, 督办编号: 督〔2026〕5号}\n", option)
        errors = _errors(bulletins_dir, {**FILES, "2026/2026-10-20-escalation.md": text})
        assert any(message in e for e in errors), (option, errors)
    early = ACCEPTANCE.replace("    status: done\n    accepted_by: 安全环保部\n", "    status: in-progress\n")
    errors = _errors(bulletins_dir, {**FILES, "2026/2026-11-15-acceptance.md": early})
    assert any("2026-11-20-closing.md:7: error: directive 'GL-1' is in-progress: only done work is closed off (销号)"
               in e for e in errors), errors
    twice = CLOSING + "\n/// follow-up | 再次销号\n    directive: GL-1\n    closed_off: true\n\n再次。\n///\n"
    errors = _errors(bulletins_dir, {**FILES, "2026/2026-11-20-closing.md": twice})
    assert any(":14: error: directive 'GL-1' was already closed off (销号) on 2026-11-20" in e for e in errors), errors
    not_true = CLOSING.replace("closed_off: true", "closed_off: 2026-11-20")
    errors = _errors(bulletins_dir, {**FILES, "2026/2026-11-20-closing.md": not_true})
    assert any(":9: error: 'closed_off' must be true" in e for e in errors), errors


def test_yixiaohao_closes_off_as_it_closes(bulletins_dir):
    """`status: 已销号` (as a 督办通报 writes it) is done and closed off that day."""
    files = {**FILES, "2026/2026-11-15-acceptance.md": ACCEPTANCE.replace("    status: done\n", "    status: 已销号\n")}
    del files["2026/2026-11-20-closing.md"]
    c = _catalog(bulletins_dir, "2026-11-28", files)
    s = c.state_of(c.directive("GL-1"))
    assert (s.status, s.accepted_on, s.closed_off_on) == ("done", D("2026-11-15"), D("2026-11-15"))


def test_a_real_build_shows_roles_people_escalation_and_closing(site_project):
    project = site_project(FILES, units=UNITS)
    site = build(project, as_of="2026-11-28")
    page = (site / "bulletins/2026/2026-10-10-notice/index.html").read_text(encoding="utf-8")
    card = page[page.index('id="GL-1"'):page.index('id="XF-1"')]
    # the card (a Chinese bulletin: its facts in Chinese)
    for fact in ("牵头单位", "能源公司", "验收", "督办单位", "集团办公室", "责任领导", "张辉",
                 "物业公司：王磊、能源公司：李强、安全环保部：赵敏", "2026年11月15日", "销号", "2026年11月20日",
                 "挂牌督办：集团级 · 集团办公室 · 督〔2026〕5号", "已销号"):
        assert fact in card, fact
    assert 'class="sb-closed-off-on" datetime="2026-11-20"' in card
    assert 'class="sb-accepted-on" datetime="2026-11-15"' in card
    # each unit's page: that unit's person in the row (the printed ledger's 责任单位/责任人)
    for unit, person, others in (("property", "王磊", "李强"), ("energy", "李强", "王磊")):
        unit_page = (site / f"units/{unit}/index.html").read_text(encoding="utf-8")
        row = unit_page[unit_page.index("完成锅炉房隐患整改"):]
        row = row[:row.index("</tr>")]
        assert f"<td>{person}</td>" in row and others not in row, (unit, row)
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    assert "Property Management Company: 王磊, Energy Company: 李强" in register
    # directives.json and directives.csv
    records = {r["id"]: r for r in json.loads((site / "directives.json").read_text())["directives"]}
    gl = records["GL-1"]
    assert (gl["lead"], gl["accepting_unit"], gl["supervisor"], gl["leader"]) == ("energy", "safety-env", "office", "张辉")
    assert gl["owners"] == {"property": "王磊", "energy": "李强", "safety-env": "赵敏"}
    assert (gl["accepted_on"], gl["closed_off_on"], gl["escalation"]) == ("2026-11-15", "2026-11-20", None)
    assert gl["history"][0]["changes"]["escalation"] == {"level": "集团级", "by": "office", "number": "督〔2026〕5号"}
    assert gl["history"][2]["changes"] == {"closed_off": True}
    assert records["XF-1"]["owners"] == {} and records["XF-1"]["owner"] == "Zhou Li"
    table = {r["id"]: r for r in csv.DictReader(io.StringIO((site / "directives.csv").read_text(encoding="utf-8-sig")))}
    row = table["GL-1"]
    assert (row["lead"], row["owners"], row["closed_off_on"]) == ("energy", "property: 王磊; energy: 李强; safety-env: 赵敏",
                                                                "2026-11-20")
    assert (row["lead_id"], row["accepting_unit_id"], row["supervisor_id"]) == ("energy", "safety-env", "office")
    assert "closed off (销号)" in row["history"] and "督〔2026〕5号" in row["history"]


def test_a_real_build_shows_escalation_in_the_calendar_and_feeds(site_project):
    project = site_project(FILES, units=UNITS)
    site = build(project, as_of="2026-11-01")
    records = {r["id"]: r for r in json.loads((site / "directives.json").read_text())["directives"]}
    assert records["GL-1"]["escalation"] == {"level": "集团级", "by": "office", "number": "督〔2026〕5号"}
    ics = (site / "calendar/property.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
    assert "Under supervision (escalated): 集团级 · Group Office · 督〔2026〕5号" in ics
    page = (site / "bulletins/2026/2026-10-10-notice/index.html").read_text(encoding="utf-8")
    assert 'class="sb-escalation">集团级 · 集团办公室 · 督〔2026〕5号<' in page
    # before any acceptance, the card names the unit that is to accept it
    assert '<dt>验收单位</dt><dd><a class="sb-unit" href="../../../units/safety-env/">安全环保部</a></dd>' in page
    feed = (site / "feeds/units/property.xml").read_text(encoding="utf-8")
    assert "集团级 · Group Office · 督〔2026〕5号" in feed


def test_a_cooperating_units_page_lists_its_supported_work_apart_never_as_overdue(site_project):
    """XF-1 is 27 days overdue on 2026-11-28: on the property company's page under Overdue; on the
    energy company's, which only cooperates (配合), in its own section, whatever the date."""
    site = build(site_project(FILES, units=UNITS), as_of="2026-11-28")
    energy = (site / "units/energy/index.html").read_text(encoding="utf-8")
    assert 'data-sb-count="overdue">0<' in energy
    supported = energy[energy.index('<section class="sb-bucket" data-sb-bucket="support">'):]
    supported = supported[:supported.index("</section>")]
    assert "Supported by this unit (open)" in supported and "配合检查消防通道" in supported
    assert energy.count("配合检查消防通道") == 1  # that row, in no other section
    assert 'data-sb-bucket="overdue"' not in energy  # nothing of its own is dated (GL-1 is done)
    assert '<option value="support">Supported by this unit (open)</option>' in energy  # the filter offers it
    assert '<option value="overdue">' not in energy
    prop = (site / "units/property/index.html").read_text(encoding="utf-8")
    overdue = prop[prop.index('data-sb-bucket="overdue"'):]
    assert "配合检查消防通道" in overdue[:overdue.index("</section>")] and 'data-sb-count="overdue">1<' in prop


def test_roles_may_be_written_with_the_documents_chinese_names(bulletins_dir):
    notice = (NOTICE.replace("    units: [物业公司]\n", "    责任单位: [物业公司]\n")
              .replace("    support: [安全环保部]\n", "    配合单位: [安全环保部]\n")
              .replace("    lead: 能源公司\n", "    牵头单位: 能源公司\n")
              .replace("    accepting_unit: 安全环保部\n", "    验收单位: 安全环保部\n")
              .replace("    supervisor: office\n", "    督办单位: office\n")
              .replace("    leader: 张辉\n", "    责任领导: 张辉\n")
              .replace("    owner: {", "    责任人: {"))
    escalation = ESCALATION.replace("    escalate: {", "    挂牌督办: {")
    closing = CLOSING.replace("    closed_off: true", "    销号: true")
    c = _catalog(bulletins_dir, "2026-11-28", {**FILES, "2026/2026-10-10-notice.md": notice,
                                               "2026/2026-10-20-escalation.md": escalation,
                                               "2026/2026-11-20-closing.md": closing})
    d = c.directive("GL-1")
    assert (d.units, d.support, d.lead, d.accepting_unit, d.supervisor) == (
        ("property", "energy"), ("safety-env",), "energy", "safety-env", "office")
    assert (d.details["leader"], d.owner_of("property")) == ("张辉", "王磊")
    s = c.state_of(d)
    assert s.closed_off_on == D("2026-11-20") and s.history[0].escalation.level == "集团级"
    # one option under both its names is an error at the second
    twice = notice.replace("    牵头单位: 能源公司\n", "    牵头单位: 能源公司\n    lead: 能源公司\n")
    errors = _errors(bulletins_dir, {**FILES, "2026/2026-10-10-notice.md": twice})
    assert any(":12: error: option 'lead' is written twice, as '牵头单位' and as 'lead'" in e for e in errors), errors


def test_yixiaohao_after_acceptance_closes_off_a_done_directive(bulletins_dir):
    """The 销号 in a later bulletin, written `status: 已销号` as the 督办通报 says it: the directive is
    done already, and this only closes it off (no 'reopen' asked for)."""
    closing = CLOSING.replace("    closed_off: true", "    status: 已销号")
    c = _catalog(bulletins_dir, "2026-11-28", {**FILES, "2026/2026-11-20-closing.md": closing})
    s = c.state_of(c.directive("GL-1"))
    assert (s.status, s.accepted_on, s.closed_off_on) == ("done", D("2026-11-15"), D("2026-11-20"))
    # anything else it changed on a closed directive is still refused
    changed = CLOSING.replace("    closed_off: true", "    status: 已销号\n    accepted_by: 集团办公室")
    errors = _errors(bulletins_dir, {**FILES, "2026/2026-11-20-closing.md": changed})
    assert any(":7: error: directive 'GL-1' is already done by 2026-11-20" in e for e in errors), errors
