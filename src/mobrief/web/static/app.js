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
    if (xhr.status === 401) text = "Your session ended: sign in again (your text is still in the box).";
    if (xhr.status === 409) text = xhr.getResponseHeader("X-Mobrief-Message") || "Someone else changed this meanwhile.";
    if (xhr.status === 400 || xhr.status === 422) text = xhr.getResponseHeader("X-Mobrief-Message") || text;
    flash(text, false);
  });

  document.addEventListener("htmx:sendError", function () {
    flash("The server cannot be reached: your text is kept here; it saves when the server answers again.", false);
  });

  // ---- entries that save themselves ----
  // A textarea with data-autosave posts its form (htmx, hx-trigger) after a pause in typing; the answer replaces
  // only that entry's status and findings, never a textarea, so text typed meanwhile stays. An entry is "dirty"
  // from the first keystroke until the server has stored exactly what the box holds.

  function entryOf(el) { return el.closest("[data-entry-box]"); }

  function markDirty(box, dirty) {
    if (!box) return;
    box.classList.toggle("dirty", dirty);
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches && target.matches("textarea[data-autosave]")) markDirty(entryOf(target), true);
  });

  function autosaveArea(elt) {
    if (!elt || !elt.matches) return null;
    return elt.matches("textarea[data-autosave]") ? elt : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var area = autosaveArea(event.detail.elt);
    if (area) area.dataset.sent = area.value;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var area = autosaveArea(event.detail.elt);
    if (!area || !event.detail.successful) return;
    markDirty(entryOf(area), area.value !== area.dataset.sent);
  });

  function dirtyBoxes() { return Array.prototype.slice.call(document.querySelectorAll("[data-entry-box].dirty")); }

  // Save every entry with unsaved text now; resolves when the server has answered them all.
  function saveAll() {
    return Promise.all(dirtyBoxes().map(function (box) {
      var area = box.querySelector("textarea[data-autosave]");
      if (!area || !window.htmx) return Promise.resolve();
      return window.htmx.ajax("POST", area.getAttribute("hx-post"), {
        source: area, target: area.getAttribute("hx-target"), swap: "outerHTML"
      });
    }));
  }

  // Anything that re-lays-out the draft (move, section, remove) saves the open entries first, so the new layout
  // is drawn from the text in the boxes, not from an older save.
  document.addEventListener("htmx:confirm", function (event) {
    if (!event.detail.elt.matches || !event.detail.elt.matches("[data-layout]") || !dirtyBoxes().length) return;
    event.preventDefault();
    saveAll().then(function () {
      if (dirtyBoxes().length) flash("Some entries could not be saved: nothing was moved.", false);
      else event.detail.issueRequest(true);
    });
  });

  // The "Save" button of a box that saves itself saves it now, in place (without script it posts the form).
  document.addEventListener("submit", function (event) {
    var area = event.target.querySelector ? event.target.querySelector("textarea[data-autosave][hx-post]") : null;
    if (!area || !window.htmx) return;
    event.preventDefault();
    window.htmx.trigger(area, "save-now");
  });

  // The same for plain forms that leave the page (compose again, put back, use a suggestion).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-flush]") || !dirtyBoxes().length) return;
    event.preventDefault();
    saveAll().then(function () {
      if (dirtyBoxes().length) flash("Some entries could not be saved: reload to see what the server holds.", false);
      else form.submit();
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirtyBoxes().length) {
      event.preventDefault();
      event.returnValue = "";
      return "";
    }
  });

  // Ctrl/Cmd+Enter or Ctrl/Cmd+S in a textarea saves it at once.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var save = (event.key === "Enter" || event.key === "s") && (event.ctrlKey || event.metaKey);
    if (save && target && target.tagName === "TEXTAREA") {
      event.preventDefault();
      if (window.htmx && target.hasAttribute("hx-post")) window.htmx.trigger(target, "save-now");
      else if (target.form) target.form.requestSubmit();
    }
  });

  // A select with data-autosubmit posts its form as soon as it changes (no second button).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form && !target.form.hasAttribute("hx-post")) {
      target.form.requestSubmit();
    }
  });

  // A button with data-check-all="name" checks every checkbox of that name (the review's "leave out" boxes),
  // except those marked data-own-choice (a ready machine draft is left out one by one, never in bulk).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-check-all]") : null;
    if (!button) return;
    var boxes = 'input[type=checkbox][name="' + button.dataset.checkAll + '"]:not([data-own-choice])';
    document.querySelectorAll(boxes).forEach(function (box) {
      box.checked = true;
    });
  });

  // Hovering a drafted sentence lights up the Russian sentence it rests on.
  document.addEventListener("mouseover", function (event) {
    var source = event.target.closest ? event.target.closest("[data-source]") : null;
    document.querySelectorAll(".source-sentence.lit").forEach(function (el) { el.classList.remove("lit"); });
    if (source) {
      var ru = document.getElementById(source.dataset.source);
      if (ru) ru.classList.add("lit");
    }
  });

  // ---- the inbox: keyboard triage and selection ----
  var current = null;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".story-row")); }

  function setCurrent(row, scroll) {
    if (current) current.classList.remove("current");
    current = row;
    if (!row) return;
    row.classList.add("current");
    if (scroll) row.scrollIntoView({ block: "nearest" });
  }

  function step(delta) {
    var all = rows();
    if (!all.length) return;
    var index = current ? all.findIndex(function (r) { return r.id === current.id; }) : -1;
    var next = all[Math.max(0, Math.min(all.length - 1, index + delta))];
    setCurrent(next, true);
  }

  function press(selector) {
    if (!current) return false;
    var button = current.querySelector(selector);
    if (!button) return false;
    var id = current.id;
    var after = function (event) {
      if (event.detail.target && event.detail.target.id === id) {
        document.body.removeEventListener("htmx:afterSwap", after);
      }
    };
    document.body.addEventListener("htmx:afterSwap", after);
    button.click();
    return true;
  }

  function updateSelection() {
    var bar = document.getElementById("bulk");
    if (!bar) return;
    var n = document.querySelectorAll("input.row-select:checked").length;
    var label = bar.querySelector(".selected-count");
    if (label) label.textContent = n === 1 ? "1 selected" : n + " selected";
    if (n) bar.removeAttribute("data-empty"); else bar.setAttribute("data-empty", "");
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input.row-select")) updateSelection();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    // a row swapped in after an action: keep the cursor on it (found again by id), then move on
    if (current && !document.body.contains(current)) {
      var again = document.getElementById(current.id);
      setCurrent(again, false);
    }
    updateSelection();
  });

  document.addEventListener("click", function (event) {
    var row = event.target.closest ? event.target.closest(".story-row") : null;
    if (row) setCurrent(row, false);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      if (event.key === "Escape" && target.blur) target.blur();
      return;
    }
    var help = document.getElementById("keys");
    if (event.key === "?") {
      if (help && help.showModal) { if (help.open) help.close(); else help.showModal(); }
      event.preventDefault();
      return;
    }
    if (!document.querySelector(".rows")) return;
    var handled = true;
    switch (event.key) {
      case "j": step(1); break;
      case "k": step(-1); break;
      case "x": if (press("button.status-skip")) step(1); break;
      case "a": if (press("button.status-brief")) step(1); break;
      case "u": press("button.status-new"); break;
      case "s": if (current) { var select = current.querySelector("select[name=section]"); if (select) select.focus(); } break;
      case "o": case "Enter": if (current) { var link = current.querySelector("a.story-title"); if (link) window.location.href = link.href; } break;
      case " ": if (current) { var box = current.querySelector("input.row-select"); if (box) { box.checked = !box.checked; updateSelection(); } } break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    updateSelection();
    var first = document.querySelector(".story-row");
    if (first) setCurrent(first, false);
  });
})();
