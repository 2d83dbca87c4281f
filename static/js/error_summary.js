// The error summary of a form that failed (templates/_error_summary.html): it takes the focus
// when the page loads, so that keyboard and screen reader users start at the list of problems,
// and each link in it moves the focus to its field, with the field's label or question in view.
(function () {
  "use strict";
  if (window.fourfoldErrorSummary) return;
  window.fourfoldErrorSummary = true;

  function labelFor(field) {
    var fieldset = field.closest("fieldset");
    var legend = fieldset && (field.type === "radio" || field.type === "checkbox")
      ? fieldset.querySelector("legend")
      : null;
    if (legend) return legend;
    var label = field.id ? document.querySelector("label[for='" + field.id + "']") : null;
    return label || field;
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var closed = target.closest("details:not([open])");
      if (closed) closed.open = true;
      labelFor(target).scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
