// Fourfold's one site-wide script: behaviour that would otherwise be an inline handler
// (the Content-Security-Policy allows no inline script).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
