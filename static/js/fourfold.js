// Fourfold's one site-wide script: behaviour that would otherwise be an inline handler
// (the Content-Security-Policy allows no inline script).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// Tables on small screens. Each data table inside a .table-responsive box is marked
// .ff-stack and each of its cells gets data-label, the text of its column's headers
// (static/css/fourfold.css shows the cells stacked, each under its label, below 768 px).
// The explicit roles keep the table's semantics for screen readers once CSS displays its
// rows as blocks. A box whose table is still wider than the box can be scrolled, so it is
// made a labelled region that takes keyboard focus (WCAG 2.1.1).
(function () {
  function text(cell) {
    return cell.textContent.replace(/\s+/g, " ").trim();
  }

  // The label of each column: the texts of the header cells above it, top to bottom,
  // following rowspan and colspan ("Share: Management").
  function columnLabels(table) {
    var labels = [];
    var taken = [];
    var rows = table.tHead ? table.tHead.rows : [];
    for (var r = 0; r < rows.length; r++) {
      var column = 0;
      for (var c = 0; c < rows[r].cells.length; c++) {
        var cell = rows[r].cells[c];
        while (taken[r] && taken[r][column]) column++;
        var label = text(cell);
        for (var dc = 0; dc < cell.colSpan; dc++) {
          for (var dr = 0; dr < Math.max(cell.rowSpan, 1); dr++) {
            taken[r + dr] = taken[r + dr] || [];
            taken[r + dr][column + dc] = true;
          }
          var parts = (labels[column + dc] = labels[column + dc] || []);
          if (label && parts[parts.length - 1] !== label) parts.push(label);
        }
        column += cell.colSpan;
      }
    }
    return labels.map(function (parts) { return parts.join(": "); });
  }

  function stack(table) {
    if (!table.tHead || table.classList.contains("ff-no-stack")) return;
    var labels = columnLabels(table);
    table.classList.add("ff-stack");
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.children, function (part) {
      if (/^(THEAD|TBODY|TFOOT)$/.test(part.tagName)) part.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        var header = cell.tagName === "TH";
        var inHead = row.parentNode.tagName === "THEAD";
        cell.setAttribute(
          "role",
          header ? (inHead || cell.scope === "col" ? "columnheader" : "rowheader") : "cell"
        );
        if (!inHead && !header && !cell.hasAttribute("data-label") && labels[column]) {
          cell.setAttribute("data-label", labels[column]);
        }
        column += cell.colSpan;
      });
    });
  }

  function regions() {
    document.querySelectorAll(".table-responsive, .ff-chart-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? text(caption) : "Table, scrolls sideways");
        box.dataset.ffRegion = "1";
      } else if (!scrolls && box.dataset.ffRegion) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.ffRegion;
      }
    });
  }

  function init() {
    document.querySelectorAll(".table-responsive > table.table").forEach(stack);
    regions();
    var timer;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(regions, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
