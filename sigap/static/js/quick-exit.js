// "Keluar cepat": leave for a neutral site at once and keep SIGAP out of the
// Back button. Works without JavaScript as a plain link (for staff, a form that
// signs out first); with it, the page is blanked, the history entry replaced,
// and this tab remembers (sessionStorage) that it left: any SIGAP page reached
// again through Back or Forward leaves at once too, so Back never shows SIGAP.
// Staff are signed out by a background POST. Esc pressed twice also exits.
// Loaded without "defer" so the Back guard runs before anything is drawn.
(function () {
  "use strict";
  var KEY = "sigap-left";
  var meta = document.querySelector('meta[name="sigap-exit"]');
  var exitUrl = meta ? meta.getAttribute("content") : "";

  function navigationType() {
    try {
      var entries = performance.getEntriesByType("navigation");
      if (entries && entries.length) { return entries[0].type; }
    } catch (e) { /* old browser */ }
    return (performance.navigation && performance.navigation.type === 2) ? "back_forward" : "navigate";
  }
  function remembered() {
    try { return window.sessionStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function remember() {
    try { window.sessionStorage.setItem(KEY, "1"); } catch (e) { /* private mode */ }
  }
  function forget() {
    try { window.sessionStorage.removeItem(KEY); } catch (e) { /* ignore */ }
  }
  function hide() {
    try { document.documentElement.style.visibility = "hidden"; document.title = ""; } catch (e) { /* ignore */ }
  }
  function leave(url) {
    remember();
    hide();
    try { document.body.innerHTML = ""; } catch (e) { /* ignore */ }
    window.location.replace(url || exitUrl);
  }

  // Back guard: this tab left through quick exit and came back by history.
  if (remembered() && exitUrl) {
    if (navigationType() === "back_forward" || navigationType() === "reload") {
      hide();
      window.location.replace(exitUrl);
      return;
    }
    forget();  // typed the address or followed a link: a deliberate visit
  }
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && remembered() && exitUrl) { hide(); window.location.replace(exitUrl); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var control = document.getElementById("quick-exit");
    if (!control) { return; }
    var url = control.getAttribute("data-exit-url") || control.getAttribute("href") || exitUrl;
    var form = document.getElementById("quick-exit-form");
    function exit() {
      if (form && window.fetch) {
        try {
          fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", keepalive: true, redirect: "manual" });
        } catch (e) { /* the Back guard and the session limits still hold */ }
      }
      leave(url);
    }
    control.addEventListener("click", function (event) { event.preventDefault(); exit(); });
    var lastEsc = 0;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var now = Date.now();
      if (now - lastEsc < 1000) { exit(); }
      lastEsc = now;
    });
  });
})();
