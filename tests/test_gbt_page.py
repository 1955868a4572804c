"""A real `mkdocs build` of a notice with GB/T 9704's fields: the page places them in the
standard's order, and the calendar's meeting ends when `meeting: end:` says."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import feedparser
from icalendar import Calendar

from helpers import build, URLS

NOTICE = """\
---
title: 关于开展冬季隐患排查治理的通知
date: 2026-12-01
type: notice
issuer: [安全环保部, energy]
number: 安委〔2026〕12号
recipients: 各二级单位、物业公司
cc: [集团公司领导, safety-env]
signed_by: [王建国, 刘洋]
urgency: 加急
contact: {name: 林晓, phone: 0351-6012345}
printed: 2026-12-02
observers: [张敏]
meeting:
  start: 2026-12-10 09:00
  end: "11:30"
  place: 三楼会议室
---
请各单位认真组织隐患排查。
"""

ENGLISH = """\
---
title: Winter hidden-danger inspection
date: 2026-12-01
type: notice
issuer: [safety-env, energy]
number: SE-2026-12
recipients: [all, property]
cc: Group leadership
signed_by: Wang Jianguo
urgency: extra-urgent
contact: Lin Xiao 0351-6012345
printed: 2026-12-03
printed_by: property
meeting:
  start: 2026-12-11
  end: 2026-12-12
---
Inspect every site.
"""

# GB/T 9704's parts, by the class the page gives each, in the order they must come
PARTS = ("sb-urgency", "sb-issuer", "sb-number", "sb-signed-by", "h1", "sb-recipients", "body",
         "sb-signoff", "sb-note", "sb-cc", "sb-printed")


class Parts(HTMLParser):
    """The text of each part of a bulletin's page, in document order."""

    def __init__(self, body: str):
        super().__init__()
        self.body, self.found, self.open = body, [], []  # open: (tag, part or None)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "hr", "meta", "link", "input"):
            return
        classes = (dict(attrs).get("class") or "").split()
        part = "h1" if tag == "h1" else next((c for c in classes if c in PARTS), None)
        if part:
            self.found.append([part, ""])
        self.open.append((tag, part))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, part in reversed(self.open):
            if part:
                entry = next(e for e in reversed(self.found) if e[0] == part)
                entry[1] += data
                break
        if self.body in data:
            self.found.append(["body", data.strip()])


def parts_of(html: str, body: str) -> list[tuple[str, str]]:
    parser = Parts(body)
    parser.feed(html)
    return [(part, " ".join(text.split())) for part, text in parser.found]


def events(path) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}


def test_the_page_places_the_fields_as_gbt_9704_does_and_the_calendar_ends_the_meeting(site_project):
    site = build(site_project({"2026/2026-12-01-notice.md": NOTICE, "2026/2026-12-01-english.md": ENGLISH}),
                 as_of="2026-12-05")  # the record as of a day after both (a later bulletin is not yet shown)
    html = (site / "bulletins/2026/2026-12-01-notice/index.html").read_text(encoding="utf-8")
    found = parts_of(html, "请各单位认真组织隐患排查")
    assert [part for part, _ in found if part in PARTS] == [
        "sb-urgency", "sb-issuer", "sb-issuer", "sb-number", "sb-signed-by", "h1", "sb-recipients", "body",
        "sb-signoff", "sb-note", "sb-cc", "sb-printed"]
    text = dict(reversed(found))  # the first of each
    assert text["sb-urgency"] == "加急"
    assert [t for p, t in found if p == "sb-issuer"] == ["安全环保部", "能源公司"]  # joint issuers, the lead first
    assert text["sb-number"] == "安委〔2026〕12号" and text["sb-signed-by"] == "签发人：王建国、刘洋"
    assert text["sb-recipients"] == "各二级单位、物业公司："  # flush left, ending in a colon
    assert text["sb-signoff"] == "安全环保部 能源公司 2026年12月1日"
    assert text["sb-note"] == "（联系人：林晓，电话：0351-6012345）"
    assert text["sb-cc"] == "抄送：集团公司领导、安全环保部。"
    assert text["sb-printed"] == "安全环保部 2026年12月2日印发"
    assert "<dt>列席人员</dt><dd>张敏</dd>" in html
    assert '<time datetime="2026-12-10T09:00:00">2026年12月10日 09:00</time>–<time datetime="2026-12-10T11:30:00">11:30</time>' in html

    english = (site / "bulletins/2026/2026-12-01-english/index.html").read_text(encoding="utf-8")
    text = dict(reversed(parts_of(english, "Inspect every site")))
    assert (text["sb-urgency"], text["sb-signed-by"], text["sb-recipients"]) == (
        "Extra urgent", "Signed by: Wang Jianguo", "To: All units, Property Management Company")
    assert (text["sb-note"], text["sb-cc"]) == ("(Contact: Lin Xiao 0351-6012345)", "Copy to: Group leadership")
    assert text["sb-printed"] == "Property Management Company Printed on 3 December 2026"  # printed_by
    assert '–<time datetime="2026-12-12T00:00:00">2026-12-12</time>' in english  # a meeting of two days

    home = (site / "index.html").read_text(encoding="utf-8")  # the upcoming meeting, with its end
    assert ('<time datetime="2026-12-10T09:00:00">2026-12-10 09:00</time>–<time datetime="2026-12-10T11:30:00">11:30</time>, '
            "三楼会议室") in home
    assert '2026-12-11 00:00</time>–<time datetime="2026-12-12T00:00:00">2026-12-12</time>: ' in home  # two days

    # a joint document's feed entry names every issuer, the lead first
    entry = next(e for e in feedparser.parse((site / "feeds/all.xml").read_bytes()).entries
                 if e.title == "关于开展冬季隐患排查治理的通知")
    assert [a.name for a in entry.authors] == ["Safety and Environmental Protection Department", "Energy Company"]

    every = events(site / "calendar/all.ics")
    timed = every["2026/2026-12-01-notice-meeting@safety-bulletins"]
    zone = ZoneInfo("Asia/Shanghai")
    assert (timed.decoded("DTSTART"), timed.decoded("DTEND")) == (
        dt.datetime(2026, 12, 10, 9, tzinfo=zone), dt.datetime(2026, 12, 10, 11, 30, tzinfo=zone))
    days = every["2026/2026-12-01-english-meeting@safety-bulletins"]  # two whole days: DTEND is the day after
    assert (days.decoded("DTSTART"), days.decoded("DTEND")) == (dt.date(2026, 12, 11), dt.date(2026, 12, 13))


def test_markup_in_a_contact_is_text_and_the_phone_stays_whole(bulletins_dir):
    import datetime as dt
    from safety_bulletins.site_build.sitebuild import SiteBuild

    notice = NOTICE.replace("{name: 林晓, phone: 0351-6012345}", '{name: "<b>林晓</b>", phone: "<i>0351</i>"}')
    build = SiteBuild.load(bulletins_dir({"2026/2026-12-01-notice.md": notice}), dt.date(2026, 12, 5), urls=URLS)
    html = build.renderer.bulletin_footer(build.catalog.bulletins[0])
    assert ('<p class="sb-note" data-search-exclude>（联系人：&lt;b&gt;林晓&lt;/b&gt;，电话：'
            '<span class="sb-phone">&lt;i&gt;0351&lt;/i&gt;</span>）</p>') in html
