"""The Chinese example (mkdocs.zh.yml) in Chromium: its home page and a guide page at 1366 and 390 px,
screenshots kept in pytest's folder to be looked at, and axe-core with no serious or critical
violation. Their words are Chinese on screen (Material's own in its Chinese)."""

import pytest
from browsing import SUB_PATH_ZH
from test_accessibility import described, severe_violations

PAGES = {"home": "", "guide": "guide/writing/"}


@pytest.mark.parametrize("width", [1366, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_the_chinese_home_and_guide(page, origin, screenshots, path, width):
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
    name = f"{'home' if not path else 'guide'}-{width}.png"
    page.screenshot(path=str(screenshots / name), full_page=True)
    violations = severe_violations(page)
    assert violations == [], "\n" + described(violations)
