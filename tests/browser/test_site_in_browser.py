"""The example site as staff meet it: behind nginx under a sub-path, in Chromium."""

import re
import subprocess

import pytest
from browsing import SUB_PATH, SUB_PATH_ZH, search

# (query, directive anchor the result must open) in the shipped example bulletins
ENGLISH_QUERY = ("forklift", "2022-01-18-warehouse-fire-extinguisher-lesson-1")
CHINESE_QUERY = ("隐患排查", "XQST-2025-03-2")


def follow(page, base, query, anchor):
    page.goto(base)
    link = search(page, query, anchor)
    link.click()
    page.wait_for_url(re.compile(f"#{re.escape(anchor)}$"))
    target = page.locator(f'[id="{anchor}"]')
    target.wait_for()
    assert target.evaluate("e => e.getBoundingClientRect().top") < page.viewport_size["height"]
    return page


@pytest.mark.parametrize("sub_path", [SUB_PATH, SUB_PATH_ZH], ids=["english-ui", "chinese-ui"])
@pytest.mark.parametrize(("query", "anchor"), [ENGLISH_QUERY, CHINESE_QUERY], ids=["english-term", "chinese-term"])
def test_search_opens_the_directive(page, origin, sub_path, query, anchor):
    follow(page, origin + sub_path, query, anchor)
    assert page.url.startswith(origin + sub_path)


def test_unit_page_and_register_behind_the_sub_path(page, origin):
    page.goto(origin + SUB_PATH)
    page.locator(".md-tabs__link", has_text="Units").click()
    page.locator("a", has_text="Property Management Company").first.click()
    assert page.url == origin + SUB_PATH + "units/property/"
    assert page.locator("h2#overdue").is_visible()
    rows = page.locator("table tbody tr")
    assert rows.count() > 3
    rows.first.locator("td a").first.click()  # the directive, on its bulletin's page
    assert re.search(r"/safety/bulletins/.+/#.+$", page.url)
    page.goto(origin + SUB_PATH + "directives/")
    assert page.locator("h1").inner_text() == "Register of directives"
    assert page.locator("table tbody tr").count() >= 30


def test_offline_build_searches_from_file_urls(page, offline_site, request):
    site = offline_site
    request.node.origin = "file://"
    follow(page, (site / "index.html").as_uri(), *ENGLISH_QUERY)
    assert page.url.startswith(site.as_uri()) and re.search(r"lesson\.html(\?[^#]*)?#", page.url)


def test_a_notice_prints_as_a_notice(page, origin, tmp_path):
    page.goto(origin + SUB_PATH + "bulletins/2026/2026-11-26-notice-winter-safety-meeting/")
    page.emulate_media(media="print")
    pdf = tmp_path / "notice.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    for words in ("Notice on Convening the 2026 Winter Production Safety Meeting", "Submit the winter",
                  "Deadline", "26 November 2026"):
        assert words in text, words
    for chrome in ("Search", "Writing bulletins", "Table of contents", "Made with"):
        assert chrome not in text, chrome


def test_a_chinese_notice_prints_in_chinese(page, origin, tmp_path):
    page.goto(origin + SUB_PATH_ZH + "bulletins/2026/2026-11-20-关于开展应急演练的通知/")
    page.emulate_media(media="print")
    pdf = tmp_path / "notice.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "关于开展2026年冬季应急演练的通知" in text and "2026年11月20日" in text
    assert "统计截至" not in text and "Figures as of" not in text  # what goes stale stays off the board


def printed(page, url, tmp_path) -> str:
    page.clock.set_fixed_time("2026-11-28T10:00:00+08:00")  # the day the example site is built for
    page.goto(url)
    page.emulate_media(media="print")
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), format="A4")
    return " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())


def test_a_printed_listing_says_whose_it_is_and_as_of_when(page, origin, tmp_path):
    text = printed(page, origin + SUB_PATH + "units/property/", tmp_path)
    assert text.startswith("Property Management Company") and "Figures as of 2026-11-28" in text
    assert "Figures as of 2026-11-28" in printed(page, origin + SUB_PATH + "directives/", tmp_path)


def test_a_chinese_bulletin_prints_in_chinese_on_an_english_site(page, origin, tmp_path):
    text = "".join(printed(page, origin + SUB_PATH + "bulletins/2026/2026-11-20-关于开展应急演练的通知/", tmp_path).split())
    assert "2026年11月20日" in text and "安全环保部" in text
    assert "November" not in text and "Deadline" not in text


@pytest.mark.parametrize("path", ["", "units/property/", "directives/", "archive/notice/",
                                  "bulletins/2026/2026-11-26-notice-winter-safety-meeting/"])
def test_no_request_of_a_page_fails(page, origin, path):
    """Material fetches sitemap.xml next to each <link rel="alternate">, feeds included: none may 404."""
    failed = []
    page.on("response", lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    page.goto(origin + SUB_PATH + path)
    page.wait_for_load_state("networkidle")
    assert failed == []


def test_chinese_wrapped_over_lines_reads_without_spaces(page, origin):
    """The example's 冬季消防 bulletin wraps its paragraphs in the source (…运营管理部，⏎对集团所属…):
    Chromium shows a line break inside text as a space, also between Chinese characters, so the page
    must hold none there (markdown_ext.CjkLineBreaksExtension); English keeps its spaces."""
    page.goto(origin + SUB_PATH_ZH + "bulletins/2026/2026-10-15-%E5%86%AC%E5%AD%A3%E6%B6%88%E9%98%B2%E5%AE%89%E5%85%A8"
              "%E4%B8%93%E9%A1%B9%E6%A3%80%E6%9F%A5%E9%80%9A%E6%8A%A5/")
    paragraphs = page.locator("article p").all_inner_texts()  # the summary, the body, the cards' texts
    text = "\n".join(paragraphs)
    assert "会同运营管理部，对集团所属8家单位" in text and "专项检查，共发现隐患31项" in text
    assert not re.search(r"[\u4e00-\u9fff，。] [\u4e00-\u9fff]", text), \
        re.findall(r".{6}[\u4e00-\u9fff，。] [\u4e00-\u9fff].{6}", text)
