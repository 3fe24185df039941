// Karta's own script: live search in list filters, "/" focuses the global
// search, confirmation before moving a record to the trash, the deal
// board's drag-and-drop and lazy columns. Pages work without it.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (e.key === "/" && !typing) {
      var box = document.getElementById("global-search");
      if (box) { e.preventDefault(); box.focus(); box.select(); }
    }
  });

  document.querySelectorAll("form[data-live]").forEach(function (form) {
    var timer = null;
    var results = document.getElementById("results");
    function refresh() {
      var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
      fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html || !results) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("results");
          if (fresh) { results.replaceWith(fresh); results = fresh; history.replaceState(null, "", url); }
        });
    }
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 200); });
  });

  // Instants are sent in UTC; show them on the reader's clock: the zone of
  // their profile, the same one the server reads typed times in (the
  // browser's own zone may be another, and a task typed for 18:00 must
  // read 18:00).
  var lang = document.documentElement.lang || "ru";
  // British order and a 24-hour clock in English: a Russian firm's
  // English-speaking staff read 04/12/2026, 23:50 as the Russians do.
  var dateLocale = lang === "en" ? "en-GB" : lang;
  var offsetMinutes = parseInt(document.documentElement.getAttribute("data-utc-offset") || "", 10);
  function onClock(d, options) {
    if (isNaN(offsetMinutes)) { return d.toLocaleString(dateLocale, options); }
    options.timeZone = "UTC";
    return new Date(d.getTime() + offsetMinutes * 60000).toLocaleString(dateLocale, options);
  }
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) {
      // Inside a calendar's day the day is known: the time alone.
      var options = t.closest(".calendar .day")
        ? { hour: "2-digit", minute: "2-digit" }
        : { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
      t.textContent = onClock(d, options);
      t.title = t.getAttribute("datetime");
    }
  });

  // Pickers: an input with data-lookup offers the records whose name, code
  // or INN match what is typed (values are their codes, labels their names).
  document.querySelectorAll("input[data-lookup]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || !list) { return; }
      timer = setTimeout(function () {
        fetch(input.dataset.lookup + "?limit=10&q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (page) {
            if (!page) { return; }
            list.innerHTML = "";
            page.items.forEach(function (a) {
              var option = document.createElement("option");
              option.value = a.code;
              option.label = a.name + (a.inn ? " · " + a.inn : "");
              option.textContent = option.label;
              list.appendChild(option);
            });
          });
      }, 200);
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      // A button that only looks (compare, preview) asks nothing.
      if (e.submitter && e.submitter.hasAttribute("data-skip-confirm")) { return; }
      var lang = document.documentElement.lang;
      var question = form.getAttribute("data-confirm") ||
        (lang === "en" ? "Move to the trash?" : "Переместить в корзину?");
      if (!window.confirm(question)) { e.preventDefault(); }
    });
  });
  // The deal board. Listeners sit on the document because the board is
  // replaced after each move (fresh counts and sums from the server).
  var dragged = null;
  function refreshBoard() {
    fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var board = document.getElementById("board");
        if (!html || !board) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("board");
        if (fresh) { board.replaceWith(fresh); }
        var summary = document.getElementById("board-summary");
        var freshSummary = doc.getElementById("board-summary");
        if (summary && freshSummary) { summary.replaceWith(freshSummary); }
      });
  }
  function moveDeal(card, column, reason) {
    var board = document.getElementById("board");
    var body = new URLSearchParams();
    body.set("_csrf", board.dataset.csrf);
    body.set("version", card.dataset.version);
    body.set("stage_id", column.dataset.stage);
    if (reason) { body.set("loss_reason", reason); }
    column.querySelector("ol.cards").prepend(card);
    fetch("/deals/" + card.dataset.id + "/move", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        if (!res.ok) { window.alert(res.body.message || "Error"); }
        refreshBoard();
      })
      .catch(function () { refreshBoard(); });
  }
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest("#board li.deal");
    if (!card) { return; }
    dragged = card;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });
  document.addEventListener("dragover", function (e) {
    if (dragged && e.target.closest && e.target.closest("#board section.column")) { e.preventDefault(); }
  });
  // A move to "lost" first asks why.
  function moveTo(card, column) {
    if (card.closest("section.column") === column) { return; }
    if (column.dataset.kind !== "lost") { moveDeal(card, column, null); return; }
    var dialog = document.getElementById("loss-dialog");
    var reason = document.getElementById("loss-reason");
    reason.value = "";
    // Which deal is being lost, so the reason is given for the right one.
    document.getElementById("loss-deal").textContent = card.querySelector("a").textContent;
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "ok") { moveDeal(card, column, reason.value); }
    });
    dialog.showModal();
  }
  document.addEventListener("drop", function (e) {
    var column = e.target.closest && e.target.closest("#board section.column");
    var card = dragged;
    dragged = null;
    if (!column || !card) { return; }
    e.preventDefault();
    moveTo(card, column);
  });
  // Phones have no drag and drop: each card's ⇄ button picks the stage.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("#board li.deal .move-menu");
    if (!button) { return; }
    var card = button.closest("li.deal");
    var dialog = document.getElementById("move-dialog");
    var select = document.getElementById("move-stage");
    select.innerHTML = "";
    document.querySelectorAll("#board section.column").forEach(function (column) {
      var option = document.createElement("option");
      option.value = column.dataset.stage;
      option.textContent = column.getAttribute("aria-label");
      option.selected = column === card.closest("section.column");
      select.appendChild(option);
    });
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      var column = document.querySelector("#board section.column[data-stage='" + select.value + "']");
      if (dialog.returnValue === "ok" && column) { moveTo(card, column); }
    });
    dialog.showModal();
  });
  document.addEventListener("click", function (e) {
    var more = e.target.closest && e.target.closest("#board a[data-more]");
    if (!more) { return; }
    e.preventDefault();
    fetch(more.dataset.more, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
        var list = more.closest("section.column").querySelector("ol.cards");
        doc.querySelectorAll("li.deal").forEach(function (li) { list.appendChild(li); });
        var next = doc.querySelector("a[data-more]");
        if (next) { more.replaceWith(next); } else { more.remove(); }
      });
  });

  // Task reminders arrive live (Server-Sent Events) on every signed-in page.
  var remindersUrl = document.body.getAttribute("data-reminders");
  if (remindersUrl && window.EventSource) {
    var source = new EventSource(remindersUrl);
    source.addEventListener("reminder", function (e) {
      var r = JSON.parse(e.data);
      var box = document.getElementById("reminders");
      if (!box) {
        box = document.createElement("div");
        box.id = "reminders";
        box.className = "reminders";
        box.setAttribute("aria-live", "polite");
        document.body.appendChild(box);
      }
      var note = document.createElement(r.link ? "a" : "div");
      note.className = "reminder card";
      if (r.link) { note.href = r.link; }
      var when = new Date(r.due_at);
      note.textContent = "⏰ " + r.title + " — " + onClock(when, { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" });
      box.appendChild(note);
    });
  }
  // The section a page belongs to, for its help and its first-visit hint.
  var SECTIONS = [["/today", "today"], ["/leads", "leads"], ["/accounts", "accounts"],
    ["/contacts", "contacts"], ["/deals", "deals"], ["/pipelines", "deals"], ["/orders", "orders"],
    ["/invoices", "invoices"], ["/products", "products"], ["/price-lists", "products"],
    ["/contracts", "accounts"], ["/calendar", "calendar"], ["/control", "control"],
    ["/imports", "imports"], ["/admin", "settings"]];
  var section = null;
  SECTIONS.forEach(function (s) {
    if (!section && (location.pathname === s[0] || location.pathname.indexOf(s[0] + "/") === 0)) { section = s[1]; }
  });
  var helpHref = section ? "/help/" + section : "/help";
  ["help-link", "section-help"].forEach(function (id) {
    var a = document.getElementById(id);
    if (a) { a.href = helpHref; }
  });
  // Forms that come back to the page they were sent from.
  document.querySelectorAll("input.back-here").forEach(function (input) { input.value = location.pathname; });

  // On a person's first visit to a section, one line on what it is for.
  var hints = document.getElementById("hints");
  var seen = "karta-hint-" + section;
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  if (section && hints && store && !store.getItem(seen) && document.querySelector("main")) {
    var text = hints.querySelector('[data-section="' + section + '"]');
    if (text) {
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.id = "first-visit-hint";
      hint.setAttribute("role", "note");
      hint.appendChild(document.createTextNode(text.textContent + " "));
      var more = document.createElement("a");
      more.href = helpHref;
      more.textContent = hints.dataset.more;
      hint.appendChild(more);
      var ok = document.createElement("button");
      ok.type = "button";
      ok.className = "link";
      ok.textContent = hints.dataset.ok;
      ok.addEventListener("click", function () { store.setItem(seen, "1"); hint.remove(); });
      hint.appendChild(document.createTextNode(" "));
      hint.appendChild(ok);
      var main = document.querySelector("main");
      main.insertBefore(hint, main.firstChild);
    }
  }

  // Keys: / search, g then a letter goes to a section, n makes a new
  // record here, + opens the quick add, ? lists the keys.
  var GO = { t: "/today", l: "/leads", a: "/accounts", c: "/contacts", d: "/deals/board",
    o: "/orders", i: "/invoices", p: "/products", k: "/calendar" };
  var NEW = { accounts: "/accounts/new", contacts: "/contacts/new", deals: "/deals/new", leads: "/leads/new" };
  var goPressed = 0;
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    if (document.querySelector("dialog[open]")) { return; }
    var now = Date.now();
    if (goPressed && now - goPressed < 1500 && GO[e.key]) {
      e.preventDefault();
      goPressed = 0;
      location.href = GO[e.key];
      return;
    }
    goPressed = 0;
    if (e.key === "/") {
      var search = document.getElementById("global-search");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
    } else if (e.key === "g") {
      goPressed = now;
    } else if (e.key === "n") {
      var todayTask = section === "today" && document.querySelector("main form[action='/tasks'] input[name=title]");
      if (todayTask) { e.preventDefault(); todayTask.focus(); } else if (NEW[section]) { location.href = NEW[section]; }
    } else if (e.key === "+") {
      var quick = document.getElementById("quick-add");
      if (quick) {
        e.preventDefault();
        quick.open = true;
        var first = quick.querySelector("input:not([type=hidden])");
        if (first) { first.focus(); }
      }
    } else if (e.key === "?") {
      var keys = document.getElementById("keys-dialog");
      if (keys && keys.showModal) { e.preventDefault(); keys.showModal(); }
    }
  });
})();
