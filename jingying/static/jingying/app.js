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
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { wire(ev.target); });
})();
