"""One truth, checked (issue 20): for random corpora (tests/strategies.py `agreeing_corpus`: a unit
tree several levels deep, directives with responsible and supporting units, follow-ups that accept,
reopen, extend, escalate and cancel, a draft, an embargoed bulletin and one whose embargo lifts
between the two dates, an English or a Chinese site), a real `mkdocs build` at two as-of dates,
every output read back with a real parser (html.parser, csv, icalendar, xml.etree, json) and
compared with the catalog, unit by unit:

- unit pages (own rows by bucket, the support marks, the deadline in force, the sub-units' section,
  the counts of both) and the units index (own figures, Σ with sub-units, rates), the register, each
  directive's card, directives.json, directives.csv, the calendars, the feeds, the dashboard's tables;
- `bulletins due` (json, with and without --with-subunits) and `bulletins digest` (html, per unit,
  with and without sub-units: overdue, due soon, what changed since a day);
- each unit's one name in every output (on a Chinese site, its Chinese name);
- nothing of a draft or an embargoed bulletin in the site or in any command's output;
- every command (check, due, digest in each format, verify, new --review) runs without a traceback.

What a unit has is computed here from the directives, their states (the catalog's: status,
deadline in force, bucket, history) and the unit tree, not read from the catalog's per-unit
lists, so that a wrong roll-up in the catalog shows too; the expected words come from the label
catalogue (outputs/labels.py) in the site's language. Failures whose message ends in "[after D ...]"
are the defects issue 20 names, which helper D fixes: a parent that only supports a sub-unit's
directive undercounts, a reopened directive keeps its acceptance, a unit has two names on a Chinese
site. `DEFECTS` holds the three at their smallest.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import posixpath
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from icalendar import Calendar
from strategies import AGREE_AS_OF, AgreeingCorpus, agreeing_corpus
from helpers import SITE_YML, builds_forked, mkdocs, site_files
from test_properties import make_project

from safety_bulletins.catalog import Catalog, UnitEntry
from safety_bulletins.commands import cli
from safety_bulletins.outputs.dashboard import OLDEST
from safety_bulletins.outputs.labels import for_language
from safety_bulletins.outputs.spreadsheet import (code_columns, directive_columns, share_code_columns,
                                                   share_columns)
from safety_bulletins.model import ALL_UNITS, DATED_BUCKETS, Directive
from safety_bulletins.sources.project import load_project

settings.register_profile(
    "outputs-agree",
    deadline=None,  # real builds, on a loaded machine
    derandomize=True,  # the same corpora on every run: CI stays stable
    database=None,
    max_examples=5,  # and the explicit example: about 2 minutes on a loaded 2-core machine
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is three real builds
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
AFTER_D = "[after D: issue 20's defect, fixed on branch i20-d]"
RANK = {"responsible": 0, "support": 1, "acceptance": 2}




# ---------------------------------------------------------------- reading HTML back


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, *args, **kwargs) -> Node | None:
        found = self.find_all(*args, **kwargs)
        return found[0] if found else None

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class TreeBuilder(HTMLParser):
    """A page as a tree of nodes (html.parser does the tokenizing, entities included)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.open = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.open)
        self.open.children.append(node)
        if tag not in VOID:
            self.open = node

    def handle_startendtag(self, tag, attrs):
        self.open.children.append(Node(tag, dict(attrs), self.open))

    def handle_endtag(self, tag):
        node = self.open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # an end tag without its start is left alone
            self.open = node.parent

    def handle_data(self, data):
        self.open.children.append(data)


def html_tree(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def read_html(path: Path) -> Node:
    return html_tree(path.read_text(encoding="utf-8"))


def number(text: str) -> int:
    return int(text.strip())


def fragment(href: str) -> str:
    return unquote(urlsplit(href).fragment)


def pages_of(folder: Path) -> list[Path]:
    """A listing's first page and its numbered pages."""
    return [folder / "index.html", *(p / "index.html" for p in sorted(folder.iterdir()) if p.name.isdigit())]


def deadline_in_force(node: Node) -> dt.date | None:
    """The date a row's or card's deadline shows, not the original one struck through after an extension."""
    times = [t for t in node.find_all("time") if not any(a.tag == "del" for a in t.ancestors())]
    return dt.date.fromisoformat(times[0].attrs["datetime"]) if times else None


def listing_rows(pages: list[Path]) -> list[dict]:
    """Every directive row of a listing: its id, the row's bucket, the section it is in, whether it
    is in the sub-units' section, marked 'support', and its status cell."""
    rows = []
    for page in pages:
        for tr in read_html(page).find_all("tr", "sb-row"):
            link = next(a for a in tr.find_all("a") if "#" in (a.attrs.get("href") or ""))
            sections = [n for n in tr.ancestors() if n.tag == "section"]
            cells = [td for td in tr.children if isinstance(td, Node) and td.tag == "td"]
            rows.append({
                "id": fragment(link.attrs["href"]),
                "bucket": next(c[len("sb-row--"):] for c in tr.classes if c.startswith("sb-row--")),
                "section": next(s.attrs["data-sb-bucket"] for s in sections if "data-sb-bucket" in s.attrs),
                "sub": any("sb-subunits" in s.classes for s in sections),
                "support": tr.find("span", "sb-badge--support") is not None,
                "status": cells[4].text(),
                "owner": cells[3].text().strip(),
                "deadline": deadline_in_force(cells[0]),
            })
    return rows


# ---------------------------------------------------------------- what the catalog says


def accepted_in_force(catalog: Catalog, d: Directive) -> tuple[str, bool]:
    """Who accepted (or is to accept) the work after its history, and whether a reopening came after
    the last acceptance: a reopened directive's acceptance is over."""
    accepted, reopened = "", False
    for change in catalog.state_of(d).history:
        if change.reopen:
            accepted, reopened = "", True
        if change.accepted_by:
            accepted, reopened = change.accepted_by, False
    return accepted, reopened


class Truth:
    """Per unit, its directives and their roles, from the directives, their states and the tree."""

    def __init__(self, catalog: Catalog, language: str, hidden: list[str]):
        self.c = catalog
        self.hidden = hidden  # markers of the sources hidden at the as-of date: in no output
        self.registry = catalog.registry
        self.units = [u.id for u in catalog.units]
        self.labels = for_language(language)
        self.defects: list[str] = []

    def after_d(self, condition: bool, message: str) -> None:
        """A check of a defect issue 20 names, which helper D fixes: noted, and the example fails at its end
        with all of them (so that one run shows each output that still disagrees)."""
        if not condition:
            self.defects.append(message)

    def name(self, unit_id: str, language: str | None = None) -> str:
        """The unit's one display name in the site's language, or a bulletin's (model.Unit.name_in)."""
        return self.registry.units[unit_id].name_in(language or self.labels.language)

    def acceptor(self, who: str, language: str | None = None) -> str:
        return self.name(who, language) if who in self.registry.units else who

    def role(self, unit_id: str, d: Directive) -> str | None:
        if unit_id in d.units or (ALL_UNITS in d.units and unit_id in self.registry.receivers(d.bulletin.date)):
            return "responsible"  # `all`: not a committee's (receives_all: false) nor a unit's that joined later
        if unit_id in d.support:
            return "support"
        if any(s.acceptor == unit_id for s in self.share_states(d)):  # any unit's share it is to accept
            return "acceptance"
        return None

    def share_states(self, d: Directive) -> list:
        """Each responsible unit's share where they differ (follow-ups with `units:`), else the directive's state."""
        return [s for _, s in self.c.shares_of(d)] or [self.c.state_of(d)]

    def holders(self, scope, d: Directive) -> tuple[str, ...]:
        """The units of `scope` responsible for the directive, in the file's order: whose shares a
        listing of that scope shows (the unit's own; a roll-up's, derived from theirs)."""
        return tuple(u for u in self.units if u in scope and self.role(u, d) == "responsible")

    def entry(self, scope, d: Directive, role: str) -> UnitEntry:
        return UnitEntry(d, role, self.holders(scope, d) if role == "responsible" else ())

    def state(self, scope, d: Directive, role: str):
        """What a listing of `scope` (a unit, its sub-units, or both) shows of the directive: the
        shares of the units responsible there, or the directive's own state for another role."""
        return self.c.entry_state(self.entry(scope, d, role))

    def bucket(self, scope, d: Directive, role: str) -> str:
        return self.c.entry_bucket(self.entry(scope, d, role))

    def strongest(self, unit_ids, d: Directive) -> str | None:
        roles = [r for r in (self.role(u, d) for u in unit_ids) if r]
        return min(roles, key=RANK.__getitem__, default=None)

    def subtree(self, unit_id: str) -> list[str]:
        return [unit_id, *self.registry.descendants(unit_id)]

    def own(self, unit_id: str) -> dict[str, str]:
        """directive id -> the unit's role."""
        return {d.id: r for d in self.c.directives if (r := self.role(unit_id, d))}

    def below(self, unit_id: str) -> dict[str, str]:
        """What the sub-units' section lists: each directive of a sub-unit (any depth) in its strongest
        role among them, unless the unit's own role is as strong."""
        own = self.own(unit_id)
        found = {}
        for d in self.c.directives:
            role = self.strongest(self.registry.descendants(unit_id), d)
            if role and (d.id not in own or RANK[role] < RANK[own[d.id]]):
                found[d.id] = role
        return found

    def sigma(self, unit_id: str) -> dict[str, str]:
        """The unit with all its sub-units: each directive once, in its strongest role among them."""
        return {d.id: r for d in self.c.directives if (r := self.strongest(self.subtree(unit_id), d))}

    def counts(self, roles: dict[str, str], scope) -> Counter:
        by_id = {d.id: d for d in self.c.directives}
        return self.c.counts([self.entry(scope, by_id[i], r) for i, r in roles.items()])

    def due(self, roles: dict[str, str], scope) -> dict[str, str]:
        """What `bulletins due` lists of these by default: open, dated, due within the site's due-soon
        window (or overdue), not waiting for the unit."""
        by_id, within = {d.id: d for d in self.c.directives}, self.c.windows.due_soon
        return {i: r for i, r in roles.items() if r != "acceptance" and self.bucket(scope, by_id[i], r) in DATED_BUCKETS
                and (self.state(scope, by_id[i], r).deadline - self.c.as_of).days <= within}

    def responsible_states(self, scope, roles: dict[str, str] | None = None) -> list:
        """(directive, state) of what the scope is responsible for, each by its shares there."""
        return [(d, self.state(scope, d, "responsible")) for d in self.c.directives
                if (roles.get(d.id) if roles is not None else self.role(scope[0], d)) == "responsible"]


# ---------------------------------------------------------------- the comparisons


def check_unit_pages(site: Path, truth: Truth) -> None:
    c = truth.c
    by_id = {d.id: d for d in c.directives}
    for unit in truth.units:
        where = f"units/{unit}/ as of {c.as_of}"
        pages = pages_of(site / "units" / unit)
        rows = listing_rows(pages)
        own = truth.own(unit)
        mine = [r for r in rows if not r["sub"]]
        assert Counter(r["id"] for r in mine) == Counter(list(own)), f"{where}: the unit's own rows"
        for r in mine:
            d = by_id[r["id"]]
            bucket = truth.bucket([unit], d, own[d.id])  # its own share of it
            expected = "to-accept" if own[d.id] == "acceptance" else bucket
            if own[d.id] == "support" and expected != "closed":  # only supported: apart, never its overdue
                expected = "support"
            assert r["section"] == expected and r["bucket"] == bucket, f"{where}: {d.id} in {r}"
            assert r["support"] == (own[d.id] == "support"), f"{where}: {d.id}'s support mark"
            assert r["deadline"] == truth.state([unit], d, own[d.id]).deadline, f"{where}: {d.id}'s deadline in force"
            if d.owners and own[d.id] == "responsible":  # 责任人 per unit: this unit's own person
                assert r["owner"] == d.owner_of(unit), f"{where}: {d.id}'s owner {r['owner']!r}"
        first = read_html(pages[0])
        counts = truth.counts(own, [unit])
        summary = first.find("p", "sb-action")
        shown = {s.attrs["data-sb-count"]: number(s.text()) for s in summary.find_all("span") if "data-sb-count" in s.attrs}
        assert shown == {"overdue": counts["overdue"], "due-soon": counts["due-soon"]}, f"{where}: own counts {shown}"
        said = truth.labels("{soon} due within {due_soon_days} days, {open} open, {closed} closed.", soon=counts["due-soon"],
                            open=counts["open"], closed=counts["closed"])
        assert said in words(summary.text()), f"{where}: {words(summary.text())!r}, expected {said!r}"
        for phrase, name in (("{count} awaiting acceptance.", "awaiting-acceptance"),
                             ("{count} wait for this unit's acceptance.", "to-accept"),
                             ("{count} under supervision (escalated).", "escalated")):
            sentence = truth.labels(phrase, count=counts[name])
            assert (sentence in words(summary.text())) == bool(counts[name]), f"{where}: {words(summary.text())!r}, {name}"
        # the unit's own rates, about the unit: each kind's figures as the definitions give them
        about = first.find("section", "sb-about").find("p", "sb-rates")
        expected_rates = [truth.labels("{part} of {whole}", part=part, whole=due)
                          for due, closed, on_time in rates_by_definition(c, truth.responsible_states([unit], own))
                          for part in (closed, on_time)]
        assert re.findall(r"[(（]([^()（）]*)[)）]", words(about.text())) == expected_rates  # （） on a Chinese page, f"{where}: rates {words(about.text())!r}"
        title = words(first.find("h1").text())
        truth.after_d(title == truth.name(unit), f"{where}: the title {title!r}, the unit's name is {truth.name(unit)!r} (one name)")

        if not truth.registry.has_subunits(unit):
            assert not [r for r in rows if r["sub"]], f"{where}: a sub-units' section without sub-units"
            continue
        below = truth.below(unit)
        sub_rows = [r for r in rows if r["sub"]]
        own_roles = {i: own.get(i) for i in set(below) ^ {r["id"] for r in sub_rows}}
        truth.after_d(Counter(r["id"] for r in sub_rows) == Counter(list(below)),
                f"{where}: the sub-units' section lists {sorted(r['id'] for r in sub_rows)}, its sub-units have "
                f"{below} in a stronger role than the unit's own ({own_roles})")
        for r in sub_rows:
            if r["id"] not in below:
                continue
            assert r["support"] == (below[r["id"]] == "support"), f"{where}: {r['id']}'s support mark (sub-units)"
        section_page = next(read_html(p) for p in pages if read_html(p).find("section", "sb-subunits"))
        sub_counts = truth.counts(below, truth.registry.descendants(unit))
        paragraph = section_page.find("p", "sb-sub-counts")
        shown = {s.attrs["data-sb-count"]: number(s.text()) for s in paragraph.find_all("span") if "data-sb-count" in s.attrs}
        said = truth.labels("{open} open, {overdue} overdue, {soon} due within {due_soon_days} days, {closed} closed.",
                            open=sub_counts["open"], overdue=sub_counts["overdue"], soon=sub_counts["due-soon"],
                            closed=sub_counts["closed"])
        truth.after_d((shown, said in words(paragraph.text())) == (
            {"overdue": sub_counts["overdue"], "due-soon": sub_counts["due-soon"]}, True),
            f"{where}: the sub-units' counts {' '.join(paragraph.text().split())[:80]!r}, expected {dict(sub_counts)}")


def rates_by_definition(c: Catalog, items: list) -> list[tuple[int, int, int]]:
    """(due, done, done on time) per kind of work the unit has, meeting tasks (ungraded) first, then
    hidden dangers; meeting tasks alone when it has neither. Straight from the definitions of
    supervision bulletins: due = done, or open past the deadline in force at the as-of date;
    cancelled ones never count; both rates divide by what is due."""
    kinds = []
    for danger in (False, True):
        states = [s for d, s in items if (d.grade is not None) == danger]  # (directive, the unit's share)
        states = [s for s in states if s.status != "cancelled"]
        due = [s for s in states if s.status == "done" or (s.deadline is not None and s.deadline < c.as_of)]
        done = [s for s in due if s.status == "done"]
        kinds.append((bool(states), (len(due), len(done), sum(1 for s in done if s.on_time))))
    return [figures for has, figures in kinds if has] or [kinds[0][1]]


def own_fractions(td: Node) -> list[tuple[int, int]]:
    """The (part/whole) figures of a rate cell, before its Σ (the roll-up)."""
    text = "".join(ch if isinstance(ch, str) else ("" if "sb-rollup" in ch.classes else ch.text())
                   for ch in td.children)
    return [(int(a), int(b)) for a, b in re.findall(r"\((\d+)/(\d+)\)", text)]


def check_units_index(site: Path, truth: Truth) -> None:
    c = truth.c
    table = read_html(site / "units" / "index.html").find("table")
    seen = set()
    for tr in table.find("tbody").find_all("tr"):
        cells = [td for td in tr.children if isinstance(td, Node) and td.tag == "td"]
        unit = posixpath.normpath(posixpath.join("units", urlsplit(cells[0].find("a").attrs["href"]).path)).split("/")[1]
        seen.add(unit)
        where = f"units/ as of {c.as_of}, {unit}'s row"

        def own_figure(td: Node) -> int:  # the cell's first text, before Σ and "supported"
            return number(next(ch if isinstance(ch, str) else ch.text() for ch in td.children
                               if (ch if isinstance(ch, str) else ch.text()).strip()))

        def sigma(td: Node) -> int:
            return number(td.find("small", "sb-rollup").text().replace("Σ", ""))

        own = truth.counts(truth.own(unit), [unit])
        rates = rates_by_definition(c, truth.responsible_states([unit]))
        assert [own_fractions(td) for td in cells[5:7]] == [
            [(closed, due) for due, closed, _ in rates], [(on_time, due) for due, _, on_time in rates]], f"{where}: rates"
        figures = [own_figure(td) for td in cells[1:5]]
        assert figures == [own["open"], own["overdue"], own["due-soon"], own["awaiting-acceptance"]], f"{where}: {figures}"
        support = cells[1].find("small", "sb-support")
        assert (support.text() if support else "") == (
            truth.labels("+{open} supported", open=own["support-open"]) if own["support-open"] else ""), where
        name = words(cells[0].find("a").text())
        truth.after_d(name == truth.name(unit), f"{where}: named {name!r}, the unit's name is {truth.name(unit)!r} (one name)")
        if truth.registry.has_subunits(unit):
            rolled = truth.sigma(unit)
            roll = rates_by_definition(c, truth.responsible_states(truth.subtree(unit), rolled))
            sums = [[(int(a), int(b)) for a, b in re.findall(r"\((\d+)/(\d+)\)", td.find("small", "sb-rollup").text())]
                    for td in cells[5:7]]
            assert sums == [[(closed, due) for due, closed, _ in roll], [(on_time, due) for due, _, on_time in roll]], (
                f"{where}: Σ rates {sums}, expected {roll}")
            total = truth.counts(truth.sigma(unit), truth.subtree(unit))
            sums = [sigma(td) for td in cells[1:5]]
            truth.after_d(sums == [total["open"], total["overdue"], total["due-soon"], total["awaiting-acceptance"]],
                    f"{where}: Σ open, overdue, due soon, awaiting {sums}, expected "
                    f"{[total['open'], total['overdue'], total['due-soon'], total['awaiting-acceptance']]}")
        else:
            assert not tr.find("small", "sb-rollup"), f"{where}: Σ without sub-units"
    assert seen == set(truth.units), f"units/ as of {c.as_of}: rows for {sorted(seen)}"


def check_register(site: Path, truth: Truth) -> None:
    c = truth.c
    rows = listing_rows(pages_of(site / "directives"))
    assert Counter(r["id"] for r in rows) == Counter(d.id for d in c.directives), f"directives/ as of {c.as_of}"
    for r in rows:
        d = next(d for d in c.directives if d.id == r["id"])
        assert r["bucket"] == r["section"] == c.bucket_of(d), f"directives/ as of {c.as_of}: {r}"
        assert r["deadline"] == c.state_of(d).deadline, f"directives/ as of {c.as_of}: {d.id}'s deadline in force"
        check_acceptance_text(r["status"], truth, d, f"directives/ as of {c.as_of}, {d.id}'s row")


def words(text: str) -> str:
    return " ".join(text.split())


def check_acceptance_text(text: str, truth: Truth, d: Directive, where: str) -> None:
    c, acceptance = truth.c, truth.labels("Acceptance")
    if c.shares_of(d):  # accepted share by share: the card's table of shares says by whom
        return
    accepted, reopened = accepted_in_force(c, d)
    state = c.state_of(d)
    if reopened and not state.acceptor:
        truth.after_d(acceptance not in text, f"{where}: reopened, yet shows {words(text)!r}")
    if state.status in ("awaiting-acceptance", "done") and accepted:
        assert f"{acceptance}{truth.labels(': ')}{truth.acceptor(accepted)}" in words(text), f"{where}: {words(text)!r}"


def check_cards(site: Path, truth: Truth) -> None:
    """Each directive's card on its bulletin's page, in the bulletin's language: its deadline in force,
    status and acceptance."""
    c = truth.c
    for b in c.bulletins:
        if not b.directives:
            continue
        labels = for_language(b.language)
        page = read_html(site / "bulletins" / Path(b.rel_path).with_suffix("") / "index.html")
        cards = {}
        for dl in page.find_all("dl", "sb-facts"):
            terms = [n for n in dl.children if isinstance(n, Node)]
            facts = {words(term.text()): dd for term, dd in zip(terms[::2], terms[1::2])}
            if labels("Id") in facts:  # the bulletin's header is a list of facts too
                cards[words(facts[labels("Id")].text())] = facts
        assert set(cards) == {d.id for d in b.directives}, f"{b.rel_path} as of {c.as_of}: cards {sorted(cards)}"
        for d in b.directives:
            facts, state = cards[d.id], c.state_of(d)
            where = f"{b.rel_path} as of {c.as_of}: {d.id}'s card"
            accepted, reopened = accepted_in_force(c, d)
            acceptance = facts.get(labels("Acceptance"))
            if c.shares_of(d):  # accepted share by share: the card's table of shares says by whom
                pass
            elif reopened and not state.acceptor:
                truth.after_d(acceptance is None, f"{where}: reopened, yet accepted by {acceptance and words(acceptance.text())!r}")
            elif state.status in ("awaiting-acceptance", "done") and accepted:
                assert acceptance is not None and words(acceptance.text()) == truth.acceptor(accepted, b.language), where
            assert deadline_in_force(facts[labels("Deadline")]) == state.deadline, f"{where}: the deadline in force"
            # an open standing order is in force, never "Open"
            status = labels.BUCKETS["ongoing"] if (state.status, state.deadline) == ("open", None) else labels.STATUSES[state.status]
            assert words(facts[labels("Status")].text()).startswith(status), f"{where}: status"


def expected_record(c: Catalog, d: Directive) -> dict:
    state = c.state_of(d)
    return {"units": list(d.units), "support": list(d.support), "status": state.status, "bucket": c.bucket_of(d),
            "deadline": state.deadline.isoformat() if state.deadline else None}


def check_exports(site: Path, truth: Truth) -> None:
    c = truth.c
    by_id = {d.id: d for d in c.directives}
    data = json.loads((site / "directives.json").read_text(encoding="utf-8"))
    assert data["as_of"] == c.as_of.isoformat()
    records = {r["id"]: r for r in data["directives"]}
    assert Counter(r["id"] for r in data["directives"]) == Counter(list(by_id)), f"directives.json as of {c.as_of}"
    with open(site / "directives.csv", encoding="utf-8-sig", newline="") as f:
        # by the columns' keys: a Chinese site's headers are Chinese; the codes are in columns of their own
        header, *table = list(csv.reader(f))
        keys = [*directive_columns(), *code_columns()]
        assert len(header) == len(keys) and header[-len(code_columns()):] == list(code_columns())
        rows = {r["id"]: r for r in (dict(zip(keys, row)) for row in table)}
    assert set(rows) == set(by_id), f"directives.csv as of {c.as_of}"
    with open(site / "directives-by-unit.csv", encoding="utf-8-sig", newline="") as f:
        header, *table = list(csv.reader(f))
        keys = [*share_columns(), *share_code_columns()]
        assert len(header) == len(keys), f"directives-by-unit.csv as of {c.as_of}: {header}"
        for share in (dict(zip(keys, row)) for row in table):  # 责任人 of each unit's share
            assert share["owner"] == by_id[share["id"]].owner_of(share["unit_id"]), (
                f"directives-by-unit.csv as of {c.as_of}: {share}")
            written = dict(c.every_share(by_id[share["id"]]))[share["unit_id"]].deadline_written
            assert (share["deadline_written"] or None) == (written or None), (
                f"directives-by-unit.csv as of {c.as_of}: {share}'s deadline as written")
    for directive_id, d in by_id.items():
        record, row, expected = records[directive_id], rows[directive_id], expected_record(c, d)
        assert {k: record[k] for k in expected} == expected, f"directives.json as of {c.as_of}: {directive_id}"
        assert record["owners"] == dict(d.owners), f"directives.json as of {c.as_of}: {directive_id}'s owners"
        assert {s["unit"]: s["deadline_written"] for s in record["shares"]} == {
            unit: state.deadline_written or None for unit, state in c.shares_of(d)}, (
            f"directives.json as of {c.as_of}: {directive_id}'s shares' deadlines as written")
        assert (row["status_code"], row["deadline"] or None) == (expected["status"], expected["deadline"]), (
            f"directives.csv as of {c.as_of}: {directive_id}: {row}")
        written = c.state_of(d).deadline_written or None  # 立即, 月底前: the words, the day in `deadline`
        assert (record["deadline_written"], row["deadline_written"] or None) == (written, written), (
            f"directives.json/csv as of {c.as_of}: {directive_id}'s deadline as written")
        accepted, reopened = accepted_in_force(c, d)
        state = c.state_of(d)
        if c.shares_of(d):  # accepted share by share (directives.json's shares)
            continue
        if reopened:
            truth.after_d(record["accepted_by"] is None and not row["accepted_by_id"],
                    f"directives.json/csv as of {c.as_of}: {directive_id} was reopened, yet accepted_by "
                    f"{record['accepted_by']!r} / {row['accepted_by_id']!r}")
        elif state.status in ("awaiting-acceptance", "done"):
            assert record["accepted_by"] == (accepted or None) and row["accepted_by_id"] == accepted, (
                f"directives.json/csv as of {c.as_of}: {directive_id}")


def check_calendars(site: Path, truth: Truth) -> None:
    c = truth.c
    dated = {d.id: c.state_of(d).deadline for d in c.directives
             if not c.state_of(d).closed and c.state_of(d).deadline is not None}

    def events(path: Path) -> dict[str, dt.date]:
        calendar = Calendar.from_ical(path.read_bytes())
        return {str(e["UID"]).rpartition("@")[0]: e.decoded("DTSTART") for e in calendar.walk("VEVENT")
                if not str(e["UID"]).endswith("-meeting@" + str(e["UID"]).rpartition("@")[2])}

    assert events(site / "calendar" / "all.ics") == dated, f"calendar/all.ics as of {c.as_of}"
    for unit in truth.units:
        expected = {}
        for d in c.directives:
            holders = truth.holders(truth.subtree(unit), d)
            if not holders:
                continue
            if not c.shares_of(d):  # alike for every unit: the directive's event
                if d.id in dated:
                    expected[d.id] = dated[d.id]
                continue
            # its shares differ: the unit's own share's event, or the roll-up's of the sub-units holding it
            state = truth.state(truth.subtree(unit), d, "responsible")
            if not state.closed and state.deadline is not None:
                expected[f"{d.id}.{unit}" if holders == (unit,) else d.id] = state.deadline
        assert events(site / "calendar" / f"{unit}.ics") == expected, f"calendar/{unit}.ics as of {c.as_of}"
        name = str(Calendar.from_ical((site / "calendar" / f"{unit}.ics").read_bytes())["X-WR-CALNAME"])
        expected_name = f"{truth.name(unit)}: {truth.labels('Deadlines and meetings')}"
        truth.after_d(name == expected_name, f"calendar/{unit}.ics: named {name!r}, expected {expected_name!r} (one name)")


ATOM = "{http://www.w3.org/2005/Atom}"
SITE_NAME = "Test bulletins"  # helpers.SITE_YML's


def entry_titles(root: ET.Element, c: Catalog) -> Counter:
    """The bulletins' titles of a feed's entries, less what a later follow-up changed, which an
    entry's title adds after " — " (——in Chinese)."""
    known = sorted({b.title for b in c.bulletins}, key=len, reverse=True)

    def bulletin_title(title: str) -> str:
        return next((t for t in known if title == t or title.startswith((t + " — ", t + "——"))), title)

    return Counter(bulletin_title(e.findtext(f"{ATOM}title")) for e in root.iter(f"{ATOM}entry"))


def check_feeds(site: Path, truth: Truth) -> None:
    c = truth.c
    for unit in truth.units:
        root = ET.parse(site / "feeds" / "units" / f"{unit}.xml").getroot()
        titles = entry_titles(root, c)
        roles = {i: r for i, r in truth.sigma(unit).items() if r in ("responsible", "support")}
        members = {d.bulletin.title for d in c.directives if d.id in roles}
        # and the bulletins reporting on them for the unit's subtree: a follow-up for its units (or every unit)
        for f in c.follow_ups:
            d = c.directive_of(f)
            if d.id not in roles or c.change_of(f) is None:
                continue
            if roles[d.id] == "support" or not f.units or set(f.units) & set(truth.holders(truth.subtree(unit), d)):
                members.add(c.bulletin_of(f).title)
        assert titles == Counter(members), f"feeds/units/{unit}.xml as of {c.as_of}"
        title, expected = root.findtext(f"{ATOM}title"), SITE_NAME + truth.labels(": ") + truth.name(unit)
        truth.after_d(title == expected, f"feeds/units/{unit}.xml: titled {title!r}, expected {expected!r} (one name)")
    root = ET.parse(site / "feeds" / "all.xml").getroot()
    assert entry_titles(root, c) == Counter(b.title for b in c.bulletins)


def check_dashboard(site: Path, truth: Truth) -> None:
    c = truth.c
    page = read_html(site / "dashboard" / "index.html")
    labels = truth.labels
    names = {truth.name(u): u for u in truth.units}
    tables = page.find_all("table")

    def body_rows(table: Node) -> list[list[str]]:
        return [[" ".join(td.text().split()) for td in tr.children if isinstance(td, Node) and td.tag == "td"]
                for tr in table.find("tbody").find_all("tr")]

    headers = [[" ".join(th.text().split()) for th in t.find_all("th")] for t in tables]
    load = body_rows(tables[headers.index([labels(h) for h in ("Unit", "Open", "Overdue", "Due within {due_soon_days} days")])])
    truth.after_d(sorted(r[0] for r in load) == sorted(names), f"dashboard as of {c.as_of}: units named {[r[0] for r in load]}, "
            f"their names are {sorted(names)} (one name)")
    if sorted(r[0] for r in load) != sorted(names):
        return
    for name, *figures in load:
        own = truth.counts(truth.own(names[name]), [names[name]])
        assert list(map(int, figures)) == [own["open"], own["overdue"], own["due-soon"]], f"dashboard as of {c.as_of}: {name}"
    rates = body_rows(tables[headers.index([
        labels(h) if h == "Unit" else " / ".join(labels(w) for w in h) for h in
        ("Unit", ("Completion rate", "Rectification rate"), ("On-time completion rate", "On-time rectification rate"))])])
    for name, closure, on_time in rates:
        r = rates_by_definition(c, truth.responsible_states([names[name]]))
        assert ([(int(a), int(b)) for a, b in re.findall(r"\((\d+)/(\d+)\)", closure)] == [(closed, due) for due, closed, _ in r]
                and [(int(a), int(b)) for a, b in re.findall(r"\((\d+)/(\d+)\)", on_time)] == [(t, due) for due, _, t in r]), (
            f"dashboard as of {c.as_of}: {name}'s rates {closure}, {on_time}, expected {r}")
    overdue = sorted((c.state_of(d).deadline, d.id) for d in c.directives if c.bucket_of(d) == "overdue")
    section = page.find("section", id="sb-dash-oldest")
    oldest = section.find("table")
    if not overdue:
        assert oldest is None, f"dashboard as of {c.as_of}: an oldest overdue table without any overdue"
        return
    listed = [fragment(tr.find_all("td")[1].find("a").attrs["href"]) for tr in oldest.find("tbody").find_all("tr")]
    assert listed == [i for _, i in overdue][:OLDEST], f"dashboard as of {c.as_of}: oldest overdue {listed}"
    caption = labels("The {count} oldest of {total} overdue directives.", count=len(listed), total=len(overdue))
    assert caption in words(oldest.find("caption").text()), f"dashboard as of {c.as_of}: {oldest.find('caption').text()!r}"


# ---------------------------------------------------------------- the commands


def command(*argv: str, hidden: list[str] = ()) -> tuple[int, str, str]:
    """A command in-process (a crash is an exception with its stack): its exit code, stdout and stderr,
    which hold none of the `hidden` markers."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()  # csv and eml write bytes
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    out.flush()
    result = code, out.buffer.getvalue().decode("utf-8"), err.getvalue()
    assert "Traceback" not in result[1] + result[2]
    leaked = [m for m in hidden if m in result[1] + result[2]]
    assert not leaked, f"bulletins {' '.join(argv)} shows {leaked}, of sources that must stay hidden"
    return result


def check_due(truth: Truth) -> None:
    c = truth.c
    for subunits in (False, True):
        code, out, err = command("due", "--as-of", c.as_of.isoformat(), "--format", "json",
                                 *(["--with-subunits"] if subunits else []), hidden=truth.hidden)
        assert code == 0, err
        listed: dict[str, dict[str, str]] = {u: {} for u in truth.units}
        for r in json.loads(out)["directives"]:
            assert r["id"] not in listed[r["unit"]], f"due lists {r['id']} twice for {r['unit']}"
            listed[r["unit"]][r["id"]] = r["role"]
            # due speaks English whatever the site's language: either of the unit's names, never another
            assert r["unit_name"] in (truth.name(r["unit"]), truth.name(r["unit"], "en")), r
            d = next(d for d in c.directives if d.id == r["id"])
            scope = truth.subtree(r["unit"]) if subunits else [r["unit"]]
            state = truth.state(scope, d, truth.sigma(r["unit"])[d.id] if subunits else truth.role(r["unit"], d))
            assert r["deadline"] == state.deadline.isoformat() and r["status"] == state.status, (r, state)
        for unit in truth.units:
            expected = truth.due(truth.sigma(unit), truth.subtree(unit)) if subunits else truth.due(truth.own(unit), [unit])
            message = (f"due{' --with-subunits' if subunits else ''} as of {c.as_of}, {unit}: {listed[unit]}, "
                       f"expected {expected}")
            if subunits:
                truth.after_d(listed[unit] == expected, message)
            else:
                assert listed[unit] == expected, message
    for form in ("table", "csv"):
        for subunits in ((), ("--with-subunits",)):
            assert command("due", "--as-of", c.as_of.isoformat(), "--format", form, *subunits, hidden=truth.hidden)[0] == 0


def check_digest(truth: Truth) -> None:
    c = truth.c
    for unit in truth.units:
        for subunits in ((), ("--with-subunits",)) if truth.registry.has_subunits(unit) else ((),):
            code, out, err = command("digest", "--unit", unit, "--as-of", c.as_of.isoformat(), "--format", "html",
                                     *subunits, hidden=truth.hidden)
            assert code == 0, err
            page = html_tree(out)
            lists, heading = {}, None
            for node in page.find("body").children:
                if isinstance(node, Node) and node.tag == "h2":
                    heading = len(lists)
                    lists[heading] = []
                elif isinstance(node, Node) and node.tag == "table" and heading is not None:
                    lists[heading] = [fragment(a.attrs["href"]) for a in node.find_all("a")]
            scope = truth.subtree(unit) if subunits else [unit]
            roles = truth.sigma(unit) if subunits else truth.own(unit)
            mine = {i for i, r in roles.items() if r in ("responsible", "support")}
            by_id = {d.id: d for d in c.directives}
            # the unit's own work by bucket; what it only supports listed apart, after (never its overdue)
            by_bucket = {b: sorted(i for i in mine if roles[i] == "responsible" and truth.bucket(scope, by_id[i], roles[i]) == b)
                         for b in ("overdue", "due-soon")}
            supporting = sorted(i for i in mine if roles[i] == "support"
                                and truth.bucket(scope, by_id[i], roles[i]) in ("overdue", "due-soon"))
            where = f"digest --unit {unit} {' '.join(subunits)} as of {c.as_of}"
            assert sorted(lists.get(0, [])) == by_bucket["overdue"], f"{where}: overdue {lists.get(0)}"
            assert sorted(lists.get(1, [])) == by_bucket["due-soon"], f"{where}: due soon {lists.get(1)}"
            assert sorted(lists.get(2, [])) == supporting, f"{where}: supporting {lists.get(2)}"  # the news: no table
            subject = words(page.find("title").text())
            expected = truth.labels("Safety digest for {unit}: {overdue} overdue, {due} due within {due_soon_days} days ({date})",
                                    unit=truth.name(unit), overdue=len(by_bucket["overdue"]),
                                    due=len(by_bucket["due-soon"]), date=c.as_of.isoformat())
            truth.after_d(subject == expected, f"{where}: the subject {subject!r}, expected {expected!r} (one name)")
            check_digest_updates(truth, unit, subunits, scope, {i: roles[i] for i in mine})
            for form in ("text", "eml"):
                assert command("digest", "--unit", unit, "--as-of", c.as_of.isoformat(), "--format", form, *subunits,
                               hidden=truth.hidden)[0] == 0


def check_digest_updates(truth: Truth, unit: str, subunits: tuple, scope: list[str], mine: dict[str, str]) -> None:
    """What the digest lists as issued or changed since a day: each directive of the unit's (or a
    sub-unit's) issued then, and each follow-up of theirs dated then, up to the as-of date."""
    c, since = truth.c, dt.date(2026, 9, 1)
    code, out, err = command("digest", "--unit", unit, "--as-of", c.as_of.isoformat(), "--format", "html",
                             "--since", since.isoformat(), *subunits, hidden=truth.hidden)
    assert code == 0, err
    items = html_tree(out).find_all("li")
    listed = Counter((words(li.children[0]).split()[0], words(li.find("small").text()).strip("()（）")) for li in items)
    expected = Counter()
    for d in c.directives:
        if d.id not in mine:
            continue
        shown = max(d.bulletin.date, d.bulletin.publish or d.bulletin.date)
        if since <= shown <= c.as_of:
            expected[d.bulletin.date.isoformat(), d.id] += 1
        for change in truth.state(scope, d, mine[d.id]).history:  # the changes of the scope's shares
            if since <= change.follow_up.date:
                expected[change.follow_up.date.isoformat(), d.id] += 1
    assert listed == expected, f"digest --unit {unit} {' '.join(subunits)} --since {since} as of {c.as_of}: {listed}"


# ---------------------------------------------------------------- the property


def published_with(site: Path, markers: list[str]) -> list[tuple[str, str]]:
    """The files of the site holding a marker (Pagefind's gzipped chunks read as text)."""
    return [(str(path.relative_to(site)), m) for path, data in site_files(site).items()
            for m in markers if m.encode() in data]


# The defects issue 20 names, at their smallest, on a Chinese site: Unit 1 (under Unit 0) is responsible
# for D-1, overdue, which Unit 0 only supports; D-2 was accepted, then reopened.
DEFECTS = AgreeingCorpus(
    files={
        "units.yml": "- id: u0\n  name: Unit 0 Works\n  name_zh: 第0工区\n"
                     "- id: u1\n  name: Unit 1 Team\n  name_zh: 第1班组\n  parent: u0\n",
        "2026/2026-03-02-meeting-0.md": "---\ntitle: \"Meeting 0\"\ndate: 2026-03-02\ntype: minutes\nissuer: u0\n---\n\n"
            "/// directive | Directive D-1\n    id: D-1\n    units: [u1]\n    support: [u0]\n    deadline: 2026-10-01\n\n"
            "Carry out work D-1.\n///\n\n"
            "/// directive | Directive D-2\n    id: D-2\n    units: [u1]\n    deadline: 2026-10-01\n\nCarry out work D-2.\n///\n",
        "2026/2026-09-10-inspection-0.md": "---\ntitle: \"Inspection 0\"\ndate: 2026-09-10\ntype: inspection\n---\n\n"
            "/// follow-up | accept D-2\n    directive: D-2\n    status: done\n    accepted_by: u0\n\nDone.\n///\n",
        "2026/2026-10-10-inspection-1.md": "---\ntitle: \"Inspection 1\"\ndate: 2026-10-10\ntype: inspection\n---\n\n"
            "/// follow-up | reopen D-2\n    directive: D-2\n    reopen: the fix did not hold\n\nAgain.\n///\n",
    },
    unit_ids=["u0", "u1"], markers=[], language="zh")


@pytest.fixture(autouse=True, scope="module")
def forked_rebuilds():
    """verify's rebuild forked from the warm MkdocsForks (helpers.builds_forked); module-wide: Hypothesis
    runs every example in one call of the test."""
    with pytest.MonkeyPatch.context() as patch:
        builds_forked(patch)
        yield


@settings(settings.get_profile("outputs-agree"))
@example(corpus=DEFECTS)
@given(corpus=agreeing_corpus())
def test_every_output_agrees_with_the_catalog(corpus: AgreeingCorpus):
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp), corpus.files)
        config = SITE_YML.replace("  name: material\n", f"  name: material\n  language: {corpus.language}\n", 1)
        assert config != SITE_YML
        (project / "mkdocs.yml").write_text(config, encoding="utf-8")
        loaded = load_project(project / "bulletins")
        assert not loaded.errors, "\n".join(map(str, loaded.errors))
        with contextlib.chdir(project), mock.patch.dict(os.environ, {"BULLETINS_TODAY": AGREE_AS_OF[0].isoformat()}):
            code, out, err = command("check")
            assert code == 0, out + err
        for as_of in AGREE_AS_OF:
            site = build_at(project, as_of)
            catalog = Catalog(loaded, as_of)
            hidden = [m for m in corpus.markers if as_of < AGREE_AS_OF[1] or m != corpus.lifted]
            truth = Truth(catalog, corpus.language, hidden)
            if corpus.lifted:  # the embargo lifts between the two dates: shown at the second (the search sees it)
                assert (f"{corpus.lifted}-1" in catalog.states) == (as_of == AGREE_AS_OF[1])
                assert bool(published_with(site, [corpus.lifted])) == (as_of == AGREE_AS_OF[1])
            assert not published_with(site, hidden), f"as of {as_of}: hidden sources published"
            check_unit_pages(site, truth)
            check_units_index(site, truth)
            check_register(site, truth)
            check_cards(site, truth)
            check_exports(site, truth)
            check_calendars(site, truth)
            check_feeds(site, truth)
            check_dashboard(site, truth)
            with contextlib.chdir(project), mock.patch.dict(os.environ, {"BULLETINS_TODAY": as_of.isoformat()}):
                check_due(truth)
                check_digest(truth)
                assert command("digest", "--unit", "all", "--since", "2026-01-01", hidden=hidden)[0] == 0
                if as_of == AGREE_AS_OF[1]:
                    code, out, err = command("verify", str(site), hidden=hidden)
                    assert code == 0, out + err
                    code, out, err = command("new", "minutes", "--title", "Review", "--review", "--date",
                                             as_of.isoformat())
                    assert code == 0, out + err
                    assert command("check")[0] == 0
            shutil.rmtree(site)
            assert not truth.defects, "\n".join([*truth.defects[:12], f"({len(truth.defects)} in all) {AFTER_D}"])


def build_at(project: Path, as_of: dt.date) -> Path:
    result = mkdocs(project, "build", "--site-dir", "site", as_of=as_of.isoformat())
    assert result.returncode == 0, result.stderr[-3000:]
    return project / "site"
