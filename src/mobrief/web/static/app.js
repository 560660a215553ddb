// mobrief: the little the pages need beyond htmx. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  function flash(message, ok) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = message; // text only: a server message is never parsed as HTML
    box.className = ok ? "ok" : "";
    box.hidden = false;
    window.clearTimeout(flash.timer);
    flash.timer = window.setTimeout(function () { box.hidden = true; }, 6000);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = "The server refused (" + xhr.status + ").";
    if (xhr.status === 403) text = "Not allowed, or the page is stale: reload it and try again.";
    if (xhr.status === 401) text = "Your session ended: sign in again.";
    flash(text, false);
  });

  document.addEventListener("htmx:sendError", function () {
    flash("The server cannot be reached.", false);
  });

  // Ctrl/Cmd+Enter in a textarea submits its form (saving an entry without reaching for the mouse).
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target && target.tagName === "TEXTAREA" && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
    }
  });
})();
