"""Queue-engine benchmark (SPEC §8): issue and call-next without HTTP, on SQLite and PostgreSQL.

Reproduce from the repository root (PostgreSQL at 127.0.0.1:5432, trust auth for user postgres;
the script creates and resets the database `onedoor_bench`, never `test`):

    .venv/bin/python bench/engine.py                              # both databases, the defaults
    .venv/bin/python bench/engine.py --db sqlite --tickets 300    # a quick look

The network is the test catalogue (4 services) in --centres centres (default 150, SPEC §8's
reference network) of 40 counters each, open 24/7.
Phase 1, issue: --issuers threads, each in its own app context (so its own session), issue tickets
for random services at random centres in a closed loop until --tickets are issued; then every
(centre, prefix) must be numbered 1..n with no gap and no repeat.
Phase 2, call-next, on a fresh database: clerks c1..cN open C001-01..C001-N, a backlog of --backlog
tickets is issued there, then --counters threads loop call_next -> start -> finish until the queue is empty; then
every ticket must have exactly one "call" event. Only call_next is timed per call; the throughput is
tickets called per wall second of the whole loop.
--seconds caps each timed phase (the checks then cover what was done). Progress goes to stderr, the
results to stdout as a Markdown table.
"""
from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import sqlite3
import sys
import tempfile
import tomllib
import threading
from collections import Counter as Tally, defaultdict
from datetime import datetime, timezone
from math import ceil, inf
from pathlib import Path
from time import perf_counter

import flask_migrate
import psycopg
from sqlalchemy import func, select, text
from tqdm import tqdm

from queue_app import MIGRATIONS, create_app
from queue_app.config import read_network_file
from queue_app.domain.hours import ticket_number
from queue_app.extensions import db
from queue_app.models import Centre, Service, Staff, StaffSkill, Ticket, TicketEvent
from queue_app.services import SYSTEM, call_next, finish, issue_ticket, open_counter, start
from queue_app.services import apply_network

CATALOGUE = Path(__file__).resolve().parents[1] / "tests" / "data" / "network.toml"
CENTRE = """
[[centres]]
code = "C{n:03d}"
name = {{ {names} }}
address = {{ {addresses} }}
timezone = "Europe/Moscow"
counters = 40
hours = "24/7"
"""
PG = "host=127.0.0.1 port=5432 user=postgres dbname="
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/onedoor_bench"
SERVICES = ("birth", "passport", "tax", "info")
ISSUE_TARGET, CALL_TARGET = 500, 400  # per second, SPEC §8


STAFF = """
[[staff]]
username = "d{n:03d}"
name = "Clerk on duty {n}"
role = "clerk"
centres = ["C{n:03d}"]
primary = [{services}]
"""


def shipped_policy() -> dict:
    """config.toml's [policy]: the call-next policy the product ships (late lines deferred)."""
    return tomllib.loads((CATALOGUE.parents[2] / "config.toml").read_text())["policy"]


def write_network(tmp: str, centres: int, policy: dict | None = None) -> Path:
    """The test catalogue (4 services) with `centres` centres of 40 counters, open 24/7, and a clerk
    at every centre with every skill: no roster, so on duty everywhere all day (SPEC §10), and every
    service is served today (a ticket nobody would serve is refused: not_served_today). `policy`,
    the network's [policy] instead of the test catalogue's (e.g. shipped_policy())."""
    text = CATALOGUE.read_text()
    if policy is not None:
        start = text.index("[policy]\n")
        end = text.index("\n[", start + 1) + 1
        text = text[:start] + "[policy]\n" + "".join(
            f"{key} = {str(value).lower() if isinstance(value, bool) else value}\n" for key, value in policy.items()
        ) + "\n" + text[end:]
    languages = tomllib.loads(text)["network"]["languages"]  # every text in each of them
    names = lambda word, n: ", ".join(f'{code} = "{word} {n}"' for code in languages)  # noqa: E731
    text = text[: text.index("[[centres]]")] + "".join(
        CENTRE.format(n=n, names=names("Centre", n), addresses=names("Street", n)) for n in range(1, centres + 1))
    services = ", ".join(f'"{s}"' for s in SERVICES)
    text += "".join(STAFF.format(n=n, services=services) for n in range(1, centres + 1))
    path = Path(tmp) / "network.toml"
    path.write_text(text)
    return path


def build_app(kind: str, tmp: str, network: Path, database: str = "onedoor_bench"):
    """A fresh, migrated database holding the bench network; return the app bound to it.
    On PostgreSQL the database `database` is created if missing and emptied."""
    if kind == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(dir=tmp)}/bench.sqlite3"
    else:
        with psycopg.connect(PG + "postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
                conn.execute(f'CREATE DATABASE "{database}"')
        with psycopg.connect(PG + database, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        url = PG_URL.replace("/onedoor_bench", f"/{database}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ONEDOOR_CONFIG": str(network)})
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        apply_network(read_network_file(network))
        db.session.remove()
    return app


class Recorder:
    """Latencies and errors gathered from many threads."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: Tally[str] = Tally()
        self.lock = threading.Lock()

    def error(self, exc: Exception) -> None:
        with self.lock:
            self.errors[f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"] += 1

    def add(self, latencies: list[float]) -> None:
        with self.lock:
            self.latencies.extend(latencies)

    def percentiles(self) -> dict[str, float]:
        """Nearest-rank p50/p90/p99 and max, in milliseconds."""
        s = sorted(self.latencies) or [0.0]
        picks = {f"p{q}": s[max(ceil(q / 100 * len(s)) - 1, 0)] for q in (50, 90, 99)}
        return {k: v * 1000 for k, v in {**picks, "max": s[-1]}.items()}


def run_threads(app, n: int, body, desc: str, total: int) -> float:
    """Run body(i, bar) in n threads, each in its own app context, released together; return wall s."""
    ready = threading.Barrier(n + 1)
    bar = tqdm(total=total, desc=desc, unit="op", file=sys.stderr, leave=False, mininterval=0.5)

    def worker(i: int) -> None:
        with app.app_context():
            db.session.execute(text("SELECT 1"))  # connect before the clock starts
            db.session.rollback()
            ready.wait()
            try:
                body(i, bar)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    ready.wait()
    t0 = perf_counter()
    for t in threads:
        t.join()
    bar.close()
    return perf_counter() - t0


def issue_phase(app, tickets: int, issuers: int, seconds: float, centres: int) -> dict:
    """Phase 1: closed-loop issuers across the network; then check numbers run 1..n per prefix."""
    now, quota, deadline, rec = datetime.now(timezone.utc), itertools.count(), perf_counter() + seconds, Recorder()

    def body(i: int, bar) -> None:
        rng, mine = random.Random(i), []
        while next(quota) < tickets and perf_counter() < deadline:  # next() on a count is atomic
            t0 = perf_counter()
            try:
                issue_ticket(f"C{rng.randint(1, centres):03d}", rng.choice(SERVICES), now=now, by=SYSTEM)
            except Exception as exc:  # counted and reported; the loop goes on
                rec.error(exc)
                continue
            mine.append(perf_counter() - t0)
            bar.update()
        rec.add(mine)

    wall = run_threads(app, issuers, body, "issue", tickets)
    seqs, malformed = defaultdict(list), 0
    with app.app_context():
        for centre, prefix, seq, number in db.session.execute(
            select(Ticket.centre_id, Service.prefix, Ticket.seq, Ticket.number).join(Ticket.service)
        ):
            seqs[(centre, prefix)].append(seq)
            malformed += number != ticket_number(prefix, seq)
        db.session.remove()
    broken = sorted(p for p, s in seqs.items() if sorted(s) != list(range(1, len(s) + 1)))
    stored = sum(map(len, seqs.values()))
    ok = not broken and not malformed and stored == len(rec.latencies)
    check = f"{'ok' if ok else 'FAILED'}: {stored} stored in {len(seqs)} (centre, prefix) sequences"
    if broken:
        check += f", gaps or repeats in {broken}"
    if malformed:
        check += f", {malformed} malformed numbers"
    return {"rate": len(rec.latencies) / wall, "lat": rec.percentiles(), "errors": rec.errors, "check": check}


def add_clerks(n: int) -> None:
    """Clerks c1..cn with every service as a primary skill, each opening counter HQ-ii."""
    centre = db.session.scalar(select(Centre).where(Centre.code == "C001"))
    service_ids = db.session.scalars(select(Service.id).where(Service.code.in_(SERVICES))).all()
    for i in range(1, n + 1):
        staff = Staff(username=f"c{i}", name=f"Clerk {i}", role="clerk", centres=[centre])
        db.session.add(staff)
        db.session.flush()
        db.session.add_all(StaffSkill(staff_id=staff.id, service_id=s, level="primary") for s in service_ids)
    db.session.commit()
    for i in range(1, n + 1):
        open_counter(f"C001-{i:02d}", f"c{i}", by=SYSTEM)


def call_phase(app, tickets: int, counters: int, seconds: float) -> dict:
    """Phase 2: open counters, issue a backlog, then every counter calls, starts and finishes."""
    with app.app_context():
        add_clerks(counters)
        now, rng, t0 = datetime.now(timezone.utc), random.Random(0), perf_counter()
        for _ in tqdm(range(tickets), desc="backlog", unit="ticket", file=sys.stderr, leave=False):
            issue_ticket("C001", rng.choice(SERVICES), now=now, by=SYSTEM)
        backlog_rate = tickets / (perf_counter() - t0)
        db.session.remove()
    deadline, rec = perf_counter() + seconds, Recorder()

    def body(i: int, bar) -> None:
        code, mine, failures = f"C001-{i + 1:02d}", [], 0
        while perf_counter() < deadline and failures < 5:
            t0 = perf_counter()
            try:
                ticket = call_next(code, by=SYSTEM)
            except Exception as exc:  # rolled back and the counter is still free: call again
                rec.error(exc)
                failures += 1
                continue
            mine.append(perf_counter() - t0)
            if ticket is None:
                break
            try:
                start(ticket.id, by=SYSTEM)
                finish(ticket.id, "resolved", by=SYSTEM)
            except Exception as exc:  # the ticket would stay at the counter: this counter stops
                rec.error(exc)
                break
            failures = 0
            bar.update()
        rec.add(mine)

    wall = run_threads(app, counters, body, "call-next", tickets)
    with app.app_context():
        calls = db.session.execute(
            select(TicketEvent.ticket_id, func.count())
            .where(TicketEvent.action == "call")
            .group_by(TicketEvent.ticket_id)
        ).all()
        done = db.session.scalar(select(func.count()).where(Ticket.status == "done"))
        db.session.remove()
    doubles = sum(1 for _, n in calls if n > 1)
    ok = doubles == 0 and done == len(calls) and (len(calls) == tickets or seconds != inf)
    check = f"{'ok' if ok else 'FAILED'}: {doubles} double calls, {len(calls)}/{tickets} called, {done} done"
    return {"rate": len(calls) / wall, "lat": rec.percentiles(), "errors": rec.errors, "check": check,
            "backlog_rate": backlog_rate}


def machine(pg_version: str | None) -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    parts = [f"nproc {os.cpu_count()} ({cpu})", platform.platform(terse=True),
             f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    if pg_version:
        parts.append(f"PostgreSQL {pg_version}")
    return ", ".join(parts)


def table(results: dict[str, dict], args) -> str:
    """The results as a Markdown table: figure, SPEC §8 target, ratio."""
    ms = lambda lat: " / ".join(f"{lat[k]:.1f}" for k in ("p50", "p90", "p99", "max")) + " ms"
    rows = [("Database", "Measure", "Result", "Target (SPEC §8)", "Ratio")]
    for name, r in results.items():
        i, c = r["issue"], r["call"]
        rows += [
            (name, f"issue, {args.issuers} clients, closed loop", f"{i['rate']:.0f} tickets/s",
             f"≥ {ISSUE_TARGET}/s", f"{i['rate'] / ISSUE_TARGET:.2f}"),
            (name, "issue latency p50 / p90 / p99 / max", ms(i["lat"]), "", ""),
            (name, "numbering 1..n per prefix", i["check"], "no gap, no repeat", ""),
            (name, f"call-next, {args.counters} counters (+ start + finish)", f"{c['rate']:.0f} calls/s",
             f"≥ {CALL_TARGET}/s", f"{c['rate'] / CALL_TARGET:.2f}"),
            (name, "call_next latency p50 / p90 / p99 / max", ms(c["lat"]), "", ""),
            (name, "call-next checks", c["check"], "0 double calls", ""),
            (name, f"backlog issue, 1 client, {args.counters} open counters",
             f"{c['backlog_rate']:.0f} tickets/s", "", ""),
        ]
        rows += [(name, f"{phase} errors", f"{n} × {message}", "none", "")
                 for phase in ("issue", "call") for message, n in r[phase]["errors"].items()]
    widths = [max(len(row[k]) for row in rows) for k in range(5)]
    line = lambda row: "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths)) + " |"
    return "\n".join([line(rows[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows[1:])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--tickets", type=int, default=2000, help="tickets issued in phase 1 (default 2000)")
    parser.add_argument("--backlog", type=int, default=700,
                        help="tickets waiting at one centre when phase 2 starts (default 700: a whole day)")
    parser.add_argument("--centres", type=int, default=150, help="centres of the network (default 150)")
    parser.add_argument("--issuers", type=int, default=8, help="closed-loop issuing clients (default 8)")
    parser.add_argument("--counters", type=int, default=40, help="counters calling at once, 1..40 (default 40)")
    parser.add_argument("--seconds", type=float, default=inf, help="cap on each timed phase")
    args = parser.parse_args()
    if not 1 <= args.counters <= 40:
        parser.error("--counters: a bench centre has 40 counters")
    results, pg_version = {}, None
    with tempfile.TemporaryDirectory(prefix="onedoor-bench-") as tmp:
        network = write_network(tmp, args.centres)
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
            print(f"== {name}", file=sys.stderr)
            phases = {}
            phase_runs = (
                ("issue", lambda app: issue_phase(app, args.tickets, args.issuers, args.seconds, args.centres)),
                ("call", lambda app: call_phase(app, args.backlog, args.counters, args.seconds)),
            )
            for phase, run in phase_runs:
                app = build_app(kind, tmp, network)  # each phase starts from an empty database
                with app.app_context():
                    if kind == "postgresql":
                        pg_version = db.session.scalar(text("SHOW server_version"))
                    db.session.remove()
                phases[phase] = run(app)
                with app.app_context():
                    db.engine.dispose()
            results[name] = phases
    print(f"Engine benchmark, {datetime.now():%Y-%m-%d %H:%M}: {args.centres} centres; issue {args.tickets} "
          f"tickets network-wide with {args.issuers} issuers; call a backlog of {args.backlog} at one centre "
          f"with {args.counters} counters"
          + (f", each phase capped at {args.seconds:g} s" if args.seconds != inf else ""))
    print(f"Machine: {machine(pg_version)}\n")
    print(table(results, args))
    print("\nLatencies are closed-loop; SPEC §8's p99 ≤ 30 ms is for an open loop at 100/s (not measured here).")


if __name__ == "__main__":
    main()
