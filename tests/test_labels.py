from helpers import URLS
import ast
import datetime as dt
import re
from pathlib import Path

import jinja2

from safety_bulletins.outputs import labels
from safety_bulletins.model import BUCKETS, BULLETIN_TYPES, GRADES, STATUSES

PACKAGE = Path(labels.__file__).parent


# What a template composes from pieces (bulletin_header.html: "changed " or "changed at least ", then the rest)
COMPOSED = {"changed once", "changed {count} times", "changed at least once", "changed at least {count} times"}
COMPOSED_AT = {("outputs/templates/bulletin_header.html", 2)}  # (file, calls with no literal phrase): the four above


def _label_calls(path: Path) -> tuple[set[str], int]:
    """The phrases a module or template asks the labels for, read from its syntax tree (a phrase split
    over lines, implicitly concatenated or in single quotes is one phrase), and how many calls give no
    literal phrase."""
    phrases, composed = set(), 0
    if path.suffix == ".py":
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _callee(node.func) == "labels":
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    phrases.add(node.args[0].value)
                elif node.args:
                    composed += 1
    else:
        tree = jinja2.Environment(extensions=["jinja2.ext.do"]).parse(path.read_text(encoding="utf-8"))
        for node in tree.find_all(jinja2.nodes.Call):
            if isinstance(node.node, jinja2.nodes.Name) and node.node.name == "labels":
                if node.args and isinstance(node.args[0], jinja2.nodes.Const):
                    phrases.add(node.args[0].value)
                else:
                    composed += 1
    return phrases, composed


def _callee(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def sources() -> list[Path]:
    """Every module and template of the package: whatever emits reader-visible words goes through labels."""
    return sorted(p for p in PACKAGE.parent.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and (p.suffix == ".py" or "templates" in p.parts))


def phrases_used() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in sources():
        phrases, composed = _label_calls(path)
        where = path.relative_to(PACKAGE.parent).as_posix()
        assert (where, composed) in COMPOSED_AT or composed == 0, f"{where}: a phrase the test cannot read"
        if phrases:
            used[where] = phrases
    return used


def test_every_phrase_has_a_chinese_translation():
    used = phrases_used()
    # the modules and templates the first version of this test did not read, and their phrases
    assert {"outputs/pagefind.py", "outputs/templates/digest.txt", "commands/digest.py", "site_build/sitebuild.py"} <= set(used)
    assert sum(map(len, used.values())) > 200
    missing = {f"{where}: {phrase}" for where, phrases in used.items()
               for phrase in phrases | (COMPOSED if where == "outputs/templates/bulletin_header.html" else set())
               if phrase not in labels.CHINESE.words}
    assert sorted(missing) == []


def test_scripts_take_their_words_from_the_page():
    """The browser's scripts show only words the build gave them in the site's language (data-sb-labels,
    search-filters.json): no English literal of theirs reaches the reader (messages to the console and
    CSS selectors are not read)."""
    scripts = sorted((PACKAGE / "assets").glob("*.js"))
    assert len(scripts) >= 4
    english = []
    for script in scripts:
        code = re.sub(r"/\*.*?\*/", "", script.read_text(encoding="utf-8"), flags=re.DOTALL)
        for number, line in enumerate(code.splitlines(), 1):
            line = re.sub(r"(^|\s)//.*", "", line)
            if "console." in line or "querySelector" in line:
                continue
            for literal in re.findall(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'', line):
                text = "".join(literal)
                if re.search(r"[A-Za-z]{2,}[,.:;!?]? +[A-Za-z]{2,}", text) and text != "use strict":
                    english.append(f"{script.name}:{number}: {text}")
    assert english == []


def test_every_value_has_a_label_in_both_languages():
    for language in (labels.ENGLISH, labels.CHINESE):
        assert set(language.TYPES) == set(BULLETIN_TYPES)
        assert set(language.STATUSES) == set(STATUSES)
        assert set(language.BUCKETS) == set(BUCKETS)
        assert set(language.GRADES) == set(GRADES)


def test_language_follows_materials_setting():
    assert labels.for_language("zh") is labels.CHINESE
    assert labels.for_language("zh-TW") is labels.CHINESE
    assert labels.for_language("en") is labels.ENGLISH
    assert labels.CHINESE("Bulletins of {year}", year=2021) == "2021年文件"
    assert labels.CHINESE.long_date(dt.date(2021, 5, 25)) == "2021年5月25日"
    assert labels.ENGLISH.long_date(dt.date(2021, 5, 25)) == "25 May 2021"


def test_a_count_of_one_day_is_singular_in_english():
    from safety_bulletins.outputs.labels import CHINESE, ENGLISH

    assert ENGLISH("{n} days overdue", n=1) == "1 day overdue"
    assert ENGLISH("{n} days overdue", n=2) == "2 days overdue"
    assert ENGLISH("due in {n} days", n=1) == "due in 1 day"
    assert ENGLISH("waiting {n} days", n=1) == "waiting 1 day"
    assert CHINESE("{n} days overdue", n=1) == "逾期 1 天"
    assert ENGLISH.one("{n} days overdue") == "{n} day overdue" and CHINESE.one("{n} days overdue") == "逾期 {n} 天"
    supports = "It also supports {n} open directives of other units ({overdue} overdue), marked “Support” below and not counted above."
    assert ENGLISH(supports, n=1, overdue=0).startswith("It also supports 1 open directive of other units (0 overdue)")
    assert ENGLISH(supports, n=2, overdue=1).startswith("It also supports 2 open directives of other units (1 overdue)")


def test_a_chinese_sites_csv_has_no_english_word_of_its_own(bulletins_dir):
    """directives.csv on a Chinese site: what the build writes in the columns people read (headers,
    units, status, bucket, grade, type, yes/no, the history's words) is Chinese. The sources' own
    text (titles, the directive's text), the links and the code columns after them are not judged."""
    import csv
    import io

    from test_reader_language import AS_OF, FILES, UNITS

    from safety_bulletins.outputs.spreadsheet import code_columns
    from safety_bulletins.site_build.sitebuild import SiteBuild

    build = SiteBuild.load(bulletins_dir(FILES, UNITS), dt.date.fromisoformat(AS_OF), language="zh", urls=URLS)
    rows = list(csv.reader(io.StringIO(build.export_csv().removeprefix("\ufeff"), newline="")))
    assert len(rows) == 4 and rows[0][-len(code_columns()):] == list(code_columns())
    read = len(rows[0]) - len(code_columns())
    sources = {"标题", "事项内容", "文件标题", "链接", "文件链接"}
    found = []
    for row in rows:
        for name, cell in zip(rows[0][:read], row[:read]):
            if row is rows[0] or name not in sources:
                found += [f"{row[0]}/{name}: {word}" for word in re.findall(r"[A-Za-z]{2,}", re.sub(r" <[^>]*>$", "", cell, flags=re.M))]
    assert found == []


def test_no_phrase_is_translated_twice():
    """A phrase written twice in one table keeps only its last translation, silently: two features
    used "Printed on {date}" for 印发 (the office's) and for the reader's print date, and the notice's
    版记 read 打印日期."""
    import ast
    import collections

    from safety_bulletins.outputs import labels as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    twice = {node.lineno: [k for k, n in collections.Counter(
                 key.value for key in node.keys if isinstance(key, ast.Constant)).items() if n > 1]
             for node in ast.walk(tree) if isinstance(node, ast.Dict)}
    assert {line: keys for line, keys in twice.items() if keys} == {}
