// Socket.IO clients for bench/realtime.py: the same socket.io-client the pages load (npm), under Node.
// usage: node bench/clients.mjs URL TOKEN N CONCURRENCY
// Connects N clients to URL's /display?centre=HQ over WebSocket, CONCURRENCY at a time, prints
// {"connected", "failed", "seconds"} as one JSON line, records when each ticket_called arrives
// (process.hrtime = CLOCK_MONOTONIC, the clock Python's time.monotonic() reads), and on a line on
// stdin prints {"arrivals": {number: [seconds...]}, "still_connected"} and exits.
import { io } from "socket.io-client";
import readline from "node:readline";

const [url, token, total, concurrency] = [process.argv[2], process.argv[3], +process.argv[4], +process.argv[5] || 100];
const now = () => Number(process.hrtime.bigint()) / 1e9;
const arrivals = {};
const sockets = [];
let failed = 0;

function connectOne() {
  return new Promise((resolve) => {
    const socket = io(`${url}/display?centre=HQ`, {
      auth: { token }, transports: ["websocket"], reconnection: false, timeout: 60000,
    });
    socket.on("ticket_called", (data) => { (arrivals[data.number] ||= []).push(now()); });
    socket.once("connect", () => { sockets.push(socket); resolve(); });
    socket.once("connect_error", () => { failed += 1; socket.close(); resolve(); });
  });
}

const started = now();
let next = 0;
async function lane() { while (next < total) { next += 1; await connectOne(); } }
await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
console.log(JSON.stringify({ connected: sockets.length, failed, seconds: now() - started }));

readline.createInterface({ input: process.stdin }).once("line", () => {
  const still = sockets.filter((s) => s.connected).length;
  sockets.forEach((s) => s.close());
  // a pipe is written asynchronously: exit only once the whole line is out
  process.stdout.write(JSON.stringify({ arrivals, still_connected: still }) + "\n", () => process.exit(0));
});
