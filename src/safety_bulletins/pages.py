"""The listing pages the site generates from the catalog: units, the register, the archive."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import labels, site
from .catalog import Catalog
from .model import BULLETIN_TYPES


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    title: str
    template: str
    context: dict = field(default_factory=dict, hash=False, compare=False)


def generated_pages(catalog: Catalog) -> list[GeneratedPage]:
    pages = [
        GeneratedPage(site.UNITS_INDEX, "Units", "units_index.html"),
        GeneratedPage(site.REGISTER, "Register of directives", "register.html"),
        GeneratedPage(site.ARCHIVE_INDEX, "Archive", "archive_index.html"),
    ]
    pages += [
        GeneratedPage(site.unit_src(unit.id), unit.name, "unit.html", {"unit": unit})
        for unit in catalog.units
    ]
    pages += [
        GeneratedPage(site.year_src(year), f"Bulletins of {year}", "archive_year.html", {"year": year})
        for year in sorted(catalog.years, reverse=True)
    ]
    pages += [
        GeneratedPage(site.type_src(kind), labels.TYPES[kind], "archive_type.html", {"type": kind})
        for kind in BULLETIN_TYPES if kind in catalog.types
    ]
    return pages
