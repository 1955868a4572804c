"""Cells of a directive's row and card, as Python functions the templates call.

They run for every directive on every listing page and card (about 100,000 calls in a
build of 2,000 bulletins): Jinja2 macros cost several times more per call. Every value
is escaped (`escape`: `Markup.format` costs three times more).
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from .labels import Labels
from ..model import Directive
from .site import Links


def units_of(ids: tuple[str, ...], links: Links, labels: Labels, unit_name: Callable[[str], str]) -> Markup:
    """The units as links to their pages, 'All units' as a label."""
    return Markup(", ".join(
        f'<span class="sb-unit sb-unit--all">{escape(labels.ALL_UNITS)}</span>' if unit_id == "all"
        else f'<a class="sb-unit" href="{escape(links.unit(unit_id))}">{escape(unit_name(unit_id))}</a>'
        for unit_id in ids
    ))


def deadline_of(directive: Directive, labels: Labels) -> Markup:
    """The deadline as a date, or 'Ongoing'."""
    if directive.deadline is None:
        return escape(labels.BUCKETS["ongoing"])
    day = directive.deadline.isoformat()
    return Markup(f'<time datetime="{day}">{day}</time>')
