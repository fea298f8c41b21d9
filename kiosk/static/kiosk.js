/* The lobby kiosk: language → find a service (life event, agency, search) → what to bring and the
   wait → priority → optional phone → the ticket on screen with its QR. Or: appointment code → ticket.
   A visit of several services (SPEC §11): a life event's services come ticked, the visitor unticks or
   adds others (up to MAX_STEPS), and one ticket lists the steps in order and what to bring for each.
   Everything it shows comes with the page; it asks the server only to issue or check in and what is
   served now (GET /centres/{c}/services), and hears the live waits on the /display socket. Without a touch for a while it goes back to the start.
   When the socket's state names a newer catalogue (an admin changed it), it asks its page's data again
   (catalogue.json) and redraws its menu — at once on the start screen, else when the visitor is done. */
import {Refusal, Unreachable, makeApi} from "./api.js";
import {keyboard, keypad, matches} from "./keys.js";

const data = JSON.parse(document.getElementById("kiosk-data").textContent);
const $ = id => document.getElementById(id);
const root = $("kiosk");
const post = makeApi(data.api, data.token);
const get = makeApi(data.api, data.token, "GET");
const services = new Map(data.services.map(s => [s.code, s]));
const agencies = new Map(data.agencies.map(a => [a.code, a]));
const WARN_MS = 10000; // the "are you still there?" countdown
const IDLE_MS = Math.max(data.idle_seconds * 1000, WARN_MS + 5000);
const MAX_STEPS = 5; // services on one ticket (the API refuses more)

const state = {
  lang: data.languages[0].code,
  screen: "language",
  history: [], // screens Back returns to
  tab: data.life_events.length ? "events" : "agencies",
  opened: {events: null, agencies: null}, // the life event / agency whose services are listed
  service: null,
  visit: null, // {event, picks: [codes in order], ticked: Set}: a ticket for several services
  adding: false, // the find screen picks a service to add to the visit
  priority: false,
  ticket: null,
  paperFailing: false, // the ticket's paper failed: the screen is the ticket
  printer: data.printer, // "ok", "failing" (say so before a visitor starts) or "none"
  busy: false,
  lastTouch: Date.now(),
};
const waits = new Map(); // service code → {waiting, estimated_wait_min, estimated_wait_range_min}, from the socket
// service code → {served_now, served_today, next_served_at, bookable}: what the centre serves now
// (GET /centres/{c}/services), asked again after queue changes and every OFFERS_MS
const offers = new Map(data.offers.map(o => [o.service, o]));
const OFFERS_MS = 60000;
let hours = data.hours; // open now, or when next (services/screens.py opening); the socket's states renew it
let closed = false; // what the first screen says: the centre is closed, and when it opens
let socket = null;

const t = (key, values = {}) => data.texts[state.lang][key].replace(/\{(\w+)\}/g, (_, name) => values[name]);
const name = item => item.names[state.lang];

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

// ---- screens ---------------------------------------------------------------------------------------

function show(screen, {remember = true} = {}) {
  if (remember && state.screen !== screen) state.history.push(state.screen);
  state.screen = screen;
  if (screen !== "find") state.adding = false;
  $("adding").hidden = !state.adding;
  root.dataset.screen = screen;
  for (const section of document.querySelectorAll(".screen")) section.hidden = section.id !== `s-${screen}`;
  $("bar").hidden = screen === "language";
  $("back").hidden = screen === "ticket"; // a ticket is taken: only "Done" or "Start again"
  drawPrinter();
  $(`s-${screen}`).querySelector("h1").focus();
}

function back() {
  const previous = state.history.pop();
  if (previous === undefined || previous === "language") return restart();
  show(previous, {remember: false});
}

function restart() {
  state.history = [];
  Object.assign(state, {service: null, visit: null, adding: false, priority: false, ticket: null,
                        tab: data.life_events.length ? "events" : "agencies"});
  state.opened = {events: null, agencies: null};
  for (const id of ["search-input", "phone-input", "code-input"]) $(id).value = "";
  for (const id of ["phone-error", "code-error", "visit-error"]) $(id).textContent = "";
  $("walk-in").hidden = true;
  $("phone-send").disabled = true;
  $("check-in").disabled = true;
  setBusy(false);
  hideIdle();
  setLanguage(data.languages[0].code);
  show("language", {remember: false});
  if (catalogueDue) loadCatalogue(); // a newer menu waited for this visitor to finish
}

// ---- language --------------------------------------------------------------------------------------

function setLanguage(code) {
  state.lang = code;
  document.documentElement.lang = code;
  document.documentElement.dir = data.directions[code]; // Arabic: the whole kiosk mirrors (kiosk.css is logical)
  root.lang = code;
  document.title = `${data.centre_names[code]} · OneDoor`;
  for (const node of root.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  for (const node of root.querySelectorAll("[data-label]")) node.setAttribute("aria-label", t(node.dataset.label));
  for (const node of root.querySelectorAll("[data-alt]")) node.alt = t(node.dataset.alt);
  for (const node of root.querySelectorAll("[data-centre-name]")) node.textContent = data.centre_names[code];
  for (const button of document.querySelectorAll(".lang-switch")) button.setAttribute("aria-pressed", String(button.dataset.lang === code));
  const labels = {space: t("space"), delete: t("delete"), clear: t("clear")};
  keyboard($("search-keys"), $("search-input"), data.letters[code], labels);
  keyboard($("code-keys"), $("code-input"), data.code_keys, labels, {space: false});
  keypad($("phone-keys"), $("phone-input"), labels);
  drawTabs();
  drawService();
  drawVisit();
  drawPriority();
  drawTicket();
}

// ---- finding a service -----------------------------------------------------------------------------

function waitContent(code) {
  const live = unserved(code) ? null : waits.get(code);
  const minutes = live?.estimated_wait_min;
  if (minutes === null || minutes === undefined) {
    const dash = element("span", "", "—");
    dash.setAttribute("aria-hidden", "true");
    return [dash, element("span", "sr-only", t("wait_unknown"))];
  }
  return [waitWords(minutes, live.estimated_wait_range_min)];
}

/** "12–18 min" where the centre's past waits give a range around the estimate, else "~15 min". */
function waitWords(minutes, range) {
  return range ? t("wait_range", {low: range[0], high: range[1]}) : t("wait_min", {n: Math.max(1, Math.round(minutes))});
}

function drawWaits() {
  for (const node of root.querySelectorAll("[data-wait]")) node.replaceChildren(...waitContent(node.dataset.wait));
  drawOffers();
  if (state.service) $("service-waiting").textContent = String(waits.get(state.service)?.waiting ?? 0);
}

/** A service's name, agency, what is served today and its live wait: the spans of its button or row. */
function serviceFacts(code) {
  const service = services.get(code);
  const wait = element("span", "wait");
  const value = element("span", "wait-value");
  value.dataset.wait = code;
  value.replaceChildren(...waitContent(code));
  wait.append(element("span", "caption", t("wait")), " ", value);
  const offer = element("span", "offer", offerWords(code));
  offer.dataset.offer = code;
  offer.classList.toggle("not-today", unserved(code));
  return [element("span", "name", name(service)), element("span", "agency", name(agencies.get(service.agency) || {names: {}}) || ""),
    offer, wait];
}

function serviceButton(code) {
  const button = element("button", "choice service");
  button.type = "button";
  button.dataset.service = code;
  button.classList.toggle("not-today", unserved(code));
  button.append(...serviceFacts(code));
  button.addEventListener("click", () => (state.adding ? pickAdded(code) : openService(code)));
  return button;
}

function serviceList(codes) {
  const list = element("ul", "services");
  for (const code of codes) {
    const item = element("li");
    item.append(serviceButton(code));
    list.append(item);
  }
  return list;
}

function drawGroups(kind) {
  const groups = kind === "events" ? data.life_events : data.agencies;
  const panel = $(`panel-${kind}`);
  const opened = groups.find(g => g.code === state.opened[kind]);
  if (!opened) {
    const list = element("ul", "groups");
    for (const group of groups) {
      const item = element("li");
      const button = element("button", "choice group", name(group));
      button.type = "button";
      button.dataset.group = group.code;
      button.addEventListener("click", () => {
        if (kind === "events" && !state.adding) return startVisit(group); // its services, ticked
        state.opened[kind] = group.code;
        drawGroups(kind);
        panel.querySelector("h2").focus();
      });
      item.append(button);
      list.append(item);
    }
    panel.replaceChildren(list);
    return;
  }
  const up = element("button", "secondary up", t(kind === "events" ? "all_events" : "all_agencies"));
  up.type = "button";
  up.addEventListener("click", () => {
    state.opened[kind] = null;
    drawGroups(kind);
    panel.querySelector(`[data-group="${opened.code}"]`)?.focus();
  });
  const title = element("h2", "group-title", name(opened));
  title.tabIndex = -1;
  panel.replaceChildren(up, title, serviceList(opened.services));
}

function drawSearch() {
  const query = $("search-input").value;
  const found = data.services.filter(s => matches(query, [
    name(s), ...s.documents[state.lang], name(agencies.get(s.agency) || {names: {}}) || "",
  ])).map(s => s.code);
  $("search-results").replaceChildren(...serviceList(found).children);
  $("no-match").hidden = found.length > 0;
}

function drawTabs() {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const selected = tab.dataset.tab === state.tab;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  drawGroups("events");
  drawGroups("agencies");
  drawSearch();
}

function selectTab(tab) {
  state.tab = tab;
  drawTabs();
  $(`tab-${tab}`).focus();
}

// ---- a service, priority, phone --------------------------------------------------------------------

function openService(code) {
  state.service = code;
  drawService();
  show("service");
}

function drawService() {
  const service = services.get(state.service);
  if (!service) return;
  $("service-offer").dataset.offer = service.code;
  $("service-title").textContent = name(service);
  $("service-agency").textContent = name(agencies.get(service.agency) || {names: {}}) || "";
  $("service-wait").dataset.wait = service.code;
  const documents = service.documents[state.lang];
  $("service-documents").replaceChildren(...documents.map(d => element("li", "", d)));
  $("service-no-documents").hidden = documents.length > 0;
  drawWaits();
}

// ---- a visit: several services on one ticket ---------------------------------------------------------

/** The services the ticket is for, in order: the visit's ticked ones, or the one service chosen. */
function chosen() {
  if (state.visit) return state.visit.picks.filter(code => state.visit.ticked.has(code));
  return state.service ? [state.service] : [];
}

// A life event: its services in the catalogue's order, each ticked unless not served today.
function startVisit(group) {
  const picks = [...group.services];
  state.visit = {event: group.code, picks, ticked: new Set(picks.filter(code => !unserved(code)).slice(0, MAX_STEPS))};
  $("visit-error").textContent = "";
  drawVisit();
  show("visit");
}

function addToVisit(code) {
  state.visit ??= {event: null, picks: [], ticked: new Set()};
  if (!state.visit.picks.includes(code)) state.visit.picks.push(code);
  if (state.visit.ticked.size < MAX_STEPS) state.visit.ticked.add(code);
}

function addMore() { // from a service or the visit: pick another on the find screen
  if (state.screen === "service") addToVisit(state.service);
  state.adding = true;
  show("find");
}

function pickAdded(code) {
  addToVisit(code);
  $("visit-error").textContent = "";
  drawVisit();
  state.history = ["find"]; // Back from the visit leads to finding a service, not to this pick
  show("visit", {remember: false});
}

function setTicked(code, on) {
  const {ticked} = state.visit;
  if (on && ticked.size < MAX_STEPS) ticked.add(code);
  else ticked.delete(code);
  $("visit-error").textContent = "";
  drawVisit();
  $(`pick-${code}`)?.focus(); // the list was drawn anew: keep the keyboard where it was
}

function pickRow(code, full) {
  const service = services.get(code);
  const on = state.visit.ticked.has(code);
  const row = element("li", "pick");
  row.dataset.pick = code;
  row.classList.toggle("not-today", unserved(code));
  const box = element("input");
  Object.assign(box, {type: "checkbox", id: `pick-${code}`, checked: on, disabled: !on && full});
  box.setAttribute("aria-labelledby", `pick-${code}-name`);
  box.setAttribute("aria-describedby", `pick-${code}-offer pick-${code}-bring`);
  box.addEventListener("change", () => setTicked(code, box.checked));
  const label = element("label", "pick-label");
  label.htmlFor = box.id;
  const facts = serviceFacts(code);
  facts[0].id = `pick-${code}-name`;
  facts[2].id = `pick-${code}-offer`;
  label.append(...facts);
  const documents = service.documents[state.lang];
  const bring = element("p", "pick-bring", documents.length ? `${t("bring")}: ${documents.join(" · ")}` : t("nothing_listed"));
  bring.id = `pick-${code}-bring`;
  row.append(box, label, bring);
  return row;
}

function drawVisit() {
  const visit = state.visit;
  if (!visit) return;
  const event = data.life_events.find(e => e.code === visit.event);
  $("visit-title").textContent = event ? name(event) : t("visit");
  const full = visit.ticked.size >= MAX_STEPS;
  $("visit-list").replaceChildren(...visit.picks.filter(code => services.has(code)).map(code => pickRow(code, full)));
  $("visit-full").hidden = !full;
  $("visit-add").disabled = full;
  $("visit-take").disabled = visit.ticked.size === 0;
}

// ---- what the centre serves now ------------------------------------------------------------------

const unserved = code => offers.get(code)?.served_today === false;

function clock(iso) {
  const options = {hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
  try {
    return new Intl.DateTimeFormat(state.lang, {...options, timeZone: data.timezone}).format(new Date(iso));
  } catch (e) { /* an unknown zone: the device's own */
    return new Intl.DateTimeFormat(state.lang, options).format(new Date(iso));
  }
}

/** "Served now", "Served from 14:00", "Served later today" or "Not served today" ("" before we know). */
function offerWords(code) {
  const offer = offers.get(code);
  if (!offer) return "";
  if (offer.served_now) return t("served_now");
  if (!offer.served_today) return t("not_today");
  if (offer.next_served_at && Date.parse(offer.next_served_at) > Date.now()) return t("served_from", {time: clock(offer.next_served_at)});
  return t("served_later");
}

function drawOffers() {
  for (const node of root.querySelectorAll("[data-offer]")) {
    node.textContent = offerWords(node.dataset.offer);
    node.classList.toggle("not-today", unserved(node.dataset.offer));
  }
  for (const button of root.querySelectorAll("button[data-service]")) button.classList.toggle("not-today", unserved(button.dataset.service));
  for (const row of root.querySelectorAll("li[data-pick]")) row.classList.toggle("not-today", unserved(row.dataset.pick));
  drawUnserved();
}

// A service nobody serves for the rest of today: say why and when it is served next, and offer to
// book it (a QR code and the address of its booking page) instead of a ticket that would wait for ever.
function drawUnserved() {
  const code = state.service;
  const refused = Boolean(code) && unserved(code);
  $("unserved").hidden = !refused;
  $("service-actions").hidden = refused;
  if (!refused) return;
  const offer = offers.get(code);
  const service = services.get(code);
  $("unserved-why").textContent = data.refusals[state.lang].not_served_today;
  const raw = data.texts[state.lang]; // with their {time} and {day}, filled in by Opening.words
  const texts = {opens_today: raw.next_today, opens_tomorrow: raw.next_tomorrow, opens_on: raw.next_on, closed_long: raw.next_unknown};
  $("unserved-next").textContent = Opening.words({next_opening: offer.next_served_at}, texts, state.lang, data.timezone);
  const bookable = Boolean(offer.bookable && service?.book_url);
  $("unserved-book").hidden = !bookable;
  $("unserved-desk").hidden = bookable;
  if (bookable) {
    const src = `${data.book_qr_url}?service=${encodeURIComponent(code)}`;
    if ($("unserved-qr").getAttribute("src") !== src) $("unserved-qr").src = src;
    $("unserved-url").textContent = service.book_url.replace(/^https?:\/\//, "");
  }
}

async function loadOffers() {
  try {
    const list = await get(`/centres/${encodeURIComponent(data.centre)}/services`);
    offers.clear();
    for (const offer of list) offers.set(offer.service, offer);
    drawOffers();
  } catch (e) {
    /* out of reach for a moment: keep what we knew */
  }
}

let offersDue = null;
function refreshOffers() { // a burst of queue changes asks once
  if (offersDue === null) offersDue = setTimeout(() => { offersDue = null; loadOffers(); }, 3000);
}

function drawPriority() {
  $("priority-service").textContent = chosen().filter(code => services.has(code)).map(code => name(services.get(code))).join(" · ");
}

function choosePriority(priority) {
  state.priority = priority;
  $("phone-error").textContent = "";
  show("phone");
}

async function issue(withPhone) {
  const phone = $("phone-input").value.trim();
  const codes = chosen();
  const body = {priority: state.priority, language: state.lang};
  if (codes.length > 1) body.services = codes; // one ticket, its steps in this order
  else body.service = codes[0];
  if (withPhone && phone) body.phone = phone;
  const answer = await request(`/centres/${encodeURIComponent(data.centre)}/tickets`, body, $("phone-error"), refusal => {
    if (refusal.code === "not_served_today" && state.visit) { // one of them stopped being served: name it, to untick
      setTimeout(() => refusedStep(codes.includes(refusal.error.service) ? refusal.error.service : null, codes));
    } else if (refusal.code === "not_served_today") { // it stopped being served meanwhile: say when next, offer to book
      const {next_served_at: next = null, bookable = false} = refusal.error;
      offers.set(state.service, {...offers.get(state.service), served_now: false, served_today: false, next_served_at: next, bookable});
      state.history = state.history.filter(screen => screen !== "service" && screen !== "priority");
      setTimeout(() => { drawService(); show("service"); });
    }
    return said(refusal);
  });
  if (answer) showTicket(answer);
}

// Back to the visit, naming the service nobody serves today so the visitor can untick it. A refusal
// that does not name it: what the centre serves now (GET …/services) does.
async function refusedStep(named, codes) {
  if (named) offers.set(named, {...offers.get(named), served_now: false, served_today: false});
  else await loadOffers();
  const code = named ?? codes.find(unserved);
  state.history = ["find"];
  drawVisit();
  show("visit", {remember: false});
  $("visit-error").textContent = code ? t("visit_unserved", {service: name(services.get(code))})
    : data.refusals[state.lang].not_served_today;
}

// ---- appointment check-in --------------------------------------------------------------------------

function openCheckIn() {
  $("code-error").textContent = "";
  $("walk-in").hidden = true;
  show("code");
}

async function checkIn() {
  const code = $("code-input").value.replace(/\s+/g, "").toUpperCase();
  if (!code) return;
  $("walk-in").hidden = true;
  const answer = await request(`/appointments/${encodeURIComponent(code)}/check-in`, {language: state.lang},
    $("code-error"), refusal => {
      const service = refusal.error.service || refusal.error.appointment?.service;
      if (refusal.code === "too_late") {
        state.service = services.has(service) ? service : null;
        $("walk-in").hidden = false;
      }
      return said(refusal);
    });
  if (answer) showTicket(answer);
}

function walkIn() {
  state.visit = null; // the walk-in ticket is for the booked service alone
  if (state.service) {
    state.priority = false;
    drawPriority();
    show("priority");
  } else {
    show("find");
  }
}

// ---- the server ------------------------------------------------------------------------------------

function setBusy(busy) {
  state.busy = busy;
  root.classList.toggle("is-busy", busy);
  root.setAttribute("aria-busy", String(busy));
  $("busy").textContent = busy ? t("busy") : "";
}

/** A refusal in the visitor's language: its code's text, or a translated "could not" — never the
 *  server's own message, which is English. A phone the API's schema refused is a bad phone. */
function said(refusal) {
  const texts = data.refusals[state.lang];
  if (refusal.code === "invalid" && refusal.error.fields?.phone) return texts.bad_phone;
  return texts[refusal.code] || texts[""];
}

/** POST and return the answer, or null after saying in `where` what went wrong. */
async function request(path, body, where, explain) {
  if (state.busy) return null;
  where.textContent = "";
  setBusy(true);
  try {
    return await post(path, body);
  } catch (error) {
    if (error instanceof Refusal) where.textContent = error.status < 500 ? explain(error) : t("failed");
    else if (error instanceof Unreachable) where.textContent = t("unreachable");
    else throw error;
    return null;
  } finally {
    setBusy(false);
  }
}

// ---- the ticket ------------------------------------------------------------------------------------

function showTicket(ticket) {
  state.ticket = ticket;
  state.paperFailing = state.printer === "failing"; // never "printing" on a printer known to fail
  state.service = ticket.service;
  state.history = [];
  $("ticket-qr").src = `${data.qr_url}?ticket=${encodeURIComponent(ticket.token)}`;
  drawTicket();
  show("ticket", {remember: false});
  if (hasPaper(ticket)) watchPaper(ticket.id);
}

function drawTicket() {
  const ticket = state.ticket;
  if (!ticket) return;
  $("ticket-number").textContent = ticket.number;
  $("ticket-number").parentElement.style.setProperty("--chars", ticket.number.length); // PAS012 shrinks to fit
  const service = services.get(ticket.service);
  $("ticket-service").textContent = service ? name(service) : ticket.service;
  drawSteps(ticket.steps || []);
  $("ticket-ahead").textContent = ticket.position === null || ticket.position === undefined ? "—" : String(Math.max(0, ticket.position - 1));
  const minutes = ticket.estimated_wait_min;
  const range = ticket.estimated_wait_range_min; // where the centre's past waits give one
  $("ticket-wait").textContent = minutes === null || minutes === undefined ? "—" : waitWords(minutes, range);
  const appointment = ticket.appointment;
  $("ticket-appointment").hidden = !appointment;
  if (appointment) {
    let time = appointment.start;
    try {
      time = new Intl.DateTimeFormat(state.lang, {hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: data.timezone})
        .format(new Date(appointment.start));
    } catch (e) { /* an unknown zone: show the time as sent */ }
    $("ticket-appointment").textContent = t("appointment_at", {time});
  }
  const printing = hasPaper(ticket) && !state.paperFailing;
  $("print-note").textContent = t(printing ? "printing" : "no_printing");
  $("print-note").classList.toggle("warning", !printing);
}

const serviceName = code => (services.has(code) ? name(services.get(code)) : code);

// A visit's ticket: its steps in order ("1. Birth registration — now") and what to bring for each.
function drawSteps(steps) {
  const visit = steps.length > 1;
  $("ticket-service").hidden = visit;
  $("ticket-steps").hidden = !visit;
  $("ticket-bring").hidden = !visit;
  $("s-ticket").classList.toggle("is-visit", visit);
  if (!visit) return;
  const when = ["step_now", "step_next"];
  $("ticket-step-list").replaceChildren(...steps.map((step, i) => element("li", "", t("step_line", {
    n: step.step, service: serviceName(step.service), when: t(when[i] || "step_later")}))));
  $("ticket-documents").replaceChildren(...steps.flatMap(step => {
    const documents = services.get(step.service)?.documents[state.lang] || [];
    const list = element("ul", "documents");
    list.replaceChildren(...(documents.length ? documents : [t("nothing_listed")]).map(d => element("li", "", d)));
    list.classList.toggle("none", !documents.length);
    return [element("h3", "", `${step.step}. ${serviceName(step.service)}`), list];
  }));
}

function hasPaper(ticket) {
  return ticket.print_job !== null && ticket.print_job !== undefined;
}

// While the ticket is on screen, ask how its paper is doing: if the printer fails, say so at once,
// so the visitor keeps the number and QR shown here (the ticket is valid either way).
async function watchPaper(ticketId) {
  for (let i = 0; i < 15 && state.screen === "ticket" && state.ticket?.id === ticketId; i += 1) {
    await new Promise(resolve => setTimeout(resolve, 2000));
    if (state.ticket?.id !== ticketId) return;
    let answer;
    try {
      answer = await get(`/tickets/${ticketId}/paper`);
    } catch (e) {
      continue; // the server is briefly out of reach: the on-screen ticket stands anyway
    }
    if (answer.state === "printed") {
      setPrinter("ok");
      if (state.paperFailing) { state.paperFailing = false; drawTicket(); } // it came out after all
      return;
    }
    if (answer.state === "failing") {
      state.paperFailing = true;
      setPrinter("failing");
      drawTicket();
      return;
    }
  }
}

// The printer's health, asked every PRINTER_POLL_MS and learnt from each ticket's paper: while it is
// failing, every screen before the ticket says so, in every language on the first.
const PRINTER_POLL_MS = 20000;

function setPrinter(value) {
  if (state.printer === "none" || state.printer === value) return;
  state.printer = value;
  drawPrinter();
}

// ---- opening hours -------------------------------------------------------------------------------

// A closed centre says so on the first screen in every language, with its next opening, and offers
// neither a service nor a check-in (the server would refuse both). The page's clock switches at the
// opening or closing and asks the server for a fresh state; a visit under way when the centre closes
// goes back to the start.
function drawHours() {
  closed = !Opening.isOpen(hours);
  root.classList.toggle("is-closed", closed);
  $("closed").hidden = !closed;
  for (const node of document.querySelectorAll("[data-opens]")) {
    const code = node.dataset.opens;
    node.textContent = closed ? Opening.words(hours, data.texts[code], code, data.timezone) : "";
  }
  if (closed && state.screen !== "language" && state.screen !== "ticket" && !state.busy) restart();
}

function watchHours() {
  if (closed === Opening.isOpen(hours)) {
    drawHours();
    socket?.emit("state");
  }
}

function drawPrinter() {
  const down = state.printer === "failing";
  $("printer-down-all").hidden = !down;
  $("printer-down").hidden = !down || state.screen === "language" || state.screen === "ticket";
}

async function watchPrinter() {
  if (state.printer === "none") return;
  try {
    setPrinter((await get("/kiosk/printer")).state);
  } catch (e) {
    /* out of reach for a moment: keep what we knew */
  }
}

// ---- inactivity ------------------------------------------------------------------------------------

let focusBeforeIdle = null;

function touched() {
  state.lastTouch = Date.now();
  hideIdle();
}

function hideIdle() {
  if ($("idle").hidden) return;
  $("idle").hidden = true;
  root.querySelector(".screens").inert = false;
  $("bar").inert = false;
  focusBeforeIdle?.focus();
}

function tick() {
  if (state.screen === "language") return;
  const left = state.lastTouch + IDLE_MS - Date.now();
  if (left <= 0) return restart();
  if (left <= WARN_MS) {
    if ($("idle").hidden) {
      focusBeforeIdle = document.activeElement;
      $("idle").hidden = false;
      root.querySelector(".screens").inert = true;
      $("bar").inert = true;
      $("stay").focus();
    }
    $("idle-count").textContent = t("returning", {n: Math.ceil(left / 1000)});
  }
}

// ---- the catalogue -----------------------------------------------------------------------------------

let catalogueDue = false; // a newer catalogue exists; loaded when the kiosk is back at its start

function noticeCatalogue(version) {
  if (version === undefined || version === data.catalogue) return;
  catalogueDue = true;
  if (state.screen === "language" && !state.busy) loadCatalogue();
}

async function loadCatalogue() {
  let fresh;
  try {
    const response = await fetch(data.catalogue_url, {cache: "no-store", credentials: "same-origin",
                                                      headers: {Accept: "application/json"}});
    if (!response.ok) throw new Error(String(response.status));
    fresh = await response.json();
  } catch (e) {
    setTimeout(() => { if (catalogueDue && state.screen === "language") loadCatalogue(); }, 10000);
    return; // out of reach: the old menu stays until the next try
  }
  if (state.screen !== "language" || fresh.catalogue === undefined) return; // a visitor began meanwhile: after them
  catalogueDue = false;
  Object.assign(data, fresh);
  services.clear();
  for (const s of data.services) services.set(s.code, s);
  agencies.clear();
  for (const a of data.agencies) agencies.set(a.code, a);
  offers.clear();
  for (const o of data.offers) offers.set(o.service, o);
  state.tab = data.life_events.length ? "events" : "agencies";
  root.dataset.catalogue = String(data.catalogue); // what the tests wait for
  setLanguage(state.lang);
}

// ---- live waits ------------------------------------------------------------------------------------

function connect() {
  if (typeof io !== "function") return; // no socket library: the waits stay "—"
  socket = io(`/display?centre=${encodeURIComponent(data.centre)}`, {auth: {token: data.token}, reconnectionDelayMax: 10000});
  socket.on("state", snapshot => {
    noticeCatalogue(snapshot.catalogue);
    waits.clear();
    for (const s of snapshot.services || []) waits.set(s.service, s);
    drawWaits();
    hours = {open_now: snapshot.open_now, closes_at: snapshot.closes_at, next_opening: snapshot.next_opening};
    drawHours();
    refreshOffers(); // a counter opened or closed, or the day turned: what is served may have changed
  });
  socket.on("queue_changed", service => {
    waits.set(service.service, service);
    drawWaits();
    refreshOffers();
  });
  socket.on("connect_error", () => {
    if (!socket.active) setTimeout(() => socket.connect(), 10000); // refused: the server will not retry for us
  });
}

// ---- start -----------------------------------------------------------------------------------------

for (const button of document.querySelectorAll(".lang-choice")) {
  button.addEventListener("click", () => {
    setLanguage(button.dataset.lang);
    show("find");
  });
}
for (const button of document.querySelectorAll(".lang-switch")) button.addEventListener("click", () => setLanguage(button.dataset.lang));
for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => selectTab(tab.dataset.tab));
  tab.addEventListener("keydown", event => {
    const order = ["events", "agencies", "search"];
    const forward = document.documentElement.dir === "rtl" ? "ArrowLeft" : "ArrowRight"; // the next tab lies that way
    const step = {[forward]: 1, ArrowRight: -1, ArrowLeft: -1}[event.key];
    if (step) selectTab(order[(order.indexOf(state.tab) + step + order.length) % order.length]);
  });
}
$("back").addEventListener("click", back);
$("restart").addEventListener("click", restart);
$("appointment-start").addEventListener("click", openCheckIn);
$("appointment-find").addEventListener("click", openCheckIn);
$("search-input").addEventListener("input", drawSearch);
$("take").addEventListener("click", () => { state.visit = null; drawPriority(); show("priority"); });
$("add-more").addEventListener("click", addMore);
$("visit-add").addEventListener("click", addMore);
$("visit-take").addEventListener("click", () => { drawPriority(); show("priority"); });
$("priority-yes").addEventListener("click", () => choosePriority(true));
$("priority-no").addEventListener("click", () => choosePriority(false));
$("phone-input").addEventListener("input", () => {
  $("phone-input").value = $("phone-input").value.replace(/[^\d+ ]/g, "");
  $("phone-send").disabled = !/\d/.test($("phone-input").value);
  $("phone-error").textContent = "";
});
$("phone-input").addEventListener("keydown", event => { if (event.key === "Enter" && !$("phone-send").disabled) issue(true); });
$("phone-send").addEventListener("click", () => issue(true));
$("phone-skip").addEventListener("click", () => issue(false));
$("code-input").addEventListener("input", () => {
  $("check-in").disabled = !$("code-input").value.trim();
  $("code-error").textContent = "";
  $("walk-in").hidden = true;
});
$("code-input").addEventListener("keydown", event => { if (event.key === "Enter") checkIn(); });
$("check-in").addEventListener("click", checkIn);
$("walk-in").addEventListener("click", walkIn);
$("done").addEventListener("click", restart);
$("stay").addEventListener("click", touched);
for (const type of ["pointerdown", "keydown", "input"]) document.addEventListener(type, touched, {capture: true});
setInterval(tick, 250);
setInterval(watchHours, 1000);
setInterval(watchPrinter, PRINTER_POLL_MS);
setInterval(loadOffers, OFFERS_MS); // a rostered clerk comes on duty without any queue change
root.dataset.catalogue = String(data.catalogue);
setLanguage(state.lang);
drawHours();
connect();
