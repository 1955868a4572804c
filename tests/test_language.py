"""A bulletin speaks its own language on its page: a Chinese one's issuer, dates, sign-off
and card facts in Chinese, an English one's in English, whatever the site's UI language."""

import datetime as dt

import pytest
from helpers import MEETING_MD

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
    build = SiteBuild.load(root, dt.date(2026, 11, 28), language=ui)
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


def test_a_unit_s_chinese_name_is_name_zh_or_its_first_chinese_alias(bulletins_dir):
    units = ("- id: safety-env\n  name: Safety Department\n  aliases: [Safety, 安全环保部, 安环部]\n"
             "- id: property\n  name: Property Co\n  name_zh: 物业管理公司\n  aliases: [物业公司]\n"
             "- id: energy\n  name: Energy Co\n")
    build = SiteBuild.load(bulletins_dir({}, units=units), dt.date(2026, 11, 28))
    names = {u.id: u.name_in("zh") for u in build.catalog.units}
    assert names == {"safety-env": "安全环保部", "property": "物业管理公司", "energy": "Energy Co"}
    assert build.catalog.registry.resolve("物业管理公司") == "property"  # name_zh names the unit in bulletins too


def test_a_bulletin_in_another_language_than_the_site_says_so_to_screen_readers(bulletins_dir):
    root = bulletins_dir({"2021/2021-05-25-zh.md": CHINESE_MD, "2021/2021-05-27-en.md": MEETING_MD})
    build = SiteBuild.load(root, dt.date(2026, 11, 28))
    assert build.page_content("bulletins/2021/2021-05-25-zh.md", "<p>正文</p>").startswith('<div lang="zh">\n<header')
    assert build.page_content("bulletins/2021/2021-05-27-en.md", "<p>Text</p>").startswith("<header")


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_a_chinese_name_with_markup_is_shown_as_text(bulletins_dir, ui):
    from helpers import UNITS_YML
    units = UNITS_YML.replace("aliases: [安全环保部]", 'name_zh: "<b>安环</b>部"\n  aliases: [安全环保部]')
    build = SiteBuild.load(bulletins_dir({"2021/2021-05-25-zh.md": CHINESE_MD}, units=units), dt.date(2026, 11, 28),
                           language=ui)
    html = parts(build, "2021/2021-05-25-zh.md") + build.page_content("bulletins/2021/2021-05-25-zh.md", "")
    assert "<b>" not in html and html.count("&lt;b&gt;安环&lt;/b&gt;部") >= 4  # issuer, search line, sign-off, support
