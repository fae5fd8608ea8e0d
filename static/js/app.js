// Small progressive enhancements; every page works without this file.
document.addEventListener("htmx:responseError", function (event) {
  // A network or server error that returned no fragment still deserves a message.
  var xhr = event.detail.xhr;
  if (xhr && xhr.status >= 500 && !xhr.getResponseHeader("HX-Retarget")) {
    var toasts = document.getElementById("toasts");
    if (toasts) {
      var toast = document.createElement("div");
      toast.className = "toast toast--error";
      toast.setAttribute("role", "alert");
      toast.textContent = "Something went wrong. Please try again.";
      toasts.appendChild(toast);
    }
  }
});
document.addEventListener("htmx:afterSwap", function () {
  // Toasts fade on their own.
  document.querySelectorAll("#toasts .toast:not([data-timed])").forEach(function (toast) {
    toast.setAttribute("data-timed", "1");
    setTimeout(function () { toast.remove(); }, 6000);
  });
});
