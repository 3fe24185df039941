// Karta's own script: live search in list filters, "/" focuses the global
// search, confirmation before moving a record to the trash. Pages work
// without it.
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

  // Instants are sent in UTC; show them in the reader's own time zone.
  var lang = document.documentElement.lang || "ru";
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) {
      t.textContent = d.toLocaleString(lang, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
      t.title = t.getAttribute("datetime");
    }
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      var lang = document.documentElement.lang;
      if (!window.confirm(lang === "en" ? "Move to the trash?" : "Переместить в корзину?")) { e.preventDefault(); }
    });
  });
})();
