// "Keluar cepat": leave for a neutral site at once and keep this page out of
// the Back button. Works without JavaScript as a plain link; with it, the page
// is blanked first and the history entry replaced. Esc pressed twice also exits.
(function () {
  "use strict";
  function leave(url) {
    try { document.body.innerHTML = ""; document.title = ""; } catch (e) { /* ignore */ }
    window.location.replace(url);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var link = document.getElementById("quick-exit");
    if (!link) { return; }
    var url = link.getAttribute("data-exit-url") || link.href;
    link.addEventListener("click", function (event) { event.preventDefault(); leave(url); });
    var lastEsc = 0;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var now = Date.now();
      if (now - lastEsc < 1000) { leave(url); }
      lastEsc = now;
    });
  });
})();
