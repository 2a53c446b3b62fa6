// Karriereassistenten web chat. Talks to the Rasa socket.io channel
// (bot/channels/webchat.py). Keeps the conversation in sessionStorage so a
// reload in the same tab continues it. Every text is inserted as text, never as HTML.
(function () {
  "use strict";
  var TEXT = {
    offline: "Der er ingen forbindelse til assistenten lige nu. Vi prøver igen automatisk, og din samtale er gemt.",
    error: "Noget gik galt hos assistenten. Prøv at sende din besked igen om lidt.",
    you: "Du skrev:",
    bot: "Assistenten skrev:",
    // --- handoff (owned by the handoff feature) ---
    counsellor: "Rådgiver:",
    waiting: "Du venter på en rådgiver. Skriv gerne allerede nu, hvad du vil tale om.",
    active: "Du skriver nu med en rådgiver. Assistenten læser ikke med.",
    endShown: "Afslut samtalen"
  };
  var STORE_LOG = "ka.log", STORE_SESSION = "ka.session";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var statusBox = document.getElementById("status");
  var history = [];
  try { history = JSON.parse(sessionStorage.getItem(STORE_LOG) || "[]"); } catch (e) { history = []; }

  function save() { sessionStorage.setItem(STORE_LOG, JSON.stringify(history.slice(-200))); }

  function appendText(node, text) {
    // Plain text with safe links for http(s) addresses and /paths.
    var parts = String(text).split(/(https?:\/\/[^\s)]+|\/(?:viden|booking|sag)\/[^\s)]+)/g);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var a = document.createElement("a");
        a.href = part; a.textContent = part; a.target = "_blank"; a.rel = "noopener noreferrer";
        node.appendChild(a);
      } else if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
  }

  function render(entry, live) {
    var li = document.createElement("li");
    li.className = entry.from;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = entry.from === "user" ? TEXT.you : (entry.from === "counsellor" ? TEXT.counsellor : TEXT.bot);
    li.appendChild(who);
    appendText(li, entry.text || "");
    if (entry.buttons && entry.buttons.length) {
      var group = document.createElement("div");
      group.className = "buttons"; group.setAttribute("role", "group");
      entry.buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button"; btn.textContent = b.title;
        btn.disabled = !!entry.used || !live;
        btn.addEventListener("click", function () {
          entry.used = true; save();
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          send(b.payload, b.title);
        });
        group.appendChild(btn);
      });
      li.appendChild(group);
    }
    if (entry.link) {
      var p = document.createElement("div");
      var a = document.createElement("a");
      a.href = entry.link.url; a.textContent = entry.link.title; a.rel = "noopener noreferrer";
      p.appendChild(a); li.appendChild(p);
    }
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function add(entry) { history.push(entry); save(); render(entry, true); }

  function showStatus(text) { statusBox.textContent = text; statusBox.hidden = !text; }

  history.forEach(function (entry, i) { render(entry, i === history.length - 1); });

  var socket = io({ path: "/socket.io", transports: ["websocket", "polling"], reconnectionDelayMax: 5000 });

  socket.on("connect", function () {
    showStatus("");
    socket.emit("session_request", { session_id: sessionStorage.getItem(STORE_SESSION) });
  });
  socket.on("session_confirm", function (token) {
    sessionStorage.setItem(STORE_SESSION, token);
    if (!history.length) { socket.emit("user_uttered", { message: "/greet" }); }
  });
  socket.on("session_required", function () {
    socket.emit("session_request", { session_id: sessionStorage.getItem(STORE_SESSION) });
  });
  socket.on("connect_error", function () { showStatus(TEXT.offline); });
  socket.on("disconnect", function () { showStatus(TEXT.offline); });
  socket.on("server_error", function () { showStatus(TEXT.error); });
  // --- handoff (owned by the handoff feature): the banner while a counsellor
  // has the conversation, and counsellor replies, acknowledged once saved.
  var banner = document.getElementById("handoff");
  function setHandoff(state) {
    if (!banner) { return; }
    var text = state === "waiting" ? TEXT.waiting : (state === "active" ? TEXT.active : "");
    document.getElementById("handoff-text").textContent = text;
    banner.hidden = !text;
  }
  if (banner) {
    document.getElementById("handoff-end").addEventListener("click", function () {
      send("/end_handoff", TEXT.endShown);
    });
  }
  socket.on("handoff_state", function (msg) { setHandoff(msg && msg.state); });

  socket.on("bot_uttered", function (msg, ack) {
    if (msg && msg.from_counsellor) {
      var id = msg.case_message_id;
      var seen = history.some(function (e) { return e.caseMessageId === id; });
      if (!seen) { add({ from: "counsellor", text: msg.text || "", caseMessageId: id }); }
      if (typeof ack === "function") { ack(true); }
      socket.emit("handoff_received", { case_message_id: id });
      return;
    }
    var entry = { from: "bot", text: msg.text || "" };
    if (msg.quick_replies) {
      entry.buttons = msg.quick_replies.map(function (q) { return { title: q.title, payload: q.payload }; });
    }
    if (msg.attachment && msg.attachment.payload && msg.attachment.payload.src) {
      entry.link = { url: msg.attachment.payload.src, title: msg.attachment.payload.title || msg.attachment.payload.src };
    }
    if (msg.custom && msg.custom.link) { entry.link = msg.custom.link; }
    if (!entry.text && !entry.link) { return; }
    add(entry);
  });

  function send(payload, shown) {
    add({ from: "user", text: shown });
    if (!socket.connected) { showStatus(TEXT.offline); }
    socket.emit("user_uttered", { message: payload });
    input.focus();
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    input.value = "";
    send(text, text);
  });
})();
