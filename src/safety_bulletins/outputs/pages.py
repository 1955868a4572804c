"""The listing pages the site generates from the catalog: units, the register, the archive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import site
from ..catalog import Catalog, UnitEntry
from .dashboard import dashboard_context
from .filters import filter_options
from .labels import Labels
from ..model import BULLETIN_TYPES


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    title: str
    template: str
    context: dict = field(default_factory=dict, hash=False, compare=False)


ROWS_PER_PAGE = 400  # a listing page of directives stays far below 1 MB however large the archive


@dataclass(frozen=True)
class Pager:
    """Where one page of a long listing stands among its pages."""

    number: int  # from 1
    sources: tuple[str, ...]  # src_uri of every page of the listing, in order

    @property
    def count(self) -> int:
        return len(self.sources)


def paginated(first_src: str, title: str, template: str, groups: dict[str, list[UnitEntry]],
              sub_groups: dict[str, list[UnitEntry]] | None = None, **context) -> list[GeneratedPage]:
    """A listing of directives grouped by bucket, cut into pages of at most ROWS_PER_PAGE rows,
    most urgent first: page 1 at `first_src`, page n at `<first_src without .md>/<n>.md`.
    A unit with sub-units has their directives (`sub_groups`) in a section after its own,
    continued on the same pages; each page's context says on which page that section starts."""
    rows = [(False, bucket, entry) for bucket, entries in groups.items() for entry in entries]
    rows += [(True, bucket, entry) for bucket, entries in (sub_groups or {}).items() for entry in entries]
    chunks = [rows[i:i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    stem = first_src.removesuffix(".md").removesuffix("/index")
    sources = tuple(first_src if n == 1 else f"{stem}/{n}.md" for n in range(1, len(chunks) + 1))
    own_rows = sum(map(len, groups.values()))
    sub_start = min(own_rows // ROWS_PER_PAGE, len(chunks) - 1)  # the index of the page the section begins on
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        page_groups: dict[str, list[UnitEntry]] = {}
        page_sub_groups: dict[str, list[UnitEntry]] = {}
        for sub, bucket, entry in chunk:
            (page_sub_groups if sub else page_groups).setdefault(bucket, []).append(entry)
        numbered = title if number == 1 else f"{title} ({number}/{len(chunks)})"
        extra = {} if sub_groups is None else {"sub_groups": page_sub_groups, "sub_start": sub_start + 1}
        pages.append(GeneratedPage(sources[number - 1], numbered, template,
                                   {"groups": page_groups, "pager": Pager(number, sources), **extra, **context}))
    return pages


def generated_pages(catalog: Catalog, labels: Labels,
                    kept_unit_pages: Callable[[str], list[GeneratedPage] | None] | None = None) -> list[GeneratedPage]:
    """Every listing page. `kept_unit_pages`: a unit's pages as an earlier build made them, or None to make them
    (the preview's, for units whose entries did not change: site_build/incremental.py Shown.kept_unit_pages)."""
    pages = [
        GeneratedPage(site.UNITS_INDEX, labels("Units"), "units_index.html"),
        GeneratedPage(site.ARCHIVE_INDEX, labels("Archive"), "archive_index.html"),
        GeneratedPage(site.DASHBOARD, labels("Dashboard"), "dashboard.html", dashboard_context(catalog, labels)),
    ]
    pages += paginated(site.REGISTER, labels("Register of directives"), "register.html",
                       catalog.by_bucket(catalog.register), filters=filter_options(catalog, catalog.register))
    for unit in catalog.units:
        if kept_unit_pages is not None and (kept := kept_unit_pages(unit.id)) is not None:
            pages += kept
            continue
        entries = catalog.for_unit(unit.id)
        sub = {}
        if catalog.registry.has_subunits(unit.id):
            sub_entries = catalog.for_subunits(unit.id)
            sub = {"sub_groups": catalog.by_bucket(sub_entries), "sub_counts": catalog.unit_counts(unit.id, "sub"),
                   "sub_rates": catalog.unit_rates(unit.id, "sub"), "sub_deadlines": catalog.coming_deadlines(sub_entries)}
        pages += paginated(site.unit_src(unit.id), unit.name_in(labels.language), "unit.html", catalog.by_bucket(entries),
                           unit=unit, counts=catalog.unit_counts(unit.id), rates=catalog.unit_rates(unit.id),
                           oldest=catalog.oldest_overdue(entries),
                           deadlines=catalog.coming_deadlines(entries),
                           filters=filter_options(catalog, entries + (sub_entries if sub else [])), **sub)
    pages += [
        GeneratedPage(site.year_src(year), labels("Bulletins of {year}", year=year), "archive_year.html", {"year": year})
        for year in sorted(catalog.years, reverse=True)
    ]
    pages += [
        GeneratedPage(site.type_src(kind), labels.TYPES[kind], "archive_type.html", {"type": kind})
        for kind in BULLETIN_TYPES if kind in catalog.types
    ]
    return pages
