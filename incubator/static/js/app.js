/* Incubator front end: autosave feedback and retries, live counters, deadline countdowns.
   No inline script anywhere (the Content-Security-Policy forbids it); everything hangs on data-*. */
(function () {
  "use strict";

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  // ---- live word and character counters
  function updateCounter(field) {
    var counter = document.getElementById("counter-" + field.name.replace(/^q_/, ""));
    if (!counter) { return; }
    var text = field.value || "";
    if (field.dataset.maxWords) {
      var words = (text.match(/\S+/g) || []).length;
      counter.textContent = fmt(counter.dataset.wordsLabel, { n: words, max: field.dataset.maxWords });
      counter.classList.toggle("text-danger", words > Number(field.dataset.maxWords));
    } else if (field.dataset.maxChars) {
      counter.textContent = fmt(counter.dataset.charsLabel, { n: text.length, max: field.dataset.maxChars });
      counter.classList.toggle("text-danger", text.length > Number(field.dataset.maxChars));
    }
  }

  // ---- autosave: say when something is not saved, and retry until it is
  var pending = 0;
  var retryDelay = 2000;
  var banner = function () { return document.getElementById("connection-status"); };

  function showOffline(on) {
    var el = banner();
    if (!el) { return; }
    el.textContent = on ? el.dataset.offline : el.dataset.online;
    el.classList.remove("d-none");
    el.classList.toggle("alert-warning", on);
    el.classList.toggle("alert-success", !on);
    if (!on) { setTimeout(function () { el.classList.add("d-none"); }, 4000); }
  }

  function retryLater(elt) {
    pending += 1;
    showOffline(true);
    setTimeout(function () {
      pending = Math.max(0, pending - 1);
      if (window.htmx) { window.htmx.trigger(elt, "change"); }
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  document.addEventListener("htmx:sendError", function (evt) {
    if (evt.detail.elt && evt.detail.elt.hasAttribute("data-autosave")) { retryLater(evt.detail.elt); }
  });
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.status >= 500 && evt.detail.elt.hasAttribute("data-autosave")) { retryLater(evt.detail.elt); }
  });
  // A 422 (invalid answer) or 409 (frozen, deadline) still carries the status partial: show it.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr && evt.detail.xhr.status;
    if (status === 422 || status === 409) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.successful && evt.detail.elt.hasAttribute("data-autosave")) {
      if (retryDelay > 2000) { showOffline(false); }
      retryDelay = 2000;
    }
  });
  window.addEventListener("beforeunload", function (evt) {
    if (pending > 0) { evt.preventDefault(); evt.returnValue = ""; }
  });

  // ---- countdowns to a deadline
  function tick(el) {
    var left = new Date(el.dataset.deadline).getTime() - Date.now();
    if (left <= 0) { el.textContent = el.dataset.over; return; }
    var m = Math.floor(left / 60000);
    el.textContent = fmt(el.dataset.label, { d: Math.floor(m / 1440), h: Math.floor((m % 1440) / 60), m: m % 60 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-max-words],[data-max-chars]").forEach(function (field) {
      updateCounter(field);
      field.addEventListener("input", function () { updateCounter(field); });
    });
    var countdowns = document.querySelectorAll("[data-deadline]");
    countdowns.forEach(tick);
    if (countdowns.length) { setInterval(function () { countdowns.forEach(tick); }, 30000); }
  });
})();
