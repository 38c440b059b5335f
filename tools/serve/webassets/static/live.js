// The live tail of the events page: the stream's SSE, with the page's
// filters, adding each new event on top of the list. The page works
// without it; the button shows only where this script runs.
(function () {
  "use strict";
  var btn = document.getElementById("live");
  var status = document.getElementById("live-status");
  var tbody = document.querySelector("#events tbody");
  if (!btn || !tbody || !window.EventSource) { return; }
  btn.hidden = false;
  var es = null;

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text == null ? "" : String(text);
    tr.appendChild(td);
    return td;
  }

  function add(ev) {
    var env;
    try { env = JSON.parse(ev.data); } catch (e) { return; }
    var m = env.metadata, line = (m && typeof m === "object") ? m : {};
    var ctx = line.context || {}, user = line.user || {};
    var level = line.level || line.levelname || "";
    var tr = document.createElement("tr");
    tr.className = "fresh lv-" + String(level).toLowerCase();
    var t = cell(tr, "", "t");
    var a = document.createElement("a");
    a.href = "/ui/events/" + encodeURIComponent(env.id);
    a.textContent = env.timestamp;
    t.appendChild(a);
    cell(tr, level, "lv");
    cell(tr, line.service || line.name || "");
    var rid = ctx.request_id || "";
    var r = cell(tr, "", "rid");
    if (rid) {
      var ra = document.createElement("a");
      ra.href = "/ui/requests/" + encodeURIComponent(rid);
      ra.textContent = rid;
      r.appendChild(ra);
    }
    cell(tr, user.name || user.id || "");
    cell(tr, line.action || "");
    cell(tr, line.status == null ? "" : line.status);
    cell(tr, line.duration_ms == null ? "" : line.duration_ms + " ms", "n");
    cell(tr, typeof m === "string" ? m.split("\n")[0] : (line.message || ""), "msg");
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.rows.length > 1000) { tbody.deleteRow(-1); }
  }

  function stop() {
    if (es) { es.close(); es = null; }
    btn.textContent = "Live tail: off";
    btn.setAttribute("aria-pressed", "false");
    status.textContent = "";
  }

  btn.addEventListener("click", function () {
    if (es) { stop(); return; }
    es = new EventSource(btn.getAttribute("data-stream"));
    btn.textContent = "Live tail: on";
    btn.setAttribute("aria-pressed", "true");
    status.textContent = "connecting…";
    es.onopen = function () { status.textContent = "live"; };
    es.onerror = function () { status.textContent = "reconnecting…"; };
    ["logging", "operation", "lifecycle"].forEach(function (t) { es.addEventListener(t, add); });
    es.addEventListener("dropped", function () { status.textContent = "some events were skipped: reload the page"; });
    es.addEventListener("end", stop);
  });
})();
