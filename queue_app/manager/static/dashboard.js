// The managers' pages: a centre's live dashboard (the /manager socket, state.json while it is down)
// and the network overview (polled). Figures arrive as numbers; words come from the page's data.
(function () {
  "use strict";

  const {$, el, fill} = window.OneDoorDom;  // dom.js

  function formatters(language, timeZone) {
    const whole = new Intl.NumberFormat(language, {maximumFractionDigits: 0});
    const one = new Intl.NumberFormat(language, {maximumFractionDigits: 1});
    const share = new Intl.NumberFormat(language, {style: "percent", maximumFractionDigits: 0});
    const clock = new Intl.DateTimeFormat(language, {hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone});
    const day = new Intl.DateTimeFormat(language, {weekday: "short", day: "numeric", month: "long", timeZone: "UTC"});
    return {
      n: (v, dash = "–") => (v === null || v === undefined ? dash : whole.format(v)),
      one: (v, dash = "–") => (v === null || v === undefined ? dash : one.format(v)),
      share: (v, dash = "–") => (v === null || v === undefined ? dash : share.format(v)),
      clock: (d) => clock.format(d),
      day: (iso) => day.format(new Date(iso + "T00:00:00Z")), // a local day, YYYY-MM-DD
    };
  }

  function hourLabel(h) {
    return String(h).padStart(2, "0") + ":00";
  }

  function tableRows(tbody, rows, keys = []) {
    tbody.replaceChildren(...rows.map((cells, i) => {
      const tr = el("tr", {}, ...cells);
      if (keys[i]) tr.dataset.centre = keys[i];
      return tr;
    }));
  }

  function cell(text, className = "") {
    return el("td", {className, textContent: text});
  }

  // ---- charts: Chart.js when it loaded; the tables and labels stand in for them anyway ----------

  function chart(canvas, type, datasets, yTitle, counts = false) {
    if (!window.Chart) return null;
    return new window.Chart(canvas, {
      type,
      data: {labels: [], datasets},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: {legend: {position: "bottom"}},
        scales: {y: {beginAtZero: true, ticks: counts ? {precision: 0} : {}, title: {display: !!yTitle, text: yTitle}}},
      },
    });
  }

  function update(c, labels, series) {
    if (!c) return;
    c.data.labels = labels;
    series.forEach((values, i) => { c.data.datasets[i].data = values; });
    c.update();
  }

  // ---- a centre's dashboard ----------------------------------------------------------------------

  function dashboard(data) {
    const t = data.texts;
    const f = formatters(data.language, data.centre.timezone); // hours are the centre's, so is the clock
    const name = (code) => data.services[code] || code;
    let state = data.state;
    let clockSkew = 0; // server time − browser time, so elapsed times use the server's clock

    const waitsChart = chart($("waits-chart"), "line", [
      {label: t.average_wait, data: [], borderColor: "#0b5cad", backgroundColor: "#0b5cad", tension: 0.2},
      {label: t.p90_wait, data: [], borderColor: "#a4161a", backgroundColor: "#a4161a", borderDash: [6, 4], tension: 0.2},
    ], t.min);
    const flowChart = chart($("flow-chart"), "bar", [
      {label: t.arrivals, data: [], backgroundColor: "#0b5cad"},
      {label: t.served, data: [], backgroundColor: "#1b6e20"},
    ], "", true);

    function elapsed(since) {
      if (!since) return "–";
      const seconds = Math.max(0, Math.floor((Date.now() + clockSkew - Date.parse(since)) / 1000));
      const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      const mm = String(m).padStart(h ? 2 : 1, "0") + ":" + String(s).padStart(2, "0");
      return h ? `${h}:${mm}` : mm;
    }

    function renderLongest() {
      // the longest wait grows between changes too: count on from the oldest waiting ticket
      const since = state.today.longest_waiting_since;
      const minutes = since ? Math.max(0, (Date.now() + clockSkew - Date.parse(since)) / 60000) : null;
      $("kpi-longest").textContent = minutes === null ? "–" : `${f.n(Math.floor(minutes))} ${t.min}`;
      $("kpi-longest").closest(".kpi").classList.toggle("over", (minutes || 0) > state.target_wait_min);
    }

    function renderKpis() {
      const today = state.today;
      $("kpi-waiting").textContent = f.n(state.waiting);
      renderLongest();
      $("kpi-served").textContent = f.n(today.served);
      $("kpi-within").textContent = f.share(today.within_target_share);
      const sat = today.satisfaction;
      $("kpi-satisfaction").textContent = sat.average === null ? "–" : `${f.one(sat.average)} / 5`;
      $("kpi-ratings").textContent = fill(t.ratings, {count: f.n(sat.count)});
      const counts = state.counters.counts;
      $("kpi-counters").textContent = f.n(counts.open + counts.serving);
      $("kpi-counters-note").textContent = `${t.serving}: ${f.n(counts.serving)} · ${t.paused}: ${f.n(counts.paused)}`;
      // the waits announced today against the real ones (domain/ranges.py: 80% should fall inside)
      const est = today.estimates;
      $("kpi-ranges").textContent = f.share(est.range_share);
      $("kpi-ranges-note").textContent = est.mae_min === null ? ""
        : fill(t.estimate_error, {minutes: `${f.one(est.mae_min)} ${t.min}`});
    }

    function renderVisits() {
      // door to door: arrival to the end of the last step, visits served to their end (SPEC §11)
      const v = state.today.visits;
      const minutes = (value) => (value === null ? "–" : `${f.one(value)} ${t.min}`);
      $("kpi-door").textContent = minutes(v.door_to_door_mean_min);
      $("kpi-door-note").textContent = fill(t.door_p90, {minutes: minutes(v.door_to_door_p90_min)});
      $("kpi-steps").textContent = f.one(v.steps_per_visit);
      $("kpi-resolved").textContent = f.share(v.first_visit_resolution);
      $("kpi-resolved-note").textContent = fill(t.visits_over, {count: f.n(v.over)});
      $("kpi-repeat").textContent = f.n(v.repeat_visits);
    }

    function notServed(a) {
      // nobody will serve the service today: what the manager can do about it
      const actions = a.actions.map((action) => (action === "open_counter"
        ? el("li", {}, t.open_counter, " ", el("a", {href: data.roster_url, textContent: t.roster}))
        : el("li", {textContent: t[action]})));
      const item = el("li", {className: "not-served"}, fill(t.not_served_today, {service: name(a.service), waiting: f.n(a.waiting)}),
        el("ul", {className: "alert-actions"}, ...actions));
      item.dataset.service = a.service;
      return item;
    }

    function renderAlerts() {
      const items = state.alerts.map((a) => {
        if (a.kind === "wait_over_target") {
          return el("li", {textContent: fill(t.wait_over_target, {
            service: name(a.service), wait: f.n(a.estimated_wait_min), target: f.n(state.target_wait_min)})});
        }
        if (a.kind === "not_served_today") return notServed(a);
        if (a.kind === "overbooked") {
          // a shift cut after bookings: the roster page of that week lists the appointments
          return el("li", {className: "overbooked"}, fill(t.overbooked, {appointments: f.n(a.appointments), day: f.day(a.day)}),
            " ", el("a", {href: `${data.roster_url}?week=${a.day}`, textContent: t.see_roster}));
        }
        return el("li", {textContent: fill(t.printer_fault, {device: a.device, pending: f.n(a.pending)})});
      });
      $("alerts").replaceChildren(...(items.length ? items : [el("li", {className: "none", textContent: t.no_alerts})]));
    }

    function renderQueue() {
      const rows = state.services.map((s) => {
        const over = s.estimated_wait_min !== null && s.estimated_wait_min > state.target_wait_min;
        const wait = cell(s.estimated_wait_min === null ? "–" : `${f.n(s.estimated_wait_min)} ${t.min}`, over ? "num over" : "num");
        if (over) wait.append(el("span", {className: "over-tag", textContent: t.over}));
        return [el("th", {scope: "row", textContent: name(s.service)}), cell(f.n(s.waiting), "num"), wait];
      });
      if (!rows.length) rows.push([el("td", {colSpan: 3, textContent: t.no_queue})]);
      tableRows(document.querySelector("#queue tbody"), rows);
    }

    function renderCounters() {
      const counts = state.counters.counts;
      $("counter-counts").replaceChildren(...["serving", "open", "paused", "closed"].map((k) =>
        el("span", {className: `badge badge-${k}`, textContent: `${t[k]}: ${f.n(counts[k])}`})));
      const rows = state.counters.list.map((c) => {
        const since = el("td", {className: "num", textContent: elapsed(c.since)});
        since.dataset.since = c.since || "";
        const ticket = c.ticket ? `${c.ticket.number} · ${name(c.ticket.service)}${c.ticket.status === "called" ? " (" + t.called + ")" : ""}` : "–";
        return [
          el("th", {scope: "row", textContent: c.name}),
          el("td", {}, el("span", {className: `badge badge-${c.state}`, textContent: t[c.state]})),
          cell(c.clerk || "–"), cell(ticket), since,
        ];
      });
      if (!rows.length) rows.push([el("td", {colSpan: 5, textContent: t.no_counters})]);
      tableRows(document.querySelector("#counters tbody"), rows);
    }

    function renderCharts() {
      const hours = state.today.hourly;
      const labels = hours.map((h) => hourLabel(h.hour));
      const round = (v) => (v === null ? null : Math.round(v * 10) / 10);
      update(waitsChart, labels, [hours.map((h) => round(h.average_wait_min)), hours.map((h) => round(h.p90_wait_min))]);
      update(flowChart, labels, [hours.map((h) => h.arrivals), hours.map((h) => h.served)]);
      tableRows(document.querySelector("#waits-table tbody"), hours.map((h) => [
        el("th", {scope: "row", textContent: hourLabel(h.hour)}), cell(f.one(h.average_wait_min), "num"), cell(f.one(h.p90_wait_min), "num")]));
      tableRows(document.querySelector("#flow-table tbody"), hours.map((h) => [
        el("th", {scope: "row", textContent: hourLabel(h.hour)}), cell(f.n(h.arrivals), "num"), cell(f.n(h.served), "num")]));
      const waits = hours.filter((h) => h.average_wait_min !== null)
        .map((h) => `${hourLabel(h.hour)} ${f.one(h.average_wait_min)} / ${f.one(h.p90_wait_min)} ${t.min}`).join("; ");
      const flow = hours.map((h) => `${hourLabel(h.hour)} ${f.n(h.arrivals)} / ${f.n(h.served)}`).join("; ");
      $("waits-chart").setAttribute("aria-label", waits ? fill(t.waits_summary, {hours: waits}) : t.no_data);
      $("flow-chart").setAttribute("aria-label", flow ? fill(t.flow_summary, {hours: flow}) : t.no_data);
    }

    function render(next) {
      state = next;
      if (state.now) clockSkew = Date.parse(state.now) - Date.now();
      renderKpis(); renderVisits(); renderAlerts(); renderQueue(); renderCounters(); renderCharts();
      $("updated").textContent = f.clock(new Date(Date.now() + clockSkew));
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    }

    render(state);
    setInterval(() => {
      document.querySelectorAll("#counters td[data-since]").forEach((td) => {
        td.textContent = elapsed(td.dataset.since || null);
      });
      renderLongest();
    }, 1000);

    // Live: the socket; while it is down, a banner and state.json every poll_seconds.
    const banner = $("connection");
    let poller = null;
    const poll = () => fetch(data.state_url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status))).then(render).catch(() => {});
    const down = () => {
      banner.hidden = false;
      if (!poller) poller = setInterval(poll, data.poll_seconds * 1000);
    };
    if (!window.io) { down(); return; }
    const socket = window.io("/manager", {query: {centre: data.centre.code}});
    socket.on("connect", () => {
      banner.hidden = true;
      if (poller) { clearInterval(poller); poller = null; }
    });
    socket.on("disconnect", (reason) => {
      down();
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => {
      down();
      if (!socket.active) setTimeout(() => socket.connect(), 3000);
    });
    socket.on("state", render);
  }

  // ---- the network overview (administrators) -----------------------------------------------------

  function network(data) {
    const t = data.texts;
    const f = formatters(data.language);
    const minutes = (v) => (v === null ? "–" : `${f.n(v)} ${t.min}`);
    // "Updated" on the centres' one clock, or, where their zones differ, on this computer's, named
    const stamp = new Intl.DateTimeFormat(data.language, data.timezone
      ? {hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: data.timezone}
      : {hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"});
    const bars = chart($("network-chart"), "bar", [
      {label: t.waiting, data: [], backgroundColor: "#0b5cad"},
      {label: t.served, data: [], backgroundColor: "#1b6e20"},
    ], "", true);
    const heads = [...document.querySelectorAll("#centres thead th")].map((th) => th.textContent);

    function render(centres) {
      update(bars, centres.map((c) => c.code), [centres.map((c) => c.waiting), centres.map((c) => c.served)]);
      $("network-chart").setAttribute("aria-label", centres.map((c) =>
        `${c.name}: ${heads[3]} ${f.n(c.waiting)}, ${heads[7]} ${f.n(c.served)}`).join("; "));
      $("updated").textContent = stamp.format(new Date());
    }

    function gaps(c) {
      const td = el("td", {className: c.gaps_today || c.gaps_week ? "num over" : "num"});
      td.append(el("a", {href: c.roster_url, textContent: `${f.n(c.gaps_today)} / ${f.n(c.gaps_week)}`}));
      return td;
    }

    function renderTable(centres) {
      tableRows(document.querySelector("#centres tbody"), centres.map((c) => {
        const head = el("th", {scope: "row"}, el("a", {href: c.url, textContent: c.name}), " ", el("span", {className: "code", textContent: c.code}));
        const worst = c.worst_service;
        const over = worst && worst.estimated_wait_min > c.target_wait_min;
        const time = el("span", {}, el("time", {textContent: c.local_time}));  // the centre's own, from the server
        if (!data.timezone) time.append(" ", el("span", {className: "zone", textContent: c.zone_name}));
        const clock = el("td", {}, time);
        return [
          head, clock, cell(c.open_now ? t.yes : t.no), cell(f.n(c.waiting), "num"), cell(minutes(c.longest_wait_min), "num"),
          cell(worst ? `${data.services[worst.service] || worst.service}: ${minutes(worst.estimated_wait_min)}` : "–", over ? "over" : ""),
          cell(`${f.n(c.counters_open)} / ${f.n(c.counters_serving)}`, "num"), cell(f.n(c.served), "num"),
          cell(f.share(c.within_target_share), "num"), gaps(c), cell(f.n(c.alerts), c.alerts ? "num over" : "num"),
        ].map((node, i) => { if (i) node.dataset.label = heads[i]; return node; }); // labels for a phone
      }), centres.map((c) => c.code));
    }

    const initial = [...document.querySelectorAll("#centres tbody tr")].map((tr) => ({
      code: tr.dataset.centre, name: tr.querySelector("a").textContent,
      waiting: Number(tr.children[3].textContent), served: Number(tr.children[7].textContent),
    }));
    render(initial);
    const banner = $("connection");
    setInterval(() => fetch(data.url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((body) => { banner.hidden = true; renderTable(body.centres); render(body.centres); })
      .catch(() => { banner.hidden = false; }), data.poll_seconds * 1000);
  }

  const start = () => {
    const board = $("dashboard-data");
    if (board) dashboard(JSON.parse(board.textContent));
    const net = $("network-data");
    if (net) network(JSON.parse(net.textContent));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
