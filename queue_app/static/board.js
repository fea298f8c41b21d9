/* The public board, live (/centres and /centres/<code>): the /board Socket.IO namespace sends every
   centre's figures on connect (`centres`) and a centre's again when they change (`centre`, at most
   every few seconds). While the socket is down the page asks its .json address every POLL_MS.
   The list keeps the order the visitor chose (pages/board.py, domain/board.py say the same rule). */
"use strict";

(() => {
  const POLL_MS = 30000;
  const data = JSON.parse(document.getElementById("board-data").textContent);
  const texts = data.texts;
  const list = document.getElementById("board");
  let pollTimer = null;

  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");

  function when(moment, zone) {
    if (!moment) return null;
    return new Intl.DateTimeFormat(data.lang, {weekday: "short", day: "numeric", month: "short", hour: "2-digit",
                                               minute: "2-digit", hourCycle: "h23", timeZone: zone}).format(new Date(moment));
  }

  function words(row) {
    let wait = texts.no_wait;
    const range = row.estimated_wait_range_min; // where the centre's past waits give one
    if (row.waiting > 0) wait = row.estimated_wait_min == null ? texts.not_known
      : range ? fill(texts.range, {low: range[0], high: range[1]}) : fill(texts.minutes, {n: Math.round(row.estimated_wait_min)});
    const inside = row.estimates_inside_yesterday;
    const opens = when(row.opens_at, row.timezone);
    return {
      state: row.open_now ? texts.open : (opens ? fill(texts.opens, {when: opens}) : texts.closed),
      waiting: String(row.waiting), wait, counters: String(row.counters_open),
      share: row.within_target_share == null ? texts.none : fill(texts.share, {n: Math.round(row.within_target_share * 100)}),
      slot: when(row.next_slot, row.timezone) || texts.none,
      accuracy: inside == null ? "" : fill(texts.accuracy, {n: Math.round(inside * 100)}),
    };
  }

  // Least busy first: open before closed, then the estimated wait, then how many wait.
  function busyness(row) {
    if (!row.open_now) return [1, 0, 0];
    if (row.waiting === 0) return [0, 0, 0];
    return [0, row.estimated_wait_min == null ? Infinity : row.estimated_wait_min, row.waiting];
  }

  const rows = {};

  function reorder() {
    if (!list) return;
    const items = [...list.querySelectorAll("li[data-code]")];
    const name = item => item.querySelector("h2").textContent.trim().toLocaleLowerCase(data.lang);
    const key = item => {
      const row = rows[item.dataset.code];
      const near = data.district && item.dataset.district === data.district ? 0 : 1;
      return [near, ...(data.sort === "wait" && row ? busyness(row) : [])];
    };
    const sorted = [...items].sort((a, b) => {
      const ka = key(a), kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
      return name(a).localeCompare(name(b), data.lang);
    });
    if (sorted.some((item, i) => item !== items[i])) list.append(...sorted);  // moves keep focus and links
  }

  function draw(row) {
    const item = document.querySelector(`[data-code="${CSS.escape(row.code)}"]`);
    if (!item) return;
    rows[row.code] = row;
    const said = words(row);
    item.querySelectorAll("[data-field]").forEach(cell => {
      const value = said[cell.dataset.field];
      if (value !== undefined && cell.textContent !== value) cell.textContent = value;
      if (cell.dataset.field === "accuracy") cell.hidden = !value;
    });
    const badge = item.querySelector('[data-field="state"]');
    badge.classList.toggle("open", row.open_now);
    badge.classList.toggle("closed", !row.open_now);
  }

  function drawAll(centres) {
    centres.forEach(draw);
    reorder();
  }

  // ---- fallback: polling while the socket is down --------------------------------------------

  async function poll() {
    try {
      const response = await fetch(data.poll, {headers: {Accept: "application/json"}, cache: "no-store"});
      if (response.ok) drawAll((await response.json()).centres);
    } catch (e) { /* offline for a moment: the next tick tries again */ }
  }

  function linkUp(up) {
    const hint = document.getElementById("link-hint");
    if (hint) {
      hint.dataset.online ??= hint.textContent;
      hint.textContent = up ? hint.dataset.online : hint.dataset.offline;
    }
    if (up && pollTimer !== null) {
      clearInterval(pollTimer);
      pollTimer = null;
    } else if (!up && pollTimer === null) {
      pollTimer = setInterval(poll, POLL_MS);
    }
  }

  // ---- a centre's page: today's waits by hour (Chart.js, the same figures are in the table) -----

  function chart() {
    const canvas = document.getElementById("today-chart");
    if (!canvas || typeof Chart === "undefined") return;
    const hours = data.hourly.map(h => `${String(h.hour).padStart(2, "0")}:00`);
    const rtl = document.documentElement.dir === "rtl";
    new Chart(canvas, {
      data: {labels: hours, datasets: [
        {type: "bar", label: data.chart.arrivals, backgroundColor: "#9ec5ea", yAxisID: "people",
         data: data.hourly.map(h => h.arrivals)},
        {type: "line", label: data.chart.wait, borderColor: "#0b5cad", backgroundColor: "#0b5cad", yAxisID: "minutes",
         spanGaps: true, data: data.hourly.map(h => h.average_wait_min)},
      ]},
      options: {responsive: true, maintainAspectRatio: false, animation: false,
                scales: {x: {reverse: rtl},
                         people: {beginAtZero: true, position: rtl ? "right" : "left", ticks: {precision: 0}},
                         minutes: {beginAtZero: true, position: rtl ? "left" : "right", grid: {drawOnChartArea: false}}}},
    });
  }

  window.addEventListener("load", chart);  // Chart.js is deferred
  drawAll(data.centres);
  if (typeof io !== "function") { // the client library did not load: polling only
    linkUp(false);
    return;
  }
  const socket = io("/board");
  socket.on("connect", () => linkUp(true));
  socket.on("connect_error", () => linkUp(false));
  socket.on("disconnect", () => linkUp(false));
  socket.on("centres", drawAll);
  socket.on("centre", row => { draw(row); reorder(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !socket.connected) poll(); // back from the lock screen
  });
  window.onedoorBoard = {socket};
})();
