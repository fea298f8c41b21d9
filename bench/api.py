"""HTTP API benchmark (SPEC §5, §8): issue-ticket, call-next and a mixed load through a real `queue-app serve`.

Reproduce from the repository root (PostgreSQL at 127.0.0.1:5432, trust auth for user postgres;
the script creates and resets the database `onedoor_bench`, never `test`):

    .venv/bin/python bench/api.py                                   # both databases, the defaults
    .venv/bin/python bench/api.py --db sqlite --tickets 300 --backlog 100 --seconds-open 3   # a quick look
    .venv/bin/python bench/api.py --mixed-rate 0                    # phases 1-4 only (no mixed phase)
    .venv/bin/python bench/api.py --db sqlite --no-engine --mixed-rate 200   # phase 5 at 200 requests/s (1-4 as usual)

For each database the script first runs bench/engine.py's phases in-process (same network, same
sizes, fresh database each) for the HTTP ÷ engine ratios, then builds a fresh database with
`python -m queue_app init`, creates one kiosk per issuing centre (`create-device`, printer dummy://)
and 40 clerks with every skill at C001 (`create-user`), starts `python -m queue_app serve` on a free
port as a subprocess (stopped in any case, Ctrl-C included) and drives it over keep-alive HTTP/1.1
(one http.client connection per client thread). The network is bench/engine.py's: the test catalogue
(4 services) in 150 centres of 40 counters, open 24/7. Clerks sign in with POST /api/v1/auth/token
and open counters C001-01..C001-40.

1. issue, closed loop: 8 clients issue --tickets tickets at random services and random centres among
   C002..C(--centres + 1), each with that centre's kiosk token.
2. issue, open loop: --rate tickets/s for --seconds-open s on a fixed schedule, sent by a pool of
   threads; latency runs from the scheduled send time, so a server that falls behind shows it
   (no coordinated omission). SPEC §8: p99 ≤ 30 ms at 100/s.
   Afterwards the numbers returned by phases 1-2 must run 1..n per (centre, prefix).
3. call-next, closed loop: --backlog tickets are issued at C001, then 40 clients (one per counter)
   loop call-next -> start -> finish (outcome resolved) until call-next answers 204; only call-next
   is timed; the rate is whole cycles per wall second. Every called id is collected: no id twice,
   every backlog ticket called.
4. call-next, open loop: a fresh backlog (enough for the phase) at C001, then call-next at --rate/s
   for --seconds-open s on a fixed schedule; a free counter takes the next slot and, after the call,
   starts and finishes the ticket (untimed, but the counter is busy meanwhile).
5. mixed, open loop: a backlog at C001 of --mixed-rate × 0.2 × --seconds-open ÷ 3 + 40 tickets, then
   --mixed-rate requests/s for --seconds-open s on a fixed schedule (24 sender threads), every slot
   ONE request, timed from its scheduled time like phases 2 and 4; the kind is drawn per slot:
   40 % issue at C001 (kiosk token; numbers checked with the rest), 40 % a public status read
   GET /api/v1/tickets/{token} of a ticket issued at C001 in this phase or its backlog, 20 % the next
   step of one of the 40 counters that is not mid-request (free -> call-next -> called -> start ->
   started -> finish -> free; a 204 "nothing waits" is an answer, counted; with no idle counter the
   slot sends nothing and is counted). Every called id is collected: no id twice. SPEC §8: p99 ≤ 100 ms
   at 100 requests/s. --mixed-rate 0 skips it.
With --printers tcp each kiosk of C002.. prints to a TCP printer of its own on 127.0.0.1 that answers status
requests like a real one (tests/printer_standin.py), so the server's print worker confirms every
ticket while the API is under load; the report counts the tickets that came out whole. --root DIR
serves another checkout (e.g. a `git worktree` of an older commit) with the same bench, for before
and after figures.
Progress goes to stderr, the results to stdout as a Markdown table.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from math import ceil, inf
from pathlib import Path
from time import perf_counter

import psycopg
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engine  # noqa: E402  (bench/engine.py: network, Recorder, engine-only phases)
from engine import ISSUE_TARGET, CALL_TARGET, SERVICES, Recorder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]  # the checkout served; --root changes it
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))
from tests.printer_standin import PrinterStandIn  # noqa: E402
NETWORK_CENTRES = 150  # SPEC §8's reference network, as in bench/engine.py
COUNTERS = 40
ISSUERS = 8
LATENCY_TARGET_MS = 30.0  # SPEC §8: p99 at an open-loop 100/s
MIXED_TARGET_MS = 100.0  # SPEC §8: p99 of the mixed load (issue + call-next + status reads) at an open-loop 100/s
MIXED_WORKERS = 24  # sender threads of the mixed phase, each with its own connection
PG_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/onedoor_bench"
PASSWORD = "bench-password-1"
NUMBER = re.compile(r"^([A-Z]+)(\d+)$")
NO_SCHEDULER = False  # --no-scheduler
PRINT_APART = False  # --print-apart
TICKET_NUMBER = rb"[A-Z]+\d{3,}"  # as the printers receive it


# ---- the server ----------------------------------------------------------------------------

def reset_postgres() -> str:
    """Create onedoor_bench if missing and empty its schema; return the server version."""
    with psycopg.connect(engine.PG + "postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'onedoor_bench'").fetchone():
            conn.execute("CREATE DATABASE onedoor_bench")
    with psycopg.connect(engine.PG + "onedoor_bench", autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        return conn.execute("SHOW server_version").fetchone()[0]


def server_env(kind: str, instance: str, network: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEDOOR_")}
    env.update(ONEDOOR_INSTANCE=instance, ONEDOOR_CONFIG=str(network),
               ONEDOOR_LOGIN_RATE_LIMIT="100000/minute", ONEDOOR_PUBLIC_RATE_LIMIT="100000/minute")
    if NO_SCHEDULER:  # scheduled jobs land in one phase or another at random: off, to compare code
        env["ONEDOOR_SCHEDULER"] = "0"
    if PRINT_APART:  # the server prints nothing; a `queue-app print-worker` beside it does
        env["ONEDOOR_PRINT_WORKER"] = "0"
    if kind == "postgresql":
        env["ONEDOOR_DATABASE_URL"] = PG_SERVER_URL
    return env


def cli(env: dict[str, str], *args: str) -> str:
    """Run `python -m queue_app ARGS`; return its stdout, or fail with its stderr."""
    done = subprocess.run([PYTHON, "-m", "queue_app", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"queue_app {' '.join(args[:1])} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def prepare(env: dict[str, str], issue_centres: list[str], printers: dict[str, str]) -> dict[str, str]:
    """init, then a kiosk per centre used (printing to printers[centre], else dummy://) and 40 clerks
    at C001; return {centre: kiosk token}."""
    print("init", file=sys.stderr)
    cli(env, "init")
    centres = ["C001", *issue_centres]
    jobs = [("kiosk", c) for c in centres] + [("clerk", f"c{i}") for i in range(1, COUNTERS + 1)]

    def run(job):  # password hashing makes create-user the slow one; a pool per core
        kind, name = job
        if kind == "kiosk":
            printer = printers.get(name, "dummy://")
            return name, cli(env, "create-device", "--kind", "kiosk", "--centre", name,
                             *(("--printer", printer) if printer else ())).strip().splitlines()[-1]
        cli(env, "create-user", "--role", "clerk", "--centre", "C001", "--username", name,
            "--skills", "all", "--password", PASSWORD)
        return name, None

    kiosks = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool, \
            tqdm(total=len(jobs), desc="kiosks and clerks", unit="account", file=sys.stderr, leave=False) as bar:
        for name, token in pool.map(run, jobs):
            if token is not None:
                kiosks[name] = token
            bar.update()
    return kiosks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pids: list[int]) -> float | None:
    """CPU seconds these processes have used so far (all threads; Linux /proc); None if one is gone."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return total


class Server:
    """`python -m queue_app serve` (or another command of it) as a subprocess; its output goes to a log file."""

    def __init__(self, env: dict[str, str], log: Path, dev: bool = False, command: tuple[str, ...] = ()) -> None:
        self.port, self.log_path = free_port(), log
        self.log = open(log, "wb")
        args = command or ("serve", "--port", str(self.port), *(["--dev"] if dev else []))
        self.proc = subprocess.Popen([PYTHON, "-m", "queue_app", *args],
                                     env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = perf_counter() + timeout
        while perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz in {timeout:g} s:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def errors(self) -> list[str]:
        """Tracebacks and 5xx lines the server logged."""
        self.log.flush()
        return [ln for ln in self.log_path.read_text(errors="replace").splitlines()
                if "Traceback" in ln or re.search(r'" 5\d\d ', ln)]

    def exceptions(self) -> dict[str, int]:
        """What each logged traceback ended in (its last line, the exception), with how often."""
        self.log.flush()
        found: dict[str, int] = {}
        lines = self.log_path.read_text(errors="replace").splitlines()
        for i, line in enumerate(lines):
            if "Traceback" not in line:
                continue
            end = next((ln for ln in lines[i + 1:] if ln and not ln[0].isspace()), "(log ended)")
            found[end] = found.get(end, 0) + 1
        return found

    def pids(self) -> list[int]:
        """The server's processes: gunicorn's master and its worker (or Werkzeug's one process)."""
        pid = self.proc.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *map(int, children)]

    def cpu(self) -> float | None:
        """CPU seconds the server's processes have used so far (all threads; Linux /proc)."""
        return cpu_seconds(self.pids())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---- the clients ---------------------------------------------------------------------------

class Sent:
    """Requests sent by every client, for the server's CPU time per request."""

    def __init__(self) -> None:
        self.n, self.lock = 0, threading.Lock()

    def add(self) -> None:
        with self.lock:
            self.n += 1


SENT = Sent()


class Client:
    """One keep-alive HTTP/1.1 connection, used by one thread."""

    def __init__(self, port: int, token: str | None = None, source: str | None = None) -> None:
        """`source`: the loopback address to send from (a proxy may balance by client address)."""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                               source_address=(source, 0) if source else None)
        self.token = token

    def post(self, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, bytes]:
        return self.request("POST", path, body, token)

    def get(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        """GET; with no token (neither this client's nor `token`) no Authorization header: a public read."""
        return self.request("GET", path, None, token)

    def request(self, method: str, path: str, body: dict | None = None,
                token: str | None = None) -> tuple[int, bytes]:
        token = token or self.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        SENT.add()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # the next request reconnects
            raise

    def close(self) -> None:
        self.conn.close()


def refusal(rec: Recorder, what: str, status: int, raw: bytes) -> None:
    """Count an unexpected answer by endpoint, status and body."""
    with rec.lock:
        rec.errors[f"{what} → {status} {raw.decode(errors='replace').strip()[:120]}"] += 1


def failure(rec: Recorder, what: str, exc: Exception) -> None:
    with rec.lock:
        rec.errors[f"{what} → {type(exc).__name__}: {str(exc).splitlines()[0][:80] if str(exc) else ''}"] += 1


def run_clients(n: int, body, desc: str, total: int) -> float:
    """Run body(i, bar) in n threads released together; return the wall seconds."""
    ready = threading.Barrier(n + 1)
    bar = tqdm(total=total, desc=desc, unit="op", file=sys.stderr, leave=False, mininterval=0.5)

    def worker(i: int) -> None:
        ready.wait()
        body(i, bar)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    ready.wait()
    t0 = perf_counter()
    for t in threads:
        t.join()
    bar.close()
    return perf_counter() - t0


class Issued:
    """Every ticket the kiosks got back: (centre, number) for the numbering check, ids per phase,
    tokens in the order answered (the mixed phase reads the status of its own slice of them)."""

    def __init__(self) -> None:
        self.numbers: list[tuple[str, str]] = []
        self.tokens: list[str] = []
        self.lock = threading.Lock()

    def add(self, centre: str, raw: bytes) -> int:
        ticket = json.loads(raw)
        with self.lock:
            self.numbers.append((centre, ticket["number"]))
            self.tokens.append(ticket["token"])
        return ticket["id"]

    def count(self, exclude: str) -> int:
        return sum(centre != exclude for centre, _ in self.numbers)

    def check(self) -> str:
        seqs, malformed = defaultdict(list), 0
        for centre, number in self.numbers:
            m = NUMBER.match(number)
            if not m:
                malformed += 1
                continue
            seqs[(centre, m[1])].append(int(m[2]))
        broken = sorted(k for k, s in seqs.items() if sorted(s) != list(range(1, len(s) + 1)))
        text = (f"{'ok' if not broken and not malformed else 'FAILED'}: {len(self.numbers)} numbers "
                f"in {len(seqs)} (centre, prefix) sequences")
        if broken:
            text += f", gaps or repeats in {broken[:5]}{'…' if len(broken) > 5 else ''}"
        if malformed:
            text += f", {malformed} malformed numbers"
        return text


def issue_one(client: Client, kiosks: dict[str, str], centre: str, service: str, issued: Issued,
              rec: Recorder) -> int | None:
    """POST one ticket with the kiosk token of `centre`; its id, or None (the refusal counted)."""
    status, raw = client.post(f"/api/v1/centres/{centre}/tickets", {"service": service}, kiosks[centre])
    if status != 201:
        refusal(rec, "issue", status, raw)
        return None
    return issued.add(centre, raw)


def issue_closed(port: int, kiosks: dict[str, str], centres: list[str], tickets: int, clients: int,
                 issued: Issued, desc: str) -> dict:
    """Closed loop: `clients` threads issue `tickets` tickets at random services of `centres`."""
    quota, rec, ids, ends = itertools.count(), Recorder(), [], []

    def body(i: int, bar) -> None:
        rng, mine, mine_ids, mine_ends = random.Random(i), [], [], []
        client = Client(port)  # one keep-alive connection; the kiosk token goes per request
        try:
            while next(quota) < tickets:
                centre = rng.choice(centres)
                t0 = perf_counter()
                try:
                    ticket_id = issue_one(client, kiosks, centre, rng.choice(SERVICES), issued, rec)
                except Exception as exc:
                    failure(rec, "issue", exc)
                    continue
                if ticket_id is not None:
                    mine_ends.append(perf_counter())
                    mine.append(mine_ends[-1] - t0)
                    mine_ids.append(ticket_id)
                bar.update()
        finally:
            client.close()
        rec.add(mine)
        with rec.lock:
            ids.extend(mine_ids)
            ends.extend(mine_ends)

    began = perf_counter()
    wall = run_clients(clients, body, desc, tickets)
    return {"rate": len(rec.latencies) / wall, "lat": rec.percentiles(), "errors": rec.errors, "ids": ids,
            "ends": ends_rates(began, sorted(ends))}


def ends_rates(began: float, ends: list[float], n: int = 200) -> tuple[float, float] | None:
    """The rate over the first `n` tickets answered and over the last `n` (the queue at its longest),
    per second; None for fewer than 2n."""
    if len(ends) < 2 * n:
        return None
    return n / (ends[n - 1] - began), n / (ends[-1] - ends[-n - 1])


def open_loop(slots: int, rate: float, workers: int, send, desc: str, setup=None, teardown=None) -> dict:
    """Slot k is due at t0 + k / rate; a free worker takes the next slot, waits for its time and
    calls send(i, state, rec) -> bool (True: a success, to time) or the kind of request that succeeded
    (a str: timed, and timed apart by kind as well). Latency = end - scheduled time."""
    rec, counter, lags, by_kind = Recorder(), itertools.count(), [], defaultdict(Recorder)
    bar = tqdm(total=slots, desc=desc, unit="op", file=sys.stderr, leave=False, mininterval=0.5)
    ready, go = threading.Barrier(workers + 1), threading.Event()
    start: list[float] = []
    ends: list[float] = []

    def worker(i: int) -> None:
        state = setup(i) if setup else None
        mine, my_lags, mine_by_kind, last = [], [], defaultdict(list), 0.0
        try:
            ready.wait()
            go.wait()
            t0 = start[0]
            while (k := next(counter)) < slots:
                due = t0 + k / rate
                delay = due - perf_counter()
                if delay > 0:
                    time.sleep(delay)
                my_lags.append(perf_counter() - due)
                if ok := send(i, state, rec):
                    last = perf_counter()
                    mine.append(last - due)
                    if isinstance(ok, str):
                        mine_by_kind[ok].append(last - due)
                bar.update()
        finally:
            if teardown:
                teardown(i, state)
        rec.add(mine)
        with rec.lock:
            lags.extend(my_lags)
            ends.append(last)
            for kind, latencies in mine_by_kind.items():
                by_kind[kind].add(latencies)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(workers)]
    for t in threads:
        t.start()
    ready.wait()
    start.append(perf_counter() + 0.05)  # a little head room for every worker to wake up
    go.set()
    for t in threads:
        t.join()
    bar.close()
    wall = max(ends) - start[0] if ends else inf
    return {"rate": len(rec.latencies) / wall, "lat": rec.percentiles(), "errors": rec.errors,
            "late": sum(lag > 0.005 for lag in lags), "slots": slots,
            "kinds": {kind: r.percentiles() for kind, r in by_kind.items()}}


def issue_open(port, kiosks, centres, rate, seconds, issued: Issued) -> dict:
    """Open loop at `rate` tickets/s over the issuing centres; 16 sender threads."""
    rng, rng_lock = random.Random(1), threading.Lock()

    def send(i, client, rec) -> bool:
        with rng_lock:
            centre, service = rng.choice(centres), rng.choice(SERVICES)
        try:
            return issue_one(client, kiosks, centre, service, issued, rec) is not None
        except Exception as exc:
            failure(rec, "issue", exc)
            return False

    return open_loop(int(rate * seconds), rate, 16, send, f"issue {rate:g}/s",
                     lambda i: Client(port), lambda i, client: client.close())


def sign_in(port: int) -> list[str]:
    """Tokens of clerks c1..c40, each having opened counter C001-NN."""
    tokens = []
    for i in tqdm(range(1, COUNTERS + 1), desc="sign in, open counters", file=sys.stderr, leave=False):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/api/v1/auth/token", json.dumps({"username": f"c{i}", "password": PASSWORD}),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        if response.status != 201:
            raise RuntimeError(f"POST /api/v1/auth/token for c{i}: {response.status} {raw[:200]!r}")
        token = json.loads(raw)["token"]
        client = Client(port, token)
        status, raw = client.post(f"/api/v1/counters/C001-{i:02d}/open", {})
        client.close()
        if status != 200:
            raise RuntimeError(f"POST /api/v1/counters/C001-{i:02d}/open: {status} {raw[:200]!r}")
        tokens.append(token)
    return tokens


def call_cycle(client: Client, counter: str, rec: Recorder, called: list[int]) -> tuple[str, float]:
    """call-next, then start and finish the ticket; return ('called'|'empty'|'failed', call latency)."""
    t0 = perf_counter()
    try:
        status, raw = client.post(f"/api/v1/counters/{counter}/call-next")
    except Exception as exc:
        failure(rec, "call-next", exc)
        return "failed", 0.0
    latency = perf_counter() - t0
    if status == 204:
        return "empty", latency
    if status != 200:
        refusal(rec, "call-next", status, raw)
        return "failed", latency
    ticket_id = json.loads(raw)["id"]
    called.append(ticket_id)
    for verb, body in (("start", None), ("finish", {"outcome": "resolved"})):
        try:
            status, raw = client.post(f"/api/v1/tickets/{ticket_id}/{verb}", body)
        except Exception as exc:
            failure(rec, verb, exc)
            return "stuck", latency
        if status != 200:
            refusal(rec, verb, status, raw)
            return "stuck", latency  # the ticket stays at the counter: this counter cannot call again
    return "called", latency


def call_closed(port: int, tokens: list[str], backlog: list[int]) -> dict:
    """40 counters loop call-next -> start -> finish until call-next answers 204."""
    rec, called = Recorder(), []

    def body(i: int, bar) -> None:
        client, counter, mine, mine_called, failures = Client(port, tokens[i]), f"C001-{i + 1:02d}", [], [], 0
        try:
            while failures < 5:
                outcome, latency = call_cycle(client, counter, rec, mine_called)
                if outcome == "failed":
                    failures += 1
                    continue
                mine.append(latency)
                if outcome == "empty":
                    break
                if outcome == "stuck":
                    break
                failures = 0
                bar.update()
        finally:
            client.close()
        rec.add(mine)
        with rec.lock:
            called.extend(mine_called)

    wall = run_clients(COUNTERS, body, "call-next", len(backlog))
    ids = set(called)
    doubles = len(called) - len(ids)
    missing = len(set(backlog) - ids)
    extra = len(ids - set(backlog))
    ok = doubles == 0 and missing == 0 and extra == 0
    check = f"{'ok' if ok else 'FAILED'}: {doubles} double calls, {len(set(backlog) & ids)}/{len(backlog)} called"
    if missing:
        check += f", {missing} left waiting after every counter got 204 or gave up"
    if extra:
        check += f", {extra} called that were not in the backlog"
    return {"rate": len(called) / wall, "lat": rec.percentiles(), "errors": rec.errors, "check": check}


def call_open(port: int, tokens: list[str], rate: float, seconds: float) -> dict:
    """call-next at `rate`/s on a schedule; each of the 40 counters takes a slot when it is free."""
    called = []

    def setup(i):
        return Client(port, tokens[i])

    def send(i, client, rec) -> bool:
        outcome, _ = call_cycle(client, f"C001-{i + 1:02d}", rec, called)  # list.append is atomic
        if outcome == "empty":
            with rec.lock:
                rec.errors["call-next → 204 although the backlog was meant to last"] += 1
        return outcome in ("called", "stuck")

    result = open_loop(int(rate * seconds), rate, COUNTERS, send, f"call-next {rate:g}/s", setup,
                       lambda i, client: client.close())
    doubles = len(called) - len(set(called))
    result["check"] = f"{'ok' if doubles == 0 else 'FAILED'}: {doubles} double calls in {len(called)} calls"
    return result


def mixed_open(port: int, kiosks: dict[str, str], tokens: list[str], rate: float, seconds: float,
               issued: Issued, first: int) -> dict:
    """Open loop at `rate` requests/s, one request a slot: 40 % issue at C001, 40 % a status read of a
    ticket among issued.tokens[first:] (the backlog's, then this phase's), 20 % the next step at one of
    the 40 counters C001-NN that is not mid-request (free -> call-next -> start -> finish -> free)."""
    rng, rng_lock = random.Random(5), threading.Lock()
    idle = deque((f"C001-{n:02d}", token) for n, token in enumerate(tokens, 1))  # counters not mid-request
    holding: dict[str, tuple[str, int] | None] = {counter: None for counter, _ in idle}  # (next verb, id)
    called, tally = [], defaultdict(int)

    def count(rec: Recorder, what: str) -> None:
        with rec.lock:
            tally[what] += 1

    def issue(client: Client, rec: Recorder) -> str | bool:
        with rng_lock:
            service = rng.choice(SERVICES)
        try:
            return "issue" if issue_one(client, kiosks, "C001", service, issued, rec) is not None else False
        except Exception as exc:
            failure(rec, "issue", exc)
            return False

    def status(client: Client, rec: Recorder) -> str | bool:
        with rng_lock:
            known = len(issued.tokens)  # only grows: every index below it stays valid
            token = issued.tokens[rng.randrange(first, known)] if known > first else None
        if token is None:
            count(rec, "status slots with no ticket to read")
            return False
        try:
            code, raw = client.get(f"/api/v1/tickets/{token}")
        except Exception as exc:
            failure(rec, "status", exc)
            return False
        if code != 200:
            refusal(rec, "status", code, raw)
            return False
        return "status"

    def step(client: Client, rec: Recorder) -> str | bool:
        try:
            counter, clerk = idle.popleft()
        except IndexError:
            count(rec, "no idle counter")
            return False
        verb, ticket_id = holding[counter] or ("call-next", None)
        back = True  # whether the counter goes back to the idle pool; a failed start or finish keeps it out
        try:
            if verb == "call-next":  # a failure leaves the counter free: it calls again at its next step
                code, raw = client.post(f"/api/v1/counters/{counter}/call-next", token=clerk)
                if code == 204:
                    count(rec, "204")
                    return "call-next"
                if code != 200:
                    refusal(rec, verb, code, raw)
                    return False
                ticket_id = json.loads(raw)["id"]
                called.append(ticket_id)  # list.append is atomic
                holding[counter] = ("start", ticket_id)
                return "call-next"
            back = False  # the ticket stays at the counter unless the step succeeds: as in call_cycle
            code, raw = client.post(f"/api/v1/tickets/{ticket_id}/{verb}",
                                    {"outcome": "resolved"} if verb == "finish" else None, token=clerk)
            if code != 200:
                refusal(rec, verb, code, raw)
                return False
            back = True
            holding[counter] = ("finish", ticket_id) if verb == "start" else None
            return "start+finish"
        except Exception as exc:
            failure(rec, verb, exc)
            return False
        finally:
            if back:
                idle.append((counter, clerk))
            else:
                count(rec, "stuck")

    def send(i, client, rec) -> str | bool:
        with rng_lock:
            draw = rng.random()
        return issue(client, rec) if draw < 0.4 else status(client, rec) if draw < 0.8 else step(client, rec)

    result = open_loop(int(rate * seconds), rate, MIXED_WORKERS, send, f"mixed {rate:g}/s",
                       lambda i: Client(port), lambda i, client: client.close())
    doubles = len(called) - len(set(called))
    result["check"] = (f"{'ok' if doubles == 0 else 'FAILED'}: {doubles} double calls in {len(called)} calls, "
                       f"{tally['204']} × 204 (none waiting), {tally['no idle counter']} slots with no idle counter")
    if tally["stuck"]:
        result["check"] += f", {tally['stuck']} counters stuck after a failed start or finish"
    if tally["status slots with no ticket to read"]:
        result["check"] += f", {tally['status slots with no ticket to read']} status slots with no ticket to read"
    return result


def costed(server: Server, phase, printer: Server | None = None) -> dict:
    """Run phase() and add the server's CPU milliseconds per request it answered meanwhile (and the
    print worker's, when it runs apart)."""
    cpu, sent = server.cpu(), SENT.n
    printing = printer.cpu() if printer else None
    result = phase()
    after = server.cpu()
    requests = SENT.n - sent
    per = lambda a, b: (b - a) * 1000 / requests if a is not None and b is not None and requests else None  # noqa: E731
    result["cpu_ms"] = per(cpu, after)
    result["print_cpu_ms"] = per(printing, printer.cpu()) if printer else None
    return result


def http_phases(server: Server, kiosks: dict[str, str], issue_centres: list[str], args,
                printer: Server | None = None) -> dict:
    port, issued = server.port, Issued()
    out = {"issue": costed(server, lambda: issue_closed(port, kiosks, issue_centres, args.tickets, ISSUERS,
                                                        issued, "issue"), printer)}
    out["issue_open"] = costed(server, lambda: issue_open(port, kiosks, issue_centres, args.rate,
                                                          args.seconds_open, issued), printer)
    out["numbering"] = issued.check()
    tokens = sign_in(port)
    t0 = perf_counter()
    backlog = issue_closed(port, kiosks, ["C001"], args.backlog, ISSUERS, issued, "backlog")
    out["backlog_rate"] = args.backlog / (perf_counter() - t0)
    out["call"] = costed(server, lambda: call_closed(port, tokens, backlog["ids"]))
    out["call"]["errors"].update({f"backlog {k}": v for k, v in backlog["errors"].items()})
    fresh = ceil(args.rate * args.seconds_open * 1.1) + COUNTERS
    backlog = issue_closed(port, kiosks, ["C001"], fresh, ISSUERS, issued, "fresh backlog")
    out["call_open"] = costed(server, lambda: call_open(port, tokens, args.rate, args.seconds_open))
    out["call_open"]["errors"].update({f"backlog {k}": v for k, v in backlog["errors"].items()})
    if args.mixed_rate > 0:
        first = len(issued.tokens)  # the status reads start with the backlog's tickets
        mixed = ceil(args.mixed_rate * 0.2 * args.seconds_open / 3) + COUNTERS  # a cycle is 3 counter steps
        backlog = issue_closed(port, kiosks, ["C001"], mixed, ISSUERS, issued, "mixed backlog")
        out["mixed"] = costed(server, lambda: mixed_open(port, kiosks, tokens, args.mixed_rate, args.seconds_open,
                                                         issued, first))
        out["mixed"]["errors"].update({f"backlog {k}": v for k, v in backlog["errors"].items()})
    out["numbering"] = issued.check()  # now over every ticket issued through the API
    out["kiosk_tickets"] = issued.count(exclude="C001")
    return out


def printed_whole(standins: dict[str, PrinterStandIn], issued: int, wait: float = 120) -> str:
    """How many tickets the printers received whole (number + cut), after the worker's backlog."""
    deadline = perf_counter() + wait
    with tqdm(total=issued, desc="printed whole", unit="ticket", file=sys.stderr, leave=False) as bar:
        while True:
            numbers = [n for s in standins.values() for n in s.tickets(TICKET_NUMBER)]
            bar.update(len(numbers) - bar.n)
            if len(numbers) >= issued or perf_counter() > deadline:
                break
            time.sleep(0.5)
    per_printer = [s.tickets(TICKET_NUMBER) for s in standins.values()]
    twice = sum(len(t) - len(set(t)) for t in per_printer)
    return f"{len(numbers)} of {issued} ({twice} twice), {perf_counter() - deadline + wait:.0f} s after the last phase"


def engine_phases(kind: str, tmp: str, network: Path, args) -> dict:
    """bench/engine.py's phases in this process, on fresh databases, with the same sizes."""
    out = {}
    runs = (("issue", lambda app: engine.issue_phase(app, args.tickets, ISSUERS, inf, args.centres)),
            ("call", lambda app: engine.call_phase(app, args.backlog, COUNTERS, inf)))
    for phase, run in runs:
        app = engine.build_app(kind, tmp, network)
        out[phase] = run(app)
        with app.app_context():
            engine.db.engine.dispose()
    return out


# ---- the report ----------------------------------------------------------------------------

def ms(lat: dict) -> str:
    return " / ".join(f"{lat[k]:.1f}" for k in ("p50", "p90", "p99", "max")) + " ms"


def table(results: dict[str, dict], args) -> str:
    rows = [("Database", "Measure", "HTTP", "Target (SPEC §8)", "Ratio", "Engine only", "HTTP ÷ engine")]
    for name, r in results.items():
        h, e = r["http"], r.get("engine")
        i, io, c, co = h["issue"], h["issue_open"], h["call"], h["call_open"]
        eng = lambda phase, key: (e[phase][key] if e else None)  # noqa: E731
        ratio = lambda a, b: f"{a / b:.2f}" if b else ""  # noqa: E731
        ei, ec = eng("issue", "rate"), eng("call", "rate")
        eil, ecl = eng("issue", "lat"), eng("call", "lat")
        rows += [
            (name, f"issue, {ISSUERS} clients, closed loop", f"{i['rate']:.0f} tickets/s", f"≥ {ISSUE_TARGET}/s",
             ratio(i["rate"], ISSUE_TARGET), f"{ei:.0f} tickets/s" if ei else "", ratio(i["rate"], ei)),
            (name, "issue latency p50 / p90 / p99 / max", ms(i["lat"]), "", "", ms(eil) if eil else "",
             f"p50 × {i['lat']['p50'] / eil['p50']:.1f}" if eil and eil["p50"] else ""),
            (name, "issue, closed loop: rate over the first / last 200 tickets",
             "{:.0f} / {:.0f} tickets/s".format(*i["ends"]) if i["ends"] else "fewer than 400", "", "", "", ""),
            (name, f"issue, open loop {args.rate:g}/s for {args.seconds_open:g} s: p50 / p90 / p99 / max",
             ms(io["lat"]), f"p99 ≤ {LATENCY_TARGET_MS:g} ms", ratio(LATENCY_TARGET_MS, io["lat"]["p99"]), "", ""),
            (name, "issue, open loop: achieved rate, sends late > 5 ms",
             f"{io['rate']:.0f}/s, {io['late']}/{io['slots']} late", f"{args.rate:g}/s", "", "", ""),
            (name, "numbering 1..n per (centre, prefix), all API tickets", h["numbering"], "no gap, no repeat",
             "", "", ""),
            (name, f"call-next, {COUNTERS} counters, closed loop (+ start + finish)", f"{c['rate']:.0f} calls/s",
             f"≥ {CALL_TARGET}/s", ratio(c["rate"], CALL_TARGET), f"{ec:.0f} calls/s" if ec else "",
             ratio(c["rate"], ec)),
            (name, "call-next latency p50 / p90 / p99 / max", ms(c["lat"]), "", "", ms(ecl) if ecl else "",
             f"p50 × {c['lat']['p50'] / ecl['p50']:.1f}" if ecl and ecl["p50"] else ""),
            (name, "call-next checks", c["check"], "0 double calls", "", e["call"]["check"] if e else "", ""),
            (name, f"call-next, open loop {args.rate:g}/s for {args.seconds_open:g} s: p50 / p90 / p99 / max",
             ms(co["lat"]), f"p99 ≤ {LATENCY_TARGET_MS:g} ms", ratio(LATENCY_TARGET_MS, co["lat"]["p99"]), "", ""),
            (name, "call-next, open loop: achieved rate, sends late > 5 ms, checks",
             f"{co['rate']:.0f}/s, {co['late']}/{co['slots']} late; {co['check']}", f"{args.rate:g}/s", "", "", ""),
            (name, f"backlog issue at C001, {ISSUERS} clients, closed loop", f"{h['backlog_rate']:.0f} tickets/s",
             "", "", "", ""),
        ]
        if m := h.get("mixed"):
            rows += [
                (name, f"mixed, open loop {args.mixed_rate:g}/s for {args.seconds_open:g} s (40% issue, 40% status, "
                       "20% counter steps): p50 / p90 / p99 / max", ms(m["lat"]), f"p99 ≤ {MIXED_TARGET_MS:g} ms",
                 ratio(MIXED_TARGET_MS, m["lat"]["p99"]), "", ""),
                (name, "mixed, open loop: p99 issue / status / call-next / start+finish", " / ".join(
                    f"{m['kinds'][k]['p99']:.1f}" if k in m["kinds"] else "–"
                    for k in ("issue", "status", "call-next", "start+finish")) + " ms", "", "", "", ""),
                (name, "mixed, open loop: achieved rate, sends late > 5 ms, checks",
                 f"{m['rate']:.0f}/s, {m['late']}/{m['slots']} late; {m['check']}", f"{args.mixed_rate:g}/s", "",
                 "", ""),
            ]
        for phase, label in (("issue", "issue"), ("issue_open", "issue open loop"), ("call", "call-next"),
                             ("call_open", "call-next open loop"), ("mixed", "mixed open loop")):
            rows += [(name, f"{label} errors", f"{n} × {message}", "none", "", "", "")
                     for message, n in h.get(phase, {"errors": {}})["errors"].items()]
        if e:
            rows += [(name, f"engine {phase} errors", "", "none", "", f"{n} × {message}", "")
                     for phase in ("issue", "call") for message, n in e[phase]["errors"].items()]
        cpu = " / ".join(f"{h[p]['cpu_ms']:.1f}" if h[p]["cpu_ms"] is not None else "?"
                         for p in ("issue", "issue_open", "call", "call_open"))
        rows += [(name, "server CPU per request: issue closed / open, call-next closed / open", f"{cpu} ms",
                  "", "", "", "")]
        if m:
            rows += [(name, "server CPU per request: mixed open loop",
                      f"{m['cpu_ms']:.1f} ms" if m["cpu_ms"] is not None else "? ms", "", "", "", "")]
        if h["issue"]["print_cpu_ms"] is not None:
            rows += [(name, "print worker apart, CPU per issue: closed / open loop", " / ".join(
                f"{h[p]['print_cpu_ms']:.1f}" for p in ("issue", "issue_open")) + " ms", "", "", "", "")]
        rows += [
                 (name, "load average (1 min) before / after the HTTP phases",
                  " / ".join(f"{v:.2f}" for v in r["load"]), "", "", "", "")]
        if "printed" in r:
            rows += [(name, "tickets printed whole by the kiosks' TCP printers (confirmed by status)", r["printed"],
                      "all, once", "", "", "")]
        rows += [(name, "server log: tracebacks / 5xx", f"{len(r['server_errors'])} lines"
                  + (f", first: {r['server_errors'][0][:100]}" if r["server_errors"] else ""), "none", "", "", "")]
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    line = lambda row: "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths)) + " |"  # noqa: E731
    return "\n".join([line(rows[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows[1:])])


def main() -> None:
    global ROOT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--tickets", type=int, default=2000, help="tickets issued in phase 1 (default 2000)")
    parser.add_argument("--backlog", type=int, default=700, help="tickets waiting at C001 for phase 3 (default 700)")
    parser.add_argument("--centres", type=int, default=20,
                        help="issuing centres C002.., one kiosk each (default 20; C001 is the calling centre)")
    parser.add_argument("--seconds-open", type=float, default=20, help="length of each open-loop phase (default 20)")
    parser.add_argument("--rate", type=float, default=100, help="open-loop rate per second (default 100, SPEC §8)")
    parser.add_argument("--mixed-rate", type=float, default=100,
                        help="requests per second of the mixed open-loop phase 5 (default 100, SPEC §8; 0 skips it)")
    parser.add_argument("--policy", choices=("tests", "shipped"), default="tests",
                        help="the call-next policy: the test catalogue's (default) or config.toml's (late lines deferred)")
    parser.add_argument("--no-engine", action="store_true", help="skip the in-process engine-only phases")
    parser.add_argument("--printers", choices=("dummy", "tcp", "none"), default="dummy",
                        help="kiosks print to dummy:// (in memory), to a TCP printer each that answers DLE EOT, "
                             "or have no printer (no print job: the request path alone)")
    parser.add_argument("--no-scheduler", action="store_true",
                        help="serve without the in-process scheduled jobs (ONEDOOR_SCHEDULER=0), for before/after")
    parser.add_argument("--print-apart", action="store_true",
                        help="serve with --no-print-worker beside a `queue-app print-worker` (ONEDOOR_PRINT_WORKER=0)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--server", choices=("gevent", "dev"), default="gevent",
                        help="`queue-app serve` (gunicorn + gevent) or `serve --dev` (Werkzeug, threaded)")
    args = parser.parse_args()
    ROOT = args.root.resolve()
    global NO_SCHEDULER
    NO_SCHEDULER = args.no_scheduler
    global PRINT_APART
    PRINT_APART = args.print_apart
    if not 1 <= args.centres < NETWORK_CENTRES:
        parser.error(f"--centres: 1..{NETWORK_CENTRES - 1} (C001 is kept for calling)")
    issue_centres = [f"C{n:03d}" for n in range(2, args.centres + 2)]
    results, pg_version, load = {}, None, os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="onedoor-api-bench-") as tmp:
        network = engine.write_network(tmp, NETWORK_CENTRES, engine.shipped_policy() if args.policy == "shipped" else None)
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            # C001's tickets are called and finished, some before their paper would print (then it is
            # rightly not printed): its kiosk keeps dummy://, so every TCP printer's ticket must come out
            standins = {c: PrinterStandIn().start() for c in issue_centres} if args.printers == "tcp" else {}
            name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
            print(f"== {name}", file=sys.stderr)
            r = {}
            if not args.no_engine:
                print("engine-only phases", file=sys.stderr)
                r["engine"] = engine_phases(kind, tmp, network, args)
            instance = tempfile.mkdtemp(dir=tmp, prefix=f"{kind}-instance-")
            if kind == "postgresql":
                pg_version = reset_postgres()
            env = server_env(kind, instance, network)
            printers = {c: f"tcp://127.0.0.1:{s.port}?timeout=2" for c, s in standins.items()}
            if args.printers == "none":
                printers = {c: "" for c in ["C001", *issue_centres]}
            kiosks = prepare(env, issue_centres, printers)
            server = Server(env, Path(tmp) / f"serve-{kind}.log", dev=args.server == "dev")
            printer = Server(env, Path(tmp) / f"print-{kind}.log", command=("print-worker",)) if PRINT_APART else None
            try:
                server.wait_ready()
                load = os.getloadavg()[0]
                r["http"] = http_phases(server, kiosks, issue_centres, args, printer)
                r["load"] = (load, os.getloadavg()[0])
                r["server_errors"] = server.errors()
                if standins:
                    r["printed"] = printed_whole(standins, r["http"]["kiosk_tickets"])
            except BaseException:
                print(f"-- last lines of the server's log:\n{server.tail()}", file=sys.stderr)
                raise
            finally:
                server.stop()
                if printer is not None:
                    printer.stop()
                for standin in standins.values():
                    standin.stop()
                if kind == "sqlite":
                    shutil.rmtree(instance, ignore_errors=True)
            results[name] = r
    served = "gunicorn, one gevent worker" if args.server == "gevent" else "--dev: Werkzeug, threaded"
    served += "; kiosks " + {"tcp": "print to a TCP printer each", "dummy": "print to dummy://",
                             "none": "without a printer"}[args.printers]
    if args.no_scheduler:
        served += "; scheduler off"
    if args.print_apart:
        served += "; printing in a `queue-app print-worker` apart"
    if args.policy == "shipped":
        served += "; config.toml's call-next policy"
    if args.root != Path(__file__).resolve().parents[1]:
        served += f"; serving {args.root}"
    print(f"HTTP API benchmark, {datetime.now():%Y-%m-%d %H:%M}: `queue-app serve` ({served}), "
          f"{NETWORK_CENTRES} centres; issue {args.tickets} tickets at {args.centres} centres with {ISSUERS} "
          f"clients, then open loop {args.rate:g}/s for {args.seconds_open:g} s; call a backlog of {args.backlog} "
          f"at C001 with {COUNTERS} counters, then open loop {args.rate:g}/s for {args.seconds_open:g} s"
          + (f"; mixed open loop {args.mixed_rate:g} requests/s for {args.seconds_open:g} s" if args.mixed_rate > 0
             else ""))
    print(f"Machine: {engine.machine(pg_version)}; clients, server and database on the same machine; "
          f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end (1 min)\n")
    print(table(results, args))
    print(f"\nRatio: result ÷ target for rates, target ÷ p99 for latencies; ≥ 1 meets SPEC §8. Engine only: "
          f"bench/engine.py's phases run in this process with the same sizes (no HTTP, no print job). "
          f"Call-next open loop: every call is followed by start and finish at that counter, so "
          f"{args.rate:g} calls/s are {3 * args.rate:g} requests/s; a slot waits for a free counter, and "
          f"that wait counts in its latency."
          + (f" Mixed open loop: every slot is one request, timed from its scheduled time: an issue at C001, a "
             f"public status read (GET /api/v1/tickets/<token>) of a ticket issued at C001, or the next step at one "
             f"of {COUNTERS} counters not mid-request (call-next, start or finish, so the p99 of start+finish is over "
             f"both); a 204 from call-next (nothing waits) is an answer and timed; a counter slot that finds no idle "
             f"counter sends nothing and is counted, not timed." if args.mixed_rate > 0 else ""))


if __name__ == "__main__":
    main()
