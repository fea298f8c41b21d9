/* The visitor's ticket page, live: the /ticket Socket.IO namespace sends `ticket_status` on connect
   and whenever the ticket's place, estimate or status changes. While the socket is down (blocked,
   offline, server restarting) the page asks GET /api/v1/tickets/{token} every POLL_MS instead.
   A call is made impossible to miss: a big coloured block, announced by an assertive live region,
   with a vibration and a short tone where the phone allows. When the visit ends the page reloads,
   so the server shows the final state (and, after a finished visit, the rating form). */
"use strict";

(() => {
  const POLL_MS = 25000;
  const data = JSON.parse(document.getElementById("status-data").textContent);
  const texts = data.texts;
  const $ = id => document.getElementById(id);
  let shown = data.status;
  let pollTimer = null;

  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");

  function element(tag, attrs, content) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
    if (content !== undefined) node.textContent = content;
    return node;
  }

  // The estimate, as a range where the centre's past waits give one ("12–18 min").
  function minutes(value, range) {
    if (value === null || value === undefined) return texts.not_known;
    if (range) return fill(texts.range, {low: range[0], high: range[1]});
    return fill(texts.minutes, {n: Math.round(value)});
  }

  function drawWaiting(status) {
    const live = $("live");
    if (!$("ahead")) {
      const figures = element("dl", {class: "figures"});
      const ahead = element("div");
      ahead.append(element("dt", {}, texts.ahead), element("dd", {id: "ahead"}));
      const wait = element("div");
      wait.append(element("dt", {}, texts.wait), element("dd", {id: "wait"}));
      figures.append(ahead, wait);
      live.replaceChildren(element("p", {class: "state", id: "state"}, texts.waiting), figures);
    }
    const ahead = String(status.ahead ?? "—");
    const wait = minutes(status.estimated_wait_min, status.estimated_wait_range_min);
    if ($("ahead").textContent !== ahead) $("ahead").textContent = ahead;
    if ($("wait").textContent !== wait) $("wait").textContent = wait;
    if ($("call").childElementCount) $("call").replaceChildren();
  }

  function drawAtCounter(status) {
    const counter = status.counter ? status.counter.name : "";
    // U+2068…U+2069: the counter's code (MSK1-07) is an isolated run, in its own order inside Arabic text
    const run = document.documentElement.dir === "rtl" ? `\u2068${counter}\u2069` : counter;
    const where = fill(status.status === "called" ? texts.called : texts.serving, {counter: run});
    if ($("call-where")?.textContent === where) return;
    const big = element("p", {class: "call-counter", "aria-hidden": "true"});
    big.append(element("strong", {id: "counter", dir: "ltr"}, counter));
    const parts = [big, element("p", {class: "call-where", id: "call-where"}, where)];
    if (status.status === "called") parts.unshift(element("p", {class: "call-title"}, texts.turn));
    $("call").replaceChildren(...parts);
    $("live").replaceChildren();
    if (status.status === "called") alertVisitor();
  }

  function alertVisitor() {
    try { navigator.vibrate?.([400, 200, 400, 200, 400]); } catch (e) { /* not on this device */ }
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(start => {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.2, audio.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + 0.3);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + start);
        tone.stop(audio.currentTime + start + 0.3);
      });
    } catch (e) { /* browsers may refuse sound before the visitor touches the page */ }
  }

  // The current step of a visit follows the call live; any other change of the steps (one added,
  // dropped or finished) is drawn by the server: the page reloads for it.
  const NOW = ["waiting", "called", "serving"];
  const shape = states => states.join(" ");
  function stepsChanged(status) {
    if (!data.steps.length || !status.steps) return false;
    const heard = status.steps.map(s => (s.step === status.step ? "now" : s.status === "pending" ? "pending" : "past"));
    const shown = data.steps.map(state => (NOW.includes(state) ? "now" : state === "pending" ? "pending" : "past"));
    return shape(heard) !== shape(shown);
  }

  function drawStep(status) {
    const item = document.querySelector(`#steps li[data-step="${status.step}"]`);
    if (!item) return;
    const counter = status.counter ? status.counter.name : "";
    const run = document.documentElement.dir === "rtl" ? `\u2068${counter}\u2069` : counter;
    const unknown = status.status === "waiting" && status.estimated_wait_min == null;
    const words = fill(data.step_texts[unknown ? "step_waiting_unknown" : `step_${status.status}`] || "", {
      counter: run, ahead: status.ahead ?? "—", wait: minutes(status.estimated_wait_min, status.estimated_wait_range_min)});
    const state = item.querySelector(".vstep-state");
    if (state.textContent !== words) state.textContent = words;
    item.className = `vstep vstep-${status.status}`;
  }

  function draw(status) {
    if (!status || !status.status) return;
    if (status.number && $("number").textContent !== status.number) $("number").textContent = status.number;
    if (!status.actions?.length || (status.service && status.service !== data.service) || stepsChanged(status)) {
      // Done, no-show or cancelled: the server shows the end (and the rating form). Transferred to
      // another service: the page is drawn again for it, and the new socket follows the new ticket.
      location.reload();
      return;
    }
    $("ticket").className = `card ticket status-${status.status}`;
    if (data.steps.length) drawStep(status);
    if (status.status === "waiting") drawWaiting(status);
    else drawAtCounter(status);
    shown = status.status;
  }

  // ---- fallback: polling while the socket is down --------------------------------------------

  async function poll() {
    try {
      const response = await fetch(data.api, {headers: {Accept: "application/json"}, cache: "no-store"});
      if (response.ok) draw(await response.json());
    } catch (e) { /* offline for a moment: try again at the next tick */ }
  }

  function linkUp(up) {
    const hint = $("link-hint");
    if (hint) {
      hint.dataset.online ??= hint.textContent;
      hint.textContent = up ? hint.dataset.online : hint.dataset.offline;
    }
    document.body.classList.toggle("offline", !up);
    if (up && pollTimer !== null) {
      clearInterval(pollTimer);
      pollTimer = null;
    } else if (!up && pollTimer === null) {
      pollTimer = setInterval(poll, POLL_MS);
    }
  }

  if (typeof io !== "function") { // the client library did not load: polling only
    linkUp(false);
    return;
  }
  const socket = io("/ticket", {auth: {token: data.token}});
  socket.on("connect", () => linkUp(true));
  socket.on("connect_error", () => linkUp(false));
  socket.on("disconnect", () => linkUp(false));
  socket.on("ticket_status", draw);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !socket.connected) poll(); // back from the lock screen
  });
  window.onedoorStatus = {socket, get shown() { return shown; }};
})();
