// PartnerHub's own few lines of script (no inline scripts: CSP).
// A form is sent once: its submit buttons are disabled after the first submit, so a double click
// cannot send it twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) {
    return; // htmx sends these itself
  }
  if (form.dataset.submitted === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "true";
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    });
  }, 0);
});
// Coming back with the browser's back button shows the page from cache: allow sending again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    delete form.dataset.submitted;
    form.querySelectorAll("button").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
});
// A button with data-copy="<id>" copies that field's value to the clipboard and says so (data-copied).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) {
    return;
  }
  var field = document.getElementById(button.dataset.copy);
  if (!field) {
    return;
  }
  field.select();
  var done = function () {
    var label = button.textContent;
    button.textContent = button.dataset.copied || label;
    window.setTimeout(function () { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});
