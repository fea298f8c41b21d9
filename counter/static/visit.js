// The current visitor's visit: its steps (done, this one, to come) with "remove" on those to come,
// the "add a step" choice, and the note for the next clerk.
import {actionButton, fill} from "./view.js";

const $ = (id) => document.getElementById(id);

const MARKS = {done: "✓", current: "●", pending: "○", ended: "–"};

// Where a step stands, from the counter's point of view.
function stepState(step, current) {
  if (step.ticket === current.id) return "current";
  if (step.status === "pending") return "pending";
  return step.status === "done" || step.status === "transferred" ? "done" : "ended";
}

export function makeVisit(data, onDrop) {
  const texts = data.texts;
  const name = (code) => data.services[code] ?? code;
  let shownTicket = null;
  let shownNote = null;
  let savedOn = null; // the ticket whose note this clerk has written: the box then holds it, once

  function stepItem(step, current) {
    const state = stepState(step, current);
    const item = document.createElement("li");
    item.className = `step step-${state}`;
    item.dataset.service = step.service;
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = MARKS[state];
    const title = document.createElement("span");
    title.className = "step-name";
    title.textContent = name(step.service);
    const words = document.createElement("span");
    words.className = "step-state";
    words.textContent = state === "done" && step.outcome === "unresolved" ? texts.step_unresolved : texts[`step_${state}`];
    item.append(mark, " ", title, " ", words);
    if (state === "pending" && current.actions.length) {
      const drop = actionButton("link-like", texts.drop_step, name(step.service), () => onDrop(step.service));
      drop.dataset.drop = step.service;
      item.append(" ", drop);
    }
    return item;
  }

  // The services a clerk may add: not already a step of the visit.
  function markChoices(current) {
    const select = $("add-step-service");
    const taken = new Set((current.steps || []).map((s) => s.service));
    taken.add(current.service);
    for (const option of select.options) option.disabled = taken.has(option.value);
    if (select.selectedOptions[0]?.disabled) select.value = [...select.options].find((o) => !o.disabled)?.value ?? "";
  }

  function drawNote(current) {
    const box = $("note");
    // Never overwrite what the clerk is typing: only a new ticket or a saved note replaces it.
    if (shownTicket !== current.id || (shownNote !== (current.note ?? "") && document.activeElement !== box)) {
      box.value = current.note ?? "";
      shownNote = current.note ?? "";
      count();
    }
    // The note as it came from the clerk before; once this clerk saves one, the box below is the note.
    $("note-received").hidden = !current.note || savedOn === current.id;
    $("note-received-text").textContent = current.note ?? "";
  }

  function count() {
    $("note-count").textContent = fill(texts.note_count, {n: $("note").value.length});
  }
  $("note").addEventListener("input", count);

  return {
    draw(current, busy) {
      $("visit-block").hidden = !current;
      $("visit-tools").hidden = !current;
      if (!current) {
        shownTicket = null;
        return;
      }
      const steps = current.steps || [];
      $("steps-block").hidden = steps.length < 2;
      $("steps").replaceChildren(...steps.map((step) => stepItem(step, current)));
      // (the note box stays enabled: disabling it would take the focus from the clerk typing in it)
      for (const control of document.querySelectorAll("#visit-block button, #visit-tools button, #visit-tools select")) control.disabled = busy;
      markChoices(current);
      drawNote(current);
      shownTicket = current.id;
    },
    noteSaved(note) {
      shownNote = note;
      savedOn = shownTicket;
    },
  };
}
