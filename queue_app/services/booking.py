"""Online booking: a day's free slots, booking one, cancelling and rescheduling by code."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..db import utcnow
from ..domain import appointments as ap
from ..domain.appointments import AppointmentRefused
from ..domain.errors import InvalidRequest, NotFound
from ..domain.hours import local_day_bounds
from ..domain.slots import SlotFull, Window, free_slots, why_not_a_slot
from ..domain.text import has_visible_letter, trim_invisible
from ..extensions import db
from ..models import Appointment, Centre, Service
from . import changes
from .capacity import day_places, walk_in_share
from .lookup import centre_by_code, language_codes, service_by_code, setting
from .tx import atomic

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: no 0/O, no 1/I
CODE_LENGTH = 8  # 32^8 = 2^40 codes
RETRIES = 10  # extra attempts after a lost race or a code collision
NotChangeable = AppointmentRefused  # the appointment can no longer be cancelled or moved


def new_code() -> str:
    """An unguessable appointment code: 8 symbols from `secrets`, about 40 bits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Codes are compared without case or spaces, as people type them."""
    return "".join(code.split()).upper()


def _rules(now: datetime) -> tuple[float, Window]:
    cfg = setting("appointments")
    window = Window(now=now, notice=timedelta(minutes=cfg.get("min_notice_min", 30)),
                    horizon_days=cfg.get("horizon_days", 30))
    return walk_in_share(), window


def _bookable(service_code: str) -> Service:
    service = service_by_code(service_code)
    if not service.bookable:
        raise InvalidRequest(f"service {service.code!r} cannot be booked: take a ticket at the centre",
                             code="not_bookable")
    return service


def _length(service: Service) -> timedelta:
    return timedelta(minutes=service.duration_min)


def _booked_by_start(centre: Centre, service: Service, day: date) -> dict[datetime, int]:
    first, last = local_day_bounds(day, centre.tz)
    rows = db.session.execute(
        select(Appointment.start, func.count()).where(
            Appointment.centre_id == centre.id, Appointment.service_id == service.id,
            Appointment.status.in_(ap.LIVE), Appointment.start >= first, Appointment.start < last,
        ).group_by(Appointment.start)
    ).all()
    return {start: n for start, n in rows}


def slots(centre_code: str, service_code: str, day: date, now: datetime | None = None) -> list:
    """Return the bookable slots of a centre's local day for a service, each with its free places."""
    now = now or utcnow()
    centre, service = centre_by_code(centre_code), _bookable(service_code)
    share, window = _rules(now)
    if day > window.last_day(centre.tz):
        return []
    places = [n for _, _, n in day_places(centre, service, day, share)]
    return free_slots(day, centre.opening_hours.span_on(day), centre.tz, _length(service), places,
                      _booked_by_start(centre, service, day), window)


def _check_slot(centre: Centre, service: Service, start: datetime, now: datetime) -> tuple[datetime, int]:
    """Refuse a start that is not a slot (422) or whose slot offers no place online (409
    `slot_full`); return the slot's end and its places (from the day's roster)."""
    if start.tzinfo is None:
        raise InvalidRequest("start needs a UTC offset, e.g. 2026-11-24T10:00:00+03:00")
    share, window = _rules(now)
    local = start.astimezone(centre.tz)
    refusal = why_not_a_slot(start, centre.opening_hours.span_on(local.date()), centre.tz, _length(service), window)
    if refusal is not None:
        raise refusal
    places = next((n for s, _, n in day_places(centre, service, local.date(), share) if s == local), 0)
    if places <= 0:
        raise SlotFull(f"{service.code} offers no place online at {centre.code} at {local:%Y-%m-%d %H:%M}: "
                       f"the roster gives that slot none; please choose another")
    return start + _length(service), places


def _take_place(appointment: Appointment, start: datetime, end: datetime, places: int, *, fresh: bool) -> None:
    """Give the appointment the lowest free place of the slot, or raise SlotFull.

    Each attempt runs in a savepoint: a concurrent booking that took the same place first makes the
    unique constraint fail (PostgreSQL; SQLite's write lock already serialises bookings), and the
    next attempt sees its row and takes the next place.
    """
    for _ in range(places + RETRIES):
        others = (Appointment.centre_id == appointment.centre_id, Appointment.service_id == appointment.service_id,
                  Appointment.start == start, Appointment.status.in_(ap.LIVE))
        if not fresh:
            others += (Appointment.id != appointment.id,)
        rows = db.session.execute(select(Appointment.place).where(*others)).scalars().all()
        taken = {p for p in rows if p is not None}
        free = [p for p in range(1, places + 1) if p not in taken]
        if len(rows) >= places or not free:
            raise SlotFull("that slot has just been fully booked; please choose another")
        try:
            with db.session.begin_nested():
                appointment.start, appointment.end, appointment.place = start, end, free[0]
                if fresh:
                    appointment.code = new_code()
                    db.session.add(appointment)
                db.session.flush()
            return
        except IntegrityError:
            continue  # lost the race for that place (or, once in 2^40, the code): look again
    raise SlotFull("that slot has just been fully booked; please choose another")


@atomic
def book(
    centre_code: str, service_code: str, start: datetime, name: str, phone: str | None = None,
    email: str | None = None, language: str | None = None, now: datetime | None = None,
) -> Appointment:
    """Book a place in a free slot and return the appointment with its new code.

    Refused: unknown centre or service (404), a start that is not a slot (422, e.g. `in_the_past`,
    `closed_day`, `outside_hours`, `beyond_horizon`), bad contact details (422), a full slot (409
    `slot_full`).
    """
    now = now or utcnow()
    centre, service = centre_by_code(centre_code), _bookable(service_code)
    name = trim_invisible(name or "")
    if not 1 <= len(name) <= 120:
        raise InvalidRequest("name must be 1 to 120 characters", code="bad_name")
    if not has_visible_letter(name):
        raise InvalidRequest("a name needs at least one visible letter or digit", code="bad_name")
    if not (phone or email):
        raise InvalidRequest("give a phone number or an email address, so the centre can reach you",
                             code="contact_required")
    languages = language_codes()
    if language is not None and language not in languages:
        raise InvalidRequest(f"language {language!r} is not one of {', '.join(languages)}")
    end, places = _check_slot(centre, service, start, now)
    appointment = Appointment(centre_id=centre.id, service_id=service.id, status=ap.next_status(None, ap.BOOK), name=name,
                              phone=phone or None, email=email or None, language=language or languages[0],
                              created_at=now)
    _take_place(appointment, start, end, places, fresh=True)
    changes.appointment_booked(appointment.id, now)  # after commit: the visitor's confirmation
    return appointment


def appointment_by_code(code: str, *, lock: bool = False) -> Appointment:
    typed = normalise_code(code)
    query = select(Appointment).where(Appointment.code == typed)
    # FOR UPDATE on PostgreSQL; SQLite's write transaction already serialises changes.
    appointment = db.session.scalar(query.with_for_update() if lock else query)
    if appointment is None:
        raise NotFound(f"no appointment with code {typed!r}")
    return appointment


def _changeable(code: str, action: str, now: datetime) -> tuple[Appointment, str]:
    """The appointment locked, and the status `action` gives it; refused (409) once it is not
    booked any more (domain/appointments.py) or has started."""
    appointment = appointment_by_code(code, lock=True)
    status = ap.next_status(appointment.status, action, f"appointment {appointment.code}")
    if appointment.start <= now:
        raise NotChangeable("already_started", f"appointment {appointment.code} has already started")
    return appointment, status


@atomic
def cancel_appointment(code: str, now: datetime | None = None) -> Appointment:
    """Cancel a booked appointment and free its place (a booked visit's: every step's); 409 once
    checked in, cancelled or started."""
    appointment, cancelled = _changeable(code, ap.CANCEL, now or utcnow())
    appointment.status, appointment.place = cancelled, None
    if appointment.visit_id is None:  # a booked visit's later steps go with its first
        for step in db.session.scalars(select(Appointment).where(Appointment.visit_id == appointment.id,
                                                                 Appointment.status.in_(ap.LIVE))):
            step.status, step.place = cancelled, None
    return appointment


@atomic
def reschedule(code: str, start: datetime, now: datetime | None = None) -> Appointment:
    """Move a booked appointment to another free slot of the same centre and service, keeping its
    code: the new place is taken and the old one freed in one transaction."""
    now = now or utcnow()
    appointment, _ = _changeable(code, ap.RESCHEDULE, now)
    if start.tzinfo is None or start != appointment.start:
        end, places = _check_slot(appointment.centre, appointment.service, start, now)
        _take_place(appointment, start, end, places, fresh=False)
    changes.appointment_moved(appointment.id, now)  # after commit: the visitor is told the time
    return appointment
