"""A bulletin speaks its own language on its page: a Chinese one's issuer, dates, sign-off
and card facts in Chinese, an English one's in English, whatever the site's UI language."""

import datetime as dt
import re

import pytest
from helpers import MEETING_MD, URLS

from safety_bulletins.model import FileHistory
from safety_bulletins.site_build.sitebuild import SiteBuild

CHINESE_MD = (MEETING_MD.replace("Special meeting on production safety", "安全生产专题会议纪要")
              .replace("CIG-2021-05-2", "ZH-1"))
TAGGED_MD = MEETING_MD.replace("type: minutes", "type: minutes\nlang: zh").replace("CIG-2021-05-2", "ZH-2")


def parts(build: SiteBuild, rel_path: str) -> str:
    bulletin = next(b for b in build.catalog.bulletins if b.rel_path == rel_path)
    return "\n".join([build.renderer.bulletin_header(bulletin), build.renderer.bulletin_footer(bulletin),
                      *(build.renderer.directive_meta(d) for d in bulletin.directives)])


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_a_chinese_bulletin_speaks_chinese_and_an_english_one_english(bulletins_dir, ui):
    root = bulletins_dir({"2021/2021-05-25-zh.md": CHINESE_MD, "2021/2021-05-26-tagged.md": TAGGED_MD,
                          "2021/2021-05-27-en.md": MEETING_MD})
    build = SiteBuild.load(root, dt.date(2026, 11, 28), language=ui, urls=URLS)
    for chinese in ("2021/2021-05-25-zh.md", "2021/2021-05-26-tagged.md"):  # by its title, or by `lang: zh`
        html = parts(build, chinese)
        assert '<p class="sb-issuer"><a href="../../../units/safety-env/">安全环保部</a></p>' in html
        assert '<dd><time datetime="2021-05-25">2021年5月25日</time></dd>' in html  # the facts' date
        assert '<p>安全环保部</p>\n<p><time datetime="2021-05-25">2021年5月25日</time></p>' in html  # the sign-off
        assert "2021年6月30日</time>" in html and "Deadline" not in html and "Units" not in html
        assert "Safety and Environmental Protection Department" not in html
    html = parts(build, "2021/2021-05-27-en.md")
    assert ">Safety and Environmental Protection Department</a></p>" in html and ">25 May 2021</time></p>" in html
    assert ">2021-06-30</time>" in html and "Deadline" in html and "年" not in html


def test_when_a_bulletin_last_changed_is_a_date_as_its_other_dates(bulletins_dir):
    """Issue 22's screenshots: a Chinese bulletin's 最后修改 read 2026-12-05 under 日期 2026年11月27日."""
    build = SiteBuild.load(bulletins_dir({"2021/2021-05-25-zh.md": CHINESE_MD, "2021/2021-05-27-en.md": MEETING_MD}),
                           dt.date(2026, 11, 28), language="zh", urls=URLS)
    changed = FileHistory("2026-12-05T00:30:00+08:00", 1)
    chinese, english = (build.renderer.bulletin_header(b, changed) for b in build.catalog.bulletins)
    assert '<time datetime="2026-12-05T00:30:00+08:00">2026年12月5日</time>' in chinese
    assert '<time datetime="2026-12-05T00:30:00+08:00">2026-12-05</time>' in english


def test_a_unit_s_chinese_name_is_name_zh_or_its_name_never_an_alias(bulletins_dir):
    units = ("- id: safety-env\n  name: Safety Department\n  aliases: [Safety, 安全环保部, 安环部]\n"
             "- id: property\n  name: Property Co\n  name_zh: 物业管理公司\n  aliases: [物业公司]\n"
             "- id: mine\n  name: 一号煤矿\n  aliases: [通风区]\n"
             "- id: energy\n  name: Energy Co\n")
    build = SiteBuild.load(bulletins_dir({}, units=units), dt.date(2026, 11, 28), urls=URLS)
    names = {u.id: u.name_in("zh") for u in build.catalog.units}
    assert names == {"safety-env": "Safety Department", "property": "物业管理公司", "mine": "一号煤矿",
                     "energy": "Energy Co"}
    assert {u.id: u.name_in("en") for u in build.catalog.units}["property"] == "Property Co"
    assert build.catalog.registry.resolve("物业管理公司") == "property"  # name_zh names the unit in bulletins too


def test_a_bulletin_in_another_language_than_the_site_says_so_to_screen_readers(bulletins_dir):
    root = bulletins_dir({"2021/2021-05-25-zh.md": CHINESE_MD, "2021/2021-05-27-en.md": MEETING_MD})
    build = SiteBuild.load(root, dt.date(2026, 11, 28), urls=URLS)
    assert build.page_content("bulletins/2021/2021-05-25-zh.md", "<p>正文</p>").startswith('<div lang="zh">\n<header')
    assert build.page_content("bulletins/2021/2021-05-27-en.md", "<p>Text</p>").startswith("<header")


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_a_chinese_name_with_markup_is_shown_as_text(bulletins_dir, ui):
    from helpers import UNITS_YML
    units = UNITS_YML.replace("name_zh: 安全环保部", 'name_zh: "<b>安环</b>部"')
    build = SiteBuild.load(bulletins_dir({"2021/2021-05-25-zh.md": CHINESE_MD}, units=units), dt.date(2026, 11, 28),
                           language=ui, urls=URLS)
    html = parts(build, "2021/2021-05-25-zh.md") + build.page_content("bulletins/2021/2021-05-25-zh.md", "")
    assert "<b>" not in html and html.count("&lt;b&gt;安环&lt;/b&gt;部") >= 4  # issuer, search line, sign-off, support


NAMED_UNITS = """\
- id: safety-env
  name: Safety and Environmental Protection Department
  name_zh: 安全环保部
  aliases: [安环部]
- id: mine
  name: 一号煤矿
  aliases: [通风区, 一矿]
- id: energy
  name: Energy Company
  aliases: [能源公司]
- id: stations
  name: Filling Stations
  name_zh: 加油站
  parent: energy
"""

NAMED_NOTICE = """\
---
title: 关于隐患整改的通知
date: 2026-11-20
type: notice
issuer: safety-env
meeting: {start: 2026-12-02 09:00, place: 三楼会议室}
---
/// directive | 清理通风巷道
    id: N-1
    units: [mine]
    support: [safety-env]
    deadline: 2026-11-25
///

/// directive | 检查储罐
    id: N-2
    units: [energy, stations]
    deadline: 2026-11-26
///
"""


def test_every_output_names_a_unit_the_same_way_on_a_chinese_site(site_project, monkeypatch, capsysbinary):
    """One name per unit and language (Unit.name_in): on a Chinese site name_zh if given, else the
    name, never an alias. The unit pages' titles, the units index, the dashboard, the cards, the
    calendars, the feeds, `due` and the digest said 通风区 (the first Chinese alias) in some places
    and 一号煤矿 in others, 能源公司 here and Energy Company there."""
    from helpers import SITE_YML, build
    from safety_bulletins.commands.cli import main

    project = site_project({"2026/2026-11-20-notice.md": NAMED_NOTICE}, units=NAMED_UNITS)
    (project / "mkdocs.yml").write_text(SITE_YML.replace("  font: false\n", "  font: false\n  language: zh\n"),
                                        encoding="utf-8")
    site = build(project)
    outputs = {
        "unit page": (site / "units/mine/index.html").read_text(encoding="utf-8")
        + (site / "units/energy/index.html").read_text(encoding="utf-8"),
        "units index": (site / "units/index.html").read_text(encoding="utf-8"),
        "dashboard": (site / "dashboard/index.html").read_text(encoding="utf-8"),
        "bulletin": (site / "bulletins/2026/2026-11-20-notice/index.html").read_text(encoding="utf-8"),
        "register": (site / "directives/index.html").read_text(encoding="utf-8"),
        "calendars": "".join((site / f"calendar/{u}.ics").read_text(encoding="utf-8") for u in ("all", "mine", "energy")),
        "feeds": "".join((site / f"feeds/units/{u}.xml").read_text(encoding="utf-8") for u in ("mine", "energy"))
        + (site / "feeds/all.xml").read_text(encoding="utf-8"),
    }
    monkeypatch.chdir(project)
    assert main(["due", "--as-of", "2026-11-28"]) == 0
    outputs["due"] = capsysbinary.readouterr().out.decode()
    for unit in ("mine", "energy"):
        assert main(["digest", "--unit", unit, "--with-subunits", "--as-of", "2026-11-28", "--since", "2026-11-01"]) == 0
        outputs["digest"] = outputs.get("digest", "") + capsysbinary.readouterr().out.decode()
    # where the aliases are listed as aliases ("Also known as"), they stay
    outputs["unit page"] = re.sub(r'<p class="sb-aliases">.*?</p>', "", outputs["unit page"])
    outputs["units index"] = re.sub(r"<br><small>[^<]*</small>", "", outputs["units index"])
    for what, text in outputs.items():
        for other in ("通风区", "一矿", "能源公司", "Filling Stations"):  # aliases, and the name beside name_zh
            assert other not in text, (what, other)
        assert "一号煤矿" in text and "Energy Company" in text and "加油站" in text, what
    assert "<h1" in outputs["unit page"] and re.search(r"<title>一号煤矿 - ", outputs["unit page"])
    assert "安全环保部" in outputs["bulletin"] and "Safety and Environmental" not in outputs["bulletin"]
