// Socket.IO clients for the benchmarks: the same socket.io-client the pages load (npm), under Node.
// usage: node bench/clients.mjs URL TOKEN N [CONCURRENCY]      bench/realtime.py: N displays of HQ
//        node bench/clients.mjs URL --plan FILE [CONCURRENCY]  bench/network.py: the clients FILE lists
// The first form connects N clients to URL's /display?centre=HQ over WebSocket. In the second, FILE
// is a JSON list of {namespace, query, token, key, address}: each client connects as a browser does
// (long-polling, then the upgrade to WebSocket), from its own loopback `address`, so that a proxy
// balancing by client address (docs/deploy/nginx.conf) spreads them as it would real visitors.
// Either way CONCURRENCY clients connect at a time (default 100), then one JSON line
// {"connected", "failed", "seconds"} is printed. Arrival times are process.hrtime (CLOCK_MONOTONIC,
// the clock Python's time.monotonic() reads): each ticket_called by number (first form) or by
// "key|number" (second form: key is the display's centre), and for each /ticket client (by its key)
// the first arrival of each status its ticket_status events carried and, while waiting, of each
// number of visitors ahead ("ahead:N"); a /board client with a key
// notes every `centre` event by "key|centre code" (bench/board.py). A line on stdin prints
// {"arrivals", "statuses", "events", "still_connected"} and exits.
import http from "node:http";
import { readFileSync } from "node:fs";
import readline from "node:readline";
import { io } from "socket.io-client";

const [url, second, third, fourth] = process.argv.slice(2);
const planned = second === "--plan";
const plan = planned
  ? JSON.parse(readFileSync(third, "utf8"))
  : Array.from({ length: +third }, () => ({ namespace: "/display", query: "centre=HQ", token: second }));
const concurrency = +fourth || 100;
const now = () => Number(process.hrtime.bigint()) / 1e9;
const arrivals = {};
const statuses = {};
const events = {};
const sockets = [];
let failed = 0;

function options(client) {
  // forceNew: a connection of its own, as each browser has (socket.io-client would otherwise
  // multiplex a second namespace onto the first client's connection)
  const common = { auth: { token: client.token }, reconnection: false, timeout: 60000, forceNew: true };
  if (!client.address) return { ...common, transports: ["websocket"] };
  const agent = new http.Agent({ keepAlive: true, localAddress: client.address });
  return { ...common, transports: ["polling", "websocket"], agent, localAddress: client.address };
}

function connectOne(client) {
  return new Promise((resolve) => {
    const socket = io(`${url}${client.namespace}?${client.query}`, options(client));
    socket.onAny((name) => { events[name] = (events[name] || 0) + 1; });
    socket.on("ticket_called", (data) => {
      const key = client.key ? `${client.key}|${data.number}` : data.number;
      (arrivals[key] ||= []).push(now());
    });
    socket.on("ticket_status", (data) => {
      const seen = (statuses[client.key] ||= {});
      seen[data.status] ??= now();
      if (data.status === "waiting") seen[`ahead:${data.ahead}`] ??= now();
    });
    // the public board (/board): a client with a key notes when each centre's figures arrive
    socket.on("centre", (data) => { if (client.key) (arrivals[`${client.key}|${data.code}`] ||= []).push(now()); });
    socket.once("connect", () => { sockets.push(socket); resolve(); });
    socket.once("connect_error", () => { failed += 1; socket.close(); resolve(); });
  });
}

const started = now();
let next = 0;
async function lane() { while (next < plan.length) { next += 1; await connectOne(plan[next - 1]); } }
await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, lane));
console.log(JSON.stringify({ connected: sockets.length, failed, seconds: now() - started }));

readline.createInterface({ input: process.stdin }).once("line", () => {
  const still = sockets.filter((s) => s.connected).length;
  sockets.forEach((s) => s.close());
  // a pipe is written asynchronously: exit only once the whole line is out
  const report = { arrivals, statuses, events, still_connected: still };
  process.stdout.write(JSON.stringify(report) + "\n", () => process.exit(0));
});
