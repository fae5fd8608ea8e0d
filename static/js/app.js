// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  var TOAST_MS = 6000;

  function showToast(message, level) {
    var toasts = document.getElementById("toasts");
    if (!toasts) return;
    var toast = document.createElement("div");
    toast.className = "toast toast--" + (level || "info");
    toast.setAttribute("role", "alert");
    toast.textContent = message;
    toasts.appendChild(toast);
    timeToasts();
  }

  // Toasts fade on their own, and a click dismisses one sooner.
  function timeToasts() {
    document.querySelectorAll("#toasts .toast:not([data-timed])").forEach(function (toast) {
      toast.setAttribute("data-timed", "1");
      setTimeout(function () {
        toast.remove();
      }, TOAST_MS);
    });
  }

  document.addEventListener("click", function (event) {
    var toast = event.target.closest && event.target.closest("#toasts .toast");
    if (toast) toast.remove();
  });

  document.addEventListener("htmx:responseError", function (event) {
    // A server error that returned no fragment still deserves a message.
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 500 && !xhr.getResponseHeader("HX-Retarget")) {
      showToast("Something went wrong. Please try again.", "error");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    showToast("You seem to be offline. Check your connection and try again.", "error");
  });

  document.addEventListener("htmx:afterSwap", timeToasts);
  document.addEventListener("DOMContentLoaded", timeToasts);

  // A thin progress line under the top bar while a boosted link or form loads the next page.
  var root = document.documentElement;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.boosted) root.classList.add("is-loading");
  });
  ["htmx:afterRequest", "htmx:sendError", "htmx:historyRestore"].forEach(function (name) {
    document.addEventListener(name, function () {
      root.classList.remove("is-loading");
    });
  });

  // Opening "Reply to …" puts the cursor in the reply box.
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (details.classList && details.classList.contains("reply") && details.open) {
        var box = details.querySelector("textarea");
        if (box) box.focus();
      }
    },
    true
  );
})();
