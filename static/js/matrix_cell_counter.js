// The value matrix: a live count of a cell's characters while it is edited ("312 / 450 tekens"). It counts the
// text as the server will save it (each line trimmed, empty lines dropped, see matrix.services.normalise_cell)
// and shows a warning past the limit; the server still decides and refuses a longer text.
(function () {
  "use strict";

  function savedLength(text) {
    var lines = text.split(/\r?\n/).map(function (line) { return line.trim(); });
    // Array.from counts characters as Python does (an emoji is one), not UTF-16 units.
    return Array.from(lines.filter(Boolean).join("\n")).length;
  }

  function update(textarea) {
    var limit = parseInt(textarea.getAttribute("data-cell-limit"), 10);
    var form = textarea.form;
    var count = form && form.querySelector("[data-cell-count]");
    if (!limit || !count) return;
    var length = savedLength(textarea.value);
    count.textContent = String(length);
    var warning = form.querySelector("[data-cell-too-long]");
    if (warning) warning.hidden = length <= limit;
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-cell-limit]")) update(event.target);
  });
})();
