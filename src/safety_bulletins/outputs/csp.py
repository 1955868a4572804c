"""The Content-Security-Policy every page of the site carries: defence in depth behind the
sanitizer. If markup ever slipped through `sanitize`, the browser still runs no script and
makes no request the site did not make itself.

A page gets the policy as `<meta http-equiv="Content-Security-Policy">`, first in its head
after the charset. Scripts come from the site only; the theme's few inline scripts (Material's
`__md_scope`/`__md_get` helpers, its palette and `location.hash` snippets) are allowed by the
SHA-256 of their final bytes, so the policy is made last, after any plugin (a minifier) rewrote
them. Which inline scripts are the theme's is decided on the page as the template made it,
before any plugin ran: those outside the page's content (`theme_scripts`). A script inside the
content is never hashed, even if it got there: the browser blocks it. The data block
`<script id="__config" type="application/json">` is not run and needs no hash.

The rest, directive by directive:
- `'wasm-unsafe-eval'` and `worker-src 'self'`: Pagefind compiles WebAssembly in the search
  worker (assets/safety-bulletins/search.js), and Material's own search is a worker too.
- `img-src 'self' data:`: Material's icons are `data:image/svg+xml` URLs in its stylesheet.
- `style-src 'self'` with `style-src-attr 'unsafe-inline'`: no `<style>` element and no outside
  stylesheet, but style attributes, which the site makes itself (the indent of sub-units in
  the unit tree, `--sb-depth`) and which Markdown tables need for their column alignment (the
  sanitizer keeps `text-align` alone). A style attribute cannot run script, and every request
  CSS could make is held to the site by `img-src`, `font-src` and `default-src`.
- `object-src 'none'`, `base-uri 'none'` (no `<base>` can move the relative links),
  `form-action 'self'` (the listings' filter form reloads its own page).
`frame-ancestors` and `sandbox` are ignored in a `<meta>` (with a console error): they are for
the web server's headers (`header_policy`, docs/guide/publishing.md).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass

META = '<meta http-equiv="Content-Security-Policy" content="{policy}">'
# What the browser runs as a classic script (the type's spaces stripped) or, typed exactly
# `module` in any case, as a module (as Chromium reads them); any other type is a data block.
_JAVASCRIPT_TYPES = {
    "", "application/ecmascript", "application/javascript", "application/x-ecmascript",
    "application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0", "text/javascript1.1",
    "text/javascript1.2", "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript",
    "text/livescript", "text/x-ecmascript", "text/x-javascript",
}


class CspError(ValueError):
    """A page whose inline scripts cannot be told apart or allowed (the message says why)."""


@dataclass(frozen=True)
class InlineScript:
    offset: int  # of its start tag in the page
    text: str  # as the browser hashes it: the raw text, line ends normalised


def policy(script_hashes: list[str] | tuple[str, ...] = (), *, inline: str = "") -> str:
    """The site's policy, allowing the inline scripts of these SHA-256 hashes (`'sha256-...'`),
    or `inline` in their place (see header_policy)."""
    scripts = " ".join(["'self'", "'wasm-unsafe-eval'", *sorted(set(script_hashes)), *([inline] if inline else [])])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "worker-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ])


def header_policy() -> str:
    """The policy the web server sends with every response of the site (the publishing
    guide's nginx configuration). A header is one for all pages and cannot list each page's
    hashes, so it allows inline scripts and leaves them to the page's own policy: a browser
    enforces both, so on a page a script must pass both, and inline scripts are held to the
    page's hashes. What the header adds: `frame-ancestors` (no other site frames the pages),
    which a `<meta>` cannot set, and the same limits for whatever is not a page."""
    return policy(inline="'unsafe-inline'") + "; frame-ancestors 'self'"


ATTACHMENT_POLICY = "sandbox; default-src 'none'"  # an attachment opened in a tab: no script, no request, no origin


def script_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@dataclass(frozen=True)
class ThemeScripts:
    places: frozenset[int]  # among the page's inline scripts: 0 for the first, ...
    count: int  # the page's inline scripts, the content's included
    texts: tuple[str, ...] = ()  # the theme's, as read
    head: str | None = None  # the page up to where its policy goes, as read


def theme_scripts(page_html: str, content: str) -> ThemeScripts:
    """Which inline scripts of a page, as the template made it (before any plugin rewrote
    it), are the theme's: their places (0 for the first inline script, ...) among the page's
    inline scripts, leaving out any inside `content`, the page's content as the template put
    it in. Raises CspError if the content is not in the page, or holds a script and is in
    it more than once."""
    start = page_html.find(content) if content else -1
    if content and start < 0:
        raise CspError("the page's content is not in its HTML (a theme override?): its inline scripts "
                       "cannot be told from the theme's")
    end = start + len(content)
    if content and _SCRIPT_TAG.search(content) is None:
        # The common case, read in two thirds of the time on a bulletin's page and a fraction on a
        # long listing's: no script can start in the content, so only the theme's parts are read
        before, after = _parse(page_html[:start]), _parse(page_html[end:])
        if before.insert_at is not None:
            texts = tuple(script.text for script in before.scripts + after.scripts)
            return ThemeScripts(frozenset(range(len(texts))), len(texts), texts, page_html[:before.insert_at])
    if content and page_html.find(content, start + 1) >= 0:  # which one is the content's cannot be known
        raise CspError("the page's content, which holds a script, is in its HTML more than once: its inline "
                       "scripts cannot be told from the theme's")
    parsed = _parse(page_html)
    places = [i for i, script in enumerate(parsed.scripts) if not (start <= script.offset < end)]
    head = page_html[:parsed.insert_at] if parsed.insert_at is not None else None
    return ThemeScripts(frozenset(places), len(parsed.scripts), tuple(parsed.scripts[i].text for i in places), head)


def with_policy(page_html: str, trusted: ThemeScripts | None = None, *, preview: bool = False,
                scripts_as_read: bool = False) -> str:
    """The page with the site's policy first in its head, allowing the inline scripts that
    are `trusted` (see theme_scripts; None: all of them, for a page with no content of its
    own such as 404.html) by their hashes. `preview`: for `mkdocs serve`, which adds
    its live-reload script inline to every page it sends, different each time: no hash can
    allow it, so the preview's policy allows inline scripts (everything else is the same).
    Raises CspError if the page has no element, or not as many inline scripts as when it
    was written (a plugin added or removed one: the places no longer match, and a wrong
    hash would block the theme or allow the content).

    `scripts_as_read`: the caller knows that nothing but its own changes to the content and
    below the head's start came since theme_scripts read the page (no plugin rewrote it):
    the page is not read again (half the time), if its head starts as it did then."""
    if scripts_as_read and trusted is not None and trusted.head is not None and page_html.startswith(trusted.head):
        return _with_meta(page_html, len(trusted.head), [script_hash(text) for text in trusted.texts], preview)
    parsed = _parse(page_html)
    if parsed.insert_at is None:
        raise CspError("the page has no element to put its Content-Security-Policy before")
    scripts = parsed.scripts
    if trusted is None:
        trusted = ThemeScripts(frozenset(range(len(scripts))), len(scripts))
    if trusted.count != len(scripts):
        raise CspError(f"the page had {trusted.count} inline scripts when written and has {len(scripts)} now "
                       "(a plugin added or removed one?): the theme's cannot be told apart to allow them")
    return _with_meta(page_html, parsed.insert_at, [script_hash(scripts[i].text) for i in sorted(trusted.places)],
                      preview)


def _with_meta(page_html: str, at: int, hashes: list[str], preview: bool) -> str:
    page_policy = policy(inline="'unsafe-inline'") if preview else policy(hashes)
    meta = META.format(policy=html.escape(page_policy, quote=False))
    return page_html[:at] + meta + page_html[at:]


# The HTML tokenizer's states that decide where a script starts and ends: comments, doctypes,
# end tags, and start tags with their attributes (a quoted value may hold `>` or `<script>`).
_TOKEN = re.compile(r"""
    <!--.*?(?:-->|\Z)
  | <[!?/][^>]*>?
  | <(?P<tag>[a-zA-Z][^\s/>]*)
     (?P<attrs>(?:[\s/]+(?:[^\s/>][^\s/>=]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?)?)*)
     \s*>
""", re.DOTALL | re.VERBOSE)
_ATTRIBUTE = re.compile(r"""([^\s/>][^\s/>=]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
_SCRIPT_TAG = re.compile(r"<script", re.IGNORECASE)  # what any script element starts with
# Read as text to their end tag, as a browser reads them: a minifier may write a title's
# `&lt;script>` as `<script>`, which is still text in a title
_TEXT_ELEMENTS = {"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript"}


def has_policy(page_html: str) -> bool:
    """Whether the page already carries the site's policy (a dirty build leaves a copied
    HTML file of docs/ as the last build wrote it)."""
    parsed = _parse(page_html)
    return parsed.insert_at is not None and page_html.startswith(META.split("{")[0], parsed.insert_at)


class _Page:
    """The inline scripts of a page, where they start, and where the policy goes: after the
    `<meta charset>` if the head opens with one (it must stay in the first 1024 bytes), else
    before the first element of the head. The `<head>` and `<html>` tags may be left out (a
    minifier drops them): a `<meta>` before anything of the body is in the head all the same.

    A tokenizer of its own, not html.parser: it reads only what a script's place depends on,
    8 times faster (0.7 ms of CPU against 5.9 ms for a bulletin's page). Should it read a page otherwise
    than a browser, it errs to the safe side: a script it does not see gets no hash (the browser
    blocks it), and only scripts outside the content are ever hashed (theme_scripts)."""

    def __init__(self, page_html: str):
        self.scripts: list[InlineScript] = []
        self.insert_at: int | None = None
        position = 0
        while position is not None:
            position = self._read(page_html, position)

    def _read(self, page_html: str, position: int) -> int | None:
        """Reads tokens from `position` up to the end of the page (None) or the start of an
        element whose content is text (where to go on after it)."""
        for token in _TOKEN.finditer(page_html, position):
            tag = token["tag"]
            if tag is None:  # a comment, a doctype, an end tag
                continue
            tag = tag.lower()
            if self.insert_at is None and tag not in ("html", "head"):
                charset = tag == "meta" and "charset" in _attributes(token["attrs"])
                self.insert_at = token.end() if charset else token.start()
            if tag not in _TEXT_ELEMENTS:
                continue
            end = re.compile(rf"</{tag}[\s/>]", re.IGNORECASE).search(page_html, token.end())
            text_end = end.start() if end else len(page_html)
            if tag == "script":
                attributes = _attributes(token["attrs"])
                kind = attributes.get("type", "")
                if "src" not in attributes and (kind.strip().lower() in _JAVASCRIPT_TYPES or kind.lower() == "module"):
                    text = page_html[token.end():text_end].replace("\r\n", "\n").replace("\r", "\n")  # as a browser reads it
                    self.scripts.append(InlineScript(token.start(), text))
            return text_end
        return None


def _attributes(written: str) -> dict[str, str]:
    """A start tag's attributes, names in lower case (the first of a name counts, as in a browser)."""
    attributes: dict[str, str] = {}
    for name, *values in _ATTRIBUTE.findall(written):
        attributes.setdefault(name.lower(), next((value for value in values if value), ""))
    return attributes


def _parse(page_html: str) -> _Page:
    return _Page(page_html)
