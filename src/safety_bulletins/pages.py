"""The listing pages the site generates from the catalog: units, the register, the archive."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import site
from .catalog import Catalog
from .labels import Labels
from .model import BULLETIN_TYPES


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    title: str
    template: str
    context: dict = field(default_factory=dict, hash=False, compare=False)


def generated_pages(catalog: Catalog, labels: Labels) -> list[GeneratedPage]:
    pages = [
        GeneratedPage(site.UNITS_INDEX, labels("Units"), "units_index.html"),
        GeneratedPage(site.REGISTER, labels("Register of directives"), "register.html"),
        GeneratedPage(site.ARCHIVE_INDEX, labels("Archive"), "archive_index.html"),
    ]
    pages += [
        GeneratedPage(site.unit_src(unit.id), unit.name, "unit.html", {"unit": unit})
        for unit in catalog.units
    ]
    pages += [
        GeneratedPage(site.year_src(year), labels("Bulletins of {year}", year=year), "archive_year.html", {"year": year})
        for year in sorted(catalog.years, reverse=True)
    ]
    pages += [
        GeneratedPage(site.type_src(kind), labels.TYPES[kind], "archive_type.html", {"type": kind})
        for kind in BULLETIN_TYPES if kind in catalog.types
    ]
    return pages
