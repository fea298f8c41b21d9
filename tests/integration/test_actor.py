"""The audit trail names who acted (SPEC §9), and access is decided on the rows a change locks."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from queue_app.auth import hash_token
from queue_app.db import utcnow
from queue_app.extensions import db
from queue_app.models import Device, Staff, Ticket, TicketEvent
from queue_app.services import SYSTEM, expire_calls, issue_ticket
from tests.conftest import NOON, error_of


def event(ticket_id: int, action: str) -> TicketEvent:
    db.session.rollback()  # read what the requests committed
    return db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id, TicketEvent.action == action)
        .order_by(TicketEvent.id.desc())
    ).first()


def staff_id(username: str) -> int:
    return db.session.scalar(select(Staff.id).where(Staff.username == username))


def named(row: TicketEvent) -> tuple:
    """(who acted, which device, the counter's clerk) of an audit row, by username and device id."""
    names = dict(db.session.execute(select(Staff.id, Staff.username)).all())
    return names.get(row.actor_staff_id), row.device_id, names.get(row.staff_id)


@pytest.fixture
def clerk(api):
    token = api.staff("clara", skills=["birth", "passport"])
    assert api.post("/api/v1/counters/HQ-01/open", token, json={}).status_code == 200
    return token


@pytest.fixture
def called(api, clerk) -> int:
    """A ticket called to clara's counter by clara."""
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    assert api.post("/api/v1/counters/HQ-01/call-next", clerk).get_json()["id"] == ticket.id
    return ticket.id


def test_the_clerk_at_their_own_counter_is_named(called):
    assert named(event(called, "call")) == ("clara", None, "clara")


def test_a_manager_acting_at_a_clerks_counter_is_named_not_the_clerk(api, called):
    manager = api.staff("mona", "manager", centres=["HQ"])
    assert api.post(f"/api/v1/tickets/{called}/recall", manager).status_code == 200
    assert api.post(f"/api/v1/tickets/{called}/start", manager).status_code == 200
    assert api.post(f"/api/v1/tickets/{called}/finish", manager, json={"outcome": "resolved"}).status_code == 200
    for action in ("recall", "start", "finish"):
        # the counter's clerk stays what statistics count; who acted is the manager
        assert named(event(called, action)) == ("mona", None, "clara"), action


def test_an_admin_is_named(api, called):
    admin = api.staff("ada", "admin", centres=())
    assert api.post(f"/api/v1/tickets/{called}/no-show", admin).status_code == 200
    assert named(event(called, "no_show")) == ("ada", None, "clara")


def test_a_manager_calling_at_a_clerks_counter_is_named(api, clerk):
    manager = api.staff("mona", "manager", centres=["HQ"])
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    assert api.post("/api/v1/counters/HQ-01/call-next", manager).get_json()["id"] == ticket.id
    assert named(event(ticket.id, "call")) == ("mona", None, "clara")


def test_a_kiosk_issuing_is_named_by_its_device(api):
    kiosk = api.device("kiosk", "HQ", printer=None)
    body = api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).get_json()
    device = db.session.scalar(select(Device.id).where(Device.token_hash == hash_token(kiosk)))
    assert named(event(body["id"], "issue")) == (None, device, None)


def test_a_kiosk_checking_in_is_named_by_its_device(api, monkeypatch):
    import queue_app.services.appointments as appointments
    from tests.integration.test_check_in import book

    monkeypatch.setattr(appointments, "utcnow", lambda: NOON)
    appointment = book()
    kiosk = api.device("kiosk", "HQ", printer=None)
    body = api.post(f"/api/v1/appointments/{appointment.code}/check-in", kiosk, json={}).get_json()
    device = db.session.scalar(select(Device.id).where(Device.token_hash == hash_token(kiosk)))
    assert named(event(body["id"], "issue")) == (None, device, None)


def test_the_system_is_named_by_nobody(api, called):
    db.session.get(Ticket, called).called_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert [t.id for t in expire_calls()] == [called]
    assert named(event(called, "no_show")) == (None, None, "clara")


def test_a_device_cannot_act_at_a_counter_even_through_the_services(ctx):
    from queue_app.domain.errors import Forbidden
    from queue_app.services import actor_of, call_next, create_device

    device = create_device("kiosk", "HQ").device
    with pytest.raises(Forbidden):
        call_next("HQ-01", by=actor_of(db.session.get(Device, device.id)))


# ---- access withdrawn while the request waits on the lock ---------------------------------

def waiting_on_a_lock() -> bool:
    """Whether some other connection waits on a row lock (PostgreSQL); SQLite cannot say."""
    if db.engine.dialect.name != "postgresql":
        return True
    with db.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )))


WITHDRAWALS = {
    # the counter is closed and opened again by another clerk while clara's call waits
    "taken_by_another_clerk": "UPDATE counters SET staff_id = :other, opened_at = opened_at WHERE code = 'HQ-01'",
    # clara is moved off the centre while her call waits
    "removed_from_the_centre": "DELETE FROM staff_centres WHERE staff_id = :clara",
}


@pytest.mark.parametrize("withdrawal", list(WITHDRAWALS))
def test_a_request_whose_access_is_withdrawn_while_it_waits_on_the_lock_is_refused(api, ctx, clerk, withdrawal):
    """The change holds the counter's row (PostgreSQL) or the write lock (SQLite) while clara's
    call-next arrives: her request passes every check made before the lock, then must be refused
    on what it finds once it holds the lock, and change nothing."""
    api.staff("otto", skills=["birth"])
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    ids = {"other": staff_id("otto"), "clara": staff_id("clara")}
    db.session.commit()
    answer = {}

    def call():
        with ctx.app_context():
            answer["response"] = api.post("/api/v1/counters/HQ-01/call-next", clerk)

    with db.engine.connect() as conn:
        trans = conn.begin()
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT id FROM counters WHERE code = 'HQ-01' FOR UPDATE"))
        conn.execute(text(WITHDRAWALS[withdrawal]), ids)  # on SQLite this takes the write lock
        caller = threading.Thread(target=call)
        caller.start()
        deadline = time.monotonic() + 10
        while not waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # past the request's reads before the lock (SQLite gives no sign)
        assert "response" not in answer, "the request did not wait for the lock"
        trans.commit()
    caller.join(timeout=30)
    assert error_of(answer["response"]) == (403, "forbidden")
    db.session.rollback()
    refreshed = db.session.get(Ticket, ticket.id)
    db.session.refresh(refreshed)
    assert (refreshed.status, refreshed.counter_id) == ("waiting", None)
    assert event(ticket.id, "call") is None
