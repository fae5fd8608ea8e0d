// The widget's frame: receives the identity token from the host page, trades it for a widget session kept
// in this page's memory (never a cookie, so blocked third-party cookies change nothing), signs every htmx
// request with it, and tells the host page about votes and new ideas.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var body = document.body;
  var workspace = body.getAttribute("data-workspace");
  // The host page's origin, checked against the workspace's allowed origins by the server.
  var parentOrigin = body.getAttribute("data-parent-origin");
  var framed = window.parent && window.parent !== window;
  var session = null;
  var current = location.pathname + location.search;

  function tell(message) {
    // Always to the exact host origin, never "*".
    if (framed && parentOrigin) window.parent.postMessage(message, parentOrigin);
  }

  function reload() {
    if (window.htmx) window.htmx.ajax("GET", current, { target: "body", swap: "innerHTML" });
  }

  function identify(jwt) {
    fetch("/api/v1/" + encodeURIComponent(workspace) + "/widget/session", {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: jwt }),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.detail || "The identity token was refused.");
          return data;
        });
      })
      .then(function (data) {
        session = data.token;
        tell({ type: "ideaflow:identified", name: data.name });
        reload();
      })
      .catch(function (error) {
        tell({ type: "ideaflow:error", message: String(error.message || error) });
      });
  }

  window.addEventListener("message", function (event) {
    // Only the page that framed us, from the origin the server approved.
    if (!parentOrigin || event.source !== window.parent || event.origin !== parentOrigin) return;
    var data = event.data;
    if (!data || typeof data !== "object") return;
    if (data.type === "ideaflow:identify" && typeof data.token === "string") identify(data.token);
    if (data.type === "ideaflow:logout") {
      session = null;
      reload();
    }
  });

  // Escape inside the frame closes the panel (key events do not reach the host page on their own).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") tell({ type: "ideaflow:close" });
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (session) event.detail.headers["Authorization"] = "Bearer " + session;
  });

  // An expired widget session answers 401 with a redirect to the sign-in page, which may not be framed:
  // stay here as a guest and ask the host page for a fresh token instead.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var target = xhr && xhr.getResponseHeader("HX-Redirect");
    if (target && target.indexOf("/signin") === 0) {
      event.preventDefault();
      session = null;
      tell({ type: "ideaflow:expired" });
      reload();
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr) return;
    var issued = xhr.getResponseHeader("X-Ideaflow-Widget-Token");
    if (issued) session = issued;
    var raised = xhr.getResponseHeader("X-Ideaflow-Event");
    if (raised) {
      try {
        tell(JSON.parse(raised));
      } catch (ignored) {
        /* a malformed event is dropped */
      }
    }
    var info = event.detail.requestConfig;
    if (info && info.verb === "get" && event.detail.boosted && event.detail.successful) current = info.path;
  });

  tell({ type: "ideaflow:ready" });
})();
