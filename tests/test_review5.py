"""The fifth session's hostile review of roles, shares, recurring duties and the workbook: each
test is a defect found by attacking them, fixed (bad-input cases are in tests/catalogue/rev5-*)."""

from __future__ import annotations

import io

import openpyxl
import pytest
import xlsxwriter

from safety_bulletins.outputs.labels import for_language
from safety_bulletins.outputs.workbook import _Formats, _sheet

CELL_LIMIT = 32767  # characters (UTF-16 units) Excel holds in a cell


def _one_cell_workbook(value: str, language: str) -> str:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    _sheet(book, "S", ("text",), {"text": "text"}, [{"text": value}], _Formats(book, for_language(language)))
    book.close()
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))["S"]["A2"].value


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("language, note", [("en", "cut at Excel's limit"), ("zh", "以下从略")])
@pytest.mark.parametrize("character", ["隐", "𠀀"])  # one UTF-16 unit, and two (beyond U+FFFF)
def test_a_text_longer_than_a_cell_holds_is_cut_with_a_note_saying_so(language, note, character):
    """XlsxWriter cut a text at 32,767 characters without a word: a reader of the workbook took a
    directive's text (or its history) as whole. Now the cell ends with a note, in the site's language."""
    text = "开头" + character * 40_000 + "结尾"
    cell = _one_cell_workbook(text, language)
    assert note in cell and cell.endswith(("]", "〕")) and "结尾" not in cell
    kept = cell[:cell.index("…")]
    assert text.startswith(kept) and len(kept) > 16_000, len(kept)
    assert _utf16(cell) <= CELL_LIMIT, _utf16(cell)


@pytest.mark.parametrize("length", [CELL_LIMIT, CELL_LIMIT // 2 + 1])
def test_a_text_a_cell_holds_is_whole(length):
    text = "a" * length
    assert _one_cell_workbook(text, "en") == text
    astral = "𠀀" * (CELL_LIMIT // 2)  # 32,766 units
    assert _one_cell_workbook(astral, "zh") == astral


PER_UNIT_OWNERS = """\
---
title: Special meeting on production safety
date: 2021-05-25
type: minutes
issuer: safety-env
---
/// directive | Clear the fire exits
    id: S-1
    units: [property, energy]
    support: [safety-env]
    owner: {property: Wang Lei, energy: Li Qiang, safety-env: Zhao Liu}
    deadline: 2021-06-10

Clear them.
///
"""


def _sheets(files: dict[str, str], as_of, language: str = "en") -> dict[str, list[dict]]:
    import datetime as dt

    from helpers import UNITS_YML, URLS, write_tree
    from safety_bulletins.outputs.export import directives_json
    from safety_bulletins.outputs.workbook import directives_xlsx
    from safety_bulletins.site_build.sitebuild import SiteBuild

    root = write_tree(_sheets.tmp / "bulletins", {"units.yml": UNITS_YML, **files})
    build = SiteBuild.load(root, dt.date.fromisoformat(as_of), urls=URLS)
    assert not build.project.errors, build.project.errors
    records = directives_json(build.catalog, URLS)["directives"]
    book = openpyxl.load_workbook(io.BytesIO(directives_xlsx(records, build.catalog, for_language(language))))
    sheets = {}
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        sheets[sheet.title] = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    return sheets


def test_the_meeting_sheets_show_each_unit_s_owner(tmp_path):
    """责任人 written per unit: the unit page's row shows that unit's person, but the workbook's
    'Overdue' and 'Open, by unit' sheets showed an empty owner column (they read the directive's
    one owner only)."""
    _sheets.tmp = tmp_path
    sheets = _sheets({"2021/2021-05-25-meeting.md": PER_UNIT_OWNERS}, "2021-06-20")
    assert [(r["unit_id"], r["owner"]) for r in sheets["Open, by unit"]] == [
        ("safety-env", "Zhao Liu"), ("property", "Wang Lei"), ("energy", "Li Qiang")]
    (overdue,) = sheets["Overdue"]
    assert overdue["owner"] == "property: Wang Lei; energy: Li Qiang; safety-env: Zhao Liu"


def test_a_unit_without_its_own_person_shows_the_directive_s_owner(tmp_path):
    _sheets.tmp = tmp_path
    one_owner = PER_UNIT_OWNERS.replace("owner: {property: Wang Lei, energy: Li Qiang, safety-env: Zhao Liu}",
                                        "owner: Wang Jianmin")
    sheets = _sheets({"2021/2021-05-25-meeting.md": one_owner}, "2021-06-20")
    assert {r["owner"] for r in sheets["Open, by unit"]} == {"Wang Jianmin"}
    assert sheets["Overdue"][0]["owner"] == "Wang Jianmin"


def test_directives_by_unit_csv_names_each_unit_s_owner(tmp_path):
    """The unit's ledger (a unit filters directives-by-unit.csv for its 督办台账) had no 责任人, while
    its unit page's row shows that unit's person."""
    import csv
    import datetime as dt

    from helpers import UNITS_YML, URLS, write_tree
    from safety_bulletins.outputs.export import share_records
    from safety_bulletins.outputs.spreadsheet import directives_by_unit_csv
    from safety_bulletins.site_build.sitebuild import SiteBuild

    one_owner = PER_UNIT_OWNERS.replace("id: S-1", "id: S-2").replace(
        "owner: {property: Wang Lei, energy: Li Qiang, safety-env: Zhao Liu}", "owner: Wang Jianmin")
    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": PER_UNIT_OWNERS,
                                               "2021/2021-05-26-meeting.md": one_owner})
    build = SiteBuild.load(root, dt.date(2021, 6, 20), urls=URLS)
    records = share_records(build.catalog, URLS)
    for language, owner in (("en", "owner"), ("zh", "责任人")):
        text = directives_by_unit_csv(records, build.catalog, for_language(language))
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
        assert sorted((r["unit_id"], r[owner]) for r in rows) == [
            ("energy", "Li Qiang"), ("energy", "Wang Jianmin"), ("property", "Wang Jianmin"), ("property", "Wang Lei")]


ACCEPTED_AND_CLOSED_OFF = """\
---
title: Re-inspection
date: 2021-06-05
type: bulletin
issuer: safety-env
---
/// follow-up | Accepted and closed off
    directive: S-1
    status: done
    accepted_by: safety-env
    closed_off: true

Done.
///
"""


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_days_of_acceptance_and_closing_off_are_date_cells(tmp_path, language):
    """验收日期 and 销号日期 (accepted_on, closed_off_on) were text cells in directives.xlsx, beside
    every other day of the sheet written as an Excel date (they did not sort or filter as dates)."""
    import datetime as dt

    _sheets.tmp = tmp_path
    sheets = _sheets({"2021/2021-05-25-meeting.md": PER_UNIT_OWNERS,
                      "2021/2021-06-05-re-inspection.md": ACCEPTED_AND_CLOSED_OFF}, "2021-06-20", language)
    (row,) = next(iter(sheets.values()))
    accepted, closed_off = (("accepted_on", "closed_off_on") if language == "en" else ("验收日期", "销号日期"))
    assert row[accepted] == row[closed_off] == dt.datetime(2021, 6, 5)


@pytest.mark.parametrize("written, name", [
    ("2026年二月", "2026-02"), ("2026年十月", "2026-10"), ("2026年十一月", "2026-11"), ("2026年十二月份", "2026-12"),
    ("２０２６年十二月", "2026-12"), ("2026年12月", "2026-12"), ("2026年四季度", "2026-Q4"),
    ("2026年十三月", "2026年十三月"), ("2026年零月", "2026年零月")])  # no such month: as written, for the check to quote
def test_a_period_s_month_in_chinese_numerals(written, name):
    """period: 2026年二月 (months as documents also write them) was refused as no period at all,
    while 2026年四季度 (the quarter in Chinese numerals) was read."""
    from safety_bulletins.recurrence import period_name

    assert period_name(written) == name


@pytest.mark.parametrize("language, note", [("en", "3 more rows than a sheet holds"), ("zh", "另有 3 行超出")])
def test_rows_past_a_sheet_s_last_are_said_to_be_left_out(monkeypatch, language, note):
    """XlsxWriter writes nothing past a sheet's last row (1,048,576), without a word: the sheet's
    last row now says how many rows are not shown (the limit made small here)."""
    from safety_bulletins.outputs import workbook

    monkeypatch.setattr(workbook, "ROW_LIMIT", 6)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    _sheet(book, "S", ("id",), {"id": "id"}, [{"id": f"D-{n}"} for n in range(1, 8)], _Formats(book, for_language(language)))
    book.close()
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["S"]
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert values[:5] == ["id", "D-1", "D-2", "D-3", "D-4"] and note in values[5] and len(values) == 6


# ---------------------------------------------------------------- the role fields, output by output

ROLES_NOTICE = """\
---
title: 关于锅炉房隐患整改的通知
date: 2026-10-10
type: notice
issuer: safety-env
---
/// directive | 完成锅炉房隐患整改
    id: GL-1
    units: [物业公司]
    lead: energy
    support: [safety-env]
    accepting_unit: safety-env
    supervisor: safety-env
    leader: 李明
    owner: {物业公司: 王磊, energy: 张强, safety-env: 赵六}
    deadline: 2026-11-30

整改。
///

/// directive | 完成消防通道清理
    id: GL-2
    units: [energy]
    leader: 李明
    owner: 周七
    deadline: 2026-11-15

清理。
///
"""
ROLES_BULLETIN = """\
---
title: 督办通报
date: 2026-11-20
type: bulletin
issuer: safety-env
---
/// follow-up | 挂牌督办
    directive: GL-1
    escalate: {级别: 集团级, 督办单位: safety-env, 督办编号: 督〔2026〕5号}

督办。
///

/// follow-up | 已验收销号
    directive: GL-2
    status: done
    accepted_by: safety-env
    closed_off: true

完成。
///
"""


@pytest.fixture(scope="module")
def role_sites(tmp_path_factory):
    from helpers import SITE_YML, UNITS_YML, build, write_tree

    sites = {}
    for language in ("en", "zh"):
        root = write_tree(tmp_path_factory.mktemp(f"roles-{language}"), {
            "mkdocs.yml": SITE_YML.replace("  font: false\n", f"  font: false\n  language: {language}\n"),
            "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
            "bulletins/2026/2026-10-10-notice.md": ROLES_NOTICE, "bulletins/2026/2026-11-20-bulletin.md": ROLES_BULLETIN})
        sites[language] = build(root, as_of="2026-12-08")
    return sites


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_output_gives_each_unit_the_same_person(role_sites, language):
    """责任人 per unit: the unit page's row, directives.json, directives-by-unit.csv and the workbook's
    by-unit sheet name the same person for each unit's share (the CSV and the sheet had none)."""
    import csv
    import json

    from test_outputs_agree import Node, read_html

    site = role_sites[language]
    owners = {d["id"]: d for d in json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]}
    expected = {("GL-1", "property"): "王磊", ("GL-1", "energy"): "张强", ("GL-1", "safety-env"): "赵六"}
    assert {("GL-1", unit): person for unit, person in owners["GL-1"]["owners"].items()} == expected
    rows = {}
    for unit in ("property", "energy", "safety-env"):
        for tr in read_html(site / "units" / unit / "index.html").find_all("tr", "sb-row"):
            cells = [td for td in tr.children if isinstance(td, Node) and td.tag == "td"]
            link = next(a for a in tr.find_all("a") if "#" in (a.attrs.get("href") or ""))
            rows[(link.attrs["href"].rsplit("#", 1)[1], unit)] = cells[3].text().strip()
    assert {key: rows[key] for key in expected} == expected
    owner = "owner" if language == "en" else "责任人"
    text = (site / "directives-by-unit.csv").read_text(encoding="utf-8-sig")
    by_unit = {(r["id" if language == "en" else "编号"], r["unit_id"]): r[owner] for r in csv.DictReader(io.StringIO(text))}
    responsible = {key: person for key, person in expected.items() if key[1] != "safety-env"}  # a row per responsible unit
    assert {key: by_unit[key] for key in responsible} == responsible and by_unit[("GL-2", "energy")] == "周七"
    sheet = openpyxl.load_workbook(site / "directives.xlsx").worksheets[2]
    header = [c.value for c in sheet[1]]
    sheet_rows = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    assert {(r["id" if language == "en" else "编号"], r["unit_id"]): r[owner] for r in sheet_rows} == expected
    for r in sheet_rows:  # each row of the sheet as its unit's page shows it
        assert (r[owner] or "") == rows[(r["id" if language == "en" else "编号"], r["unit_id"])]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_output_gives_the_same_roles_and_days(role_sites, language):
    """牵头, 验收单位, 督办单位, 责任领导, 挂牌督办 and the days of 验收 and 销号: the card, directives.json,
    directives.csv and the workbook's first sheet agree, in both languages."""
    import csv
    import datetime as dt
    import json

    from test_outputs_agree import read_html

    site = role_sites[language]
    records = {d["id"]: d for d in json.loads((site / "directives.json").read_text(encoding="utf-8"))["directives"]}
    assert {k: records["GL-1"][k] for k in ("lead", "accepting_unit", "supervisor", "leader")} == {
        "lead": "energy", "accepting_unit": "safety-env", "supervisor": "safety-env", "leader": "李明"}
    assert records["GL-1"]["escalation"] == {"level": "集团级", "by": "safety-env", "number": "督〔2026〕5号"}
    assert records["GL-2"]["accepted_on"] == records["GL-2"]["closed_off_on"] == "2026-11-20"
    page = read_html(site / "bulletins" / "2026" / "2026-10-10-notice" / "index.html")
    assert page.find("dd", "sb-escalation").text().strip() == "集团级 · 安全环保部 · 督〔2026〕5号"
    assert page.find("time", "sb-closed-off-on").attrs["datetime"] == "2026-11-20"
    assert page.find("time", "sb-accepted-on").attrs["datetime"] == "2026-11-20"
    names = {"energy": "能源公司", "safety-env": "安全环保部"} if language == "zh" else {}
    header = {"en": dict(lead="lead", accepting_unit="accepting_unit", supervisor="supervisor", leader="leader",
                         escalation="escalation", accepted_on="accepted_on", closed_off_on="closed_off_on", id="id"),
              "zh": dict(lead="牵头单位", accepting_unit="验收单位", supervisor="督办单位", leader="责任领导",
                         escalation="挂牌督办（级别·督办单位·编号）", accepted_on="验收日期", closed_off_on="销号日期",
                         id="编号")}[language]
    escalation = "集团级 · 安全环保部 · 督〔2026〕5号" if language == "zh" else \
        "level: 集团级; by: safety-env; number: 督〔2026〕5号"
    rows = {r[header["id"]]: r for r in csv.DictReader(io.StringIO((site / "directives.csv").read_text(encoding="utf-8-sig")))}
    sheet = openpyxl.load_workbook(site / "directives.xlsx").worksheets[0]
    sheet_header = [c.value for c in sheet[1]]
    cells = {row[0].value: dict(zip(sheet_header, [c.value for c in row])) for row in sheet.iter_rows(min_row=2)}
    for key in ("lead", "accepting_unit", "supervisor"):
        shown = names.get(records["GL-1"][key], records["GL-1"][key])
        assert rows["GL-1"][header[key]] == cells["GL-1"][header[key]] == shown, key
    assert rows["GL-1"][header["leader"]] == cells["GL-1"][header["leader"]] == "李明"
    assert rows["GL-1"][header["escalation"]] == cells["GL-1"][header["escalation"]] == escalation
    for key in ("accepted_on", "closed_off_on"):
        assert rows["GL-2"][header[key]] == "2026-11-20" and cells["GL-2"][header[key]] == dt.datetime(2026, 11, 20)


def test_new_review_puts_a_directive_under_its_lead_unit(tmp_path):
    """`bulletins new --review` put the stub of a directive led by 能源公司 (lead: energy, after
    units: [物业公司]) under 物业公司: the 牵头单位 answers for the directive and reports on it."""
    import datetime as dt

    from helpers import UNITS_YML, URLS, write_tree
    from safety_bulletins.commands.scaffold import review_section
    from safety_bulletins.site_build.sitebuild import SiteBuild

    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2026/2026-10-10-notice.md": ROLES_NOTICE})
    build = SiteBuild.load(root, dt.date(2026, 12, 8), urls=URLS)
    section = review_section(build.catalog, "zh")
    headings = [line for line in section.splitlines() if line.startswith("### ") or "directive: " in line]
    assert headings == ["### 能源公司", "    directive: GL-2", "    directive: GL-1"], headings


@pytest.mark.parametrize("option", ["挂牌督办: {级别: 集团级}", "escalate: true", "closed_off: true", "销号: true"])
def test_a_follow_up_s_option_in_a_directive_says_where_it_goes(tmp_path, option):
    """挂牌督办 or 销号 written in the directive itself was "unknown field" with the directive's
    fields as the hint: the hint now says it is recorded in a follow-up (catalogue:
    rev5-escalate-in-the-directive-itself)."""
    from helpers import UNITS_YML, write_tree
    from safety_bulletins.sources.project import load_project

    notice = ROLES_NOTICE.replace("    deadline: 2026-11-15\n", f"    deadline: 2026-11-15\n    {option}\n")
    root = write_tree(tmp_path / "bulletins", {"units.yml": UNITS_YML, "2026/2026-10-10-notice.md": notice})
    (problem,) = load_project(root).errors
    assert problem.line == 27 and "unknown field" in problem.message, problem
    assert "recorded in a follow-up" in problem.hint and "/// follow-up" in problem.hint, problem.hint
