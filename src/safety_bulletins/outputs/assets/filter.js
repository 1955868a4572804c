/* Safety Bulletins: filter the rows of the register and the unit pages in the reader's browser.
 *
 * The filter lives in the query string (?unit=property&status=open&text=灭火器), so a copied link
 * opens the same view: it survives a sub-path and file:// (where a server would ignore it
 * anyway), and it leaves the fragment to the anchors of the page (#overdue from the home page,
 * the permalinks of the headings). Each row carries its facts as words (data-sb-f="open minutes
 * 2026 @property", see outputs/filters.py); its bucket is its class, which live.js changes on the reader's day
 * (and then tells us, with the event "sb:live", to filter again). Nothing is fetched: on a
 * listing cut into pages the filter sees the page shown, says so, and its page links keep it.
 * Without JavaScript the controls stay hidden and every row is listed.
 */
(function () {
  "use strict";
  // The form's selects, as the page offers them: unit, bucket, status, the directive's options
  // the field spec (fields.py) makes filterable (grade...), type, year. Each but unit and bucket
  // is a word of data-sb-f (the units are @id). Their names are the keys of the query string, in
  // this order; not `q` or `h`: Material opens its search with ?q= and highlights ?h=
  var SELECTS = [];
  var FACTS = [];
  var KEYS = [];

  function controls(form) {
    SELECTS = Array.prototype.map.call(form.querySelectorAll("select[name]"), function (select) { return select.name; });
    FACTS = SELECTS.filter(function (name) { return name !== "unit" && name !== "bucket"; });
    KEYS = SELECTS.concat(["escalated", "text"]);
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // Full-width letters and digits as ASCII, any case: what a reader types matches what is written
  function fold(text) {
    return (text.normalize ? text.normalize("NFKC") : text).toLowerCase();
  }

  function bucketOf(row) {
    var section = row.closest("section.sb-bucket");
    // a unit's own sections: what waits for its acceptance, what it only supports (whatever the row's date)
    var own = section && section.getAttribute("data-sb-bucket");
    if (own === "to-accept" || own === "support") return own;
    var match = /(?:^|\s)sb-row--([a-z-]+)/.exec(row.className);
    return match ? match[1] : "";
  }

  function textOf(row) {
    var link = row.querySelector('a[href*="#"]');  // the directive, on its bulletin's page: its id
    var id = link ? link.getAttribute("href").split("#")[1] : "";
    try { id = decodeURIComponent(id); } catch (error) { /* an id is shown as written */ }
    return fold(row.textContent + " " + id);
  }

  function has(list, word) {
    return (" " + (list || "") + " ").indexOf(" " + word + " ") >= 0;
  }

  function matches(row, want) {
    var facts = row.getAttribute("data-sb-f");
    // a directive to all is the chosen unit's too, unless it was issued before the unit joined (!id)
    if (want.unit && !has(facts, "@" + want.unit) && (!has(facts, "@all") || has(facts, "!" + want.unit))) return false;
    if (want.bucket && bucketOf(row) !== want.bucket) return false;
    for (var i = 0; i < FACTS.length; i++) {
      if (want[FACTS[i]] && !has(facts, want[FACTS[i]])) return false;
    }
    if (want.escalated && !has(facts, "escalated")) return false;
    if (want.words.length) {
      var text = textOf(row);
      for (var j = 0; j < want.words.length; j++) {
        if (text.indexOf(want.words[j]) < 0) return false;
      }
    }
    return true;
  }

  function read(form) {
    var want = {escalated: form.elements.escalated.checked, text: form.elements.text.value};
    SELECTS.forEach(function (name) { want[name] = form.elements[name].value; });
    want.words = fold(want.text).split(/\s+/).filter(Boolean);
    return want;
  }

  // The controls as the URL says; a value the page does not offer is added as it is, so that
  // the link still shows what it asks for (no row, and says so) instead of something else
  function load(form) {
    var params = new URLSearchParams(window.location.search);
    SELECTS.forEach(function (name) {
      var select = form.elements[name];
      var value = params.get(name) || "";
      if (value && !Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
        select.add(new Option(value, value));
      }
      select.value = value;
    });
    form.elements.escalated.checked = !!params.get("escalated");
    form.elements.text.value = params.get("text") || "";
  }

  function query(want, except) {
    var params = new URLSearchParams(window.location.search);
    KEYS.forEach(function (name) { params.delete(name); });
    KEYS.forEach(function (name) {
      if (name === except) return;
      if (name === "escalated") { if (want.escalated) params.set(name, "1"); }
      else if (want[name]) params.set(name, want[name]);
    });
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function withQuery(link, search) {
    if (!link.hasAttribute("data-sb-base")) link.setAttribute("data-sb-base", link.getAttribute("href") || "");
    var base = link.getAttribute("data-sb-base").split("?")[0];
    var hash = base.indexOf("#") >= 0 ? base.slice(base.indexOf("#")) : "";
    link.setAttribute("href", base.split("#")[0] + search + hash);
  }

  function apply(box) {
    var form = box.querySelector("form");
    var labels = JSON.parse(box.getAttribute("data-sb-labels"));
    var want = read(form);
    var rows = document.querySelectorAll("tr.sb-row");
    var shown = 0;
    rows.forEach(function (row) {
      var keep = matches(row, want);
      row.hidden = !keep;
      shown += keep ? 1 : 0;
    });
    // a bucket's heading only over rows that are shown (live.js hides the empty ones the same way)
    var filtering = want.escalated || want.words.length > 0 || SELECTS.some(function (name) { return want[name]; });
    document.querySelectorAll("section.sb-bucket").forEach(function (section) {
      section.hidden = !section.querySelector("tbody tr:not([hidden])");
      // closed items are folded away; a filter that finds some among them unfolds them
      var folded = section.querySelector("details.sb-closed");
      if (folded && filtering && !section.hidden) folded.open = true;
    });
    var paged = !!document.querySelector("nav.sb-pager");
    var status = fill(paged ? labels.page : labels.count, {shown: shown, total: rows.length});
    if (!shown) status += " " + labels.none;
    var line = box.querySelector(".sb-filter__status");
    if (line.textContent !== status) line.textContent = status;
    var summary = box.querySelector(".sb-filter__summary");
    if (summary) {
      var said = fill(labels.summary, {filters: described(form, want).join(" · ") || labels.no_filter});
      if (summary.textContent !== said) summary.textContent = said;
    }

    var search = query(want);
    var here = window.location.href.split(/[?#]/)[0];
    try {
      window.history.replaceState(window.history.state, "", here + search + window.location.hash);
    } catch (error) { /* a browser that refuses it for file://: the view is right, the link stays as it was */ }
    document.querySelectorAll("nav.sb-pager a").forEach(function (link) { withQuery(link, search); });
    var unitPage = box.querySelector(".sb-filter__unit-page");
    if (unitPage) {
      var option = form.elements.unit.selectedOptions[0];
      var href = option && option.getAttribute("data-sb-href");
      unitPage.hidden = !href;
      if (href) {
        unitPage.setAttribute("data-sb-base", href);
        withQuery(unitPage, query(want, "unit"));
        unitPage.textContent = fill(labels.unit_page, {unit: option.text});
      }
    }
  }

  // The active filter in words, for the summary of the folded form: "Unit = Energy · Overdue"
  function described(form, want) {
    var parts = [];
    SELECTS.forEach(function (name) {
      var select = form.elements[name];
      if (!want[name] || !select.selectedOptions[0]) return;
      var text = select.selectedOptions[0].text;
      parts.push(name === "unit" ? labelOf(select) + " = " + text : text);
    });
    if (want.escalated) parts.push(labelOf(form.elements.escalated));
    if (want.words.length) parts.push("“" + want.text.trim() + "”");
    return parts;
  }

  function labelOf(control) {
    var label = control.closest("label");
    var words = "";
    label.childNodes.forEach(function (node) { if (node.nodeType === 3) words += node.textContent; });
    return words.trim();
  }

  // Folded on a narrow screen (the stylesheet's phone width), open on a wider one
  var NARROW = window.matchMedia ? window.matchMedia("(max-width: 44.9375em)") : null;

  function foldForWidth(box) {
    var details = box.querySelector("details.sb-filter__fold");
    if (details && NARROW) details.open = !NARROW.matches;
  }

    function current() {
    return document.querySelector(".sb-filter[data-sb-labels]");
  }

  function run() {
    var box = current();
    if (!box || !document.querySelector("tr.sb-row")) return;
    var form = box.querySelector("form");
    controls(form);
    load(form);
    form.addEventListener("input", function () { apply(box); });
    form.addEventListener("change", function () { apply(box); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { window.setTimeout(function () { apply(box); }, 0); });
    foldForWidth(box);
    box.hidden = false;
    apply(box);
  }

  if (NARROW) {
    var onWidth = function () { var box = current(); if (box) foldForWidth(box); };
    if (NARROW.addEventListener) NARROW.addEventListener("change", onWidth); else NARROW.addListener(onWidth);
  }

  // live.js moved rows to the reader's buckets: filter them again
  document.addEventListener("sb:live", function () {
    var box = current();
    if (box && !box.hidden) apply(box);
  });

  // Material loads pages in place with navigation.instant; without it, once per load
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(run);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
