"""Python-Markdown extensions the site renders bulletins with.

- `DirectiveExtension`: the `/// directive` and `/// follow-up` blocks of pymdown-extensions'
  generic blocks, drawn as cards. The page's Markdown names each card by id only (see
  `page_markdown`); the card's facts come from the validated catalog, so the page shows
  exactly what the register and the exports show.
- `SafeHtmlExtension`: raw HTML written in Markdown is shown as text, so that an
  editor's `<Safety Law>` never becomes a tag. (URLs are filtered on the rendered HTML:
  see `sanitize`.)
- `TextIdsExtension`: ids that editors set or that toc makes from a heading's text never take
  a reserved form (`__config`, `md-*`, `sb-*`: see `sanitize`, which does the same on the
  HTML, stashed code blocks included); done before toc, so the table of contents and MkDocs'
  anchors agree with the page. Cards' classes carry `sanitize.own_classes`' mark: the only
  markup the gate lets through with the site's classes.
- `CjkLineBreaksExtension`: Chinese wrapped over source lines joins without a space (Chromium
  shows a line break inside text as a space, also between two Chinese characters).

`ours(card)` is the list every renderer of the site adds to the site's own extensions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block

from ..model import WIDE_CHARACTERS, Bulletin, Directive, FollowUp
from .sanitize import OWN_MARK, own_classes, text_id, text_link


def page_markdown(bulletin: Bulletin) -> str:
    """The bulletin's body with each directive's header and options replaced by
    `/// directive | <id>` (an argument, not YAML options: pymdown parses those with
    pure-Python YAML, a quarter of the cards' cost). MkDocs reads page metadata from the
    page's file, not from this text, so a first line such as `Time: 09:00` stays text.
    """
    lines = bulletin.body.split("\n")
    blocks = [(d.header, "directive", d.id) for d in bulletin.directives]
    blocks += [(f.header, "follow-up", f.anchor) for f in bulletin.follow_ups]
    for (start, end), kind, key in sorted(blocks, reverse=True):
        slashes = re.match(r"\s*(/+)", lines[start]).group(1)
        lines[start:end] = [f"{slashes} {kind} | {key}", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Card:
    """What a card shows, looked up by its id: a directive's (with its bucket), or a follow-up's."""

    directive: Directive
    bucket: str
    follow_up: FollowUp | None = None
    title: str = ""  # the card's heading, as plain text

    @property
    def anchor(self) -> str:
        return self.follow_up.anchor if self.follow_up else self.directive.id


# Where a card's facts (units, deadline, status...) go in when the page is written: search
# does not read them (they repeat on every card and have pages of their own) and MkDocs
# does not hold them in memory to the end of the build.
FACTS_PLACEHOLDER = re.compile(r"<!--sb-facts:([^<>]+?)-->")


def facts_placeholder(key: str) -> str:
    """Where the facts of the card with this id (a directive's id, a follow-up's anchor) go."""
    return f"<!--sb-facts:{key}-->"


class _DirectiveBlock(Block):
    NAME = "directive"
    ARGUMENT = True  # the directive's id (a follow-up's anchor), put there by page_markdown

    def on_validate(self, parent: etree.Element) -> bool:
        # A block our parser did not see has no known id: it is left as text, and the
        # build's check for missing cards reports it.
        self.card = self.config["card"](self.NAME, self.argument)
        return self.card is not None

    def on_create(self, parent: etree.Element) -> etree.Element:
        kind = "follow-up" if self.card.follow_up else "directive"
        css = (f"sb-{kind}", f"sb-{kind}--{self.card.bucket}") if kind == "directive" else ("sb-follow-up",)
        card = etree.SubElement(parent, "div", {"class": own_classes(*css)})
        title = etree.SubElement(card, "h3", {"id": self.card.anchor, "class": own_classes(f"sb-{kind}__title")})
        title.text = AtomicString(self.card.title)  # plain text, as in the register
        meta = etree.SubElement(card, "div", {"class": own_classes(f"sb-{kind}__meta")})
        meta.text = self.md.htmlStash.store(facts_placeholder(self.card.anchor))
        text = etree.SubElement(card, "div", {"class": own_classes(f"sb-{kind}__text")})
        self.config["made"].extend((element, dict(element.attrib), element.text) for element in (card, title, meta))
        self.config["made"].append((text, dict(text.attrib), None))
        return card

    def on_add(self, block: etree.Element) -> etree.Element:
        return block[-1]


class _FollowUpBlock(_DirectiveBlock):
    NAME = "follow-up"


class _KeepCards(Treeprocessor):
    """After attr_list (8): a card's title is the editor's text, and attr_list reads a `{...}` at
    its end as the heading's id and classes (`{ #__config .md-header }`), added to the marked
    ones. The card's elements get back what the extension made (title text included)."""

    def __init__(self, md, made: list):
        super().__init__(md)
        self.made = made

    def run(self, root: etree.Element) -> None:
        for element, attributes, text in self.made:
            element.attrib.clear()
            element.attrib.update(attributes)
            if text is not None:
                element.text = text
        self.made.clear()


class DirectiveExtension(BlocksExtension):
    def __init__(self, card: Callable[[str, str], Card | None]):
        self.config = {
            "card": [card, "the card of a block ('directive' or 'follow-up'), by id"],
            "made": [[], "(element, attributes, text) of the cards made on the page being rendered"],
        }
        super().__init__()

    def extendMarkdownBlocks(self, md, block_mgr) -> None:  # noqa: N802 - pymdown's API
        block_mgr.register(_DirectiveBlock, self.getConfigs())
        block_mgr.register(_FollowUpBlock, self.getConfigs())
        md.treeprocessors.register(_KeepCards(md, self.getConfigs()["made"]), "sb_keep_cards", 7)


class SafeHtmlExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's API
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


class _TextIds(Treeprocessor):
    """Between attr_list (8) and toc (5): editors' ids and links to them as `sanitize` gives
    them, and toc's slugs made the same way."""

    def run(self, root: etree.Element) -> None:
        toc = self.md.treeprocessors["toc"] if "toc" in self.md.treeprocessors else None
        if toc is not None and not getattr(toc.slugify, "text_ids", False):
            toc.slugify = _text_slugify(toc.slugify)
        for element in root.iter():
            if OWN_MARK in element.get("class", "").split():
                continue  # a card's own anchor
            if "id" in element.attrib:
                element.set("id", text_id(element.get("id")))
            if element.tag == "a" and "href" in element.attrib:
                element.set("href", text_link(element.get("href")))


def _text_slugify(slugify: Callable[[str, str], str]) -> Callable[[str, str], str]:
    def text_slugify(value: str, separator: str) -> str:
        return text_id(slugify(value, separator))

    text_slugify.text_ids = True
    return text_slugify


class TextIdsExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's API
        md.treeprocessors.register(_TextIds(md), "sb_text_ids", 6)


# Inline elements: text flows through them, so a line break before `**粗体**` joins too.
# Everything else (paragraphs, cells, list items, <br>, code) ends the run of text.
_INLINE = frozenset(("a", "abbr", "b", "cite", "del", "em", "i", "ins", "mark", "q", "s", "small", "span",
                     "strong", "sub", "sup", "u"))
_OPAQUE = frozenset(("code", "pre", "script", "style", "kbd", "samp"))  # as written, never joined
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_WIDE = re.compile(f"[{WIDE_CHARACTERS}]")


class _CjkLineBreaks(Treeprocessor):
    """A line break (with the spaces around it) between two wide characters, in the text of one
    paragraph, cell or item, is dropped: 第一行\n第二行 is one word to a Chinese reader. Between a
    wide and a narrow character it stays (a space beside Latin text is usual in Chinese typesetting)."""

    def run(self, root: etree.Element) -> None:
        # Most pages hold no wide character at all (English ones): nothing can join there, and the
        # walk below is a twentieth of the page's render. Every text slot a run reads is looked at.
        if not any(_WIDE.search(text) for element in root.iter() for text in (element.text, element.tail) if text):
            return
        for run in _text_runs(root):
            texts = [getattr(element, part) or "" for element, part in run]
            joined = "".join(texts)
            if "\n" not in joined:
                continue
            keep = bytearray(b"\x01") * len(joined)  # linear in the text, however many breaks it has
            for m in _LINE_BREAK.finditer(joined):
                if (m.start() > 0 and m.end() < len(joined)
                        and _WIDE.match(joined[m.start() - 1]) and _WIDE.match(joined[m.end()])):
                    keep[m.start():m.end()] = bytes(m.end() - m.start())
            if all(keep):
                continue
            start = 0
            for (element, part), text in zip(run, texts):
                kept = "".join(ch for ch, k in zip(text, keep[start:start + len(text)]) if k)
                if kept != text:
                    value = getattr(element, part)
                    setattr(element, part, AtomicString(kept) if isinstance(value, AtomicString) else kept)
                start += len(text)


def _text_runs(root: etree.Element) -> list[list[tuple[etree.Element, str]]]:
    """The element's text slots (an element's `text`, a child's `tail`) in reading order, cut into
    runs that flow as one text: a block or opaque element ends a run and starts the next."""
    runs: list[list[tuple[etree.Element, str]]] = [[]]

    def walk(element: etree.Element) -> None:
        if element.tag in _OPAQUE:
            runs.append([])
            return
        block = element.tag not in _INLINE
        if block:
            runs.append([])
        runs[-1].append((element, "text"))
        for child in element:
            walk(child)
            runs[-1].append((child, "tail"))
        if block:
            runs.append([])

    walk(root)
    return [run for run in runs if run]


class CjkLineBreaksExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's API
        # after the inline patterns (20) and attr_list (8), before text ids (6) and toc (5)
        md.treeprocessors.register(_CjkLineBreaks(md), "sb_cjk_line_breaks", 6.5)


def ours(card: Callable[[str, str], Card | None]) -> list[Extension]:
    """The extensions every renderer of the site adds after the site's own, in this order."""
    return [SafeHtmlExtension(), DirectiveExtension(card), TextIdsExtension(), CjkLineBreaksExtension()]


OURS = (SafeHtmlExtension, DirectiveExtension, TextIdsExtension, CjkLineBreaksExtension)
