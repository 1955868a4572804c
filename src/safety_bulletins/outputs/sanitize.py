"""The one gate every page's rendered Markdown passes: nh3 (ammonia) keeps the markup that
Markdown and our extensions make, and drops any URL whose scheme is not allowed, after
decoding entities and whitespace as a browser would (`&#106;avascript:`, `java&Tab;script:`)."""

from __future__ import annotations

import nh3

from ..sources.paths import URL_SCHEMES

_TAGS = nh3.ALLOWED_TAGS - {"area", "map"}
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "data": {"value"},
    "details": {"open"},
    "abbr": set(),
}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    url_schemes=set(URL_SCHEMES),
    filter_style_properties={"text-align"},  # Markdown tables' column alignment
    strip_comments=False,  # the cards' facts placeholders (markdown_ext.facts_placeholder)
    link_rel=None,
)


def sanitize(html: str) -> str:
    return _CLEANER.clean(html)
