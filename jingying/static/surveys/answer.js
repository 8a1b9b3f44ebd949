// Show-if on the answering form: hides questions whose condition on an earlier answer does not
// hold. Only a convenience — the server applies the same rules (jingying/surveys/logic.py),
// discards answers to hidden questions and insists on shown required ones.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;

  function answerOf(code) {
    var inputs = form.querySelectorAll('[name="q_' + code + '"]');
    var values = [];
    inputs.forEach(function (el) {
      if (el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox")) { if (el.checked) values.push(el.value); }
      else if (el.value.trim() !== "") values.push(el.value.trim());
    });
    return values;
  }

  function holds(cond) {
    if (!cond) return true;
    var given = answerOf(cond.question);
    var op = cond.op, expected = cond.value;
    if (!given.length) return op === "not_equals" && expected !== null && expected !== "";
    if (op === "answered") return true;
    if (op === "equals") return given.indexOf(String(expected)) >= 0;
    if (op === "not_equals") return given.indexOf(String(expected)) < 0;
    if (op === "in") {
      var wanted = Array.isArray(expected) ? expected.map(String) : [String(expected)];
      return given.some(function (g) { return wanted.indexOf(g) >= 0; });
    }
    var a = parseFloat(given[0]), b = parseFloat(expected);
    if (isNaN(a) || isNaN(b)) return false;
    return op === "gte" ? a >= b : op === "lte" ? a <= b : false;
  }

  function cond(el) {
    var raw = el.getAttribute("data-show-if");
    if (!raw) return null;
    try { return JSON.parse(raw); } catch (e) { return null; }
  }

  function setShown(el, shown) {
    el.hidden = !shown;
    el.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !shown; });
  }

  function update() {
    var sectionShown = true;
    form.querySelectorAll(".survey-section, .survey-q").forEach(function (el) {
      if (el.classList.contains("survey-section")) {
        sectionShown = holds(cond(el));
        el.hidden = !sectionShown;
        return;
      }
      setShown(el, sectionShown && holds(cond(el)));
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
