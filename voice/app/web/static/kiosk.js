// The kiosk page: draws the state the kiosk pushes (server-sent events) and sends taps.
// Every word comes from the kiosk (/texts and the state); nothing is stored in the browser.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let texts = null;
  let source = null;
  let shownAsk = null;
  let shownOffer = "";
  let padValue = "";
  let padMax = 999;
  let usingKeys = false;
  const PERSON = ["progress", "question", "spoken", "heard", "warn", "answers", "pad-keys", "pad-value",
                  "commands", "emergency", "advice-label", "action", "advice-text", "alert", "advice-spoken",
                  "hold", "summary-heading", "summary-lines", "dialog-notice", "offer-text", "offer-answers"];

  function clearPerson() {
    for (const id of PERSON) { $(id).replaceChildren(); }
    document.body.classList.remove("is-emergency");
    $("summary").hidden = true;
    $("offer").hidden = true;
    shownAsk = null;
    shownOffer = "";
    padValue = "";
  }

  function makeButton(label, data, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (cls) { b.className = cls; }
    for (const [k, v] of Object.entries(data)) { b.dataset[k] = v; }
    return b;
  }

  function send(tap) {
    return fetch("tap", {method: "POST", cache: "no-store", credentials: "same-origin",
                         headers: {"Content-Type": "application/json"}, body: JSON.stringify(tap)})
      .catch(() => {});
  }

  function drawPad() {
    $("pad-value").textContent = padValue;
  }

  function padKey(key) {
    if (key === "del") { padValue = padValue.slice(0, -1); }
    else if (key === "ok") {
      if (padValue !== "") { send({number: parseInt(padValue, 10)}); }
      return;
    } else if (padValue.length < String(padMax).length) { padValue = (padValue + key).replace(/^0+(?=\d)/, ""); }
    drawPad();
  }

  function drawAnswers(state) {
    const key = JSON.stringify([state.question_id, state.question, state.kind, state.choices]);
    if (key === shownAsk) { return; }
    shownAsk = key;
    const focusLost = usingKeys && (document.activeElement === document.body || !document.activeElement);
    const answers = $("answers");
    answers.replaceChildren();
    const buttons = texts.buttons;
    if (state.kind === "yes_no") {
      for (const id of ["yes", "no", "unsure"]) { answers.append(makeButton(buttons[id].label, {button: id})); }
    } else if (state.kind === "choice") {
      for (const c of state.choices) { answers.append(makeButton(c.label, {choice: c.id})); }
      answers.append(makeButton(buttons.unsure.label, {button: "unsure"}));
    } else if (state.kind === "number") {
      answers.append(makeButton(buttons.unsure.label, {button: "unsure"}));
    }
    const pad = $("pad");
    pad.hidden = state.kind !== "number";
    padValue = "";
    if (state.number) { padMax = state.number.max; }
    const keys = $("pad-keys");
    keys.replaceChildren();
    if (state.kind === "number") {
      for (const d of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]) { keys.append(makeButton(d, {pad: d})); }
      keys.append(makeButton(texts.number_delete, {pad: "del"}));
      keys.append(makeButton(texts.number_enter, {pad: "ok"}, "primary"));
    }
    drawPad();
    const commands = $("commands");
    commands.replaceChildren();
    for (const id of ["repeat", "back", "restart"]) { commands.append(makeButton(buttons[id].label, {button: id})); }
    if (focusLost) {
      const first = answers.querySelector("button") || keys.querySelector("button");
      if (first) { first.focus(); }
    }
  }

  function show(phase) {
    for (const id of ["idle", "dialog", "advice", "stopped"]) { $(id).hidden = id !== phase; }
    $("help-now-wrap").hidden = !(phase === "idle" || phase === "dialog");
  }

  function stopped(message) {
    clearPerson();
    $("stopped-text").textContent = texts ? texts.stopped : "";
    $("connection").textContent = message || "";
    show("stopped");
  }

  function draw(state) {
    $("connection").textContent = "";
    if (state.phase === "idle" || state.phase === "stopped") { clearPerson(); }
    if (state.phase === "stopped") { stopped(""); return; }
    show(state.phase);
    if (state.phase === "idle") {
      $("invite").textContent = state.invite;
      $("idle-notice").textContent = state.notice;
      $("idle-notice").hidden = !state.notice;
      return;
    }
    if (state.phase === "dialog") {
      $("progress").textContent = state.progress ? texts.progress.replace("{count}", state.progress) : "";
      $("question").textContent = state.question;
      $("spoken").textContent = state.spoken;
      $("heard").textContent = state.heard ? texts.heard + ": " + state.heard : "";
      $("warn").textContent = state.warn ? texts.still_there : "";
      $("dialog-notice").textContent = state.notice;
      $("dialog-notice").hidden = !state.notice;
      if (state.kind) { drawAnswers(state); }
      else { for (const id of ["answers", "pad-keys", "commands"]) { $(id).replaceChildren(); } $("pad").hidden = true; shownAsk = null; }
      return;
    }
    // advice: the one action first
    document.body.classList.toggle("is-emergency", state.emergency);
    $("emergency").textContent = state.emergency ? texts.call_now : "";
    $("advice-label").textContent = state.label;
    $("action").textContent = state.action;
    let rest = state.advice;
    if (state.action && rest.startsWith(state.action)) { rest = rest.slice(state.action.length).trim(); }
    $("advice-text").textContent = rest;
    $("alert").textContent = state.alert;
    $("advice-spoken").textContent = state.spoken;
    $("offer").hidden = !state.offer;
    if (state.offer !== shownOffer) {
      shownOffer = state.offer;
      $("offer-text").textContent = state.offer;
      $("offer-answers").replaceChildren(...(state.offer ? ["yes", "no"].map(
        (id) => makeButton(texts.buttons[id].label, {button: id})) : []));
    }
    $("hold").textContent = state.hold ? texts.clears_after.replace("{seconds}", state.hold) : "";
    $("more-time").hidden = !state.hold;
    const lines = state.summary || [];
    $("summary").hidden = lines.length === 0;
    $("summary-heading").textContent = lines.length ? texts.summary_heading + ": " + lines[0] : "";
    $("summary-lines").replaceChildren(...lines.slice(1).map((line) => {
      const li = document.createElement("li");
      li.textContent = line.trim();
      return li;
    }));
  }

  function connect() {
    if (source) { source.close(); }
    source = new EventSource("events");
    source.onmessage = (e) => { draw(JSON.parse(e.data)); };
    source.onerror = () => {
      stopped(texts ? texts.reconnecting : "");
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 1000); }
    };
  }

  function setTexts(t) {
    texts = t;
    $("start").textContent = t.buttons.start.label;
    $("invite-hint").textContent = t.invite_hint;
    $("help-now").textContent = t.buttons.help_now.label;
    $("answers-heading").textContent = t.answers_heading;
    $("more-heading").textContent = t.more_heading;
    $("pad-heading").textContent = t.number_pad;
    $("pad-label").textContent = t.number_so_far;
    $("done").textContent = t.done;
    $("more-time").textContent = t.more_time;
  }

  document.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) { return; }
    if (b.dataset.pad) { padKey(b.dataset.pad); }
    else if (b.dataset.choice) { send({choice: b.dataset.choice}); }
    else if (b.dataset.button) { send({button: b.dataset.button}); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Tab") { usingKeys = true; }
    if ($("pad").hidden || $("dialog").hidden || e.target.tagName === "BUTTON" && (e.key === "Enter" || e.key === " ")) { return; }
    if (/^[0-9]$/.test(e.key)) { padKey(e.key); }
    else if (e.key === "Backspace") { padKey("del"); }
    else if (e.key === "Enter") { padKey("ok"); }
  });
  window.addEventListener("pageshow", (e) => { if (e.persisted) { location.reload(); } });

  fetch("texts", {cache: "no-store"}).then((r) => r.json()).then((t) => { setTexts(t); connect(); })
    .catch(() => { $("connection").textContent = ""; show("stopped"); });
})();
