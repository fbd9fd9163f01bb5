/* The household list (住户台账): "tick all" ticks every household of the page for 分配包户干部.
 * A file of its own, not inline, so that the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    if (event.target.id !== "tick-all") { return; }
    document.querySelectorAll("input.tick").forEach(function (box) { box.checked = event.target.checked; });
  });
})();
