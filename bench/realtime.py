"""Real-time benchmark (SPEC §6, §8): how fast a `ticket_called` reaches many connected screens,
and what they cost the server in memory.

Reproduce from the repository root:

    .venv/bin/python bench/realtime.py                           # 100, 1,000 and 5,000 clients
    .venv/bin/python bench/realtime.py --clients 1000 --server dev   # the Werkzeug server, to compare

For each client count the script builds a fresh SQLite database with `python -m queue_app init`
(the test network: centre HQ, 40 counters, open 24/7), makes a display token, a kiosk token and a
clerk, and starts `python -m queue_app serve` (gunicorn with one gevent worker; `--server dev`: the
threaded Werkzeug server) on a free port. It issues --calls tickets at HQ, then --procs client
processes connect N Socket.IO clients in all over WebSocket to `/display?centre=HQ`
(every one in HQ's room, the worst case: one event fans out to all of them). The clients are
bench/clients.mjs: the socket.io-client the pages load (npm), run by Node, which holds thousands of
sockets on little CPU, so the figures are the server's rather than the load generator's. When all are
connected, the clerk calls next --calls times over HTTP, one call every --gap s (then starts and
finishes the ticket, untimed). Each client notes when each `ticket_called` arrives
(CLOCK_MONOTONIC, shared by the processes of one machine). Latency is measured from the moment
the call-next request was sent (the event is emitted right after the commit, often before the HTTP
response reaches the clerk, so "from the response" would flatter it); percentiles are over every
(call, client) delivery. A delivery that never arrives is counted as lost. The server's RSS is
read from /proc for the process serving the sockets (gunicorn's worker), before and after the
clients connect. The clients share the machine's 2 cores with the server, so the figures are
pessimistic. Progress goes to stderr, results to stdout as a Markdown table.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from math import ceil
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import PASSWORD, Client, Server, cli, server_env  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / "tests" / "data" / "network.toml"
LATENCY_TARGET_MS, RSS_TARGET_MB = 100.0, 500.0  # SPEC §8: p99 at 1,000 clients; RSS at 5,000


NODE_CLIENTS = Path(__file__).resolve().parent / "clients.mjs"  # socket.io-client (npm) under Node


# ---- the run --------------------------------------------------------------------------------

def worker_pid(server: Server) -> int:
    """The process holding the sockets: gunicorn's worker (the master's child), else the server."""
    return server.pids()[-1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def request(port: int, method: str, path: str, token: str | None = None, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {raw[:200]!r}")
    return json.loads(raw) if raw else None


def prepare(env: dict[str, str]) -> tuple[str, str]:
    """A fresh database with HQ's display and kiosk and clerk `bench`; return (display, kiosk) tokens."""
    cli(env, "init")
    display = cli(env, "create-device", "--kind", "display", "--centre", "HQ").strip().splitlines()[-1]
    kiosk = cli(env, "create-device", "--kind", "kiosk", "--centre", "HQ", "--printer", "dummy://").strip().splitlines()[-1]
    cli(env, "create-user", "--role", "clerk", "--centre", "HQ", "--username", "bench", "--skills", "all",
        "--password", PASSWORD)
    return display, kiosk


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[max(ceil(q / 100 * len(sorted_values)) - 1, 0)] if sorted_values else float("nan")


def one_run(n: int, args) -> dict:
    tmp = tempfile.mkdtemp(prefix="onedoor-rt-")
    env = server_env("sqlite", tmp, NETWORK)
    display, kiosk = prepare(env)
    server = Server(env, Path(tmp) / "server.log", dev=args.server == "dev")
    procs: list[subprocess.Popen] = []
    try:
        server.wait_ready()
        port = server.port
        clerk = request(port, "POST", "/api/v1/auth/token", body={"username": "bench", "password": PASSWORD})["token"]
        request(port, "POST", "/api/v1/counters/HQ-01/open", clerk, {})
        for _ in range(args.calls):
            request(port, "POST", "/api/v1/centres/HQ/tickets", kiosk, {"service": "birth"})
        pid = worker_pid(server)
        rss_before, cpu_before = rss_mb(pid), server.cpu()
        shares = [n // args.procs + (1 if i < n % args.procs else 0) for i in range(args.procs)]
        started = time.monotonic()
        for share in filter(None, shares):
            procs.append(subprocess.Popen(
                ["node", str(NODE_CLIENTS), f"http://127.0.0.1:{port}", display, str(share), str(args.concurrency)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT))
        connected = failed = 0
        for proc in procs:
            report = json.loads(proc.stdout.readline())
            connected += report["connected"]
            failed += report["failed"]
        connect_s = time.monotonic() - started
        cpu_connected = server.cpu()
        print(f"{n} clients: {connected} connected in {connect_s:.1f} s, {failed} failed", file=sys.stderr)
        rss_connected = rss_mb(pid)
        sent: dict[str, float] = {}
        for _ in tqdm(range(args.calls), desc=f"calls to {connected} clients", file=sys.stderr, leave=False):
            t0 = time.monotonic()
            ticket = request(port, "POST", "/api/v1/counters/HQ-01/call-next", clerk)
            sent[ticket["number"]] = t0
            request(port, "POST", f"/api/v1/tickets/{ticket['id']}/start", clerk)
            request(port, "POST", f"/api/v1/tickets/{ticket['id']}/finish", clerk, {"outcome": "resolved"})
            time.sleep(args.gap)
        rss_after = rss_mb(pid)
        cpu_calls = server.cpu() - cpu_connected
        latencies, delivered, still = [], 0, 0
        for proc in procs:
            proc.stdin.write("done\n")
            proc.stdin.flush()
            report = json.loads(proc.stdout.readline())
            arrivals, still = report["arrivals"], still + report["still_connected"]
            for number, times in arrivals.items():
                if number in sent:
                    delivered += len(times)
                    latencies.extend((t - sent[number]) * 1000 for t in times)
        latencies.sort()
        expected = connected * len(sent)
        return {
            "clients": n, "connected": connected, "failed": failed, "connect_s": connect_s,
            "calls": len(sent), "delivered": delivered, "lost": expected - delivered, "dropped": connected - still,
            "cpu_connect_ms": (cpu_connected - cpu_before) * 1000 / max(connected, 1),
            "cpu_call_ms": cpu_calls * 1000 / max(len(sent), 1),
            "p50": percentile(latencies, 50), "p90": percentile(latencies, 90), "p99": percentile(latencies, 99),
            "max": latencies[-1] if latencies else float("nan"),
            "rss_before": rss_before, "rss_connected": rss_connected, "rss_after": rss_after,
            "errors": server.errors(),
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        server.stop()


def table(rows: list[dict], args) -> str:
    server = "gunicorn + gevent, 1 worker" if args.server == "gevent" else "Werkzeug threaded (dev)"
    out = [f"Server: {server}; {args.procs} client processes; {args.calls} calls, one every {args.gap:g} s.", "",
           "| clients | connected (s) | server CPU ms per connect | dropped | deliveries | lost | p50 ms | p90 ms | p99 ms | max ms | server CPU ms per call | RSS idle MB | RSS connected MB | RSS after calls MB |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['clients']:,} | {r['connected']:,} ({r['connect_s']:.1f}) | {r['cpu_connect_ms']:.1f} "
                   f"| {r['dropped']:,} | {r['delivered']:,} | {r['lost']:,} "
                   f"| {r['p50']:.1f} | {r['p90']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['cpu_call_ms']:.0f} "
                   f"| {r['rss_before']:.0f} | {r['rss_connected']:.0f} | {r['rss_after']:.0f} |")
    verdict = []
    for r in rows:
        if r["clients"] == 1000:
            verdict.append(f"p99 at 1,000 clients {r['p99']:.1f} ms vs target {LATENCY_TARGET_MS:g} ms "
                           f"({r['p99'] / LATENCY_TARGET_MS:.2f}× the limit)")
        if r["clients"] == 5000:
            verdict.append(f"RSS at 5,000 clients {r['rss_after']:.0f} MB vs target {RSS_TARGET_MB:g} MB "
                           f"({r['rss_after'] / RSS_TARGET_MB:.2f}× the limit)")
        if r["errors"]:
            verdict.append(f"{r['clients']} clients: server logged {len(r['errors'])} error lines, first: {r['errors'][0][:120]}")
    return "\n".join(out + ([""] + [f"- {v}" for v in verdict] if verdict else []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="100,1000,5000", help="comma-separated client counts")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between calls")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--concurrency", type=int, default=100, help="connections opened at once per process")
    parser.add_argument("--server", choices=("gevent", "dev"), default="gevent")
    args = parser.parse_args()
    rows = [one_run(int(n), args) for n in args.clients.split(",")]
    print(table(rows, args))


if __name__ == "__main__":
    main()
