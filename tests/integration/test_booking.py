"""Online booking: slots from real capacity, the last place sold once, cancel, reschedule, the API."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app.domain.slots import SlotFull
from queue_app.extensions import db
from queue_app.models import Appointment
from queue_app.refusals import http_status
from queue_app.services import appointment_by_code, book, cancel_appointment, check_in, reschedule, slots
from queue_app.services.booking import CODE_ALPHABET, new_code
from tests.conftest import MSK, NOON, add_clerk, error_of
from tests.integration.test_concurrency import run_threads

NY = ZoneInfo("America/New_York")
TOMORROW = date(2026, 11, 24)  # a Tuesday
CODE = re.compile(f"^[{CODE_ALPHABET}]{{8}}$")


def at(day: date, hh: int, mm: int = 0, tz=MSK) -> datetime:
    return datetime.combine(day, time(hh, mm), tz)


def clerks(centre: str, n: int, skills=("passport",)) -> None:
    for i in range(n):
        add_clerk(f"{centre.lower()}{i}", centre, primary=skills)


@pytest.fixture
def hq(ctx):
    """HQ with 4 clerks who do passports only, and ana (birth, passport, tax: a third of her time
    each), 40 counters, no roster (everyone on through the day), half for walk-ins: 4⅓ × 0.5 = 2⅙
    places a slot → 2 places a slot and a 3rd every sixth slot."""
    clerks("HQ", 4)
    return ctx


def appointments() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Appointment))


def take(start=None, service="passport", centre="HQ", **kw) -> Appointment:
    kw.setdefault("phone", "+34600000000")
    return book(centre, service, start or at(TOMORROW, 10), "Ana Ruiz", now=NOON, **kw)


# ---- capacity -----------------------------------------------------------------------------

def test_hq_slots_match_the_hand_computed_capacity(hq):
    day = slots("HQ", "passport", TOMORROW, NOON)
    assert len(day) == 72  # open 24 h, 20-minute slots
    assert [s.available for s in day[:12]] == [2, 2, 2, 2, 2, 3] * 2
    assert sum(s.available for s in day) == 156  # 72 × 13/6
    assert (day[0].start, day[0].end) == (at(TOMORROW, 0), at(TOMORROW, 0, 20))
    today = slots("HQ", "passport", NOON.date(), NOON)
    assert today[0].start == at(NOON.date(), 12, 40)  # 30 minutes' notice: 12:20 is too soon
    assert len(today) == 34  # 12:40 … 23:40


def test_one_clerk_still_offers_places_spread_over_the_day(ctx):
    # ana alone gives passports a third of her time: 1/3 × 0.5 = 1/6 of a place a slot,
    # a place every sixth slot (the old rule, floor(1 × 0.5), gave none)
    day = slots("HQ", "passport", TOMORROW, NOON)
    assert [s.start for s in day] == [at(TOMORROW, h, 40) for h in range(1, 24, 2)]
    assert {s.available for s in day} == {1}


def test_nyc_slots_follow_its_hours_and_timezone(ctx):
    clerks("NYC", 9, skills=("birth",))  # 10 clerks but 4 counters: floor(4 × 0.5) = 2
    day = slots("NYC", "birth", TOMORROW, NOON)
    assert len(day) == 48  # 09:00-17:00, 10-minute slots
    assert day[0].start == at(TOMORROW, 9, tz=NY) and day[0].start.utcoffset() == timedelta(hours=-5)
    assert day[0].start.astimezone(timezone.utc).hour == 14
    assert {s.available for s in day} == {2}
    assert len(slots("NYC", "birth", date(2026, 11, 28), NOON)) == 24  # Saturday 10:00-14:00
    assert slots("NYC", "birth", date(2026, 11, 29), NOON) == []  # Sunday: closed
    december = datetime(2026, 12, 1, 12, tzinfo=NY)
    assert slots("NYC", "birth", date(2026, 12, 25), december) == []  # exception: closed
    assert len(slots("NYC", "birth", date(2026, 12, 24), december)) == 18  # exception: 09:00-12:00
    assert slots("NYC", "birth", date(2026, 12, 24), NOON) == []  # beyond the 30-day horizon


def test_booking_takes_a_place(hq):
    appointment = take()
    assert CODE.match(appointment.code) and appointment.place == 1 and appointment.status == "booked"
    assert appointment.end == at(TOMORROW, 10, 20) and appointment.language == "en"
    left = {s.start: s.available for s in slots("HQ", "passport", TOMORROW, NOON)}
    assert left[at(TOMORROW, 10)] == 1 and left[at(TOMORROW, 10, 20)] == 2
    assert take().place == 2
    assert {s.start: s.available for s in slots("HQ", "passport", TOMORROW, NOON)}[at(TOMORROW, 10)] == 0
    with pytest.raises(SlotFull):
        take()
    assert appointments() == 2


def test_twenty_clients_race_for_the_last_place(app, hq):
    take()  # place 1 of 2

    def attempt(_):
        try:
            return take().code
        except SlotFull as exc:
            return exc.code

    results = run_threads(app, 20, attempt)
    winners = [r for r in results if r != "slot_full"]
    assert len(winners) == 1, results
    assert appointments() == 2
    assert sorted(db.session.scalars(select(Appointment.place))) == [1, 2]


def test_twenty_clients_race_for_two_slots_with_rescheduling_and_cancelling(app, hq):
    """Bookings, moves and cancellations at once never put more than the places in a slot."""
    first = take(at(TOMORROW, 11))

    def attempt(i):
        try:
            if i == 0:
                return reschedule(first.code, at(TOMORROW, 10), now=NOON).place
            if i == 1:
                return cancel_appointment(first.code, now=NOON).status
            return take(at(TOMORROW, 10 + i % 2)).place
        except Exception as exc:  # noqa: BLE001 - the refusals are what we count
            return getattr(exc, "code", repr(exc))

    run_threads(app, 20, attempt)
    db.session.rollback()
    for hour in (10, 11):
        live = db.session.scalars(select(Appointment.place).where(
            Appointment.start == at(TOMORROW, hour), Appointment.status == "booked")).all()
        assert len(live) <= 2 and len(set(live)) == len(live) and None not in live


def test_cancelling_frees_the_place(hq):
    one, two = take(), take()
    cancelled = cancel_appointment(one.code.lower(), now=NOON)
    assert (cancelled.status, cancelled.place) == ("cancelled", None)
    assert {s.start: s.available for s in slots("HQ", "passport", TOMORROW, NOON)}[at(TOMORROW, 10)] == 1
    assert take().place == 1
    assert two.place == 2
    with pytest.raises(Exception) as again:
        cancel_appointment(one.code, now=NOON)
    assert (http_status(again.value), again.value.code) == (409, "already_cancelled")


def test_rescheduling_moves_the_place_and_keeps_the_code(hq):
    appointment = take()
    take(at(TOMORROW, 11))
    moved = reschedule(appointment.code, at(TOMORROW, 11), now=NOON)
    assert (moved.code, moved.start, moved.end, moved.place) == (
        appointment.code, at(TOMORROW, 11), at(TOMORROW, 11, 20), 2)
    left = {s.start: s.available for s in slots("HQ", "passport", TOMORROW, NOON)}
    assert (left[at(TOMORROW, 10)], left[at(TOMORROW, 11)]) == (2, 0)
    with pytest.raises(SlotFull):
        reschedule(take().code, at(TOMORROW, 11), now=NOON)
    assert appointment_by_code(appointment.code).start == at(TOMORROW, 11)


@pytest.mark.parametrize(("start", "code"), [
    (at(NOON.date(), 11), "in_the_past"),
    (at(NOON.date(), 12, 20), "too_soon"),
    (at(TOMORROW, 10, 5), "not_a_slot"),
    (at(date(2026, 12, 24), 10), "beyond_horizon"),
])
def test_a_start_that_is_not_a_slot_is_refused_and_changes_nothing(hq, start, code):
    appointment = take()
    with pytest.raises(Exception) as refused:
        take(start)
    assert (http_status(refused.value), refused.value.code) == (422, code)
    with pytest.raises(Exception) as refused:
        reschedule(appointment.code, start, now=NOON)
    assert (http_status(refused.value), refused.value.code) == (422, code)
    assert appointments() == 1
    assert appointment_by_code(appointment.code).start == at(TOMORROW, 10)


@pytest.mark.parametrize(("day", "hh", "code"), [
    (date(2026, 11, 29), 10, "closed_day"),  # Sunday
    (date(2026, 11, 24), 8, "outside_hours"),
    (date(2026, 11, 24), 17, "outside_hours"),
    (date(2026, 12, 25), 10, "closed_day"),  # exception day, within the horizon from December
])
def test_nyc_closed_days_and_hours_are_refused(ctx, day, hh, code):
    clerks("NYC", 9, skills=("birth",))
    with pytest.raises(Exception) as refused:
        book("NYC", "birth", at(day, hh, tz=NY), "Ana", email="ana@example.org",
             now=datetime(2026, 12, 1, 12, tzinfo=NY) if day.month == 12 else NOON)
    assert (http_status(refused.value), refused.value.code) == (422, code)
    assert appointments() == 0


@pytest.mark.parametrize(("kw", "status"), [
    ({"name": " "}, 422), ({"name": "x" * 121}, 422), ({"phone": None}, 422), ({"language": "fr"}, 422),
    ({"service": "tax"}, 422),  # not bookable
    ({"service": "nope"}, 404), ({"centre": "NOPE"}, 404),
])
def test_bad_bookings_are_refused(hq, kw, status):
    args = {"centre": "HQ", "service": "passport", "start": at(TOMORROW, 10), "name": "Ana", "phone": "+34600000000"}
    args.update(kw)
    with pytest.raises(Exception) as refused:
        book(args.pop("centre"), args.pop("service"), args.pop("start"), args.pop("name"), now=NOON, **args)
    assert http_status(refused.value) == status
    assert appointments() == 0


def test_codes_are_unguessable_and_distinct():
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(CODE.match(c) for c in codes)
    assert not set("".join(codes)) & set("0O1I")


def test_a_checked_in_appointment_cannot_be_cancelled_or_moved(hq):
    appointment = take(at(NOON.date(), 13))
    check_in("HQ", appointment.code, now=at(NOON.date(), 12, 50), by=SYSTEM)
    for verb in (lambda: cancel_appointment(appointment.code, now=NOON),
                 lambda: reschedule(appointment.code, at(TOMORROW, 10), now=NOON)):
        with pytest.raises(Exception) as refused:
            verb()
        assert (http_status(refused.value), refused.value.code) == (409, "already_checked_in")
    # a checked-in visitor still holds the place
    assert {s.start: s.available for s in slots("HQ", "passport", NOON.date(), NOON)}[at(NOON.date(), 13)] == 1


# ---- the API ------------------------------------------------------------------------------

@pytest.fixture
def booking_api(api, hq, monkeypatch):
    import queue_app.services.booking as booking
    import queue_app.services.visit_booking as visit_booking

    for module in (booking, visit_booking):
        monkeypatch.setattr(module, "utcnow", lambda: NOON)
    return api  # the booking limit is generous in tests; test_booking_site.py tests it


def booking_body(**kw) -> dict:
    return {"centre": "HQ", "service": "passport", "start": at(TOMORROW, 10).isoformat(), "name": "Ana Ruiz",
            "phone": "+34 600 000 000", **kw}


def test_api_slots(booking_api):
    answer = booking_api.get("/api/v1/centres/HQ/slots?service=passport&date=2026-11-24")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert len(body) == 72
    assert body[0] == {"start": "2026-11-24T00:00:00+03:00", "end": "2026-11-24T00:20:00+03:00", "available": 2}
    assert error_of(booking_api.get("/api/v1/centres/NOPE/slots?service=passport&date=2026-11-24")) == (
        404, "not_found")
    assert error_of(booking_api.get("/api/v1/centres/HQ/slots?service=nope&date=2026-11-24")) == (404, "not_found")
    bad = booking_api.get("/api/v1/centres/HQ/slots?service=passport&date=tomorrow")
    assert error_of(bad) == (422, "invalid") and "date" in bad.get_json()["error"]["fields"]
    assert error_of(booking_api.get("/api/v1/centres/HQ/slots?date=2026-11-24")) == (422, "invalid")


def test_api_book_read_reschedule_cancel(booking_api):
    answer = booking_api.post("/api/v1/appointments", json=booking_body(language="es"))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    code = body.pop("code")
    assert CODE.match(code)
    assert body == {"centre": "HQ", "service": "passport", "start": "2026-11-24T10:00:00+03:00",
                    "end": "2026-11-24T10:20:00+03:00", "status": "booked", "language": "es", "initial": "A.", "steps": []}
    assert db.session.scalar(select(Appointment.phone).where(Appointment.code == code)) == "+34600000000"

    shown = booking_api.get(f"/api/v1/appointments/{code.lower()}")
    assert shown.status_code == 200 and shown.get_json()["code"] == code
    text = shown.get_data(as_text=True)
    assert "Ruiz" not in text and "600000000" not in text  # the code alone shows no contact details

    moved = booking_api.post(f"/api/v1/appointments/{code}/reschedule",
                             json={"start": "2026-11-24T09:00:00+01:00"})  # 11:00 in Moscow, in another offset
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["code"], moved.get_json()["start"]) == (code, "2026-11-24T11:00:00+03:00")

    cancelled = booking_api.call("DELETE", f"/api/v1/appointments/{code}")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert error_of(booking_api.call("DELETE", f"/api/v1/appointments/{code}")) == (409, "already_cancelled")
    assert error_of(booking_api.post(f"/api/v1/appointments/{code}/reschedule",
                                     json={"start": "2026-11-24T12:00:00+03:00"})) == (409, "already_cancelled")


def test_api_refusals(booking_api):
    post = lambda **kw: booking_api.post("/api/v1/appointments", json=booking_body(**kw))  # noqa: E731
    assert error_of(post(centre="NOPE")) == (404, "not_found")
    assert error_of(post(service="nope")) == (404, "not_found")
    for start, code in (("2026-11-23T11:00:00+03:00", "in_the_past"), ("2026-11-24T10:05:00+03:00", "not_a_slot"),
                        ("2026-12-24T10:00:00+03:00", "beyond_horizon")):
        refused = post(start=start)
        assert error_of(refused) == (422, code), start
        assert refused.get_json()["error"]["message"]
    for body, field in ((booking_body(phone=None), "phone"), (booking_body(start="2026-11-24T10:00:00"), "start"),
                        (booking_body(email="not an email"), "email"), (booking_body(name=""), "name"),
                        (booking_body(extra=1), "extra"), (booking_body(phone="12"), "phone")):
        body = {k: v for k, v in body.items() if v is not None}
        refused = booking_api.post("/api/v1/appointments", json=body)
        assert error_of(refused) == (422, "invalid"), body
        assert field in refused.get_json()["error"]["fields"], refused.get_json()
    assert appointments() == 0
    assert post().status_code == 201 and post().status_code == 201
    assert error_of(post()) == (409, "slot_full")
    assert error_of(booking_api.get("/api/v1/appointments/ZZZZZZZZ")) == (404, "not_found")
    assert error_of(booking_api.call("DELETE", "/api/v1/appointments/ZZZZZZZZ")) == (404, "not_found")
    assert error_of(booking_api.post("/api/v1/appointments/ZZZZZZZZ/reschedule",
                                     json={"start": "2026-11-24T11:00:00+03:00"})) == (404, "not_found")


def test_api_check_in_still_works_and_then_the_code_cannot_cancel(booking_api, monkeypatch):
    import queue_app.services.appointments as appointments_service

    monkeypatch.setattr(appointments_service, "utcnow", lambda: NOON + timedelta(minutes=50))
    code = booking_api.post("/api/v1/appointments", json=booking_body(start="2026-11-23T13:00:00+03:00")
                            ).get_json()["code"]
    kiosk = booking_api.device("kiosk", "HQ")
    ticket = booking_api.post(f"/api/v1/appointments/{code}/check-in", kiosk, json={})
    assert ticket.status_code == 201, ticket.get_json()
    status = booking_api.get(f"/api/v1/tickets/{ticket.get_json()['token']}")
    assert status.status_code == 200  # the public status page shows no name or phone
    assert "Ruiz" not in status.get_data(as_text=True) and "600000000" not in status.get_data(as_text=True)
    assert booking_api.get(f"/api/v1/appointments/{code}").get_json()["status"] == "checked_in"
    assert error_of(booking_api.call("DELETE", f"/api/v1/appointments/{code}")) == (409, "already_checked_in")


def test_booking_is_rate_limited(booking_api, ctx):
    ctx.config["ONEDOOR_PUBLIC_RATE_LIMIT"] = "3/minute"
    try:
        answers = [booking_api.get("/api/v1/appointments/ZZZZZZZZ", environ_base={"REMOTE_ADDR": "10.9.9.8"})
                   for _ in range(4)]
    finally:
        ctx.config["ONEDOOR_PUBLIC_RATE_LIMIT"] = "10000/minute"
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert error_of(answers[-1]) == (429, "rate_limited")
