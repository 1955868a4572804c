"""`-f/--config-file`: every command that reads the site's settings reads the configuration it is given
(mkdocs.zh.yml, which INHERITs mkdocs.yml), so the Chinese site can be verified and listed in its language;
a file outside the project, a missing one or a folder is bad usage, said with the option and the right names."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from helpers import AS_OF, UNITS_YML, builds_forked

from safety_bulletins.commands.cli import main


@pytest.fixture
def chinese(chinese_example_site, monkeypatch) -> tuple[Path, Path]:
    """The example's project and its Chinese site (built with mkdocs.zh.yml), read-only; run in the project."""
    project = chinese_example_site.parent
    monkeypatch.chdir(project)
    monkeypatch.setenv("BULLETINS_TODAY", AS_OF)
    return project, chinese_example_site


def test_the_chinese_site_verifies_with_its_configuration_and_a_hand_edit_is_found(chinese, tmp_path, monkeypatch,
                                                                                    capsys):
    project, site = chinese
    builds_forked(monkeypatch)
    copy = tmp_path / "site-zh"
    shutil.copytree(site, copy)
    assert main(["verify", str(copy), "-f", "mkdocs.zh.yml"]) == 0, capsys.readouterr()
    assert capsys.readouterr().out.startswith(f"OK: {copy} is byte for byte")
    page = copy / "units" / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "单位" in text
    page.write_text(text.replace("单位", "部门", 1), encoding="utf-8")
    assert main(["verify", str(copy), "--project", str(project), "--config-file", "mkdocs.zh.yml"]) == 1
    findings = capsys.readouterr().out.splitlines()
    assert len(findings) == 1 and findings[0].startswith("units/index.html:"), findings


def test_due_and_digest_read_the_chinese_configuration(chinese, capsys):
    project, _ = chinese
    assert main(["due", "--as-of", AS_OF, "--format", "csv", "-f", "mkdocs.zh.yml"]) == 0
    header = next(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert header[:4] == ["单位", "编号", "标题", "期限"], header
    assert main(["due", "--as-of", AS_OF, "--format", "csv"]) == 0  # mkdocs.yml's: the English site
    assert next(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))[:2] == ["unit", "unit_name"]
    assert main(["digest", "--unit", "property", "--as-of", AS_OF, "-f", "mkdocs.zh.yml"]) == 0
    assert capsys.readouterr().out.startswith("安全生产日报（物业公司）")


def test_settings_come_through_inherit_and_the_named_file_overrides_them(tmp_path, monkeypatch, capsys):
    """mkdocs.zh.yml read as MkDocs reads it: what it does not set comes from mkdocs.yml (INHERIT)."""
    project = tmp_path / "project"
    (project / "bulletins").mkdir(parents=True)
    (project / "bulletins" / "units.yml").write_text(UNITS_YML, encoding="utf-8")
    (project / "mkdocs.yml").write_text("site_name: Bulletins\nextra:\n  bulletins:\n    due_soon_days: 12\n"
                                        "    upcoming_days: 40\n", encoding="utf-8")
    (project / "mkdocs.zh.yml").write_text("INHERIT: mkdocs.yml\nsite_name: 安全生产文件\n", encoding="utf-8")
    (project / "mkdocs.fr.yml").write_text("INHERIT: mkdocs.zh.yml\nextra:\n  bulletins:\n    due_soon_days: 3\n",
                                           encoding="utf-8")
    monkeypatch.chdir(project)
    for name, days in (("mkdocs.yml", 12), ("mkdocs.zh.yml", 12), ("mkdocs.fr.yml", 3)):
        assert main(["due", "--as-of", AS_OF, "--format", "json", "-f", name]) == 0
        assert json.loads(capsys.readouterr().out)["within_days"] == days, name


def test_a_wrong_setting_is_reported_at_its_line_of_the_named_file(tmp_path, monkeypatch, capsys):
    project = tmp_path / "project"
    (project / "bulletins").mkdir(parents=True)
    (project / "bulletins" / "units.yml").write_text(UNITS_YML, encoding="utf-8")
    (project / "mkdocs.yml").write_text("site_name: Bulletins\n", encoding="utf-8")
    (project / "mkdocs.zh.yml").write_text("INHERIT: mkdocs.yml\nextra:\n  bulletins:\n    audience: everyone\n",
                                           encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["check"]) == 0
    capsys.readouterr()
    assert main(["check", "-f", "mkdocs.zh.yml"]) == 1
    err = capsys.readouterr().err
    assert f"{project / 'mkdocs.zh.yml'}:4: error: extra: bulletins: audience" in err, err


COMMANDS = [["check"], ["due"], ["digest", "--unit", "all"], ["new", "minutes", "--title", "会议", "--review"],
            ["verify", "site"], ["publish", "live"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("name, why", [
    ("../outside.yml", "is outside the project"),
    ("{outside}", "is outside the project"),  # absolute
    ("linked.yml", "is outside the project"),  # a link inside leading out
    ("missing.yml", "does not exist"),
    ("docs", "is a folder, not a configuration file"),
    ("docs/mkdocs.yml", "is not in the project's folder"),  # would build docs/bulletins/
    ("loop.yml", "cannot be used as a file name ("),  # Python 3.11: "Symlink loop from ..."; later: ELOOP
    ("a" * 5000 + ".yml", "cannot be used as a file name (File name too long)"),
], ids=["parent", "absolute", "link-out", "missing", "folder", "sub-folder", "link-loop", "too-long"])
def test_a_configuration_file_that_is_not_the_projects_is_bad_usage(tmp_path, monkeypatch, capsys, command, name, why):
    project = tmp_path / "project"
    (project / "bulletins").mkdir(parents=True)
    (project / "docs").mkdir()
    (project / "docs" / "mkdocs.yml").write_text("INHERIT: ../mkdocs.yml\n", encoding="utf-8")
    (project / "site").mkdir()
    (project / "mkdocs.yml").write_text("site_name: Bulletins\n", encoding="utf-8")
    (project / "mkdocs.zh.yml").write_text("INHERIT: mkdocs.yml\n", encoding="utf-8")
    outside = tmp_path / "outside.yml"
    outside.write_text("site_name: Elsewhere\n", encoding="utf-8")
    (project / "linked.yml").symlink_to(outside)
    (project / "loop.yml").symlink_to("loop.yml")
    monkeypatch.chdir(project)
    monkeypatch.setenv("BULLETINS_TODAY", AS_OF)
    name = name.format(outside=outside)
    assert main([*command, "-f", name]) == 2
    err = capsys.readouterr().err
    assert f"bulletins {command[0]}: -f/--config-file {name[:80]}" in err and why in err, err
    assert "name one of the project's configuration files: mkdocs.yml, mkdocs.zh.yml" in err, err
    assert sorted(p.name for p in (project / "bulletins").iterdir()) == []  # new wrote nothing
    assert not (tmp_path / "live").exists() and not (project / "live").exists()  # publish built nothing


def test_publish_builds_and_verifies_the_site_of_the_named_configuration(site_project, tmp_path, monkeypatch):
    from helpers import MEETING_MD

    builds_forked(monkeypatch)
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    (project / "mkdocs.zh.yml").write_text("INHERIT: mkdocs.yml\nsite_name: 安全生产文件\ntheme:\n  language: zh\n",
                                           encoding="utf-8")
    dest = tmp_path / "srv" / "safety-zh"
    dest.parent.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("BULLETINS_TODAY", AS_OF)
    assert main(["publish", str(dest), "-f", "mkdocs.zh.yml"]) == 0  # its verification rebuilt the Chinese site
    page = (dest / "bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in page and "安全生产文件" in page


def test_the_named_configurations_docs_dir_is_what_its_site_publishes(site_project, monkeypatch, capsys):
    """A draft's title written on a hand-written page of docs-zh/ (mkdocs.zh.yml's docs_dir) is published text,
    no evidence of the draft: verify reads the pages of the configuration it was given, not docs/."""
    from helpers import MEETING_MD, mkdocs

    builds_forked(monkeypatch)
    draft = "---\ntitle: 冬季安全专项会议纪要\ndate: 2021-05-26\ntype: bulletin\nissuer: safety-env\ndraft: true\n---\n正文。\n"
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-draft.md": draft})
    (project / "docs-zh").mkdir()
    (project / "docs-zh" / "index.md").write_text("# 首页\n\n下周召开冬季安全专项会议纪要的讨论。\n", encoding="utf-8")
    (project / "mkdocs.zh.yml").write_text("INHERIT: mkdocs.yml\ndocs_dir: docs-zh\ntheme:\n  language: zh\n",
                                           encoding="utf-8")
    result = mkdocs(project, "build", "-f", "mkdocs.zh.yml", "--site-dir", "site-zh")
    assert result.returncode == 0, result.stderr
    assert "冬季安全专项会议纪要" in (project / "site-zh" / "index.html").read_text(encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["verify", "site-zh", "-f", "mkdocs.zh.yml", "--as-of", AS_OF]) == 0, capsys.readouterr()
