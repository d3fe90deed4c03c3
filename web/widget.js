// The member health chat widget: plain JavaScript on socket.io-client (global `io`), no build.
// Talks to Rasa's socket.io protocol (session_request / session_confirm, user_uttered /
// bot_uttered) as served by member_health_rasa/channels/widget.py, which also sends `history` and `bot_typing`.
// Bot text is rendered as text nodes only: links are the one markup allowed, so HTML in a
// message is shown, never run.
(function () {
  "use strict";

  const root = document.getElementById("mh-chat");
  if (!root || typeof io !== "function") return;

  const config = {
    server: root.dataset.server || undefined, // same origin unless the page says otherwise
    socketPath: root.dataset.socketPath || "/socket.io",
    storageKey: root.dataset.storageKey || "mh-chat-session",
    initPayload: root.dataset.initPayload || "",
  };
  const el = (id) => document.getElementById(id);
  const log = el("chat-log");
  const form = el("chat-form");
  const input = el("chat-input");
  const statusLine = el("chat-status");
  const typing = el("chat-typing");
  const banner = el("chat-emergency");

  // --- session id in the browser's storage (survives reloads) ---
  const storage = {
    get() {
      try { return window.localStorage.getItem(config.storageKey); } catch (e) { return null; }
    },
    set(value) {
      try {
        if (value) window.localStorage.setItem(config.storageKey, value);
        else window.localStorage.removeItem(config.storageKey);
      } catch (e) { /* private mode: the session lasts as long as the page */ }
    },
  };

  // --- rendering: text nodes plus links ([label](url), bare URLs, US phone numbers) ---
  const LINK = new RegExp(
    String.raw`\[([^\]\n]{1,200})\]\(((?:https?:\/\/|tel:|mailto:)[^\s()]{1,500})\)` +
      String.raw`|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])` +
      String.raw`|\b(1-\d{3}-\d{3}-\d{4})\b`,
    "g"
  );

  function link(label, href) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    if (/^https?:/i.test(href)) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  function renderText(target, text) {
    let last = 0;
    for (const m of text.matchAll(LINK)) {
      target.append(document.createTextNode(text.slice(last, m.index)));
      if (m[1]) target.append(link(m[1], m[2]));
      else if (m[3]) target.append(link(m[3], m[3]));
      else target.append(link(m[4], "tel:+" + m[4].replace(/\D/g, "")));
      last = m.index + m[0].length;
    }
    target.append(document.createTextNode(text.slice(last)));
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function clearQuickReplies() {
    log.querySelectorAll(".quick-replies").forEach((group) => group.remove());
  }

  function showEmergency() {
    banner.replaceChildren();
    const text = document.createElement("strong");
    text.textContent = "Emergency: call 911 or go to the nearest hospital.";
    const call = link("Call 911", "tel:911");
    call.className = "chat-call";
    banner.append(text, call);
    banner.classList.add("visible");
  }

  function addMessage(sender, message, withButtons) {
    const bubble = document.createElement("div");
    const meta = message.metadata || {};
    bubble.className = "msg msg-" + sender;
    if (meta.emergency) bubble.classList.add("msg-emergency");
    if (meta.refused) bubble.classList.add("msg-note");
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = sender === "user" ? "You said: " : "Assistant: ";
    bubble.append(who);
    renderText(bubble, String(message.text || ""));
    log.append(bubble);
    if (meta.emergency) showEmergency();
    const replies = Array.isArray(message.quick_replies) ? message.quick_replies : [];
    if (withButtons && replies.length) {
      const group = document.createElement("div");
      group.className = "quick-replies";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested replies");
      for (const reply of replies) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = reply.title || reply.payload;
        button.addEventListener("click", () => {
          send(String(reply.payload || reply.title), String(reply.title || reply.payload));
          input.focus();
        });
        group.append(button);
      }
      log.append(group);
    }
    scrollDown();
  }

  let typingTimer = null;
  function setTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(() => setTyping(false), 30000);
    scrollDown();
  }

  function setStatus(text) {
    statusLine.textContent = text;
    root.classList.toggle("offline", text !== "");
  }

  // --- the connection ---
  let sessionId = storage.get();
  let ready = false; // session confirmed on the current connection
  const pending = []; // messages typed while (re)connecting
  const socket = io(config.server, { path: config.socketPath });
  root.mhChat = { socket }; // for the browser tests (e.g. to drop the connection)

  function emitMessage(text) {
    // The server speaks for the session it confirmed on this connection, never for an id
    // the page names here.
    socket.emit("user_uttered", { message: text });
  }

  function send(text, shown) {
    text = text.trim();
    if (!text) return;
    clearQuickReplies();
    addMessage("user", { text: shown || text }, false);
    setTyping(true);
    if (ready) emitMessage(text);
    else pending.push(text);
  }

  function start() {
    if (config.initPayload) {
      setTyping(true);
      emitMessage(config.initPayload);
    }
  }

  socket.on("connect", () => {
    ready = false;
    socket.emit("session_request", { session_id: sessionId });
  });

  socket.on("session_confirm", (confirmed) => {
    const id = typeof confirmed === "string" ? confirmed : (confirmed || {}).session_id;
    const isNew = id !== sessionId;
    sessionId = id;
    storage.set(id);
    ready = true;
    setStatus("");
    while (pending.length) emitMessage(pending.shift());
    if (isNew && !log.hasChildNodes()) start();
  });

  socket.on("history", (items) => {
    if (log.hasChildNodes()) return; // a reconnect: the page already shows the conversation
    if (!Array.isArray(items) || !items.length) return start();
    log.setAttribute("aria-busy", "true"); // screen readers: no re-reading the whole history
    items.forEach((item, i) => addMessage(item.sender === "user" ? "user" : "bot", item,
      i === items.length - 1));
    log.setAttribute("aria-busy", "false");
  });

  socket.on("bot_uttered", (message) => addMessage("bot", message || {}, true));
  socket.on("bot_typing", (state) => setTyping(Boolean(state && state.typing)));

  socket.on("disconnect", (reason) => {
    ready = false;
    setStatus("Reconnecting…");
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", () => setStatus("Reconnecting…"));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(input.value);
    input.value = "";
    input.focus();
  });

  el("chat-restart").addEventListener("click", () => {
    storage.set(null);
    sessionId = null;
    log.replaceChildren();
    banner.replaceChildren();
    banner.classList.remove("visible");
    setTyping(false);
    socket.disconnect();
    socket.connect();
    input.focus();
  });
})();
