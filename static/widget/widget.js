/*! ideaflow widget loader: <script src="https://<ideaflow host>/widget.js" data-workspace="acme" async></script> */
(function (w, d) {
  "use strict";
  var queued = w.ideaflow && w.ideaflow.q ? w.ideaflow.q : [];
  if (w.ideaflow && w.ideaflow.loaded) return;
  var me = d.currentScript || d.querySelector('script[src*="/widget.js"][data-workspace]');
  if (!me) return;
  var host = new URL(me.src, location.href).origin;
  var ds = me.dataset;
  var opts = {
    workspace: ds.workspace,
    position: ds.position,
    color: ds.color,
    label: ds.label,
    launcher: ds.launcher !== "false",
  };
  var handlers = {};
  var frames = [];
  var token = null;
  var launcher, panel, panelFrame;
  var COLOR = /^#[0-9a-fA-F]{6}$/;

  function css(el, rules) {
    for (var k in rules) el.style.setProperty(k, rules[k]);
    return el;
  }

  function emit(type, data) {
    (handlers[type] || []).forEach(function (fn) {
      try {
        fn(data);
      } catch (e) {
        setTimeout(function () {
          throw e;
        });
      }
    });
  }

  function embedUrl(board) {
    var url = host + "/embed/" + encodeURIComponent(opts.workspace) + "?origin=" + encodeURIComponent(location.origin);
    return board ? url + "&board=" + encodeURIComponent(board) : url;
  }

  function frame(board, title) {
    var f = d.createElement("iframe");
    f.src = embedUrl(board);
    f.title = title;
    f.setAttribute("loading", "lazy");
    f.setAttribute("referrerpolicy", "strict-origin");
    css(f, { border: "0", width: "100%", height: "100%", display: "block", "color-scheme": "normal" });
    frames.push({ el: f, ready: false });
    return f;
  }

  function send(entry, message) {
    // The exact widget origin, never "*": a token must not reach whatever page the frame shows.
    if (entry.ready && entry.el.contentWindow) entry.el.contentWindow.postMessage(message, host);
  }

  function identifyAll() {
    frames.forEach(function (entry) {
      send(entry, token ? { type: "ideaflow:identify", token: token } : { type: "ideaflow:logout" });
    });
  }

  w.addEventListener("message", function (event) {
    if (event.origin !== host) return;
    var entry = frames.filter(function (f) {
      return f.el.contentWindow === event.source;
    })[0];
    var data = event.data;
    if (!entry || !data || typeof data.type !== "string" || data.type.indexOf("ideaflow:") !== 0) return;
    var type = data.type.slice(9);
    // On "expired" the frame's session ran out: hand it the token again (the host may first have called
    // identify with a fresh one from its "expired" handler).
    if (type === "ready" || type === "expired") {
      entry.ready = true;
      if (token) send(entry, { type: "ideaflow:identify", token: token });
    }
    if (type === "close") return close();
    emit(type, data);
  });

  function paint() {
    if (!launcher) return;
    var left = opts.position === "bottom-left";
    var color = COLOR.test(opts.color || "") ? opts.color : "#4f46e5";
    launcher.textContent = opts.label || "Feedback";
    css(launcher, { background: color, left: left ? "20px" : "auto", right: left ? "auto" : "20px" });
    css(panel, { left: left ? "20px" : "auto", right: left ? "auto" : "20px" });
  }

  function build() {
    if (launcher || !opts.launcher) return;
    launcher = d.createElement("button");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-haspopup", "dialog");
    css(launcher, {
      position: "fixed", bottom: "20px", "z-index": "2147483000", border: "0", "border-radius": "999px",
      padding: "12px 18px", color: "#fff", font: "600 15px/1 system-ui,sans-serif", cursor: "pointer",
      "box-shadow": "0 6px 20px rgba(16,24,40,.25)",
    });
    launcher.addEventListener("click", function () {
      panel.style.display === "none" ? open() : close();
    });
    panel = d.createElement("div");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", opts.label || "Feedback");
    css(panel, {
      position: "fixed", bottom: "76px", width: "min(400px, calc(100vw - 24px))", height: "min(640px, calc(100vh - 100px))",
      "z-index": "2147483001", "border-radius": "14px", overflow: "hidden", background: "#fff",
      "box-shadow": "0 16px 48px rgba(16,24,40,.3)", display: "none",
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
    });
    d.body.appendChild(panel);
    d.body.appendChild(launcher);
    paint();
  }

  function open() {
    build();
    if (!panel) return;
    if (!panelFrame) panel.appendChild((panelFrame = frame(null, opts.label || "Feedback")));
    panel.style.display = "block";
    launcher.setAttribute("aria-expanded", "true");
    panelFrame.focus();
    emit("open", {});
  }

  function close() {
    if (!panel || panel.style.display === "none") return;
    panel.style.display = "none";
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
    emit("close", {});
  }

  function inline() {
    var spots = d.querySelectorAll("[data-ideaflow-board]:not([data-ideaflow-ready])");
    for (var i = 0; i < spots.length; i++) {
      var spot = spots[i];
      spot.setAttribute("data-ideaflow-ready", "1");
      if (!spot.style.height) spot.style.height = spot.getAttribute("data-height") || "640px";
      spot.appendChild(frame(spot.getAttribute("data-ideaflow-board"), "Feedback"));
    }
  }

  var api = function (command, arg, fn) {
    if (command === "init") {
      for (var k in arg || {}) if (arg[k] != null) opts[k] = arg[k];
      paint();
    } else if (command === "identify") {
      token = arg && typeof arg.token === "string" ? arg.token : null;
      identifyAll();
    } else if (command === "logout") {
      token = null;
      identifyAll();
    } else if (command === "open") open();
    else if (command === "close") close();
    else if (command === "on" && typeof fn === "function") (handlers[arg] = handlers[arg] || []).push(fn);
  };
  api.loaded = true;
  w.ideaflow = api;

  function start() {
    for (var i = 0; i < queued.length; i++) api.apply(null, queued[i]);
    if (!opts.workspace) return;
    build();
    inline();
    // Defaults from the workspace's settings, for whatever the tag and init() left unset.
    fetch(host + "/api/v1/" + encodeURIComponent(opts.workspace) + "/widget/config", { credentials: "omit" })
      .then(function (r) {
        return r.ok ? r.json() : {};
      })
      .then(function (c) {
        opts.color = opts.color || c.brand_color;
        opts.label = opts.label || c.launcher_label;
        opts.position = opts.position || c.launcher_position;
        paint();
      })
      .catch(function () {});
  }

  d.readyState === "loading" ? d.addEventListener("DOMContentLoaded", start) : start();
})(window, document);
