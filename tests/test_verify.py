"""`bulletins verify SITE`: passes on what the build makes, and catches each kind of tampering."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path
from urllib.parse import unquote

import pytest
from helpers import AS_OF, REPO, build

from hypothesis import example as case, given, strategies as st

from safety_bulletins.commands.verify import _matches, _needles, overlap_for, script_url, verify_site

AS_OF_DATE = dt.date.fromisoformat(AS_OF)
DRAFT = "bulletins/2026/2026-11-27-draft-notice-holiday-safety"  # the example site's draft
MEETING = "bulletins/2021/2021-05-25-special-safety-meeting/index.html"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The repository's own site, built once in a temporary copy; with the draft built too, elsewhere."""
    project = tmp_path_factory.mktemp("example") / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "docs", "bulletins", "hooks"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, project / name)
    site = build(project)
    draft_md = project / f"{DRAFT}.md"
    text = draft_md.read_text(encoding="utf-8")
    assert "draft: true" in text
    draft_md.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    with_draft = build(project, site="site-with-draft")
    draft_md.write_text(text, encoding="utf-8")
    return project, site, with_draft


@pytest.fixture
def tampered(example, tmp_path):
    """A copy of the example site to change; verify's findings on it."""
    project, site, _ = example
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    return copy, lambda: verify_site(project, copy, AS_OF_DATE)


def edit(path: Path, change) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the tampering changed nothing"
    path.write_text(changed, encoding="utf-8")


def card_of(page: str, directive_id: str) -> tuple[int, int]:
    """Where a directive's card (its outer div, nested divs included) is in a page."""
    start = page.rindex('<div class="sb-directive ', 0, page.index(f'id="{directive_id}"'))
    depth = 0
    for tag in re.finditer(r"<div\b|</div>", page[start:]):
        depth += 1 if tag.group(0) == "<div" else -1
        if depth == 0:
            return start, start + tag.end()
    raise AssertionError("unclosed card")


def test_the_example_site_verifies(example):
    project, site, _ = example
    assert verify_site(project, site, AS_OF_DATE) == []


def test_the_command_on_the_example_site(example):
    project, site, _ = example
    result = run("verify", str(site), "--project", str(project))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"OK: {site} holds what the sources say as of {AS_OF}, and nothing else.\n"


def test_a_removed_card(tampered):
    site, findings = tampered
    page = site / MEETING
    edit(page, lambda text: text[:card_of(text, "CIG-2021-05-2")[0]] + text[card_of(text, "CIG-2021-05-2")[1]:])
    assert findings() == [f"{MEETING}: directive 'CIG-2021-05-2' has no card"]


def test_a_second_card(tampered):
    site, findings = tampered
    def duplicate(text):
        start, end = card_of(text, "CIG-2021-05-2")
        return text[:end] + text[start:end] + text[end:]
    edit(site / MEETING, duplicate)
    assert findings() == [f"{MEETING}: directive 'CIG-2021-05-2' has 2 cards"]


def test_a_card_on_another_page(tampered):
    site, findings = tampered
    meeting = (site / MEETING).read_text(encoding="utf-8")
    start, end = card_of(meeting, "CIG-2021-05-2")
    edit(site / "index.html", lambda text: text.replace("</article>", meeting[start:end] + "</article>", 1))
    assert findings() == ["index.html: a card for 'CIG-2021-05-2', which belongs to another page (extra)"]


def test_a_card_with_a_changed_deadline(tampered):
    site, findings = tampered
    edit(site / MEETING, lambda text: text.replace('datetime="2021-06-30"', 'datetime="2027-06-30"', 1))
    assert findings() == [f"{MEETING}: the card of 'CIG-2021-05-2' shows deadline 2027-06-30, the sources say 2021-06-30"]


def test_a_changed_deadline_in_the_export(tampered):
    site, findings = tampered
    edit(site / "directives.json", lambda text: text.replace('"deadline": "2021-06-30"', '"deadline": "2027-06-30"', 1))
    assert findings() == ["directives.json: directive 'CIG-2021-05-2' has deadline 2027-06-30, the sources say 2021-06-30"]


def test_a_missing_and_an_extra_directive_in_the_export(tampered):
    site, findings = tampered
    data = json.loads((site / "directives.json").read_text(encoding="utf-8"))
    gone = data["directives"].pop(0)
    data["directives"].append({**data["directives"][0], "id": "FORGED-1"})
    (site / "directives.json").write_text(json.dumps(data), encoding="utf-8")
    assert findings() == [f"directives.json: directive '{gone['id']}' is missing",
                          "directives.json: directive 'FORGED-1' is not in the sources' catalog (extra)"]


def rewrite_csv(path: Path, change) -> None:
    """Change the rows of directives.csv and write them back as the build's writer does."""
    text = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out).writerows(change(rows))
    assert "\ufeff" + out.getvalue() != text, "the tampering changed nothing"
    path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))


def test_a_changed_deadline_and_a_dropped_row_in_the_spreadsheet(tampered):
    site, findings = tampered
    def change(rows):
        deadline = rows[0].index("deadline")
        for row in rows:
            if row[0] == "CIG-2021-05-2":
                row[deadline] = "2027-06-30"
        return [row for row in rows if row[0] != "CIG-2021-05-1"]
    rewrite_csv(site / "directives.csv", change)
    assert findings() == ["directives.csv: the row of 'CIG-2021-05-1' is missing",
                          "directives.csv: the row of 'CIG-2021-05-2' is not what the sources give"]


def test_a_formula_let_into_the_spreadsheet(tampered):
    """A cell the build would neutralise, put in the published copy as a live formula."""
    site, findings = tampered
    def change(rows):
        rows[1][1] = '=HYPERLINK("http://example.com/", "open")'
        return rows
    rewrite_csv(site / "directives.csv", change)
    rows = list(csv.reader(io.StringIO((site / "directives.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert findings() == [f"directives.csv: the row of '{rows[1][0]}' is not what the sources give"]


def test_a_stale_event_a_moved_deadline_and_a_stale_calendar(tampered):
    """A calendar that would show a closed directive as due, or a deadline the sources moved;
    and the calendar of a unit that is gone, which subscribers would keep seeing."""
    site, findings = tampered
    path = site / "calendar" / "all.ics"
    text = path.read_bytes().decode("utf-8")
    events = re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", text, re.DOTALL)
    first = next(e for e in events if "DTSTART;VALUE=DATE:" in e)
    uid = re.search(r"^UID:(.*?)\r$", first, re.MULTILINE).group(1)
    stale = first.replace(f"UID:{uid}", "UID:CLOSED-2020-1@" + uid.split("@")[1])
    moved = re.sub(r"DTSTART;VALUE=DATE:\d{8}", "DTSTART;VALUE=DATE:20990101", first)
    path.write_bytes(text.replace(first, moved + stale).encode("utf-8"))
    (site / "calendar" / "gone.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert findings() == [f"calendar/all.ics: an extra event for 'CLOSED-2020-1@{uid.split('@')[1]}', which the sources do not give",
                          f"calendar/all.ics: the event of '{uid}' is not what the sources give",
                          "calendar/gone.ics: a calendar the sources do not give (extra)"]


def test_a_changed_and_a_removed_entry_of_a_feed_and_a_stale_feed(tampered):
    site, findings = tampered
    page = "../bulletins/2026/2026-11-26-notice-winter-safety-meeting/"
    path = site / "feeds" / "all.xml"
    text = path.read_text(encoding="utf-8")
    entries = re.findall(r"  <entry>.*?</entry>\n", text, re.DOTALL)
    gone = unquote(re.search(r'href="([^"]*)"', entries[1]).group(1))  # shown decoded
    edit(path, lambda text: text.replace(entries[1], "").replace(
        "<updated>2026-11-26T00:00:00Z</updated>\n    <author>", "<updated>2026-11-20T00:00:00Z</updated>\n    <author>", 1))
    shutil.copy(site / "feeds" / "units" / "energy.xml", site / "feeds" / "units" / "energie.xml")
    assert findings() == [f"feeds/all.xml: the entry of '{gone}' is missing",
                          f"feeds/all.xml: the entry of '{page}' is not what the sources give",
                          "feeds/units/energie.xml: a feed the sources do not give (extra)"]


def test_the_outputs_links_are_made_from_site_url_as_mkdocs_reads_it(example, tmp_path):
    """MkDocs adds the trailing slash and lowers the scheme before the build sees site_url:
    verify makes the calendars' and feeds' links from the same value, so it finds nothing
    here; nor in a calendar and a feed the editors wrote in docs/."""
    project, _, _ = example
    copy = tmp_path / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("site", "site-with-draft"))
    config = copy / "mkdocs.yml"
    config.write_text("site_url: HTTP://Intranet.example/safety\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("calendar/holidays.ics", "feeds/press.xml"):
        (copy / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / "docs" / name).write_text("written by hand\n", encoding="utf-8")
    site = build(copy)
    assert "URL:http://Intranet.example/safety/bulletins/" in (site / "calendar" / "all.ics").read_text(encoding="utf-8")
    assert '"http://Intranet.example/safety/bulletins/' in (site / "feeds" / "all.xml").read_text(encoding="utf-8")
    assert (site / "calendar" / "holidays.ics").is_file() and (site / "feeds" / "press.xml").is_file()
    assert verify_site(copy, site, AS_OF_DATE) == []


def test_outputs_replaced_by_a_device_a_link_outside_and_a_huge_file(tampered, tmp_path):
    """Read as an attacker would leave them: a calendar that is a link to an endless device, an
    export that links to a file outside the site, a CSV of 64 MB where the sources give 20 KB
    (sparse: nothing is written). Each is a finding, nothing is read through the links, and the
    big file is only searched a block at a time (for hidden text), never held whole."""
    site, findings = tampered
    (site / "calendar" / "all.ics").unlink()
    (site / "calendar" / "all.ics").symlink_to("/dev/zero")
    outside = tmp_path / "elsewhere.json"
    shutil.copy(site / "directives.json", outside)
    (site / "directives.json").unlink()
    (site / "directives.json").symlink_to(outside)
    with open(site / "directives.csv", "r+b") as csv_file:
        csv_file.truncate(64 * 2**20)
    tracemalloc.start()
    try:
        found = findings()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"verify held {peak} bytes at once"
    assert found[0] == "directives.json: missing or unreadable (OSError: directives.json is not a regular file)"
    assert re.fullmatch(r"directives.csv: missing or unreadable \(ValueError: 67108864 bytes where the sources "
                        r"give \d+\)", found[1])
    assert found[2] == "calendar/all.ics: missing or unreadable (OSError: all.ics is not a regular file)"


def test_a_missing_calendar(tampered):
    site, findings = tampered
    unit = sorted((site / "calendar").glob("*.ics"))[-1]
    unit.unlink()
    assert findings() == [f"calendar/{unit.name}: missing or unreadable (FileNotFoundError: [Errno 2] No such file "
                          f"or directory: '{unit}')"]


def test_a_removed_row_of_the_register_and_a_unit_page(tampered):
    site, findings = tampered
    row = re.compile(r'<tr class="sb-row[^"]*"[^>]*>(?:(?!</tr>).)*#CIG-2021-05-2"(?:(?!</tr>).)*</tr>', re.DOTALL)
    edit(site / "directives/index.html", lambda text: row.sub("", text, count=1))
    edit(site / "units/property/index.html", lambda text: row.sub("", text, count=1))
    assert findings() == ["directives/index.html: directive 'CIG-2021-05-2' has no row",
                          "units/property/index.html: directive 'CIG-2021-05-2' has no row"]


def test_an_extra_row(tampered):
    site, findings = tampered
    register = (site / "directives/index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr class="sb-row[^"]*"[^>]*>(?:(?!</tr>).)*#CIG-2021-06-1"(?:(?!</tr>).)*</tr>', register, re.DOTALL)
    edit(site / "units/energy/index.html", lambda text: text.replace("</tbody>", row.group(0) + "</tbody>", 1))
    assert findings() == ["units/energy/index.html: a row for 'CIG-2021-06-1', which is not listed here (extra)"]


def test_the_rows_of_a_parents_subunits_are_checked_apart(tampered):
    """Real Estate's page lists the directives of Property and Hotel in a section of their own."""
    site, findings = tampered
    page = site / "units/real-estate/index.html"
    row = re.compile(r'<tr class="sb-row[^"]*"[^>]*data-sb-for="hotel"[^>]*>(?:(?!</tr>).)*#XQST-2026-10-2"(?:(?!</tr>).)*</tr>',
                     re.DOTALL)
    assert row.search(page.read_text(encoding="utf-8"))
    edit(page, lambda text: row.sub("", text, count=1))
    assert findings() == ["units/real-estate/index.html (sub-units): directive 'XQST-2026-10-2' has no row"]


def test_a_subunits_row_passed_off_as_the_units_own(tampered):
    site, findings = tampered
    edit(site / "units/real-estate/index.html", lambda text: text.replace(' data-sb-for="hotel"', "", 1))
    assert findings() == [
        "units/real-estate/index.html: a row for 'XQST-2026-10-2', which is not listed here (extra)",
        "units/real-estate/index.html (sub-units): directive 'XQST-2026-10-2' has no row"]


def test_a_hidden_bulletins_page_copied_in(tampered, example):
    site, findings = tampered
    _, _, with_draft = example
    shutil.copytree(with_draft / DRAFT, site / DRAFT)
    found = findings()
    assert f"{DRAFT}/index.html: the page of '2026/2026-11-27-draft-notice-holiday-safety.md', which is a draft" in found
    assert f"{DRAFT}/index.html: a card for 'DRAFT-2026-HOLIDAY-1', which is no published directive (extra)" in found
    assert any(f.startswith(f"{DRAFT}/index.html: contains the title of '2026/") for f in found)
    assert any(f.startswith(f"{DRAFT}/index.html: contains the id of directive '") for f in found)


def test_a_hidden_title_in_a_published_file(tampered, example):
    site, findings = tampered
    project, _, _ = example
    title = re.search(r"^title: (.+)$", (project / f"{DRAFT}.md").read_text(encoding="utf-8"), re.M).group(1).strip()
    edit(site / "sitemap.xml", lambda text: text.replace("</urlset>", f"<!-- {title} --></urlset>"))
    assert findings() == ["sitemap.xml: contains the title of '2026/2026-11-27-draft-notice-holiday-safety.md' (a draft)"]


@pytest.mark.parametrize("link", [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(2)">x</a>',
    '<a href=" \tjava\nscript:alert(3)">x</a>',
    '<a href="JaVaScRiPt:alert(4)">x</a>',
    '<a href="&#x6A;&#x61;vascript&#58;alert(5)">x</a>',
    '<img src="vbscript:msgbox(1)">',
    '<iframe src="data:text/html,<script>alert(6)</script>"></iframe>',
    '<form action="javascript:alert(7)"></form>',
    '<button formaction="javascript:alert(8)">x</button>',
    '<svg><a xlink:href="javascript:alert(9)"><text>x</text></a></svg>',
    '<img srcset="a.png 1x, javascript:alert(10) 2x">',
    '<meta http-equiv="refresh" content="0; url=javascript:alert(11)">',
])
def test_a_script_url_injected_into_a_page(tampered, link):
    site, findings = tampered
    edit(site / "units/index.html", lambda text: text.replace("</article>", link + "</article>", 1))
    [finding] = findings()
    assert "\n" not in finding and "\t" not in finding
    assert re.match(r"units/index.html:\d+: [\w:-]+=\".*\" is a '(javascript|vbscript|data)\:' URL", finding), finding


@pytest.mark.parametrize("value", [
    "https://example.org/", "http://intranet/", "mailto:safety@example.org", "tel:+86-10-1234", "../x/",
    "#CIG-2021-05-2", "directives.json", "?q=1", "//example.org/x", "", "a/b:c",
])
def test_allowed_urls(value):
    assert script_url(value) is None


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "safety_bulletins.commands.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "BULLETINS_TODAY": AS_OF}, timeout=120)


def test_the_command_lists_findings_one_per_line(tampered, example):
    site, _ = tampered
    project, _, _ = example
    edit(site / "directives.json", lambda text: text.replace('"deadline": "2021-06-30"', '"deadline": "2027-06-30"', 1))
    edit(site / "units/index.html", lambda text: text.replace("</article>", '<a href="javascript:x()">x</a></article>', 1))
    result = run("verify", str(site), "--project", str(project), "--as-of", AS_OF)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("directives.json: directive 'CIG-2021-05-2' has deadline 2027-06-30")
    assert lines[1].startswith("units/index.html:") and "'javascript:' URL" in lines[1]
    assert result.stderr == f"2 finding(s): {site} is not what its sources say.\n"


def test_another_as_of_date_is_a_finding(example):
    project, site, _ = example
    found = verify_site(project, site, dt.date(2026, 12, 28))
    assert "directives.json: directive 'CIG-2021-05-2' has deadline" not in " ".join(found)
    assert any(re.match(r"directives.json: directive '.+' has bucket ", f) for f in found)


@pytest.mark.parametrize("args, message", [
    (["verify"], "the following arguments are required: site"),
    (["verify", "nowhere"], "bulletins verify: nowhere is not a folder"),
    (["verify", ".", "--as-of", "2026-02-30"], "bulletins verify: --as-of: '2026-02-30' is not a real date"),
])
def test_bad_usage(example, args, message):
    project, _, _ = example
    result = run(*args, cwd=project)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_bad_usage_outside_a_project(tmp_path):
    result = run("verify", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "is not inside a bulletins project" in result.stderr


def test_an_attribute_is_decoded_once_as_the_browser_does():
    # html.parser has already decoded `&amp;#106;` to `&#106;`: the browser sees a relative URL
    assert script_url("&#106;avascript:x") is None
    assert script_url(" \x01java\tscript:x") == "javascript"  # trimmed at the ends, tabs dropped
    assert script_url("java script:x") is None  # a space inside is not dropped: no scheme


NEEDLES = ["DRILL-1", "Hidden plan"]  # each written the same in every form: the longest sets the overlap


@given(st.lists(st.sampled_from(["DRILL-1", "DRILL-10", "xDRILL-1", "DRILL-1.x", "DRILL-1.", "Hidden plan",
                                 "Hidden plan-", "Hidden plan.x", ".", " ", "-", "应急", "a"]), max_size=30).map("".join),
       st.lists(st.integers(1, 12), max_size=40))
@case("a Hidden plan b", [6, 7])  # the needle ends a block: it must be found in the next
@case("a DRILL-10", [9])  # cut before the digit that makes it no match
def test_a_file_read_in_blocks_gives_what_it_gives_whole(text, cuts):
    """verify reads the site's files a block at a time: the matches must be those of the whole
    file, whatever the blocks' edges cut (a needle, or the character that makes it no match)."""
    pattern, meaning = _needles({needle: "why" for needle in NEEDLES})
    data = text.encode("utf-8")
    blocks, start = [], 0
    for cut in cuts:
        if start < len(data):
            blocks.append(data[start:start + cut])
            start += cut
    blocks.append(data[start:]) if start < len(data) or not blocks else None
    assert _matches(blocks, pattern, overlap_for(meaning)) == {m.group(0) for m in pattern.finditer(data)}
