"""The example in Chinese (mkdocs.zh.yml) is Chinese everywhere: no English word of ours (a label, a
template's text) on any page it generates, and its name, navigation, footer, home page and guide in
Chinese. English text of the bulletins themselves is content, and an English bulletin's own header and
cards speak its language inside `lang="en"`: neither is ours to translate. Material's strings are
Material's, in its Chinese."""
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from helpers import REPO
from safety_bulletins.outputs import labels

PACKAGE = Path(labels.__file__).parent
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:\W+[A-Za-z]{2,}){2,}")  # three English words in a row


def _is_phrase(text: str) -> bool:
    """Two words, or one capitalised word of four letters or more ("Deadline"): a lone "as" or
    "of" would be found in any English bulletin's title."""
    return bool(re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", text) or re.fullmatch(r"[A-Z][a-z]{3,}", text))


def our_english() -> set[str]:
    """Every English phrase the package can put on a page: each label (the pieces between its
    placeholders) and each run of words in a template's own text."""
    phrases = set()
    for phrase in labels.CHINESE.words:
        for piece in re.split(r"\{[^}]*\}", labels.ENGLISH(phrase) if "{" not in phrase else phrase):
            if _is_phrase(piece := piece.strip(" :,.()—-")):
                phrases.add(piece)
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    for template in (PACKAGE / "templates").rglob("*.html"):
        for node in environment.parse(template.read_text(encoding="utf-8")).find_all(jinja2.nodes.TemplateData):
            for run in re.findall(r"[A-Za-z][A-Za-z' ]*[A-Za-z]", re.sub(r"<[^>]*>", " ", node.data)):
                if _is_phrase(run := run.strip()):
                    phrases.add(run)
    return phrases


class ReaderText(HTMLParser):
    """What a reader sees or hears of a page outside parts marked English (`lang="en"`): its text
    nodes and the attributes read out (title, aria-label, alt, placeholder, the description), and
    the words a page gives its scripts (data-sb-labels); not scripts, styles or code."""
    SKIP = {"script", "style", "code", "pre"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    READ = {"title", "aria-label", "alt", "placeholder"}

    def __init__(self):
        super().__init__()
        self.open, self.texts = [], []

    def _counted(self) -> bool:
        return not any(tag in self.SKIP or (lang or "").startswith("en") for tag, lang in self.open)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in self.VOID:
            self.open.append((tag, attributes.get("lang")))
        if not self._counted():
            return
        self.texts += [attributes[name] for name in self.READ & attributes.keys() if attributes[name]]
        if tag == "meta" and attributes.get("name") == "description":
            self.texts.append(attributes.get("content") or "")
        if "data-sb-labels" in attributes:
            self.texts += _strings(json.loads(attributes["data-sb-labels"]))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if data.strip() and self._counted():
            self.texts.append(" ".join(data.split()))


def _strings(value) -> list[str]:
    return [s for v in value.values() for s in _strings(v)] if isinstance(value, dict) else [str(value)]


def reader_text(page: Path) -> list[str]:
    parser = ReaderText()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.texts


@pytest.fixture(scope="module")
def chinese_site(chinese_example_site) -> Path:
    return chinese_example_site  # the session's build (conftest.py)


def english_of_ours(site: Path, sources: str) -> list[str]:
    ours = our_english()
    phrases = [(p, re.compile(r"(?<![A-Za-z])" + re.escape(p) + r"(?![A-Za-z])")) for p in ours]
    found = []
    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.parts:
            continue
        for text in reader_text(page):
            text = text.removesuffix(" - 安全生产文件")  # the page's <title>: its heading, then the site's name
            if text in sources and text.strip(" :") not in ours:  # a bulletin's own words (its title, a heading)
                continue
            found += [f"{page.relative_to(site)}: {phrase!r} in {text[:120]!r}"
                      for phrase, pattern in phrases if pattern.search(text)]
    return found


def _sources_text() -> str:
    files = sorted((REPO / "bulletins").rglob("*.md")) + [REPO / "bulletins" / "units.yml"]
    return " ".join(" ".join(f.read_text(encoding="utf-8").split()) for f in files)


def test_the_scanner_knows_our_words():
    phrases = our_english()
    assert {"Overdue", "Due within 30 days", "Responsible unit"} & phrases and len(phrases) > 150
    page_text = ReaderText()
    page_text.feed('<p>逾期 <span title="Due later">x</span></p><div lang="en"><p>Overdue</p></div>'
                   '<script>"Overdue"</script><p data-sb-labels=\'{"a": {"b": "Awaiting acceptance"}}\'></p>')
    assert page_text.texts == ["逾期", "Due later", "x", "Awaiting acceptance"]


def test_no_english_word_of_ours_on_the_chinese_site(chinese_site):
    pages = {p.relative_to(chinese_site).as_posix() for p in chinese_site.rglob("index.html")}
    for kind in ("index.html", "units/index.html", "units/property/index.html", "directives/index.html",
                 "archive/index.html", "dashboard/index.html", "guide/writing/index.html",
                 "bulletins/2025/2025-03-18-安全生产月度例会纪要/index.html"):
        assert kind in pages
    assert english_of_ours(chinese_site, _sources_text()) == []


def test_its_name_navigation_footer_and_hand_written_pages_are_chinese(chinese_site):
    home = (chinese_site / "index.html").read_text(encoding="utf-8")
    assert "<title>安全生产文件</title>" in home and 'lang="zh"' in home
    assert "Production Safety Bulletins" not in home and "Editors' guide" not in home
    assert "集团安全环保部 编印" in home and "Made with" not in home  # the footer: copyright, no English credit
    for label in ("首页", "单位", "议定事项", "文件归档", "统计看板", "编辑指南", "文件编写格式"):
        assert f">{label}<" in home or f"{label}\n" in home, label
    sources = _sources_text()
    for page in ("index.html", "guide/workflow/index.html", "guide/writing/index.html", "guide/publishing/index.html"):
        article = (chinese_site / page).read_text(encoding="utf-8").split('<article', 1)[1].split("</article>", 1)[0]
        parser = ReaderText()
        parser.feed("<article" + article)
        english = [t for t in parser.texts if ENGLISH_RUN.search(t) and t not in sources]  # the home page lists bulletins
        assert english == [], page


def test_both_configurations_share_the_bulletins_and_the_assets():
    """mkdocs.zh.yml inherits everything it does not set; neither docs folder keeps an asset of the
    package's (the stylesheet: test_both_sites_link_the_package_stylesheet; the offline copy's worker
    shim: test_leftovers6), so there is no copy to keep equal."""
    config = (REPO / "mkdocs.zh.yml").read_text(encoding="utf-8")
    # beside mkdocs.yml, so the build reads the same bulletins/; its `extra: bulletins:` settings inherited
    assert "INHERIT: mkdocs.yml" in config and "\n  bulletins:" not in config
    assert not list(REPO.glob("docs*/assets"))


def test_both_sites_link_the_package_stylesheet(chinese_site):
    """The stylesheet of our markup is a registered output (outputs/site.py), as the scripts are: the
    build writes it at its registered URL and every page links it (the plugin adds it to extra_css,
    before a site's own), so no site keeps a copy to keep equal."""
    from safety_bulletins.outputs import site

    assert site.output_at(site.STYLESHEET).path == site.STYLESHEET
    package_css = PACKAGE / "assets" / "bulletins.css"
    assert ".sb-row--overdue" in package_css.read_text(encoding="utf-8")
    assert not list(REPO.glob("docs*/assets/bulletins.css"))  # no copy left beside the pages
    assert "bulletins.css" not in (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert (chinese_site / site.STYLESHEET).read_bytes() == package_css.read_bytes()
    pages = [p for p in sorted(chinese_site.rglob("*.html")) if "pagefind" not in p.parts]
    assert len(pages) > 40
    for page in pages:
        hrefs = re.findall(r'<link rel="stylesheet" href="([^"]*bulletins\.css)"', page.read_text(encoding="utf-8"))
        assert len(hrefs) == 1, page
        # 404.html's links are from the server's root (MkDocs' way for a page served at any missing URL)
        target = chinese_site / hrefs[0][1:] if hrefs[0].startswith("/") else page.parent / hrefs[0]
        assert target.resolve() == (chinese_site / site.STYLESHEET).resolve(), (page, hrefs)
    # after Material's own stylesheets, so ours wins at equal specificity
    home = (chinese_site / "index.html").read_text(encoding="utf-8")
    assert home.rindex("stylesheets/main") < home.index(site.STYLESHEET)


def test_a_chinese_sentence_of_ours_ends_with_a_chinese_full_stop(chinese_site):
    """Issue 22's screenshots: the captions and the rates' definitions closed on '统计截至 2026-11-28.'"""
    ascii_stop = re.compile(r"[\u3400-\u9fff][^A-Za-z。]{0,30}?[\d\u3400-\u9fff)）]\.(?=\s|$)")
    found = [f"{page.relative_to(chinese_site)}: {match[0]!r}" for page in sorted(chinese_site.rglob("*.html"))
             if "pagefind" not in page.parts for text in reader_text(page) for match in ascii_stop.finditer(text)]
    assert found == []
    assert "统计截至 2026-11-28。" in (chinese_site / "dashboard/index.html").read_text(encoding="utf-8")


CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"  # Chinese characters and full-width punctuation
# An ASCII colon, comma or bracket against Chinese text (配合单位: …, 已办结 (12), 下达, 期限, （上级单位 X)):
# a Chinese page writes ：，（） there. Between ASCII (2026-11: 3, XQST-1 (x)) it stays.
ASCII_BY_CJK = re.compile(rf"{CJK} ?[:,(]|[(,] ?{CJK}|{CJK}\)")


def ascii_punctuation_by_chinese(texts) -> list[str]:
    """Each ASCII mark beside Chinese, with the characters around it."""
    return [m[0] for text in texts for m in ASCII_BY_CJK.finditer(text)]


def test_the_punctuation_scanner_finds_ascii_beside_chinese():
    assert ascii_punctuation_by_chinese(["配合单位: 物业公司", "已办结 (12)", "下达, 期限 2026年11月5日",
                                         "(上级单位 集团)", "别名：甲, 乙"]) == [
        "位:", "结 (", "达,", "(上", "团)", "甲,"]
    assert ascii_punctuation_by_chinese(["配合单位：物业公司", "已办结（12）", "2026-11: 3 issued", "XQST-1 (a, b)",
                                         "甲、乙", "办结率 74%（19 项中 14 项）"]) == []


def test_our_chinese_words_use_chinese_punctuation(chinese_site):
    """Issue 22's leftovers: ASCII punctuation in a dozen labels of the Chinese pages. Every label
    and every text of ours on the Chinese site (what the scripts are given to write included:
    data-sb-labels) puts ：，（） beside Chinese; a bulletin's own text is its editor's."""
    assert ascii_punctuation_by_chinese(labels.CHINESE.words.values()) == []
    sources = _sources_text()
    found = [f"{page.relative_to(chinese_site)}: {text[:100]!r}" for page in sorted(chinese_site.rglob("*.html"))
             if "pagefind" not in page.parts
             for text in reader_text(page) if text not in sources and ascii_punctuation_by_chinese([text])]
    assert found == []
    unit = (chinese_site / "units/property/index.html").read_text(encoding="utf-8")
    assert "已办结（" in unit and "别名：" in unit
    feed = (chinese_site / "feeds/units/property.xml").read_text(encoding="utf-8")
    assert '<title type="text">安全生产文件：物业公司</title>' in feed


def _paragraph_text(page: Path, starting: str) -> str:
    """The text of the page's paragraph that starts with `starting`, its links' text in it."""
    text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
    return next(line for line in text.splitlines() if line.startswith(starting))


def test_the_registers_data_files_are_listed_as_each_language_lists(chinese_site, example_site):
    """The sixth session's leftover: the Chinese register listed its files "directives.json (…), …, …"
    with ASCII brackets and commas between file names, which the scanner above (ASCII beside Chinese)
    cannot see. A Chinese list takes 、 and （）."""
    assert _paragraph_text(chinese_site / "directives/index.html", "数据下载") == (
        "数据下载：directives.json（directives.schema.json）、directives.xlsx、directives.csv（可用 Excel 打开）")
    assert _paragraph_text(example_site / "directives/index.html", "Also available") == (
        "Also available as data: directives.json (directives.schema.json), directives.xlsx, directives.csv (for Excel)")


def test_the_printed_ledger_is_a_consistent_table_with_dates_as_the_page_writes_them(chinese_site):
    """Issue 22's leftovers: the ledger's print-only "No." heading stood over no cell (9 headings, 8
    cells a row: the validator's warning), and its stage dates were ISO beside 2026年12月3日."""
    tables = 0
    for page in ("directives/index.html", "units/property/index.html", "units/group/index.html"):
        html = (chinese_site / page).read_text(encoding="utf-8")
        for table in re.findall(r'<section class="sb-bucket".*?<table>(.*?)</table>', html, re.DOTALL):
            head = re.search(r"<thead>(.*?)</thead>", table, re.DOTALL)[1]
            rows = re.findall(r"<tr\b.*?</tr>", table.split("</thead>", 1)[1], re.DOTALL)
            widths = {len(re.findall(r"<td\b", row)) for row in rows}
            assert widths == {len(re.findall(r"<th\b", head))} == {9}, (page, widths)
            assert all(re.search(r'<td class="sb-ledger-only sb-ledger-no"></td>\s*</tr>$', row)
                       for row in rows)  # under "No." (序号): the last heading
            tables += 1
    assert tables >= 6
    stages = re.findall(r'<span class="sb-stage sb-stage--\w+">[^<]* <time datetime="([\d-]+)">([^<]*)</time>',
                        (chinese_site / "directives/index.html").read_text(encoding="utf-8"))
    assert stages and all(shown == "{}年{}月{}日".format(*map(int, iso.split("-"))) for iso, shown in stages), stages
