/* The scheme editor (方案编辑器): the textarea stays the form's field; this script lays a highlighted copy
   (Prism, TOML) under it, a gutter of line numbers beside it, and marks the lines the check (检查) found
   problems on. Without JavaScript the page is a plain textarea and the check answers with the whole page. */
(function () {
  "use strict";

  function lineHeight(area) {
    var value = parseFloat(window.getComputedStyle(area).lineHeight);
    return isNaN(value) ? 20 : value;
  }

  function setUp(area) {
    var shell = document.createElement("div");
    shell.className = "scheme-editor";
    var gutter = document.createElement("pre");
    gutter.className = "scheme-gutter";
    gutter.setAttribute("aria-hidden", "true");
    var body = document.createElement("div");
    body.className = "scheme-body";
    var marks = document.createElement("div");
    marks.className = "scheme-marks";
    marks.setAttribute("aria-hidden", "true");
    var pre = document.createElement("pre");
    pre.className = "scheme-highlight language-toml";
    pre.setAttribute("aria-hidden", "true");
    var code = document.createElement("code");
    code.className = "language-toml";
    pre.appendChild(code);
    area.parentNode.insertBefore(shell, area);
    shell.appendChild(gutter);
    shell.appendChild(body);
    body.appendChild(marks);
    body.appendChild(pre);
    body.appendChild(area);
    area.classList.add("scheme-input");
    var bad = [];

    function render() {
      var text = area.value;
      if (window.Prism && Prism.languages.toml) {
        code.innerHTML = Prism.highlight(text + "\n", Prism.languages.toml, "toml");
      } else {
        code.textContent = text + "\n";
      }
      var count = text.split("\n").length;
      var numbers = [];
      for (var i = 1; i <= count; i++) { numbers.push(bad.indexOf(i) >= 0 ? "\u25B6" + i : String(i)); }
      gutter.textContent = numbers.join("\n") + "\n";
      var height = lineHeight(area);
      var top = parseFloat(window.getComputedStyle(area).paddingTop) || 0;
      marks.textContent = "";
      bad.forEach(function (line) {
        var band = document.createElement("div");
        band.className = "scheme-mark";
        band.style.top = (top + (line - 1) * height) + "px";
        band.style.height = height + "px";
        band.setAttribute("data-line", String(line));
        marks.appendChild(band);
      });
      sync();
    }

    function sync() {
      pre.scrollTop = area.scrollTop;
      pre.scrollLeft = area.scrollLeft;
      marks.style.transform = "translateY(" + (-area.scrollTop) + "px)";
      gutter.scrollTop = area.scrollTop;
    }

    area.addEventListener("input", function () { render(); });
    area.addEventListener("scroll", sync);
    area.addEventListener("keydown", function (event) {
      if (event.key === "Tab" && !event.shiftKey && !area.readOnly) {  // two spaces, not leaving the field
        event.preventDefault();
        var start = area.selectionStart;
        area.setRangeText("  ", start, area.selectionEnd, "end");
        render();
      }
    });

    area.schemeEditor = {
      mark: function (lines) {
        bad = lines;
        render();
        if (lines.length) {  // the first problem in view
          area.scrollTop = Math.max(0, (Math.min.apply(null, lines) - 4) * lineHeight(area));
          sync();
        }
      },
      goTo: function (line) {
        var lines = area.value.split("\n");
        var start = 0;
        for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
        var end = start + (lines[line - 1] || "").length;
        area.focus();
        area.setSelectionRange(start, end);
        area.scrollTop = Math.max(0, (line - 3) * lineHeight(area));
        sync();
      }
    };
    render();
  }

  function problemLines(root) {
    var report = root.querySelector("[data-problem-lines]");
    if (!report) { return null; }
    var raw = report.getAttribute("data-problem-lines");
    return raw ? raw.split(",").map(Number) : [];
  }

  function markFrom(root) {
    var area = document.querySelector("textarea[data-scheme-editor]");
    var lines = problemLines(root);
    if (area && area.schemeEditor && lines !== null) { area.schemeEditor.mark(lines); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-scheme-editor]").forEach(setUp);
    markFrom(document);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) { markFrom(event.target); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-goto-line]");
    var area = document.querySelector("textarea[data-scheme-editor]");
    if (!link || !area || !area.schemeEditor) { return; }
    event.preventDefault();
    area.schemeEditor.goTo(Number(link.getAttribute("data-goto-line")));
  });
})();
