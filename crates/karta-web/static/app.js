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

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      var lang = document.documentElement.lang;
      if (!window.confirm(lang === "en" ? "Move to the trash?" : "Переместить в корзину?")) { e.preventDefault(); }
    });
  });
})();
