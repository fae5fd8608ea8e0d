// Backlog export with progress: the CSV / JSON / Jira CSV links download the streamed file through fetch,
// count the ideas as they arrive ("12,400 of 100,000 ideas") and then save it. Without JavaScript (or without
// streaming fetch) the links download the file as plain links do. Loaded by the backlog page only.
(function () {
  "use strict";
  if (window.ideaflowBacklogExport) return; // htmx may run this script again after a boosted visit
  window.ideaflowBacklogExport = true;
  if (!window.fetch || !window.ReadableStream || !window.URL || !URL.createObjectURL) return;

  var CR = 13;
  var LF = 10;
  var format = new Intl.NumberFormat("en-US");

  function filenameOf(response, link) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : link.getAttribute("download") || "backlog";
  }

  // One idea is one record: a CSV record ends with CRLF (line breaks inside quoted cells are bare LF), a JSON
  // record starts on a line of its own (JSON escapes line breaks inside strings).
  function recordCounter(kind) {
    var previous = 0;
    var count = 0;
    return function (bytes) {
      for (var i = 0; i < bytes.length; i++) {
        var b = bytes[i];
        if (b === LF && (kind === "lf" || previous === CR)) count++;
        previous = b;
      }
      return count;
    };
  }

  function show(box, done, total, final) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-export-text]");
    var shown = Math.min(done, total);
    bar.max = Math.max(total, 1);
    bar.value = final ? bar.max : shown;
    var label = format.format(shown) + " of " + format.format(total) + (total === 1 ? " idea" : " ideas");
    bar.setAttribute("aria-valuetext", label);
    // Screen readers hear the live text: every tenth, and the end, rather than every chunk.
    var step = Math.floor((10 * shown) / Math.max(total, 1));
    if (final || step !== Number(box.getAttribute("data-step"))) {
      box.setAttribute("data-step", String(step));
      text.textContent = final ? final : label + "…";
    }
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 10000);
  }

  async function download(link, box) {
    var group = link.closest("[data-export-group]");
    var links = group ? group.querySelectorAll("a[data-export]") : [link];
    links.forEach(function (l) {
      l.setAttribute("aria-disabled", "true");
    });
    box.hidden = false;
    box.classList.remove("backlog-progress--error");
    box.setAttribute("data-step", "-1");
    var total = Number(link.getAttribute("data-total")) || 0;
    show(box, 0, total);
    try {
      var response = await fetch(link.href, { credentials: "same-origin", headers: { Accept: "*/*" } });
      if (response.redirected) {
        // Signed out meanwhile: let the browser follow the link (to the sign-in page) as it would without us.
        window.location.href = link.href;
        return;
      }
      if (!response.ok || !response.body) throw new Error("the server answered " + response.status);
      var header = Number(response.headers.get("X-Total-Count"));
      if (header >= 0 && response.headers.has("X-Total-Count")) total = header;
      var count = recordCounter(link.getAttribute("data-export"));
      var skip = Number(link.getAttribute("data-header-lines")) || 0; // the CSV header line is no idea
      var reader = response.body.getReader();
      var parts = [];
      var records = 0;
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        parts.push(chunk.value);
        records = count(chunk.value);
        show(box, Math.max(0, records - skip), total);
      }
      var name = filenameOf(response, link);
      save(new Blob(parts, { type: response.headers.get("Content-Type") || "application/octet-stream" }), name);
      show(box, total, total, "Exported " + format.format(total) + (total === 1 ? " idea" : " ideas") + " to " + name + ".");
    } catch (error) {
      box.classList.add("backlog-progress--error");
      box.querySelector("[data-export-text]").textContent =
        "The export failed (" + error.message + "). Try again, or use the link with JavaScript off.";
    } finally {
      links.forEach(function (l) {
        l.removeAttribute("aria-disabled");
      });
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-export]");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // keep "open in new tab"
    event.preventDefault();
    if (link.getAttribute("aria-disabled") === "true") return;
    var box = document.getElementById("backlog-export-progress");
    if (!box) return;
    download(link, box);
  });
})();
