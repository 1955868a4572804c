"""The listing pages the site generates from the catalog: units, the register, the archive."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import site
from ..catalog import Catalog, UnitEntry
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
              **context) -> list[GeneratedPage]:
    """A listing of directives grouped by bucket, cut into pages of at most ROWS_PER_PAGE rows,
    most urgent first: page 1 at `first_src`, page n at `<first_src without .md>/<n>.md`."""
    rows = [(bucket, entry) for bucket, entries in groups.items() for entry in entries]
    chunks = [rows[i:i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    stem = first_src.removesuffix(".md").removesuffix("/index")
    sources = tuple(first_src if n == 1 else f"{stem}/{n}.md" for n in range(1, len(chunks) + 1))
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        page_groups: dict[str, list[UnitEntry]] = {}
        for bucket, entry in chunk:
            page_groups.setdefault(bucket, []).append(entry)
        numbered = title if number == 1 else f"{title} ({number}/{len(chunks)})"
        pages.append(GeneratedPage(sources[number - 1], numbered, template,
                                   {"groups": page_groups, "pager": Pager(number, sources), **context}))
    return pages


def generated_pages(catalog: Catalog, labels: Labels) -> list[GeneratedPage]:
    pages = [
        GeneratedPage(site.UNITS_INDEX, labels("Units"), "units_index.html"),
        GeneratedPage(site.ARCHIVE_INDEX, labels("Archive"), "archive_index.html"),
    ]
    pages += paginated(site.REGISTER, labels("Register of directives"), "register.html",
                       catalog.by_bucket(catalog.register), filters=filter_options(catalog, catalog.register))
    for unit in catalog.units:
        entries = catalog.for_unit(unit.id)
        pages += paginated(site.unit_src(unit.id), unit.name, "unit.html", catalog.by_bucket(entries),
                           unit=unit, counts=catalog.counts(entries), rates=catalog.rates(entries),
                           deadlines=catalog.coming_deadlines(entries), filters=filter_options(catalog, entries))
    pages += [
        GeneratedPage(site.year_src(year), labels("Bulletins of {year}", year=year), "archive_year.html", {"year": year})
        for year in sorted(catalog.years, reverse=True)
    ]
    pages += [
        GeneratedPage(site.type_src(kind), labels.TYPES[kind], "archive_type.html", {"type": kind})
        for kind in BULLETIN_TYPES if kind in catalog.types
    ]
    return pages
