/* The review form: the weighted total, live, as the reviewer picks scores.
   total = sum(weight * score) / sum(weight) over the stage's criteria (the same definition as
   incubator/reviews/scoring.py); until every criterion is scored, say how many are.
   No inline script (the Content-Security-Policy forbids it): everything hangs on data-*. */
(function () {
  "use strict";

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  function update(form) {
    var out = form.querySelector("#review-total");
    if (!out) { return; }
    var groups = form.querySelectorAll("[data-criterion]");
    var weights = 0, sum = 0, scored = 0;
    Array.prototype.forEach.call(groups, function (group) {
      var weight = parseFloat(group.getAttribute("data-weight"));
      var checked = group.querySelector("input[type=radio]:checked");
      weights += weight;
      if (checked) {
        scored += 1;
        sum += weight * Number(checked.value);
      }
    });
    if (groups.length && scored === groups.length && weights > 0) {
      out.textContent = (sum / weights).toFixed(2);
    } else {
      out.textContent = "— (" + fmt(out.getAttribute("data-partial"), { n: scored, total: groups.length }) + ")";
    }
  }

  document.addEventListener("change", function (evt) {
    var target = evt.target;
    if (target && target.matches && target.matches("[data-criterion] input[type=radio]") && target.form) {
      update(target.form);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-review-form]"), update);
  });
}());
