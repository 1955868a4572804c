"""The calendars (calendar/*.ics): parsed back with icalendar, imported into calcurse, built twice."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from helpers import AS_OF, MEETING_MD, UNITS_YML, build, mkdocs, write_tree, URLS
from safety_bulletins.outputs.calendars import plain
from safety_bulletins.mkdocs_adapter import bulletin_settings, read_settings
from safety_bulletins.site_build.settings import SettingsError
from safety_bulletins.site_build.sitebuild import SiteBuild

HOSTILE = r"<script>alert(1)</script>, a; b \ C:\Nanjing\new 中文"
LONG = "完成加油站油气回收装置改造并组织第三方检测验收，整改报告报安全环保部备案" * 2

MINUTES = f"""\
---
title: Monthly safety meeting
date: 2026-11-01
type: minutes
issuer: safety-env
---
/// directive | Extend me
    id: A-1
    units: [energy]
    deadline: 2026-12-01

Text.
///

/// directive | {LONG}
    id: A-2
    units: [filling-stations]
    deadline: 2026-12-05

Text.
///

/// directive | Close me
    id: A-3
    units: [property]
    deadline: 2026-12-06

Text.
///

/// directive | {HOSTILE}
    id: A-4
    units: [property]
    deadline: 2026-12-07

Text.
///

/// directive | Waiting for acceptance
    id: A-5
    units: [energy]
    deadline: 2026-12-08

Text.
///

/// directive | Keep doing this
    id: A-6
    units: [all]
    deadline: ongoing

Text.
///

/// directive | Never mind
    id: A-7
    units: [property]
    deadline: 2026-12-09
    status: cancelled

Text.
///

/// directive | For everyone
    id: A-8
    units: [all]
    deadline: 2026-12-10

Text.
///
"""

FOLLOW_UPS = """\
---
title: Progress report
date: 2026-11-20
type: bulletin
issuer: safety-env
---
/// follow-up | Extended
    directive: A-1
    deadline: 2026-12-20
    reason: Parts are late

More time.
///

/// follow-up | Done
    directive: A-3
    status: done

Closed.
///

/// follow-up | Done, to be accepted
    directive: A-5
    status: awaiting-acceptance

Waiting.
///
"""

NOTICE = """\
---
title: Notice of the winter meeting
date: 2026-11-21
type: notice
issuer: safety-env
meeting:
  start: "2026-12-08 09:30"
  place: "Room 3, Building A; floor 2 \\\\ east <b>"
  attendees: [Zhang Hui, 各单位分管安全负责人]
---
Come.
"""

SOURCES = {
    "units.yml": UNITS_YML,
    "2026/2026-11-01-minutes.md": MINUTES,
    "2026/2026-11-20-progress.md": FOLLOW_UPS,
    "2026/2026-11-21-notice.md": NOTICE,
}


def make_build(tmp_path: Path, site_url: str | None = "http://intranet.test/safety/", **kwargs) -> SiteBuild:
    folder = write_tree(tmp_path / "bulletins", SOURCES)
    build = SiteBuild.load(folder, dt.date.fromisoformat(AS_OF), site_url=site_url, **kwargs, urls=URLS)
    assert not build.project.errors, build.project.errors
    return build


def parsed(build: SiteBuild) -> dict[str, Calendar]:
    return {src: Calendar.from_ical(text) for src, text in build.calendars.files.items()}


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_every_file_parses_back_and_lists_the_open_directives_on_their_deadlines_in_force(tmp_path):
    calendars = parsed(make_build(tmp_path))
    assert sorted(calendars) == ["calendar/all.ics", "calendar/energy.ics", "calendar/filling-stations.ics",
                                 "calendar/property.ics", "calendar/safety-env.ics"]
    every = events(calendars["calendar/all.ics"])
    host = "safety-bulletins"  # not the site's host: the ids outlive a move
    # closed (A-3 done, A-7 cancelled) and ongoing ones drop out
    assert sorted(every) == sorted([f"{i}@{host}" for i in ("A-1", "A-2", "A-4", "A-5", "A-8")]
                                   + [f"2026/2026-11-21-notice-meeting@{host}"])
    extended = every[f"A-1@{host}"]
    assert extended.decoded("DTSTART") == dt.date(2026, 12, 20)  # the follow-up's deadline, not 12-01
    assert extended.decoded("DTEND") == dt.date(2026, 12, 21)
    assert extended["DTSTART"].params["VALUE"] == "DATE"
    assert extended["SEQUENCE"] == 1  # one change of the deadline: clients take the update
    assert "extended from 2026-12-01" in extended["DESCRIPTION"]
    assert extended["URL"] == "http://intranet.test/safety/bulletins/2026/2026-11-01-minutes/#A-1"
    assert extended["DTSTAMP"].dt == dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc)  # the as-of date
    assert extended["TRANSP"] == "TRANSPARENT"
    assert extended.categories == ["Energy Company"]
    waiting = every[f"A-5@{host}"]
    assert "Awaiting acceptance" in waiting["SUMMARY"] and "Awaiting acceptance" in waiting["DESCRIPTION"]
    assert str(every[f"A-2@{host}"]["SUMMARY"]) == LONG


def test_a_unit_has_its_own_its_sub_units_and_all_units_directives_and_every_meeting(tmp_path):
    calendars = parsed(make_build(tmp_path))
    uids = {src: {uid.split("@")[0] for uid in events(c)} for src, c in calendars.items()}
    meeting = "2026/2026-11-21-notice-meeting"
    assert uids["calendar/energy.ics"] == {"A-1", "A-2", "A-5", "A-8", meeting}  # filling-stations
    assert uids["calendar/filling-stations.ics"] == {"A-2", "A-8", meeting}
    assert uids["calendar/property.ics"] == {"A-4", "A-8", meeting}
    assert uids["calendar/safety-env.ics"] == {"A-8", meeting}


def test_meetings_are_timed_in_the_sites_time_zone_with_its_vtimezone(tmp_path):
    for zone in ("Asia/Shanghai", "Europe/Berlin"):
        calendar = parsed(make_build(tmp_path / zone, time_zone=zone))["calendar/property.ics"]
        meeting = events(calendar)["2026/2026-11-21-notice-meeting@safety-bulletins"]
        assert meeting["DTSTART"].params["TZID"] == zone
        assert meeting.decoded("DTSTART") == dt.datetime(2026, 12, 8, 9, 30, tzinfo=ZoneInfo(zone))
        assert meeting.decoded("DTEND") - meeting.decoded("DTSTART") == dt.timedelta(hours=1)
        assert [tz.tz_name for tz in calendar.timezones] == [zone]
        assert calendar.get_missing_tzids() == set()
        # the VTIMEZONE alone gives the right instant: 09:30 in the zone
        assert meeting.decoded("DTSTART").astimezone(dt.timezone.utc) == \
            dt.datetime(2026, 12, 8, 9, 30, tzinfo=ZoneInfo(zone)).astimezone(dt.timezone.utc)
        assert meeting["LOCATION"] == plain("Room 3, Building A; floor 2 \\ east <b>")
        assert "各单位分管安全负责人" in meeting["DESCRIPTION"]


def test_editors_text_is_escaped_and_never_markup(tmp_path):
    build = make_build(tmp_path)
    text = build.calendars.files["calendar/property.ics"]
    hostile = events(Calendar.from_ical(text))["A-4@safety-bulletins"]
    # commas, semicolons and backslashes round-trip; angle brackets become full-width; C:\Nanjing
    # and \new keep their backslash (icalendar would read \N and \\n as line breaks)
    assert str(hostile["SUMMARY"]) == "＜script＞alert(1)＜/script＞, a; b \\ C:\\\u2060Nanjing\\\u2060new 中文"
    assert "<" not in text and ">" not in text
    assert r"SUMMARY:＜script＞alert(1)＜/script＞\, a\; b \\ C:\\" in text
    assert "\n" not in str(hostile["SUMMARY"])
    assert plain("a\x00b\x1bc\td") == "abc\td"  # control characters are not TEXT
    assert "\\n" in text  # the description's lines, escaped


def test_lines_are_folded_at_75_octets_without_splitting_a_character(tmp_path):
    for text in make_build(tmp_path).calendars.files.values():
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        lines = text.split("\r\n")[:-1]
        assert all(len(line.encode("utf-8")) <= 75 for line in lines)
        # each physical line is whole UTF-8 by itself: no character was cut in two
        for line in lines:
            line.encode("utf-8").decode("utf-8")
    folded = make_build(tmp_path / "again").calendars.files["calendar/filling-stations.ics"]
    assert "\r\n " in folded  # the long Chinese title was folded
    assert LONG in Calendar.from_ical(folded).walk("VEVENT")[0]["SUMMARY"]


def test_without_site_url_no_url_but_the_path_and_a_fallback_host(tmp_path):
    build = make_build(tmp_path, site_url=None)
    event = events(parsed(build)["calendar/all.ics"])["A-1@safety-bulletins"]
    assert "URL" not in event
    assert "On the site: bulletins/2026/2026-11-01-minutes/#A-1" in event["DESCRIPTION"]
    assert build.calendars.subscribe_url("calendar/all.ics") is None


def test_without_site_url_the_path_is_readable_text_as_in_the_digest(tmp_path):
    """A file name with a space and Chinese letters: the description says the path as people read it
    (the digest's words: sources/paths.readable_url), not its percent-encoded URL."""
    sources = {"units.yml": UNITS_YML, "2026/2026-11-01 冬季 检查.md": MINUTES, "2026/2026-11-21 冬季会议.md": NOTICE}
    build = SiteBuild.load(write_tree(tmp_path / "bulletins", sources), dt.date.fromisoformat(AS_OF), urls=URLS)
    assert not build.project.errors, build.project.errors
    found = events(parsed(build)["calendar/all.ics"])
    assert "On the site: bulletins/2026/2026-11-01 冬季 检查/#A-1" in found["A-1@safety-bulletins"]["DESCRIPTION"]
    meeting = found["2026/2026-11-21 冬季会议-meeting@safety-bulletins"]["DESCRIPTION"]
    assert "On the site: bulletins/2026/2026-11-21 冬季会议/" in meeting and "%" not in meeting


def test_uids_are_unique_and_stable_and_the_bytes_identical(tmp_path):
    first, second = make_build(tmp_path / "one"), make_build(tmp_path / "two")
    assert first.calendars.files == second.calendars.files
    for calendar in parsed(first).values():
        uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
        assert len(uids) == len(set(uids))


def test_the_calendars_are_files_of_the_build(tmp_path):
    build = make_build(tmp_path)
    sources = {f.src_uri: f for f in build.source_files()}
    assert sources["calendar/all.ics"].content == build.calendars.files["calendar/all.ics"]
    assert build.calendars.subscribe_url("calendar/energy.ics") == "webcal://intranet.test/safety/calendar/energy.ics"


def test_time_zone_setting_is_checked():
    assert bulletin_settings({"bulletins": {"time_zone": "Europe/Berlin"}}).time_zone == "Europe/Berlin"
    assert bulletin_settings({}).time_zone == "Asia/Shanghai"
    for wrong, said in (("Asia/Shangai", "did you mean 'Asia/Shanghai'"), ("../../etc/passwd", "not a time zone"),
                        (8, "must be the name of a time zone"), ("", "not a time zone"), ("x" * 100_000, "not a time zone")):
        with pytest.raises(SettingsError) as error:
            bulletin_settings({"bulletins": {"time_zone": wrong}})
        message = str(error.value)
        assert message.startswith("mkdocs.yml: extra: bulletins: time_zone:") and said in message
        assert "write e.g. 'time_zone: Asia/Shanghai'" in message and len(message) < 400


@pytest.mark.parametrize("written, read", [
    ("HTTP://Intranet.test/safety", "http://Intranet.test/safety/"),
    ("http://intranet.test/safety?a=1", "http://intranet.test/safety/?a=1"),
    ("''", None),
    (None, None),
])
def test_site_url_is_read_as_mkdocs_gives_it_to_the_build(tmp_path, written, read):
    """The links of the digest and of `bulletins verify` are the build's: from the same value."""
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: S\n" + (f"site_url: {written}\n" if written else ""), encoding="utf-8")
    assert read_settings(config).site_url == read


def test_a_site_url_mkdocs_refuses_is_an_error_naming_mkdocs_yml(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_url: [1, 2]\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"mkdocs.yml: site_url: .*string"):
        read_settings(config)


def project(tmp_path: Path) -> Path:
    from helpers import SITE_YML
    return write_tree(tmp_path / "project", {
        "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n\nWelcome.\n",
        **{f"bulletins/{name}": text for name, text in SOURCES.items()},
    })


def test_a_real_build_writes_them_byte_identical_and_links_them(tmp_path):
    site = build(project(tmp_path))
    again = build(project(tmp_path / "again"))
    files = sorted(p.relative_to(site).as_posix() for p in (site / "calendar").iterdir())
    assert files == ["calendar/all.ics", "calendar/energy.ics", "calendar/filling-stations.ics",
                     "calendar/property.ics", "calendar/safety-env.ics"]
    for name in files:
        assert (site / name).read_bytes() == (again / name).read_bytes()
        Calendar.from_ical((site / name).read_bytes())
    unit = (site / "units/energy/index.html").read_text(encoding="utf-8")
    assert 'href="webcal://intranet.test/safety/calendar/energy.ics"' in unit
    assert 'href="../../calendar/energy.ics" download' in unit
    assert 'href="../calendar/all.ics"' in (site / "directives/index.html").read_text(encoding="utf-8")
    assert 'href="calendar/all.ics"' in (site / "index.html").read_text(encoding="utf-8")


def test_without_site_url_the_subscribe_link_is_hidden_and_offline_links_work(tmp_path):
    folder = project(tmp_path)
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_url: http://intranet.test/safety/\n", "")
                      + "use_directory_urls: false\n")
    site = build(folder)
    unit = (site / "units/energy.html").read_text(encoding="utf-8")
    assert "webcal:" not in unit and 'href="../calendar/energy.ics" download' in unit
    assert (site / "calendar/energy.ics").is_file()


def test_a_wrong_time_zone_fails_the_build_naming_mkdocs_yml(tmp_path):
    folder = project(tmp_path)
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text() + "extra:\n  bulletins:\n    time_zone: Asia/Shangai\n")
    result = mkdocs(folder, "build")
    assert result.returncode == 1
    line = config.read_text().splitlines().index("    time_zone: Asia/Shangai") + 1  # at its line
    assert f"mkdocs.yml:{line}: error: extra: bulletins: time_zone: 'Asia/Shangai' is not a time zone" in result.stderr
    assert "Traceback" not in result.stderr


CALCURSE = shutil.which("calcurse")


@pytest.mark.skipif(CALCURSE is None and os.environ.get("CI") != "true",
                    reason="calcurse is not installed (./dev test installs it; CI must have it)")
def test_calcurse_imports_a_unit_calendar_and_shows_its_events(tmp_path):
    assert CALCURSE, "calcurse is missing: CI must install it (./dev test does)"
    ics = tmp_path / "property.ics"
    ics.write_text(make_build(tmp_path).calendars.files["calendar/property.ics"], encoding="utf-8", newline="")

    def calcurse(zone: str, *args: str) -> str:
        """calcurse for a reader in `zone`: it converts the times to local time when it imports."""
        env = {**os.environ, "TZ": zone, "LC_ALL": "C.UTF-8", "HOME": str(tmp_path)}
        data = tmp_path / zone.replace("/", "-")
        data.mkdir(exist_ok=True)
        result = subprocess.run([CALCURSE, "-D", str(data), *args], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    day = ["--input-datefmt", "4", "-Q", "--from", "2026-12-07", "--days", "2",
           "--format-event", " * %m\n", "--format-apt", " - %S-%E %m\n"]
    for zone, meeting in (("Asia/Shanghai", "09:30-10:30"), ("UTC", "01:30-02:30")):
        report = calcurse(zone, "-i", str(ics))
        assert "1 app / 2 events / 0 todos / 0 skipped" in report  # the meeting
        shown = calcurse(zone, *day)
        assert " * ＜script＞alert(1)＜/script＞, a; b \\ C:\\\u2060Nanjing\\\u2060new 中文" in shown
        # the same instant for a reader in UTC: the VTIMEZONE was read
        assert f" - {meeting} Meeting: Notice of the winter meeting" in shown


def test_an_editors_line_break_cannot_end_the_event_or_forge_another(tmp_path):
    place = "Room 3\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged@x\r\nSUMMARY:Evacuate now"
    SOURCES_FORGED = {**SOURCES, "2026/2026-11-21-notice.md": NOTICE.replace(
        'place: "Room 3, Building A; floor 2 \\\\ east <b>"', f"place: {place!r}".replace("'", '"'))}
    folder = write_tree(tmp_path / "bulletins", SOURCES_FORGED)
    build = SiteBuild.load(folder, dt.date.fromisoformat(AS_OF), urls=URLS)
    assert not build.project.errors
    calendar = Calendar.from_ical(build.calendars.files["calendar/safety-env.ics"])
    assert [str(e["UID"]).split("@")[0] for e in calendar.walk("VEVENT")] == ["A-8", "2026/2026-11-21-notice-meeting"]
    assert calendar.walk("VEVENT")[1]["LOCATION"] == place.replace("\r\n", "\n")


def test_verify_accepts_the_subscribe_links_but_not_scripts():
    from safety_bulletins.commands.verify import script_url
    from safety_bulletins.outputs.sanitize import sanitize

    assert script_url("webcal://intranet.test/safety/calendar/energy.ics") is None
    assert script_url("javascript:alert(1)") == "javascript"
    assert "webcal:" not in sanitize('<a href="webcal://evil.test/x.ics">x</a>')  # editors cannot write one


def test_meetings_older_than_a_year_drop_out_and_a_day_without_time_is_all_day(tmp_path):
    old = NOTICE.replace("2026-11-21", "2025-11-01").replace('"2026-12-08 09:30"', '"2025-11-20 14:00"')
    day_only = NOTICE.replace("2026-11-21", "2026-11-22").replace('"2026-12-08 09:30"', "2026-12-15")
    folder = write_tree(tmp_path / "bulletins", {**SOURCES, "2025/2025-11-01-old.md": old,
                                                 "2026/2026-11-22-day.md": day_only})
    build = SiteBuild.load(folder, dt.date.fromisoformat(AS_OF), urls=URLS)
    meetings = {str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(
        build.calendars.files["calendar/all.ics"]).walk("VEVENT") if "meeting" in str(e["UID"])}
    assert sorted(meetings) == ["2026/2026-11-21-notice-meeting", "2026/2026-11-22-day-meeting"]
    day = meetings["2026/2026-11-22-day-meeting"]
    assert (day.decoded("DTSTART"), day.decoded("DTEND")) == (dt.date(2026, 12, 15), dt.date(2026, 12, 16))


def test_folding_keeps_escapes_and_characters_whole():
    from safety_bulletins.outputs.calendars import _fold, _text

    for value in ("中" * 100, "a" * 74 + "\\,b" * 40, "\\" * 300 + "x", "é" * 77, "a" * 75, "a" * 76):
        line = _fold("SUMMARY:" + _text(value))
        physical = line[:-2].split("\r\n")
        assert all(len(p.encode("utf-8")) <= 75 for p in physical)
        assert all(p.startswith(" ") for p in physical[1:])
        unfolded = line[:-2].replace("\r\n ", "")
        assert unfolded == "SUMMARY:" + _text(value)
        assert Calendar.from_ical(f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{line}END:VEVENT\r\nEND:VCALENDAR\r\n"
                                  ).walk("VEVENT")[0]["SUMMARY"] == value
        # no line ends inside an escape (an odd run of backslashes)
        assert all((len(p) - len(p.rstrip("\\"))) % 2 == 0 for p in physical[:-1])


def test_a_meeting_at_the_end_of_the_calendar_gets_a_bounded_vtimezone(tmp_path):
    last = NOTICE.replace('"2026-12-08 09:30"', '"9999-12-31 23:30"')
    folder = write_tree(tmp_path / "bulletins", {**SOURCES, "2026/2026-11-21-notice.md": last})
    build = SiteBuild.load(folder, dt.date.fromisoformat(AS_OF), time_zone="Europe/Berlin", urls=URLS)
    calendar = Calendar.from_ical(build.calendars.files["calendar/all.ics"])
    [zone] = calendar.timezones
    assert zone.tz_name == "Europe/Berlin" and zone.walk("STANDARD")
    meeting = [e for e in calendar.walk("VEVENT") if "meeting" in str(e["UID"])][0]
    assert "DTEND" not in meeting and meeting["DTSTART"].to_ical() == b"99991231T233000"


def test_event_ids_stay_when_the_site_moves_to_another_host(bulletins_dir):
    """A calendar that subscribed on the old address matches events by UID: a new site_url must
    not make every event a new one (duplicates in Outlook)."""
    folder = bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD})

    def uids(site_url):
        build = SiteBuild.load(folder, dt.date.fromisoformat(AS_OF), site_url=site_url, urls=URLS)
        return sorted(events(parsed(build)["calendar/all.ics"]))

    assert uids("https://old.example/safety/") == uids("https://new.example/hse/") == uids(None)
    assert all(uid.endswith("@safety-bulletins") for uid in uids("https://old.example/safety/"))


def test_an_event_says_the_grade_and_the_supervision(bulletins_dir):
    """A major hidden danger under supervision (挂牌督办): the event says both, as the card does, in the
    calendar's language."""
    notice = MEETING_MD.replace("    deadline: 2021-06-30\n", "    deadline: 2027-06-30\n")  # open, grade: major
    follow = """---
title: Supervision
date: 2026-11-01
type: notice
---
/// follow-up | Escalated
    directive: CIG-2021-05-2
    escalate: true
///
"""
    folder = bulletins_dir({"2021/2021-05-25-meeting.md": notice, "2026/2026-11-01-supervision.md": follow})
    for language, grade, supervised in (("en", "Grade: Major hidden danger", "Under supervision (escalated)"),
                                        ("zh", "隐患等级: 重大隐患", "督办事项")):
        build = SiteBuild.load(folder, dt.date.fromisoformat(AS_OF), urls=URLS, language=language)
        event = events(parsed(build)["calendar/all.ics"])["CIG-2021-05-2@safety-bulletins"]
        assert grade in event["DESCRIPTION"] and supervised in event["DESCRIPTION"], event["DESCRIPTION"]
