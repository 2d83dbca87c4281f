// Accessibility fixes to Django admin's own widgets (no inline script: the CSP forbids it).
// Run after admin's scripts have built their widgets (select boxes, autocompletes, inlines).
(function () {
  function labelText(element) {
    var label = element.id && document.querySelector("label[for='" + element.id + "']");
    return label ? label.textContent.replace(/[:*\s]+$/, "").replace(/\s+/g, " ").trim() : "";
  }

  function fix(root) {
    // filter_horizontal's search icons carry aria-label on a bare span: give them a role.
    root.querySelectorAll("span.search-label-icon[aria-label], span.help-tooltip[aria-label]").forEach(
      function (icon) { icon.setAttribute("role", "img"); }
    );
    // Autocomplete (select2) boxes: name the combobox after the field's label.
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var name = labelText(select);
      var container = select.nextElementSibling;
      if (!name || !container) return;
      container.querySelectorAll("[role=combobox], [role=textbox]").forEach(function (box) {
        if (!box.getAttribute("aria-label")) box.setAttribute("aria-label", name);
      });
    });
    // Tabular inlines: each field is named by its column header and its row.
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.replace(/\s+/g, " ").trim();
      });
      table.querySelectorAll("tbody tr.form-row").forEach(function (row, index) {
        Array.prototype.forEach.call(row.cells, function (cell, column) {
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            if (field.labels && field.labels.length) return;
            if (field.getAttribute("aria-label")) return;
            var header = headers[column] || (field.name.match(/-([A-Za-z_]+)$/) || [])[1] || "";
            field.setAttribute("aria-label", header + ", row " + (index + 1));
          });
        });
      });
    });
  }

  window.addEventListener("load", function () {
    fix(document);
    new MutationObserver(function () { fix(document); }).observe(document.body, {
      childList: true,
      subtree: true,
    });
  });
})();
