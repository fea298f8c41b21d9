"""The public board at 20,000 visitors (issue 20): what a request per visitor per minute costs the
server, deployed as docs/deploy says, while the network's kiosks and clerks keep changing the figures.

Reproduce from the repository root (PostgreSQL at 127.0.0.1:5432 with trust for user postgres,
Redis at 127.0.0.1:6379, Debian's nginx and Node: `make services assets`; the script creates and
empties the database `onedoor_board_bench`, never `test`):

    .venv/bin/python bench/board.py            # 120 s of load, 500 board sockets, ~5 minutes
    .venv/bin/python bench/board.py --quick    # 30 s, 100 board sockets, no wait for a quiet machine

The deployment and the network are bench/network.py's (its helpers, not a copy): nginx running
docs/deploy/nginx.conf in front of --processes `queue-app serve` (default 1; gunicorn, one gevent worker,
ONEDOOR_SCHEDULER=0), one `queue-app scheduler`, PostgreSQL, Redis as the Socket.IO message queue
and, as docs/deploy/onedoor.env has it, for the rate limits (ONEDOOR_RATELIMIT_STORAGE, the public
limit left at its default of 1,200/minute a client address). The network: bench/engine.py's 150
centres (4 counters open each, each serving a visitor) with --backlog tickets waiting. The board's
cache is the default ONEDOOR_PUBLIC_CACHE_SECONDS (5 s a centre's row; the next free booking time 5 min).

Before the deployment starts, in this process on the same database: the cost of the board without
its cache (every centre's figures recomputed, the next free booking time once cold and once cached)
and of one answer with a warm cache (Flask's test client, no HTTP).

Then, once the 1-minute load average is below --max-load: --board-sockets Socket.IO clients on
`/board` (bench/clients.mjs, through nginx, as browsers connect), of which --watchers note when each
centre's figures arrive; the first `/centres.json` is timed (the server's cache cold, next free
booking times included); then for --seconds three open loops at once:
- visitors (bench/visitors.mjs, Node): --visitors a minute, one GET each on a fixed schedule (latency
  from each request's due time, so a server that falls behind shows it), from --addresses loopback
  addresses, of the kinds --mix says: by default 70% the list's JSON (the pages' polling fallback),
  10% each the list's page, a centre's JSON, a centre's page; centres by popularity (Zipf: a few
  centres much more);
- kiosks issue --rate tickets/s and clerks make --rate call cycles/s at random centres, as in
  bench/network.py, so the cached figures really go stale.
The push delay: from each ticket's issue request's send to the first `centre` event for its centre
that reaches a watcher after the response came back (the board pushes a changed centre at most
every 3 s); a watcher with no such event within --settle s misses it.
CPU shares from /proc over the loops, per process and for the whole machine; the web process's RSS.
Progress goes to stderr, the results to stdout as Markdown tables.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from bisect import bisect_right
from collections import Counter
from datetime import datetime
from pathlib import Path
from time import perf_counter

import psycopg
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engine  # noqa: E402
import network  # noqa: E402
from api import cpu_seconds  # noqa: E402
from engine import Recorder  # noqa: E402
from realtime import rss_mb, worker_pid  # noqa: E402

from queue_app.extensions import db  # noqa: E402
from queue_app.models import Centre  # noqa: E402
from queue_app.services.board import board, centre_figures, next_free_slot  # noqa: E402
from queue_app.services.lookup import forget_catalogue  # noqa: E402

DATABASE = "onedoor_board_bench"
RATELIMIT = "redis://127.0.0.1:6379/1"  # docs/deploy/onedoor.env
VISITORS = Path(__file__).resolve().parent / "visitors.mjs"
KINDS = ("list JSON", "list page", "centre JSON", "centre page")
MIX = "70,10,10,10"  # per cent of the visitors' requests of each kind, in KINDS' order
ZIPF = 1.0  # centre k of 150 by popularity is asked for in proportion to 1 / k**ZIPF


# ---- without the cache, in process ------------------------------------------------------------

def timed(fn, repeat: int = 1) -> float:
    """Mean milliseconds of fn() over `repeat` calls."""
    t0 = perf_counter()
    for _ in range(repeat):
        fn()
    return (perf_counter() - t0) / repeat * 1000


def uncached_costs(app) -> dict:
    """What the cache saves: the board's figures recomputed, and one cached answer (in process)."""
    from queue_app.db import utcnow
    with app.app_context():
        centres = db.session.scalars(db.select(Centre).where(Centre.active.is_(True))).all()
        now = utcnow()
        slot = [timed(lambda c=c: next_free_slot(c, now)) for c in tqdm(
            centres[:10], desc="next free booking time, 10 centres", file=sys.stderr, leave=False)]
        forget_catalogue()
        cold = timed(board)  # every centre's figures, next free booking times included
        figures = [timed(lambda c=c: centre_figures(c, now)) for c in centres]  # the booking times cached
        client = app.test_client()
        code = centres[0].code
        board()  # the rows cached again, after centre_figures above took longer than the cache lasts
        warm = {kind: timed(lambda p=path: client.get(p), 20)
                for kind, path in (("list JSON", "/centres.json"), ("list page", "/centres"),
                                   ("centre JSON", f"/centres/{code}.json"), ("centre page", f"/centres/{code}"))}
        size = len(client.get("/centres.json").data)
        seconds = app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"]
        db.session.remove()
    return {"centres": len(centres), "slot_ms": sum(slot) / len(slot), "cold_ms": cold,
            "figures_ms": sum(figures), "figure_ms": sum(figures) / len(figures), "warm": warm, "json_bytes": size,
            "cache_s": seconds}


# ---- the load ---------------------------------------------------------------------------------

class Kiosks(network.Load):
    """bench/network.py's kiosks and clerks, noting each ticket's centre, send and answer times."""

    def __init__(self, sites, port: int) -> None:
        super().__init__(sites, port, set())
        self.issued: list[tuple[str, float, float]] = []
        self.local = threading.local()

    def pick(self):
        site, service = super().pick()
        self.local.site = site
        return site, service

    def issue(self, i, state, rec) -> bool:
        sent = time.monotonic()
        ok = super().issue(i, state, rec)
        if ok:
            with self.rng_lock:
                self.issued.append((self.local.site.code, sent, time.monotonic()))
        return ok


def visitor_plan(codes: list[str], args) -> dict:
    """The visitors' requests in order, each kind as often as --mix says, centres by popularity."""
    rng = random.Random(20)
    rate = args.visitors / 60
    popular = codes[:]
    rng.shuffle(popular)  # which centres are popular: any
    weights = [1 / (k + 1) ** ZIPF for k in range(len(popular))]
    kinds, shares = list(args.mix), list(args.mix.values())
    requests = []
    for _ in range(int(rate * args.seconds)):
        kind = rng.choices(kinds, shares)[0]
        code = rng.choices(popular, weights)[0]
        path = {"list JSON": "/centres.json", "list page": "/centres", "centre JSON": f"/centres/{code}.json",
                "centre page": f"/centres/{code}"}[kind]
        requests.append((kind, path))
    addresses = [f"127.30.{n // 250 + 1}.{n % 250 + 1}" for n in range(args.addresses)]
    return {"rate": rate, "requests": requests, "addresses": addresses}


def first_list(port: int) -> tuple[float, int]:
    """One /centres.json on the cold server: milliseconds and status."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = perf_counter()
    conn.request("GET", "/centres.json")
    response = conn.getresponse()
    response.read()
    conn.close()
    return (perf_counter() - t0) * 1000, response.status


def first_traceback(log: Path) -> str:
    """The last line of the server log's first traceback (the exception), or ''."""
    lines = log.read_text(errors="replace").splitlines()
    start = next((k for k, line in enumerate(lines) if "Traceback" in line), None)
    if start is None:
        return ""
    return next((line for line in lines[start + 1:] if line and not line.startswith(" ")), "")[:160]


def push_delays(issued, arrivals: dict, watchers: int) -> tuple[list[float], int]:
    """Per (ticket, watcher): ms from the issue's send to the first push of its centre after the answer."""
    delays, missed = [], 0
    for code, sent, answered in issued:
        for w in range(watchers):
            times = sorted(arrivals.get(f"w{w}|{code}", []))
            k = bisect_right(times, answered)
            if k < len(times):
                delays.append((times[k] - sent) * 1000)
            else:
                missed += 1
    return sorted(delays), missed


def run(args, tmp: Path, path: Path) -> dict:
    app = engine.build_app("postgresql", str(tmp), path, DATABASE)
    with app.app_context():
        sites, _ = network.prepare(args)
        db.session.remove()
    print("the board without its cache, in process", file=sys.stderr)
    costs = uncached_costs(app)
    with app.app_context():
        db.engine.dispose()
    url = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    deployment, nodes, visitors = network.Deployment(args.processes, tmp, path, url, extra={
        "ONEDOOR_RATELIMIT_STORAGE": RATELIMIT, "ONEDOOR_PUBLIC_RATE_LIMIT": "1200/minute"}), [], None
    try:
        port = deployment.nginx.port
        network.wait_for_quiet(args.max_load, args.load_wait)
        cold_ms, cold_status = first_list(port)
        print(f"first /centres.json: {cold_ms:.0f} ms ({cold_status})", file=sys.stderr)
        plan = [{"namespace": "/board", "query": "", "token": "", "address": network.visitor_address(j),
                 **({"key": f"w{j}"} if j < args.watchers else {})} for j in range(args.board_sockets)]
        nodes, connects = network.connect(port, plan, args.procs, tmp) if plan else ([], {
            "connected": 0, "failed": 0, "connect_s": 0.0})
        print(f"{connects['connected']} board sockets connected in {connects['connect_s']:.1f} s, "
              f"{connects['failed']} failed", file=sys.stderr)
        load_start = os.getloadavg()[0]
        plan_file = tmp / "visitors.json"
        plan_file.write_text(json.dumps(visitor_plan([s.code for s in sites], args)))
        servers = deployment.servers
        watched = {**{f"web {k}": s.pids() for k, s in enumerate(servers, start=1)}, "scheduler": [deployment.scheduler.pid], "nginx": deployment.nginx_pids(),
                   "Node socket clients": [n.pid for n in nodes]}
        cpu_before, own_before, machine_before, t0 = ({k: cpu_seconds(p) for k, p in watched.items()},
                                                      network._own_cpu(), network.machine_cpu(), time.monotonic())
        visitors = subprocess.Popen(["node", str(VISITORS), f"http://127.0.0.1:{port}", str(plan_file)],
                                    stdout=subprocess.PIPE, text=True, cwd=network.ROOT)
        kiosks = Kiosks(sites, port)
        loops = kiosks.run(args.rate, args.seconds)
        got_visitors = json.loads(visitors.stdout.readline())
        visitors_cpu = cpu_seconds([visitors.pid])
        wall = time.monotonic() - t0
        cpu = {k: (cpu_seconds(p) - cpu_before[k]) / wall * 100 for k, p in watched.items()}
        cpu["Node visitors"] = (visitors_cpu or 0) / wall * 100
        cpu["bench (Python clients)"] = (network._own_cpu() - own_before) / wall * 100
        busy, ticks = (after - before for after, before in zip(network.machine_cpu(), machine_before))
        cpu["machine"] = busy / ticks * 100 * os.cpu_count()
        rss = [rss_mb(worker_pid(s)) for s in servers]
        load_end = os.getloadavg()[0]
        time.sleep(args.settle)
        got = network.collect(nodes) if nodes else {"arrivals": {}, "events": {}, "still": 0}
        delays, missed = push_delays(kiosks.issued, got["arrivals"], min(args.watchers, args.board_sockets))
        return {"costs": costs, "cold": (cold_ms, cold_status), **connects, "still": got["still"],
                "load": (load_start, load_end), "visitors": got_visitors, "loops": loops, "cpu": cpu, "rss": rss,
                "delays": delays, "missed": missed, "events": got["events"], "wall": wall,
                "server_errors": [e for s in servers for e in s.errors()],
                "first_traceback": next(filter(None, (first_traceback(s.log_path) for s in servers)), ""),
                "nginx_errors": len(deployment.nginx.errors()),
                "scheduler_errors": len(deployment.scheduler_errors())}
    finally:
        for proc in [*nodes, *([visitors] if visitors else [])]:
            if proc.poll() is None:
                proc.kill()
        deployment.stop()
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
            for log in tmp.glob("*.log"):
                shutil.copy(log, args.logs / log.name)


# ---- the report -------------------------------------------------------------------------------

def ms(values_ms: list[float]) -> str:
    rec = Recorder()
    rec.add([v / 1000 for v in values_ms])
    p = rec.percentiles()
    return " / ".join(f"{p[k]:,.1f}" for k in ("p50", "p90", "p99", "max")) + " ms" if values_ms else "none"


def report(r: dict, args) -> str:
    c, v = r["costs"], r["visitors"]
    lines = ["| Measure | Result |", "|---|---:|"]
    row = lambda measure, value: lines.append(f"| {measure} | {value} |")  # noqa: E731
    row("load average (1 min) at start / end of the loops", f"{r['load'][0]:.2f} / {r['load'][1]:.2f}")
    row("board sockets connected (s) / failed / still connected at the end",
        f"{r['connected']:,} ({r['connect_s']:.0f} s) / {r['failed']} / {r['still']:,}")
    row("first /centres.json, server cache cold (next free booking times included)",
        f"{r['cold'][0]:,.0f} ms ({r['cold'][1]})")
    sent = v["sent"]
    answered = sum(len(k["latencies"]) for k in v["kinds"].values())
    row("visitors' requests: asked / achieved rate (answered 200), sends late > 5 ms",
        f"{args.visitors / 60:.0f}/s / {answered / v['wall']:.1f}/s, {v['late']}/{sent}")
    for kind in KINDS:
        k = v["kinds"].get(kind, {"latencies": [], "errors": {}, "bytes": 0})
        n = len(k["latencies"]) + sum(k["errors"].values())
        row(f"{kind}: requests, p50 / p90 / p99 / max (from due time)",
            f"{n:,}, {ms([x * 1000 for x in k['latencies']])}")
    errors = Counter()
    for kind, k in v["kinds"].items():
        for message, n in k["errors"].items():
            errors[f"{kind} → {message.rsplit(' → ', 1)[-1]}"] += n
    row("visitors' errors", ", ".join(f"{n:,} × {m}" for m, n in errors.most_common()) or "0")
    for name, loop in r["loops"].items():
        lat = " / ".join(f"{loop['lat'][q]:,.1f}" for q in ("p50", "p90", "p99", "max"))
        row(f"{name} (kiosks / clerks): achieved rate, p50 / p90 / p99 / max from schedule",
            f"{loop['rate']:.1f}/s, {lat} ms")
    loop_errors = sum(sum(loop["errors"].values()) for loop in r["loops"].values())
    row("kiosk and clerk errors", f"{loop_errors}")
    row(f"push delay, ticket issued → its centre's figures at a watcher ({min(args.watchers, args.board_sockets)} watchers): "
        "p50 / p90 / p99 / max", ms(r["delays"]))
    row("push deliveries measured / missed", f"{len(r['delays']):,} / {r['missed']:,}")
    row("`centre` events received by all board sockets, per second", f"{r['events'].get('centre', 0) / r['wall']:,.0f}/s")
    cpu = r["cpu"]
    webs = range(1, len(r["rss"]) + 1)
    row("web process CPU over the loops, each (of one core: 100%)", " / ".join(f"{cpu[f'web {k}']:.0f}%" for k in webs))
    row("web process RSS after the loops, each", " / ".join(f"{mb:.0f} MB" for mb in r["rss"]))
    row(f"machine CPU busy over the loops (of {os.cpu_count() * 100}%)", f"{cpu['machine']:.0f}%")
    row("CPU: scheduler / nginx / Node visitors / Node sockets / Python clients",
        " / ".join(f"{cpu[k]:.0f}%" for k in ("scheduler", "nginx", "Node visitors", "Node socket clients",
                                                "bench (Python clients)")))
    row("server logs: tracebacks or 5xx (web) / tracebacks (scheduler); nginx error lines",
        f"{len(r['server_errors'])} / {r['scheduler_errors']}; {r['nginx_errors']}"
        + (f"; first: {r['first_traceback']}" if r["first_traceback"] else ""))
    lines += ["", "Without the cache (in process, same database, before the server starts):", "",
              "| Measure | Result |", "|---|---:|"]
    row("next free booking time, one centre (mean of 10)", f"{c['slot_ms']:,.1f} ms")
    row(f"the whole list, cache cold ({c['centres']} centres, next free booking times included)",
        f"{c['cold_ms']:,.0f} ms")
    row(f"the whole list's figures recomputed, booking times cached (what each {c['cache_s']:g} s of cache saves)",
        f"{c['figures_ms']:,.0f} ms ({c['figure_ms']:.1f} ms a centre)")
    for kind, t in c["warm"].items():
        row(f"{kind}, cache warm (test client, mean of 20)", f"{t:.1f} ms")
    row("/centres.json body", f"{c['json_bytes'] / 1024:,.0f} KiB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="length of the loops (default 120)")
    parser.add_argument("--visitors", type=int, default=20000, help="visitors, one request a minute each (20,000)")
    parser.add_argument("--addresses", type=int, default=1000, help="the visitors' client addresses (1,000)")
    parser.add_argument("--board-sockets", type=int, default=500, help="Socket.IO clients on /board (500)")
    parser.add_argument("--watchers", type=int, default=20, help="of them, those timing the pushes (20)")
    parser.add_argument("--rate", type=float, default=10, help="tickets and calls per second, network-wide (10)")
    parser.add_argument("--backlog", type=int, default=2000, help="tickets waiting when the load starts (2,000)")
    parser.add_argument("--open-counters", type=int, default=4, help="open counters per centre, 1..40 (4)")
    parser.add_argument("--processes", type=int, default=1, help="`queue-app serve` processes behind nginx (1)")
    parser.add_argument("--procs", type=int, default=1, help="Node processes for the board sockets (1)")
    parser.add_argument("--max-load", type=float, default=1.5, help="start the loops below this 1-min load")
    parser.add_argument("--load-wait", type=float, default=600, help="wait at most this long for it (s)")
    parser.add_argument("--settle", type=float, default=10, help="seconds for the last pushes to arrive (10)")
    parser.add_argument("--mix", default=MIX, help=f"per cent of requests for {', '.join(KINDS)} ({MIX})")
    parser.add_argument("--logs", type=Path, help="copy the servers' and the scheduler's logs into this folder")
    parser.add_argument("--quick", action="store_true", help="30 s loops, 100 board sockets, no wait for quiet")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.board_sockets, args.load_wait = 30, 100, 0
    shares = [float(x) for x in args.mix.split(",")]
    if len(shares) != len(KINDS) or sum(shares) <= 0:
        parser.error(f"--mix: {len(KINDS)} shares, comma-separated")
    args.mix = {kind: share / sum(shares) for kind, share in zip(KINDS, shares)}
    args.status_pages, args.displays = args.backlog, 0  # bench/network.py's prepare(): no displays here
    with tempfile.TemporaryDirectory(prefix="onedoor-board-bench-") as tmp:
        path = engine.write_network(tmp, network.CENTRES)
        result = run(args, Path(tmp), path)
    with psycopg.connect(engine.PG + DATABASE) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    mix = ", ".join(f"{share:.0%} {kind}" for kind, share in args.mix.items())
    print(f"Public board benchmark, {datetime.now():%Y-%m-%d %H:%M}: {network.CENTRES} centres, {args.visitors:,} "
          f"visitors a minute ({mix}; centres by Zipf popularity) from {args.addresses:,} addresses, "
          f"{args.board_sockets:,} sockets on /board, {args.rate:g} tickets/s and {args.rate:g} calls/s, "
          f"for {args.seconds:g} s; nginx, {args.processes} `queue-app serve`, one scheduler, PostgreSQL, Redis")
    print(f"Machine: {engine.machine(pg_version)}; clients, server, nginx, Redis and PostgreSQL share it\n")
    print(report(result, args))


if __name__ == "__main__":
    main()
