// Question builder: show only the fields that matter for the chosen question type. The form
// arrives by htmx too, so listen on the document rather than on the form.
(function () {
  "use strict";
  var FIELDS = {
    options: ["single", "multiple", "rating", "matrix"],
    rows: ["matrix"],
    min_value: ["number"],
    max_value: ["number"],
    required: ["single", "multiple", "rating", "number", "text", "textarea", "matrix"]
  };
  function apply(form) {
    var kind = form.querySelector("#id_kind");
    if (!kind) return;
    Object.keys(FIELDS).forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (box) box.hidden = FIELDS[name].indexOf(kind.value) < 0;
    });
  }
  function applyAll() {
    document.querySelectorAll("#question-form").forEach(apply);
  }
  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.id === "id_kind") apply(ev.target.form);
  });
  document.addEventListener("DOMContentLoaded", applyAll);
  document.addEventListener("htmx:afterSwap", applyAll);
})();
