// Rådgiverkonsollen: heartbeat while the page is open, and live updates of the
// queues and of an open case by short polling. Texts come from data-attributes
// set by the templates; server HTML fragments are rendered with autoescaping.
(function () {
  "use strict";
  var body = document.body;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var POLL_MS = 2500, HEARTBEAT_MS = 20000;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); throw new Error("login"); }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      });
  }

  function heartbeat() {
    var url = body.getAttribute("data-heartbeat-url");
    if (!url) { return; }
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: "{}"
    }).catch(function () { /* next beat */ });
  }
  heartbeat();
  window.setInterval(heartbeat, HEARTBEAT_MS);

  // --- the queues -----------------------------------------------------------
  var statusUrl = body.getAttribute("data-status-url");
  if (statusUrl) {
    var known = null;
    var baseTitle = document.title;
    var announce = document.getElementById("announce");
    var queues = document.getElementById("queues");
    var pollQueues = function () {
      getJSON(statusUrl).then(function (data) {
        queues.innerHTML = data.html;
        var waiting = data.waiting || [];
        if (known !== null) {
          var fresh = waiting.filter(function (n) { return known.indexOf(n) === -1; });
          if (fresh.length) {
            var template = body.getAttribute("data-text-new") || "";
            announce.textContent = fresh.map(function (n) { return template.replace("{n}", n); }).join(" ");
          }
        }
        known = waiting;
        document.title = (waiting.length ? "(" + waiting.length + ") " : "") + baseTitle;
      }).catch(function () { /* try again */ });
    };
    pollQueues();
    window.setInterval(pollQueues, POLL_MS);
  }

  // --- an open case ---------------------------------------------------------
  var linesUrl = body.getAttribute("data-lines-url");
  if (linesUrl) {
    var lastId = parseInt(body.getAttribute("data-last-id") || "0", 10);
    var state = body.getAttribute("data-state");
    var list = document.getElementById("lines");
    var changed = document.getElementById("changed");
    var pollLines = function () {
      getJSON(linesUrl + "?efter=" + lastId).then(function (data) {
        if (data.last_id) {
          list.insertAdjacentHTML("beforeend", data.html);
          lastId = data.last_id;
          list.lastElementChild && list.lastElementChild.scrollIntoView({ block: "nearest" });
        }
        if (data.state !== state && changed.hidden) {
          changed.textContent = body.getAttribute("data-text-changed") || "";
          changed.hidden = false;
        }
      }).catch(function () { /* try again */ });
    };
    window.setInterval(pollLines, POLL_MS);
  }
})();
