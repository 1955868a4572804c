"""What issue 21's roles still missed (session 5): 销号 after a directive's stages are all done,
the digest and `due` naming people and never blaming a supporting unit, calendars naming the
责任人, the owner code column, units that join later, and a monthly series a missed month does not
break. Each read back from a real build or the real command's output."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from helpers import ROLE_UNITS_YML as UNITS, build

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


# --- the digest and `due` name the people, and never blame a supporting unit ------------------------


PEOPLE = {
    "2026/2026-10-10-notice.md": """\
---
title: 关于锅炉房隐患整改的通知
date: 2026-10-10
type: notice
issuer: office
---
/// directive | 完成锅炉房隐患整改
    id: GL-1
    units: [物业公司, 能源公司]
    配合单位: [安全环保部]
    责任领导: 张辉
    责任人: {物业公司: 王磊, 能源公司: 李强}
    deadline: 2026-11-30

更换锅炉房泄爆口。
///
""",
    "2026/2026-12-01-escalation.md": """\
---
title: 挂牌督办通报
date: 2026-12-01
type: bulletin
issuer: office
---
/// follow-up | 物业公司挂牌督办
    directive: GL-1
    units: [物业公司]
    挂牌督办: {级别: 集团级, 督办单位: 集团办公室, 督办编号: 督〔2026〕5号}

挂牌。
///
""",
}


def _in(language: str):
    from helpers import SITE_YML

    def project(site_project, monkeypatch):
        root = site_project(PEOPLE, units=UNITS)
        if language == "zh":
            (root / "mkdocs.yml").write_text(SITE_YML.replace("  font: false\n", "  font: false\n  language: zh\n"),
                                             encoding="utf-8")
        monkeypatch.chdir(root)
        return root
    return project


def _run(capsysbinary, *args) -> str:
    from safety_bulletins.commands.cli import main
    assert main([*args, "--as-of", "2026-12-05"]) == 0
    return capsysbinary.readouterr().out.decode("utf-8")


def _section(text: str, heading: str) -> str:
    """The lines under a heading of the text digest, up to the next blank line."""
    return text.split("\n" + heading, 1)[1].split("\n\n", 1)[0]


def test_the_digest_lists_supported_work_apart_and_names_the_people(site_project, monkeypatch, capsysbinary):
    from html.parser import HTMLParser
    words = {"en": ("Overdue", "Supporting other units", "Owner: 王磊; Responsible leader: 张辉",
                    "[escalated (督办): 集团级 · Group Office · 督〔2026〕5号]", "0 overdue"),
             "zh": ("已逾期", "本单位配合事项", "责任人：王磊；责任领导：张辉", "[挂牌督办：集团级 · 集团办公室 · 督〔2026〕5号]",
                    "逾期 0 项")}
    for language, (overdue, supporting, people, escalated, none_overdue) in words.items():
        _in(language)(site_project, monkeypatch)
        # the supporting unit: nothing overdue of its own, the directive listed apart, no person of the others
        text = _run(capsysbinary, "digest", "--unit", "safety-env")
        assert none_overdue in text.splitlines()[0], text
        assert "GL-1" not in _section(text, overdue) and "GL-1" in _section(text, supporting), text
        assert "王磊" not in text and "李强" not in text
        # the responsible unit: its own person, the leader, and 挂牌督办's level, body and number
        text = _run(capsysbinary, "digest", "--unit", "property")
        mine = _section(text, overdue)
        assert "GL-1" in mine and people in mine and escalated in mine, text
        assert supporting not in text
        # energy's share is not escalated, and its person is its own
        text = _run(capsysbinary, "digest", "--unit", "energy")
        assert "李强" in _section(text, overdue) and "王磊" not in text and "集团级" not in text, text
        # the HTML body says the same, as text a mail reader shows
        html = _run(capsysbinary, "digest", "--unit", "property", "--format", "html")
        said = []
        parser = HTMLParser()
        parser.handle_data = said.append
        parser.feed(html)
        shown = " ".join("".join(said).split())
        assert people in shown and escalated in shown, shown
        html = _run(capsysbinary, "digest", "--unit", "safety-env", "--format", "html")
        assert html.index(supporting) < html.index("GL-1")


def test_due_names_the_people_and_escalation_in_text_and_csv(site_project, monkeypatch, capsysbinary):
    _in("en")(site_project, monkeypatch)
    text = _run(capsysbinary, "due")
    assert ("GL-1: 完成锅炉房隐患整改 [escalated: 集团级 · Group Office · 督〔2026〕5号]\n"
            "      owner: 王磊; leader: 张辉\n") in text, text
    assert "GL-1: 完成锅炉房隐患整改\n      owner: 李强; leader: 张辉\n" in text, text
    supported = text.split("Safety and Environmental Protection Department (safety-env): 0 overdue")[1].split("\n\n")[0]
    assert supported.startswith(", 0 due soon; supporting other units: 1 overdue") and "owner:" not in supported
    for language, header in (("en", ("owner", "leader", "escalation")),
                             ("zh", ("责任人", "责任领导", "挂牌督办（级别·督办单位·编号）"))):
        _in(language)(site_project, monkeypatch)
        out = _run(capsysbinary, "due", "--format", "csv")
        rows = {(r["unit_id"], r["role_code"]): r for r in csv.DictReader(io.StringIO(out.removeprefix("\ufeff")))}
        owner, leader, escalation = header
        body = "集团办公室" if language == "zh" else "Group Office"
        assert [rows["property", "responsible"][c] for c in header] == ["王磊", "张辉", f"集团级 · {body} · 督〔2026〕5号"]
        assert [rows["energy", "responsible"][c] for c in header] == ["李强", "张辉", ""]
        assert rows["safety-env", "support"][owner] == ""  # a supporting unit has no 责任人 of its own


# --- a missed month does not break the subscribed calendar's series ------------------------------------

DUTY_FILES = {
    "2026/2026-09-01-monthly.md": front("隐患排查治理月报制度", "2026-09-01") + """
/// directive | 按月报送隐患排查治理台账
    id: YB-1
    units: [物业公司]
    责任人: 王磊
    deadline: 每月5日前
    until: 2027-03-31

每月5日前报送上月台账。
///
""",
    "2026/2026-09-04-report.md": front("九月报送", "2026-09-04") + """
/// follow-up | 九月台账已报送
    directive: YB-1
    period: 2026-09
    status: 已完成

已报送。
///
""",
}


def _series(text: str):
    from icalendar import Calendar
    events = {str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(text).walk("VEVENT")}
    return events.pop("YB-1"), events


def test_a_missed_month_leaves_the_series_one_rrule_with_its_own_overdue_event(site_project, bulletins_dir, tmp_path):
    import os
    import shutil
    import subprocess

    from dateutil.rrule import rruleset, rrulestr

    from safety_bulletins.mkdocs_adapter.urls import url_rule
    from safety_bulletins.outputs.calendars import Calendars
    from safety_bulletins.outputs.labels import ENGLISH

    site = build(site_project(DUTY_FILES, units=UNITS), as_of="2026-11-28")
    ics = (site / "calendar/property.ics").read_bytes()
    series, missed = _series(ics)
    assert series.decoded("DTSTART") == D("2026-09-05")
    assert series["RRULE"].to_ical() == b"FREQ=MONTHLY;UNTIL=20270331;BYMONTHDAY=5"
    # the series a calendar expands, minus its EXDATEs, and the missed months' own events: every
    # occurrence exactly once, the missed ones on their own day and said to be missed
    expanded = rruleset()
    expanded.rrule(rrulestr(series["RRULE"].to_ical().decode(), dtstart=dt.datetime(2026, 9, 5)))
    exdates = series["EXDATE"] if isinstance(series["EXDATE"], list) else [series["EXDATE"]]
    for exdate in exdates:
        for day in exdate.dts:
            expanded.exdate(dt.datetime.combine(day.dt, dt.time()))
    in_series = [day.date() for day in expanded]
    assert in_series == [D("2026-09-05"), D("2026-12-05"), D("2027-01-05"), D("2027-02-05"), D("2027-03-05")]
    assert {uid: e.decoded("DTSTART") for uid, e in missed.items()} == {
        "YB-1.2026-10": D("2026-10-05"), "YB-1.2026-11": D("2026-11-05")}
    assert all("(missed 2026-1" in str(e["SUMMARY"]) for e in missed.values())
    assert sorted(in_series + [e.decoded("DTSTART") for e in missed.values()]) == [
        D(f"{y}-{m:02d}-05") for y, m in ((2026, 9), (2026, 10), (2026, 11), (2026, 12), (2027, 1), (2027, 2), (2027, 3))]
    assert "王磊" in str(series["DESCRIPTION"])  # the 责任人, on the unit's calendar
    # twelve days on, December missed too: the same series (DTSTART, RRULE, UID), one more EXDATE
    catalog = Catalog(load_project(bulletins_dir(DUTY_FILES, units=UNITS)), D("2026-12-10"))
    later, missed_later = _series(Calendars(catalog, ENGLISH, url_rule(True)).files["calendar/property.ics"])
    assert (later.decoded("DTSTART"), later["RRULE"].to_ical()) == (series.decoded("DTSTART"), series["RRULE"].to_ical())
    assert later["EXDATE"].to_ical() == b"20261005,20261105,20261205" and "YB-1.2026-12" in missed_later

    # calcurse (a real calendar program) reads it so: on a missed day the overdue event only, once;
    # on a day to come the series' occurrence
    calcurse = shutil.which("calcurse")
    if calcurse is None:
        assert os.environ.get("CI") != "true", "calcurse is missing: CI must install it (./dev test does)"
        return
    data = tmp_path / "calcurse"
    data.mkdir()
    (tmp_path / "property.ics").write_bytes(ics)
    env = {**os.environ, "TZ": "Asia/Shanghai", "LC_ALL": "C.UTF-8", "HOME": str(tmp_path)}

    def run(*args: str) -> str:
        result = subprocess.run([calcurse, "-D", str(data), *args], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("-i", str(tmp_path / "property.ics"))

    def on(day: str) -> list[str]:
        shown = run("--input-datefmt", "4", "-Q", "--from", day, "--days", "1", "--format-event", " * %m\n")
        return [line for line in shown.splitlines() if line.startswith(" * ")]

    assert on("2026-10-05") == [" * 按月报送隐患排查治理台账 (missed 2026-10)"]
    assert on("2026-11-05") == [" * 按月报送隐患排查治理台账 (missed 2026-11)"]
    assert on("2027-01-05") == [" * 按月报送隐患排查治理台账"]
    assert on("2026-09-05") == [" * 按月报送隐患排查治理台账"]


# --- a unit added later does not owe what was issued to all before it joined ------------------------------

JOINED_UNITS = UNITS + """\
- id: hotel
  name: Hotel Management Company
  name_zh: 酒店公司
  aliases: [酒店公司]
  since: 2026-12-01
- group: 各二级单位
  units: [property, energy, hotel]
"""

JOINED = {
    "2026/2026-11-20-notice.md": """\
---
title: 关于开展应急演练的通知
date: 2026-11-20
type: notice
issuer: office
---
/// directive | 报送应急演练方案
    id: YJ-1
    units: all
    deadline: 2026-12-04

各单位报送方案。
///

/// directive | 开展有限空间辨识
    id: YJ-2
    units: 各二级单位
    deadline: 2026-12-06

各二级单位开展辨识。
///
""",
    "2026/2026-12-03-notice.md": """\
---
title: 关于报送年度总结的通知
date: 2026-12-03
type: notice
issuer: office
---
/// directive | 报送年度安全生产工作总结
    id: ZJ-1
    units: all
    deadline: 2026-12-20

各单位报送总结。
///

/// directive | 开展冬季消防检查
    id: ZJ-2
    units: 各二级单位
    deadline: 2026-12-21

各二级单位开展检查。
///
""",
}


def test_a_unit_that_joined_later_does_not_owe_earlier_directives_to_all_or_a_group(site_project, bulletins_dir):
    from html.parser import HTMLParser

    from icalendar import Calendar

    project = load_project(bulletins_dir(JOINED, units=JOINED_UNITS))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    catalog = Catalog(project, D("2026-12-10"))
    assert "hotel" not in catalog.directive("YJ-1").responsible and "hotel" not in catalog.directive("YJ-2").responsible
    assert "hotel" in catalog.directive("ZJ-1").responsible and "hotel" in catalog.directive("ZJ-2").responsible
    assert "property" in catalog.directive("YJ-1").responsible  # the others owe both

    site = build(site_project(JOINED, units=JOINED_UNITS), as_of="2026-12-10")

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids = []

        def handle_starttag(self, tag, attrs):
            href = dict(attrs).get("href") or ""
            if tag == "a" and "#" in href and href.rsplit("#", 1)[1] in ("YJ-1", "YJ-2", "ZJ-1", "ZJ-2"):
                self.ids.append(href.rsplit("#", 1)[1])

    def listed(unit: str) -> set[str]:
        rows = Rows()
        rows.feed((site / f"units/{unit}/index.html").read_text(encoding="utf-8"))
        return set(rows.ids)

    assert listed("hotel") == {"ZJ-1", "ZJ-2"} and listed("property") == {"YJ-1", "YJ-2", "ZJ-1", "ZJ-2"}
    # its counts: nothing overdue (ZJ-1 and ZJ-2 are not due yet), while property has the two of 11-20
    by_unit = list(csv.DictReader(io.StringIO((site / "directives-by-unit.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r["id"] for r in by_unit if r["unit"] == "hotel") == ["ZJ-1", "ZJ-2"]
    assert sorted(r["id"] for r in by_unit if r["unit"] == "property" and r["bucket"] == "overdue") == ["YJ-1", "YJ-2"]
    calendar = Calendar.from_ical((site / "calendar/hotel.ics").read_bytes())
    assert sorted(str(e["UID"]).split("@")[0] for e in calendar.walk("VEVENT")) == ["ZJ-1", "ZJ-2"]


def test_a_units_start_date_that_is_not_a_date_is_an_error_at_its_line(bulletins_dir):
    units = JOINED_UNITS.replace("since: 2026-12-01", "since: 12月1日")
    problems = [f"{p.path.name}:{p.line}: {p.message}" for p in errors_in(load_project(bulletins_dir(JOINED, units=units)).problems)]
    assert any(p.startswith("units.yml:21: since: '12月1日' is not a date") for p in problems), problems


def test_a_units_calendar_names_its_own_person_escaped_for_icalendar(bulletins_dir):
    """Shares alike (no follow-up names units): the directive's one event on all.ics names every unit's
    责任人, each unit's calendar only its own; commas, semicolons and backslashes read back as written."""
    from icalendar import Calendar

    from safety_bulletins.mkdocs_adapter.urls import url_rule
    from safety_bulletins.outputs.calendars import Calendars
    from safety_bulletins.outputs.labels import ENGLISH

    notice = PEOPLE["2026/2026-10-10-notice.md"].replace(
        "{物业公司: 王磊, 能源公司: 李强}", '{物业公司: "王磊, 副经理; 值班\\\\A", 能源公司: 李强}').replace(
        "责任领导: 张辉", '责任领导: "张辉; 分管副总"')
    project = load_project(bulletins_dir({"2026/2026-10-10-notice.md": notice}, units=UNITS))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    files = Calendars(Catalog(project, D("2026-11-20")), ENGLISH, url_rule(True)).files

    def description(name: str) -> list[str]:
        (event,) = Calendar.from_ical(files[f"calendar/{name}.ics"]).walk("VEVENT")
        assert str(event["UID"]) == "GL-1@safety-bulletins"  # the directive's one UID on every calendar
        return str(event["DESCRIPTION"]).split("\n")

    assert "Owner: 王磊, 副经理; 值班\\A" in description("property")
    assert "Owner: 李强" in description("energy") and not any("王磊" in line for line in description("energy"))
    assert "Owner per unit: Property Management Company: 王磊, 副经理; 值班\\A, Energy Company: 李强" in description("all")
    assert "Responsible leader: 张辉; 分管副总" in description("all")
    assert "王磊" not in files["calendar/safety-env.ics"]  # a supporting unit's calendar holds no other unit's work
