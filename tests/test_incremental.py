"""A dirty build after edits gives byte for byte the site a full build gives."""

import shutil

from helpers import MEETING_MD, build, mkdocs

NOTICE = MEETING_MD.replace("CIG-2021-05-2", "N-9").replace("Special meeting on production safety", "A notice")


def tree(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_dirty_build_equals_full_build_after_edits_additions_and_removals(site_project, tmp_path):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": NOTICE,
                            "2021/old.md": NOTICE.replace("N-9", "OLD-1").replace("A notice", "Old notice")})
    (project / "docs/guide.md").write_text("# Guide\n\nHow to write.\n")  # a page after the home page
    assert mkdocs(project, "build", "--dirty").returncode == 0
    bulletins = project / "bulletins/2021"
    (bulletins / "2021-05-25-meeting.md").write_text(MEETING_MD.replace("Special", "Edited"), encoding="utf-8")
    (bulletins / "old.md").unlink()
    (bulletins / "2021-05-27-new.md").write_text(NOTICE.replace("N-9", "NEW-1").replace("A notice", "New notice"))
    result = mkdocs(project, "build", "--dirty")
    assert result.returncode == 0, result.stderr
    assert "removed" in result.stderr  # the old bulletin's page

    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    full = build(fresh)
    assert tree(project / "site") == tree(full)


def test_a_full_build_in_between_leaves_no_stale_page(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    bulletin = project / "bulletins/2021/2021-05-25-meeting.md"
    assert mkdocs(project, "build", "--dirty").returncode == 0
    bulletin.write_text(MEETING_MD.replace("grade: major", "grade: major\n    status: done"), encoding="utf-8")
    assert mkdocs(project, "build").returncode == 0  # a plain build into the same site/
    bulletin.write_text(MEETING_MD, encoding="utf-8")  # back as it was when the cache was made
    assert mkdocs(project, "build", "--dirty").returncode == 0
    page = (project / "site/bulletins/2021/2021-05-25-meeting/index.html").read_text(encoding="utf-8")
    assert "<dd>Open</dd>" in page and "<dd>Done</dd>" not in page


def test_a_changed_mkdocs_yml_rebuilds_the_bulletin_pages(site_project):
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD})
    assert mkdocs(project, "build", "--dirty").returncode == 0
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_name: Test bulletins", "site_name: Renamed"))
    assert mkdocs(project, "build", "--dirty").returncode == 0
    assert "- Renamed</title>" in (project / "site/bulletins/2021/2021-05-25-meeting/index.html").read_text()


def test_a_dirty_build_after_a_subunits_directive_changes_updates_the_parents_page(site_project, tmp_path):
    """Energy's page lists the directives of its sub-unit Filling Stations: an edit of one of
    them changes Energy's page in a dirty build as in a full one."""
    stations = NOTICE.replace("N-9", "FS-1").replace("units: 物业公司", "units: [filling-stations]")
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-notice.md": stations})
    assert mkdocs(project, "build", "--dirty").returncode == 0
    energy = project / "site/units/energy/index.html"
    assert 'data-sb-for="filling-stations"' in energy.read_text(encoding="utf-8")
    notice = project / "bulletins/2021/2021-05-26-notice.md"
    notice.write_text(stations.replace("Keep the emergency plans current.", "Keep the station plans current."),
                      encoding="utf-8")
    result = mkdocs(project, "build", "--dirty")
    assert result.returncode == 0, result.stderr
    assert "Keep the station plans current." in energy.read_text(encoding="utf-8")

    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    assert tree(project / "site") == tree(build(fresh))


def test_a_dirty_build_after_a_unit_is_renamed_leaves_no_stale_calendar_or_feed(site_project, tmp_path):
    """The old unit's calendar (and feed) held a directive that is now restricted: a dirty build
    must delete them as a full build never makes them, and give a full build's bytes."""
    energy = ("---\ntitle: Boiler rooms\ndate: 2021-05-26\ntype: notice\nissuer: safety-env\n---\nText.\n\n"
              "/// directive | Vent the sealed boiler room\n    id: EN-1\n    units: [energy]\n    deadline: 2031-06-30\n\n"
              "Open the vents.\n///\n")
    project = site_project({"2021/2021-05-25-meeting.md": MEETING_MD, "2021/2021-05-26-energy.md": energy})
    assert mkdocs(project, "build", "--dirty").returncode == 0
    site = project / "site"
    assert "Vent the sealed boiler room" in (site / "calendar/energy.ics").read_text(encoding="utf-8")
    units = project / "bulletins/units.yml"
    units.write_text(units.read_text().replace("id: energy", "id: power").replace("parent: energy", "parent: power"))
    (project / "bulletins/2021/2021-05-26-energy.md").write_text(
        energy.replace("units: [energy]", "units: [power]").replace("type: notice", "type: notice\nclassification: restricted"),
        encoding="utf-8")
    result = mkdocs(project, "build", "--dirty")
    assert result.returncode == 0, result.stderr
    assert not (site / "calendar/energy.ics").exists() and not (site / "feeds/units/energy.xml").exists()
    assert not [p for p, data in tree(site).items() if b"Vent the sealed boiler room" in data]

    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
    assert tree(site) == tree(build(fresh))
