"""The Chinese example (mkdocs.zh.yml) in Chromium: its home page and a guide page at 1366 and 390 px
say what they are in Chinese (Material's own words in its Chinese). Their pictures, axe-core at any
impact and the check for English words of ours: test_every_page_kind.py, at the same widths."""

import pytest
from browsing import SUB_PATH_ZH

PAGES = {"home": "", "guide": "guide/writing/"}


@pytest.mark.parametrize("width", [1366, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_the_chinese_home_and_guide(page, origin, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(origin + SUB_PATH_ZH + path)
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "zh"
    assert page.title().endswith("安全生产文件")
    assert page.locator(".md-header__topic").first.inner_text().strip() == "安全生产文件"
    footer = page.locator(".md-copyright").inner_text()
    assert "集团安全环保部 编印" in footer and "Made with" not in footer
    if width > 1000:  # the tabs (on a phone they are in the drawer)
        assert page.locator(".md-tabs__link").all_inner_texts()[:6] == ["首页", "单位", "议定事项", "文件归档", "统计看板", "编辑指南"]
