"""The one gate every page's rendered Markdown passes: nh3 (ammonia) keeps the markup that
Markdown and our extensions make, and drops any URL whose scheme is not allowed, after
decoding entities and whitespace as a browser would (`&#106;avascript:`, `java&Tab;script:`).

Ids and classes. Editors set them (attr_list's `{#id .class}`, pymdown blocks' `attrs:`, a
fence's attributes) or make them from text (toc's heading slugs), and the theme and the site
read some as their own: Material takes the first `#__config` as its configuration and its
toggles are `#__search`, `#__drawer`..., its classes `md-*`; the site's anchors and classes
are `sb-*`. So, on every page:

- An id in a reserved namespace (`__`, `md-`, `sb-`, in any case) is given the form
  `id-<id>`, which is in none (`#__config` becomes `#id-__config`), and so is the fragment of
  a link to it, so that links follow (`text_id`; `markdown_ext.TextIdsExtension` does the same
  before toc, so the table of contents agrees). Kept as they are: the page's own card anchors
  (`own_ids`, given by the build), the ids a Markdown extension makes there (code line
  anchors), and `sb-` fragments of links, which point at the site's anchors.
- A class in a reserved namespace (`sb-`, `md-`, and `mermaid`, which makes Material load a
  script) is dropped, unless its class list holds `OWN_MARK`: a random token of this process
  that only our card extension writes (`own_classes`) and that is removed here, so it never
  reaches a page. The editors' text is written before the build, so it cannot hold the
  token: only `markdown_ext`'s cards come out with card classes (and, being dropped here, the
  token leaves the same sources giving the same bytes).

The rest is the build's: a card's elements get back what the extension made after attr_list
read a `{...}` at the end of its title (`markdown_ext`), and an editor's element holding a
card's anchor stops the build (`SiteBuild.render_problems`).
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from urllib.parse import unquote

import nh3

from ..sources.paths import URL_SCHEMES

RESERVED_ID = re.compile(r"__|md-|sb-", re.IGNORECASE)  # at the start of an id
TEXT_ID_PREFIX = "id-"
# Made by a Markdown extension on the page itself: pymdownx.highlight's line anchors, which Material's
# code annotations link to. (Tabs' `__tabbed_*` ids are on <input>s, which this gate drops anyway.)
_EXTENSION_ID = re.compile(r"__(?:codelineno|span)-\d+-\d+")
RESERVED_CLASS = re.compile(r"sb-|md-|mermaid$", re.IGNORECASE)  # at the start of a class name
_MAYBE_RESERVED = re.compile(r"sb-|md-|mermaid", re.IGNORECASE)  # anywhere: most class lists have none
OWN_MARK = f"sb-own-{secrets.token_hex(16)}"  # never written to a page: see the module's docstring
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_own_ids: ContextVar[frozenset[str]] = ContextVar("own_ids", default=frozenset())

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


def text_id(value: str) -> str:
    """An id from an editor's text, in a form that is no reserved one."""
    if RESERVED_ID.match(value) and not _EXTENSION_ID.fullmatch(value):
        return TEXT_ID_PREFIX + value
    return value


def text_link(url: str) -> str:
    """A relative link whose fragment names a renamed id, to where `text_id` put it."""
    base, hash_, fragment = url.partition("#")
    if not hash_ or _SCHEME.match(url):
        return url
    target = unquote(fragment)
    if target.lower().startswith("sb-") or target in _own_ids.get() or text_id(target) == target:
        return url
    return f"{base}#{TEXT_ID_PREFIX}{fragment}"


def own_classes(*names: str) -> str:
    """A class list of our own markup, which the gate keeps whole."""
    return " ".join((OWN_MARK, *names))


def _classes(value: str) -> str | None:
    names = value.split()  # splits on every space HTML does (and more: drops more, never less)
    if OWN_MARK in names:
        kept = [name for name in names if name != OWN_MARK]
    else:
        kept = [name for name in names if not RESERVED_CLASS.match(name)]
    return " ".join(kept) or None


def _attribute(element: str, attribute: str, value: str) -> str | None:
    # called for every attribute of every page (a card has eight): the common cases return first
    if attribute == "class":
        if value.startswith(OWN_MARK):  # as own_classes writes it
            return value[len(OWN_MARK) + 1:] or None
        return _classes(value) if _MAYBE_RESERVED.search(value) else value
    if attribute == "id":
        return value if value in _own_ids.get() else text_id(value)
    if attribute == "href":
        return text_link(value) if "#" in value else value
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    attribute_filter=_attribute,
    url_schemes=set(URL_SCHEMES),
    filter_style_properties={"text-align"},  # Markdown tables' column alignment
    strip_comments=False,  # the cards' facts placeholders (markdown_ext.facts_placeholder)
    link_rel=None,
)


def sanitize(html: str, own_ids: frozenset[str] = frozenset()) -> str:
    """`own_ids`: the anchors of the page's own cards, kept even where reserved (`sb-fu-...`)."""
    token = _own_ids.set(frozenset(own_ids))
    try:
        return _CLEANER.clean(html)
    finally:
        _own_ids.reset(token)
