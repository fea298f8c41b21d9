// Visitors polling the public board, for bench/board.py: an open loop of HTTP GETs under Node.
// usage: node bench/visitors.mjs URL PLAN
// PLAN is a JSON file {rate, requests: [[kind, path], ...], addresses: [...]}: request k is due at
// t0 + k / rate (t0 a moment after start) and goes out when due whether or not earlier ones have been
// answered (no coordinated omission), over keep-alive connections from its visitor's loopback address
// (addresses[k % n]: a proxy balancing by client address spreads them as it would real visitors).
// When every request is answered or has failed, one JSON line is printed: per kind the latencies (s,
// from the due time to the whole body), statuses other than 200 and failures counted by message, the
// bytes received; the sends later than 5 ms after their due time; the wall time from t0 to the last answer.
import http from "node:http";
import { readFileSync } from "node:fs";

const [url, planFile] = process.argv.slice(2);
const { rate, requests, addresses } = JSON.parse(readFileSync(planFile, "utf8"));
const { hostname, port } = new URL(url);
const agents = addresses.map((a) => new http.Agent({ keepAlive: true, localAddress: a }));
const now = () => Number(process.hrtime.bigint()) / 1e9;
const kinds = {};
let late = 0;
let pending = requests.length;
let last = 0;

function tally(kind) {
  return (kinds[kind] ||= { latencies: [], errors: {}, bytes: 0 });
}

function done(kind, due, error) {
  const t = now();
  const k = tally(kind);
  if (error) k.errors[error] = (k.errors[error] || 0) + 1;
  else k.latencies.push(t - due);
  last = Math.max(last, t);
  pending -= 1;
  if (pending === 0) {
    const report = { kinds, late, sent: requests.length, wall: last - t0 };
    process.stdout.write(JSON.stringify(report) + "\n", () => process.exit(0));
  }
}

function send(k, due) {
  const [kind, path] = requests[k];
  if (now() - due > 0.005) late += 1;
  const agent = agents[k % agents.length];
  const req = http.get({ hostname, port, path, agent, timeout: 60000 }, (res) => {
    let bytes = 0;
    res.on("data", (chunk) => { bytes += chunk.length; });
    res.on("end", () => {
      tally(kind).bytes += bytes;
      done(kind, due, res.statusCode === 200 ? null : `${path.split("?")[0]} → ${res.statusCode}`);
    });
  });
  req.on("timeout", () => req.destroy(new Error("timeout")));
  req.on("error", (e) => done(kind, due, `${e.code || e.message}`));
}

const t0 = now() + 0.05;
let next = 0;
function tick() {
  const t = now();
  while (next < requests.length && t0 + next / rate <= t) {
    send(next, t0 + next / rate);
    next += 1;
  }
  if (next < requests.length) setTimeout(tick, 1);
}
setTimeout(tick, 50);
