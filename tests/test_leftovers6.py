"""Small defects session 5 noticed and left (session 6, helper "leftovers"): each read back from a
real build, the real command's output or the real check."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from helpers import build
from test_roles2 import JOINED
from test_since import JOINED_BELOW

# a committee (receives_all: false) beside the units of test_since: directives to all are not its own
COMMITTEE_YML = JOINED_BELOW + """\
- id: committee
  name: Safety Production Committee
  name_zh: 安全生产委员会
  aliases: [安委会]
  receives_all: false
"""

COMMITTEE_BULLETINS = {**JOINED, "2026/2026-12-04-notice.md": """\
---
title: 关于安委会季度会议的通知
date: 2026-12-04
type: notice
issuer: office
---
/// directive | 筹备季度会议
    id: AW-1
    units: 安委会
    deadline: 2026-12-25

安委会筹备会议。
///
"""}


class _Rows(HTMLParser):
    """The rows of a listing: each directive's id (its link's anchor) and its filter facts."""

    def __init__(self):
        super().__init__()
        self.rows: list[list] = []  # [facts, id]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "sb-row" in (attrs.get("class") or "").split():
            self.rows.append([attrs.get("data-sb-f") or "", None])
        elif tag == "a" and self.rows and self.rows[-1][1] is None and "#" in (attrs.get("href") or ""):
            self.rows[-1][1] = attrs["href"].rsplit("#", 1)[1]


def _rows(path) -> list[list]:
    parser = _Rows()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.rows


def _filter_matches(facts: str, unit: str) -> bool:
    """assets/filter.js's unit rule, word for word: its own `@id`, or `@all` without `!id`."""
    words = facts.split()
    return f"@{unit}" in words or ("@all" in words and f"!{unit}" not in words)


def test_the_register_filter_leaves_directives_to_all_out_of_a_committee(site_project):
    site = build(site_project(COMMITTEE_BULLETINS, units=COMMITTEE_YML), as_of="2026-12-10")
    register = _rows(site / "directives/index.html")
    assert sorted(i for _, i in register) == ["AW-1", "YJ-1", "YJ-2", "ZJ-1", "ZJ-2"]
    for unit in ("committee", "hotel", "energy"):
        page = sorted(i for _, i in _rows(site / f"units/{unit}/index.html"))
        assert sorted(i for facts, i in register if _filter_matches(facts, unit)) == page, unit
    assert sorted(i for _, i in _rows(site / "units/committee/index.html")) == ["AW-1"]


def test_due_speaks_the_sites_language_in_text(site_project, monkeypatch, capsysbinary):
    from test_roles2 import _in, _run

    _in("zh")(site_project, monkeypatch)
    text = _run(capsysbinary, "due")
    assert text.startswith("截至 2026-12-05，已逾期或 7 日内到期的事项：\n"), text
    assert "GL-1: 完成锅炉房隐患整改 [挂牌督办：集团级 · 集团办公室 · 督〔2026〕5号]\n      责任人：王磊；责任领导：张辉\n" in text, text
    assert "；配合其他单位：已逾期 1 项，即将到期 0 项\n" in text and "  本单位配合事项：\n" in text, text
    assert "GL-1: 完成锅炉房隐患整改 [配合]" in text, text
    # no English word of ours is left (the ids, dates and the units' ids in brackets aside)
    ours = re.sub(r"\((?:safety-env|property|energy|office)\)|[A-Z]+-\d+|督〔2026〕5号", "", text)
    assert not re.search(r"[A-Za-z]", ours), ours
    # the CSV keeps its columns: the machine's keys in English, the headers in the site's language
    csv_text = _run(capsysbinary, "due", "--format", "csv")
    assert "unit_id" in csv_text.splitlines()[0] and "责任人" in csv_text.splitlines()[0]
    _in("en")(site_project, monkeypatch)
    text = _run(capsysbinary, "due")
    assert text.startswith("Overdue or due within 7 days, as of 2026-12-05:\n") and "[support]" in text, text


def test_an_immediate_deadline_sorts_among_the_dates_in_both_csvs(site_project, tmp_path):
    """A spreadsheet opening directives.csv and directives-by-unit.csv reads every deadline as a date
    (立即's too: it sorted apart as text), and 立即 is still there beside it (`deadline_written`)."""
    import datetime as dt
    import shutil
    import subprocess

    import openpyxl
    from test_shares2 import FILES, UNITS, URGENT
    from test_spreadsheet import CSV_IMPORT, soffice

    site = build(site_project({**FILES, "2026/2026-11-10-gas.md": URGENT}, units=UNITS), as_of="2026-11-12")
    names = ("directives.csv", "directives-by-unit.csv")
    for name in names:
        shutil.copy(site / name, tmp_path / name)
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", f"--infilter={CSV_IMPORT}",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), *(str(tmp_path / name) for name in names)],
        capture_output=True, text=True, timeout=180)
    for name in names:
        book = tmp_path / "out" / name.replace(".csv", ".xlsx")
        assert book.is_file(), result.stdout + result.stderr
        header, *rows = list(openpyxl.load_workbook(book).active.iter_rows(values_only=True))
        deadline = header.index("deadline")
        assert rows and all(isinstance(row[deadline], dt.datetime) for row in rows), (name, [r[deadline] for r in rows])
        written = header.index("deadline_written")
        urgent = [row for row in rows if row[0] == "GL-1"]
        assert urgent and all((row[deadline], row[written]) == (dt.datetime(2026, 11, 13), "立即") for row in urgent)


def test_verify_needs_no_mkdocs_yml_when_told_the_configuration(site_project, monkeypatch, capsys):
    """A project whose configuration is only `site.yml`: `bulletins verify -f site.yml` rebuilds with it,
    from the project's folder or with --project (it asked for a mkdocs.yml it never read)."""
    from helpers import builds_forked, mkdocs

    from safety_bulletins.commands.cli import main

    project = site_project(JOINED, units=JOINED_BELOW)
    (project / "mkdocs.yml").rename(project / "site.yml")
    result = mkdocs(project, "build", "-f", "site.yml", "--site-dir", "site", as_of="2026-12-10")
    assert result.returncode == 0, result.stderr
    builds_forked(monkeypatch)
    monkeypatch.chdir(project)
    assert main(["verify", "site", "-f", "site.yml"]) == 0, capsys.readouterr()
    assert capsys.readouterr().out.startswith("OK: site is byte for byte")
    monkeypatch.chdir(project.parent)
    assert main(["verify", str(project / "site"), "--project", str(project), "-f", "site.yml"]) == 0, capsys.readouterr()
    # without -f it still says what is missing, and how to name it
    assert main(["verify", str(project / "site"), "--project", str(project)]) == 2
    assert "name its configuration file with -f" in capsys.readouterr().err


def test_the_offline_copy_gets_the_packages_worker_shim_without_a_copy_in_docs(site_project):
    """Material's offline plugin loads its Web Worker shim from a CDN; the plugin puts the package's copy
    in its place, a registered output (as the stylesheet is): any project's offline copy has it, and
    no site keeps one in docs/ (the example kept two, docs/ and docs-zh/)."""
    from helpers import REPO, SITE_YML, mkdocs

    from safety_bulletins.outputs import site

    package = REPO / "src/safety_bulletins/outputs/assets/iframe-worker"
    assert not list(REPO.glob("docs*/assets/vendor"))
    for path in (site.OFFLINE_WORKER_SHIM, site.OFFLINE_WORKER_FRAME, site.OFFLINE_WORKER_LICENSE):
        assert site.output_at(path).path == path
    project = site_project(JOINED, units=JOINED_BELOW)
    (project / "mkdocs.yml").write_text(SITE_YML.replace("  - search\n", "  - search\n  - offline\n"), encoding="utf-8")
    result = mkdocs(project, "build", as_of="2026-12-10")
    assert result.returncode == 0, result.stderr
    built = project / "site"
    page = (built / "units/hotel.html").read_text(encoding="utf-8")  # (offline: no directory URLs)
    assert '<script src="../assets/safety-bulletins/iframe-worker/shim.js"></script>' in page
    assert "unpkg.com" not in page and "iframe-worker" not in page.replace("assets/safety-bulletins/iframe-worker/", "")
    # shim.js loads frame.js from beside itself: both there, as the package has them, its licence with them
    for name in ("shim.js", "frame.js", "LICENSE"):
        assert (built / "assets/safety-bulletins/iframe-worker" / name).read_bytes() == (package / name).read_bytes()
    assert 'new URL("frame.js",document.currentScript.src)' in (package / "shim.js").read_text(encoding="utf-8")
