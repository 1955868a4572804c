"""Issue 22's proof: every kind of page the example site has, in English and in Chinese, at 1366 and
390 px, served by nginx under a sub-path and read in Chromium on the as-of date. Each is kept as a
picture in pytest's folder (`screenshots`, to be looked at; JPEG, which Chromium makes in half the
CPU of a PNG of the same page: the guide's writing page is 20,000 px tall) and judged on what a reader would notice:
nothing scrolls sideways, no text smaller than 10 px, no English word of ours on a Chinese page
(what the scripts wrote too: the filter's summary, the live counts), and axe-core finds nothing at
any impact (colour contrast on one element of each look: ONE_OF_EACH_LOOK), Material's markup included (its highlighted code's comments were 4.47:1: bulletins.css)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from browsing import SUB_PATH, SUB_PATH_ZH, foreign
from helpers import AS_OF, nginx
from test_chinese_site import _sources_text, our_english

READERS_CLOCK = dt.datetime.fromisoformat(f"{AS_OF}T09:00:00")  # live.js recounts nothing: the pictures stay put
LANGUAGES = {"en": SUB_PATH, "zh": SUB_PATH_ZH}
WIDTHS = {"desktop": 1366, "phone": 390}

KINDS = {
    "home": "",
    "units-index": "units/",
    "unit-with-overdue": "units/property/",
    "unit-without-overdue": "units/finance/",
    "parent-unit": "units/real-estate/",
    "register": "directives/",
    "filtered-register": "directives/?unit=energy&status=open",
    "dashboard": "dashboard/",
    "archive": "archive/",
    "archive-year": "archive/2026/",
    "archive-type": "archive/notice/",
    "minutes": "bulletins/2021/2021-05-25-special-safety-meeting/",
    "chinese-minutes": "bulletins/2025/2025-03-18-安全生产月度例会纪要/",
    "notice": "bulletins/2026/2026-11-20-关于开展应急演练的通知/",
    "meeting-notice": "bulletins/2026/2026-11-26-notice-winter-safety-meeting/",
    "inspection-report": "bulletins/2026/2026-10-15-冬季消防安全专项检查通报/",
    "bulletin": "bulletins/2022/2022-01-18-warehouse-fire-extinguisher-lesson/",
    "督办通报": "bulletins/2026/2026-11-27-关于冬季应急演练工作进展情况的督办通报/",
    "follow-ups-only": "bulletins/2021/2021-06-10-re-inspection-report/",
    "acceptance": "bulletins/2021/2021-06-25-acceptance-notice/",
    "guide-workflow": "guide/workflow/",
    "guide-writing": "guide/writing/",
    "guide-publishing": "guide/publishing/",
}

SIDEWAYS_AND_TINY = """() => {
  const root = document.documentElement;
  const tiny = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest('svg, script, style, .md-search, .sb-visually-hidden, .sb-part-of')) continue;
    if (!element.getClientRects().length || !element.checkVisibility({visibilityProperty: true})) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < 10) tiny.push(`${size.toFixed(1)}px ${element.tagName.toLowerCase()}.${element.className}: ${node.textContent.trim().slice(0, 40)}`);
  }
  // what sticks out of the screen though the page does not scroll (a table wider than its card), but what
  // an element clips and code, which scrolls in its own box
  const clipped = el => { for (let a = el.parentElement; a && a.tagName !== 'ARTICLE'; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX; if (o === 'hidden' || o === 'clip') return true; } return false; };
  let widest = 0, what = '';
  for (const el of document.querySelectorAll('article *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.closest('pre') || clipped(el)) continue;
    if (r.right > widest) { widest = r.right; what = el.tagName.toLowerCase() + '.' + el.className; }
  }
  return {scroll: root.scrollWidth, client: root.clientWidth, widest, what, tiny: tiny.slice(0, 10)};
}"""

# The text a reader sees, node by node, outside what is marked English (an English bulletin's own
# header and cards speak its language) and outside code
SEEN_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest('script, style, code, pre, [lang^="en"]')) continue;
    if (!element.getClientRects().length) continue;
    texts.push(node.textContent.split(/\\s+/).filter(Boolean).join(' '));
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]'))
    if (!element.closest('[lang^="en"]'))
      for (const name of ['aria-label', 'title', 'placeholder']) if (element.getAttribute(name)) texts.push(element.getAttribute(name));
  return texts;
}"""


@pytest.fixture(scope="session")
def readers_context(browser):
    """One browser context per worker for this module's pages, its clock at the reader's day: a new
    page (tab) for each test, with its own session storage, script errors and requests, but the cache
    and compiled scripts of the pages before it, as a reader's browser has. A context of its own made
    each load cost 1.6 s of CPU, not 0.7 (Material's bundle and the search worker compiled anew)."""
    context = browser.new_context()
    context.clock.install(time=READERS_CLOCK)
    yield context
    context.close()


@pytest.fixture(scope="session")
def readers_tab(readers_context):
    """One tab the kinds of page are opened in, one after another (a new tab is a new renderer process:
    a third of a load's CPU); each test loads its page anew at its own width."""
    return readers_context.new_page()


def recorded(page, request):
    """As browsing.page: after the test, no request left the origin (one the cache answered was made, and
    checked, by the page that first asked for it) and no console error occurred; for this test only."""
    requests, errors = [], []
    handlers = {"request": lambda r: requests.append(r.url),
                "console": lambda message: errors.append(message.text) if message.type == "error" else None,
                "pageerror": lambda error: errors.append(str(error))}
    for event, handler in handlers.items():
        page.on(event, handler)
    yield page
    for event, handler in handlers.items():
        page.remove_listener(event, handler)
    assert errors == [], errors
    origin = getattr(request.node, "origin", None)
    if origin is not None:
        assert foreign(requests, origin) == []
    assert requests, "the page made no request at all"


@pytest.fixture
def page(readers_context, request):
    """A new tab in the worker's readers_context, for a test that does more than look (searches, plants)."""
    page = readers_context.new_page()
    try:
        yield from recorded(page, request)
    finally:
        page.close()


@pytest.fixture
def tab(readers_tab, request):
    yield from recorded(readers_tab, request)


@pytest.fixture(scope="session")
def english_of_ours():
    """What on a Chinese page is an English phrase of the package's (a label, a template's text)
    rather than a bulletin's own words."""
    phrases = [(p, re.compile(r"(?<![A-Za-z])" + re.escape(p) + r"(?![A-Za-z])")) for p in our_english()]
    sources = _sources_text()

    def found(texts: list[str]) -> list[str]:
        return [f"{phrase!r} in {text[:100]!r}" for text in texts if text not in sources
                for phrase, pattern in phrases if pattern.search(text)]
    return found


# axe's colour-contrast rule is most of its time (each text's background found through the stacking of
# the page, ~2,300 texts on the guide's writing page, 800 on the register): it reads one element of each
# look. A look is all its contrast can depend on: the element's tag, classes and computed colour, size,
# weight, shadow, stroke, visibility and whether it is disabled or has letters at all; and for it and each
# ancestor, tag, classes, background, opacity, filter, blend, position, z-index, overflow and the
# colours of their ::before and ::after. Elements that agree on all of it (57 rows of the register in
# the same state, the same token of highlighted code) have one contrast, so axe measures the first;
# every other rule reads the whole page. Form controls, whose text is their value, are all read.
# test_the_contrast_check_finds_one_odd_row_among_identical_ones shows the odd one out is still found.
ONE_OF_EACH_LOOK = """() => {
  const own = ['color', 'fontSize', 'fontWeight', 'textShadow', 'webkitTextStrokeWidth', 'webkitTextStrokeColor',
               'webkitTextFillColor', 'visibility', 'display', 'textIndent', 'clip', 'clipPath'];
  const painted = ['backgroundColor', 'backgroundImage', 'opacity', 'filter', 'mixBlendMode', 'backdropFilter',
                   'position', 'zIndex', 'overflow', 'clip', 'clipPath'];
  const pseudo = el => ['::before', '::after'].map(p => {
    const s = getComputedStyle(el, p);
    return s.content === 'none' ? '' : [p, s.color, s.backgroundColor, s.backgroundImage, s.opacity].join(' ');
  }).join('');
  const chains = new Map();  // element -> its look as an ancestor, and its ancestors'
  const chain = el => {
    if (!el) return '';
    if (!chains.has(el)) {
      const s = getComputedStyle(el);
      chains.set(el, `${el.tagName}.${el.getAttribute("class")}#${painted.map(p => s[p]).join('|')}${pseudo(el)}\\n${chain(el.parentElement)}`);
    }
    return chains.get(el);
  };
  const looks = new Set();
  let texts = 0;
  for (const el of document.querySelectorAll('body *')) {
    const text = [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('').trim();
    const control = el.matches('input, select, textarea, button, option');
    if (!text && !control) continue;
    texts++;
    const s = getComputedStyle(el);
    const look = [own.map(p => s[p]).join('|'), /[\\p{L}\\p{N}]/u.test(text),
                  el.matches(':disabled, [aria-disabled="true"]'), chain(el)].join('\\n');
    if (control || !looks.has(look)) {
      looks.add(look);
      el.setAttribute('data-sb-contrast', '');
    }
  }
  axe.configure({rules: [{id: 'color-contrast', selector: '[data-sb-contrast]'}]});
  return {texts, looks: looks.size};
}"""


def axe_findings(page) -> list[dict]:
    """Every axe violation, at any impact (Material's markup included: none is left to excuse); colour
    contrast on one element of each look (ONE_OF_EACH_LOOK)."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    page.evaluate(ONE_OF_EACH_LOOK)
    return page.evaluate("options => axe.run(document, options)", {"resultTypes": ["violations"]})["violations"]


def described(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "".join(f"    {node['target']}: {node['failureSummary'].splitlines()[-1].strip()}\n" for node in v["nodes"])
        for v in violations
    )


def looked_at(page, url: str, width: int, picture) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url, wait_until="networkidle")
    page.screenshot(path=str(picture), full_page=True, type="jpeg", quality=80)


def judged(page, language: str, english_of_ours) -> None:
    # Material slides and fades its search in: measured mid-way, it is wider than the screen and too faint
    page.evaluate("""() => Promise.allSettled(document.getAnimations()
        .filter(a => a.effect.getComputedTiming().endTime !== Infinity).map(a => a.finished))""")
    measured = page.evaluate(SIDEWAYS_AND_TINY)
    assert measured["scroll"] == measured["client"], f"the page scrolls sideways: {measured}"
    assert measured["widest"] <= measured["client"] + 0.5, f"sticks out of the screen: {measured}"
    assert measured["tiny"] == [], measured["tiny"]
    if language == "zh":
        assert english_of_ours(page.evaluate(SEEN_TEXT)) == []
    violations = axe_findings(page)
    assert violations == [], "\n" + described(violations)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", KINDS.values(), ids=KINDS.keys())
def test_every_kind_of_page(tab, origin, screenshots, english_of_ours, path, language, width):
    name = next(kind for kind, p in KINDS.items() if p == path)
    looked_at(tab, origin + LANGUAGES[language] + path, width, screenshots / f"{language}-{name}-{width}.jpg")
    judged(tab, language, english_of_ours)


def test_the_contrast_check_finds_one_odd_row_among_identical_ones(page, origin, screenshots):
    """axe reads one element of each look (ONE_OF_EACH_LOOK): a row of the register made faint (a status
    cell, grey on white: 1.7:1) among the shown rows that look alike, and a badge made grey on white among the same badges, are each
    a look of their own, and found; the rows that look alike are read once."""
    looked_at(page, origin + SUB_PATH + KINDS["register"], WIDTHS["desktop"], screenshots / "odd-row.jpg")
    looks = page.evaluate(ONE_OF_EACH_LOOK.replace("axe.configure", "(() => {})"))
    assert looks["looks"] * 3 < looks["texts"], looks  # most texts share a look: the check is on one of each
    # a cell and a badge that axe would not read, their looks read on another row
    planted = page.evaluate("""() => {
      const unread = selector => [...document.querySelectorAll(selector)]
        .filter(e => e.checkVisibility() && !e.hasAttribute('data-sb-contrast'));
      const cells = unread('tr.sb-row > td:nth-child(5)'), badges = unread('tr.sb-row .sb-badge');
      const cell = cells[Math.floor(cells.length / 2)], badge = badges[badges.length - 1];
      cell.style.color = '#c8c8c8';
      badge.style.cssText = 'color: #c8c8c8; background: #fff';
      [cell.id, badge.id] = ['odd-cell', 'odd-badge'];
      return [cells.length, badges.length];
    }""")
    assert min(planted) > 0, planted
    contrast = [v for v in axe_findings(page) if v["id"] == "color-contrast"]
    assert contrast, "the faint row and badge were not found"
    assert sorted(node["target"][0] for node in contrast[0]["nodes"]) == ["#odd-badge", "#odd-cell"]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize(("language", "query"), [("en", "extinguisher"), ("zh", "应急演练")])
def test_the_search_open_with_results(page, origin, screenshots, english_of_ours, language, query, width):
    looked_at(page, origin + LANGUAGES[language], width, screenshots / "before.jpg")
    page.keyboard.press("/")
    field = page.locator("input.md-search__input")
    field.fill(query)
    field.press("End")  # Material searches on key events, which fill() does not send
    page.locator(".md-search-result__item").first.wait_for()
    page.screenshot(path=str(screenshots / f"{language}-search-{width}.png"))
    judged(page, language, english_of_ours)


@pytest.fixture(scope="module")
def served_at_the_root(sites, tmp_path_factory):
    """Each site at the root of a server of its own, with its 404 page for what is not there: the page
    MkDocs writes links the site's root when the site has no site_url."""
    with contextlib.ExitStack() as stack:
        yield {language: stack.enter_context(nginx(
            tmp_path_factory.mktemp(f"nginx-{language}"), {"/": site},
            served=f"location / {{ alias {site}/; }} error_page 404 /404.html;"))
            for language, site in sites.items()}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_not_found(readers_context, served_at_the_root, screenshots, english_of_ours, language, width):
    page = readers_context.new_page()  # not the page fixture: what is not found is the point here
    try:
        looked_at(page, served_at_the_root[language] + "/no-such-page/", width, screenshots / f"{language}-404-{width}.jpg")
        assert page.locator("article h1").inner_text() == ("404 - 页面不存在" if language == "zh" else "404 - Not found")
        assert page.locator(".md-header__topic").first.inner_text().strip() == ("安全生产文件" if language == "zh" else "Production Safety Bulletins")
        judged(page, language, english_of_ours)
        page.keyboard.press("/")  # its search answers as every page's does (Pagefind, at the site's root)
        page.locator("input.md-search__input").fill("extinguisher")
        page.locator("input.md-search__input").press("End")
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    finally:
        page.close()
