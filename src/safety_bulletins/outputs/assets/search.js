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
const PAGES = 20;  // results fetched per query: Material lists them ten at a time
const SITE = new URL("../../", self.location.href);  // this script is assets/safety-bulletins/search.js
const ALL_UNITS = "all";  // a directive to every unit is for the unit chosen too

let pagefind = null;
let latest = 0;  // answers to a query overtaken by the next keystroke are dropped
let query = "";  // the last query asked: a change of filters answers it again
let filters = {};

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

// One result in Material's shape: the page, then its matching sections (a directive's
// card is one: its heading carries the directive's id). Material shows the sections
// that score as high as the page and folds the others under "n more on this page", so
// the page scores as its best section.
function items(page, score, terms) {
  const meta = page.meta || {};
  const line = [meta.type, meta.date].filter(Boolean).map(escape).join(" · ");
  const title = escape(meta.title || page.url) + (line ? ` <small>${line}</small>` : "");
  const sections = (page.sub_results || [])
    .filter(section => section.anchor && section.anchor.id)
    .map(section => ({
      location: fromRoot(section.url), title: escape(section.title), text: excerpt(section.excerpt), terms,
      score: (section.weighted_locations || []).reduce((sum, word) => sum + word.balanced_score, 0),
    }))
    .sort((a, b) => b.score - a.score);
  const best = sections.length ? sections[0].score : score;
  return [{ location: fromRoot(page.url), title, text: excerpt(page.excerpt), score: best, terms }, ...sections];
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

// Material's result, plus `total`: how many bulletins match (Material counts the items it
// is given, which are the best PAGES of them; search-filters.js shows the total)
async function search(text) {
  const module = await load();
  const found = module && text.trim() ? await module.search(text, { filters: pagefindFilters(filters) }) : null;
  if (!found) return { items: [], total: 0 };
  const terms = Object.fromEntries(text.split(/\s+/).filter(Boolean).map(term => [term, true]));
  const results = found.results.slice(0, PAGES);
  const pages = await Promise.all(results.map(result => result.data()));
  return { items: pages.map((page, n) => items(page, results[n].score, terms)), total: found.results.length };
}

async function answer() {
  const asked = ++latest;
  let result;
  try {
    result = await search(query);
  } catch (error) {  // a chunk that failed to load: say nothing was found rather than hang
    console.error("Search failed:", error);
    result = { items: [], total: 0 };
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
    query = String(message.data);
    await answer();
  } else if (message.type === FILTER) {
    filters = message.data || {};
    if (query.trim()) await answer();  // Material shows the new answer as if typed
  }
});
