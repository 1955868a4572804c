"""The filter of the register and the unit pages (filter.js) in Chromium: by each dimension and
combined, text in English and Chinese, the view in the URL (a link opens the same rows and
controls), the count, the reader's buckets after live.js moved rows, a listing cut into pages,
JavaScript off, under a sub-path and from file://. The `page` fixture fails a test on any
request that leaves the site and on any console error. The rows expected are computed from the
site's own directives.json."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from browsing import SUB_PATH, SUB_PATH_ZH
from helpers import AS_OF, SITE_YML, UNITS_YML, build, nginx, write_tree

BUILD_DAY = f"{AS_OF}T10:00:00"  # the reader's clock on the day the site was built: live.js moves nothing

VISIBLE_IDS = """() => Array.from(document.querySelectorAll("tr.sb-row"))
  .filter(row => row.offsetParent !== null)
  .map(row => decodeURIComponent(row.querySelector("td:nth-child(2) a").getAttribute("href").split("#")[1]))"""


@pytest.fixture(scope="module")
def directives(sites):
    return json.loads((sites["en"] / "directives.json").read_text(encoding="utf-8"))["directives"]


def for_unit(record, unit):
    return unit in record["units"] or unit in record["support"] or "all" in record["units"]


DIMENSIONS = {
    "unit": lambda r, v: for_unit(r, v),
    "status": lambda r, v: r["status"] == v,
    "bucket": lambda r, v: r["bucket"] == v,
    "grade": lambda r, v: r["grade"] == v,
    "type": lambda r, v: r["bulletin"]["type"] == v,
    "year": lambda r, v: r["bulletin"]["date"][:4] == v,
    "escalated": lambda r, v: r["escalated"],
}


def expected(directives, **want):
    return sorted(r["id"] for r in directives if all(DIMENSIONS[k](r, v) for k, v in want.items()))


def open_filtered(page, url, clock=BUILD_DAY):
    page.clock.set_fixed_time(clock)
    page.goto(url)
    page.locator(".sb-filter").wait_for(state="visible")
    return sorted(page.evaluate(VISIBLE_IDS))


def status_text(page):
    return page.locator(".sb-filter__status").inner_text()


@pytest.mark.parametrize(("name", "value"), [
    ("unit", "property"), ("unit", "all"), ("status", "in-progress"), ("bucket", "overdue"), ("bucket", "closed"),
    ("grade", "major"), ("type", "inspection"), ("year", "2021"), ("escalated", "1"),
])
def test_each_dimension_on_the_register(page, origin, directives, name, value):
    shown = open_filtered(page, f"{origin}{SUB_PATH}directives/?{name}={value}")
    want = expected(directives, **{name: value})
    assert want and shown == want
    assert status_text(page) == f"{len(want)} of {len(directives)} directives"
    control = page.locator(f'.sb-filter [name="{name}"]')
    assert (control.is_checked() if name == "escalated" else control.input_value() == value)
    # a bucket's heading only over rows that are shown
    for section in page.locator("section.sb-bucket").all():
        assert section.is_visible() == (section.locator("tbody tr.sb-row:not([hidden])").count() > 0)


@pytest.mark.parametrize(("name", "value"), [("unit", "property"), ("bucket", "overdue")])
def test_on_a_phone_the_filter_hides_what_it_says_it_hides(page, origin, directives, name, value):
    """On a phone each row is a card (display: block), which showed the rows the filter had hidden:
    '12 of 57' over all 57 cards."""
    page.set_viewport_size({"width": 390, "height": 900})
    shown = open_filtered(page, f"{origin}{SUB_PATH}directives/?{name}={value}")
    want = expected(directives, **{name: value})
    assert want and shown == want
    assert status_text(page) == f"{len(want)} of {len(directives)} directives"


def test_combined_filters_and_the_link_that_keeps_them(page, origin, directives, browser):
    page.clock.set_fixed_time(BUILD_DAY)
    page.goto(f"{origin}{SUB_PATH}directives/#overdue")
    page.locator(".sb-filter").wait_for(state="visible")
    page.select_option('.sb-filter [name="unit"]', "safety-env")
    page.select_option('.sb-filter [name="status"]', "open")
    page.select_option('.sb-filter [name="year"]', "2026")
    shown = sorted(page.evaluate(VISIBLE_IDS))
    assert shown == expected(directives, unit="safety-env", status="open", year="2026") and shown
    assert page.url == f"{origin}{SUB_PATH}directives/?unit=safety-env&status=open&year=2026#overdue"
    # the copied link, in another browser: the same rows and the same controls
    other = browser.new_context()
    try:
        copy = other.new_page()
        assert open_filtered(copy, page.url) == shown
        for name, value in (("unit", "safety-env"), ("status", "open"), ("year", "2026"), ("bucket", "")):
            assert copy.locator(f'.sb-filter [name="{name}"]').input_value() == value
        assert status_text(copy) == status_text(page) == f"{len(shown)} of {len(directives)} directives"
    finally:
        other.close()
    # Clear: everything again, and the URL has no filter left
    page.locator(".sb-filter button[type=reset]").click()
    page.wait_for_function("() => !location.search")
    assert len(page.evaluate(VISIBLE_IDS)) == len(directives)
    assert page.url == f"{origin}{SUB_PATH}directives/#overdue"


def test_text_in_any_case_and_in_chinese(page, origin, directives):
    shown = open_filtered(page, f"{origin}{SUB_PATH}directives/?text=FIRE+extinguisher")
    seen = {r["id"]: f'{r["title"]} {r["owner"] or ""} {r["bulletin"]["title"]}'.lower() for r in directives}
    assert shown == sorted(i for i, text in seen.items() if "fire" in text and "extinguisher" in text)  # every word
    assert shown
    shown = open_filtered(page, f"{origin}{SUB_PATH}directives/?text={quote('应急演练')}")
    assert shown == sorted(r["id"] for r in directives if "应急演练" in r["title"] + r["bulletin"]["title"]) and shown
    # typed, with the keyboard: a directive's id is found too
    page.locator('.sb-filter [name="text"]').fill("")
    page.locator('.sb-filter [name="text"]').focus()
    page.keyboard.type("xqst-2025-03-4")
    page.wait_for_function("() => location.search === '?text=xqst-2025-03-4'")
    assert page.evaluate(VISIBLE_IDS) == ["XQST-2025-03-4"]
    status = page.locator(".sb-filter__status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == f"1 of {len(directives)} directives"


def test_no_match_says_so(page, origin, directives):
    assert open_filtered(page, f"{origin}{SUB_PATH}directives/?text=no-such-words&year=1999") == []
    assert status_text(page) == f"0 of {len(directives)} directives No directive matches this filter."
    assert page.locator('.sb-filter [name="year"]').input_value() == "1999"  # the link shows what it asks for
    assert page.locator("section.sb-bucket:visible").count() == 0


def test_keyboard_reaches_every_control(page, origin):
    page.clock.set_fixed_time(BUILD_DAY)
    page.goto(f"{origin}{SUB_PATH}directives/")
    page.locator('.sb-filter [name="unit"]').focus()
    reached = []
    for _ in range(8):
        reached.append(page.evaluate("() => document.activeElement.name || document.activeElement.type"))
        page.keyboard.press("Tab")
    assert reached == ["unit", "bucket", "status", "grade", "type", "year", "text", "escalated"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # the checkbox, from the keyboard
    page.wait_for_function("() => location.search === '?escalated=1'")
    for label in page.locator(".sb-filter label").all():  # every control has its label
        assert label.inner_text().strip()


def test_a_unit_page_in_chinese(page, origin):
    page.clock.set_fixed_time(BUILD_DAY)
    page.goto(f"{origin}{SUB_PATH_ZH}units/property/?status=done&text={quote('电梯')}")
    page.locator(".sb-filter").wait_for(state="visible")
    rows = page.locator("tr.sb-row:visible")
    assert rows.count() == 1 and "开展电梯和消防设施隐患排查" in rows.first.inner_text()
    total = page.locator("tr.sb-row").count()
    assert status_text(page) == f"显示 1 项，共 {total} 项"
    assert page.locator(".sb-filter label", has_text="状态").locator("select").input_value() == "done"
    assert page.locator('.sb-filter [name="bucket"] option[value="overdue"]').inner_text() == "已逾期"


def test_buckets_are_the_readers(page, origin, directives):
    """Read 40 days after the build: the rows live.js moved to Overdue are what ?bucket=overdue shows."""
    read_on = dt.date.fromisoformat(AS_OF) + dt.timedelta(days=40)
    shown = open_filtered(page, f"{origin}{SUB_PATH}directives/?bucket=overdue", clock=f"{read_on}T10:00:00")
    late = sorted(r["id"] for r in directives
                  if r["bucket"] == "overdue" or (r["bucket"] in ("due-soon", "upcoming", "later")
                                                   and dt.date.fromisoformat(r["deadline"]) < read_on))
    assert shown == late and len(late) > len(expected(directives, bucket="overdue"))
    assert page.locator('section[data-sb-bucket="due-soon"]').is_hidden()


def test_without_javascript_everything_is_listed_and_no_control_shown(browser, server, directives):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}{SUB_PATH}directives/?unit=property&status=open")
        # every row is listed: the open ones in view, the closed ones folded under their heading
        closed = page.locator("details.sb-closed tr.sb-row").count()
        assert closed == len([r for r in directives if r["bucket"] == "closed"]) > 0
        assert page.locator("tr.sb-row:visible").count() == len(directives) - closed
        page.locator("details.sb-closed > summary").click()
        assert page.locator("tr.sb-row:visible").count() == len(directives)
        assert page.locator(".sb-filter").count() == 1 and page.locator(".sb-filter").is_hidden()
        assert page.locator("select:visible, input:visible").count() == 0
    finally:
        context.close()


def test_from_file_urls(page, offline_site, request, directives):
    site = offline_site
    request.node.origin = "file://"
    url = (site / "directives" / "index.html").as_uri()
    shown = open_filtered(page, url + "?type=notice&unit=hotel")
    assert shown == expected(directives, type="notice", unit="hotel") and shown
    page.select_option('.sb-filter [name="type"]', "minutes")
    page.wait_for_function("() => location.search === '?unit=hotel&type=minutes'")
    assert page.url == url + "?unit=hotel&type=minutes"
    assert sorted(page.evaluate(VISIBLE_IDS)) == expected(directives, type="minutes", unit="hotel")


def test_screenshots(page, origin, screenshots):
    """The filtered register and a unit page at desktop and phone width, kept as pictures under
    `screenshots` (this test's folder; pytest keeps the last runs') and judged: nothing sticks out
    sideways (the page, and so the full-page picture, is as wide as the screen), the filter and every
    row it shows are on screen, and the picture is not blank."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in (("register", "directives/?unit=property&text=fire"), ("unit", "units/hotel/?bucket=closed")):
            assert open_filtered(page, f"{origin}{SUB_PATH}{path}"), f"{name}: the filter shows no row"
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, f"{name} overflows at {width}"
            assert page.locator(".md-content").is_visible() and page.locator(".sb-filter").is_visible()
            boxes = [page.locator("tr.sb-row:visible").nth(i).bounding_box()
                     for i in range(page.locator("tr.sb-row:visible").count())]
            outside = [box for box in boxes + [page.locator(".sb-filter").bounding_box()]
                       if box["x"] < 0 or box["x"] + box["width"] > width + 0.5]
            assert outside == [], f"{name} at {width}: parts outside the screen {outside}"
            shot = screenshots / f"{name}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            picture = picture_of(page, shot)
            assert picture["width"] == width and picture["height"] >= 900, (name, width, picture)
            assert picture["colours"] >= 8, f"{shot} is (nearly) blank: {picture}"


def picture_of(page, png: Path) -> dict:
    """A PNG's size and how many colours a sample of its pixels has, decoded by the browser (on a
    blank page of its own: no site, no policy)."""
    blank = page.context.new_page()
    try:
        return blank.evaluate("""async (src) => {
            const image = new Image(); image.src = src; await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.width; canvas.height = image.height;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const data = context.getImageData(0, 0, image.width, image.height).data;
            const colours = new Set();
            for (let i = 0; i < data.length; i += 4 * 37) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
            return {width: image.width, height: image.height, colours: colours.size};
        }""", "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode())
    finally:
        blank.close()


# A listing cut into pages (400 rows a page): the filter says it sees the page shown, and the
# page links and the link to a unit's page keep it.
MANY = "---\ntitle: Many\ndate: 2026-11-20\ntype: notice\nissuer: safety-env\n---\n" + "".join(
    f"/// directive | Item {n}\n    id: MANY-{n}\n    units: [{'property' if n % 2 else 'energy'}]\n"
    f"    deadline: 2026-12-{1 + n % 28:02d}\n///\n\n" for n in range(450))


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory):
    project = tmp_path_factory.mktemp("paged")
    write_tree(project, {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
                         "bulletins/2026/2026-11-20-many.md": MANY})
    site = build(project)
    with nginx(tmp_path_factory.mktemp("nginx"), {SUB_PATH: site}) as base:
        yield base


def test_a_listing_in_pages(page, paged_site, request):
    request.node.origin = paged_site
    open_filtered(page, f"{paged_site}{SUB_PATH}directives/?unit=energy")
    rows = page.locator("tr.sb-row")
    assert rows.count() == 400
    energy = page.locator('tr.sb-row[data-sb-f$=" @energy"]').count()
    assert page.locator("tr.sb-row:visible").count() == energy > 0
    assert status_text(page) == f"{energy} of 400 directives on this page"
    scope = page.locator(".sb-filter__scope")
    assert "This list has 450 directives on 2 pages" in scope.inner_text()
    unit_page = scope.locator("a.sb-filter__unit-page")
    assert unit_page.inner_text() == "All directives of Energy Company, on its page"
    assert unit_page.get_attribute("href") == "../units/energy/"
    page.select_option('.sb-filter [name="status"]', "open")
    assert unit_page.get_attribute("href") == "../units/energy/?status=open"
    page.locator("nav.sb-pager a", has_text=re.compile(r"^2$")).first.click()
    page.wait_for_url(re.compile(r"/directives/2/\?unit=energy&status=open$"))
    page.locator(".sb-filter").wait_for(state="visible")
    assert status_text(page) == f"{225 - energy} of 50 directives on this page"
    assert page.locator('.sb-filter [name="unit"]').input_value() == "energy"
