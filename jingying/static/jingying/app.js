// Behaviour for server-rendered pages. No inline scripts anywhere (Content-Security-Policy),
// so small interactions are wired here by class name.
(function () {
  "use strict";
  function wire(root) {
    root.querySelectorAll("select.js-autosubmit").forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      el.addEventListener("change", function () { el.form.submit(); });
    });
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      el.addEventListener("click", function (ev) {
        if (!window.confirm(el.dataset.confirm)) ev.preventDefault();
      });
    });
  }
  // Filter forms (data-drop-empty) leave unset fields out of the URL they push, so a shared
  // link reads "?category=police" rather than a row of empty parameters.
  document.addEventListener("htmx:configRequest", function (ev) {
    if (!ev.detail.elt.closest || !ev.detail.elt.closest("[data-drop-empty]")) return;
    var params = ev.detail.parameters;
    Object.keys(params).forEach(function (key) { if (params[key] === "") delete params[key]; });
  });
  // After htmx changes the address (filters, pages), the language switch returns to it.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    document.querySelectorAll("form input[name=next]").forEach(function (el) {
      el.value = window.location.pathname + window.location.search;
    });
  });
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { wire(ev.target); });
})();
