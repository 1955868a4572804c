"""The Content-Security-Policy of the pages (outputs/csp.py) and the publishing guide's nginx
configuration. In Chromium: tests/browser/test_csp.py."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from helpers import REPO
from safety_bulletins.outputs import csp

THEME = '<script>__md_scope=new URL("..",location)</script>'
PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>t</title>
    {head}
  </head>
  <body>
    <script>var palette=1</script>
    <div class="md-content" data-md-component="content"><article>{content}</article></div>
    <script>var target=2</script>
    <script id="__config" type="application/json">{{"base": ".."}}</script>
    <script src="../assets/bundle.js"></script>
  </body>
</html>
"""


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def meta_policy(page: str) -> str:
    found = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert len(found) == 1, found
    return found[0]


def script_sources(policy: str) -> list[str]:
    return next(d for d in policy.split("; ") if d.startswith("script-src ")).split()[1:]


def test_the_theme_scripts_are_allowed_by_hash_and_the_contents_are_not():
    content = '<p>x</p><script>alert(1)</script><script type="module">alert(2)</script>'
    page = PAGE.format(head=THEME, content=content)
    written = csp.with_policy(page, csp.theme_scripts(page, content))
    sources = script_sources(meta_policy(written))
    assert sources == ["'self'", "'wasm-unsafe-eval'",
                       *sorted([sha('__md_scope=new URL("..",location)'), sha("var palette=1"), sha("var target=2")])]
    assert sha("alert(1)") not in sources and sha("alert(2)") not in sources
    assert "'unsafe-inline'" not in meta_policy(written).split("; style-src-attr")[0]
    # first in the head, right after the charset (which must stay in the first 1024 bytes)
    assert written.index('<meta charset="utf-8"><meta http-equiv="Content-Security-Policy"') < written.index("<title>")
    assert written.replace(re.search(r"<meta http-equiv[^>]*>", written)[0], "") == page  # nothing else changed


def test_the_hashes_are_of_the_final_bytes_after_a_minifier():
    content = "<p>x</p>"
    page = PAGE.format(head=THEME, content=content)
    trusted = csp.theme_scripts(page, content)  # as the template made it
    minified = page.replace("var palette=1", "var  palette = 1").replace("\n", "\r\n")  # a plugin rewrote it
    sources = script_sources(meta_policy(csp.with_policy(minified, trusted)))
    assert sha("var  palette = 1") in sources and sha("var palette=1") not in sources
    # the browser's HTML parser reads CR LF as LF before it hashes a script
    crlf = PAGE.format(head="<script>a()\r\nb()</script>", content=content)
    assert sha("a()\nb()") in script_sources(meta_policy(csp.with_policy(crlf, csp.theme_scripts(crlf, content))))


def test_a_data_block_and_a_script_file_need_no_hash():
    page = PAGE.format(head="", content="")
    sources = script_sources(meta_policy(csp.with_policy(page)))
    assert len(sources) == 2 + 2  # 'self', 'wasm-unsafe-eval' and the two inline scripts that run
    assert sha('{"base": ".."}') not in sources


def test_a_removed_script_or_a_missing_head_or_content_is_an_error():
    content = "<p>x</p>"
    page = PAGE.format(head=THEME, content=content)
    trusted = csp.theme_scripts(page, content)
    with pytest.raises(csp.CspError, match="added or removed one"):
        csp.with_policy(page.replace("<script>var target=2</script>", ""), trusted)
    with pytest.raises(csp.CspError, match="no element"):
        csp.with_policy("only text")
    with pytest.raises(csp.CspError, match="content is not in its HTML"):
        csp.theme_scripts(page, "<p>elsewhere</p>")
    twice = PAGE.format(head="<script>go()</script>", content="<script>go()</script>")  # which is the content's?
    with pytest.raises(csp.CspError, match="more than once"):
        csp.theme_scripts(twice, "<script>go()</script>")


@pytest.mark.parametrize("page", [
    '<!doctype html><html lang=en><meta charset=utf-8><title>t</title><script>x()</script><p>body',
    '<!doctype html><title>t</title><script>x()</script><body><p>body',
], ids=["charset-without-head-tag", "no-html-nor-head-tag"])
def test_a_minified_page_without_head_tags_gets_it_in_the_implied_head(page):
    written = csp.with_policy(page)
    meta = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>', written)
    assert written.replace(meta[0], "") == page and meta.start() <= page.index("<title>")  # before the head's first
    assert sha("x()") in script_sources(meta_policy(written))


def test_a_head_without_charset_gets_the_policy_first():
    page = "<html><head><title>t</title><script>x()</script></head><body></body></html>"
    written = csp.with_policy(page)
    assert written.startswith('<html><head><meta http-equiv="Content-Security-Policy"')
    assert sha("x()") in script_sources(meta_policy(written))


def test_the_preview_allows_inline_scripts_for_the_live_reload():
    content = "<p>x</p>"
    page = PAGE.format(head=THEME, content=content)
    sources = script_sources(meta_policy(csp.with_policy(page, csp.theme_scripts(page, content), preview=True)))
    assert sources == ["'self'", "'wasm-unsafe-eval'", "'unsafe-inline'"]


def guide_nginx() -> str:
    """The nginx configuration of the publishing guide, as written there."""
    guide = (REPO / "docs/guide/publishing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(# /etc/nginx/snippets/safety-bulletins\.conf.*?)```", guide, re.DOTALL)
    assert len(blocks) == 1
    return blocks[0]


def test_the_guides_nginx_headers_are_the_sites_policies():
    config = guide_nginx()
    headers = re.findall(r'add_header Content-Security-Policy "([^"]*)" always;', config)
    assert headers == [csp.header_policy(), csp.ATTACHMENT_POLICY]
    # the header holds every directive of a page's policy, with inline scripts left to the page's
    page_policy = csp.policy(["'sha256-x'"])
    assert csp.header_policy() == page_policy.replace("'sha256-x'", "'unsafe-inline'") + "; frame-ancestors 'self'"


def test_script_markup_in_a_title_is_text_as_in_a_browser():
    """minify-html writes a title's `&lt;script>` as `<script>`: still text, which must not count
    as a script (it would shift the places of the theme's)."""
    content = "<p>x</p>"
    page = PAGE.format(head=THEME, content=content).replace("<title>t</title>", "<title>&lt;script>x()&lt;/script></title>")
    trusted = csp.theme_scripts(page, content)
    minified = page.replace("&lt;", "<")
    sources = script_sources(meta_policy(csp.with_policy(minified, trusted)))
    assert sha("x()") not in sources and sha("var target=2") in sources
    with pytest.raises(csp.CspError, match="added or removed one"):
        csp.with_policy(minified.replace("<p>x</p>", "<p>x</p><script>y()</script>"), trusted)


@pytest.mark.parametrize(("body", "scripts"), [
    ('<a title="<script>no()</script>" href=x>link</a><script>yes()</script>', ["yes()"]),
    ("<a title='x > y <script>no()</script>'>link</a><SCRIPT>yes()</SCRIPT >", ["yes()"]),
    ("<!-- <script>no()</script> --><script>yes()</script>", ["yes()"]),
    ("<textarea><script>no()</script></textarea><noscript><script>no()</script></noscript>", []),
    ("<style>a::after{content:'<script>no()</script>'}</style><script>yes()</script>", ["yes()"]),
    ('<script type="application/json">{"no": 1}</script><script type=" Module ">no()</script>'
     '<script type="MODULE">yes()</script><script type=" text/JavaScript ">yes()</script>', ["yes()"]),
    ('<script src="x.js">no()</script><script type="text/plain">no()</script><script>a("</p>")</script>', ['a("</p>")']),
    ("<script>yes()</scripts></script>", ["yes()</scripts>"]),
], ids=["quoted-attribute", "single-quoted-with-gt", "comment", "textarea-noscript", "style", "types", "src-and-data",
        "end-tag-prefix"])
def test_scripts_are_read_as_a_browser_reads_them(body, scripts):
    page = f"<!doctype html><html><head><meta charset=utf-8><title>t</title></head><body>{body}</body></html>"
    policy = meta_policy(csp.with_policy(page))
    assert script_sources(policy)[2:] == sorted(sha(text) for text in scripts)


def test_a_page_knows_it_has_the_policy():
    page = PAGE.format(head=THEME, content="")
    assert not csp.has_policy(page) and csp.has_policy(csp.with_policy(page))


def test_an_html_file_of_docs_gets_the_policy_once_and_other_files_none(tmp_path):
    """docs/ HTML gets the page's policy; the editors' .xml and .json (MkDocs counts them as
    static pages) and an attachment are copied as written. (.html attachments are refused.)"""
    from helpers import MEETING_MD, SITE_YML, UNITS_YML, build, mkdocs, write_tree

    static = "<!doctype html><html><head><meta charset=utf-8><title>x</title><script>go()</script></head><body>x</body></html>"
    project = write_tree(tmp_path, {"mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "docs/plan/floor.html": static,
                                    "docs/data/map.json": '{"a": 1}\n', "docs/data/feed.xml": "<feed/>\n",
                                    "bulletins/units.yml": UNITS_YML, "bulletins/2021/2021-05-25-meeting.md": MEETING_MD + "\n[Map](map.txt)\n",
                                    "bulletins/2021/map.txt": static})
    site = build(project)
    written = (site / "plan/floor.html").read_text(encoding="utf-8")
    assert sha("go()") in script_sources(meta_policy(written))
    assert (site / "bulletins/2021/map.txt").read_text(encoding="utf-8") == static  # an attachment, as it was sent
    assert (site / "data/map.json").read_text(encoding="utf-8") == '{"a": 1}\n'
    assert (site / "data/feed.xml").read_text(encoding="utf-8") == "<feed/>\n"
    assert 'http-equiv="Content-Security-Policy"' in (site / "404.html").read_text(encoding="utf-8")
    result = mkdocs(project, "build", "--dirty")  # the copy is not redone: its policy is not added twice
    assert result.returncode == 0, result.stderr
    assert (site / "plan/floor.html").read_text(encoding="utf-8") == written


def test_a_page_no_plugin_changed_is_not_read_again():
    content = "<p>x</p>"
    page = PAGE.format(head=THEME, content=content)
    trusted = csp.theme_scripts(page, content)
    filled = page.replace(content, "<p>facts filled in</p>")  # what the hook itself changes
    assert csp.with_policy(filled, trusted, scripts_as_read=True) == csp.with_policy(filled, trusted)
    moved = page.replace("<meta charset", "<meta name=x><meta charset")  # not the head it read: read again
    assert csp.with_policy(moved, trusted, scripts_as_read=True) == csp.with_policy(moved, trusted)


@pytest.mark.parametrize("content", ["<p>x</p>", "<table>" + "<tr><td>row</td></tr>" * 50 + "</table>", "<p>&lt;script&gt;</p>"])
def test_a_content_without_scripts_is_not_read(content):
    """theme_scripts reads only the theme's parts when no script can start in the content: the
    same policy as from reading the whole page."""
    page = PAGE.format(head=THEME, content=content)
    trusted = csp.theme_scripts(page, content)
    assert trusted.count == 3 and trusted.places == frozenset(range(3))
    assert csp.with_policy(page, trusted, scripts_as_read=True) == csp.with_policy(page, csp.theme_scripts(page, ""))
