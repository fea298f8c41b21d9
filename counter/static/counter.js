// The clerk's counter page: live state from the /counter socket, actions through /api/v1, keys.
import {makeApi, Refusal} from "./api.js";
import {bindDialogs} from "./dialogs.js";
import {fill, makeView} from "./view.js";
import {makeVisit} from "./visit.js";
import {makeWaiting} from "./waiting.js";

const data = JSON.parse(document.getElementById("counter-data").textContent);
const texts = data.texts;
const code = encodeURIComponent(data.counter.code);
const api = makeApi(data.urls.api, data.urls.csrf);
const post = api.post;
const view = makeView(data);
const skew = Date.parse(data.server_now) - Date.now(); // elapsed times follow the server's clock
const model = {counter: null, current: null, services: [], busy: false, signedOut: false};
const KEYS = {KeyN: "call", KeyR: "recall", KeyS: "start", KeyX: "no_show", KeyF: "finish", KeyT: "transfer", KeyP: "pause", KeyC: "close"};

// ---- messages ---------------------------------------------------------------------------------

function say(message) {
  document.getElementById("alert").hidden = true;
  document.getElementById("notice").textContent = message || "";
}

function complain(message, link) {
  const alert = document.getElementById("alert");
  alert.replaceChildren(message);
  if (link) {
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    alert.append(" ", a);
  }
  alert.hidden = false;
  document.getElementById("notice").textContent = "";
}

function signedOut() {
  model.signedOut = true;
  document.querySelector("dialog[open]")?.close();
  complain(texts.signed_out, {href: data.urls.login, text: texts.sign_in});
  render();
}

// What a refused or failed call tells the clerk, in the page's language: the refusal code's text
// (the server's own message is English), or the server's words when the code is new to this page.
function explain(error, action) {
  if (!(error instanceof Refusal)) return texts.unreachable;
  if (action === "call" && error.code === "call_again") return texts.call_again;
  return data.refusals[error.code] || fill(texts.refused, {message: error.message});
}

// ---- model updates ----------------------------------------------------------------------------

let shownStep = null;

function render() {
  const before = document.activeElement;
  const step = view.render(model);
  visit.draw(step === "work" ? model.current : null, model.busy || model.signedOut);
  waiting.enable(canCall());
  view.tick(model, Date.now() + skew);
  // Entering the work step, or a pressed button that is now disabled, would leave focus nowhere:
  // put it on what the clerk most likely does next.
  const lost = step !== shownStep || !before || before === document.body || before.disabled || before.closest("[hidden]");
  shownStep = step;
  if (step === "work" && lost && !model.busy && !document.querySelector("dialog[open]")) {
    const next = ["start", "finish"].find((action) => model.current?.actions.includes(action)) ?? "call";
    const button = view.buttons[next];
    (button.disabled ? view.buttons.call : button).focus();
  }
}

// A ticket an action at this counter answered (the shape of the socket's `current` too): still the
// counter's current one while the server offers moves on it; none once its visit is over.
function fromTicket(ticket) {
  return ticket.actions.length ? ticket : null;
}

function setCounter(state) {
  model.counter = {...model.counter, ...state};
  if (state.state === "closed") model.current = null;
}

// ---- actions ----------------------------------------------------------------------------------

const ticketPath = (verb) => `/tickets/${model.current.id}/${verb}`;
const counterPath = (verb) => `/counters/${code}/${verb}`;
const serviceName = (service) => data.services[service] ?? service;

// The services this counter serves in this session: "continue here" is offered for those.
function mine() {
  const skills = model.counter?.skills || {};
  return new Set([...(skills.primary || []), ...(skills.secondary || [])]);
}

// What the clerk is told after a step ends: the visit's next step and where the visitor goes.
function finishedWords(ticket, next, here) {
  const service = serviceName(ticket.next_steps?.[0]);
  if (!next) return fill(texts.finished, {number: ticket.number});
  return fill(here ? texts.finished_here : texts.finished_next, {number: ticket.number, service});
}

const actions = {
  async call() {
    const ticket = await post(counterPath("call-next"));
    if (ticket === null) return say(texts.nobody_waiting);
    model.current = fromTicket(ticket);
    say("");
  },
  async recall() {
    const ticket = await post(ticketPath("recall"));
    model.current = fromTicket(ticket);
    say(ticket.status === "no_show" ? fill(texts.no_show_done, {number: ticket.number}) : "");
  },
  async start() {
    model.current = fromTicket(await post(ticketPath("start")));
    say("");
  },
  async no_show() {
    const ticket = await post(ticketPath("no-show"));
    model.current = fromTicket(ticket);
    say(fill(texts.no_show_done, {number: ticket.number}));
  },
  async finish(body) {
    const before = model.current;
    const ticket = await post(ticketPath("finish"), body);
    // Continued here: the visit's next row is already called at this counter.
    model.current = body.continue_here && ticket.next_ticket ? await api.get(counterPath("current")) : fromTicket(ticket);
    say(finishedWords({...before, ...ticket, next_steps: before.next_steps}, ticket.next_ticket, body.continue_here));
  },
  async add_step(service) {
    model.current = fromTicket(await post(ticketPath("steps"), {service}));
    say(fill(texts.step_added, {service: serviceName(service)}));
  },
  async drop_step(service) {
    model.current = fromTicket(await api.delete(`${ticketPath("steps")}/${encodeURIComponent(service)}`));
    say(fill(texts.step_dropped, {service: serviceName(service)}));
  },
  async note(note) {
    model.current = fromTicket(await api.put(ticketPath("note"), {note}));
    visit.noteSaved(model.current?.note ?? note);
    say(note ? texts.note_saved : texts.note_cleared);
  },
  async call_this(ticket) {
    model.current = fromTicket(await post(counterPath("call"), {ticket: ticket.id}));
    say("");
  },
  async transfer(body) {
    const ticket = await post(ticketPath("transfer"), body);
    model.current = null;
    const desk = ticket.for_counter && (counters.last ?? []).find((c) => c.code === ticket.for_counter);
    say(ticket.for_counter ? fill(texts.transferred_to_counter, {number: ticket.number, counter: desk ? fill(texts.counter_name, {name: desk.name}) : ticket.for_counter})
      : fill(texts.transferred, {number: ticket.number, service: data.services[ticket.service] ?? ticket.service}));
  },
  async pause() {
    const paused = model.counter.state === "paused";
    setCounter(await post(counterPath(paused ? "resume" : "pause")));
    say(paused ? texts.resumed : texts.paused);
  },
  async close() {
    setCounter(await post(counterPath("close")));
    say(texts.closed);
  },
  async open(body) {
    setCounter(await post(counterPath("open"), body));
    say(texts.opened);
  },
};

// Run one action; say whether it worked. A refusal shows in `errorBox` (an open dialog's) or the page.
async function act(name, body, errorBox) {
  if (model.busy) return false;
  model.busy = true;
  render();
  try {
    await actions[name](body);
    if (model.counter?.state !== "closed") waiting.refresh(); // who waits has changed, or may have
    return true;
  } catch (error) {
    if (error instanceof Refusal && error.status === 401) {
      signedOut();
      return false;
    }
    const message = explain(error, name);
    if (errorBox) {
      errorBox.textContent = message;
      errorBox.hidden = false;
    } else {
      complain(message);
    }
    return false;
  } finally {
    model.busy = false;
    render();
  }
}

// What the centre serves today (GET /centres/{c}/services): the transfer dialog offers only those.
async function served() {
  try {
    const answer = await fetch(`${data.urls.api}/centres/${encodeURIComponent(data.centre.code)}/services`,
      {credentials: "same-origin", headers: {Accept: "application/json"}});
    if (answer.ok) served.last = new Map((await answer.json()).map((o) => [o.service, o]));
  } catch (e) { /* out of reach: keep what we knew */ }
  return served.last;
}
served.last = null;

// The centre's counters (GET /centres/{c}/counters): where the transfer dialog can send a visitor.
async function counters() {
  try {
    const answer = await fetch(`${data.urls.api}/centres/${encodeURIComponent(data.centre.code)}/counters`,
      {credentials: "same-origin", headers: {Accept: "application/json"}});
    if (answer.ok) counters.last = await answer.json();
  } catch (e) { /* out of reach: keep what we knew */ }
  return counters.last;
}
counters.last = null;
const dialogs = bindDialogs({act, current: () => model.current, served, counters, here: data.counter.code, mine, texts,
                             names: data.services});
const visitError = document.getElementById("visit-error");
const visit = makeVisit(data, (service) => visitAct("drop_step", service));
const canCall = () => model.counter?.state === "open" && !model.current && !model.busy && !model.signedOut;
const waiting = makeWaiting(data, api.get, (ticket) => act("call_this", ticket), canCall);

// The visit's own actions say their refusals next to the visit, where the clerk is looking, and
// leave the focus there (on the "add a step" choice when the pressed button is gone).
async function visitAct(name, body) {
  visitError.hidden = true;
  const opener = document.activeElement;
  const done = await act(name, body, visitError);
  const back = opener?.isConnected && !opener.disabled && !opener.closest("[hidden]") ? opener : document.getElementById("add-step-service");
  if (!back.closest("[hidden]")) back.focus();
  return done;
}

document.getElementById("add-step-form").addEventListener("submit", (event) => {
  event.preventDefault();
  visitAct("add_step", event.target.elements.service.value);
});
document.getElementById("note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  visitAct("note", event.target.elements.note.value.trim());
});

for (const [name, button] of Object.entries(view.buttons)) {
  button.addEventListener("click", () => (dialogs[name] ? dialogs[name]() : act(name)));
}

document.getElementById("open-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const skills = [...event.target.querySelectorAll('input[name="skills"]:checked')].map((box) => box.value);
  if (!skills.length) return complain(texts.choose_skill);
  act("open", {skills});
});

// ---- keyboard: one letter per action, by key position so any keyboard layout works -------------

function typing(target) {
  if (target.isContentEditable || target.closest?.("select, textarea")) return true;
  return target.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(target.type);
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
  if (document.querySelector("dialog[open]") || typing(event.target)) return;
  const button = view.buttons[KEYS[event.code]];
  if (!button || button.disabled || button.closest("[hidden]")) return;
  event.preventDefault();
  button.click();
});

// ---- live state -------------------------------------------------------------------------------

const banner = document.getElementById("connection");
const socket = io("/counter", {query: {counter: data.counter.code}});

socket.on("connect", () => {
  banner.hidden = true;
  const alert = document.getElementById("alert");
  if (alert.textContent === texts.unreachable) alert.hidden = true; // that is over now
});
socket.on("disconnect", (reason) => {
  banner.hidden = false;
  if (reason === "io server disconnect") socket.connect(); // the client does not retry this by itself
});
socket.on("connect_error", (error) => {
  if (/^unauthorized/.test(error.message)) return signedOut();
  banner.hidden = false;
  if (!socket.active) setTimeout(() => socket.connect(), 3000); // refused, not dropped: retry slowly
});
socket.on("state", (state) => {
  model.counter = state.counter;
  model.current = state.current;
  model.services = state.queue;
  render();
  if (state.counter.state !== "closed") waiting.refresh();
});
socket.on("queue_changed", (summary) => {
  model.services = summary.services;
  render();
  waiting.refresh();
});

setInterval(() => {
  view.tick(model, Date.now() + skew);
  waiting.tick();
}, 1000);
render();
