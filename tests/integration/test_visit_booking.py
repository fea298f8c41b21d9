"""Booking a visit of several services as consecutive slots at one centre (SPEC §11): every step
in its own service's slot right after the one before, booked, moved, cancelled and checked in
whole — never half a visit."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app.domain.errors import InvalidRequest
from queue_app.domain.slots import MAX_STEP_GAP, SlotFull
from queue_app.extensions import db
from queue_app.models import Appointment, Ticket
from queue_app.services import book_visit, cancel_appointment, check_in, reschedule_visit, slots, visit_slots
from queue_app.services.visits import visit_steps
from tests.conftest import NOON, add_clerk, error_of
from tests.integration.test_booking import TOMORROW, at, clerks, take


@pytest.fixture
def hq(ctx):
    """HQ with 4 clerks for passports and 2 for births (and ana, who does both and tax): births in
    10-minute slots, passports in 20-minute ones, half of the time kept for walk-ins."""
    clerks("HQ", 4)
    for i in range(2):
        add_clerk(f"births{i}", "HQ", primary=("birth",))
    return ctx


def visit(start=None, **kw):
    kw.setdefault("phone", "+34600000000")
    return book_visit("HQ", ["birth", "passport"], start or at(TOMORROW, 10), "Ana Ruiz", now=NOON, **kw)


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Appointment))


def test_a_visit_fits_where_each_next_step_has_a_slot_right_after(hq):
    found = visit_slots("HQ", ["birth", "passport"], TOMORROW, NOON)
    assert found, "a day of slots offers the visit somewhere"
    births = {s.start for s in slots("HQ", "birth", TOMORROW, NOON)}
    for option in found:
        first, second = option["steps"]
        assert (first["service"], second["service"]) == ("birth", "passport")
        assert first["start"] in births and first["end"] - first["start"] == timedelta(minutes=10)
        assert first["end"] <= second["start"] <= first["end"] + MAX_STEP_GAP
        assert option["start"] == first["start"] and option["end"] == second["end"] and option["available"] >= 1
    ten = next(o for o in found if o["start"] == at(TOMORROW, 10))
    assert ten["steps"][1]["start"] == at(TOMORROW, 10, 20)  # 10:10 is not on the passport grid; 10:20 is


def test_booking_a_visit_holds_a_place_in_each_steps_slot_under_one_code(hq):
    first = visit()
    steps = db.session.scalars(select(Appointment).order_by(Appointment.id)).all()
    assert [(a.service.code, a.start, a.visit_id) for a in steps] == [
        ("birth", at(TOMORROW, 10), None), ("passport", at(TOMORROW, 10, 20), first.id)]
    assert {a.place for a in steps} == {1} and {a.phone for a in steps} == {"+34600000000"}


def test_a_visit_whose_next_step_is_full_is_refused_and_nothing_is_booked(hq):
    passport = next(s for s in slots("HQ", "passport", TOMORROW, NOON) if s.start == at(TOMORROW, 10, 20))
    for _ in range(passport.available):
        take(at(TOMORROW, 10, 20))
    before = count()
    with pytest.raises(SlotFull):
        visit()
    assert count() == before
    assert at(TOMORROW, 10) not in {o["start"] for o in visit_slots("HQ", ["birth", "passport"], TOMORROW, NOON)}


def test_cancelling_a_visit_frees_every_step(hq):
    first = visit()
    cancel_appointment(first.code, now=NOON)
    assert set(db.session.scalars(select(Appointment.status))) == {"cancelled"}
    assert set(db.session.scalars(select(Appointment.place))) == {None}


def test_rescheduling_a_visit_moves_every_step(hq):
    first = visit()
    moved = reschedule_visit(first.code, at(TOMORROW, 14), now=NOON)
    steps = db.session.scalars(select(Appointment).order_by(Appointment.id)).all()
    assert moved.code == first.code
    assert [(a.service.code, a.start) for a in steps] == [("birth", at(TOMORROW, 14)), ("passport", at(TOMORROW, 14, 20))]


def test_checking_in_a_booked_visit_gives_one_ticket_for_all_its_steps(hq):
    first = visit(at(NOON.date(), 13))
    issued = check_in("HQ", first.code, now=at(NOON.date(), 12, 50), by=SYSTEM)
    assert [(s["service"], s["status"]) for s in visit_steps(issued.ticket)] == [("birth", "waiting"), ("passport", "pending")]
    assert set(db.session.scalars(select(Appointment.status))) == {"checked_in"}
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1
    assert issued.ticket.contact_hash


def test_a_bad_visit_is_refused(hq):
    with pytest.raises(InvalidRequest):
        book_visit("HQ", ["birth", "birth"], at(TOMORROW, 10), "Ana", phone="+34600000000", now=NOON)
    with pytest.raises(InvalidRequest):  # tax cannot be booked
        book_visit("HQ", ["birth", "tax"], at(TOMORROW, 10), "Ana", phone="+34600000000", now=NOON)
    assert count() == 0


def test_the_api_offers_books_shows_and_refuses_visits(hq, client, monkeypatch):
    import queue_app.services.booking as booking
    import queue_app.services.visit_booking as visit_booking

    for module in (booking, visit_booking):
        monkeypatch.setattr(module, "utcnow", lambda: NOON)
    url = f"/api/v1/centres/HQ/slots?services=birth&services=passport&date={TOMORROW}"
    found = client.get(url).get_json()
    assert found and [s["service"] for s in found[0]["steps"]] == ["birth", "passport"]
    body = {"centre": "HQ", "services": ["birth", "passport"], "start": found[0]["start"], "name": "Ana Ruiz",
            "phone": "+34600000000"}
    booked = client.post("/api/v1/appointments", json=body)
    assert booked.status_code == 201, booked.get_json()
    code = booked.get_json()["code"]
    shown = client.get(f"/api/v1/appointments/{code}").get_json()
    assert shown["service"] == "birth" and [s["service"] for s in shown["steps"]] == ["passport"]
    assert error_of(client.post("/api/v1/appointments", json={**body, "services": ["birth", "birth"]}))[0] == 422
    assert error_of(client.post("/api/v1/appointments", json={**body, "service": "birth"}))[0] == 422
    assert client.get(f"/api/v1/centres/HQ/slots?service=birth&services=passport&date={TOMORROW}").status_code == 422
    assert client.delete(f"/api/v1/appointments/{code}").get_json()["steps"][0]["status"] == "cancelled"
