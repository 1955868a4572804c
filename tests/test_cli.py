import subprocess
import sys

from helpers import MEETING_MD, REPO

from safety_bulletins.cli import main


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
    result = subprocess.run([sys.executable, "-m", "safety_bulletins.cli", "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_the_shipped_example_bulletins_are_valid():
    result = subprocess.run([sys.executable, "-m", "safety_bulletins.cli", "check", str(REPO / "bulletins")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
