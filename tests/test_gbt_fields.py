"""GB/T 9704 official-document fields in the front matter: 主送, 抄送, 签发人, 紧急程度, 联系人, 列席,
joint issuers, a meeting's end and the 印发 date, as `bulletins check` and the build read them."""

import datetime as dt

import pytest

from safety_bulletins.model import Contact
from test_validate import load_project, one_problem

HEAD = "---\ntitle: 关于开展冬季隐患排查治理的通知\ndate: 2026-12-01\ntype: notice\n"


def bulletin_of(bulletins_dir, front: str):
    project = load_project(bulletins_dir({"2026/2026-12-01-notice.md": HEAD + front + "---\n正文。\n"}))
    assert [p for p in project.problems] == []
    (b,) = project.bulletins
    return b


def problem_of(bulletins_dir, front: str):
    return one_problem(bulletins_dir, HEAD + front + "---\n正文。\n")


def test_every_field_is_read(bulletins_dir):
    b = bulletin_of(bulletins_dir, (
        "issuer: [安全环保部, energy]\n"
        "recipients: 各二级单位、物业公司\n"
        "cc: [safety-env, 集团公司领导]\n"
        "signed_by: 王建国\n"
        "urgency: 加急\n"
        "contact: 林晓 0351-6012345\n"
        "observers: [张敏, 李强]\n"
        "printed: 2026-12-02\n"
        "printed_by: 集团办公室\n"
        "meeting:\n  start: 2026-12-10 09:00\n  end: 2026-12-10 11:30\n"))
    # the second issuer is kept (it was dropped); the first is the lead issuer, who accepts the work
    assert b.issuers == ("safety-env", "energy") and b.issuer == "safety-env"
    # units named by id, name or alias become ids; what no units.yml lists stays as written
    assert b.recipients == ("各二级单位", "property") and b.cc == ("safety-env", "集团公司领导")
    assert b.signed_by == ("王建国",) and b.urgency == "urgent" and b.observers == ("张敏", "李强")
    assert b.contact == Contact(text="林晓 0351-6012345") and b.printed == dt.date(2026, 12, 2)
    assert b.meeting.end == dt.datetime(2026, 12, 10, 11, 30) and b.printed_by == "集团办公室"
    assert bulletin_of(bulletins_dir, "printed: 2026-12-02\nprinted_by: 物业公司\n").printed_by == "property"


@pytest.mark.parametrize("written, code", [("特急", "extra-urgent"), ("extra-urgent", "extra-urgent"),
                                           ("加急", "urgent"), ("Urgent", "urgent")])
def test_urgency_in_either_language(bulletins_dir, written, code):
    assert bulletin_of(bulletins_dir, f"urgency: {written}\n").urgency == code


def test_other_forms(bulletins_dir):
    b = bulletin_of(bulletins_dir, "signed_by: [王建国, 刘洋]\ncontact: {name: 林晓, phone: 0351-6012345}\n"
                                   "recipients: [all]\nmeeting:\n  start: 2026-12-10 14:30\n  end: '17:00'\n")
    assert b.signed_by == ("王建国", "刘洋") and b.contact == Contact(name="林晓", phone="0351-6012345")
    assert b.recipients == ("all",) and b.meeting.end == dt.datetime(2026, 12, 10, 17)
    untimed = bulletin_of(bulletins_dir, "meeting:\n  start: 2026-12-10\n  end: 2026-12-11\n")
    assert untimed.meeting.end == dt.datetime(2026, 12, 11)
    assert bulletin_of(bulletins_dir, "printed: 2026-12-01\n").printed == dt.date(2026, 12, 1)  # the same day


@pytest.mark.parametrize("front, line, message, hint", [
    ("urgency: 急件\n", 5, "'urgency' is '急件', which is not allowed",
     "Use one of: 特急 (extra-urgent), 加急 (urgent); leave the field out for an ordinary document (平件)."),
    ("urgency: urgnet\n", 5, "'urgency' is 'urgnet', which is not allowed", "Did you mean 'urgent'? "),
    ("contact: {name: 林晓, tel: 0351-6012345}\n", 5, "unknown field 'tel' in the contact", "Allowed fields: name, phone."),
    ("contact: {phone: 0351-6012345}\n", 5, "'name' is missing", "name:"),
    ("contact: |\n  林晓\n  0351-6012345\n", 5, "'contact' must be one line", "contact: 林晓 0351-6012345"),
    ("contact: [林晓, 0351-6012345]\n", 5, "'contact' must be a name and a phone, not", "{name: 林晓"),
    ("cc: {a: 1}\n", 5, "'cc' must be names of units or bodies, not", "cc: 各二级单位、集团公司各部门"),
    ("printed: 2026-11-30\n", 5, "'printed' 2026-11-30 is before the bulletin's date 2026-12-01", "印发"),
    ("printed: 2026-12-32\n", 5, "'printed': '2026-12-32' is not a real date", ""),
    ("signed_by: {name: 王建国}\n", 5, "'signed_by' must be a list of names", ""),
    ("meeting:\n  start: 2026-12-10 09:00\n  end: 2026-12-10 08:30\n", 7,
     "the meeting ends (2026-12-10 08:30) before it starts (2026-12-10 09:00)", "after 'start'"),
    ("meeting:\n  start: 2026-12-10 09:00\n  end: '09:00'\n", 7,
     "the meeting ends (2026-12-10 09:00) before it starts (2026-12-10 09:00)", ""),
    ("meeting:\n  start: 2026-12-10\n  end: 2026-12-09\n", 7, "the meeting ends (2026-12-09) before it starts", ""),
    ("meeting:\n  start: 2026-12-10 09:00\n  end: 2026-12-11\n", 7,
     "the meeting's end '2026-12-11' and start are not written alike", "e.g. '2026-12-10 11:30'"),
    ("meeting:\n  start: 2026-12-10\n  end: '17:00'\n", 7,
     "the meeting's end '17:00' and start are not written alike", "a day alone"),
    ("meeting:\n  start: 2026-12-10 09:00\n  end: 2026-12-10 25:00\n", 7, "impossible time", ""),
    ("recipients: ''\n", 5, "'recipients' is empty", "Fill it in"),
    ("printed_by: 集团办公室\n", 5, "'printed_by' without 'printed'", "add 'printed: YYYY-MM-DD'"),
])
def test_bad_values_are_errors_at_their_line(bulletins_dir, front, line, message, hint):
    found_line, found, found_hint = problem_of(bulletins_dir, front)
    assert (found_line, message in found, hint in found_hint) == (line, True, True), (found_line, found, found_hint)


def test_two_issuers_written_as_one_are_told_to_write_a_list(bulletins_dir):
    line, message, hint = problem_of(bulletins_dir, "issuer: 物业公司，安全环保部\n")
    assert line == 5 and "several units written as one" in message
    assert hint == "Write them as a list, with '[', ']' and ', ' (半角): 'issuer: [物业公司, 安全环保部]'."
