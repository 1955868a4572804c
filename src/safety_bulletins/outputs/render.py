"""HTML for the generated parts of the site, from the Jinja2 templates in `templates/`.

Autoescaping is on: every value that comes from a bulletin or units.yml is escaped, in the
templates and in the pieces built in Python (`cells`, `rows`), which escape with markupsafe.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import BuiltinFunctionType, FunctionType, MethodType

import jinja2
import jinja2.runtime
from markupsafe import Markup

from . import cells, changes, filters, site
from .. import fields
from .calendars import Calendars
from ..catalog import Catalog, UnitEntry
from .labels import ENGLISH, Labels, for_language
from ..model import ALL_UNITS, BUCKETS, DATED_BUCKETS, Bulletin, Directive, FileHistory, FollowUp
from .pages import GeneratedPage
from .site import Links, UrlRule, root_of


class CallingContext(jinja2.runtime.Context):
    """Jinja's context, whose `call` (every `labels(...)`, `cell.x(...)` in a template: about 800,000 a
    build at 2,000 bulletins) first asks the callable twice whether it wants the context passed in, by
    attribute lookups that fail (raising inside) for every plain callable: much of the listings' and
    cards' CPU. Here a function, a method, a builtin or an instance of a plain class (`labels`) is
    asked where jinja2's pass_context and friends put their mark (the function's or the instance's
    attributes, the class's), without a failing lookup; anything else goes Jinja's way."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        kind = type(__obj)
        function = __obj.__func__ if kind is MethodType else __obj
        if type(function) is FunctionType:
            plain = "jinja_pass_arg" not in function.__dict__
        elif kind is MethodType:
            plain = False
        elif kind is BuiltinFunctionType:  # a builtin holds no attributes of its own
            plain = True
        else:
            plain = _plain_class(kind) and "jinja_pass_arg" not in getattr(__obj, "__dict__", ("jinja_pass_arg",))
        if not plain:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


@functools.cache
def _plain_class(kind: type) -> bool:
    """Whether instances of `kind` are called without a context (Context.call): its `__call__` a plain
    function, no mark on the class, and no attribute lookup of its own that could make one up."""
    call = getattr(kind, "__call__", None)
    return (type(call) is FunctionType and "jinja_pass_arg" not in call.__dict__ and not hasattr(kind, "jinja_pass_arg")
            and kind.__getattribute__ is object.__getattribute__ and not hasattr(kind, "__getattr__"))


def template_environment(autoescape: bool) -> jinja2.Environment:
    """The package's templates: HTML ones escape every value; Markdown ones (bulletins new) do not."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("safety_bulletins.outputs", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are part of the installed package: asking the file system whether each
        # changed costs two stat calls a render (tens of thousands a build: rows, cards, headers)
        auto_reload=False,
    )
    environment.context_class = CallingContext
    environment.globals["describe_change"] = changes.describe  # _change.html: one description of a change
    return environment


_ENV = template_environment(autoescape=True)
_ENV.globals.update(site=site, cell=cells, filters=filters, spec=fields, BUCKETS=BUCKETS, DATED_BUCKETS=DATED_BUCKETS)
# Stands for the way up to the site's root in rows shared by many listing pages; each page
# puts its own in (see Links).
ROOT = "\x00root\x00"


@dataclass
class Renderer:
    catalog: Catalog
    urls: UrlRule  # MkDocs' rule for where each file goes and its URL
    labels: Labels = ENGLISH
    calendars: Calendars | None = None  # for the subscribe links (a webcal:// address needs site_url)
    search: str = "material"  # "pagefind": bulletin pages mark what Pagefind must not index
    # The preview's rows of its last rebuild and of this one (site_build/incremental.py KeptRows): a
    # row is rendered again only if its directive (the same object: its file was not read again),
    # its state, bucket or progress changed; what every row shares (units, labels, date) is the caller's to check
    kept_rows: tuple[dict, dict] | None = None

    def __post_init__(self):
        self._rows: dict[tuple[str, bool], Markup] = {}

    def _render(self, template: str, here_src: str | None, root: str | None = None, labels: Labels | None = None,
                **context) -> str:
        labels = labels or self.labels
        links = Links(here_src, self.urls, root)
        return _ENV.get_template(template).render(
            c=self.catalog, links=links, labels=labels, rows=self.rows, subscribe_url=self.subscribe_url,
            acceptor_name=lambda who: self.acceptor_name(who, labels), pagefind=self.search == "pagefind", **context,
            escalation_text=lambda escalation: changes.escalation_text(escalation, labels, self.catalog.registry),
            unit_name=lambda unit_id: self.unit_name(unit_id, labels),
            addressees=lambda names: [self.addressee_name(who, labels) for who in names],
        )

    def _of_bulletin(self, template: str, bulletin: Bulletin, **context) -> str:
        """A part of a bulletin's page (header, sign-off, cards), in the bulletin's language:
        a Chinese bulletin's issuer, dates and facts in Chinese, whatever the site's UI."""
        return self._render(template, site.bulletin_src(bulletin), labels=self.labels_of(bulletin), **context)

    def labels_of(self, bulletin: Bulletin) -> Labels:
        """The words of a bulletin's own language, which may not be the site's."""
        return self.labels if bulletin.language == self.labels.language else for_language(bulletin.language, self.labels.windows)

    def rows(self, entries: list[UnitEntry]) -> Markup:
        """The rows of a table (joined here: a Jinja loop over tens of thousands of rows costs more)."""
        return Markup("\n".join(self.row(entry) for entry in entries))

    def row(self, entry: UnitEntry) -> Markup:
        """A directive's row in the register and unit pages, rendered once for all of them."""
        # what a row shows of its entry: the unit's share only where the directive's shares differ
        share = entry.share if entry.directive.id in self.catalog.shares else ""
        d = entry.directive
        # 责任人 written per unit: each unit's page shows its own person (else the one owner, on every row alike)
        owner = cells.owners_of(d, cells.owner_units(entry), self.labels, self.unit_name) if d.owners else d.owner
        key = (d.id, entry.role == "support", entry.units, share, owner)
        if key not in self._rows:
            self._rows[key] = self._kept_or_rendered(key, entry, owner)
        return self._rows[key]

    def _kept_or_rendered(self, key: tuple, entry: UnitEntry, owner: str) -> Markup:
        if self.kept_rows is None:
            return Markup(self._render("directive_row.html", None, root=ROOT, entry=entry, owner=owner))
        last, now = self.kept_rows
        d = entry.directive
        shown = (self.catalog.entry_state(entry), self.catalog.entry_bucket(entry), self.catalog.progress(d))
        kept = last.get(key)
        if kept is not None and kept[0] is d and kept[1] == shown:
            row = kept[2]
        else:
            row = Markup(self._render("directive_row.html", None, root=ROOT, entry=entry, owner=owner))
        now[key] = (d, shown, row)
        return row

    def forget_rows(self) -> None:
        """Let go of the rendered rows (tens of MB at 10,000 bulletins) once no page needs them."""
        self._rows.clear()

    def subscribe_url(self, src_uri: str) -> str | None:
        """The webcal:// address of a calendar file, or None (no site_url: no absolute address)."""
        return self.calendars.subscribe_url(src_uri) if self.calendars else None

    def unit_name(self, unit_id: str, labels: Labels | None = None) -> str:
        labels = labels or self.labels
        return self.catalog.registry.display_name(unit_id, labels.language) or labels.ALL_UNITS

    def acceptor_name(self, who: str, labels: Labels | None = None) -> str:
        """Who accepts (accepted) the work: a unit's name, or a person's as the follow-up wrote it."""
        return changes.acceptor_name(who, labels or self.labels, self.catalog.registry)

    def addressee_name(self, who: str, labels: Labels | None = None) -> str:
        """主送 or 抄送: a unit's name (各单位 for all), or a body's as the bulletin wrote it."""
        return self.unit_name(who, labels) if who in self.catalog.registry.units or who == ALL_UNITS else who

    def page(self, page: GeneratedPage) -> str:
        """The content of a generated listing page."""
        html = self._render(page.template, page.src_uri, page=page, **page.context)
        return html.replace(ROOT, root_of(self.urls.url(page.src_uri)))

    def home(self) -> str:
        """The live part of the home page: counts, upcoming meetings, latest bulletins."""
        return self._render("home.html", site.HOME)

    def directive_meta(self, directive: Directive) -> str:
        """The facts shown at the top of a directive's card on its bulletin's page."""
        return self._of_bulletin("directive_meta.html", directive.bulletin, d=directive)

    def follow_up_meta(self, follow_up: FollowUp) -> str:
        """The facts of a follow-up's card: its directive, that directive's state, what it changed."""
        return self._of_bulletin("follow_up_meta.html", self.catalog.bulletin_of(follow_up), f=follow_up,
                                 d=self.catalog.directive_of(follow_up))

    def bulletin_header(self, bulletin: Bulletin, changes: FileHistory | None = None) -> str:
        """Metadata of the bulletin, and when its file last changed in git and how often."""
        return self._of_bulletin("bulletin_header.html", bulletin, b=bulletin, changes=changes)

    def bulletin_footer(self, bulletin: Bulletin) -> str:
        return self._of_bulletin("bulletin_footer.html", bulletin, b=bulletin)
