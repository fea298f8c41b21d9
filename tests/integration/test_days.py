"""Closing the day, and estimates per ticket, service and centre from the live queue."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Centre, Ticket, TicketEvent
from queue_app.services import call_next, close_day, finish, issue_ticket, queue_state, start
from tests.conftest import NOON, open_desk

MIN = timedelta(minutes=1)


def hq() -> Centre:
    return db.session.scalar(select(Centre).where(Centre.code == "HQ"))


def test_close_day_cancels_waiting_and_closes_idle_counters(ctx):
    open_desk("HQ-01", "c1", primary=["birth"])
    open_desk("HQ-02", "c2", primary=["tax"])
    served = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    waiting = [issue_ticket("HQ", s, now=NOON, by=SYSTEM).ticket for s in ("birth", "tax", "info")]
    call_next("HQ-01", now=NOON, by=SYSTEM)
    done = close_day("HQ", now=NOON + MIN)
    assert (done.cancelled, done.counters_closed, done.still_at_counters) == (3, 1, 1)
    statuses = {t.id: t.status for t in db.session.scalars(select(Ticket))}
    assert statuses[served.id] == "called"
    assert all(statuses[t.id] == "cancelled" for t in waiting)
    reasons = set(db.session.scalars(select(TicketEvent.reason).where(TicketEvent.action == "cancel")))
    assert reasons == {"centre_closed"}


def test_close_day_touches_no_other_centre(ctx):
    issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    close_day("NYC", now=NOON)
    assert db.session.scalar(select(Ticket.status)) == "waiting"


def test_estimates_per_ticket_service_and_centre(ctx):
    open_desk("HQ-01", "c1", primary=["birth"])
    open_desk("HQ-02", "c2", primary=["birth", "tax"])
    tickets = [issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket for _ in range(3)]
    state = queue_state(hq(), NOON)
    # two counters for birth (10 min each): 0, 0, 10
    assert [state.estimates.tickets[t.id] for t in tickets] == [0.0, 0.0, 10.0]
    assert state.estimates.services["birth"] == 10.0
    assert state.estimates.services["tax"] == 10.0  # HQ-02 frees at +10 (0 then 10)
    assert state.estimates.services["passport"] is None  # nobody serves it
    assert state.estimates.centre() == pytest.approx(10.0)
    assert state.waiting_by_service() == {"birth": 3}
    assert state.place(tickets[2].id) == (3, 10.0)


def test_a_busy_counter_counts_its_remaining_time(ctx):
    open_desk("HQ-01", "c1", primary=["passport"])
    t = issue_ticket("HQ", "passport", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(t.id, now=NOON, by=SYSTEM)
    nxt = issue_ticket("HQ", "passport", now=NOON + 5 * MIN, by=SYSTEM).ticket
    state = queue_state(hq(), NOON + 5 * MIN)
    assert state.estimates.tickets[nxt.id] == pytest.approx(15.0)  # 20-minute service, 5 gone


def test_observed_handling_times_pull_the_estimate(ctx):
    open_desk("HQ-01", "c1", primary=["info"])  # configured 3 minutes
    for i in range(5):
        t = issue_ticket("HQ", "info", now=NOON, by=SYSTEM).ticket
        call_next("HQ-01", now=NOON, by=SYSTEM)
        start(t.id, now=NOON + i * 13 * MIN, by=SYSTEM)
        finish(t.id, "resolved", now=NOON + (i * 13 + 13) * MIN, by=SYSTEM)  # each took 13
    issue_ticket("HQ", "info", now=NOON + 70 * MIN, by=SYSTEM)
    state = queue_state(hq(), NOON + 70 * MIN)
    # (3 × 5 + 13 × 5) / 10 = 8 minutes per visit now
    assert state.estimates.services["info"] == pytest.approx(8.0)
