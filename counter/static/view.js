// Drawing the counter page from its model: which step shows, the current ticket, buttons, queue.

const $ = (id) => document.getElementById(id);

// Only real changes touch the page: the live region then speaks when something actually changed.
function setText(id, value) {
  const element = $(id);
  if (element.textContent !== String(value)) element.textContent = value;
}

export function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

// A button whose visible word is completed, for screen readers, by what it acts on ("Remove" + " Tax").
export function actionButton(className, visible, what, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = ` ${what}`;
  button.append(visible, hidden);
  button.addEventListener("click", onClick);
  return button;
}

export function mmss(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

export function makeView(data) {
  const texts = data.texts;
  const timeFormat = new Intl.DateTimeFormat(data.language, {timeZone: data.centre.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
  const at = (iso) => (iso ? timeFormat.format(new Date(iso)) : "");
  const buttons = Object.fromEntries([...document.querySelectorAll("[data-action]")].map((b) => [b.dataset.action, b]));
  let shownTicket = null; // the ticket whose document checklist is on screen: ticks survive updates

  function localText(texts) {
    if (!texts) return null;
    return texts[data.language] ?? texts[data.default_language] ?? Object.values(texts)[0] ?? null;
  }

  function mode(model) {
    const counter = model.counter;
    if (!counter) return "loading";
    if (counter.state === "closed") return data.me.role === "clerk" ? "open-step" : "elsewhere";
    if (counter.clerk === data.me.username || data.me.role !== "clerk") return "work";
    return "elsewhere";
  }

  function showStep(step, model) {
    for (const id of ["loading", "open-step", "elsewhere", "work"]) $(id).hidden = id !== step;
    if (step === "elsewhere") {
      $("elsewhere-text").textContent = model.counter.state === "closed"
        ? texts.clerks_open : fill(texts.held_by, {name: model.counter.clerk});
    }
    const badge = $("state-badge");
    badge.hidden = !model.counter;
    if (model.counter) {
      badge.textContent = texts[`state_${model.counter.state}`] ?? model.counter.state;
      badge.className = `badge badge-${model.counter.state}`;
    }
  }

  function drawTicket(current) {
    $("no-current").hidden = !!current;
    setText("no-current", current ? "" : texts.no_current);
    $("ticket").hidden = !current;
    $("elapsed-line").hidden = !current;
    $("documents-block").hidden = !current;
    if (!current) {
      shownTicket = null;
      return;
    }
    setText("number", current.number);
    setText("service", data.services[current.service] ?? current.service);
    setText("status", texts[current.status] ?? current.status);
    $("status").className = `badge badge-${current.status}`;
    setText("called-at", fill(texts.called_at, {time: at(current.called_at)}));
    setText("recalls", current.recall_count ? fill(texts.recalls, {n: current.recall_count}) : "");
    // the clerk should know at a glance who came with a priority need or a booked slot
    setText("kind", current.appointment ? texts.appointment : current.priority ? texts.priority : "");
    $("kind").hidden = !(current.appointment || current.priority);
    setText("elapsed-label", current.status === "serving" ? texts.since_started : texts.since_called);
    if (shownTicket !== current.id) {
      shownTicket = current.id;
      drawDocuments(localText(current.documents) ?? data.documents[current.service] ?? []);
    }
  }

  function drawDocuments(documents) {
    const list = $("documents");
    list.replaceChildren();
    if (!documents.length) {
      const item = document.createElement("li");
      item.className = "empty";
      item.textContent = texts.no_documents;
      list.append(item);
    }
    documents.forEach((name, i) => {
      const item = document.createElement("li");
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `document-${i}`;
      label.append(box, " ", name);
      item.append(label);
      list.append(item);
    });
  }

  function drawButtons(model) {
    const counter = model.counter || {};
    const can = (action) => !!model.current?.actions.includes(action); // the moves the server offers
    const allowed = {
      call: counter.state === "open" && !model.current,
      recall: can("recall"),
      start: can("start"),
      no_show: can("no_show"),
      finish: can("finish"),
      transfer: can("transfer"),
      pause: counter.state === "open" || counter.state === "paused",
      close: !model.current && counter.state !== "closed",
    };
    for (const [name, button] of Object.entries(buttons)) button.disabled = model.busy || model.signedOut || !allowed[name];
    buttons.pause.querySelector(".label").textContent = counter.state === "paused" ? texts.resume : texts.pause;
  }

  function drawQueue(model) {
    const skills = model.counter?.skills || {};
    const mine = [...(skills.primary || []), ...(skills.secondary || [])];
    const byService = new Map((model.services || []).map((s) => [s.service, s]));
    const codes = mine.length ? mine : [...byService.keys()];
    let total = 0;
    const rows = codes.map((code) => {
      const entry = byService.get(code);
      const waiting = entry?.waiting ?? 0;
      total += waiting;
      const row = document.createElement("tr");
      row.dataset.service = code;
      const wait = entry?.estimated_wait_min;
      for (const [value, cls] of [[data.services[code] ?? code, ""], [waiting, "num waiting"],
        [wait == null ? texts.unknown_wait : fill(texts.minutes, {n: Math.round(wait)}), "num"]]) {
        const cell = document.createElement(cls ? "td" : "th");
        if (!cls) cell.scope = "row";
        cell.className = cls;
        cell.textContent = value;
        row.append(cell);
      }
      return row;
    });
    $("queue-rows").replaceChildren(...rows);
    setText("queue-total", total);
    const opened = model.counter?.opened_at;
    setText("opened-at", opened ? fill(texts.opened_at, {time: at(opened)}) : "");
  }

  return {
    buttons,
    mode,
    render(model) {
      const step = mode(model);
      showStep(step, model);
      if (step !== "work") return step;
      drawTicket(model.current);
      drawButtons(model);
      drawQueue(model);
      return step;
    },
    tick(model, now) {
      setText("clock", timeFormat.format(new Date(now)));
      const current = model.current;
      if (!current) return;
      const since = current.status === "serving" ? current.started_at : current.called_at;
      setText("elapsed", since ? mmss(now - Date.parse(since)) : "");
    },
  };
}
