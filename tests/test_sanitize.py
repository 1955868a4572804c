"""The gate's rule for ids and classes (outputs/sanitize.py): no id or class an editor can set
reaches the page in the theme's or the site's namespaces, links follow renamed ids, and only
our card extension's markup keeps the site's classes."""

from __future__ import annotations

from helpers import URLS

import html
from html.parser import HTMLParser

import markdown
from hypothesis import example, given, settings
from hypothesis import strategies as st

from safety_bulletins.outputs.markdown_ext import SafeHtmlExtension, TextIdsExtension
from safety_bulletins.outputs.sanitize import OWN_MARK, RESERVED_CLASS, RESERVED_ID, own_classes, sanitize, text_id


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.classes, self.hrefs = [], [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)
            elif name == "class":
                self.classes += value.split()
            elif name == "href":
                self.hrefs.append(value)


def attributes(page: str) -> _Attributes:
    parser = _Attributes()
    parser.feed(page)
    return parser


# What editors write into ids: anything, with the reserved shapes and Material's own ids often
_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20)  # as HTML parses them
IDS = st.one_of(
    _TEXT,
    st.sampled_from(["__config", "__search", "__drawer", "__palette_0", "__consent", "__nav_1", "md-header",
                     "MD-Content", "Sb-About", "sb-fu-REAL-1", "__codelineno-0-1", "__tabbed_1_1"]),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(["__", "_", "md-", "mD-", "sb-", "SB-", "id-"]),
              _TEXT),
)


@settings(max_examples=300, deadline=None)
@given(IDS)
@example("__config")
@example("id-__config")
def test_no_id_from_the_text_is_a_reserved_one(value):
    page = sanitize(f'<p id="{html.escape(value)}">x</p><a href="#{html.escape(value)}">to it</a>')
    found = attributes(page)
    for id_ in found.ids:
        assert not RESERVED_ID.match(id_) or id_ == "__codelineno-0-1", page
    assert found.ids == [text_id(value)]
    if not value.lower().startswith("sb-"):  # a link to sb-... is to the site's own anchors
        assert found.hrefs == [f"#{text_id(value)}"], page  # the link follows the id


def test_renamed_ids_take_a_prefix_no_reserved_id_has():
    assert text_id("__config") == "id-__config"
    assert text_id("md-header") == "id-md-header"
    assert text_id("sb-about") == "id-sb-about"
    assert text_id("REAL-1") == "REAL-1"
    assert text_id("__codelineno-0-1") == "__codelineno-0-1"  # pymdownx.highlight's line anchors


def test_the_pages_own_card_anchors_stay():
    page = sanitize('<h3 id="sb-fu-REAL-1">card</h3><p id="sb-fu-OTHER">forged</p>', own_ids=frozenset({"sb-fu-REAL-1"}))
    assert attributes(page).ids == ["sb-fu-REAL-1", "id-sb-fu-OTHER"]
    assert attributes(sanitize('<h3 id="sb-fu-REAL-1">x</h3>')).ids == ["id-sb-fu-REAL-1"]  # only given, not by shape


def test_links_follow_renamed_ids_on_this_page_and_others():
    page = sanitize('<a href="#__config">a</a><a href="../other/#md-x">b</a><a href="#%5F%5Fconfig">c</a>'
                    '<a href="https://x.test/#__config">d</a><a href="mailto:a@x.test#__config">e</a>'
                    '<a href="#sb-about">f</a><a href="#REAL-1">g</a>')
    assert attributes(page).hrefs == ["#id-__config", "../other/#id-md-x", "#id-%5F%5Fconfig",
                                      "https://x.test/#__config", "mailto:a@x.test#__config", "#sb-about", "#REAL-1"]


CLASSES = st.lists(st.one_of(
    st.sampled_from(["sb-directive", "sb-directive--overdue", "sb-directive__title", "sb-follow-up", "md-header",
                     "md-typeset", "MD-Header", "mermaid", "Mermaid", "admonition", "note", "highlight",
                     "sb-own-" + "0" * 32]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=12),
), max_size=6)


@settings(max_examples=300, deadline=None)
@given(CLASSES)
def test_no_reserved_class_survives_from_the_text(names):
    page = sanitize(f'<div class="{html.escape(" ".join(names))}">x</div>')
    for name in attributes(page).classes:
        assert not RESERVED_CLASS.match(name), page
    assert OWN_MARK not in page


@settings(deadline=None)
@given(CLASSES)
def test_our_cards_keep_their_classes_without_the_mark(names):
    names = [n for n in " ".join(names).split()]
    page = sanitize(f'<div class="{html.escape(own_classes("sb-directive", *names))}">x</div>')
    assert attributes(page).classes == ["sb-directive", *names]
    assert OWN_MARK not in page


def test_the_mark_is_secret_and_random():
    assert OWN_MARK.startswith("sb-own-") and len(OWN_MARK) == len("sb-own-") + 32
    page = sanitize('<div class="sb-own-00000000000000000000000000000000 sb-directive">x</div>')
    assert "sb-directive" not in page


def _render(text: str) -> str:
    md = markdown.Markdown(extensions=["attr_list", "toc", "footnotes", "pymdownx.superfences",
                                       "pymdownx.blocks.admonition", SafeHtmlExtension(), TextIdsExtension()],
                           extension_configs={"toc": {"permalink": True}})
    page = md.convert(text)
    return page, md.toc_tokens


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("_-mdsbMDSB 配置 ax1"), min_size=1, max_size=12))
@example("__config")
@example("SB About")
@example("md header 页眉")
def test_headings_never_slug_to_a_reserved_id_and_the_toc_agrees(title):
    page, toc = _render(f"## {title}\n\ntext\n")
    ids = attributes(page).ids
    assert all(not RESERVED_ID.match(i) for i in ids), page
    assert [t["id"] for t in toc] == ids  # the table of contents links what the page holds
    assert attributes(sanitize(page)).ids == ids  # the gate agrees: nothing left to rename


def test_the_sites_chinese_slugs_are_renamed_too():
    from pymdownx.slugs import slugify  # as mkdocs.yml configures toc: Chinese letters kept

    md = markdown.Markdown(extensions=["toc", TextIdsExtension()],
                           extension_configs={"toc": {"slugify": slugify(case="lower")}})
    page = md.convert("## __配置\n\n## MD 页眉\n\n## 安全 __config\n")
    assert attributes(page).ids == ["id-__配置", "id-md-页眉", "安全-__config"]
    assert [t["id"] for t in md.toc_tokens] == attributes(page).ids


def test_markdown_ids_and_links_are_renamed_before_toc():
    page, toc = _render("## Config {#__config}\n\nSee [it](#__config).\n\n"
                        "/// admonition | x\n    attrs: {id: __search, class: sb-directive}\ny\n///\n")
    assert attributes(page).ids == ["id-__config", "id-__search"]
    assert 'href="#id-__config"' in page and toc[0]["id"] == "id-__config"
    assert "sb-directive" not in sanitize(page)


def test_extension_markup_stays():
    page = sanitize(_render("Text[^1].\n\n[^1]: A note.\n")[0])
    found = attributes(page)
    assert "fn:1" in found.ids and "fnref:1" in found.ids and "footnote-ref" in found.classes


# Markdown an editor may write around the cards of a real bulletin, each shape with an id and a class of their choosing
_NAME = st.one_of(
    st.sampled_from(["__config", "__search", "__drawer", "md-header", "sb-directive", "sb-directive--overdue",
                     "sb-directive__title", "sb-fu-CIG-2021-05-2", "CIG-2021-05-2", "mermaid", "note", "x"]),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(["__", "md-", "Sb-", ""]),
              st.text(alphabet="abc_-配", min_size=1, max_size=6)),
)
_SHAPES = [
    "## {id}\n", "## Heading {{ #{id} .{cls} }}\n", "Paragraph.\n{{: #{id} .{cls} }}\n", "[a link](#{id})\n",
    "/// admonition | Note\n    attrs: {{id: '{id}', class: '{cls}'}}\nText.\n///\n",
    "/// html | div\n    attrs: {{id: '{id}', class: '{cls}'}}\nText.\n///\n",
    "``` {{ .text #{id} .{cls} }}\ncode\n```\n",
]
_FRAGMENTS = st.lists(st.builds(lambda shape, id_, cls: shape.format(id=id_, cls=cls), st.sampled_from(_SHAPES),
                                _NAME, _NAME), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(_FRAGMENTS)
@example(["Paragraph.\n{: #CIG-2021-05-2 .sb-directive }\n"])
@example(["``` { .text #sb-fu-CIG-2021-05-2 .sb-directive__title }\ncode\n```\n"])
def test_on_a_bulletin_page_only_the_cards_hold_the_sites_classes_and_only_ours_reserved_ids(tmp_path_factory, fragments):
    import datetime as dt

    from helpers import MEETING_MD, UNITS_YML, write_tree

    from safety_bulletins.site_build.sitebuild import SiteBuild

    root = write_tree(tmp_path_factory.mktemp("b"), {"units.yml": UNITS_YML, "2021/2021-05-25-meeting.md": MEETING_MD})
    build = SiteBuild.load(root, dt.date(2026, 11, 28), urls=URLS)
    src = "bulletins/2021/2021-05-25-meeting.md"
    text = "\n".join(fragments) + "\n" + build.page_source(src, "") + "\n" + "\n".join(fragments)
    md = markdown.Markdown(extensions=["attr_list", "toc", "pymdownx.superfences", "pymdownx.blocks.admonition",
                                       "pymdownx.blocks.html", *build.markdown_extensions()])
    own = frozenset({"CIG-2021-05-2", "2021-05-25-meeting-2"})
    problems = build.render_problems(src, rendered := md.convert(text))
    if problems:  # the build refuses the page: only for an element holding a card's anchor
        assert {p.message.split(" has the anchor")[0] for p in problems} == {"another element on this page"}
        return
    page = sanitize(rendered, own)  # as page_content gives it (the page's own header and footer around it)
    found = attributes(page)
    assert [i for i in found.ids if RESERVED_ID.match(i) and i not in own] == []
    assert sorted(n for n in found.classes if n.startswith(("sb-directive", "sb-follow-up"))) == sorted(
        ["sb-directive", "sb-directive__title", "sb-directive__meta", "sb-directive__text"] * 2
        + ["sb-directive--overdue", "sb-directive--ongoing"])
    assert not [n for n in found.classes if RESERVED_CLASS.match(n) and not n.startswith("sb-directive")]
    assert OWN_MARK not in page


def test_code_line_anchors_stay_with_their_links():
    page = markdown.markdown("``` python\nx = 1\n```\n", extensions=["pymdownx.superfences", "pymdownx.highlight"],
                             extension_configs={"pymdownx.highlight": {"anchor_linenums": True, "line_spans": "__span"}})
    found = attributes(sanitize(page))
    assert found.ids == ["__span-0-1", "__codelineno-0-1"] and found.hrefs == ["#__codelineno-0-1"]
