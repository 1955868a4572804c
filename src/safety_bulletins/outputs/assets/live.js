/* Safety Bulletins: keep a page's deadlines true on the reader's day.
 *
 * A page is built for an as-of date; read days later, its buckets ("due within 7 days": the
 * site's window, which the page carries), counts and "days overdue" would be stale. The
 * build writes the deadlines as data (data-sb-deadline on rows and cards, data-sb-deadlines
 * on counts: how many open items fall due on each day from the as-of date on), and this
 * script recounts them against the reader's date: rows move to their bucket, badges, counts
 * and days change, and the as-of note says which date the page now shows. Without it the
 * page stays as built, and says so. What is overdue at the as-of date stays overdue; a
 * reader's date before it changes nothing.
 */
(function () {
  "use strict";
  var DAY = 86400000;
  var DATED = ["overdue", "due-soon", "upcoming", "later"];

  function parse(text) {
    var parts = text.split("-");
    var day = new Date(0);
    // not Date.UTC: it reads years 0 to 99 as 1900 to 1999, and deadlines of year 1 exist
    day.setUTCFullYear(+parts[0], +parts[1] - 1, +parts[2]);
    return day.getTime();
  }

  function today() {
    var now = new Date();
    return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  }

  function iso(time) {
    return new Date(time).toISOString().slice(0, 10);
  }

  // The bucket rule's thresholds in days, as the build used them (State.bucket): the page
  // carries them (data-sb-windows on the as-of note), so a site that sets its own window
  // (due_soon_days, upcoming_days in mkdocs.yml) moves rows as its build does
  var windows = null;

  // A phase not begun (State.started: `from:`) is 'later' until its first day, never due before
  function bucket(deadline, now, starts) {
    if (starts && now < starts) return "later";
    var left = Math.round((deadline - now) / DAY);
    if (left < 0) return "overdue";
    if (left <= windows.due_soon) return "due-soon";
    if (left <= windows.upcoming) return "upcoming";
    return "later";
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // "1 day overdue", not "1 days overdue": the page carries both forms of a counted phrase
  function counted(labels, name, n) {
    return fill(n === 1 && labels[name + "_one"] ? labels[name + "_one"] : labels[name], {n: n});
  }

  function swapClass(element, prefix, name) {
    element.className = element.className.replace(new RegExp(prefix + "[a-z-]+"), prefix + name);
  }

  function starts(element) {
    var text = element.getAttribute("data-sb-starts");
    return text ? parse(text) : null;
  }

  function showDays(element, deadline, now, labels) {
    // the row's, and the printed ledger's column of days overdue
    element.querySelectorAll(".sb-days, .sb-days-ledger").forEach(function (days) {
      days.textContent = bucket(deadline, now, starts(element)) === "overdue" ? counted(labels, "overdue", Math.round((now - deadline) / DAY)) : "";
    });
  }

  function insertByDeadline(tbody, row) {
    var rows = tbody.querySelectorAll("tr[data-sb-deadline]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i] !== row && rows[i].getAttribute("data-sb-deadline") > row.getAttribute("data-sb-deadline")) {
        tbody.insertBefore(row, rows[i]);
        return;
      }
    }
    tbody.appendChild(row);
  }

  // a bucket's section among its own set: a unit's page has a second set for its sub-units
  function sibling(section, selector) {
    var children = section.parentNode.children;
    for (var i = 0; i < children.length; i++) {
      if (children[i].matches(selector)) return children[i];
    }
    return null;
  }

  function moveRows(now, labels) {
    document.querySelectorAll("tr[data-sb-deadline]").forEach(function (row) {
      var deadline = parse(row.getAttribute("data-sb-deadline"));
      var name = bucket(deadline, now, starts(row));
      showDays(row, deadline, now, labels);
      if (row.className.indexOf("sb-row--" + name) >= 0) return;
      swapClass(row, "sb-row--", name);
      var section = row.closest("section.sb-bucket");
      // what a unit only supports stays in its own section (配合): another unit's delay is not its own
      if (section && DATED.indexOf(section.getAttribute("data-sb-bucket")) < 0) return;
      var target = section && sibling(section, 'section.sb-bucket[data-sb-bucket="' + name + '"]');
      if (target) insertByDeadline(target.querySelector("tbody"), row);
    });
    document.querySelectorAll("section.sb-bucket").forEach(function (section) {
      if (DATED.indexOf(section.getAttribute("data-sb-bucket")) >= 0) section.hidden = !section.querySelector("tbody tr");
    });
  }

  function updateCards(now, labels) {
    document.querySelectorAll(".sb-live-deadline[data-sb-deadline]").forEach(function (element) {
      var deadline = parse(element.getAttribute("data-sb-deadline"));
      var name = bucket(deadline, now, starts(element));
      var badge = element.querySelector(".sb-badge");
      if (badge) {
        swapClass(badge, "sb-badge--", name);
        badge.textContent = labels.buckets[name];
      }
      showDays(element, deadline, now, labels);
      var card = element.closest(".sb-directive");
      if (card) swapClass(card, "sb-directive--", name);
    });
    document.querySelectorAll("[data-sb-oldest]").forEach(function (element) {
      element.textContent = counted(labels, "days", Math.round((now - parse(element.getAttribute("data-sb-oldest"))) / DAY));
    });
    document.querySelectorAll(".sb-waiting[data-sb-since]").forEach(function (element) {
      var since = parse(element.getAttribute("data-sb-since"));
      element.textContent = counted(labels, "waiting", Math.round((now - since) / DAY));
    });
  }

  function recount(now) {
    document.querySelectorAll("[data-sb-deadlines]").forEach(function (box) {
      var due = JSON.parse(box.getAttribute("data-sb-deadlines"));
      var counts = {"overdue": 0, "due-soon": 0, "upcoming": 0, "later": 0};
      // a key is a deadline, or `deadline@start` for a phase not begun when the page was built
      Object.keys(due).forEach(function (key) {
        var parts = key.split("@");
        counts[bucket(parse(parts[0]), now, parts[1] ? parse(parts[1]) : null)] += due[key];
      });
      box.querySelectorAll("[data-sb-count]").forEach(function (figure) {
        var name = figure.getAttribute("data-sb-count");
        // a figure inside a nested box (a unit's roll-up in its row) is that box's to count
        if (!(name in counts) || figure.closest("[data-sb-deadlines]") !== box) return;
        // what was overdue when the page was built is still overdue
        var built = name === "overdue" ? parseInt(figure.textContent, 10) || 0 : 0;
        figure.textContent = String(built + counts[name]);
      });
    });
  }

  function run() {
    var note = document.querySelector("[data-sb-as-of]");
    if (!note) return;
    var built = parse(note.getAttribute("data-sb-as-of"));
    var now = today();
    if (!(now > built)) return;
    var labels = JSON.parse(note.getAttribute("data-sb-labels"));
    windows = JSON.parse(note.getAttribute("data-sb-windows"));
    document.querySelectorAll("[data-sb-as-of]").forEach(function (element) {
      element.textContent = fill(labels.as_of, {today: iso(now), built: iso(built)});
    });
    moveRows(now, labels);
    updateCards(now, labels);
    recount(now);
    // rows changed bucket: the filter (filter.js) looks at them again
    document.dispatchEvent(new CustomEvent("sb:live"));
  }

  // Material wraps wide tables (the register's, on a phone) in a box that scrolls sideways:
  // a keyboard reaches it only if it can take the focus (axe: scrollable-region-focusable).
  function focusableTables() {
    document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
    });
  }

  // A printed bulletin says the day it was printed: the reader's date, in the bulletin's style
  function printStamp() {
    document.querySelectorAll("[data-sb-printed]").forEach(function (stamp) {
      var today = new Date();
      var y = today.getFullYear(), m = today.getMonth() + 1, d = today.getDate();
      var date = stamp.getAttribute("data-sb-date-style") === "zh" ? y + "年" + m + "月" + d + "日"
        : y + "-" + (m < 10 ? "0" : "") + m + "-" + (d < 10 ? "0" : "") + d;
      stamp.querySelector(".sb-print-stamp__printed").textContent = fill(stamp.getAttribute("data-sb-printed"), {date: date}) + " · ";
    });
  }
  window.addEventListener("beforeprint", printStamp);

  function start() {
    run();
    focusableTables();
    printStamp();
  }

  // Material loads pages in place with navigation.instant; without it, once per load
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
