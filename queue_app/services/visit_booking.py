"""Booking a visit of several services (SPEC §11) as consecutive slots at one centre.

Each step holds a place in its own service's slot (so every slot's capacity, from the roster,
stays exact); the later appointments name the first, whose code the visitor holds. The whole
chain is booked, moved and cancelled in one transaction: never half a visit.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from ..db import utcnow
from ..domain.slots import Slot, SlotFull, chain, free_slots
from ..domain.visits import check_plan
from ..extensions import db
from ..models import Appointment, Centre, Service
from .booking import _booked_by_start, _bookable, _check_slot, _length, _rules, _take_place, book, reschedule
from .capacity import day_places
from .lookup import centre_by_code
from .tx import atomic


def _day_slots(centre: Centre, service: Service, day: date, now: datetime) -> list[Slot]:
    share, window = _rules(now)
    places = [n for _, _, n in day_places(centre, service, day, share)]
    return free_slots(day, centre.opening_hours.span_on(day), centre.tz, _length(service), places,
                      _booked_by_start(centre, service, day), window)


def visit_slots(centre_code: str, codes: list[str], day: date, now: datetime | None = None) -> list[dict]:
    """The starts of a local day from which a visit of these services fits in consecutive slots,
    each with the places free for the whole visit and its steps' times."""
    now = now or utcnow()
    centre = centre_by_code(centre_code)
    services = [_bookable(code) for code in check_plan(codes)]
    per_service = [_day_slots(centre, s, day, now) for s in services]
    found = []
    for first in per_service[0]:
        steps = chain(first, per_service[1:])
        if steps is not None:
            found.append({
                "start": steps[0].start, "end": steps[-1].end, "available": min(s.available for s in steps),
                "steps": [{"service": svc.code, "start": s.start, "end": s.end} for svc, s in zip(services, steps)],
            })
    return found


def later_steps(appointment: Appointment) -> list[Appointment]:
    """The appointments booked after this one for the same visit, in order (none for most)."""
    if appointment.visit_id is not None:
        return []
    return list(db.session.scalars(
        select(Appointment).where(Appointment.visit_id == appointment.id).order_by(Appointment.start)))


def _chain_after(first: Appointment, services: list[Service], now: datetime) -> list[Slot]:
    """The later steps' slots right after `first`, as free now; SlotFull when the visit does not fit."""
    day = first.start.astimezone(first.centre.tz).date()
    head = Slot(first.start.astimezone(first.centre.tz), first.end.astimezone(first.centre.tz), 1)
    steps = chain(head, [_day_slots(first.centre, s, day, now) for s in services])
    if steps is None:
        codes = ", ".join(s.code for s in services)
        raise SlotFull(f"the visit's next steps ({codes}) have no free slot right after "
                       f"{first.end.astimezone(first.centre.tz):%H:%M}; please choose another time")
    return steps[1:]


@atomic
def book_visit(centre_code: str, codes: list[str], start: datetime, name: str, phone: str | None = None,
               email: str | None = None, language: str | None = None, now: datetime | None = None) -> Appointment:
    """Book a visit of several services from `start`, each step in the next free slot of its
    service right after the one before; return the first appointment, whose code is the visit's.
    Refused as a booking is (`book`), and 409 `slot_full` when any step has no slot: nothing booked."""
    now = now or utcnow()
    codes = check_plan(codes)
    later = [_bookable(code) for code in codes[1:]]
    first = book(centre_code, codes[0], start, name, phone=phone, email=email, language=language, now=now)
    for service, slot in zip(later, _chain_after(first, later, now)):
        end, places = _check_slot(first.centre, service, slot.start, now)
        step = Appointment(centre_id=first.centre_id, service_id=service.id, status=first.status, name=first.name,
                           phone=first.phone, email=first.email, language=first.language, created_at=now,
                           visit_id=first.id)
        _take_place(step, slot.start, end, places, fresh=True)
    return first


@atomic
def reschedule_visit(code: str, start: datetime, now: datetime | None = None) -> Appointment:
    """Move a booked visit to start at `start`, its later steps to the slots right after, keeping
    every code; refused as `reschedule` is, and 409 `slot_full` when a step does not fit."""
    now = now or utcnow()
    first = reschedule(code, start, now=now)
    steps = later_steps(first)
    if steps:
        for step in steps:  # their old places are free for the new chain to take
            step.place = None
        db.session.flush()
        for step, slot in zip(steps, _chain_after(first, [s.service for s in steps], now)):
            end, places = _check_slot(first.centre, step.service, slot.start, now)
            _take_place(step, slot.start, end, places, fresh=False)
    return first
