// Answers Material's search box from Pagefind (extra: bulletins: search: pagefind).
//
// Material runs its search in a Web Worker and talks to it with four messages (SETUP,
// READY, QUERY, RESULT); the pages name this script as that worker, so Material's box, its
// keyboard handling, its result list and its highlighting stay as they are, and only the
// answers come from Pagefind, which fetches just the chunks of the index a query needs.
// Everything is fetched from this site, relative to this script: it works under any
// sub-path, and asks no other host.
"use strict";

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;  // Material's SearchMessageType
const FILTER = 100;  // ours: the filters chosen beside the box (search-filters.js), { unit: "...", year: "..." }
const MORE = 101;  // ours: the reader asked for the next PAGES results (search-filters.js)
const READ_PER_LISTED = 5;  // with a unit or status chosen: pages read (fragments fetched) per page listed, at most
const PAGES = 20;  // results fetched per query, and added on each MORE: Material lists them ten at a time
const SITE = new URL("../../", self.location.href);  // this script is assets/safety-bulletins/search.js
const ALL_UNITS = "all";
const CARD = "card";  // each card's anchor, units and status (outputs/pagefind.py CARD_FILTER), never filtered by  // a directive to every unit is for the unit chosen too

let pagefind = null;
let latest = 0;  // answers to a query overtaken by the next keystroke are dropped
let query = "";  // the last query asked: a change of filters answers it again
let filters = {};
let limit = PAGES;  // results listed for this query: grows on MORE, back to PAGES on a new query or filter

// Resolves to Pagefind, or to null on a site without it (no bulletins yet: nothing to find).
// A failure is not remembered: in the preview the index may land after the page has loaded.
function load() {
  pagefind = pagefind || import(new URL("pagefind/pagefind.js", SITE).href).then(async module => {
    await module.options({ baseUrl: "/", excerptLength: 24 });
    await module.init();
    return module;
  }).catch(() => {
    pagefind = null;
    return null;
  });
  return pagefind;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

// Pagefind's URLs start at the site's root ("/bulletins/..."); Material resolves a
// result's location against its own base, which is where the site is served.
function fromRoot(url) {
  return url.replace(/^\/+/, "");
}

// Pagefind's excerpts are escaped text with <mark>s; a word keeps its following space
// inside its <mark>, which Material would underline
function excerpt(text) {
  return (text || "").replace(/(\s+)<\/mark>/g, "</mark>$1");
}

// How well a card's anchor matches what was typed: a directive's id (ABC-2026-10-2) as a whole,
// its start (ABC-2026-10) or a part of it (2026-10-2). Pagefind splits ids at their hyphens and
// finds every card of the series alike: the one the reader typed comes first.
function idMatch(anchor, typed) {
  const id = anchor.toLowerCase();
  let best = 0;
  for (const term of typed) {
    if (term.length < 2) continue;
    if (id === term) best = Math.max(best, 3);
    else if (id.startsWith(term)) best = Math.max(best, 2);
    else if (term.includes("-") && id.includes(term)) best = Math.max(best, 1);
  }
  return best;
}

// The query as Pagefind finds it: its index holds the parts of an id (ABC, 2026, 10, 2) and of a
// document number (新区商投安, 2026, 12号), while a query word with punctuation inside is looked up
// whole (xqst-2026-10 finds nothing): punctuation between words is a space. Quotes stay (a phrase).
function forPagefind(text) {
  return text.replace(/[^\p{L}\p{N}\p{M}\s"]+/gu, " ");
}

// A document number as typed (新区商投安〔2026〕12号), spaces aside
function squeeze(text) {
  return String(text || "").replace(/\s+/g, "").toLowerCase();
}

// Whether a card (a directive's id, a follow-up's anchor) is one of the chosen unit's and
// status's: the page's `card` filter values (outputs/pagefind.py) hold each card's directive's units and status.
function cardMatches(card, chosen) {
  if (!card) return false;
  const unit = chosen.unit, status = chosen.status;
  // a card to every unit is the chosen unit's too, unless issued before the unit joined ("!id")
  if (unit && !(card.units.includes(unit)
                || (unit !== ALL_UNITS && card.units.includes(ALL_UNITS) && !card.units.includes("!" + unit)))) return false;
  return !status || card.status === status;
}

// The filters that act at the directive: only cards that match are listed, not whole bulletins
function cardFilter(chosen) {
  const found = {};
  for (const name of ["unit", "status"]) {
    if (chosen && typeof chosen[name] === "string" && chosen[name]) found[name] = chosen[name];
  }
  return Object.keys(found).length ? found : null;
}

// One result in Material's shape: the page, then its matching sections (a directive's
// card is one: its heading carries the directive's id). Material shows the sections
// that score as high as the page and folds the others under "n more on this page", so
// the page scores as its best section. With a unit or status chosen, only the cards of
// that unit or status are listed, and a page without one is no result (null).
function items(page, score, terms, typed, byCard) {
  const meta = page.meta || {};
  const line = [meta.type, meta.date, meta.number].filter(Boolean).map(escape).join(" · ");
  const title = escape(meta.title || page.url) + (line ? ` <small>${line}</small>` : "");
  const cards = {};
  for (const value of (page.filters && page.filters[CARD]) || []) {
    try {
      const [anchor, units, status] = JSON.parse(value);
      cards[anchor] = { units, status };
    } catch (error) {}  // not ours: that card is not listed under a filter
  }
  const sections = (page.sub_results || [])
    .filter(section => section.anchor && section.anchor.id)
    .filter(section => !byCard || cardMatches(cards[section.anchor.id], byCard))
    .map(section => ({
      location: fromRoot(section.url), title: escape(section.title), text: excerpt(section.excerpt), terms,
      match: idMatch(section.anchor.id, typed),
      score: (section.weighted_locations || []).reduce((sum, word) => sum + word.balanced_score, 0),
    }))
    .sort((a, b) => b.match - a.match || b.score - a.score);
  if (byCard && !sections.length) return null;
  const whole = typed[typed.length - 1];  // the query, spaces aside: a number is not found by its year alone
  const numbered = meta.number && whole.length >= 4 && /\D/.test(whole) && squeeze(meta.number).includes(whole) ? 1 : 0;
  const match = Math.max(numbered, ...sections.map(section => section.match));
  const best = sections.length ? Math.max(...sections.map(section => section.score)) : score;
  sections.forEach(section => {
    if (section.match) section.score = best;  // the cards typed: shown, not folded under "more on this page"
    delete section.match;
  });
  // with a card filter, the page's own excerpt may come from another unit's text: the cards say it
  const first = { location: fromRoot(page.url), title, text: byCard ? "" : excerpt(page.excerpt), score: best, terms };
  return { match, list: [first, ...sections] };
}

// Pagefind's filters from the chosen values: a unit matches its own directives and those to
// every unit. Only the known names, each a string: the message comes from our page script.
function pagefindFilters(chosen) {
  const found = {};
  for (const name of ["unit", "type", "year", "status"]) {
    const value = chosen && chosen[name];
    if (typeof value !== "string" || !value) continue;
    found[name] = name === "unit" && value !== ALL_UNITS ? { any: [value, ALL_UNITS] } : value;
  }
  return found;
}

// Material's result, plus `total`: how many bulletins match, or null when not known (Material
// counts the items it is given, which are the best `limit` of them; search-filters.js shows the
// total), and `more`: whether there are more to list (MORE lists them). With a unit or status
// chosen, Pagefind's pages are those with a card of it, but maybe not where the words are: pages
// are read PAGES at a time until `limit` of them have a matching card.
async function search(text) {
  const module = await load();
  const words = forPagefind(text);
  const found = module && words.trim() ? await module.search(words, { filters: pagefindFilters(filters) }) : null;
  if (!found) return { items: [], total: 0, more: false };
  const typed = text.split(/\s+/).filter(Boolean);
  const terms = Object.fromEntries(typed.map(term => [term, true]));
  typed.forEach((term, n) => { typed[n] = term.toLowerCase(); });
  typed.push(squeeze(text));
  const byCard = cardFilter(filters);
  const kept = [];
  let read = 0;
  // at most READ_PER_LISTED pages read per page listed: where the words are rarely in the chosen
  // unit's cards, the rest waits for MORE rather than fetching every page found
  while (kept.length < limit && read < found.results.length && read < limit * READ_PER_LISTED) {
    const batch = found.results.slice(read, read + (byCard ? PAGES : limit - kept.length));
    const pages = await Promise.all(batch.map(result => result.data()));
    pages.forEach((page, n) => {
      const item = items(page, batch[n].score, terms, typed, byCard);
      if (item) kept.push(item);
    });
    read += batch.length;
  }
  const listed = kept.slice(0, limit);
  // what the reader typed as an id or a document number first, then Pagefind's order (a stable sort)
  const ordered = listed.map((item, n) => [item, n]).sort(([a, i], [b, j]) => b.match - a.match || i - j);
  const exhausted = read >= found.results.length;
  return {
    items: ordered.map(([item]) => item.list),
    total: byCard ? (exhausted ? kept.length : null) : found.results.length,
    more: kept.length > limit || !exhausted,  // the button: MORE reads on
  };
}

async function answer() {
  const asked = ++latest;
  let result;
  try {
    result = await search(query);
  } catch (error) {  // a chunk that failed to load: say nothing was found rather than hang
    console.error("Search failed:", error);
    result = { items: [], total: 0, more: false };
  }
  if (asked === latest) self.postMessage({ type: RESULT, data: result });
}

// Start loading Pagefind (its script, wasm and meta) now, not at Material's SETUP: Material
// sends that only once it has fetched its own (empty) index, a round trip the reader would
// otherwise wait for twice before the first answer
load();

self.addEventListener("message", async ({ data: message }) => {
  if (!message) return;
  if (message.type === SETUP) {
    await load();
    self.postMessage({ type: READY });
  } else if (message.type === QUERY) {
    if (String(message.data) !== query) limit = PAGES;
    query = String(message.data);
    await answer();
  } else if (message.type === FILTER) {
    filters = message.data || {};
    limit = PAGES;
    if (query.trim()) await answer();  // Material shows the new answer as if typed
  } else if (message.type === MORE) {
    limit += PAGES;
    if (query.trim()) await answer();
  }
});
