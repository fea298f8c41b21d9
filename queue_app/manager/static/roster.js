// The roster page: a week of a centre's shifts, day by day, saved through /api/v1 with the login session
// (PUT a day's whole list; POST copy-week), and each day's coverage by hour and service beside it.
// Times are the centre's wall clock: the API answers them with their offset, the page sends them so.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("roster-data").textContent);
  const t = data.texts;
  const {$, el, fill} = window.OneDoorDom;  // dom.js
  const pad = (n) => String(n).padStart(2, "0");
  const hidden = (text) => el("span", {className: "visually-hidden", textContent: text});
  const serviceName = (code) => data.services[code] || code;
  const staffName = (username) => (data.staff.find((p) => p.username === username) || {name: username}).name;
  const shifts = {}; // day (YYYY-MM-DD) -> the API's shifts of that day

  // ---- the API ------------------------------------------------------------------------------------

  class Refusal extends Error {
    constructor(status, code) { super(code); this.status = status; this.code = code; }
  }

  async function api(method, path, body) {
    const options = {method, credentials: "same-origin", headers: {Accept: "application/json"}};
    if (method !== "GET") {
      options.headers["X-CSRFToken"] = document.querySelector('meta[name="csrf-token"]').content;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(data.urls.api + path, options);
    } catch (e) {
      throw new Refusal(0, "unreachable");
    }
    if (!response.ok) {
      let code = "";
      try { code = ((await response.json()).error || {}).code || ""; } catch (e) { /* not JSON */ }
      throw new Refusal(response.status, code);
    }
    return response.json();
  }

  function refusalText(error) {
    if (error.code === "unreachable") return t.unreachable;
    return data.refusals[error.code] || data.refusals[""];
  }

  function say(node, text) {
    node.textContent = text;
    node.hidden = !text;
  }

  // ---- the centre's wall clock --------------------------------------------------------------------

  const zoneParts = new Intl.DateTimeFormat("en-US", {
    timeZone: data.centre.timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit"});

  function offsetAt(instant) {
    const v = {};
    zoneParts.formatToParts(new Date(instant)).forEach((p) => { v[p.type] = p.value; });
    return Math.round((Date.UTC(+v.year, +v.month - 1, +v.day, +v.hour % 24, +v.minute, +v.second) - instant) / 60000);
  }

  // "2026-12-07", "09:30" (on the next day when `later`) -> "2026-12-07T09:30:00-05:00"
  function moment(day, clock, later = false) {
    const [y, m, d] = day.split("-").map(Number);
    const [h, mi] = clock.split(":").map(Number);
    const wall = Date.UTC(y, m - 1, d + (later ? 1 : 0), h, mi);
    const offset = offsetAt(wall - offsetAt(wall) * 60000);
    const sign = offset < 0 ? "-" : "+";
    const size = Math.abs(offset);
    return new Date(wall).toISOString().slice(0, 16) + ":00" + sign + pad(Math.floor(size / 60)) + ":" + pad(size % 60);
  }

  const clockOf = (iso) => iso.slice(11, 16);
  const span = (a, b) => clockOf(a) + "–" + clockOf(b);

  // ---- a day: its shifts and its coverage ---------------------------------------------------------

  function section(day) {
    return $("day-" + day);
  }

  function renderShifts(day) {
    const list = section(day).querySelector(".shifts");
    const items = shifts[day].map((shift, index) => {
      const who = staffName(shift.staff);
      const about = " · " + who + " " + span(shift.start, shift.end);
      const tool = (label, action) => el("button", {type: "button", className: action, onclick: () => action === "delete" ? remove(day, index) : openForm(action, day, index)},
        label, hidden(about));
      const item = el("li", {className: "shift"},
        el("div", {}, el("span", {className: "who", textContent: who}), " ", el("span", {className: "when", textContent: span(shift.start, shift.end)})));
      if (shift.breaks.length) item.append(el("p", {className: "more", textContent: fill(t.breaks, {breaks: shift.breaks.map((b) => span(b.start, b.end)).join(", ")})}));
      if (shift.skills) item.append(el("p", {className: "more", textContent: fill(t.skills, {services: shift.skills.map(serviceName).join(", ")})}));
      item.append(el("div", {className: "tools"}, tool(t.edit, "edit"), tool(t.copy, "copy"), tool(t.delete, "delete")));
      return item;
    });
    list.replaceChildren(...(items.length ? items : [el("li", {className: "empty", textContent: t.no_shifts})]));
  }

  function renderCoverage(day, cover) {
    const table = section(day).querySelector("table.coverage");
    const count = table.querySelector(".gap-count");
    const empty = section(day).querySelector("li.empty");
    if (empty) empty.textContent = cover.rostered || !cover.hours.length ? t.no_shifts : t.not_rostered;
    if (!cover.hours.length) {
      table.tHead.replaceChildren();
      table.tBodies[0].replaceChildren(el("tr", {}, el("td", {textContent: t.closed})));
      count.textContent = "";
      return;
    }
    table.tHead.replaceChildren(el("tr", {}, el("td"), ...cover.hours.map((h) => el("th", {scope: "col", textContent: h.hour}))));
    let gaps = 0;
    table.tBodies[0].replaceChildren(...data.menu.map((code) => el("tr", {},
      el("th", {scope: "row", textContent: serviceName(code), title: serviceName(code)}),
      ...cover.hours.map((h) => {
        const gap = h.not_covered.includes(code);
        gaps += gap ? 1 : 0;
        const cell = el("td", {className: gap ? "gap" : "ok"}, el("span", {textContent: gap ? "✗" : "✓", ariaHidden: "true"}), hidden(gap ? t.gap : t.covered));
        cell.dataset.service = code;
        cell.dataset.hour = h.hour;
        return cell;
      }))));
    count.textContent = gaps ? "· " + fill(t.gaps, {count: gaps}) : "";
  }

  async function refreshCoverage(day) {
    renderCoverage(day, await api("GET", "/coverage?date=" + day));
  }

  async function load(day) {
    shifts[day] = await api("GET", "/roster?date=" + day);
    renderShifts(day);
    await refreshCoverage(day);
  }

  const body = (shift) => ({staff: shift.staff, start: shift.start, end: shift.end, breaks: shift.breaks, skills: shift.skills});

  async function save(day, list) {
    shifts[day] = await api("PUT", "/roster?date=" + day, list.map(body));
    renderShifts(day);
    await refreshCoverage(day);
    await refreshConflicts();
  }

  // ---- bookings the roster no longer holds (a shift cut or removed after they were taken) ---------

  const slotTime = new Intl.DateTimeFormat(data.language, {
    timeZone: data.centre.timezone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23"});

  function renderConflicts(found) {
    const banner = $("conflicts");
    banner.hidden = !found.slots;
    if (!found.slots) return;
    $("conflicts-summary").textContent = fill(t.conflicts, {appointments: found.appointments});
    $("conflicts-list").replaceChildren(...found.conflicts.map((c) => el("li", {},
      fill(t.conflict_slot, {service: serviceName(c.service), start: slotTime.format(new Date(c.start)),
                             booked: c.booked, places: c.places}),
      el("ul", {}, ...c.appointments.map((a) => el("li", {className: "conflict-appointment",
        textContent: fill(t.conflict_appointment, {code: a.code, place: a.place === null ? "–" : a.place})}))))));
  }

  async function refreshConflicts() {
    renderConflicts(await api("GET", "/booking-conflicts"));
  }

  async function remove(day, index) {
    if (!window.confirm(t.confirm_delete)) return;
    try {
      await save(day, shifts[day].filter((_, i) => i !== index));
      say($("notice"), t.deleted);
      say($("alert"), "");
      section(day).querySelector(".add-shift").focus();
    } catch (error) {
      say($("alert"), refusalText(error));
    }
  }

  // ---- the shift form -----------------------------------------------------------------------------

  const dialog = $("shift-dialog");
  const form = $("shift-form");
  let editing = null; // {mode: "add" | "edit" | "copy", day, index}

  function openForm(mode, day, index) {
    editing = {mode, day, index};
    const shift = index === undefined ? null : shifts[day][index];
    $("shift-title").textContent = t[mode + "_title"];
    $("shift-day").value = day;
    $("shift-staff").value = shift ? shift.staff : (data.staff[0] || {}).username;
    $("shift-start").value = shift ? clockOf(shift.start) : "";
    $("shift-end").value = shift ? clockOf(shift.end) : "";
    [1, 2].forEach((n) => {
      const pause = shift && shift.breaks[n - 1];
      $("break" + n + "-start").value = pause ? clockOf(pause.start) : "";
      $("break" + n + "-end").value = pause ? clockOf(pause.end) : "";
    });
    form.querySelectorAll("input[name=skills]").forEach((box) => { box.checked = !!(shift && shift.skills && shift.skills.includes(box.value)); });
    say($("form-alert"), "");
    dialog.showModal();
    (mode === "copy" ? $("shift-day") : $("shift-staff")).focus();
  }

  function formShift() {
    const day = $("shift-day").value;
    const start = $("shift-start").value;
    const at = (clock) => moment(day, clock, clock < start); // past midnight: the next day
    const end = $("shift-end").value;
    const breaks = [1, 2].map((n) => [$("break" + n + "-start").value, $("break" + n + "-end").value])
      .filter(([a, b]) => a && b).map(([a, b]) => ({start: at(a), end: at(b)}));
    const skills = Array.from(form.querySelectorAll("input[name=skills]:checked"), (box) => box.value);
    return {day, shift: {staff: $("shift-staff").value, start: moment(day, start), end: moment(day, end, end <= start),
                         breaks, skills: skills.length ? skills : null}};
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const {day, shift} = formShift();
    const {mode, day: from, index} = editing;
    try {
      if (mode === "edit" && day === from) {
        await save(day, shifts[day].map((s, i) => (i === index ? shift : s)));
      } else {
        await save(day, shifts[day].concat([shift]));
        if (mode === "edit") await save(from, shifts[from].filter((_, i) => i !== index)); // a move
      }
    } catch (error) {
      say($("form-alert"), refusalText(error));
      return;
    }
    dialog.close();
    say($("alert"), "");
    say($("notice"), t.saved);
    section(day).querySelector(".add-shift").focus();
  });

  $("shift-cancel").addEventListener("click", () => dialog.close());

  document.querySelectorAll(".roster-day").forEach((node) => {
    node.querySelector(".add-shift").addEventListener("click", () => openForm("add", node.dataset.day));
  });

  // ---- copying the week forward -------------------------------------------------------------------

  async function copyWeek(replace) {
    return api("POST", "/roster/copy-week", {week_of: data.monday, replace});
  }

  $("copy-week").addEventListener("click", async () => {
    const notice = $("notice");
    notice.replaceChildren();  // the last copy's words go; this copy's come when it is done
    let week;
    try {
      try {
        week = await copyWeek(false);
      } catch (error) {
        if (error.code !== "week_not_empty" || !window.confirm(t.confirm_replace)) throw error;
        week = await copyWeek(true);
      }
    } catch (error) {
      say($("alert"), refusalText(error));
      return;
    }
    say($("alert"), "");
    notice.replaceChildren(fill(t.copied, {day: week.week_of}), " ",
                           el("a", {href: data.urls.next_week, textContent: t.open_next}));
    notice.hidden = false;
  });

  // ---- first load ---------------------------------------------------------------------------------

  Promise.all([...data.days.map(load), refreshConflicts()]).catch((error) => say($("alert"), refusalText(error)));
})();
