"""What a unit head meets first (issue 12): counts of the unit's own work, support apart,
the overdue summary, closed items folded away, and `bulletins due` in the same terms."""

import datetime as dt
import re

from helpers import MEETING_MD, URLS

from safety_bulletins.commands.cli import main
from safety_bulletins.site_build.sitebuild import SiteBuild

AS_OF = dt.date(2026, 11, 28)
NOTICE = """\
---
title: Notice on the winter checks
date: 2026-11-01
type: notice
---
/// directive | Property's own, late
    id: OWN-1
    units: [property]
    deadline: 2026-11-10
///

/// directive | Energy's, which property only supports
    id: HELP-1
    units: [energy]
    support: [property]
    deadline: 2026-11-20
///

/// directive | Property's, done
    id: DONE-1
    units: [property]
    deadline: 2026-11-15
    status: done
///
"""


def unit_page(build: SiteBuild, unit: str) -> str:
    src = f"units/{unit}.md"
    return build.page_output(src, build.page_content(src, ""))


def test_a_unit_is_counted_for_its_own_work_and_support_apart(bulletins_dir):
    build = SiteBuild.load(bulletins_dir({"2026/2026-11-01-notice.md": NOTICE}), AS_OF, urls=URLS)
    counts = build.catalog.counts(build.catalog.for_unit("property"))
    assert (counts["overdue"], counts["open"], counts["support-open"], counts["support-overdue"]) == (1, 1, 1, 1)
    html = unit_page(build, "property")
    summary = re.search(r'<strong class="sb-action__overdue">(.*?)</strong>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", summary) == "1 overdue, the oldest 18 days"  # OWN-1, 2026-11-10
    assert 'data-sb-oldest="2026-11-10"' in summary
    assert "It also supports 1 open directive of other units (1 overdue)" in html
    # the page opens with what needs action; what is closed is folded away below it
    assert html.index('id="overdue"') < html.index('<details class="sb-closed">') < html.index('id="sb-about"')
    assert re.search(r'<details class="sb-closed">\s*<summary><h2 id="closed">Closed \(1\)</h2></summary>', html)
    index = build.page_output("units/index.md", build.page_content("units/index.md", ""))
    assert "+1 supported" in index


def test_due_lists_a_units_own_work_first_and_support_apart(site_project, monkeypatch, capsys):
    monkeypatch.chdir(site_project({"2026/2026-11-01-notice.md": NOTICE, "2021/2021-05-25-meeting.md": MEETING_MD}))
    assert main(["due", "--as-of", "2026-11-28", "--unit", "property"]) == 0
    out = capsys.readouterr().out
    block = out[out.index("Property Management Company (property)"):]
    assert block.startswith("Property Management Company (property): 2 overdue, 0 due soon; "  # OWN-1, CIG-2021-05-2
                            "supporting other units: 1 overdue, 0 due soon\n")
    assert block.index("OWN-1") < block.index("  Supporting other units:\n") < block.index("HELP-1")
