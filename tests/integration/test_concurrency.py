"""Concurrency on the real database: nothing called twice, no number repeated or skipped.

Each thread has its own app context, so its own session and its own connection.
"""
import threading
from collections import Counter as Tally

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Service, Staff, StaffSkill, Ticket, TicketEvent
from queue_app.services import call_next, finish, issue_ticket, open_counter, start
from tests.conftest import NOON

pytestmark = pytest.mark.concurrency

COUNTERS = 40
TICKETS = 500
SERVICES = ("birth", "passport", "tax", "info")


def run_threads(app, n: int, work) -> list:
    """Start n threads at once (behind a barrier), each in its own app context; re-raise errors."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def body(i: int):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = work(i)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not errors, errors[:3]
    return results


def open_forty_counters():
    ids = dict(db.session.execute(select(Service.code, Service.id)).all())
    hq = db.session.scalar(select(Staff).where(Staff.username == "ana")).centres[0]
    for i in range(1, COUNTERS + 1):
        staff = Staff(username=f"k{i}", name=f"Clerk {i}", role="clerk", centres=[hq])
        db.session.add(staff)
        db.session.flush()
        for code in SERVICES:
            db.session.add(StaffSkill(staff_id=staff.id, service_id=ids[code], level="primary"))
    db.session.commit()
    for i in range(1, COUNTERS + 1):
        open_counter(f"HQ-{i:02d}", f"k{i}", now=NOON, by=SYSTEM)


def test_forty_counters_calling_at_once_call_every_ticket_exactly_once(ctx):
    open_forty_counters()
    issued = {issue_ticket("HQ", SERVICES[i % 4], now=NOON, by=SYSTEM).ticket.id for i in range(TICKETS)}

    from queue_app.domain.errors import CounterBusy

    def call(code: str):
        for _ in range(20):  # "call again", as a clerk would, when every candidate was being taken
            try:
                return call_next(code, now=NOON, by=SYSTEM)
            except CounterBusy:
                continue
        raise AssertionError(f"{code} was told to call again 20 times in a row")

    def serve(i: int) -> list[int]:
        mine = []
        while (t := call(f"HQ-{i + 1:02d}")) is not None:
            mine.append(t.id)
            start(t.id, now=NOON, by=SYSTEM)
            finish(t.id, "resolved", now=NOON, by=SYSTEM)
        return mine

    per_counter = run_threads(ctx, COUNTERS, serve)
    called = [tid for mine in per_counter for tid in mine]
    assert len(called) == TICKETS
    assert set(called) == issued
    calls = Tally(db.session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.action == "call")))
    assert set(calls.values()) == {1} and len(calls) == TICKETS
    assert db.session.scalar(select(db.func.count()).select_from(Ticket).where(Ticket.status != "done")) == 0
    busy = sum(1 for mine in per_counter if mine)
    assert busy > 1  # the load really was shared between counters


def test_twenty_issuers_at_once_get_numbers_without_repeats_or_gaps(ctx):
    per_thread = 25

    def issue(_i: int) -> list[str]:
        return [issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket.number for _ in range(per_thread)]

    numbers = [n for batch in run_threads(ctx, 20, issue) for n in batch]
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 20 * per_thread + 1)]
    stored = sorted(db.session.scalars(select(Ticket.seq)))
    assert stored == list(range(1, 20 * per_thread + 1))


def test_one_counter_double_clicking_call_next_gets_one_ticket(ctx):
    open_forty_counters()
    for _ in range(5):
        issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    from queue_app.domain.errors import CounterBusy

    def click(_i: int):
        try:
            return call_next("HQ-01", now=NOON, by=SYSTEM).id
        except CounterBusy:
            return None

    got = [r for r in run_threads(ctx, 8, click) if r is not None]
    assert len(got) == 1
