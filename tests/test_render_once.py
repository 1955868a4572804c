"""Issue 23: each bulletin is rendered once, by its render worker; the page loop takes that HTML and
table of contents (mkdocs_adapter/plugin.py _take_rendered). The site must be the same, byte for byte,
as the one-process build where MkDocs renders every page itself (`workers: 0`), and
MkDocs' own link rewriting and warnings must still happen."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import threading
from pathlib import Path

import pytest

from helpers import AS_OF, MEETING_MD, REPO, example_project, mkdocs, one_process_config

sys.path.insert(0, str(REPO / "bench"))
from corpus import generate  # noqa: E402

from safety_bulletins.sources.project import load_project  # noqa: E402

TAKEN = re.compile(r"\((\d+) bulletin pages as their render worker made them\)")
PARTS = re.compile(r"(\d+) parts of pages \(headers, cards' facts, listings\) made beside the page loop")


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def assert_same_sites(project: Path, *args: str, config: str = "mkdocs.yml", runs=("cold", "cached", "one"),
                      as_of: str = AS_OF) -> int:
    """Pooled (cold cache, then from the cache) and one-process builds give the same bytes and
    MkDocs' same link warnings (none), and the pooled ones took every bulletin page from the
    workers (the one-process build none)."""
    taken, parts = {}, {}
    # from the cache: in a process of its own, not forked from the tests' (whose secrets it would share)
    fresh = {"PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(project / "fresh")]))}
    for name in runs:
        result = mkdocs(project, "build", *args, "--site-dir", f"site-{name}", "--config-file",
                        one_process_config(project, config) if name == "one" else config, as_of=as_of,
                        **(fresh if name == "cached" else {}))
        assert result.returncode == 0, result.stderr
        assert [line for line in result.stderr.splitlines() if "Doc file" in line] == []
        taken[name] = int(TAKEN.search(result.stderr)[1])
        parts[name] = int(found[1]) if (found := PARTS.search(result.stderr)) else 0
    assert taken["one"] == 0 and all(taken[name] == taken["cold"] > 0 for name in runs if name != "one"), taken
    # each bulletin's header and its cards' facts, and the listings, made beside the page loop (one process: none)
    assert parts["one"] == 0 and all(parts[name] > 2 * taken["cold"] for name in runs if name != "one"), parts
    one = files(project / "site-one")
    for name in runs[:-1]:
        pooled = files(project / f"site-{name}")
        assert sorted(pooled) == sorted(one)
        different = [path for path in one if pooled[path] != one[path]]
        assert different == [], f"{name}: {different[:10]}"
    return taken["cold"]


@pytest.mark.parametrize("config", ["mkdocs.yml", "mkdocs.zh.yml"])
def test_the_example_pooled_is_the_example_rendered_by_mkdocs(tmp_path, config):
    project = example_project(tmp_path / "example")
    published = load_project(project / "bulletins").published(dt.date.fromisoformat(AS_OF))
    assert assert_same_sites(project, "--strict", config=config) == len(published) > 10


EXTRA = """

## Links and tables {extra}

See [the next bulletin]({next}), [its directives]({next}#{next_heading}), [here](#links-and-tables-{extra}),
[with a query]({next}?print=1#{next_heading}) and [a site]( https://example.org/a?b=1&c=2 ).

| 单位 | 期限 | 说明 |
|---|---|---|
| 物业公司 | 2026-12-31 | 消防通道 [下一期]({next}) |
| Energy & gas | ongoing | `code <b>` |

Under the law[^law{extra}], as said[^law{extra}].

[^law{extra}]: Article 21 of the Work Safety Law, see [the next one]({next}).

[TOC]

/// directive | Titles with & and <marks> 第{extra}项
    units: [all]
    deadline: ongoing

Keep the register of **hidden dangers** current.
第一行
第二行
///
"""


def test_a_corpus_with_links_tables_footnotes_chinese_and_cards_pooled_is_as_mkdocs_renders_it(tmp_path):
    project = generate(100, tmp_path / "corpus")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "validation:\n  anchors: warn\n", encoding="utf-8")
    pages = sorted((project / "bulletins").rglob("*.md"))
    pages = [p for p in pages if p.name != "units.yml"]
    heading = {}
    for page in pages:
        heading[page] = "会议议定事项" if "\n## 会议议定事项\n" in page.read_text(encoding="utf-8") else "directives"
    for index, page in enumerate(pages):
        following = pages[(index + 1) % len(pages)]
        link = f"../{following.parent.name}/{following.name}"
        page.write_text(page.read_text(encoding="utf-8") + EXTRA.format(
            extra=index, next=link, next_heading=heading[following]), encoding="utf-8")
    published = assert_same_sites(project, runs=("cold", "one"), as_of="2027-06-30")
    assert published >= 90
    # links to other bulletins are MkDocs' URLs, not .md files
    some = next((project / "site-cold" / "bulletins").rglob("index.html")).read_text(encoding="utf-8")
    assert ".md" not in "".join(re.findall(r'href="([^"]*)"', some))


OTHER_MD = MEETING_MD.replace("The meeting was held.", "## Agenda\n\nThe meeting was held.").replace(
    "    owner: Wang Jianmin\n", "")
LINKING_MD = """\
---
title: Notice linking
date: 2026-11-20
type: notice
issuer: safety-env
---
See [the meeting](../2021/2021-05-25-meeting.md#agenda) and [its first card](../2021/2021-05-25-meeting.md#CIG-2021-05-2).
LINE
"""


@pytest.mark.parametrize("one_process", [False, True], ids=["pooled", "one-process"])
def test_links_to_other_bulletins_are_rewritten_and_missing_anchors_warned_as_mkdocs_does(site_project, one_process):
    project = site_project({"2021/2021-05-25-meeting.md": OTHER_MD,
                            "2026/2026-11-20-notice.md": LINKING_MD.replace("LINE", "")})
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "validation:\n  anchors: warn\n", encoding="utf-8")
    env = ("--config-file", one_process_config(project)) if one_process else ()
    result = mkdocs(project, "build", "--strict", *env)
    assert result.returncode == 0, result.stderr
    page = (project / "site" / "bulletins/2026/2026-11-20-notice/index.html").read_text(encoding="utf-8")
    assert 'href="../../2021/2021-05-25-meeting/#agenda"' in page
    assert 'href="../../2021/2021-05-25-meeting/#CIG-2021-05-2"' in page

    notice = project / "bulletins/2026/2026-11-20-notice.md"
    notice.write_text(LINKING_MD.replace("LINE", "Also [nothing](../2021/2021-05-25-meeting.md#nowhere) and "
                                         "[here](#nor-here)."), encoding="utf-8")
    warnings = [
        "Doc file 'bulletins/2026/2026-11-20-notice.md' contains a link '../2021/2021-05-25-meeting.md#nowhere', "
        "but the doc 'bulletins/2021/2021-05-25-meeting.md' does not contain an anchor '#nowhere'.",
        "Doc file 'bulletins/2026/2026-11-20-notice.md' contains a link '#nor-here', but there is no such anchor "
        "on this page.",
    ]
    result = mkdocs(project, "build", *env)
    assert result.returncode == 0, result.stderr
    assert [line.split(" -  ", 1)[1] for line in result.stderr.splitlines() if line.startswith("WARNING")] == warnings
    result = mkdocs(project, "build", "--strict", *env)
    assert result.returncode == 1 and "Aborted with 2 warnings in strict mode" in result.stdout, result.stdout

    notice.write_text(LINKING_MD.replace("LINE", "And [a missing one](../2021/gone.md)."), encoding="utf-8")
    result = mkdocs(project, "build", *env)
    assert result.returncode == 1
    assert "bulletins/2026/2026-11-20-notice.md:8: error: link '../2021/gone.md' does not exist" in result.stderr


CHANGER = """\
def on_page_markdown(markdown, page, config, files):  # default priority: after the hook's (100)
    return markdown.replace("The meeting was held.", "The meeting was held, said a plugin.")
"""


def test_a_plugin_that_changes_a_bulletins_markdown_gets_it_rendered(site_project):
    """The workers rendered the Markdown the hook made; a plugin changed it after: MkDocs renders it."""
    project = site_project({"2021/2021-05-25-meeting.md": OTHER_MD})
    (project / "changer.py").write_text(CHANGER, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("hooks:\n", "hooks:\n  - changer.py\n"))
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert TAKEN.search(result.stderr)[1] == "0"
    page = (project / "site" / "bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
    assert "said a plugin" in page


# --- the worker's page and what the build fills in (no MkDocs run) ---------------------------

def test_the_build_fills_links_card_titles_and_colours_and_its_own_mark():
    from safety_bulletins.outputs.sanitize import OWN_MARK
    from safety_bulletins.site_build.rendering import Job, MarkdownConfig, render_page

    body = "# Top\n\n[TOC]\n\n[next](../b.md#x) [web](https://h/a?b=1&c=2)\n\n/// directive | D-1\n\nText.\n///\n"
    rendered, faithful = render_page(Job(body, (("directive", "D-1"),), body, 6), MarkdownConfig())
    assert faithful and "../b.md#x" in rendered.urls and OWN_MARK not in rendered.html
    assert "https://h/a?b=1&c=2" not in rendered.urls  # another host's: MkDocs leaves it, without a word
    resolved = []

    def resolve(url):
        resolved.append(url)
        return url.replace("../b.md", "../b/")

    html, toc = rendered.page(resolve, [("Fire & <gas>  checks", "overdue")]) or (None, None)
    assert html is None and resolved == []  # two spaces: MkDocs' contents would show one, its heading two
    html, toc = rendered.page(resolve, [("Fire & <gas> checks", "overdue")])
    assert resolved == list(rendered.urls)  # each once, in page order, as MkDocs' own rewriting goes
    assert 'href="../b/#x"' in html and 'href="https://h/a?b=1&amp;c=2"' in html
    assert f'class="{OWN_MARK} sb-directive sb-directive--overdue"' in html
    assert html.count("Fire &amp; &lt;gas&gt; checks") == 2  # the card's heading and the [TOC]
    assert [t["name"] for t in toc[0]["children"]] == ["Fire &amp; &lt;gas&gt; checks"]
    assert "\x02" not in html and "D-1" in rendered.anchors and "top" in rendered.anchors


def test_an_address_mkdocs_cannot_read_is_left_to_mkdocs():
    from safety_bulletins.site_build.rendering import Job, MarkdownConfig, judge, render_page

    body = "[a](http://[bad/x.md)\n"
    assert render_page(Job(body, (), body, 6), MarkdownConfig())[1] is False
    assert judge(Job(body, (), body, 6), MarkdownConfig()).page is None


def test_a_renderer_kept_between_pages_gives_each_page_what_a_fresh_one_gives():
    """A worker keeps one Markdown for every page it renders (rendering.py _Renderer, reset per
    page): what one page leaves (footnotes, references, ids, toc, cards, links, a page stopped
    midway) never reaches the next."""
    from safety_bulletins.site_build import rendering
    from safety_bulletins.site_build.rendering import Job, MarkdownConfig, judge, render_page

    first = ("# Top\n\n## Same\n\n## Same\n\nA note[^1] and [ref][r] [page](a.md#x).\n\n[^1]: Said.\n\n[r]: b.md\n\n"
             "/// directive | D-1\n\nText.\n///\n\n/// follow-up | D-1-f\n\nDone.\n///\n")
    second = "## Same\n\nAnother[^1], [ref][r] unresolved, [other](c.md).\n\n[^1]: Again.\n\n/// directive | D-1\n\nNot its card.\n///\n"
    jobs = [Job(first, (("directive", "D-1"), ("follow-up", "D-1-f")), first, 6), Job(second, (), second, 9)]
    config = MarkdownConfig()

    def shown(page):  # Rendered compares by identity: what it holds
        rendered, faithful = page
        return rendered.html, rendered.toc, rendered.anchors, rendered.urls, faithful

    def fresh(job):
        rendering._Renderer.drop()
        return shown(render_page(job, config))

    expected = [fresh(job) for job in jobs]
    renderer = rendering._Renderer.kept()
    assert [shown(render_page(job, config)) for job in (*jobs, *jobs)] == expected * 2
    assert rendering._Renderer.kept() is renderer  # kept, not built again per page
    # one per thread: a Markdown converts one text at a time
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append((shown(render_page(jobs[0], config)), rendering._Renderer.kept())))
    thread.start()
    thread.join()
    assert theirs[0][0] == expected[0] and theirs[0][1] not in (None, renderer)
    html, _toc, anchors, urls, _faithful = expected[1]
    assert "Not its card." in html and "[ref][r]" in html and "Said." not in html
    assert "c.md" in urls and "a.md#x" not in urls and "b.md" not in urls
    assert "same" in anchors and "same_1" not in anchors and "top" not in anchors
    # a page stopped midway (over its time: the timer raises inside Markdown) leaves nothing behind either
    def stopped(text):
        raise rendering._TooSlow

    renderer.md.convert = stopped
    with pytest.raises(rendering._TooSlow):
        render_page(jobs[0], config)
    assert rendering._Renderer.kept() is None
    assert [shown(render_page(job, config)) for job in jobs] == expected
