/* The signing board (签约公示大屏): a clock for the site screen. The figures and the signing
 * order refresh themselves with htmx polling (hx-trigger="every 15s" on #board-live). */
(function () {
  "use strict";
  var clock = document.getElementById("board-clock");
  if (!clock) { return; }
  function two(n) { return String(n).padStart(2, "0"); }
  function tick() {
    var now = new Date();
    clock.textContent = two(now.getHours()) + ":" + two(now.getMinutes()) + ":" + two(now.getSeconds());
  }
  window.setInterval(tick, 1000);
})();
