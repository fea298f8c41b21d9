"""What one request costs in the server's own process, and how that grows with the queue (issue 21):
SQL statements and CPU per `POST /api/v1/centres/{c}/tickets` (and with --call-next, per call-next,
start and finish) through Flask's test client (no HTTP server, no clients competing), on
bench/engine.py's network (150 centres, 4 services).

For each queue length of --waiting, a fresh SQLite database: centre C001 gets that many waiting
tickets (the four services in turn) and --counters open counters whose clerks serve every service
(so every issue is estimated; with --skills mixed two services each, in turn, as a centre's
clerks do: then the estimate cannot treat the counters as one pool); then --issues kiosk issues into C001, each followed, untimed, by the
cancellation of the oldest waiting ticket, so the queue stays at its length. With --call-next,
a clerk at one more counter then calls, starts and finishes as many tickets, each followed, untimed,
by an issue, so again the length holds. The growth figure is the CPU per request at the longest
queue over that at the shortest (SPEC §8 via issue 21: within 1.5×).

    .venv/bin/python bench/issue_cost.py                        # --waiting 10,2000: the growth figure
    .venv/bin/python bench/issue_cost.py --call-next            # call-next + start + finish as well
    .venv/bin/python bench/issue_cost.py --policy shipped       # under config.toml's policy (late lines deferred)
    .venv/bin/python bench/issue_cost.py --skills mixed         # clerks of two services each
    .venv/bin/python bench/issue_cost.py --waiting 10 --profile /tmp/prof   # pyinstrument trees
    .venv/bin/python bench/issue_cost.py --sql [--call-next]    # the statements of one request of each kind

For a before/after comparison of a change, run it in each checkout, alternately (the current
directory's queue_app is measured):

    (cd ../before && ../main/.venv/bin/python ../main/bench/issue_cost.py)
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from math import ceil
from pathlib import Path

from sqlalchemy import event, select
from tqdm import tqdm

sys.path.insert(0, os.getcwd())  # the checkout measured: the current directory's queue_app
sys.path.insert(0, str(Path(os.getcwd()) / "bench"))
from engine import SERVICES, build_app, shipped_policy, write_network  # noqa: E402

from queue_app.extensions import db  # noqa: E402
from queue_app.models import Centre, Service, Staff, StaffSkill, Ticket  # noqa: E402
from queue_app.services import SYSTEM, cancel, create_device, issue_ticket, open_counter  # noqa: E402

CENTRE = "C001"
PASSWORD = "bench-password"
WARM_UP = 20


def pick(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(ceil(q / 100 * len(values)) - 1, 0)]


class Meter:
    """CPU seconds and SQL statements of each timed request, by kind."""

    def __init__(self, engine) -> None:
        self.ran = 0
        self.cpu: dict[str, list[float]] = {}
        self.own: dict[str, list[float]] = {}  # the request's thread only (the app's background threads left out)
        self.statements: dict[str, list[int]] = {}
        self.sql: list[str] = []
        self.sql_of: dict[str, list[str]] = {}  # the last timed request's statements, by kind
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args) -> None:
        self.ran += 1
        self.sql.append(" ".join(statement.split()))

    def timed(self, kind: str, request):
        self.ran, self.sql = 0, []
        start, own = time.process_time(), time.thread_time()
        answer = request()
        self.cpu.setdefault(kind, []).append(time.process_time() - start)
        self.own.setdefault(kind, []).append(time.thread_time() - own)
        self.statements.setdefault(kind, []).append(self.ran)
        self.sql_of[kind] = list(self.sql)
        return answer


def clerks(n: int, mixed: bool = False) -> list[str]:
    """Clerks b1..bn at C001 with every service as a primary skill and a password (API sign-in);
    with `mixed`, b1..b(n-1) with two services each, in turn (b1: the first and second, b2: the
    second and third…), as a centre's clerks are, and bn (the calling counter's) with all."""
    from queue_app.services.people import password_hash

    centre = db.session.scalar(select(Centre).where(Centre.code == CENTRE))
    service_ids = db.session.scalars(select(Service.id).where(Service.code.in_(SERVICES))).all()
    names = []
    for i in range(1, n + 1):
        staff = Staff(username=f"b{i}", name=f"Bench clerk {i}", role="clerk", centres=[centre],
                      password_hash=password_hash(PASSWORD))
        db.session.add(staff)
        db.session.flush()
        skills = service_ids if not mixed or i == n else [service_ids[(i - 1 + k) % len(service_ids)] for k in (0, 1)]
        db.session.add_all(StaffSkill(staff_id=staff.id, service_id=s, level="primary") for s in skills)
        names.append(staff.username)
    db.session.commit()
    return names


def oldest_waiting() -> int:
    return db.session.scalar(select(Ticket.id).where(Ticket.status == "waiting").order_by(Ticket.id).limit(1))


def measure(waiting: int, args, tmp: str, network: Path, profiler=None) -> Meter:
    app = build_app("sqlite", tmp, network)
    with app.app_context():
        kiosk = create_device("kiosk", CENTRE).token
        names = clerks(args.counters + 1, args.skills == "mixed")
        for i, name in enumerate(names[: args.counters], start=1):
            open_counter(f"{CENTRE}-{i:02d}", name, by=SYSTEM)
        for i in tqdm(range(waiting), desc=f"{waiting} waiting", file=sys.stderr, leave=False):
            issue_ticket(CENTRE, SERVICES[i % 4], by=SYSTEM)
        meter = Meter(db.engine)
        db.session.remove()
    client = app.test_client()
    issue_headers = {"Authorization": f"Bearer {kiosk}"}

    def issue(i: int):
        return client.post(f"/api/v1/centres/{CENTRE}/tickets", json={"service": SERVICES[i % 4]},
                           headers=issue_headers)

    def keep_length(removed) -> None:
        with app.app_context():
            removed()
            db.session.remove()

    if profiler:
        profiler.start()
    for i in tqdm(range(args.issues), desc="issues", file=sys.stderr, leave=False):
        answer = meter.timed("issue", lambda: issue(i))
        assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
        keep_length(lambda: cancel(oldest_waiting(), by=SYSTEM))
    if args.call_next:
        token = client.post("/api/v1/auth/token", json={"username": names[-1], "password": PASSWORD}).get_json()["token"]
        clerk = {"Authorization": f"Bearer {token}"}
        counter = f"{CENTRE}-{len(names):02d}"
        assert client.post(f"/api/v1/counters/{counter}/open", json={}, headers=clerk).status_code == 200
        for i in tqdm(range(args.issues), desc="call-next", file=sys.stderr, leave=False):
            called = meter.timed("call-next", lambda: client.post(f"/api/v1/counters/{counter}/call-next",
                                                                  headers=clerk))
            assert called.status_code == 200, called.get_data(as_text=True)[:300]
            ticket = called.get_json()["id"]
            assert meter.timed("start", lambda: client.post(f"/api/v1/tickets/{ticket}/start",
                                                            headers=clerk)).status_code == 200
            assert meter.timed("finish", lambda: client.post(f"/api/v1/tickets/{ticket}/finish",
                                                             json={"outcome": "resolved"},
                                                             headers=clerk)).status_code == 200
            keep_length(lambda: issue_ticket(CENTRE, SERVICES[i % 4], by=SYSTEM))
    if profiler:
        profiler.stop()
    if args.sql:
        for kind, statements in meter.sql_of.items():
            print(f"{len(statements)} statements of one {kind} ({waiting} waiting):")
            for statement in statements:
                print(" -", statement[:240])
    with app.app_context():
        db.engine.dispose()
    return meter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", default="10,2000", help="queue lengths, comma-separated (default 10,2000)")
    parser.add_argument("--issues", type=int, default=300, help="timed requests of each kind per length")
    parser.add_argument("--counters", type=int, default=6, help="open counters at C001 (default 6)")
    parser.add_argument("--call-next", action="store_true", help="measure call-next, start and finish too")
    parser.add_argument("--skills", choices=("all", "mixed"), default="all",
                        help="the open counters' clerks serve every service (default: one pool) or two each, in turn")
    parser.add_argument("--profile", metavar="DIR", help="write pyinstrument's tree per length here")
    parser.add_argument("--policy", choices=("tests", "shipped"), default="tests",
                        help="the call-next policy: the test catalogue's (default) or config.toml's (late lines deferred)")
    parser.add_argument("--sql", action="store_true", help="print the statements of one request of each kind (after the warm-up) and stop")
    args = parser.parse_args()
    if args.sql:
        args.issues = WARM_UP + 1  # the last one is printed: caches warm, as in the figures
    lengths = [int(n) for n in args.waiting.split(",")]
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        network = write_network(tmp, 150, shipped_policy() if args.policy == "shipped" else None)
        for waiting in lengths:
            profiler = None
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
            meter = measure(waiting, args, tmp, network, profiler)
            if args.sql:
                continue
            rows[waiting] = meter
            if profiler:
                folder = Path(args.profile)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"waiting-{waiting}.txt").write_text(profiler.output_text(unicode=True, color=False))
                profiler.write_html(str(folder / f"waiting-{waiting}.html"))
    if args.sql:
        return
    print(f"{os.getcwd()}: CPU and SQL statements per request in the server's process "
          f"({args.counters} counters open, {'two services each' if args.skills == 'mixed' else 'every service'}; "
          f"{args.issues} of each, the first {WARM_UP} left out; "
          f"policy: {'config.toml' if args.policy == 'shipped' else 'the test catalogue'})")
    print(f"{'waiting':>8} {'request':<10} {'statements':>10} {'CPU p50 ms':>11} {'p90 ms':>8} {'mean ms':>8} "
          f"{'own thread mean ms':>19}")
    for waiting, meter in rows.items():
        for kind, cpu in meter.cpu.items():
            kept, own = cpu[WARM_UP:], meter.own[kind][WARM_UP:]
            print(f"{waiting:>8} {kind:<10} {pick(meter.statements[kind][WARM_UP:], 50):>10} "
                  f"{pick(kept, 50) * 1000:>11.2f} {pick(kept, 90) * 1000:>8.2f} {sum(kept) / len(kept) * 1000:>8.2f} "
                  f"{sum(own) / len(own) * 1000:>19.2f}")
    if len(rows) > 1:
        short, long = min(rows), max(rows)
        for kind in rows[short].cpu:
            mean = lambda n: sum(rows[n].cpu[kind][WARM_UP:]) / len(rows[n].cpu[kind][WARM_UP:])  # noqa: E731
            print(f"growth, {kind}: mean CPU at {long} waiting / at {short} = {mean(long) / mean(short):.2f} "
                  f"(issue 21: within 1.5)")


if __name__ == "__main__":
    main()
