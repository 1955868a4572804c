"""The dashboard in Chromium: on screen at 1280 px and printed on A4 landscape, in both languages.
The screenshots and PDFs are kept in pytest's folder (printed at the end of a -s run) to be looked at."""

import subprocess

import pytest
from browsing import SUB_PATH, SUB_PATH_ZH


@pytest.mark.parametrize(("sub_path", "words"), [(SUB_PATH, ("Open directives per unit", "Figures as of 2026-11-28")),
                                                  (SUB_PATH_ZH, ("各单位未办结事项", "统计截至2026-11-28"))],
                         ids=["english-ui", "chinese-ui"])
def test_dashboard_on_screen_and_in_print(page, origin, sub_path, words, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(origin + sub_path + "dashboard/")
    charts = page.locator("svg.sb-chart--wide")
    assert charts.count() == 3
    for n in range(3):  # the charts take the page's width (no sidebars) and are drawn, in the site's colours
        box = charts.nth(n).bounding_box()
        assert box["width"] > 1000 and box["height"] > 200
    overdue = page.locator("svg.sb-chart rect.sb-fill--overdue").first.evaluate("e => getComputedStyle(e).fill")
    assert overdue == "rgb(198, 40, 40)"  # --sb-overdue
    assert page.locator(".sb-visually-hidden").first.evaluate("e => e.getBoundingClientRect().width") <= 1
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    page.emulate_media(media="print")
    pdf = tmp_path / "dashboard.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert round(width) == 842 and round(height) == 595  # A4 landscape, in points
    assert int(info.split("Pages:")[1].split()[0]) == 4  # a page per chart and the table
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    for word in words:
        assert "".join(word.split()) in text, word
    assert "Writingbulletins" not in text and "MadewithMaterial" not in text  # no navigation
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "print")], check=True)
    print(tmp_path)
