/* The waiting-room screen: the `state` snapshot replaces everything, `ticket_called` shows and
   announces a call at once, `queue_changed` updates one service. When the link to the server is
   down the screen says so and dims what it shows until a new snapshot. Silence counts as down:
   the server pings every 25 s, and Socket.IO drops a link that has heard nothing for 45 s. */
"use strict";

(() => {
  const RECENT = 6; // calls listed under the newest one
  const ROWS = 7; // services per page of the waiting panel
  const ROTATE_MS = 10000; // labels switch language, and the waiting panel its page, this often
  const FRESH_MS = 6000; // how long a new call stays highlighted
  const MISSED_MS = 180000; // calls made while the screen was away are announced if this recent

  const data = JSON.parse(document.getElementById("screen-data").textContent);
  const $ = id => document.getElementById(id);
  const screen = $("screen");
  const names = Object.fromEntries(data.services.map(s => [s.code, s.names]));
  const board = {calls: [], services: new Map(), page: 0};
  const link = {state: "connecting", since: null}; // connecting | live | lost | silent
  let lang = data.languages[0];
  let seen = null; // the calls already shown (number@called_at); null before the first snapshot
  let freshTimer = null;
  let hours = {}; // open_now, closes_at, next_opening of the last state
  let shut = false; // what the screen shows: the centre closed, with its next opening
  let socket = null;

  const announcer = new Announcer(
    data.languages,
    Object.fromEntries(data.languages.map(code => [code, data.texts[code].speech])),
    muted => { $("sound").hidden = !muted; },
  );

  const text = (key, values = {}) => data.texts[lang][key].replace(/\{(\w+)\}/g, (_, name) => values[name]);
  const key = call => `${call.number}@${call.called_at}`;

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  // ---- drawing ---------------------------------------------------------------------------------

  function drawCalls() {
    const [newest, ...older] = board.calls;
    $("now").classList.toggle("has-call", Boolean(newest));
    if (newest) {
      $("now-number").textContent = newest.number;
      $("now-number").style.setProperty("--chars", newest.number.length); // PAS012 shrinks to fit, as A012 does not
      $("now-counter").textContent = newest.counter;
    }
    $("recent").replaceChildren(...older.slice(0, RECENT).map(call => {
      const item = element("li");
      const arrow = element("span", "arrow", "→");
      arrow.setAttribute("aria-hidden", "true");
      const number = element("span", "number", call.number);
      number.style.setProperty("--chars", call.number.length);
      const desk = element("span", "desk", call.counter);
      number.dir = desk.dir = "ltr"; // A001 and MSK1-07 read left to right in any language
      item.append(number, arrow, desk);
      return item;
    }));
  }

  function waitText(minutes, range) { // the range where the centre's past waits give one around the estimate
    if (minutes === null || minutes === undefined) return "—";
    return range ? text("wait_range", {low: range[0], high: range[1]}) : text("wait_min", {n: Math.max(1, Math.round(minutes))});
  }

  function drawServices() {
    const known = data.services.map(s => s.code);
    const codes = known.concat([...board.services.keys()].filter(code => !names[code]))
      .filter(code => (board.services.get(code)?.waiting || 0) > 0);
    const pages = Math.max(1, Math.ceil(codes.length / ROWS));
    board.page %= pages;
    $("services").replaceChildren(...codes.slice(board.page * ROWS, (board.page + 1) * ROWS).map(code => {
      const service = board.services.get(code);
      const row = element("tr");
      row.dataset.service = code;
      const name = element("td", "name");
      name.append(element("span", "", names[code]?.[lang] || code));
      row.append(name, element("td", "count", String(service.waiting)), element("td", "wait", waitText(service.estimated_wait_min, service.estimated_wait_range_min)));
      return row;
    }));
    $("pages").textContent = pages > 1 ? `${board.page + 1}/${pages}` : "";
    $("services").closest(".queue").classList.toggle("has-services", codes.length > 0);
  }

  const clocks = {};
  function clockFormats() {
    if (!clocks[lang]) {
      const make = options => {
        try {
          return new Intl.DateTimeFormat(lang, {...options, timeZone: data.timezone});
        } catch (error) { // an unknown zone: the TV's own time beats no clock
          return new Intl.DateTimeFormat(lang, options);
        }
      };
      clocks[lang] = {
        time: make({hour: "2-digit", minute: "2-digit", hourCycle: "h23"}),
        date: make({weekday: "long", day: "numeric", month: "long"}),
      };
    }
    return clocks[lang];
  }

  function drawClock() {
    const now = new Date();
    $("clock").textContent = clockFormats().time.format(now);
    $("clock").dateTime = now.toISOString();
    $("date").textContent = clockFormats().date.format(now);
  }

  function drawLink() {
    screen.classList.toggle("connecting", link.state === "connecting");
    screen.classList.toggle("stale", link.state === "lost" || link.state === "silent");
    const since = link.since && clockFormats().time.format(link.since);
    $("banner").textContent = link.state === "live" ? "" : text(link.state === "connecting" ? "connecting" : link.state, {time: since});
  }

  // The board keeps the layout (and alignment) of the network's first language: a screen that
  // mirrored every few seconds would be hard to read from a chair. Labels and names in a right-to-left
  // language still read right to left inside it (the bidi algorithm); the sentences, whose stops and
  // times must fall at their proper end, take the language's direction.
  function drawLanguage() {
    screen.lang = lang;
    for (const node of screen.querySelectorAll("#banner, footer [data-text]")) node.dir = data.directions[lang];
    for (const node of screen.querySelectorAll("[data-text]")) node.textContent = text(node.dataset.text);
    screen.querySelector("[data-centre-name]").textContent = data.centre_names[lang];
    drawServices();
    drawClock();
    drawLink();
  }

  // A closed centre says so in every language at once, instead of an empty board; the page's
  // clock switches at the opening or closing and asks the server for a fresh state.
  function drawHours() {
    shut = !Opening.isOpen(hours);
    screen.classList.toggle("closed", shut);
    for (const node of screen.querySelectorAll("[data-opens]")) {
      const code = node.dataset.opens;
      node.textContent = shut ? Opening.words(hours, data.texts[code], code, data.timezone) : "";
    }
  }

  function watchHours() {
    if (shut === Opening.isOpen(hours)) {
      drawHours();
      socket?.emit("state");
    }
  }

  function highlight() {
    const now = $("now");
    now.classList.remove("fresh");
    void now.offsetWidth; // restart the animation for a call right after another
    now.classList.add("fresh");
    clearTimeout(freshTimer);
    freshTimer = setTimeout(() => now.classList.remove("fresh"), FRESH_MS);
  }

  // ---- what the server says ----------------------------------------------------------------------

  function announce(call) {
    highlight();
    announcer.announce(call);
  }

  function applyState(state) {
    const calls = state.calls || [];
    const missed = seen === null ? [] : calls.filter(
      call => !seen.has(key(call)) && Date.now() - Date.parse(call.called_at) < MISSED_MS,
    );
    seen = new Set(calls.map(key));
    board.calls = calls.slice(0, RECENT + 1);
    board.services = new Map((state.services || []).map(s => [s.service, s]));
    Object.assign(link, {state: "live", since: null});
    hours = {open_now: state.open_now, closes_at: state.closes_at, next_opening: state.next_opening};
    drawHours();
    drawCalls();
    drawServices();
    drawLink();
    missed.slice(0, 3).reverse().forEach(announce); // oldest first
  }

  function ticketCalled(call) {
    seen?.add(key(call));
    board.calls = [call, ...board.calls.filter(c => c.number !== call.number)].slice(0, RECENT + 1);
    drawCalls();
    announce(call);
  }

  function queueChanged(service) {
    board.services.set(service.service, service);
    drawServices();
  }

  function lose(state) {
    if (link.state !== "live") return; // still connecting (nothing shown yet), or already said
    Object.assign(link, {state, since: new Date()});
    drawLink();
  }

  function connect() {
    if (typeof io !== "function") { // the page loaded but its library did not: retry once the server answers
      setTimeout(() => fetch(location.pathname, {cache: "no-store"})
        .then(response => { if (response.ok) location.reload(); else connect(); })
        .catch(connect), 30000);
      return;
    }
    socket = io(`/display?centre=${encodeURIComponent(data.centre)}`, {
      auth: {token: data.token}, reconnectionDelayMax: 10000, // reconnection attempts are unlimited
    });
    socket.on("state", applyState);
    socket.on("ticket_called", ticketCalled);
    socket.on("queue_changed", queueChanged);
    socket.on("disconnect", reason => lose(reason === "ping timeout" ? "silent" : "lost"));
    socket.on("connect_error", () => {
      lose("lost");
      if (!socket.active) setTimeout(() => socket.connect(), 10000); // refused: the server will not retry for us
    });
  }

  // ---- start -------------------------------------------------------------------------------------

  $("sound").addEventListener("click", () => announcer.unmute());
  document.addEventListener("pointerdown", () => announcer.unmute());
  let turn = 0;
  setInterval(() => {
    turn += 1;
    lang = data.languages[turn % data.languages.length];
    board.page += 1;
    drawLanguage();
  }, ROTATE_MS);
  setInterval(() => { drawClock(); watchHours(); }, 1000);
  drawLanguage();
  drawCalls();
  connect();
})();
