// The "Waiting for this counter" panel: the tickets this counter serves, in calling order, each with
// "Call this one". Read from GET /counters/{c}/waiting whenever the counter's socket says something changed.
import {actionButton, fill} from "./view.js";

const $ = (id) => document.getElementById(id);
const MINUTE = 60_000;

export function makeWaiting(data, get, onCall, canCall) {
  const texts = data.texts;
  const path = `/counters/${encodeURIComponent(data.counter.code)}/waiting`;
  let tickets = [];
  let heardAt = 0;
  let asking = null;
  let again = false;

  function row(ticket) {
    const tr = document.createElement("tr");
    tr.dataset.ticket = ticket.id;
    const number = document.createElement("th");
    number.scope = "row";
    number.textContent = ticket.number;
    if (ticket.appointment || ticket.priority) {
      const kind = document.createElement("span");
      kind.className = "badge badge-kind";
      kind.textContent = ticket.appointment ? texts.appointment_short : texts.priority_short;
      number.append(" ", kind);
    }
    const service = document.createElement("td");
    service.textContent = data.services[ticket.service] ?? ticket.service;
    if (ticket.steps > 1) {
      const step = document.createElement("span");
      step.className = "step-of";
      step.textContent = fill(texts.step_of, {n: ticket.step, m: ticket.steps});
      service.append(" ", step);
    }
    const waited = document.createElement("td");
    waited.className = "num waited";
    const call = document.createElement("td");
    const button = actionButton("button secondary small", texts.call_this, ticket.number, () => onCall(ticket));
    button.dataset.call = ticket.id;
    call.append(button);
    tr.append(number, service, waited, call);
    return tr;
  }

  // Ask again; calls that arrive while one is under way are folded into one more afterwards.
  async function refresh() {
    if (asking) {
      again = true;
      return asking;
    }
    asking = (async () => {
      do {
        again = false;
        try {
          tickets = (await get(path)).tickets;
          heardAt = Date.now();
        } catch (e) {
          tickets = []; // closed, signed out or out of reach: the rest of the page says which
        }
      } while (again);
      asking = null;
    })();
    await asking;
    $("waiting-rows").replaceChildren(...tickets.map(row));
    $("waiting-empty").hidden = tickets.length > 0;
    $("waiting-table").hidden = tickets.length === 0;
    enable(canCall());
    tick();
  }

  // The minutes waited go on growing between two answers.
  function tick() {
    const more = Math.floor((Date.now() - heardAt) / MINUTE);
    for (const ticket of tickets) {
      const cell = document.querySelector(`#waiting-rows tr[data-ticket="${ticket.id}"] .waited`);
      const text = fill(texts.minutes, {n: Math.round(ticket.waited_min) + more});
      if (cell && cell.textContent !== text) cell.textContent = text;
    }
  }

  function enable(can) {
    for (const button of document.querySelectorAll("#waiting-rows button")) button.disabled = !can;
  }

  return {refresh, tick, enable};
}
