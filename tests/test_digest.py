"""`bulletins digest`: a unit's overdue, due-soon and news, as text, HTML and a MIME message read
back with Python's email package."""

import datetime as dt
import email
import re
import email.policy
import email.utils

import pytest

from helpers import SITE_YML

from safety_bulletins.commands.cli import main

MEETING = """\
---
title: Meeting on <b>gas</b> safety
date: 2021-05-25
type: minutes
issuer: safety-env
---
/// directive | Repair the <b>alarm</b> & gauge
    id: D-1
    units: [energy]
    deadline: 2021-06-03

Repair it.
///

/// directive | Check the pumps
    id: D-2
    units: [filling-stations]
    deadline: 2021-06-08

Check them.
///

/// directive | Clear the exits
    id: D-3
    units: [property]
    support: [energy]
    deadline: 2021-06-07

Clear them.
///

/// directive | Train the staff
    id: D-4
    units: [energy]
    deadline: 2021-12-31

Train them.
///
"""

FOLLOW_UP = """\
---
title: Re-inspection
date: 2021-06-04
type: inspection
---
/// follow-up | Training started
    directive: D-4
    status: in-progress

Started.
///
"""

DRAFT = """\
---
title: Draft
date: 2021-06-04
type: notice
draft: true
---
/// directive | DRAFT-SECRET
    id: D-9
    units: [energy]
    deadline: 2021-06-06

Not yet.
///
"""


@pytest.fixture
def project(site_project, monkeypatch):
    def make(yml: str = SITE_YML):
        root = site_project({"2021/2021-05-25-meeting.md": MEETING, "2021/2021-06-04-re-inspection.md": FOLLOW_UP,
                             "2021/2021-06-04-draft.md": DRAFT})
        (root / "mkdocs.yml").write_text(yml, encoding="utf-8")
        monkeypatch.chdir(root)
        return root
    return make


def run(capsysbinary, *args) -> tuple[int, bytes, str]:
    code = main(["digest", "--as-of", "2021-06-05", *args])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


def test_text_lists_overdue_due_soon_and_news_of_the_unit(project, capsysbinary):
    project()
    code, out, _ = run(capsysbinary, "--unit", "能源公司")
    text = out.decode()
    assert code == 0
    # the subject counts the unit's own work: what it only supports is listed apart (issue 21)
    assert text.startswith("Safety digest for Energy Company: 1 overdue, 0 due within 7 days (2021-06-05)\n")
    overdue, due, news = text.split("\n\nOverdue")[1], text.split("\n\nSupporting other units")[1], text.split("since")[1]
    assert "2021-06-03  2 days overdue  D-1: Repair the <b>alarm</b> & gauge\n" \
           "      http://intranet.test/safety/bulletins/2021/2021-05-25-meeting/#D-1\n" in overdue
    # it only supports D-3: said so; D-2 is its sub-unit's, D-4 not due yet
    assert "  2021-06-07  due in 2 days  D-3: Clear the exits [Supporting unit]\n" in due
    assert "D-2" not in text
    assert news.startswith(" 2021-06-04 (1)\n  2021-06-04  D-4: Train the staff\n      status Open → In progress\n"
                           "      http://intranet.test/safety/bulletins/2021/2021-06-04-re-inspection/#sb-fu-D-4\n")
    assert "DRAFT" not in text and "D-9" not in text


def test_sub_units_and_an_earlier_since(project, capsysbinary):
    project()
    code, out, _ = run(capsysbinary, "--unit", "energy", "--with-subunits", "--since", "2021-05-01")
    text = out.decode()
    assert code == 0 and "With its sub-units: Filling Stations." in text
    assert "D-2: Check the pumps\n      For: Filling Stations\n" in text
    news = text.split("since 2021-05-01")[1]
    assert [line.split()[1] for line in news.splitlines() if line.startswith("  2021")] == \
           ["D-1:", "D-2:", "D-3:", "D-4:", "D-4:"]  # four issued, one follow-up; never the draft


def test_unknown_unit_bad_since_and_no_site_url(project, capsysbinary):
    project()
    code, _, err = run(capsysbinary, "--unit", "energie")
    assert code == 2 and "unknown unit 'energie'. Did you mean 'energy' (Energy Company)?" in err
    code, _, err = run(capsysbinary, "--unit", "energy", "--since", "2021-07-01")
    assert code == 2 and "--since 2021-07-01 is after the as-of date 2021-06-05" in err
    code, _, err = run(capsysbinary, "--unit", "energy", "--format", "eml", "--to", "a@b.test\nBcc: x@evil.test")
    assert code == 2 and "--from/--to" in err
    project(SITE_YML.replace("site_url: http://intranet.test/safety/\n", ""))
    code, _, err = run(capsysbinary, "--unit", "energy", "--format", "html")
    assert code == 2 and "has no site_url" in err and "site_url: https://" in err
    code, out, _ = run(capsysbinary, "--unit", "energy")  # text: paths below the site's root
    assert code == 0 and b"\n      bulletins/2021/2021-05-25-meeting/#D-1\n" in out and b"set site_url" in out


def test_html_escapes_the_editors_markup(project, capsysbinary):
    project()
    code, out, _ = run(capsysbinary, "--unit", "energy", "--format", "html")
    html = out.decode()
    assert code == 0 and "<b>" not in html
    assert '<a href="http://intranet.test/safety/bulletins/2021/2021-05-25-meeting/#D-1">Repair the ' \
           "&lt;b&gt;alarm&lt;/b&gt; &amp; gauge</a>" in html


def test_eml_is_a_mime_message_with_both_parts_and_a_chinese_subject(project, capsysbinary, tmp_path):
    project(SITE_YML.replace("  font: false\n", "  font: false\n  language: zh\n"))
    args = ("--unit", "energy", "--format", "eml", "--from", "安全环保部 <safety@intranet.test>",
            "--to", "Energy <energy@intranet.test>", "--to", "boss@intranet.test", "-o", str(tmp_path / "d.eml"))
    assert run(capsysbinary, *args)[0] == 0
    data = (tmp_path / "d.eml").read_bytes()
    assert data.isascii()  # every header encoded, the bodies in base64 or quoted-printable
    assert b"=?utf-8?" in data.split(b"\n\n")[0]  # RFC 2047
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"] == "安全生产日报（能源公司）：逾期 1 项，7日内到期 0 项（2021-06-05）"  # the name the site shows
    assert msg["From"].addresses[0].display_name == "安全环保部"
    assert [a.addr_spec for a in msg["To"].addresses] == ["energy@intranet.test", "boss@intranet.test"]
    # dated when it was made (the send time), not the as-of date at 00:00 UTC
    made = email.utils.parsedate_to_datetime(msg["Date"])
    assert made.tzinfo is not None and abs((dt.datetime.now(dt.timezone.utc) - made).total_seconds()) < 120
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    link = "http://intranet.test/safety/bulletins/2021/2021-05-25-meeting/#D-1"
    assert "逾期 2 天  D-1: Repair the <b>alarm</b> & gauge" in text and link in text
    assert f'<a href="{link}">Repair the &lt;b&gt;alarm&lt;/b&gt; &amp; gauge</a>' in html and "<b>" not in html
    assert "2021-06-04 以来下达或变更的事项" in text and "DRAFT" not in text + html
    # the same digest, the same bytes but the Date (no random Message-ID or boundary)
    assert run(capsysbinary, *args)[0] == 0
    undated = [re.sub(rb"^Date: .*$", b"", d, count=1, flags=re.M) for d in (data, (tmp_path / "d.eml").read_bytes())]
    assert undated[0] == undated[1]


def test_eml_defaults_and_stdout(project, capsysbinary):
    project()
    code, out, _ = run(capsysbinary, "--unit", "energy", "--format", "eml")
    msg = email.message_from_bytes(out, policy=email.policy.default)
    assert code == 0 and msg["From"].addresses[0].addr_spec == "safety-bulletins@intranet.test"
    assert str(msg["To"]) == "undisclosed-recipients:;" and msg["Message-ID"].endswith("@intranet.test>")


def test_links_under_site_url_are_percent_encoded():
    from safety_bulletins.commands.digest import _link
    assert _link("http://x.test/s/", "bulletins/2026/2026-10-15-冬季/", "安全-1") == \
        "http://x.test/s/bulletins/2026/2026-10-15-%E5%86%AC%E5%AD%A3/#%E5%AE%89%E5%85%A8-1"
    assert _link("", "bulletins/2026/2026-10-15-冬季/", "安全-1") == "bulletins/2026/2026-10-15-冬季/#安全-1"


def test_a_change_dated_earlier_reaches_the_mail_of_the_day_its_bulletin_reports_it(site_project, monkeypatch,
                                                                                    capsysbinary):
    """The minutes of 06-05 record that the training started on 05-30: readers learn of it on 06-05,
    so the digest of 06-05 (since 06-04) lists it; dated by the follow-up alone it never reached a mail."""
    backdated = FOLLOW_UP.replace("date: 2021-06-04", "date: 2021-06-05").replace(
        "    status: in-progress\n", "    status: in-progress\n    date: 2021-05-30\n")
    root = site_project({"2021/2021-05-25-meeting.md": MEETING, "2021/2021-06-05-minutes.md": backdated})
    (root / "mkdocs.yml").write_text(SITE_YML, encoding="utf-8")
    monkeypatch.chdir(root)
    code, out, _ = run(capsysbinary, "--unit", "energy")
    news = out.decode().split("since")[1]
    assert code == 0 and "D-4: Train the staff\n      status Open → In progress\n" in news, news
    # and the day after, it is old news
    code = main(["digest", "--as-of", "2021-06-07", "--unit", "energy"])
    assert code == 0 and "Train the staff" not in capsysbinary.readouterr()[0].decode().split("since")[1]
