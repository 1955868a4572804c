"""Python-Markdown extensions the site renders bulletins with.

- `DirectiveExtension`: the `/// directive` block of pymdown-extensions' generic blocks,
  drawn as a card. The page's Markdown names each card by id only (see `page_markdown`);
  the card's facts come from the validated catalog, so the page shows exactly what the
  register and the exports show.
- `SafeHtmlExtension`: raw HTML written in Markdown is shown as text, so that an
  editor's `<Safety Law>` never becomes a tag. (URLs are filtered on the rendered HTML:
  see `sanitize`.)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

from markdown import Extension
from markdown.util import AtomicString
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block

from ..model import Bulletin, Directive


def page_markdown(bulletin: Bulletin) -> str:
    """The bulletin's body with each directive's header and options replaced by
    `/// directive | <id>` (an argument, not YAML options: pymdown parses those with
    pure-Python YAML, a quarter of the cards' cost). MkDocs reads page metadata from the
    page's file, not from this text, so a first line such as `Time: 09:00` stays text.
    """
    lines = bulletin.body.split("\n")
    for directive in reversed(bulletin.directives):
        start, end = directive.header
        slashes = re.match(r"\s*(/+)", lines[start]).group(1)
        lines[start:end] = [f"{slashes} directive | {directive.id}", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Card:
    """What a directive's card shows, looked up by its id."""

    directive: Directive
    bucket: str


# Where a card's facts (units, deadline, status...) go in when the page is written: search
# does not read them (they repeat on every card and have pages of their own) and MkDocs
# does not hold them in memory to the end of the build.
FACTS_PLACEHOLDER = re.compile(r"<!--sb-facts:([^<>]+?)-->")


def facts_placeholder(directive_id: str) -> str:
    return f"<!--sb-facts:{directive_id}-->"


class _DirectiveBlock(Block):
    NAME = "directive"
    ARGUMENT = True  # the directive's id, put there by page_markdown

    def on_validate(self, parent: etree.Element) -> bool:
        # A block our parser did not see has no known id: it is left as text, and the
        # build's check for missing cards reports it.
        self.card = self.config["card"](self.argument)
        return self.card is not None

    def on_create(self, parent: etree.Element) -> etree.Element:
        directive = self.card.directive
        card = etree.SubElement(parent, "div", {"class": f"sb-directive sb-directive--{self.card.bucket}"})
        title = etree.SubElement(card, "h3", {"id": directive.id, "class": "sb-directive__title"})
        title.text = AtomicString(directive.title)  # plain text, as in the register
        meta = etree.SubElement(card, "div", {"class": "sb-directive__meta"})
        meta.text = self.md.htmlStash.store(facts_placeholder(directive.id))
        etree.SubElement(card, "div", {"class": "sb-directive__text"})
        return card

    def on_add(self, block: etree.Element) -> etree.Element:
        return block[-1]


class DirectiveExtension(BlocksExtension):
    def __init__(self, card: Callable[[str], Card | None]):
        self.config = {"card": [card, "the card of a directive, by id"]}
        super().__init__()

    def extendMarkdownBlocks(self, md, block_mgr) -> None:  # noqa: N802 - pymdown's API
        block_mgr.register(_DirectiveBlock, self.getConfigs())


class SafeHtmlExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's API
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
