"""What the filter of the listings reads (outputs/filters.py): the facts on each row, from the
directive's current state, and the choices the controls offer, from published bulletins only.
The script itself is tested in Chromium (tests/browser/test_filter.py)."""

import datetime as dt
import html as html_module
import json
import re

from helpers import MEETING_MD, URLS

from safety_bulletins.catalog import Catalog
from safety_bulletins.model import BULLETIN_TYPES, GRADES, STATUSES
from safety_bulletins.outputs.filters import ESCALATED, filter_options
from safety_bulletins.outputs.labels import CHINESE
from safety_bulletins.site_build.sitebuild import SiteBuild
from safety_bulletins.sources.project import load_project

AS_OF = dt.date(2026, 11, 28)

ESCALATION_MD = """\
---
title: Re-inspection
date: 2021-06-08
type: inspection
---
/// follow-up
    directive: CIG-2021-05-2
    status: in-progress
    deadline: 2027-01-15
    reason: More sites
    escalate: true
///
"""

DRAFT_MD = """\
---
title: Draft of 2019
date: 2019-03-01
type: bulletin
draft: true
---
/// directive | Secret plan
    units: [energy]
    deadline: 2019-04-01
///
"""


def register_html(build: SiteBuild) -> str:
    return build.page_output("directives/index.md", build.page_content("directives/index.md", ""))


def rows(html: str) -> dict[str, str]:
    """The opening tag of each row, by the directive id its link ends with."""
    return {m[2]: m[1] for m in re.finditer(r'(<tr class="sb-row[^>]*>).*?#([^"]+)"', html, re.DOTALL)}


def test_the_facts_words_never_collide():
    """The script matches whole words of data-sb-f: a status, type, grade or year must never
    be another dimension's word (units are `@id`)."""
    words = [*STATUSES, *BULLETIN_TYPES, *GRADES, ESCALATED]
    assert len(words) == len(set(words))
    assert not any(re.fullmatch(r"[0-9]{4}", word) or " " in word or "@" in word for word in words)


def test_rows_carry_the_current_state(bulletins_dir):
    root = bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-06-08-check.md": ESCALATION_MD})
    tags = rows(register_html(SiteBuild.load(root, AS_OF, urls=URLS)))
    # after the follow-up: in progress, escalated, later; issued in minutes of 2021, major; all units and support
    assert tags["CIG-2021-05-2"] == ('<tr class="sb-row sb-row--later" data-sb-deadline="2027-01-15" '
                                     'data-sb-f="in-progress minutes 2021 major escalated @all @safety-env">')
    # no grade and no escalation: no word for them
    assert tags["2021-05-25-meeting-2"] == '<tr class="sb-row sb-row--ongoing" data-sb-f="open minutes 2021 @property">'


def test_options_come_from_published_bulletins_only(bulletins_dir):
    root = bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD, "2019/2019-03-01-draft.md": DRAFT_MD})
    catalog = Catalog(load_project(root, AS_OF), AS_OF)
    options = filter_options(catalog, catalog.register)
    assert options.years == (2021,) and options.types == ("minutes",)  # nothing of the draft's 2019 bulletin
    assert options.units == ("all", "safety-env", "property")  # `all` first, then the registry's order
    assert options.statuses == ("open",) and options.grades == ("major",) and not options.escalated
    # overdue: every bucket a row may move to on a later day is offered
    assert options.buckets == ("overdue", "due-soon", "upcoming", "later", "ongoing")
    assert options.total == 2
    html = register_html(SiteBuild.load(root, AS_OF, urls=URLS))
    assert 'value="2019"' not in html and "bulletin" not in re.search(r'<select name="type">.*?</select>', html, re.DOTALL)[0]


def test_a_unit_page_offers_its_own_units_and_what_waits_for_its_acceptance(bulletins_dir):
    # the second directive, property's, is handed over: the issuer (safety-env) is to accept it
    handed_over = MEETING_MD.replace("    deadline: ongoing\n", "    deadline: 2021-07-01\n    status: awaiting-acceptance\n")
    root = bulletins_dir({"2021/2021-05-25-meeting.md": handed_over})
    catalog = Catalog(load_project(root, AS_OF), AS_OF)
    options = filter_options(catalog, catalog.for_unit("safety-env"))
    dated = ("overdue", "due-soon", "upcoming", "later")  # the first directive is for all units, and overdue
    assert options.buckets == (*dated, "to-accept") and options.units == ("all", "safety-env", "property")
    assert filter_options(catalog, catalog.for_unit("property")).buckets == (*dated, "awaiting-acceptance")


def test_the_controls_are_hidden_until_the_script_shows_them_and_speak_chinese(bulletins_dir):
    root = bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD})
    html = register_html(SiteBuild.load(root, AS_OF, language="zh", urls=URLS))
    box = re.search(r'<div class="sb-filter" hidden data-sb-labels=\'([^\']+)\'>(.*?)\n</div>', html, re.DOTALL)
    assert box, "the filter is rendered hidden"
    assert json.loads(html_module.unescape(box[1]))["count"] == "显示 {shown} 项，共 {total} 项"
    form = box[2]
    assert '<label>单位 <select name="unit"><option value="">不限</option>' in form
    assert '<option value="property">' in form and f'<option value="all">{CHINESE.ALL_UNITS}</option>' in form
    assert f'<option value="major">{CHINESE.GRADES["major"]}</option>' in form
    assert 'role="status" aria-live="polite"' in form
    assert "sb-filter__scope" not in form  # one page: nothing to say about other pages
    for name in ("unit", "bucket", "status", "grade", "type", "year", "text", "escalated"):
        assert re.search(f'<label[^>]*>[^<]*(<[^>]*>[^<]*)?<(select|input)[^>]* name="{name}"', form), name


def test_a_listing_in_pages_says_the_filter_sees_the_page_shown(bulletins_dir, monkeypatch):
    from safety_bulletins.outputs import pages
    monkeypatch.setattr(pages, "ROWS_PER_PAGE", 1)
    root = bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD})
    html = register_html(SiteBuild.load(root, AS_OF, urls=URLS))
    assert "This list has 2 directives on 2 pages: the filter looks at the page shown" in html
    assert '<option value="property" data-sb-href="../units/property/">' in html  # the unit's own page, from the register
