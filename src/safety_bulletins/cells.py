"""Cells of a directive's row and card, as Python functions the templates call.

They run for every directive on every listing page and card (about 100,000 calls in a
build of 2,000 bulletins): Jinja2 macros cost several times more per call. Every value
is escaped (`Markup.format`).
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from .labels import Labels
from .model import Directive
from .site import Links

_ALL_UNITS = Markup('<span class="sb-unit sb-unit--all">{}</span>')
_UNIT = Markup('<a class="sb-unit" href="{}">{}</a>')
_DEADLINE = Markup('<time datetime="{0}">{0}</time>')


def units_of(ids: tuple[str, ...], links: Links, labels: Labels, unit_name: Callable[[str], str]) -> Markup:
    """The units as links to their pages, 'All units' as a label."""
    return Markup(", ").join(
        _ALL_UNITS.format(labels.ALL_UNITS) if unit_id == "all" else _UNIT.format(links.unit(unit_id), unit_name(unit_id))
        for unit_id in ids
    )


def deadline_of(directive: Directive, labels: Labels) -> Markup:
    if directive.deadline is None:
        return Markup.escape(labels.BUCKETS["ongoing"])
    return _DEADLINE.format(directive.deadline.isoformat())
