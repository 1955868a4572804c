"""A follow-up changes the directive its id names: its title must not name another directive
(a mistyped or copied id silently changed another unit's directive), and the did-you-mean of an
unknown id points at the directive the title names, with its title, units and bulletin."""

from __future__ import annotations

import pytest

from safety_bulletins.sources.project import load_project
from safety_bulletins.state import title_terms

MINUTES = "2026/2026-09-24-q3-committee.md"
REPORT = "2026/2026-11-27-report.md"
MINUTES_MD = """\
---
title: Q3 safety committee
date: 2026-09-24
type: minutes
---
/// directive | Winter construction safety plan
    id: CIG-2026-Q3-2
    units: [property]
    deadline: 2026-11-20

Write the plan.
///

/// directive | Upgrade the fire alarm control system of the shopping mall
    id: CIG-2026-Q3-4
    units: [energy, 物业公司]
    deadline: 2027-03-31

Upgrade it.
///

/// directive | 冬季施工方案
    id: ZH-1
    units: [能源公司]
    deadline: 2026-11-30

编制方案。
///
"""


def report(title: str, directive_id: str) -> str:
    return (f"---\ntitle: Report\ndate: 2026-11-27\ntype: bulletin\n---\n/// follow-up | {title}\n"
            f"    directive: {directive_id}\n    status: in-progress\n\nWork goes on.\n///\n")


def errors(bulletins_dir, title: str, directive_id: str) -> list:
    project = load_project(bulletins_dir({MINUTES: MINUTES_MD, REPORT: report(title, directive_id)}))
    return project.errors


@pytest.mark.parametrize(("one", "other"), [
    ("Winter construction safety plan", "  winter   CONSTRUCTION safety plan. "),
    ("冬季施工方案", "冬季 施工方案。"),
    ("Ｗｉｎｔｅｒ　plan，2026", "Winter plan, 2026"),  # full-width letters, space and comma
    ("Extinguishers replaced", "Extinguisher replacing"),
])
def test_titles_compare_after_normalising_case_spaces_width_and_punctuation(one, other):
    assert title_terms(one) == title_terms(other)


def test_a_follow_up_titled_after_another_directive_is_an_error_showing_both_titles_and_units(bulletins_dir):
    [error] = errors(bulletins_dir, "Winter construction safety plan", "CIG-2026-Q3-4")
    assert (error.path.name, error.line) == ("2026-11-27-report.md", 6)
    assert error.message == (
        "the follow-up's title 'Winter construction safety plan' is not that of directive 'CIG-2026-Q3-4' it "
        "follows up ('Upgrade the fire alarm control system of the shopping mall', units energy, property, issued "
        f"in {MINUTES}) but that of 'CIG-2026-Q3-2' ('Winter construction safety plan', unit property, issued in "
        f"{MINUTES})")
    assert error.hint.startswith("A follow-up changes the directive its 'directive:' names: did you mean "
                                 "'CIG-2026-Q3-2'? If the id is right, title the follow-up after its own directive")


def test_a_chinese_title_of_another_directive_is_an_error_too(bulletins_dir):
    [error] = errors(bulletins_dir, "冬季施工方案已编制", "CIG-2026-Q3-4")
    assert "but that of 'ZH-1' ('冬季施工方案', unit energy," in error.message


@pytest.mark.parametrize(("title", "directive_id"), [
    ("Winter construction safety plan", "CIG-2026-Q3-2"),  # its own title
    ("Fire alarm of the shopping mall: new time limit", "CIG-2026-Q3-4"),  # a headline about its own
    ("Extended", "CIG-2026-Q3-4"),  # a headline naming no directive
    ("延期", "ZH-1"),
    ("冬季施工方案报审", "ZH-1"),
    ("Winter plan of the mall's fire alarm upgrade", "CIG-2026-Q3-4"),  # names its own as well as the other
])
def test_a_title_about_its_own_directive_or_naming_none_is_accepted(bulletins_dir, title, directive_id):
    assert errors(bulletins_dir, title, directive_id) == []


def test_did_you_mean_prefers_the_directive_the_title_names_over_the_closest_id(bulletins_dir):
    # 'CIG-2026-Q3-5' is closest to 'CIG-2026-Q3-4' (the fire alarm); the title names Q3-2
    [error] = errors(bulletins_dir, "Winter construction safety plan submitted", "CIG-2026-Q3-5")
    assert error.message == "the follow-up names directive 'CIG-2026-Q3-5', which no bulletin issues"
    assert error.hint.startswith(f"Did you mean 'CIG-2026-Q3-2' ('Winter construction safety plan', unit property, "
                                 f"issued in {MINUTES})? ")


def test_did_you_mean_falls_back_to_the_closest_id_with_its_title_and_units(bulletins_dir):
    [error] = errors(bulletins_dir, "Progress", "CIG-2026-Q3-5")
    assert error.hint.startswith("Did you mean 'CIG-2026-Q3-4' ('Upgrade the fire alarm control system of the "
                                 f"shopping mall', units energy, property, issued in {MINUTES})? ")


def test_of_directives_titled_alike_did_you_mean_names_the_closest_id(bulletins_dir):
    again = MINUTES_MD.replace("2026-09-24", "2025-09-24").replace("CIG-2026-Q3", "CIG-2025-Q3").replace(
        "2026-11-20", "2025-11-20").replace("2027-03-31", "2026-03-31").replace("2026-11-30", "2025-11-30").replace(
        "ZH-1", "ZH-0")
    files = {MINUTES: MINUTES_MD, "2025/2025-09-24-q3-committee.md": again,
             REPORT: report("Winter construction safety plan submitted", "CIG-2026-Q3-22")}
    [error] = load_project(bulletins_dir(files)).errors
    assert error.hint.startswith("Did you mean 'CIG-2026-Q3-2' ('Winter construction safety plan'")
