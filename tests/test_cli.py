import datetime as dt
import csv
import io
import json
import subprocess
import re
import sys

import pytest

from helpers import MEETING_MD, REPO

from safety_bulletins.commands.cli import main
from safety_bulletins.sources.project import load_project


def test_check_passes_on_good_bulletins(bulletins_dir, capsys):
    root = bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD})
    assert main(["check", str(root)]) == 0
    assert "OK: 1 bulletins, 2 directives" in capsys.readouterr().out


def test_check_fails_with_file_line_and_hint(bulletins_dir, capsys):
    root = bulletins_dir({"2021/bad.md": MEETING_MD.replace("units: 物业公司", "units: 物业")})
    assert main(["check", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"{root / '2021/bad.md'}:24: error: unknown unit '物业' in 'units'" in err
    assert "Did you mean 'property' (Property Management Company)?" in err
    assert "1 error(s)" in err


def test_check_defaults_to_the_bulletins_folder_and_missing_folder_fails(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert "bulletins folder does not exist" in capsys.readouterr().err


def test_check_finds_the_projects_bulletins_from_a_subfolder(bulletins_dir, tmp_path, capsys, monkeypatch):
    bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD})
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    monkeypatch.chdir(tmp_path / "bulletins" / "2021")
    assert main(["check"]) == 0
    assert f"in {tmp_path / 'bulletins'}" in capsys.readouterr().out


def test_console_script_and_bad_usage():
    result = subprocess.run([sys.executable, "-m", "safety_bulletins.commands.cli", "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_the_shipped_example_bulletins_are_valid():
    result = subprocess.run([sys.executable, "-m", "safety_bulletins.commands.cli", "check", str(REPO / "bulletins")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("setting", "message"), [
    ("    due_soon_days: 0\n", "extra: bulletins: due_soon_days: 0 is not a number of days from 1 to 366"),
    ("    audiance: public\n", "extra: bulletins: unknown setting 'audiance'"),
])
def test_check_reports_a_setting_the_build_refuses_at_its_line_of_mkdocs_yml(site_project, monkeypatch, capsys,
                                                                            setting, message):
    """As build, due, digest, verify and publish refuse it: the pre-commit hook stops it too."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "extra:\n  bulletins:\n" + setting, encoding="utf-8")
    line = len(config.read_text(encoding="utf-8").splitlines())
    monkeypatch.chdir(project)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{config}:{line}: error: {message}"), err
    assert main(["check", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    problem = report["problems"][0]
    assert report["errors"] == 1 and problem["severity"] == "error"
    assert (problem["path"], problem["line"], problem["message"].startswith(message)) == (str(config), line, True)


def test_check_json_lists_problems_with_severity(bulletins_dir, capsys):
    root = bulletins_dir({"2021/bad.md": MEETING_MD.replace("type: minutes", "type: minute")})
    assert main(["check", str(root), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["errors"] == 1 and report["warnings"] == 1
    error = next(p for p in report["problems"] if p["severity"] == "error")
    assert error["line"] == 4 and error["message"] == "'type' is 'minute', which is not allowed"
    assert "Did you mean 'minutes'?" in error["hint"]


def test_new_writes_a_bulletin_that_checks(site_project, monkeypatch, capsys):
    project = site_project({})
    monkeypatch.chdir(project)
    args = ["new", "notice", "--title", "关于开展冬季（消防）安全检查的通知", "--date", "2026-11-28", "--issuer", "safety-env"]
    assert main(args) == 0
    path = project / "bulletins/2026/2026-11-28-关于开展冬季-消防-安全检查的通知.md"
    assert f"Created {path}" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert 'title: "关于开展冬季（消防）安全检查的通知"' in text and 'start: ""' in text and "\ndraft: true" in text
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "warning: a directive inside a code block is only an example" in out  # the commented example
    assert (".md:8: warning: a draft, still to fill in before it can be published: meeting start (line 8), "
            "meeting place (line 9), meeting attendees (line 10)") in out
    assert main(args) == 1  # never overwrites
    assert "already exists" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text


def test_a_new_bulletin_stays_off_the_site_until_its_blanks_are_filled(site_project, monkeypatch, capsys):
    project = site_project({})
    monkeypatch.chdir(project)
    assert main(["new", "notice", "--title", "Winter meeting", "--date", "2026-11-28"]) == 0
    assert "It is a draft" in capsys.readouterr().out
    project_now = load_project(project / "bulletins")
    assert project_now.errors == [] and project_now.published(dt.date(2026, 11, 28)) == []  # no invented meeting goes live
    path = project / "bulletins/2026/2026-11-28-winter-meeting.md"
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "2026-11-28-winter-meeting.md:7: error: 'meeting start' is empty" in err
    assert "2026-11-28-winter-meeting.md:9: error: 'meeting attendees' is empty" in err


@pytest.mark.parametrize("kind", ["minutes", "notice", "bulletin", "inspection"])
def test_every_type_has_a_template_that_checks(site_project, monkeypatch, kind):
    project = site_project({})
    monkeypatch.chdir(project)
    assert main(["new", kind, "--title", f'Our "{kind}": first', "--date", "2026-11-28"]) == 0
    assert load_project(project / "bulletins").errors == []


def test_new_without_a_terminal_needs_its_options(site_project, monkeypatch, capsys):
    monkeypatch.chdir(site_project({}))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["new", "minutes"]) == 2
    assert "title not given" in capsys.readouterr().err


def test_due_lists_overdue_and_due_soon_per_unit(site_project, monkeypatch, capsys):
    notice = MEETING_MD.replace("deadline: 2021-06-30", "deadline: 2021-06-03").replace("CIG-2021-05-2", "N-1")
    monkeypatch.chdir(site_project({"2021/2021-05-25-meeting.md": notice}))
    assert main(["due", "--as-of", "2021-06-01", "--unit", "物业公司", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["unit"], d["id"], d["days_left"], d["role"]) for d in data["directives"]] == [("property", "N-1", 2, "responsible")]
    assert main(["due", "--as-of", "2021-06-05", "--unit", "safety-env"]) == 0
    out = capsys.readouterr().out
    assert "Safety and Environmental Protection Department (safety-env)" in out
    assert "2021-06-03  2 days overdue     N-1: Full-coverage investigation of hidden dangers\n" in out
    assert main(["due", "--as-of", "2021-06-05", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff") and "\r\n" in out  # Excel's UTF-8 and line ends
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    assert {r["unit"] for r in rows} == {"safety-env", "property", "energy", "filling-stations"}


def test_due_usage_errors(site_project, monkeypatch, capsys):
    monkeypatch.chdir(site_project({}))
    assert main(["due", "--within", "soon"]) == 2
    assert main(["due", "--unit", "nowhere"]) == 2
    assert main(["due", "--as-of", "2021-02-30"]) == 2
    err = capsys.readouterr().err
    assert "'soon' is not a span of time" in err and "unknown unit 'nowhere'" in err and "not a real date" in err


def test_new_refuses_to_write_outside_a_project(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "minutes", "--title", "Lost"]) == 2
    assert "not inside a bulletins project" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_new_dates_the_bulletin_with_the_as_of_date(site_project, monkeypatch, capsys):
    monkeypatch.chdir(site_project({}))
    monkeypatch.setenv("BULLETINS_TODAY", "2025-03-18")
    assert main(["new", "inspection", "--title", "Winter check"]) == 0
    assert "bulletins/2025/2025-03-18-winter-check.md" in capsys.readouterr().out


def test_due_suggests_a_unit_and_accepts_all(site_project, monkeypatch, capsys):
    monkeypatch.chdir(site_project({"2021/2021-05-25-meeting.md": MEETING_MD}))
    assert main(["due", "--unit", "物业", "--as-of", "2021-07-01"]) == 2
    assert "Did you mean 'property' (Property Management Company)?" in capsys.readouterr().err
    assert main(["due", "--unit", "all", "--as-of", "2021-07-01", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["directives"]) == 4  # the overdue one, for every unit
    assert main(["due", "--as-of", "2020-01-01", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("\ufeffunit,unit_name,id,title,deadline,days_left,status,role,escalated,bulletin")


REVIEWED_MD = MEETING_MD.replace("    units: 物业公司\n    deadline: ongoing\n", "    id: CIG-2021-05-3\n    units: 物业公司\n    deadline: 2021-07-31\n    status: done\n")


def test_new_review_stubs_the_open_directives_per_unit(site_project, monkeypatch, capsys):
    from safety_bulletins.sources.validate import FOLLOW_UP_STUB
    project = site_project({"2021/2021-05-25-meeting.md": REVIEWED_MD})
    monkeypatch.chdir(project)
    assert main(["new", "minutes", "--title", "Review meeting", "--date", "2026-11-28", "--review"]) == 0
    text = (project / "bulletins/2026/2026-11-28-review-meeting.md").read_text(encoding="utf-8")
    assert text.count("/// follow-up") == 1 and text.count(FOLLOW_UP_STUB) == 1
    review = text[text.index("## Implementation of earlier directives"):]
    assert text.index("## Requirements") < text.index("## Implementation of earlier directives")
    assert review.index("### All units") < review.index("/// follow-up | Full-coverage investigation of hidden dangers")
    assert "    directive: CIG-2021-05-2\n    # status: in-progress" in review
    assert "CIG-2021-05-3" not in review and "### Property Management Company" not in review
    capsys.readouterr()
    assert main(["check", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 0
    messages = [p["message"] for p in report["problems"]]
    assert "the follow-up still has the text 'bulletins new --review' wrote" in messages
    assert all(p["severity"] == "warning" for p in report["problems"])


@pytest.mark.parametrize(("title", "file", "headings", "not_there"), [
    ("安全例会", "2026-11-28-安全例会.md", ["## 前期安排事项落实情况", "### 各单位", "### 物业公司"],
     ["Implementation of earlier directives", "All units", "Property Management Company"]),
    ("Review meeting", "2026-11-28-review-meeting.md",
     ["## Implementation of earlier directives", "### All units", "### Property Management Company"],
     ["前期", "各单位", "### 物业公司"]),
])
def test_new_review_is_in_the_language_of_the_new_bulletin(site_project, monkeypatch, title, file, headings,
                                                           not_there):
    """A Chinese bulletin (its title is: the template's rule) gets Chinese headings and the units'
    Chinese names; an English one English names."""
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    monkeypatch.chdir(project)
    assert main(["new", "minutes", "--title", title, "--date", "2026-11-28", "--review"]) == 0
    text = (project / "bulletins/2026" / file).read_text(encoding="utf-8")
    review = text[text.index(headings[0]):]
    assert [review.index(h) for h in headings] == sorted(review.index(h) for h in headings)
    assert not [word for word in not_there if word in text]


def test_new_review_is_only_for_minutes_and_inspections(site_project, monkeypatch, capsys):
    project = site_project({})
    monkeypatch.chdir(project)
    assert main(["new", "notice", "--title", "Winter check", "--review"]) == 2
    assert "--review reviews earlier directives in minutes or inspection, not in a notice" in capsys.readouterr().err
    assert not (project / "bulletins/2026").exists()


def test_new_review_stubs_only_what_the_site_shows(site_project, monkeypatch):
    public = MEETING_MD.replace("type: minutes", "type: minutes\nclassification: public").replace("CIG-2021-05-2", "PUB-1")
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-public.md": public})
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "extra:\n  bulletins:\n    audience: public\n", encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["new", "minutes", "--title", "Review meeting", "--date", "2026-11-28", "--review"]) == 0
    review = (project / "bulletins/2026/2026-11-28-review-meeting.md").read_text(encoding="utf-8")
    assert "directive: PUB-1" in review and "CIG-2021-05-2" not in review  # the internal one is not on a public site


HIERARCHY_MD = """\
---
title: Notice on the filling stations
date: 2021-05-26
type: notice
issuer: safety-env
---
/// directive | Check the forecourt cameras
    id: FS-1
    units: [filling-stations]
    deadline: 2021-06-03
///

/// directive | Inspect the tanks together
    id: FS-2
    units: [energy, filling-stations]
    deadline: 2021-06-04
///

/// directive | Help the stations with the drill
    id: FS-3
    units: [property]
    support: [filling-stations]
    deadline: 2021-06-02
///
"""


def test_due_with_subunits_lists_each_directive_once(site_project, monkeypatch, capsys):
    monkeypatch.chdir(site_project({"2021/2021-05-26-stations.md": HIERARCHY_MD}))
    assert main(["due", "--as-of", "2021-06-01", "--unit", "energy", "--format", "json"]) == 0
    own = json.loads(capsys.readouterr().out)["directives"]
    assert [d["id"] for d in own] == ["FS-2"] and "sub_units" not in own[0]  # as before the flag existed
    assert main(["due", "--as-of", "2021-06-01", "--unit", "energy", "--with-subunits", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["directives"]
    # FS-2 is for both Energy and its sub-unit: once, as Energy's own
    assert [(d["unit"], d["id"], d["role"], d["sub_units"]) for d in rows] == [
        ("energy", "FS-3", "support", ["filling-stations"]),
        ("energy", "FS-1", "responsible", ["filling-stations"]),
        ("energy", "FS-2", "responsible", []),
    ]
    assert main(["due", "--as-of", "2021-06-01", "--unit", "能源公司", "--with-subunits"]) == 0
    out = capsys.readouterr().out
    assert "FS-1: Check the forecourt cameras [for Filling Stations]\n" in out
    assert "FS-3: Help the stations with the drill [support] [for Filling Stations]\n" in out
    assert out.count("FS-2") == 1
    assert main(["due", "--as-of", "2021-06-01", "--unit", "energy", "--with-subunits", "--format", "csv"]) == 0
    records = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["id"], r["sub_units"]) for r in records] == [("FS-3", "filling-stations"), ("FS-1", "filling-stations"),
                                                            ("FS-2", "")]
    # a unit without sub-units: the flag changes nothing
    assert main(["due", "--as-of", "2021-06-01", "--unit", "filling-stations", "--with-subunits",
                 "--format", "json"]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out)["directives"]] == ["FS-3", "FS-1", "FS-2"]


def test_check_prints_control_characters_and_bidi_overrides_of_the_sources_escaped(bulletins_dir, capsys):
    # A value quoted in a message must not act on the terminal or the CI log (an ESC sequence, a
    # right-to-left override); JSON escapes them itself and keeps the value as written.
    bad = MEETING_MD.replace("units: 物业公司", 'units: "物\\e[2J\\x00业\\u202e"')
    root = bulletins_dir({"2021/bad.md": bad})
    assert main(["check", str(root)]) == 1
    err = capsys.readouterr().err
    assert "unknown unit '物\\x1b[2J\\x00业\\u202e'" in err
    assert not any(c in err for c in "\x1b\x00\u202e")
    assert main(["check", str(root), "--format", "json"]) == 1
    problem = next(p for p in json.loads(capsys.readouterr().out)["problems"] if "unknown unit" in p["message"])
    assert "物\x1b[2J\x00业\u202e" in problem["message"]


def test_a_chinese_review_writes_no_english_line(site_project, monkeypatch, capsys):
    """`new --review` into a Chinese bulletin: the stubs' comments and text are Chinese too (only the
    option names stay, as the format has them), and check still warns until the stub text is replaced."""
    from safety_bulletins.sources.validate import FOLLOW_UP_STUB, FOLLOW_UP_STUB_ZH
    project = site_project({"2021/2021-05-25-meeting.md": REVIEWED_MD})
    monkeypatch.chdir(project)
    assert main(["new", "minutes", "--title", "安全例会", "--date", "2026-11-28", "--review"]) == 0
    text = (project / "bulletins/2026/2026-11-28-安全例会.md").read_text(encoding="utf-8")
    review = text[text.index("## 前期安排事项落实情况"):]
    assert FOLLOW_UP_STUB not in text and review.count(FOLLOW_UP_STUB_ZH) == 1
    review = review[:review.index("\n///\n", review.index(FOLLOW_UP_STUB_ZH))]  # the stubs, not what follows
    for line in review.splitlines():
        if line.startswith("/// follow-up |"):  # the directive's own title (an English one here)
            continue
        words = re.sub(r"\b(status|deadline|reason|directive|follow-up|YYYY-MM-DD|CIG-[\w-]+)\b", "", line)
        assert not re.search(r"[A-Za-z]{3,}", words), line
    capsys.readouterr()
    assert main(["check", "--format", "json"]) == 0
    messages = [p["message"] for p in json.loads(capsys.readouterr().out)["problems"]]
    assert "the follow-up still has the text 'bulletins new --review' wrote" in messages


class _Terminal(io.StringIO):
    """Typed answers on a terminal's stdin."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("kind", "answers", "expected"), [
    ("minutes", "safety-env\n安〔2026〕3号\n张辉\n",
     ['issuer: "safety-env"', 'number: "安〔2026〕3号"', 'presided_by: "张辉"']),
    ("notice", "\n\n2026-12-02 09:00\n", ['start: "2026-12-02 09:00"']),
    ("bulletin", "safety-env\n\n", ['issuer: "safety-env"']),
])
def test_new_asks_in_a_terminal_for_what_the_type_needs(site_project, monkeypatch, capsys, kind, answers, expected):
    """Beyond the title: issuer and number, who presided for minutes, the meeting's start for a
    notice; Enter skips a question and leaves the field to fill in later."""
    project = site_project({})
    monkeypatch.chdir(project)
    monkeypatch.setattr("sys.stdin", _Terminal(answers))
    assert main(["new", kind, "--title", "冬季检查", "--date", "2026-11-28"]) == 0
    asked = capsys.readouterr().out
    assert "Issuing unit (Enter: fill it in later): " in asked
    assert ("Presided by" in asked) == (kind == "minutes") and ("meeting's start" in asked) == (kind == "notice")
    text = (project / "bulletins/2026/2026-11-28-冬季检查.md").read_text(encoding="utf-8")
    assert [line for line in expected if line not in text] == []
    if kind == "notice":
        assert "issuer" not in text.split("---")[1] or 'issuer: ""' in text  # skipped: left to fill in


def test_new_asks_only_for_what_the_command_line_left_out(site_project, monkeypatch, capsys):
    project = site_project({})
    monkeypatch.chdir(project)
    monkeypatch.setattr("sys.stdin", _Terminal("张辉\n"))
    assert main(["new", "minutes", "--title", "冬季检查", "--date", "2026-11-28", "--issuer", "safety-env",
                 "--number", "安〔2026〕3号"]) == 0
    asked = capsys.readouterr().out
    assert "Issuing unit" not in asked and "Document number" not in asked and "Presided by" in asked
    assert 'presided_by: "张辉"' in (project / "bulletins/2026/2026-11-28-冬季检查.md").read_text(encoding="utf-8")


def test_new_in_a_real_terminal(site_project):
    """`bulletins new` run on a pseudo-terminal, as an editor runs it: the answers typed, Enter skipping one."""
    import os
    import pty
    import select

    project = site_project({})
    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "safety_bulletins.commands.cli", "new", "minutes",
                                "--date", "2026-11-28"],
                               cwd=project, stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True)
    os.close(secondary)
    screen = b""
    answers = iter(["冬季检查", "safety-env", "", "张辉"])  # title, issuer, number skipped, who presided

    def read_until(marker: bytes) -> None:
        nonlocal screen
        while marker not in screen:
            ready, _, _ = select.select([primary], [], [], 30)
            assert ready, screen.decode("utf-8", "replace")
            screen += os.read(primary, 4096)

    for question in (b"Title: ", b"Issuing unit", b"Document number", b"Presided by"):
        read_until(question)
        read_until(b": ")
        os.write(primary, next(answers).encode("utf-8") + b"\n")
        screen = b""
    assert process.wait(timeout=60) == 0
    os.close(primary)
    text = (project / "bulletins/2026/2026-11-28-冬季检查.md").read_text(encoding="utf-8")
    assert 'issuer: "safety-env"' in text and 'presided_by: "张辉"' in text and "number:" not in text.split("---")[1]


@pytest.mark.parametrize("kind", ["minutes", "notice", "bulletin", "inspection"])
def test_a_new_chinese_bulletin_writes_no_english_sentence(kind):
    """With a Chinese title every line `new` writes is Chinese, but for the format's own words (field
    names, unit ids, `bulletins check`, YYYY-MM-DD); the example's status is in its Chinese alias."""
    from safety_bulletins.commands.scaffold import render

    text = render(kind, "冬季消防检查", dt.date(2026, 11, 28))
    format_words = r"^\s*[\w_]+:|\[[\w, -]+\]|bulletins check|YYYY-MM-DD|/// directive|```markdown"
    english = [line for line in text.splitlines()
               if re.search(r"[A-Za-z]{3,}\W+[A-Za-z]{3,}", re.sub(format_words, "", line))]
    assert english == []
    assert "status: 未开始" in text and "status: open" not in text


@pytest.mark.parametrize("argv", [["due"], ["due", "--as-of", "2021-06-01", "--unit", "property"],
                                  ["digest", "--unit", "property"], ["new", "minutes", "--title", "Review", "--review"]])
def test_a_command_reads_mkdocs_yml_once(site_project, monkeypatch, capsys, argv):
    """Parsing mkdocs.yml's YAML costs as much as a small bulletin: `due` read it four times, which the
    suite's hundreds of commands (test_every_command) paid for."""
    from safety_bulletins.commands import cli

    monkeypatch.chdir(site_project({"2021/2021-05-25-meeting.md": MEETING_MD}))
    reads = []
    real = cli.read_settings
    monkeypatch.setattr(cli, "read_settings", lambda path: reads.append(path) or real(path))
    assert main(argv) == 0
    assert len(reads) == 1, reads
