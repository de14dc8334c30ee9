// The value matrix: keyboard and focus for editing cells inline. htmx does the requests; this file only
// decides when. A cell opens with a click, Enter or F2; in the editor Enter saves, Shift+Enter starts a new
// item, Escape cancels, and leaving the cell saves it. Arrow keys move between cells.
(function () {
  "use strict";

  function cellForm(element) {
    return element && element.form && element.form.hasAttribute("data-cell-form") ? element.form : null;
  }

  // Each editor is sent once: Enter, a click on Save and leaving the cell can all happen together.
  function save(form) {
    if (form.dataset.sent) return;
    form.dataset.sent = "save";
    form.requestSubmit();
  }

  function cancel(form) {
    if (form.dataset.sent) return;
    form.dataset.sent = "cancel";
    form.querySelector("[data-cell-cancel]").click();
  }

  function neighbour(cell, key) {
    var row = cell.parentElement;
    var index = Array.prototype.indexOf.call(row.children, cell);
    if (key === "ArrowLeft") return cell.previousElementSibling;
    if (key === "ArrowRight") return cell.nextElementSibling;
    var otherRow = key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    return otherRow ? otherRow.children[index] : null;
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.matches("td.cell[hx-get]")) {
      if (event.key === "Enter" || event.key === "F2") {
        event.preventDefault();
        target.click();
      } else if (/^Arrow/.test(event.key)) {
        var next = neighbour(target, event.key);
        if (next && next.matches("td.cell[hx-get]")) {
          event.preventDefault();
          next.focus();
        }
      }
      return;
    }
    var form = cellForm(target);
    if (!form || target.tagName !== "TEXTAREA") return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      save(form);
    } else if (event.key === "Escape") {
      event.preventDefault();
      cancel(form);
    }
  });

  // Leaving the cell saves it, unless the focus goes to the cell's own buttons.
  document.addEventListener("focusout", function (event) {
    var form = cellForm(event.target);
    if (!form || event.target.tagName !== "TEXTAREA") return;
    if (event.relatedTarget && form.contains(event.relatedTarget)) return;
    save(form);
  });

  // Pressing Cancel must not first save through the blur of the text field.
  document.addEventListener("pointerdown", function (event) {
    var button = event.target.closest && event.target.closest("[data-cell-cancel]");
    if (button) event.preventDefault();
  });

  // A new editor gets the focus with the caret at the end; a saved cell takes the focus back when the editor
  // had it, so the keyboard user carries on from where they were.
  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    if (!element.matches || !element.matches("td.cell")) return;
    var textarea = element.querySelector("textarea");
    if (textarea) {
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      return;
    }
    if (!document.activeElement || document.activeElement === document.body) element.focus();
  });

  // The server said no (or was not reached): keep the text, say so, allow another try.
  function failed(event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-cell-form]");
    if (!form) return;
    delete form.dataset.sent;
    var grid = form.closest("table[data-error-message]");
    var message = form.querySelector(".cell-error");
    if (grid && message) message.textContent = grid.dataset.errorMessage;
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fullscreen]");
    if (button && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen();
    }
  });
})();
