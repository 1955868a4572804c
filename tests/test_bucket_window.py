"""The one bucket rule: its windows are settings (extra: bulletins: due_soon_days, upcoming_days),
read by State.bucket and said by the labels; a wrong value fails with what to write."""

import datetime as dt
import json

import pytest
from helpers import SITE_YML

from safety_bulletins.model import DueWindows
from safety_bulletins.outputs import labels
from safety_bulletins.mkdocs_adapter import bulletin_settings
from safety_bulletins.mkdocs_adapter.config import read_settings
from safety_bulletins.site_build.settings import SettingsError
from safety_bulletins.state import State

AS_OF = dt.date(2026, 11, 20)


def bucket(days_ahead: int, windows: DueWindows = DueWindows()) -> str:
    deadline = AS_OF + dt.timedelta(days=days_ahead)
    return State("open", deadline, deadline, AS_OF, AS_OF).bucket(AS_OF, windows)


def test_the_default_windows_are_7_and_30_days():
    assert bulletin_settings({}).windows == DueWindows(7, 30)
    assert [bucket(n) for n in (-1, 0, 7, 8, 30, 31)] == ["overdue", "due-soon", "due-soon", "upcoming", "upcoming",
                                                          "later"]


def test_a_site_sets_its_own_windows():
    windows = bulletin_settings({"bulletins": {"due_soon_days": 14, "upcoming_days": 45}}).windows
    assert windows == DueWindows(14, 45)
    assert [bucket(n, windows) for n in (14, 15, 45, 46)] == ["due-soon", "upcoming", "upcoming", "later"]


@pytest.mark.parametrize(("section", "message"), [
    ({"due_soon_days": "a week"}, r"due_soon_days: 'a week' is not a number of days.*write e.g. 'due_soon_days: 7'"),
    ({"due_soon_days": "10"}, r"due_soon_days: '10' is not a number of days from 1 to 366"),
    ({"upcoming_days": 7.5}, r"upcoming_days: 7.5 is not a number of days from 1 to 366"),
    ({"due_soon_days": True}, r"due_soon_days: True is not a number of days from 1 to 366"),
    ({"upcoming_days": 0}, r"upcoming_days: 0 is not a number of days"),
    ({"due_soon_days": 400}, r"due_soon_days: 400 is not a number of days"),
    ({"due_soon_days": 14, "upcoming_days": 10}, r"upcoming_days \(10\) is shorter than due_soon_days \(14\).*"
     r"write 'upcoming_days: 14' or more, or a smaller due_soon_days"),
    ({"due_soon_days": 40}, r"due_soon_days \(40\) is longer than the default upcoming_days \(30\).*"
     r"write 'upcoming_days: 40' or more, or a smaller due_soon_days"),
    ({"due_soon_day": 14}, r"unknown setting 'due_soon_day'"),
])
def test_a_wrong_window_is_refused(section, message):
    with pytest.raises(SettingsError, match=r"^mkdocs.yml: extra: bulletins: .*" + message):
        bulletin_settings({"bulletins": section})


@pytest.mark.parametrize(("written", "blamed"), [
    ("    due_soon_days: 40\n", "    due_soon_days: 40"),  # upcoming_days not written: not blamed
    ("    upcoming_days: 5\n", "    upcoming_days: 5"),
])
def test_the_window_order_is_refused_at_the_setting_written(tmp_path, written, blamed):
    """At the line of the setting the editor wrote, under extra: (a `bulletins:` nav entry above is
    not the section)."""
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("site_name: S\nnav:\n  - bulletins: bulletins/index.md\nextra:\n  bulletins:\n"
                           "    audience: internal\n" + written, encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        read_settings(config_file)
    line = config_file.read_text(encoding="utf-8").splitlines().index(blamed) + 1
    assert str(refused.value).startswith(f"{config_file}:{line}: error: extra: bulletins: {blamed.strip()[:13]}")
    assert "Write e.g." not in str(refused.value)


@pytest.mark.parametrize(("language", "soon", "later"), [("en", "Due within 14 days", "Due later"),
                                                       ("zh", "14日内到期", "45日后到期")])
def test_the_labels_say_the_windows(language, soon, later):
    words = labels.for_language(language, DueWindows(14, 45))
    assert words.BUCKETS["due-soon"] == soon and words.BUCKETS["later"] == later
    assert words("Due within {due_soon_days} days") == soon
    assert labels.for_language(language) is (labels.CHINESE if language == "zh" else labels.ENGLISH)
    assert labels.for_language(language).BUCKETS["upcoming"] in ("Due within 30 days", "30日内到期")


NOTICE = """\
---
title: Notice
date: 2026-11-20
type: notice
---
/// directive | In ten days
    id: TEN
    units: [property]
    deadline: 2026-11-30
///
"""


def test_due_and_the_digest_follow_the_sites_window(site_project, monkeypatch, capsys):
    """`bulletins due` lists, by default, what the site calls due soon; the digest says its days."""
    from safety_bulletins.commands.cli import main

    project = site_project({"2026/2026-11-20-notice.md": NOTICE})
    monkeypatch.chdir(project)
    assert main(["due", "--as-of", "2026-11-20", "--format", "json"]) == 0
    assert json_of(capsys)["directives"] == []  # 10 days ahead: not within the default 7
    (project / "mkdocs.yml").write_text(SITE_YML + "extra:\n  bulletins:\n    due_soon_days: 14\n", encoding="utf-8")
    assert main(["due", "--as-of", "2026-11-20", "--format", "json"]) == 0
    data = json_of(capsys)
    assert data["within_days"] == 14 and [d["id"] for d in data["directives"]] == ["TEN"]
    assert main(["due", "--as-of", "2026-11-20", "--within", "7d", "--format", "json"]) == 0
    assert json_of(capsys)["directives"] == []  # asked for: as asked
    assert main(["digest", "--unit", "property", "--as-of", "2026-11-20"]) == 0
    assert capsys.readouterr().out.startswith(
        "Safety digest for Property Management Company: 0 overdue, 1 due within 14 days (2026-11-20)")


def json_of(capsys):
    return json.loads(capsys.readouterr().out)
