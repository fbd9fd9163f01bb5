/* The signing board (签约公示大屏): a clock for the site screen. The figures and the signing
 * order refresh themselves with htmx polling (hx-trigger="every 15s" on #board-live).
 *
 * The clock and the date are Beijing time (the server's zone, Asia/Shanghai) whatever zone the
 * screen's computer is set to: the page gives the zone's offset from UTC in seconds
 * (data-utc-offset), and the clock adds it to UTC. China keeps no summer time, so the offset holds
 * all year; a server in another zone would give its own. */
(function () {
  "use strict";
  var clock = document.getElementById("board-clock");
  if (!clock) { return; }
  var date = document.getElementById("board-date");
  var holder = clock.parentElement;
  var offset = Number(holder.dataset.utcOffset);
  if (!isFinite(offset) || holder.dataset.utcOffset === "") { offset = 8 * 3600; }
  var format = holder.dataset.dateFormat || "{y}年{m}月{d}日";
  function two(n) { return String(n).padStart(2, "0"); }
  function tick() {
    var now = new Date(Date.now() + offset * 1000);  // read with getUTC*: the zone's wall clock
    clock.textContent = two(now.getUTCHours()) + ":" + two(now.getUTCMinutes()) + ":" + two(now.getUTCSeconds());
    if (date) {
      date.textContent = format.replace("{y}", now.getUTCFullYear()).replace("{m}", now.getUTCMonth() + 1)
        .replace("{d}", now.getUTCDate());
    }
  }
  tick();
  window.setInterval(tick, 1000);
})();
