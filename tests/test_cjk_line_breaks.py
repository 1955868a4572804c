"""Chinese wrapped over source lines reads as one line: a line break between two wide characters is
no space in the page, its search excerpt or its print (markdown_ext.CjkLineBreaksExtension)."""

from __future__ import annotations

import json

import markdown
import pytest
from helpers import PAGEFIND_YML, UNITS_YML, build, time_limit, write_tree
from test_pagefind import fragments

from safety_bulletins.outputs.markdown_ext import CjkLineBreaksExtension


def html(text: str) -> str:
    return markdown.Markdown(extensions=["attr_list", "tables", CjkLineBreaksExtension()]).convert(text)


@pytest.mark.parametrize(("source", "expected"), [
    ("第一行\n第二行，\n第三行。", "<p>第一行第二行，第三行。</p>"),
    ("中文 \n  继续", "<p>中文继续</p>"),  # the spaces around the break go with it
    ("中文\n**粗体**结束\n。", "<p>中文<strong>粗体</strong>结束。</p>"),  # through inline markup
    ("- 项目一\n  继续\n- 项目二", "<ul>\n<li>项目一继续</li>\n<li>项目二</li>\n</ul>"),
    ("English\nwords", "<p>English\nwords</p>"),  # English keeps its space
    ("中文\nEnglish\n中文", "<p>中文\nEnglish\n中文</p>"),  # beside Latin text, a space is usual
    ("甲  \n乙", "<p>甲<br />\n乙</p>"),  # a hard break stays one
    ("甲\n\n乙", "<p>甲</p>\n<p>乙</p>"),  # two paragraphs stay two
    ("    中文\n    中文", "<pre><code>中文\n中文\n</code></pre>"),  # code as written
    ("`中文\n中文`", "<p><code>中文\n中文</code></p>"),
    ("𠀀\n𠀁", "<p>𠀀𠀁</p>"),  # beyond the basic plane (CJK extension B)
])
def test_a_line_break_between_wide_characters_is_dropped(source, expected):
    assert html(source) == expected


def test_a_page_without_wide_characters_is_not_walked(monkeypatch):
    # 3 bulletins in 4 are English: walking their text for breaks to drop was 5 % of their render
    from safety_bulletins.outputs import markdown_ext

    walked = []
    real = markdown_ext._text_runs
    monkeypatch.setattr(markdown_ext, "_text_runs", lambda root: walked.append(root) or real(root))
    assert html("English\nwords, *wrapped*\nover lines\n\n- and\n  a list").count("\n") == 6
    assert walked == []
    assert html("English\n\n中文\n继续") == "<p>English</p>\n<p>中文继续</p>" and len(walked) == 1


def test_linear_on_a_paragraph_of_many_lines():
    with time_limit(10):
        out = html("中\n" * 200_000)
    assert out == "<p>" + "中" * 200_000 + "</p>"


NOTICE = """\
---
title: 关于开展冬季消防检查的通知
date: 2026-11-20
type: notice
issuer: safety-env
summary: >-
  安全环保部对集团所属单位开展冬季消防安全专项检查，
  共发现隐患31项。
---
为切实做好今冬明春火灾防控工作，安全环保部会同运营管理部，
对集团所属单位开展冬季消防安全专项检查。

/// directive | 报送整改方案
    id: ZH-WRAP-1
    units: [energy]
    deadline: 2026-12-04

各单位要在检查后
报送整改方案。
///
"""


def test_the_built_page_and_its_search_excerpt_hold_no_break_inside_chinese(tmp_path):
    site = build(write_tree(tmp_path / "project", {
        "mkdocs.yml": PAGEFIND_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
        "bulletins/2026/2026-11-20-notice.md": NOTICE,
    }))
    page = (site / "bulletins/2026/2026-11-20-notice/index.html").read_text(encoding="utf-8")
    assert "运营管理部，对集团所属单位" in page and "在检查后报送整改方案" in page
    assert "专项检查，共发现隐患31项" in page  # the summary, folded by YAML into "，<space>共"
    # Pagefind marks the words it found with zero-width spaces: what a reader sees is without them
    contents = json.dumps([f["content"] for f in fragments(site)], ensure_ascii=False).replace("\u200b", "")
    assert "运营管理部，对集团所属单位" in contents and "管理部， 对" not in contents
