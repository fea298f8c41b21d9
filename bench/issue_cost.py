"""What one issue costs in the server's own process: SQL statements and CPU per `POST
/api/v1/centres/{c}/tickets` through Flask's test client (no HTTP server, no clients competing),
on bench/engine.py's network (150 centres; the issues go to 4 of them, every service in turn).
For a before/after comparison of a change, run it in each checkout, alternately:

    .venv/bin/python bench/issue_cost.py [--issues 400]            # this checkout
    (cd ../before && ../main/.venv/bin/python ../main/bench/issue_cost.py)   # another checkout

Prints the statements per issue and CPU per issue (p50 / p90, ms) after a warm-up of 50.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from math import ceil
from pathlib import Path

from sqlalchemy import event
from tqdm import tqdm

sys.path.insert(0, os.getcwd())  # the checkout measured: the current directory's queue_app
sys.path.insert(0, str(Path(os.getcwd()) / "bench"))
from engine import build_app, write_network  # noqa: E402

from queue_app.extensions import db  # noqa: E402
from queue_app.services import create_device  # noqa: E402

CENTRES = ("C001", "C002", "C003", "C004")
SERVICES = ("birth", "passport", "tax", "info")
WARM_UP = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app("sqlite", tmp, write_network(tmp, 150))
        with app.app_context():
            tokens = {c: create_device("kiosk", c).token for c in CENTRES}
            engine = db.engine
            db.session.remove()
        client = app.test_client()
        statements, cpu = [], []
        ran = [0]
        event.listen(engine, "before_cursor_execute", lambda *a: ran.__setitem__(0, ran[0] + 1))
        for i in tqdm(range(args.issues), desc="issues", file=sys.stderr, leave=False):
            ran[0] = 0
            start = time.process_time()
            answer = client.post(f"/api/v1/centres/{CENTRES[i % 4]}/tickets", json={"service": SERVICES[i % 4]},
                                 headers={"Authorization": f"Bearer {tokens[CENTRES[i % 4]]}"})
            cpu.append(time.process_time() - start)
            assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
            statements.append(ran[0])
    cpu, statements = sorted(cpu[WARM_UP:]), sorted(statements[WARM_UP:])
    pick = lambda values, q: values[max(ceil(q / 100 * len(values)) - 1, 0)]  # noqa: E731
    print(f"{os.getcwd()}: statements per issue p50 {pick(statements, 50)}, max {statements[-1]}; "
          f"CPU per issue p50 {pick(cpu, 50) * 1000:.2f} ms, p90 {pick(cpu, 90) * 1000:.2f} ms "
          f"({len(cpu)} issues after {WARM_UP} to warm up)")


if __name__ == "__main__":
    main()
