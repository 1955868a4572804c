// Filters beside Material's search box (extra: bulletins: search: pagefind): by unit, type,
// year and status, from the directive data the index holds, the true number of bulletins
// found (Material counts only the best 20 it is given), and a button that lists 20 more.
//
// Loaded in the page's head, before Material's bundle: it notes the search worker Material
// starts (assets/safety-bulletins/search.js, which answers from Pagefind), so that the
// filters can be sent to that worker and no other (another tab of the site has its own).
// The choices and their words come from search-filters.json, made by the build in the
// site's language; every text is set as text, never as markup.
"use strict";
(() => {
  const RESULT = 3, FILTER = 100, MORE = 101;  // Material's message type; ours (search.js)
  const here = document.currentScript.src;
  const workerUrl = new URL("search.js", here).href;
  let worker = null;
  let last = null;  // the last answer: { found, shown, more }
  let moreButton = null;

  const NativeWorker = window.Worker;
  if (NativeWorker) {
    window.Worker = class extends NativeWorker {
      constructor(url, options) {
        super(url, options);
        if (new URL(url, document.baseURI).href === workerUrl) listen(this);
      }
    };
  }

  function listen(searchWorker) {
    worker = searchWorker;
    worker.addEventListener("message", ({ data: message }) => {
      if (!message || message.type !== RESULT) return;
      const { items = [], total = 0, more = false } = message.data || {};
      last = { found: total, shown: items.length, more };
      setTimeout(count, 0);  // after Material has written its own count
    });
  }

  let words = null;
  let meta = null;

  // Material writes its count ("20 matching documents") when it shows the answer; after it
  // has, say how many were found if that is more than it lists.
  // `found` is null when the worker does not know it (a unit or status chosen: it reads only
  // as many bulletins as it lists). The button to list more shows when there are more.
  function count() {
    if (moreButton) {
      const wasFocused = document.activeElement === moreButton;
      moreButton.hidden = !(last && last.more);
      // all listed: the focus goes back to the box, not to the page behind the search
      if (moreButton.hidden && wasFocused) document.querySelector(".md-search__input").focus();
    }
    if (!meta || !words || !last || !last.more) return;
    const text = (last.found === null ? words.some : words.more)
      .replace("{total}", last.found).replace("{shown}", last.shown);
    if (meta.textContent !== text) meta.textContent = text;
  }

  // After Material's count, before its list: Tab from the filters reaches it (Material's own
  // keys, which close the search on Tab, are kept out of it as out of the filters)
  function addMore(output) {
    moreButton = document.createElement("button");
    moreButton.type = "button";
    moreButton.classList.add("md-button", "sb-search-more");
    moreButton.textContent = words.show_more;
    moreButton.hidden = true;
    moreButton.addEventListener("click", () => {
      if (worker) worker.postMessage({ type: MORE });
    });
    moreButton.addEventListener("keydown", event => {
      if (event.key !== "Escape") event.stopPropagation();
      else document.activeElement.blur();
    });
    meta.after(moreButton);
    meta.setAttribute("aria-live", "polite");  // the count after a click on the button is read out
  }

  function chosen(bar) {
    const values = {};
    for (const select of bar.querySelectorAll("select")) if (select.value) values[select.name] = select.value;
    return values;
  }

  function build(data, form, output) {
    words = data.words;
    const bar = document.createElement("div");
    bar.className = "sb-search-filters";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", words.label);
    for (const filter of data.filters) {
      if (!filter.options.length) continue;
      const label = document.createElement("label");
      const name = document.createElement("span");
      name.textContent = filter.label;
      const select = document.createElement("select");
      select.name = filter.name;
      select.add(new Option(words.any, ""));
      for (const [value, text] of filter.options) select.add(new Option(text, value));
      select.addEventListener("change", () => {
        if (worker) worker.postMessage({ type: FILTER, data: chosen(bar) });
      });
      label.append(name, select);
      bar.append(label);
    }
    addMore(output);
    if (!bar.children.length) return;
    // Material closes the search on Tab and moves through results on the arrows, wherever
    // the focus is: in the filters, those keys are the filters' own (Escape still closes)
    bar.addEventListener("keydown", event => {
      if (event.key !== "Escape") event.stopPropagation();
      else document.activeElement.blur();  // the bar hides with the search: the focus must not stay in it
    });
    // Tab from the box goes to the filters instead of closing the search
    const input = form.querySelector(".md-search__input");
    input.addEventListener("keydown", event => {
      if (event.key === "Tab" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        event.stopPropagation();
        bar.querySelector("select").focus();
      }
    });
    output.prepend(bar);
  }

  function setup() {
    const form = document.querySelector('form[name="search"]');
    const output = document.querySelector(".md-search__output");
    meta = document.querySelector(".md-search-result__meta");
    if (!form || !output || !meta) return;
    new MutationObserver(count).observe(meta, { childList: true, characterData: true, subtree: true });
    fetch(new URL("search-filters.json", here))
      .then(response => (response.ok ? response.json() : null))
      .then(data => data && build(data, form, output))
      .catch(error => console.error("Search filters:", error));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
