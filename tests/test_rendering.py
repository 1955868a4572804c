"""site_build/rendering.py: links judged on the rendered page, outside requests, bounded rendering, the cache."""

import random
import subprocess
import sys
import time

import pytest

from safety_bulletins.site_build import rendering
from safety_bulletins.site_build.rendering import Job, Judge, MarkdownConfig, judge, outside_request, run_jobs
from safety_bulletins.sources import project as projects

HEAD = "---\ntitle: T\ndate: 2026-11-26\ntype: notice\n---\n"  # the body starts on line 6
DRAFT = HEAD.replace("type: notice", "type: notice\ndraft: true") + "Secret.\n"


def urls(body: str, config: MarkdownConfig | None = None) -> list[tuple[str, int]]:
    verdict = judge(Job(body, (), body, 6), config or MarkdownConfig())
    assert verdict.failure is None
    return [(u.value, u.line) for u in verdict.urls]


@pytest.mark.parametrize(("body", "line"), [
    ("See [the\nplan](d.md).", 7),  # text wrapped
    ("See [the plan][p].\n\n[p]:\n    d.md", 9),  # reference, address on the next line
    ("x\n\n> a [quote\n> link](d.md)", 9),
    ("- one\n- two [wrapped\n  item](d.md)", 8),
    ("| a | b |\n|---|---|\n| x | [cell](d.md) |", 8),
    ("Term\n: see [it](d.md)", 7),  # a definition
    ("Text[^1].\n\n[^1]: see [the plan](d.md)", 8),  # inside a footnote
])
def test_links_the_line_checker_missed_are_found_at_their_target_line(body, line):
    assert urls(body) == [("d.md", line)] or ("d.md", line) in urls(body)


def test_code_and_footnote_definitions_are_not_links():
    body = ("See [form](forms/a.xlsx) and ![img](p.png).\n```\n[x](code.pdf)\n```\n`[y](span.pdf)`\n\n"
            "[ref]: docs/b.pdf\n[r][ref]\n\nUnder the law[^law].\n\n[^law]: Article 21 of the Work Safety Law\n")
    found = [(v, n) for v, n in urls(body) if not v.startswith("#")]
    assert found == [("forms/a.xlsx", 6), ("p.png", 6), ("docs/b.pdf", 12)]


def test_link_forms_with_titles_angles_and_brackets_in_the_text():
    body = '[a](x.pdf "T") [b](<y z.pdf>) [c [d]](w.pdf) [e](v.pdf (t)) [f](u.pdf "no close'
    # Python-Markdown takes `(t)` for part of the address, where the old line reader saw a title:
    # the page links to 'v.pdf (t)', so that is what is judged
    assert [v for v, _ in urls(body)] == ["x.pdf", "y z.pdf", "w.pdf", "v.pdf (t)"]


def test_entities_stay_as_written_for_the_resolver_and_lines_find_short_names_whole():
    assert urls("[a](a&amp;b.md)\n[t](t.md) [d](draft.md)\n\n[x](t.md)") == [
        ("a&amp;b.md", 6), ("t.md", 7), ("draft.md", 7), ("t.md", 9)]


def test_links_in_directive_blocks_are_read():
    body = "/// directive | X-1\n\nFollow [the\nplan](d.md).\n///\n"
    verdict = judge(Job(body, (("directive", "X-1"),), body, 6), MarkdownConfig())
    assert [(u.value, u.line) for u in verdict.urls if u.tag == "a" and not u.value.startswith("#")] == [("d.md", 9)]


@pytest.mark.parametrize("url", ["//host/x.png", "/\\host/x.png", "\\\\host/x.png", " https://host/x.png",
                                 "HTTPS://host/x.png", "&#47;/host/x.png", "\t/\n/host/x.png", "ftp://host/x",
                                 "http:host/x.png"])
def test_outside_requests_as_the_browser_reads_them(url):
    assert outside_request(url)


@pytest.mark.parametrize("url", ["x.png", "/x.png", "./a/x.png", "#top", "javascript:alert(1)", "data:image/png,x",
                                 "photo%2F.png"])
def test_site_paths_and_removed_schemes_are_no_outside_request(url):
    assert not outside_request(url)


def test_images_from_other_hosts_are_refused_and_plain_links_allowed(bulletins_dir):
    body = ("![a](//h/a.png) [ok](https://h/)\n\n- ![b](/\\h/b.png)\n\n> ![c][c]\n\n[c]:\n  https://h/c.png\n")
    root = bulletins_dir({"2026/n.md": HEAD + body})
    project = projects.load_project(root, None, Judge(workers=0))
    assert [(p.line, p.message.split(" from")[0]) for p in project.errors] == [
        (6, "an image loads '//h/a.png'"), (8, "an image loads '/\\h/b.png'"), (13, "an image loads 'https://h/c.png'")]


def test_drafts_behind_wrapped_links_are_refused_and_attachments_come_from_the_page(bulletins_dir):
    root = bulletins_dir({"2026/n.md": HEAD + "> [the\n> plan](d.md)\n\n- ![photo\n  a](a.jpg)\n",
                          "2026/d.md": DRAFT, "2026/a.jpg": b"jpg"})
    project = projects.load_project(root, None, Judge(workers=0))
    assert [(p.line, p.message) for p in project.errors] == [
        (7, "links to '2026/d.md', which is a draft and will not be published")]
    root = bulletins_dir({"2026/n.md": HEAD + "- ![photo\n  a](a.jpg)\n", "2026/a.jpg": b"jpg"})
    bulletins = {b.rel_path: b for b in projects.load_project(root, None, Judge(workers=0)).bulletins}
    assert [a.path for a in bulletins["2026/n.md"].attachments] == ["a.jpg"]


def realistic_report(size: int = 300_000) -> str:
    """A long inspection report: Chinese paragraphs, headings, tables of findings, photos."""
    rng = random.Random(1)
    chars = "安全生产检查隐患整改责任单位消防设备电气线路应急预案培训演练记录现场管理人员作业许可危险化学品储存"

    def para(n):
        return "".join(rng.choice(chars) for _ in range(n)) + "。"

    parts, i = [], 0
    while sum(map(len, parts)) * 3 < size:
        i += 1
        rows = "\n".join(f"| {j} | {para(8)} | {para(30)} | [整改](x-{j}.pdf) |" for j in range(40))
        parts.append(f"## {i}、{para(10)}\n\n{para(300)}\n\n![照片{i}](photo-{i}.jpg)\n\n"
                     f"| 序号 | 部位 | 问题 | 附件 |\n|---|---|---|---|\n{rows}\n\n- {para(50)}\n- {para(50)}\n\n")
    return "".join(parts)


def test_a_long_real_report_renders_far_below_its_limit():
    text = realistic_report()
    job = Job(text, (), text, 6)
    started = time.process_time()
    verdict = judge(job, MarkdownConfig())
    spent = time.process_time() - started
    assert verdict.failure is None and len(verdict.urls) > 1000
    assert spent < job.seconds() / 5, (spent, job.seconds())


def test_a_small_quadratic_bulletin_gets_about_a_second():
    text = "![a](" * 2400  # 12 KB: about 2.6 s of CPU unbounded, refused at 1.5 s
    job = Job(text, (), text, 6)
    assert job.seconds() < 1.6
    started = time.process_time()
    verdict = judge(job, MarkdownConfig())
    assert verdict.failure is not None and f"takes more than {job.seconds():.1f} s" in verdict.failure[1]
    assert time.process_time() - started < 2.5


def test_a_long_real_report_makes_a_page_far_below_its_bound():
    text = realistic_report()
    page = rendering.render(Job(text, (), text, 6), MarkdownConfig())
    assert len(page.encode()) < 2 * len(text.encode()) < Job(text, (), text, 6).page_bytes() / 10


def test_a_page_far_bigger_than_its_text_is_refused_with_what_to_look_for():
    url = "https://example.com/" + "x" * 4000  # under the address bound: the page's size refuses it
    text = "x\n\n[r]: " + url + "\n\n" + "[a][r] " * 400 + "\n"  # 7 KB of text, a 1.5 MB page
    (verdict,) = run_jobs([Job(text, (), text, 6)], MarkdownConfig(), 1)
    line, message, hint = verdict.failure
    assert line == 6 and "makes a page of 1.5 MB from 7 KB of text" in message and "used many times" in message
    assert "reference definition" in hint


def test_markup_heavy_real_shapes_stay_under_the_page_bound():
    """The bound's factor (20 times the text) alone, without its 1 MB floor: real shapes that make
    the most HTML per character of text stay well under it (a tenth of the size they once were
    tested at: the ratio is the same, the test ten times faster)."""
    for text, ratio in (("".join(f"## 标题 {i}\n\n" for i in range(2_000)), 8),  # permalinks
                        ("|a|b|c|d|e|f|g|h|\n|-|-|-|-|-|-|-|-|\n" + "|||||||||\n" * 3_000, 10),  # empty cells
                        ("[1]: https://example.com/GB-50016.pdf\n\n" + "见[规范][1]。" * 2_000, 10)):
        job = Job(text, (), text, 6)
        page = rendering.render(job, MarkdownConfig())
        assert len(page.encode()) < ratio * len(text.encode()) <= rendering.PAGE_BYTES_PER_BYTE * len(text.encode())
        assert judge(job, MarkdownConfig()).failure is None


def test_an_address_over_8_kb_is_refused_at_its_line():
    body = "x\n\nSee [the plan](https://example.com/" + "a" * 9000 + ").\n"
    line, message, _ = judge(Job(body, (), body, 6), MarkdownConfig()).failure
    assert line == 8 and "address of 8 KB" in message and "over 8 KB" in message
    body = "x\n\nSee [the plan](https://example.com/" + "a" * 8000 + ").\n"  # long, but a server takes it
    assert judge(Job(body, (), body, 6), MarkdownConfig()).failure is None


def test_a_link_used_many_times_is_kept_once():
    body = "[r]: https://example.com/plan\n\n" + "[a][r] " * 300 + "\n\n[b](d.md) [b](d.md)\n"
    assert urls(body) == [("https://example.com/plan", 6), ("d.md", 10)]


def test_nesting_is_refused_not_a_crash():
    for text in ("*a " * 1000 + "b" + " c*" * 1000, "a\n: b\n" * 1000):
        verdict = judge(Job(text, (), text, 6), MarkdownConfig())
        assert verdict.failure is not None and "nested too deep" in verdict.failure[1]


def test_a_quadratic_shape_is_stopped_by_its_cpu_limit_in_a_worker():
    text = "![a](" * 8000  # 40 KB: about 30 s of CPU unbounded
    job = Job(text, (), text, 6)
    started = time.process_time()
    (verdict,) = run_jobs([job], MarkdownConfig(), 1)
    assert verdict.failure is not None and f"takes more than {job.seconds():.1f} s" in verdict.failure[1]
    assert time.process_time() - started < 2  # the parent only waited


def test_verdicts_are_cached_by_text_and_configuration(tmp_path):
    bodies = ["[a](a.md)", "[b](b.md)"]
    jobs = [Job(b, (), b, 6) for b in bodies]
    first = Judge(cache_dir=tmp_path, workers=0)
    assert [v.urls[0].value for v in first.verdicts(jobs)] == ["a.md", "b.md"] and first.rendered == 2
    again = Judge(cache_dir=tmp_path, workers=0)
    assert [v.urls[0].value for v in again.verdicts(jobs)] == ["a.md", "b.md"] and again.rendered == 0
    other = Judge(MarkdownConfig(("tables",), {}), cache_dir=tmp_path, workers=0)
    other.verdicts(jobs)
    assert other.rendered == 2


def test_the_configuration_fingerprint_is_the_same_in_every_process():
    code = "from safety_bulletins.site_build.rendering import MarkdownConfig; print(MarkdownConfig().fingerprint())"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout for _ in range(2)}
    assert runs == {MarkdownConfig().fingerprint() + "\n"}
    assert "0x" not in repr(rendering._stable(MarkdownConfig().configs))


def test_check_renders_with_the_sites_markdown_configuration(tmp_path):
    from helpers import SITE_YML

    from safety_bulletins.mkdocs_adapter import ConfigError, markdown_config

    assert markdown_config(tmp_path / "mkdocs.yml") == MarkdownConfig()  # none: the example site's
    (tmp_path / "docs").mkdir()
    (tmp_path / "bulletins").mkdir()
    (tmp_path / "mkdocs.yml").write_text(SITE_YML, encoding="utf-8")
    config = markdown_config(tmp_path / "mkdocs.yml")
    assert config.extensions[:3] == ("toc", "tables", "fenced_code") and "def_list" not in config.extensions
    definitions = "a\n: b\n" * 1000  # nests too deep with def_list, plain text without
    assert judge(Job(definitions, (), definitions, 6), config).failure is None
    assert judge(Job(definitions, (), definitions, 6), MarkdownConfig()).failure is not None
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nmarkdown_extensions: [no_such_extension]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        markdown_config(tmp_path / "mkdocs.yml")


def test_markdown_extensions_that_include_files_are_refused_where_mkdocs_yml_names_them(tmp_path):
    # What they include (a draft, .git/config) is past every check of what a page publishes
    import pymdownx.b64

    from safety_bulletins.mkdocs_adapter import ConfigError, markdown_config
    from safety_bulletins.site_build.settings import file_including_extension_problem

    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("site_name: x\nmarkdown_extensions:\n  # pymdownx.snippets, once\n  - tables\n"
                           "  - pymdownx.snippets:\n      base_path: [.]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        markdown_config(config_file)
    assert refused.value.problem.line == 5 and "'pymdownx.snippets' includes files" in str(refused.value)
    assert "Remove 'pymdownx.snippets' from markdown_extensions in mkdocs.yml" in refused.value.problem.hint
    for extension in ("markdown_include.include", "mdx_include", "pymdownx.snippets:SnippetExtension",
                      pymdownx.b64.B64Extension()):
        assert file_including_extension_problem(config_file, ["toc", extension]) is not None, extension
    others = ["toc", "pymdownx.superfences", "pymdownx.snippetsish"]
    assert file_including_extension_problem(config_file, others) is None


def test_the_tools_versions_are_read_once_not_per_bulletin(monkeypatch):
    # Reading a package's metadata costs about 0.4 ms: twice per bulletin, 1.6 s of a 2,000-bulletin build.
    import importlib.metadata
    real, reads = importlib.metadata.version, []
    monkeypatch.setattr(importlib.metadata, "version", lambda name: reads.append(name) or real(name))
    rendering._tool_versions.cache_clear()
    keys = {Job(f"[{n}](a.md)", (), "", 6).key(MarkdownConfig()) for n in range(20)}
    assert len(keys) == 20 and len(reads) == len(rendering._TOOLS)


STAMP_EXTENSION = """\
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


class Stamp(Treeprocessor):
    def run(self, root):
        for paragraph in root.iter("p"):
            paragraph.set("title", "VERSION-ONE")


class StampExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(Stamp(md), "stamp", 1)


def makeExtension(**kwargs):
    return StampExtension(**kwargs)
"""


def test_a_sites_own_extension_edited_renders_its_pages_again(site_project):
    """rev6: the render cache (kept across full builds) was keyed by an extension's name only: after
    an edit of the site's own extension, `mkdocs build` served the pages its old code made."""
    from helpers import MEETING_MD, SITE_YML, mkdocs

    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    (project / "mkdocs.yml").write_text(SITE_YML + "  - stamp\n", encoding="utf-8")
    extension = project / "stamp.py"
    extension.write_text(STAMP_EXTENSION, encoding="utf-8")
    page = project / "site/bulletins/2021/2021-05-25-meeting/index.html"
    for version in ("VERSION-ONE", "VERSION-TWO"):
        extension.write_text(STAMP_EXTENSION.replace("VERSION-ONE", version), encoding="utf-8")
        result = mkdocs(project, "build", PYTHONPATH=str(project))
        assert result.returncode == 0, result.stderr
        assert f'title="{version}"' in page.read_text(encoding="utf-8"), version
