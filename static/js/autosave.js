// Autosaved answers (the checker survey, the ten questions): what the status line under an answer says,
// and trying again when a save did not arrive.
//
// The page marks its form with data-autosave and gives the texts: data-autosave-pending (a newer answer
// is on its way), data-autosave-retrying (a save failed, another try follows) and data-autosave-failed (a
// save was refused and trying again will not help). Each answer carries hx-post, hx-target (its status
// line) and hx-sync="this:queue last", so the saves of one answer go one after the other, the last on top.
//
// Rules kept here:
// - "Saved" only stands under an answer when the server stored what is on the screen now: after each
//   edit the line says "saving" until the save of that value has come back.
// - A save that fails (server error, no connection, timeout) says so, leaves the answer on the screen and
//   is sent again after 1, 2, 4, then every 5 seconds, with the answer as it is at that moment. A newer
//   edit sends that newer answer and makes the pending retry unnecessary.
// - No client-side timeout is set on purpose: a request given up by the browser could still be stored
//   by the server after a newer one, and the older answer would win.
(function () {
  "use strict";

  var FIRST_RETRY_MS = 1000;
  var LAST_RETRY_MS = 5000;
  var state = new WeakMap();

  function formOf(element) {
    return element && element.closest ? element.closest("form[data-autosave]") : null;
  }

  function autosaved(element) {
    return element && element.hasAttribute && element.hasAttribute("hx-post") && formOf(element) !== null;
  }

  function stateOf(element) {
    var found = state.get(element);
    if (!found) {
      found = { sent: null, timer: null, delay: FIRST_RETRY_MS, retrying: false };
      state.set(element, found);
    }
    return found;
  }

  // The answer as the screen shows it: the chosen option of a group, or the text of a field.
  function valueOf(element) {
    if ("value" in element && element.tagName !== "FIELDSET") {
      return element.value;
    }
    var chosen = element.querySelector("input:checked");
    return chosen ? chosen.value : "";
  }

  function statusOf(element) {
    var selector = element.getAttribute("hx-target");
    return selector ? document.querySelector(selector) : null;
  }

  function say(element, text, failed) {
    var status = statusOf(element);
    if (status) {
      status.textContent = text;
      status.classList.toggle("field-error", failed);
    }
  }

  function message(element, name) {
    return formOf(element).getAttribute("data-autosave-" + name) || "";
  }

  function cancelRetry(element) {
    var current = stateOf(element);
    if (current.timer !== null) {
      window.clearTimeout(current.timer);
      current.timer = null;
    }
  }

  function retryLater(element) {
    var current = stateOf(element);
    cancelRetry(element);
    current.timer = window.setTimeout(function () {
      current.timer = null;
      if (document.body.contains(element)) {
        current.retrying = true;
        try {
          htmx.trigger(element, "change");
        } finally {
          current.retrying = false;
        }
      }
    }, current.delay);
    current.delay = Math.min(current.delay * 2, LAST_RETRY_MS);
  }

  // An edit: whatever the line said is about an older answer now. (Our own retry is no edit: the line
  // keeps saying that the save failed until one arrives.)
  function edited(event) {
    var element = event.target.closest ? event.target.closest("[hx-post]") : null;
    if (autosaved(element) && !stateOf(element).retrying) {
      say(element, message(element, "pending"), false);
    }
  }
  document.addEventListener("input", edited);
  document.addEventListener("change", edited);

  document.addEventListener("htmx:configRequest", function (event) {
    var element = event.detail.elt;
    if (autosaved(element)) {
      cancelRetry(element);
      stateOf(element).sent = valueOf(element);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail.elt;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!autosaved(element) || status < 200 || status >= 300) {
      return;
    }
    var current = stateOf(element);
    current.delay = FIRST_RETRY_MS;
    if (valueOf(element) !== current.sent) {
      // Stored, but the answer changed meanwhile: its own save follows (queued behind this one).
      say(element, message(element, "pending"), false);
    }
  });

  function failed(event) {
    var element = event.detail.elt;
    if (!autosaved(element)) {
      return;
    }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    // No answer, a server error, or "too many requests": trying again can help. Other refusals cannot.
    if (status === 0 || status === 408 || status === 429 || status >= 500) {
      say(element, message(element, "retrying"), true);
      retryLater(element);
    } else {
      say(element, message(element, "failed"), true);
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
})();
