"""The output registry (outputs/site.py OUTPUTS): every file the build adds is declared there once,
with the maker that gives it; the dirty build's cleaning and `verify` read it."""

import datetime as dt

import pytest
from helpers import MEETING_MD, URLS

from safety_bulletins.commands import verify
from safety_bulletins.outputs import site
from safety_bulletins.site_build.sitebuild import SiteBuild

ATTACHED = MEETING_MD.replace("type: minutes", "type: minutes\nattachments: [forms/list.csv]")


@pytest.mark.parametrize("search", ["material", "pagefind"])
def test_each_file_the_build_adds_is_declared_with_the_maker_that_gave_it(bulletins_dir, search):
    folder = bulletins_dir({"2021/2021-05-25-meeting.md": ATTACHED, "2021/forms/list.csv": "a,b\n"})
    build = SiteBuild.load(folder, dt.date(2026, 11, 28), search=search, urls=URLS)

    files = build.source_files()
    assert len({f.src_uri for f in files}) == len(files)
    for file in files:
        output = site.output_at(file.src_uri)
        assert output is not None, f"{file.src_uri} is made but not declared in site.OUTPUTS"
        assert output.search in (None, search) and output.by == "build"
    kinds = {site.output_at(f.src_uri).path for f in files}
    # calendars, feeds, attachments, exports, listings: each family is there
    for path in ("calendar/*.ics", "feeds/units/*.xml", "bulletins/**", site.EXPORT_CSV, "units/**.md"):
        assert path in kinds
    assert (site.SEARCH_FILTERS in kinds) == (search == "pagefind")


def test_a_listing_cut_into_pages_is_declared_page_by_page(bulletins_dir, monkeypatch):
    """The register, a unit's page and the archive past ROWS_PER_PAGE rows go on in further pages
    (`directives/2.md`): each is an output of the registry, or a dirty build stops on it."""
    from safety_bulletins.outputs import pages

    monkeypatch.setattr(pages, "ROWS_PER_PAGE", 1)
    folder = bulletins_dir({"2021/2021-05-25-meeting.md": MEETING_MD})
    build = SiteBuild.load(folder, dt.date(2026, 11, 28), urls=URLS)
    further = [f.src_uri for f in build.source_files() if f.src_uri.removesuffix(".md").endswith(("/2", "/3"))]
    assert "directives/2.md" in further and any(src.startswith("units/") for src in further)
    for src in further:
        assert site.output_at(src).maker == "listing_files", src


def test_every_maker_exists_and_every_kind_of_part_is_known_to_verify():
    for output in site.OUTPUTS:
        assert output.maker is None or callable(getattr(SiteBuild, output.maker, None)), output
        assert output.parts in (None, "records", "cells", *verify._PARTS), output  # not a KeyError in verify
        assert output.by in ("build", "pagefind", "search") and output.dirty in ("always", "changed")


def test_the_cleaned_folders_come_from_the_registry():
    """A removed unit's calendar, feed and page are deleted by a dirty build because their folders
    are the registry's (once `calendar` was missing from one of three lists)."""
    for path in ("calendar/energy.ics", "feeds/units/energy.xml", "units/energy.md", "archive/2021.md",
                 "assets/safety-bulletins/search-filters.json"):
        assert any(path.startswith(folder + "/") for folder in site.GENERATED_FOLDERS), path
    assert "assets" not in site.GENERATED_FOLDERS  # the theme's and docs/' assets are not only ours
    assert site.unmade("material") == [site.PAGEFIND_FOLDER] and site.unmade("pagefind") == []


def test_output_at_prefers_an_exact_path_to_a_pattern():
    assert site.output_at("feeds/units/sitemap.xml").parts is None
    assert site.output_at("feeds/units/energy.xml").parts == "entries"
    assert site.output_at("calendar/all.ics").path == site.CALENDAR_ALL
    assert site.output_at("units/energy/2.md").maker == "listing_files"
    assert site.output_at("guide/writing.md") is None


def test_bulletins_outputs_lists_the_registry_and_every_file_of_a_real_build_is_in_it(example_site, capsys):
    """`bulletins outputs` is read from OUTPUTS, so it cannot miss a family of files: every file a real
    `mkdocs build` of the example writes, beyond docs/'s pages and the theme's files, belongs to a path
    it lists."""
    import json

    from safety_bulletins.commands.cli import main

    assert main(["outputs", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["path"] for row in listed] == [o.path for o in site.OUTPUTS]
    assert {row["dirty_build"] for row in listed} == {"always", "changed"}
    assert main(["outputs"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:2] == ["path", "made_by"] and len(table) == len(site.OUTPUTS) + 1

    docs = example_site.parent / "docs"
    theme = ("assets/javascripts/", "assets/stylesheets/", "assets/images/", "404.html", "sitemap.xml")
    unlisted = []
    for path in (p.relative_to(example_site).as_posix() for p in example_site.rglob("*") if p.is_file()):
        page = path.removesuffix("/index.html") if path.endswith("/index.html") else None
        sources = [path] if page is None else [page + ".md", page + "/index.md"]
        if path == "index.html" or path.startswith(theme) or any((docs / s).is_file() for s in sources):
            continue
        if not any(site.output_at(s) for s in sources):
            unlisted.append(path)
    assert not unlisted, unlisted
