/*! PartnerHub click tracking 1.0.0
 *
 * Put this on your own site (every page an affiliate link can land on, and the checkout):
 *
 *   <script src="https://<partnerhub>/static/affiliates/ph-click-1.0.0.js" data-days="90" defer></script>
 *
 * An affiliate link (/r/<code>) sends the visitor to your site with ?ph_click=<click id>. This script keeps
 * that id in a first-party cookie `ph_click` (your domain, SameSite=Lax, Secure on https) for `data-days`
 * days, but ONLY after the visitor consented to marketing cookies (EU ePrivacy / AVG rules):
 *
 *   PartnerHub.consent()   call it from your consent banner once the visitor agreed;
 *                          or give the "agree" button the attribute data-ph-consent;
 *                          or, when your consent tool loads this script only after consent,
 *                          add data-consent="granted" to the script tag.
 *   PartnerHub.revoke()    the visitor withdrew consent: the cookie is removed.
 *   PartnerHub.clickId()   the kept click id (or null): send it as `click_id` with the order to
 *                          POST /api/v1/conversions.
 *
 * Optional: data-domain=".example.nl" keeps the cookie for all subdomains. The attribution window is
 * checked by PartnerHub from the click's time, whatever the cookie's life.
 * No other data is read or sent; the script makes no requests.
 */
(function (window, document) {
  "use strict";
  var NAME = "ph_click";
  var CLICK_ID = /^[0-9a-f]{32}$/;
  var script = document.currentScript;
  var attr = function (name) { return script ? script.getAttribute(name) : null; };
  var days = parseInt(attr("data-days"), 10);
  if (!(days > 0 && days <= 730)) { days = 90; }
  var domain = attr("data-domain");
  var consented = attr("data-consent") === "granted";

  function fromUrl() {
    try {
      var value = new URLSearchParams(window.location.search).get(NAME);
      return value && CLICK_ID.test(value) ? value : null;
    } catch (error) {
      return null;
    }
  }

  function readCookie() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].split("=");
      if (pair[0] === NAME && CLICK_ID.test(pair[1])) { return pair[1]; }
    }
    return null;
  }

  function writeCookie(value, maxAge) {
    var cookie = NAME + "=" + value + "; Max-Age=" + maxAge + "; Path=/; SameSite=Lax";
    if (domain) { cookie += "; Domain=" + domain; }
    if (window.location.protocol === "https:") { cookie += "; Secure"; }
    document.cookie = cookie;
  }

  var pending = fromUrl();

  var api = {
    version: "1.0.0",
    consent: function () {
      consented = true;
      if (pending) { writeCookie(pending, days * 86400); }
      return api.clickId();
    },
    revoke: function () {
      consented = false;
      writeCookie("", 0);
    },
    clickId: function () {
      return readCookie() || (consented ? pending : null);
    }
  };

  if (consented && pending) { writeCookie(pending, days * 86400); }

  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-ph-consent]") : null;
    if (target) { api.consent(); }
  });

  window.PartnerHub = api;
})(window, document);
