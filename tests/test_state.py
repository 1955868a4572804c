"""Follow-ups: a directive's state replayed over several weeks, the catalog's buckets, counts
and rates that read it, the export, and each rule `follow_up_problems` reports."""

from __future__ import annotations

from helpers import URLS

import datetime as dt

import pytest

from safety_bulletins.catalog import Catalog
from safety_bulletins.model import errors_in
from safety_bulletins.outputs.export import directives_json
from safety_bulletins.sources.project import load_project

D = dt.date.fromisoformat
MEETING = "2026/2026-10-05-safety-meeting.md"
INSPECTION = "2026/2026-10-12-inspection.md"
REPORT = "2026/2026-11-02-report.md"
ACCEPTANCE = "2026/2026-11-16-acceptance.md"
DRAFT = "2026/2026-11-20-draft.md"
D1, D2, D3, D4 = (f"2026-10-05-safety-meeting-{n}" for n in range(1, 5))


def front(title: str, date: str, type_: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntype: {type_}\nissuer: safety-env\n{extra}---\n"


def directive(title: str, *options: str) -> str:
    lines = "".join(f"    {o}\n" for o in options)
    return f"\n/// directive | {title}\n{lines}\nThe work to do.\n///\n"


def follow_up(title: str, *options: str) -> str:
    lines = "".join(f"    {o}\n" for o in options)
    return f"\n/// follow-up | {title}\n{lines}\nWhat was done.\n///\n"


MEETING_MD = front("Safety meeting", "2026-10-05", "minutes") + "The meeting was held.\n" + (
    directive("Fire exits of warehouse 3 cleared", "units: property", "deadline: 2026-11-15", "grade: major")
    + directive("Extinguishers replaced", "units: property", "deadline: 2026-10-20")
    + directive("Gas detectors installed", "units: property", "deadline: 2026-10-25")
    + directive("Tanks inspected", "units: energy", "deadline: 2026-11-10")
)
INSPECTION_MD = front("Inspection of warehouse 3", "2026-10-12", "inspection") + "We inspected.\n" + (
    follow_up("Racking being moved", f"directive: {D1}", "status: in-progress")
    + follow_up("Extinguishers on order", f"directive: {D2}", "deadline: 2026-11-30",
                "reason: The supplier delivers in November")
    + follow_up("No detectors yet", f"directive: {D3}", "status: in-progress", "escalate: true")
)
REPORT_MD = front("Progress report", "2026-11-02", "bulletin") + "Progress.\n" + (
    follow_up("Exits cleared, awaiting acceptance", f"directive: {D1}", "status: awaiting-acceptance")
    # Same day as the inspection's follow-up on D3: the file order puts it after that one
    + follow_up("Detectors quoted", f"directive: {D3}", "date: 2026-10-12")
)
ACCEPTANCE_MD = front("Acceptance", "2026-11-16", "bulletin") + "Accepted.\n" + (
    follow_up("Exits accepted", f"directive: {D1}", "status: done", "accepted_by: safety-env", "date: 2026-11-09")
    + follow_up("Tanks inspected, late", f"directive: {D4}", "status: done", "date: 2026-11-12")
)
DRAFT_MD = front("Not yet", "2026-11-20", "bulletin", "draft: true\n") + "Draft.\n" + (
    follow_up("Extinguishers replaced", f"directive: {D2}", "status: done")
)
HISTORY = {MEETING: MEETING_MD, INSPECTION: INSPECTION_MD, REPORT: REPORT_MD, ACCEPTANCE: ACCEPTANCE_MD,
           DRAFT: DRAFT_MD}


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of `text` containing `needle`."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.fixture
def project(bulletins_dir):
    project = load_project(bulletins_dir(HISTORY))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    return project


def catalog_at(project, day: str) -> Catalog:
    return Catalog(project, D(day))


def by_id(catalog: Catalog, directive_id: str):
    (directive,) = [d for d in catalog.directives if d.id == directive_id]
    return directive


# --- states at several as-of dates ------------------------------------------------------------

def test_before_any_follow_up_every_directive_is_as_issued(project):
    catalog = catalog_at(project, "2026-10-08")
    for d in catalog.directives:
        state = catalog.states[d.id]
        assert state.status == "open"
        assert state.deadline == state.original_deadline == d.deadline
        assert state.history == () and not state.escalated and state.closed_on is None
    assert {d.id: catalog.bucket_of(d) for d in catalog.directives} == {
        D1: "later", D2: "upcoming", D3: "upcoming", D4: "later"}


def test_an_extension_replaces_the_deadline_in_force_but_keeps_the_original(project):
    catalog = catalog_at(project, "2026-10-14")
    state = catalog.states[D2]
    assert (state.deadline, state.original_deadline, state.extended) == (D("2026-11-30"), D("2026-10-20"), True)
    # Six days before the original deadline: it would be due soon, but the new one is weeks away
    assert catalog.bucket_of(by_id(catalog, D2)) == "later"
    (change,) = state.history
    assert change.deadline == (D("2026-10-20"), D("2026-11-30"))
    assert change.follow_up.reason == "The supplier delivers in November"


def test_between_the_follow_ups(project):
    catalog = catalog_at(project, "2026-10-28")
    d1, d3 = catalog.states[D1], catalog.states[D3]
    assert (d1.status, d1.since) == ("in-progress", D("2026-10-12"))
    assert catalog.bucket_of(by_id(catalog, D1)) == "upcoming"
    assert (d3.status, d3.escalated, d3.deadline) == ("in-progress", True, D("2026-10-25"))
    assert catalog.bucket_of(by_id(catalog, D3)) == "overdue"
    assert d3.days_overdue(catalog.as_of) == 3
    assert [d.id for d in catalog.escalated()] == [D3]
    # The report of 2026-11-02 is in the catalog, but its follow-up dated then does not count yet
    assert [c.follow_up.rel_path for c in d1.history] == [INSPECTION]


def test_awaiting_acceptance_is_not_overdue_and_the_acceptor_sees_it(project):
    catalog = catalog_at(project, "2026-11-05")
    d1 = catalog.states[D1]
    assert (d1.status, d1.since, d1.acceptor, d1.closed_on) == ("awaiting-acceptance", D("2026-11-02"), "safety-env", None)
    assert d1.days_waiting(catalog.as_of) == 3
    assert catalog.bucket_of(by_id(catalog, D1)) == "awaiting-acceptance"

    property_counts = catalog.counts(catalog.for_unit("property"))
    assert property_counts["awaiting-acceptance"] == 1
    assert property_counts["overdue"] == 1  # D3 only
    assert property_counts["upcoming"] == 1  # D2, extended to 2026-11-30
    assert property_counts["to-accept"] == 0
    assert property_counts["open"] == 3 and property_counts["escalated"] == 1

    entries = catalog.for_unit("safety-env")
    assert [(e.directive.id, e.role) for e in entries] == [(D1, "acceptance")]
    counts = catalog.counts(entries)
    assert counts["to-accept"] == 1 and counts["awaiting-acceptance"] == 0 and counts["open"] == 0
    assert [e.directive.id for e in catalog.by_bucket(entries)["to-accept"]] == [D1]
    # What awaits acceptance does not fall due: only D2 (property) counts in the coming days
    assert catalog.coming_deadlines(catalog.for_unit("property")) == {"2026-11-30": 1}

    # Follow-ups dated after the as-of date do not count yet, even in a bulletin already there
    assert catalog.states[D4].status == "open"
    assert catalog.bucket_of(by_id(catalog, D4)) == "due-soon"


def test_after_everything(project):
    catalog = catalog_at(project, "2026-11-28")
    d1, d2, d3, d4 = (catalog.states[i] for i in (D1, D2, D3, D4))
    assert (d1.status, d1.closed_on, d1.on_time, d1.accepted_by, d1.acceptor) == (
        "done", D("2026-11-09"), True, "safety-env", None)
    assert (d4.status, d4.closed_on, d4.on_time) == ("done", D("2026-11-12"), False)
    assert (d2.status, d2.deadline) == ("open", D("2026-11-30"))  # the draft's "done" counts nowhere
    assert len(d2.history) == 1
    assert (d3.status, d3.escalated) == ("in-progress", True)
    assert {d.id: catalog.bucket_of(d) for d in catalog.directives} == {
        D1: "closed", D2: "due-soon", D3: "overdue", D4: "closed"}
    assert catalog.for_unit("safety-env") == []  # nothing left to accept
    assert catalog.counts(catalog.for_unit("property"))["closed"] == 1


def test_rates(project):
    """Per kind of work (D1 is graded: a hidden danger; the others are meeting tasks): (due, done,
    done on time, counted). Due: done, or past the deadline in force; D2's (2026-11-30) is not."""
    catalog = catalog_at(project, "2026-11-28")
    figures = lambda rate: (rate.due, rate.closed, rate.on_time, rate.counted)  # noqa: E731
    everything = catalog.rates(catalog.directives)
    assert figures(everything.tasks) == (2, 1, 0, 3)  # D3 overdue, D4 done late; D2 not yet due
    assert figures(everything.dangers) == (1, 1, 1, 1)  # D1 accepted on time
    assert (everything.tasks.closure, everything.tasks.timely) == ("50%", "0%")
    prop = catalog.rates(catalog.for_unit("property"))
    assert (figures(prop.tasks), figures(prop.dangers)) == ((1, 0, 0, 2), (1, 1, 1, 1))
    energy = catalog.rates(catalog.for_unit("energy"))
    assert (figures(energy.tasks), [r.kind for r in energy.shown]) == ((1, 1, 0, 1), ["tasks"])
    # Acceptance entries are not the acceptor's own work
    before = catalog_at(project, "2026-11-05")
    assert figures(before.rates(before.for_unit("safety-env")).tasks) == (0, 0, 0, 0)
    # D3 alone is past its deadline (D2's was extended to 2026-11-30); D1 awaits acceptance, not yet due
    assert figures(before.rates(before.directives).tasks) == (1, 0, 0, 3)
    assert figures(before.rates(before.directives).dangers) == (0, 0, 0, 1)


def test_history_is_in_date_order_then_file_order(project):
    catalog = catalog_at(project, "2026-11-28")
    d1 = catalog.states[D1]
    assert [(c.follow_up.rel_path, c.status) for c in d1.history] == [
        (INSPECTION, ("open", "in-progress")),
        (REPORT, ("in-progress", "awaiting-acceptance")),
        (ACCEPTANCE, ("awaiting-acceptance", "done")),
    ]
    assert d1.history[-1].accepted_by == "safety-env"
    # Two follow-ups on D3 dated the same day: the inspection's file comes first
    d3 = catalog.states[D3]
    assert [(c.follow_up.date, c.follow_up.rel_path, c.escalate) for c in d3.history] == [
        (D("2026-10-12"), INSPECTION, True), (D("2026-10-12"), REPORT, None)]


def test_history_within_one_file_keeps_the_file_order(bulletins_dir):
    files = dict(HISTORY)
    files[REPORT] = REPORT_MD + follow_up("Exits still blocked", f"directive: {D1}", "escalate: true")
    catalog = catalog_at(load_project(bulletins_dir(files)), "2026-11-05")
    history = catalog.states[D1].history
    assert [c.follow_up.order for c in history if c.follow_up.rel_path == REPORT] == [1, 3]
    assert history[-1].escalate is True and history[-2].status == ("in-progress", "awaiting-acceptance")


def test_reopen_with_a_reason_opens_a_done_directive_again(bulletins_dir):
    files = dict(HISTORY)
    files["2026/2026-11-25-reopen.md"] = front("Reopened", "2026-11-25", "bulletin") + follow_up(
        "Exits blocked again", f"directive: {D4}", "reopen: A tank was missed", "deadline: 2026-12-10",
        "reason: One more tank")
    project = load_project(bulletins_dir(files))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    state = catalog_at(project, "2026-11-28").states[D4]
    assert (state.status, state.closed_on, state.on_time, state.deadline) == (
        "in-progress", None, None, D("2026-12-10"))
    assert state.history[-1].reopen == "A tank was missed"
    assert state.history[-1].status == ("done", "in-progress")



def test_a_reopened_directive_carries_no_acceptance_in_any_output(bulletins_dir):
    """Accepted by safety-env on 11-09, reopened on 11-25: the acceptance is history, not its state
    (directives.json and directives.csv said "safety-env"; the card: test_follow_ups)."""
    import csv
    import io
    import json

    from safety_bulletins.site_build.sitebuild import SiteBuild

    files = dict(HISTORY)
    files["2026/2026-11-25-reopen.md"] = front("Reopened", "2026-11-25", "bulletin") + follow_up(
        "Exits blocked again", f"directive: {D1}", "reopen: Pallets in the exit again", "deadline: 2026-12-10",
        "reason: Clear them again")
    root = bulletins_dir(files)
    state = catalog_at(load_project(root), "2026-11-28").states[D1]
    assert (state.status, state.accepted_by, state.acceptor) == ("in-progress", "", None)
    assert [c.accepted_by for c in state.history if c.accepted_by] == ["safety-env"]  # kept as history
    accepted = catalog_at(load_project(root), "2026-11-20").states[D1]  # before the reopening: accepted
    assert (accepted.status, accepted.accepted_by) == ("done", "safety-env")

    build = SiteBuild.load(root, D("2026-11-28"), urls=URLS)
    record = next(r for r in json.loads(build.export_json())["directives"] if r["id"] == D1)
    assert record["status"] == "in-progress" and record["accepted_by"] is None
    assert [h["changes"]["accepted_by"] for h in record["history"] if "accepted_by" in h["changes"]] == ["safety-env"]
    row = next(r for r in csv.DictReader(io.StringIO(build.export_csv().removeprefix("\ufeff"))) if r["id"] == D1)
    assert row["accepted_by"] == "" and "accepted by Safety and Environmental Protection Department" in row["history"]


def test_work_sent_back_after_acceptance_carries_no_acceptance_when_done_again(bulletins_dir):
    """D2 (general): awaiting acceptance by safety-env, sent back (in progress), then done without
    an acceptance: safety-env accepted the earlier work, not this; it stays in the history."""
    files = {MEETING: MEETING_MD}
    files["2026/2026-11-01-report.md"] = front("Report", "2026-11-01", "bulletin") + follow_up(
        "Replaced", f"directive: {D2}", "status: awaiting-acceptance", "accepted_by: safety-env")
    files["2026/2026-11-05-back.md"] = front("Sent back", "2026-11-05", "bulletin") + follow_up(
        "Two were the wrong type", f"directive: {D2}", "status: in-progress")
    files["2026/2026-11-10-done.md"] = front("Done", "2026-11-10", "bulletin") + follow_up(
        "Replaced again", f"directive: {D2}", "status: done")
    project = load_project(bulletins_dir(files))
    assert errors_in(project.problems) == [], "\n".join(map(str, project.problems))
    state = catalog_at(project, "2026-11-28").states[D2]
    assert (state.status, state.accepted_by) == ("done", "")
    assert [c.accepted_by for c in state.history if c.accepted_by] == ["safety-env"]
    record = next(r for r in directives_json(catalog_at(project, "2026-11-28"), urls=URLS)["directives"] if r["id"] == D2)
    assert record["accepted_by"] is None


# --- the export --------------------------------------------------------------------------------

def test_directives_json_carries_the_state_and_history(project):
    records = {r["id"]: r for r in directives_json(catalog_at(project, "2026-11-28"), urls=URLS)["directives"]}
    d1, d2, d3 = records[D1], records[D2], records[D3]
    assert (d1["status"], d1["closed_on"], d1["on_time"], d1["accepted_by"]) == ("done", "2026-11-09", True, "safety-env")
    assert (d2["deadline"], d2["original_deadline"], d2["closed_on"]) == ("2026-11-30", "2026-10-20", None)
    assert d3["escalated"] is True and d1["escalated"] is False
    assert [h["date"] for h in d1["history"]] == ["2026-10-12", "2026-11-02", "2026-11-09"]
    assert d1["history"][-1]["changes"] == {"status": ["awaiting-acceptance", "done"], "accepted_by": "safety-env"}
    assert d2["history"][0]["changes"] == {"deadline": ["2026-10-20", "2026-11-30"],
                                           "reason": "The supplier delivers in November"}
    assert d3["history"][0]["changes"] == {"status": ["open", "in-progress"], "escalated": True}
    assert d1["history"][0]["anchor"] == f"sb-fu-{D1}"
    assert d1["history"][0]["url"].endswith(f"#sb-fu-{D1}")


# --- the rules ----------------------------------------------------------------------------------

LATER = "2026/2026-11-20-later.md"


def errors_with(bulletins_dir, text: str, files: dict | None = None, name: str = LATER):
    """The errors of the history plus one more bulletin (`text` after its front matter)."""
    content = front("Later", "2026-11-20", "bulletin") + "Later.\n" + text
    project = load_project(bulletins_dir({**HISTORY, **(files or {}), name: content}))
    return errors_in(project.problems), content


def the_error(errors, content: str, needle: str):
    (problem,) = errors
    assert problem.path.name == LATER.rsplit("/", 1)[1]
    assert problem.line == line_of(content, needle)
    return problem


def test_unknown_directive_with_did_you_mean(bulletins_dir):
    errors, content = errors_with(bulletins_dir, follow_up("Typo", "directive: 2026-10-05-safety-meting-2"))
    problem = the_error(errors, content, "/// follow-up")
    assert problem.message == ("the follow-up names directive '2026-10-05-safety-meting-2', which no bulletin issues")
    assert problem.hint.startswith(f"Did you mean '{D2}' ('Extinguishers replaced', unit property, issued in {MEETING})?")


def test_published_follow_up_on_a_directive_only_in_a_draft(bulletins_dir):
    draft = front("Draft minutes", "2026-11-01", "minutes", "draft: true\n") + directive(
        "Drafted", "units: property", "deadline: 2026-12-01")
    errors, content = errors_with(bulletins_dir, follow_up("On a draft", "directive: 2026-11-01-draft-minutes-1"),
                                  {"2026/2026-11-01-draft-minutes.md": draft})
    problem = the_error(errors, content, "/// follow-up")
    assert "'2026-11-01-draft-minutes-1', which is only in a draft (2026/2026-11-01-draft-minutes.md)" in problem.message


def test_a_draft_may_follow_up_a_draft_and_counts_nowhere(bulletins_dir):
    draft = front("Draft minutes", "2026-11-01", "minutes", "draft: true\n") + directive(
        "Drafted", "units: property", "deadline: 2026-12-01")
    files = {**HISTORY, "2026/2026-11-01-draft-minutes.md": draft,
             "2026/2026-11-02-draft-2.md": front("Draft 2", "2026-11-02", "bulletin", "draft: true\n")
             + follow_up("On a draft", "directive: 2026-11-01-draft-minutes-1", "status: done")}
    project = load_project(bulletins_dir(files))
    assert errors_in(project.problems) == []


def test_follow_up_dated_before_the_directive(bulletins_dir):
    errors, content = errors_with(bulletins_dir, follow_up("Too early", f"directive: {D2}", "date: 2026-10-01"))
    problem = the_error(errors, content, "/// follow-up")
    assert problem.message == (f"the follow-up is dated 2026-10-01, before directive '{D2}' was issued "
                               f"(2026-10-05, {MEETING})")


def test_new_deadline_without_reason(bulletins_dir):
    errors, content = errors_with(bulletins_dir, follow_up("Later", f"directive: {D3}", "deadline: 2026-12-20"))
    problem = the_error(errors, content, "deadline: 2026-12-20")
    assert problem.message == "a new deadline needs a reason"


def test_major_done_without_accepted_by(bulletins_dir):
    files = {ACCEPTANCE: ACCEPTANCE_MD.replace("    accepted_by: safety-env\n", "")}
    project = load_project(bulletins_dir({**HISTORY, **files}))
    (problem,) = errors_in(project.problems)
    assert problem.path.name == "2026-11-16-acceptance.md"
    assert problem.line == line_of(files[ACCEPTANCE], "/// follow-up | Exits accepted")
    assert problem.message.startswith(f"directive '{D1}' is a major hidden danger: it is done only after acceptance")
    # A follow-up that breaks a rule changes nothing
    assert catalog_at(project, "2026-11-28").states[D1].status == "awaiting-acceptance"


@pytest.mark.parametrize("option", ["status: in-progress", "deadline: 2026-12-20", "accepted_by: energy",
                                    "escalate: true"])
def test_change_to_a_done_directive_needs_reopen(bulletins_dir, option):
    options = [f"directive: {D4}", option] + (["reason: More tanks"] if option.startswith("deadline") else [])
    errors, content = errors_with(bulletins_dir, follow_up("After the fact", *options))
    problem = the_error(errors, content, "/// follow-up")
    assert problem.message == f"directive '{D4}' is already done by 2026-11-20: a follow-up cannot change it"
    assert "reopen: <reason>" in problem.hint


def test_change_to_a_cancelled_directive_needs_reopen(bulletins_dir):
    cancelled = front("Cancelled", "2026-10-06", "notice") + directive(
        "Not needed", "units: property", "deadline: 2026-11-01", "status: cancelled")
    errors, content = errors_with(bulletins_dir, follow_up("Still", "directive: 2026-10-06-cancelled-1",
                                                           "status: in-progress"),
                                  {"2026/2026-10-06-cancelled.md": cancelled})
    problem = the_error(errors, content, "/// follow-up")
    assert problem.message == ("directive '2026-10-06-cancelled-1' is already cancelled by 2026-11-20: "
                               "a follow-up cannot change it")


def test_a_report_on_a_done_directive_without_changes_is_fine(bulletins_dir):
    errors, _ = errors_with(bulletins_dir, follow_up("Photos added", f"directive: {D4}"))
    assert errors == []


def test_unknown_option(bulletins_dir):
    errors, content = errors_with(bulletins_dir, follow_up("Typo", f"directive: {D3}", "escalated: true"))
    problem = the_error(errors, content, "escalated: true")
    assert problem.message == "unknown field 'escalated' in the follow-up"
    assert problem.hint.startswith("Did you mean 'escalate'?")


def test_reopen_on_a_directive_that_is_not_closed(bulletins_dir):
    errors, content = errors_with(bulletins_dir, follow_up("Again", f"directive: {D3}", "reopen: Why not"))
    problem = the_error(errors, content, "/// follow-up")
    assert problem.message == f"directive '{D3}' is in-progress, not done or cancelled: there is nothing to reopen"


# --- hostile input -------------------------------------------------------------------------------

def test_follow_up_anchors_are_unique_in_a_file_even_across_directives(bulletins_dir):
    """The second follow-up of 'A' and the first of 'A-2' were both sb-fu-A-2."""
    meeting = front("Ids", "2026-10-05", "minutes") + directive("First", "id: A", "units: property",
                                                                "deadline: 2026-12-20")
    meeting += directive("Second", "id: A-2", "units: property", "deadline: 2026-12-20")
    later = front("Later", "2026-11-20", "bulletin") + follow_up("A once", "directive: A") + follow_up(
        "A twice", "directive: a") + follow_up("A-2 once", "directive: A-2") + follow_up("A thrice", "directive: A")
    project = load_project(bulletins_dir({"2026/2026-10-05-ids.md": meeting, LATER: later}))
    assert errors_in(project.problems) == []
    (bulletin,) = [b for b in project.bulletins if b.rel_path == LATER]
    assert [f.anchor for f in bulletin.follow_ups] == ["sb-fu-A", "sb-fu-a-2", "sb-fu-A-2-2", "sb-fu-A-3"]


def test_a_follow_up_card_finds_its_change(project):
    catalog = catalog_at(project, "2026-11-05")
    (report,) = [b for b in catalog.bulletins if b.rel_path == REPORT]
    exits, detectors = report.follow_ups
    assert catalog.change_of(exits).status == ("in-progress", "awaiting-acceptance")
    assert catalog.change_of(detectors).follow_up is detectors
    (acceptance,) = [b for b in catalog_at(project, "2026-11-16").bulletins if b.rel_path == ACCEPTANCE]
    # counted from 2026-11-09, after this as-of date (and its bulletin of 2026-11-16 is not issued yet)
    assert catalog_at(project, "2026-11-08").change_of(acceptance.follow_ups[0]) is None


def test_a_bulletin_holds_at_most_max_blocks_directives_and_follow_ups(bulletins_dir):
    from safety_bulletins.sources.validate import MAX_BLOCKS

    text = "".join(follow_up(f"Report {n}", f"directive: {D2}") for n in range(MAX_BLOCKS + 1))
    errors, content = errors_with(bulletins_dir, text)
    (problem,) = errors
    assert problem.line == line_of(content, f"/// follow-up | Report {MAX_BLOCKS}")
    assert problem.message == (f"the bulletin holds {MAX_BLOCKS + 1} directives and follow-ups; one bulletin "
                               f"may hold at most {MAX_BLOCKS}")
    errors, _ = errors_with(bulletins_dir, text.rsplit("\n/// follow-up", 1)[0])
    assert errors == []
