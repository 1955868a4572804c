"""The example's quarterly safety committee (issue 21's proof): the minutes of the Group's 安全生产委员会
(12 议定事项 to units of a four-level tree: the group, its subsidiaries, their branches and centres, their
workshops and stations), the hidden-danger notice with 主送/抄送/签发人 and the 督办通报 that reports each
unit's progress, built in both languages at pinned dates and read back from what the site serves: the
pages, directives.csv (csv module), the calendars (icalendar) and the rates, each checked against the
definitions computed here from directives.json and units.yml, not from the package's own functions."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest
import yaml

from helpers import AS_OF, REPO, build_chinese_example

MINUTES = "bulletins/2026/2026-11-12-集团安全生产委员会2026年第四季度会议纪要"
NOTICE = "bulletins/2026/2026-11-16-关于开展冬季重大事故隐患专项排查整治的通知"
SUPERVISION = "bulletins/2026/2026-11-25-关于集团安委会第四季度会议议定事项落实情况的督办通报"
COMMITTEE = [f"XQST-AW-2026-Q4-{n}" for n in range(1, 13)]
# The English site at the session's as-of date, the Chinese one 12 days on: after the monthly duty's
# first occurrence (2026-12-05), which no one has reported, after several shares fell overdue, and on
# the very day the project department's 方案论证 is due (due that day is not yet due: not in the rates).
ZH_AS_OF = "2026-12-10"


# --- reading what the site serves -------------------------------------------------------------

@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list = field(default_factory=list)  # Nodes and strings

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes()):
                    found.append(child)
                found += child.all(tag, cls)
        return found

    def within(self, cls: str) -> bool:
        node = self.parent
        while node is not None:
            if cls in node.classes():
                return True
            node = node.parent
        return False


class _TreeBuilder(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.root = self.node = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in self.VOID:
            self.node = node

    def handle_endtag(self, tag):
        node = self.node
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.node = node.parent

    def handle_data(self, data):
        self.node.children.append(data)


def page(site: Path, path: str) -> Node:
    builder = _TreeBuilder()
    builder.feed((site / path / "index.html").read_text(encoding="utf-8"))
    (article,) = builder.root.all("article")
    return article


def linked_ids(node: Node) -> list[str]:
    """The directives a listing's rows link to, in order (the id is the link's anchor)."""
    return [row.all("td")[1].all("a")[0].attrs["href"].rsplit("#", 1)[1] for row in node.all("tr", "sb-row")]


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


# --- the record as data, and the definitions ----------------------------------------------------

@dataclass(frozen=True)
class Units:
    parent: dict[str, str | None]
    receives_all: set[str]

    def subtree(self, unit: str) -> set[str]:
        return {u for u in self.parent if unit in self.ancestors(u) or u == unit}

    def ancestors(self, unit: str) -> list[str]:
        line = []
        while (unit := self.parent[unit]) is not None:
            line.append(unit)
        return line


def read_units() -> Units:
    entries = [e for e in yaml.safe_load((REPO / "bulletins/units.yml").read_text(encoding="utf-8")) if "id" in e]
    return Units({e["id"]: e.get("parent") for e in entries},
                 {e["id"] for e in entries if e.get("receives_all", True)})


def responsible(directive: dict, units: Units) -> list[str]:
    return sorted(units.receives_all) if "all" in directive["units"] else directive["units"]


def share(directive: dict, unit: str) -> dict:
    """A unit's own share: its entry under `shares`, or (while every unit's share is alike) the directive's."""
    own = [s for s in directive["shares"] if s["unit"] == unit]
    return own[0] if own else {k: directive[k] for k in ("status", "deadline", "bucket", "on_time", "escalated")}


def rate(shares: list[tuple[dict, dict]], as_of: dt.date, kind: str) -> tuple[int, int, int] | None:
    """(done, done on time, due) over (directive, share) pairs of one kind of work, as supervision
    bulletins define them: due = done, or the deadline in force passed at the as-of date; cancelled
    never counts. Meeting tasks have no grade; hidden dangers have one."""
    picked = [(d, s) for d, s in shares if bool(d["grade"]) == (kind == "dangers") and s["status"] != "cancelled"]
    due = [(d, s) for d, s in picked
           if s["status"] == "done" or (s["deadline"] and dt.date.fromisoformat(s["deadline"]) < as_of)]
    if not picked:
        return None
    return (sum(s["status"] == "done" for _, s in due), sum(s["status"] == "done" and s["on_time"] is True for _, s in due),
            len(due))


def shown_rates(node: Node, language: str) -> dict[str, tuple[int, int, int]]:
    """The rates a `.sb-rates` paragraph shows: {kind: (done, on time, due)}."""
    shown = {}
    for span in node.all("span", "sb-rate"):
        kind = "dangers" if "sb-rate--dangers" in span.classes() else "tasks"
        figures = numbers(re.sub(r"\d+%", "", span.text()))  # (x of n) twice, or (n 项中 x 项) twice
        if language == "zh":
            (due, done, due_again, on_time) = figures
        else:
            (done, due, on_time, due_again) = figures
        assert due == due_again
        shown[kind] = (done, on_time, due)
    return shown


@pytest.fixture(scope="module")
def sites(example_site, tmp_path_factory) -> dict[str, tuple[Path, dt.date]]:
    chinese = build_chinese_example(tmp_path_factory.mktemp("committee") / "example", BULLETINS_TODAY=ZH_AS_OF)
    return {"en": (example_site, dt.date.fromisoformat(AS_OF)), "zh": (chinese, dt.date.fromisoformat(ZH_AS_OF))}


@pytest.fixture(params=["en", "zh"])
def built(request, sites):
    site, as_of = sites[request.param]
    directives = json.loads((site / "directives.json").read_text(encoding="utf-8"))
    assert directives["as_of"] == as_of.isoformat()
    return request.param, site, as_of, {d["id"]: d for d in directives["directives"]}


# --- the tests ------------------------------------------------------------------------------------

def test_the_units_make_a_four_level_tree_with_named_groups():
    units = read_units()
    assert units.ancestors("boiler-workshop") == ["heating", "energy", "group"]
    assert units.ancestors("zhongchuan-station") == ["filling-stations", "energy", "group"]
    assert units.ancestors("refrigeration-workshop") == ["cold-chain", "logistics", "group"]
    assert not {"group", "safety-committee", "boiler-workshop"} & units.receives_all  # the root, the committee, a workshop
    groups = {e["group"]: e["units"] for e in yaml.safe_load((REPO / "bulletins/units.yml").read_text(encoding="utf-8")) if "group" in e}
    assert groups["各二级单位"] == ["construction", "logistics", "energy", "real-estate"]


def test_the_minutes_list_each_directive_once_with_the_document_fields(built):
    language, site, as_of, directives = built
    minutes = page(site, MINUTES)
    cards = minutes.all("div", "sb-directive")
    assert [card.all("h3")[0].attrs["id"] for card in cards] == COMMITTEE  # each once, in the document's order
    assert all(directives[i]["bulletin"]["date"] == "2026-11-12" for i in COMMITTEE)
    # GB/T 9704: 主送 before the text, 签发人 beside the number, 联系人 under the signature, 抄送 and 印发 at the end
    (recipients,) = minutes.all("p", "sb-recipients")
    assert recipients.text() == "各二级单位、集团各部门："
    text = " ".join(minutes.text().split())
    for fact in ("新区商投安委〔2026〕4号", "签发人：王建民", "集团安委办 林晓", "0931-8512345",
                 "抄送：集团公司领导、集团纪委、兰州新区应急管理局。", "2026年11月13日印发"):
        assert fact in text, fact
    notice = " ".join(page(site, NOTICE).text().split())
    assert "签发人：张辉" in notice and "抄送：集团公司领导、集团安委会成员单位。" in notice and "加急" in notice
    # the register lists each once too
    register = linked_ids(page(site, "directives"))
    assert [i for i in register if i in COMMITTEE and register.count(i) != 1] == []
    assert set(COMMITTEE) <= set(register)


def test_deadlines_as_the_minutes_write_them(built):
    """月底前, 年底前, 立即, 每月5日前, 长期坚持, stages, 12月15日前, +14d: the dates they mean from 2026-11-12."""
    _, _, _, directives = built
    original = {i: directives[i]["original_deadline"] for i in COMMITTEE}
    assert original["XQST-AW-2026-Q4-1"] == "2026-11-15"  # 立即: the site's 3 days
    assert original["XQST-AW-2026-Q4-2"] == "2026-11-30"  # 月底前
    assert original["XQST-AW-2026-Q4-3"] == "2026-12-31"  # 年底前
    assert original["XQST-AW-2026-Q4-5"] is None and directives["XQST-AW-2026-Q4-5"]["bucket"] == "ongoing"  # 长期坚持
    assert original["XQST-AW-2026-Q4-7"] == "2026-12-15" and original["XQST-AW-2026-Q4-8"] == "2026-11-26"
    duty = directives["XQST-AW-2026-Q4-4"]
    assert (duty["recurrence"], duty["until"]) == ("每月5日前", "2027-12-31")
    assert [s["deadline"] for s in directives["XQST-AW-2026-Q4-6"]["stages"]] == ["2026-12-20", "2027-06-30"]


def test_each_unit_at_each_level_shows_its_own_share(built):
    """A unit's page lists a committee directive once, in the bucket of its own share (four units of
    有限空间整治: two done, two overdue, one of them escalated); each ancestor that is not responsible
    lists it once among its sub-units' directives, for the sub-units that hold it."""
    language, site, as_of, directives = built
    units = read_units()
    pages: dict[str, Node] = {}
    checked = set()
    for directive_id in COMMITTEE:
        directive = directives[directive_id]
        holders = responsible(directive, units)
        for unit in holders:
            own = pages.setdefault(unit, page(site, f"units/{unit}"))
            rows = [row for row in own.all("tr", "sb-row") if not row.within("sb-subunits")
                    and row.all("td")[1].all("a")[0].attrs["href"].endswith("#" + directive_id)]
            assert len(rows) == 1, (unit, directive_id)
            assert f"sb-row--{share(directive, unit)['bucket']}" in rows[0].classes(), (unit, directive_id)
            checked.add((unit, share(directive, unit)["bucket"]))
            for ancestor in units.ancestors(unit):
                if ancestor in holders:
                    continue
                above = pages.setdefault(ancestor, page(site, f"units/{ancestor}"))
                rows = [row for row in above.all("tr", "sb-row") if row.within("sb-subunits")
                        and row.all("td")[1].all("a")[0].attrs["href"].endswith("#" + directive_id)]
                assert len(rows) == 1, (ancestor, directive_id)
                assert unit in rows[0].attrs["data-sb-for"].split(), (ancestor, directive_id)
    assert {("construction", "closed"), ("real-estate", "overdue" if language == "zh" else "due-soon")} <= checked
    # the card says each unit's share too: 加油站分公司 late, the other two on time
    card = [c for c in page(site, MINUTES).all("div", "sb-directive") if c.all("h3")[0].attrs["id"] == "XQST-AW-2026-Q4-2"][0]
    assert {row.attrs["data-sb-unit"] for row in card.all("tr", "sb-share")} == {"construction", "logistics", "energy", "real-estate"}
    late = directives["XQST-AW-2026-Q4-1"]
    assert {s["unit"]: s["on_time"] for s in late["shares"]} == {"heating": True, "cold-chain": True, "filling-stations": False}
    assert late["status"] == "done" and late["on_time"] is False


def test_the_units_index_rolls_sub_units_up_through_four_levels(built):
    """Each unit's own open and overdue figures are its own shares; Σ under a parent is the number of
    directives that it or any unit below it (to the fourth level) holds open, each directive once."""
    language, site, as_of, directives = built
    units = read_units()

    def counted(unit_set: set[str], bucket_test) -> int:
        return sum(any(u in unit_set and bucket_test(share(d, u)["bucket"]) for u in responsible(d, units))
                   for d in directives.values())

    rows = {}
    for row in page(site, "units").all("tr", "sb-counts"):
        name = row.all("td")[0]
        unit = name.all("a")[0].attrs["href"].rstrip("/").rsplit("/", 1)[1]
        depth = re.search(r"--sb-depth: (\d+)", name.attrs.get("style", ""))
        rows[unit] = (int(depth.group(1)) if depth else 0, row.all("td")[1:3])
    assert set(rows) == set(units.parent)
    assert {u: rows[u][0] for u in ("group", "energy", "heating", "boiler-workshop")} == {
        "group": 0, "energy": 1, "heating": 2, "boiler-workshop": 3}
    for unit, (_, (open_cell, overdue_cell)) in rows.items():
        for cell, test in ((open_cell, lambda b: b != "closed"), (overdue_cell, lambda b: b == "overdue")):
            assert numbers(cell.text())[0] == counted({unit}, test), (unit, cell.text())
            rollups = cell.all("small", "sb-rollup")
            if len(units.subtree(unit)) > 1:
                assert numbers(rollups[0].text()) == [counted(units.subtree(unit), test)], (unit, cell.text())
            else:
                assert rollups == []
    assert counted(units.subtree("group"), lambda b: b != "closed") > counted(units.subtree("energy"), lambda b: b != "closed") \
        > counted(units.subtree("heating"), lambda b: b != "closed") > 0


def test_the_rates_on_each_unit_page_are_the_definitions(built):
    """办结率/整改率 = done ÷ due, 按期 = done on time ÷ due, from each unit's own shares; the group's
    figures on the units page from each directive's own state."""
    language, site, as_of, directives = built
    units = read_units()
    for unit in units.parent:
        shares = [(d, share(d, unit)) for d in directives.values() if unit in responsible(d, units)]
        # the kinds of work the unit has (meeting tasks alone, 0 of 0, when it has neither)
        expected = {kind: r for kind in ("tasks", "dangers") if (r := rate(shares, as_of, kind))} or {"tasks": (0, 0, 0)}
        about = page(site, f"units/{unit}").all("section", "sb-about")[0]
        (rates,) = about.all("p", "sb-rates")
        assert shown_rates(rates, language) == expected, unit
    whole = [(d, d) for d in directives.values()]
    group_rates = [p for p in page(site, "units").all("p", "sb-rates")][0]
    assert shown_rates(group_rates, language) == {kind: rate(whole, as_of, kind) for kind in ("tasks", "dangers")}
    # the committee's late share lowers 加油站分公司's on-time rate, not 供热分公司's
    heating = rate([(d, share(d, "heating")) for d in directives.values() if "heating" in responsible(d, units)], as_of, "tasks")
    assert heating[0] == heating[1]


def test_directives_csv_has_each_committee_directive_once_with_its_shares(built):
    language, site, as_of, directives = built
    with open(site / "directives.csv", encoding="utf-8-sig", newline="") as sheet:
        rows = list(csv.DictReader(sheet))
    id_column = "编号" if language == "zh" else "id"
    by_id = {}
    for row in rows:
        assert row[id_column] not in by_id
        by_id[row[id_column]] = row
    assert set(by_id) == set(directives)
    for directive_id in COMMITTEE:
        row, directive = by_id[directive_id], directives[directive_id]
        assert row["unit_ids"].split("; ") == directive["units"]
        assert (row["status_code"], row["bucket_code"], row["grade_code"]) == (
            directive["status"], directive["bucket"], directive["grade"] or "")
    progress = by_id["XQST-AW-2026-Q4-2"]["各单位进展" if language == "zh" else "progress"]
    if language == "zh":
        assert progress == "4 个单位中 2 个已完成，2 个逾期：能源公司、置业公司"
        assert by_id["XQST-AW-2026-Q4-2"]["责任单位"] == "建设公司、物流公司、能源公司、置业公司"
        assert by_id["XQST-AW-2026-Q4-7"]["隐患等级"] == "重大隐患" and by_id["XQST-AW-2026-Q4-7"]["验收"] == "安全环保部"
    else:
        assert progress == "2/4 done"
    duty = by_id["XQST-AW-2026-Q4-4"]
    missed = duty["未按期报送" if language == "zh" else "missed_periods"]
    assert missed == ("2026-12" if as_of > dt.date(2026, 12, 5) else "")
    # the pages of both units that owe the monthly report say which month they missed, in the row
    for unit in ("heating", "cold-chain"):
        (row,) = [r for r in page(site, f"units/{unit}").all("tr", "sb-row")
                  if r.all("td")[1].all("a")[0].attrs["href"].endswith("#XQST-AW-2026-Q4-4")]
        said = " ".join(row.text().split())
        assert ({"zh": "未按期报送 2026-12", "en": "missed 2026-12"}[language] in said) == (as_of > dt.date(2026, 12, 5)), said


def test_the_calendars_carry_the_committee_directives(built):
    language, site, as_of, directives = built

    def events(name: str) -> dict[str, icalendar.Event]:
        calendar = icalendar.Calendar.from_ical((site / "calendar" / name).read_bytes())
        return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}

    everything = events("all.ics")
    for directive_id in COMMITTEE:
        directive = directives[directive_id]
        if directive["bucket"] in ("closed", "ongoing"):
            assert directive_id not in everything
            continue
        event = everything[directive_id]
        # a recurring duty's series starts at its first occurrence, whatever was missed since
        start = directive["original_deadline"] if directive["recurrence"] else directive["deadline"]
        assert event.decoded("DTSTART") == dt.date.fromisoformat(start), directive_id
    duty = everything["XQST-AW-2026-Q4-4"]
    assert duty["RRULE"].to_ical() == b"FREQ=MONTHLY;UNTIL=20271231;BYMONTHDAY=5"
    assert duty.decoded("DTSTART") == dt.date(2026, 12, 5)  # one series, whatever is missed
    assert ("EXDATE" in duty) == (as_of > dt.date(2026, 12, 5))  # the missed month: an event of its own
    assert "XQST-AW-2026-Q4-4" in events("heating.ics") and "XQST-AW-2026-Q4-4" in events("energy.ics")  # a sub-unit's
    assert "XQST-AW-2026-Q4-4" not in events("filling-stations.ics")
    assert "XQST-AW-2026-Q4-9" in events("construction-project-1.ics") and "XQST-AW-2026-Q4-9" in events("construction.ics")
    assert "XQST-AW-2026-Q4-6" in events("zhongchuan-station.ics") and "XQST-AW-2026-Q4-6" in events("group.ics")
    assert "XQST-AW-2026-Q4-8" not in events("boiler-workshop.ics")  # accepted on 2026-11-23: closed
    # a unit's calendar holds its own share, on its own deadline (酒店公司's extended to 2027-02-28)
    units = read_units()
    for directive_id in COMMITTEE:
        directive = directives[directive_id]
        if directive["recurrence"]:
            continue
        for unit in responsible(directive, units):
            own = share(directive, unit)
            found = [e for uid, e in events(f"{unit}.ics").items() if uid in (directive_id, f"{directive_id}.{unit}")]
            if own["bucket"] in ("closed", "ongoing"):
                assert found == [], (unit, directive_id)
            else:
                assert [e.decoded("DTSTART") for e in found] == [dt.date.fromisoformat(own["deadline"])], (unit, directive_id)
    assert share(directives["XQST-AW-2026-Q4-10"], "hotel")["deadline"] == "2027-02-28"


def test_the_supervision_bulletin_reports_per_unit_progress(built):
    language, site, as_of, directives = built
    follow_ups = page(site, SUPERVISION).all(cls="sb-follow-up")
    assert len(follow_ups) == 10
    awaiting = directives["XQST-AW-2026-Q4-7"]
    assert (awaiting["status"], awaiting["accepted_by"], awaiting["grade"]) == ("awaiting-acceptance", "safety-env", "major")
    extended = {s["unit"]: s["deadline"] for s in directives["XQST-AW-2026-Q4-10"]["shares"]}
    assert extended == {"property": "2027-01-31", "hotel": "2027-02-28", "heating": "2027-01-31"}
    escalated = {s["unit"]: s["escalated"] for s in directives["XQST-AW-2026-Q4-2"]["shares"]}
    assert escalated == {"construction": False, "logistics": False, "energy": False, "real-estate": True}


def test_the_example_writes_roles_as_a_safety_office_would(built):
    """牵头, 责任领导, each unit's 责任人, 验收单位, 督办单位, 挂牌督办 with level, body and number, and a
    销号 after acceptance, as the minutes, the notice and the 督办通报 write them (Chinese option
    names), read back from directives.json, the cards, both CSVs and the calendars."""
    language, site, as_of, directives = built
    first, third, hazard, interlock = (directives[f"XQST-AW-2026-Q4-{n}"] for n in (1, 3, 7, 8))
    assert (first["owners"], first["leader"], first["supervisor"]) == (
        {"heating": "周涛", "filling-stations": "孙立新", "cold-chain": "何军"}, "张辉", "safety-env")
    assert (third["lead"], third["support"], third["units"]) == ("safety-env", ["party-mass"], ["all"])
    assert (hazard["owner"], hazard["accepting_unit"], hazard["supervisor"]) == ("制冷车间主任 马骏", "safety-env",
                                                                                "safety-committee")
    # 验收 on 11-23 by the unit named to accept, 销号 the next day in a follow-up of its own
    assert (interlock["accepting_unit"], interlock["status"], interlock["accepted_on"], interlock["closed_off_on"]) == (
        "heating", "done", "2026-11-23", "2026-11-24")
    assert interlock["history"][-1]["changes"] == {"closed_off": True}
    (escalated,) = [s for s in directives["XQST-AW-2026-Q4-2"]["shares"] if s["escalated"]]
    assert (escalated["unit"], escalated["escalation"]) == (
        "real-estate", {"level": "集团级", "by": "safety-committee", "number": "新区商投安督〔2026〕3号"})
    station = directives["XQST-2026-11-ZX3"]
    assert (station["leader"], station["accepting_unit"], station["supervisor"]) == ("孙立新", "filling-stations", "safety-env")

    # the cards say so
    def card(path: str, directive_id: str) -> str:
        (found,) = [c for c in page(site, path).all("div", "sb-directive") if c.all("h3")[0].attrs["id"] == directive_id]
        return " ".join(found.text().split())
    said = card(MINUTES, "XQST-AW-2026-Q4-1")
    assert all(name in said for name in ("周涛", "孙立新", "何军", "张辉")), said
    said = card(MINUTES, "XQST-AW-2026-Q4-8")
    assert "2026-11-24" in said or "2026年11月24日" in said, said
    assert "牵头单位安全环保部" in card(MINUTES, "XQST-AW-2026-Q4-3")  # a Chinese bulletin's card speaks Chinese
    supervision = " ".join(page(site, SUPERVISION).text().split())
    assert "新区商投安督〔2026〕3号" in supervision and "集团级" in supervision

    # directives.csv: the owners by name, and by unit id in a code column of their own
    with open(site / "directives.csv", encoding="utf-8-sig", newline="") as sheet:
        rows = {row["unit_ids"] + "|" + (row["编号"] if language == "zh" else row["id"]): row for row in csv.DictReader(sheet)}
    (row,) = [r for key, r in rows.items() if key.endswith("|XQST-AW-2026-Q4-1")]
    assert row["owners_by_unit_id"] == "heating: 周涛; filling-stations: 孙立新; cold-chain: 何军"
    if language == "zh":
        assert row["各单位责任人"] == "供热分公司：周涛、加油站分公司：孙立新、冷链仓储中心：何军"
        assert (row["责任领导"], row["督办单位"]) == ("张辉", "安全环保部")
    else:
        assert (row["owners"], row["leader"], row["supervisor"]) == (
            "heating: 周涛; filling-stations: 孙立新; cold-chain: 何军", "张辉", "safety-env")
    # directives-by-unit.csv: each unit's own 责任人 on its row
    with open(site / "directives-by-unit.csv", encoding="utf-8-sig", newline="") as sheet:
        shares = list(csv.DictReader(sheet))
    id_column, owner_column = ("编号", "责任人") if language == "zh" else ("id", "owner")
    owners = {r["unit_id"]: r[owner_column] for r in shares if r[id_column] == "XQST-AW-2026-Q4-10"}
    assert owners == {"property": "王磊", "hotel": "陈曦", "heating": "周涛"}

    # the calendars: each unit's own person on its calendar, every unit's on all.ics, and the leader
    def description(name: str, directive_id: str) -> str:
        calendar = icalendar.Calendar.from_ical((site / "calendar" / name).read_bytes())
        (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).split("@")[0] in (directive_id, f"{directive_id}.{name[:-4]}")]
        return str(event["DESCRIPTION"])
    assert "周涛" in description("heating.ics", "XQST-AW-2026-Q4-10")
    assert "王磊" not in description("heating.ics", "XQST-AW-2026-Q4-10")
    assert "陈曦" in description("hotel.ics", "XQST-AW-2026-Q4-10")
    everyone = description("all.ics", "XQST-AW-2026-Q4-10")
    assert all(name in everyone for name in ("王磊", "陈曦", "周涛")), everyone
    station_event = description("zhongchuan-station.ics", "XQST-2026-11-ZX3")
    assert "中川加油站站长 赵强" in station_event and "孙立新" in station_event
