"""Appointment check-in at the kiosk: the appointment becomes a ticket, once, in its window."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Appointment, Centre, PrintJob, Service, Ticket
from queue_app.refusals import http_status
from queue_app.services import check_in
from tests.conftest import NOON, error_of
from tests.integration.test_concurrency import run_threads


def book(code="K7QW3ZP2", centre="HQ", service="passport", start=NOON, language="es") -> Appointment:
    appointment = Appointment(
        code=code, centre_id=db.session.scalar(select(Centre.id).where(Centre.code == centre)),
        service_id=db.session.scalar(select(Service.id).where(Service.code == service)),
        start=start, end=start + timedelta(minutes=20), name="Ana Ruiz", phone="+34600000000", language=language,
    )
    db.session.add(appointment)
    db.session.commit()
    return appointment


def test_an_appointment_becomes_a_ticket_with_its_priority(ctx):
    appointment = book()
    issued = check_in("HQ", " k7qw 3zp2 ", now=NOON - timedelta(minutes=10), by=SYSTEM)  # as people type it
    ticket = issued.ticket
    assert (ticket.appointment_id, ticket.source, ticket.language, ticket.service.code) == (
        appointment.id, "appointment", "es", "passport")
    assert ticket.number.startswith("B") and issued.position == 1
    assert db.session.get(Appointment, appointment.id).status == "checked_in"


@pytest.mark.parametrize(("minutes", "code"), [(-45, "too_early"), (20, "too_late")])
def test_outside_the_window_nothing_changes(ctx, minutes, code):
    from queue_app.services.appointments import CheckInRefused

    appointment = book()
    with pytest.raises(CheckInRefused) as refused:
        check_in("HQ", appointment.code, now=NOON + timedelta(minutes=minutes), by=SYSTEM)
    assert refused.value.code == code and http_status(refused.value) == 409
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_twenty_kiosks_checking_in_one_code_make_one_ticket(app, ctx):
    book()

    def attempt(_):
        try:
            return check_in("HQ", "K7QW3ZP2", now=NOON, by=SYSTEM).ticket.id
        except Exception as exc:  # noqa: BLE001 - the refusals are what we count
            return getattr(exc, "code", repr(exc))

    results = run_threads(app, 20, attempt)
    db.session.rollback()
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert set(r for r in results if not isinstance(r, int)) == {"already_checked_in"}
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_check_in_over_the_api(api, monkeypatch):
    import queue_app.services.appointments as appointments

    monkeypatch.setattr(appointments, "utcnow", lambda: NOON)
    book()
    book(code="OTHER123", centre="NYC", start=NOON)
    kiosk = api.device("kiosk", "HQ", printer="dummy://")
    answer = api.post("/api/v1/appointments/K7QW3ZP2/check-in", kiosk, json={"language": "ru"})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["appointment"]["code"] == "K7QW3ZP2" and body["number"].startswith("B")
    assert db.session.get(Ticket, body["id"]).language == "ru"
    assert body["status_url"].endswith(f"/t/{body['token']}")
    assert db.session.get(PrintJob, body["print_job"]).ticket_id == body["id"]
    assert error_of(api.post("/api/v1/appointments/k7qw3zp2/check-in", kiosk, json={})) == (
        409, "already_checked_in")
    assert error_of(api.post("/api/v1/appointments/NOPE1234/check-in", kiosk, json={})) == (404, "unknown_appointment")
    assert error_of(api.post("/api/v1/appointments/OTHER123/check-in", kiosk, json={})) == (
        409, "wrong_centre")
    assert error_of(api.post("/api/v1/appointments/K7QW3ZP2/check-in", kiosk, json={"language": "x"}))[0] == 422
    assert error_of(api.post("/api/v1/appointments/K7QW3ZP2/check-in", None, json={}))[0] == 401
