// The triage inbox's keyboard: j/k move, x selects, s/r/m/t open a dialog, a approves, ? shows the help.
// Loaded only on the inbox page; without it the page's plain forms do the same work.
(function () {
  "use strict";

  if (window.ideaflowTriage) {
    // A second visit through a boosted link loads this file again: the listeners are already on the document.
    window.ideaflowTriage.start();
    return;
  }

  var current = 0;

  function page() {
    return document.getElementById("inbox-page");
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-list > .inbox-row"));
  }

  function announce(text) {
    var live = document.getElementById("inbox-live");
    if (!live) return;
    live.textContent = "";
    // A fresh text node after a tick, so the same words twice are announced twice.
    setTimeout(function () {
      live.textContent = text;
    }, 30);
  }

  function focusRow(index, scroll) {
    var list = rows();
    if (!list.length) {
      current = 0;
      return;
    }
    current = Math.max(0, Math.min(index, list.length - 1));
    markCurrent(list);
    list[current].focus({ preventScroll: !scroll });
    if (scroll) list[current].scrollIntoView({ block: "nearest" });
  }

  // One row at a time is in the tab order (a roving tabindex) and marked current, for eyes and screen readers.
  function markCurrent(list) {
    list.forEach(function (row, i) {
      row.tabIndex = i === current ? 0 : -1;
      row.classList.toggle("is-current", i === current);
      if (i === current) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
  }

  function selected() {
    return rows().filter(function (row) {
      var box = row.querySelector(".inbox-row__select");
      return box && box.checked;
    });
  }

  // The ideas an action applies to: the selection, or else the current row.
  function targets() {
    var chosen = selected();
    if (chosen.length) return chosen;
    var list = rows();
    return list.length ? [list[current]] : [];
  }

  function subject(list) {
    if (list.length === 1) return "#" + list[0].dataset.number + " " + list[0].dataset.title;
    return list.length + " selected ideas";
  }

  function fill(form, list) {
    var holder = form.querySelector("[data-ideas]");
    holder.textContent = "";
    list.forEach(function (row) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "ideas";
      input.value = row.dataset.number;
      holder.appendChild(input);
    });
    var error = form.querySelector(".inbox-error");
    if (error) error.textContent = "";
  }

  function updateSelectionCount() {
    var label = document.getElementById("bulk-count");
    if (!label) return;
    var n = selected().length;
    label.textContent = n ? n + " selected:" : "With the selected ideas:";
    var bulk = document.getElementById("bulk");
    if (bulk) bulk.classList.toggle("has-selection", n > 0);
  }

  function openDialog(id, focusSelector) {
    var dialog = document.getElementById(id);
    if (!dialog) return;
    var form = dialog.querySelector("form");
    if (form) {
      var list = targets();
      if (!list.length) {
        announce("There is no idea to act on.");
        return;
      }
      form.reset();
      fill(form, list);
      dialog.querySelectorAll("[data-subject]").forEach(function (el) {
        el.textContent = subject(list);
      });
      var results = dialog.querySelector(".inbox-targets");
      if (results) results.textContent = "";
    }
    dialog.showModal();
    var focus = focusSelector && dialog.querySelector(focusSelector);
    if (focus) focus.focus();
  }

  function closeDialogs() {
    document.querySelectorAll("dialog.inbox-dialog[open]").forEach(function (dialog) {
      dialog.close();
    });
  }

  function approve() {
    var form = document.getElementById("approve-form");
    var view = document.getElementById("inbox");
    if (!form || !view || view.dataset.view !== "pending") {
      announce("Approving works on the “awaiting approval” list.");
      return;
    }
    var list = targets();
    if (!list.length) return;
    fill(form, list);
    form.requestSubmit();
  }

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function onKey(event) {
    if (!page()) return;
    var dialog = document.querySelector("dialog.inbox-dialog[open]");
    if (dialog) {
      onDialogKey(event, dialog);
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    var handled = true;
    if (key === "j" || key === "ArrowDown") {
      focusRow(current + 1, true);
    } else if (key === "k" || key === "ArrowUp") {
      focusRow(current - 1, true);
    } else if (key === "x") {
      var row = rows()[current];
      if (row) {
        var box = row.querySelector(".inbox-row__select");
        box.checked = !box.checked;
        updateSelectionCount();
        announce((box.checked ? "Selected" : "Unselected") + " #" + row.dataset.number + ". " + selected().length + " selected.");
      }
    } else if (key === "s") {
      openDialog("dlg-answer", "#dlg-status");
    } else if (key === "r") {
      openDialog("dlg-answer", "#dlg-response");
    } else if (key === "m") {
      openDialog("dlg-merge", "#dlg-merge-q");
    } else if (key === "t") {
      openDialog("dlg-tag", "#dlg-tag-select");
    } else if (key === "a") {
      approve();
    } else if (key === "?") {
      openDialog("dlg-help", "[data-close]");
    } else if ((key === "o" || key === "Enter") && event.target.classList && event.target.classList.contains("inbox-row")) {
      var link = event.target.querySelector(".inbox-row__title");
      if (link) link.click();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  }

  function onDialogKey(event, dialog) {
    var form = dialog.querySelector("form");
    if (!form || event.key !== "Enter" || event.shiftKey || event.altKey) return;
    var tag = event.target.tagName;
    // Ctrl+Enter saves from anywhere; plain Enter saves from a list (a select or a radio), where browsers do not.
    if (event.ctrlKey || event.metaKey || tag === "SELECT" || event.target.type === "radio") {
      event.preventDefault();
      form.requestSubmit();
    }
  }

  function onInput(event) {
    // In the merge search, Down moves to the results; Up from the first result comes back.
    var target = event.target;
    if (event.key === "ArrowDown" && target.id === "dlg-merge-q") {
      var picked = document.querySelector("#merge-targets input:checked") || document.querySelector("#merge-targets input");
      if (picked) {
        event.preventDefault();
        picked.focus();
      }
    }
  }

  document.addEventListener("keydown", onInput);
  document.addEventListener("keydown", onKey);

  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("inbox-row__select")) updateSelectionCount();
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("dialog.inbox-dialog [data-close]");
    if (close) {
      close.closest("dialog").close();
      return;
    }
    var opener = event.target.closest && event.target.closest("[data-open]");
    if (opener && page()) openDialog(opener.getAttribute("data-open"), "[data-close]");
    // Clicking a row makes it the current one.
    var row = event.target.closest && event.target.closest("#inbox-list > .inbox-row");
    if (row) {
      current = rows().indexOf(row);
      markCurrent(rows());
    }
  });

  // Focus back on the list when a dialog closes (Escape, Cancel or after saving).
  document.addEventListener(
    "close",
    function (event) {
      if (event.target.classList && event.target.classList.contains("inbox-dialog")) focusRow(current, false);
    },
    true
  );

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!event.detail.successful || !form || form.tagName !== "FORM") return;
    if (!form.closest("#inbox-page") || form.getAttribute("hx-post") === null) return;
    var dialog = form.closest("dialog");
    if (dialog && dialog.open) dialog.close();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "inbox") {
      // The rows acted on have left the list: the next one takes the same place.
      focusRow(current, false);
      updateSelectionCount();
    }
  });

  function start() {
    if (!page()) return;
    var keys = document.getElementById("inbox-keys");
    if (keys) keys.hidden = false;
    current = 0;
    focusRow(0, false);
  }

  window.ideaflowTriage = { start: start };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
