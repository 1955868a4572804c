"""Accessibility: axe-core (shipped in axe-playwright-python, injected into the page; nothing is
downloaded) in Chromium. No violation of impact serious or critical may remain; a failure lists each
with its rule, impact, elements and help. Every kind of page, in both languages at both widths, is
checked at any impact by test_every_page_kind.py (home, units, unit pages, register, dashboard,
bulletins with directive and follow-up cards, archive, guide): here, what only a reader's action shows."""

from __future__ import annotations

import pytest
from browsing import SUB_PATH

SEVERE = ("serious", "critical")


def severe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    # Material fades its search in: axe measures a colour mid-fade as too faint.
    page.evaluate(
        """() => Promise.allSettled(document.getAnimations()
            .filter(a => a.effect.getComputedTiming().endTime !== Infinity)
            .map(a => a.finished))"""
    )
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in SEVERE]


def described(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]\n"
        + "".join(f"    {node['target']}: {node['failureSummary'].splitlines()[-1].strip()}\n" for node in v["nodes"])
        for v in violations
    )


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_open_search_with_its_filters(page, origin, width):
    """Material's search open, with Pagefind's answers and the filters beside the box."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(origin + SUB_PATH, wait_until="networkidle")
    page.keyboard.press("/")
    page.locator("input.md-search__input").fill("safety")
    page.locator("input.md-search__input").press("End")
    page.locator(".md-search-result__item").first.wait_for()
    assert page.locator(".sb-search-filters select").count() == 4
    violations = severe_violations(page)
    assert violations == [], "\n" + described(violations)
