// The session page: add and remove items and actions in place, show the fields that fit the
// format, and keep the live tally of minutes per function. Without JavaScript the page still
// works: the "Add" buttons submit and the server adds an empty form.
(function () {
  "use strict";
  var form = document.getElementById("session-form");
  if (!form) return;
  var FUNCTIONS = ["management", "development", "support", "mediation"];

  function addForm(kind) {
    var prefix = kind === "item" ? "items" : "actions";
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var template = document.getElementById(kind + "-template");
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.getElementById(kind + "-forms");
    holder.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = holder.lastElementChild;
    var first = added.querySelector("input[type=text], textarea, select");
    if (first) first.focus();
    tally();
  }

  document.querySelectorAll("[data-add]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      addForm(button.getAttribute("data-add"));
    });
  });

  function showForFormat() {
    var checked = form.querySelector("input[name=format]:checked");
    var format = checked ? checked.value : "one_to_one";
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-for") !== format;
    });
  }

  function round1(n) { return Math.round(n * 10) / 10; }

  function tally() {
    var perFunction = { management: 0, development: 0, support: 0, mediation: 0 };
    var total = 0;
    form.querySelectorAll("[data-item-form]").forEach(function (card) {
      var del = card.querySelector("[data-item-delete]");
      card.classList.toggle("ff-deleted", !!(del && del.checked));
      if (del && del.checked) return;
      var minutesInput = card.querySelector("input[name$='-minutes']");
      var minutes = parseInt(minutesInput && minutesInput.value, 10);
      if (!(minutes > 0)) return;
      total += minutes;
      var chosen = Array.prototype.filter.call(
        card.querySelectorAll("input[name$='-functions']"), function (box) { return box.checked; }
      ).map(function (box) { return box.value; });
      chosen.forEach(function (fn) { perFunction[fn] += minutes / chosen.length; });
    });
    FUNCTIONS.forEach(function (fn) {
      var cell = document.querySelector("[data-tally-function=" + fn + "]");
      if (!cell) return;
      var share = total ? " (" + Math.round(100 * perFunction[fn] / total) + "%)" : "";
      cell.textContent = round1(perFunction[fn]) + " min" + share;
    });
    var totalCell = document.querySelector("[data-tally-total]");
    if (totalCell) totalCell.textContent = total + " min";
    var duration = parseInt((form.querySelector("input[name=duration_minutes]") || {}).value, 10);
    var unallocated = document.querySelector("[data-tally-unallocated]");
    if (unallocated) {
      if (duration > 0) {
        var left = duration - total;
        unallocated.textContent = left + " min" + (left < 0 ? " (over the duration)" : "");
      } else {
        unallocated.textContent = "-";
      }
    }
  }

  form.addEventListener("input", tally);
  form.addEventListener("change", function (event) {
    if (event.target.name === "format") showForFormat();
    tally();
  });
  showForFormat();
  tally();
})();
