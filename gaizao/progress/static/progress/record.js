/* Recording progress (记录进度): the behaviours of the household page's progress card and of the
 * bulk-record page, kept out of the HTML so that the Content-Security-Policy allows no inline script.
 * Loaded with defer, so the document is parsed when this runs. */
(function () {
  "use strict";

  // "tick all" on the bulk-record list ticks every household's box.
  document.addEventListener("change", function (event) {
    if (event.target.id !== "tick-all") { return; }
    document.querySelectorAll("input.tick").forEach(function (box) { box.checked = event.target.checked; });
  });

  // 安置方式 only matters for 安置: shown for it alone when scripts run (always shown without them).
  document.querySelectorAll("form[data-mode-toggle]").forEach(function (form) {
    var kind = form.querySelector("[name=kind]");
    var field = form.querySelector("[data-mode-field]");
    if (!kind || !field) { return; }
    var sync = function () { field.hidden = kind.value !== "resettled"; };
    kind.addEventListener("change", sync);
    sync();
  });

  // The heritage override (特批拆除理由) only matters for 拆除: shown for it alone when scripts run.
  document.querySelectorAll("form[data-mode-toggle]").forEach(function (form) {
    var kind = form.querySelector("[name=kind]");
    var field = form.querySelector("[data-heritage-field]");
    if (!kind || !field) { return; }
    var sync = function () { field.hidden = kind.value !== "demolished"; };
    kind.addEventListener("change", sync);
    sync();
  });
})();
