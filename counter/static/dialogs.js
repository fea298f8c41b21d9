// The finish, transfer and close dialogs: modal, keyboard-first (Enter submits, Escape cancels).
import {fill} from "./view.js";

function setUp(dialog, onSubmit) {
  const form = dialog.querySelector("form");
  const error = dialog.querySelector(".dialog-error");
  let opener = null;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (await onSubmit(form, error)) dialog.close();
  });
  // Enter on a radio button or a closed list submits, as it does in a text field.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches('input[type="radio"], select')) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  dialog.querySelector("[data-cancel]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    // Back to the button that opened it, or to whatever the page now offers next.
    if (opener && !opener.disabled) opener.focus();
    else document.querySelector("[data-action]:not([disabled])")?.focus();
  });

  return function show(prepare) {
    opener = document.activeElement;
    error.hidden = true;
    const first = prepare(form);
    dialog.showModal();
    first.focus();
  };
}

// A visit's next step, said in the finish dialog: back to the waiting room, or (when this counter
// serves it) the choice to continue here.
function showNext(ticket, mine, texts, names) {
  const next = ticket?.next_steps?.[0];
  const block = document.getElementById("next-step");
  block.hidden = !next;
  const more = (ticket?.steps?.length ?? 1) > 1;
  document.getElementById("finish-what").textContent = more ? fill(texts.finish_step, {n: ticket.step, m: ticket.steps.length}) : texts.finish_visit;
  document.getElementById("finish-submit").textContent = next ? texts.finish_step_button : texts.finish_visit_button;
  if (!next) return;
  const service = names[next] ?? next;
  const here = mine().has(next);
  document.getElementById("next-only").hidden = here;
  document.getElementById("next-choice").hidden = !here;
  document.getElementById("next-only").textContent = fill(texts.next_waiting_room, {service});
  document.getElementById("next-wait").textContent = fill(texts.next_waiting_room, {service});
  document.getElementById("next-here").textContent = fill(texts.next_here, {service});
}

// The centre's counters a visitor can be sent to (open or paused, not this one), from
// GET /centres/{c}/counters; the server refuses one that does not serve the chosen service.
function listCounters(select, counters, here, texts) {
  const keep = select.value;
  const any = select.options[0];
  const others = (counters ?? []).filter((c) => c.code !== here && c.state !== "closed");
  const label = (c) => fill(texts.counter_name, {name: c.name});
  select.replaceChildren(any, ...others.map((c) => new Option(
    c.state === "paused" ? fill(texts.counter_paused, {counter: label(c)}) : label(c), c.code)));
  select.value = others.some((c) => c.code === keep) ? keep : "";
}

export function bindDialogs({act, current, served, counters, here, mine, texts, names}) {
  const finish = setUp(document.getElementById("finish-dialog"), (form, error) => {
    const outcome = form.elements.outcome.value;
    const body = outcome === "resolved" ? {outcome} : {outcome, reason: form.elements.reason.value};
    if (!document.getElementById("next-step").hidden && form.elements.next.value === "here") body.continue_here = true;
    return act("finish", body, error);
  });
  const transfer = setUp(document.getElementById("transfer-dialog"), (form, error) => {
    const body = {service: form.elements.service.value};
    if (form.elements.counter.value) body.counter = form.elements.counter.value;
    return act("transfer", body, error);
  });
  const close = setUp(document.getElementById("close-dialog"), (form, error) => act("close", undefined, error));

  const reason = document.getElementById("reason");
  document.getElementById("finish-form").addEventListener("change", (event) => {
    if (event.target.name === "outcome") reason.disabled = event.target.value !== "unresolved";
  });

  const number = (form) => {
    form.querySelector(".dialog-number")?.replaceChildren(current()?.number ?? "");
  };

  return {
    finish: () => finish((form) => {
      number(form);
      form.reset();
      reason.disabled = true;
      showNext(current(), mine, texts, names);
      return form.elements.outcome[0];
    }),
    transfer: () => transfer((form) => {
      number(form);
      const select = form.elements.service;
      const desk = form.elements.counter;
      desk.value = "";
      listCounters(desk, counters.last, here, texts);
      counters().then((found) => listCounters(desk, found, here, texts));
      // The API refuses a transfer to the same service but to a named counter; a service nobody at
      // the centre serves for the rest of today would leave the visitor waiting for ever: offer
      // neither, and say why.
      const mark = (offers) => {
        for (const option of select.options) {
          const notToday = offers?.get(option.value)?.served_today === false;
          option.disabled = (option.value === current()?.service && !desk.value) || notToday;
          option.textContent = notToday ? fill(texts.not_served_today, {service: option.dataset.name}) : option.dataset.name;
        }
        if (select.selectedOptions[0]?.disabled) select.value = [...select.options].find((o) => !o.disabled)?.value ?? "";
      };
      mark(served.last);
      served().then(mark); // what the centre serves may have changed since: mark again when heard
      desk.onchange = () => mark(served.last);
      return select;
    }),
    close: () => close((form) => form.querySelector('button[type="submit"]')),
  };
}
