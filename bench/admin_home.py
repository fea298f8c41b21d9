"""What the admin home costs (issue 18): the network's health — every centre's open state, silent
devices, failing printers and roster gaps over 8 days, and the catalogue's missing translations —
computed on each load, for an admin of bench/engine.py's network of 150 centres (40 counters each,
a clerk with every skill at each, the test catalogue) and for a manager of one centre.

    .venv/bin/python bench/admin_home.py [--db sqlite|postgresql] [--centres 150] [--loads 20]

Prints, per reader, p50/p90/max of the service call (`network_health`) and of the whole page
(`GET /admin` through the test client, signed in), and the statements each load runs.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from math import ceil
from pathlib import Path

from sqlalchemy import event
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import build_app, write_network  # noqa: E402

from queue_app.extensions import db  # noqa: E402
from queue_app.models import Staff  # noqa: E402
from queue_app.services import create_user  # noqa: E402
from queue_app.services.network_health import network_health  # noqa: E402

PASSWORD = "bench-password-1"


def pct(values: list[float]) -> str:
    s = sorted(values)
    pick = lambda q: s[max(ceil(q / 100 * len(s)) - 1, 0)] * 1000  # noqa: E731
    return f"{pick(50):.0f} / {pick(90):.0f} / {s[-1] * 1000:.0f} ms"


def measure(app, username: str, loads: int) -> dict:
    """Time `network_health` and `GET /admin` for `username`, `loads` times each; count statements."""
    statements = []
    with app.app_context():
        engine = db.engine
    counter = lambda *a: statements.append(1)  # noqa: E731
    service, page = [], []
    with app.app_context():
        reader = db.session.scalar(db.select(Staff).where(Staff.username == username))
        for _ in tqdm(range(loads), desc=f"{username}: service", file=sys.stderr, leave=False):
            db.session.expire_all()
            statements.clear()
            event.listen(engine, "before_cursor_execute", counter)
            t = time.perf_counter()
            network_health(reader, datetime.now(timezone.utc))
            service.append(time.perf_counter() - t)
            event.remove(engine, "before_cursor_execute", counter)
            per_service = len(statements)
        db.session.remove()
    client = app.test_client()
    login = client.post("/login", data={"username": username, "password": PASSWORD})
    assert login.status_code in (302, 303), login.status_code
    for _ in tqdm(range(loads), desc=f"{username}: page", file=sys.stderr, leave=False):
        t = time.perf_counter()
        response = client.get("/admin/")
        page.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    return {"service": pct(service), "page": pct(page), "statements": per_service}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--centres", type=int, default=150)
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"building {args.centres} centres on {args.db}…", file=sys.stderr)
        app = build_app(args.db, tmp, write_network(tmp, args.centres), database="onedoor_admin_bench")
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            create_user("benchadmin", "admin", password=PASSWORD)
            create_user("benchmanager", "manager", password=PASSWORD, centres=["C001"])
            db.session.remove()
        print(f"| reader ({args.db}, {args.centres} centres) | network_health p50 / p90 / max | GET /admin p50 / p90 / max "
              f"| statements a load |\n|---|---|---|---|")
        for who in ("benchadmin", "benchmanager"):
            r = measure(app, who, args.loads)
            print(f"| {who} | {r['service']} | {r['page']} | {r['statements']} |")


if __name__ == "__main__":
    main()
