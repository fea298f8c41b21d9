"""Booking conflicts (SPEC §10): the slots of a centre, from now on, whose live appointments
exceed the places the day's roster now gives them — after a shift was removed or shortened, or
the hours changed. Computed on read from the appointments and the duty (no table of its own);
what is listed is what managers act on: the appointment's code, service, start and place,
never the visitor's name or contact details."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..db import utcnow
from ..domain import appointments as ap
from ..domain.access import ADMIN, MANAGER, SYSTEM_ROLE, Actor
from ..domain.errors import Forbidden
from ..extensions import db
from ..models import Appointment, Centre, Service
from .access import authorise
from .capacity import active_menu, counter_count, day_places, walk_in_share
from .lookup import centre_by_code
from .roster import duties

READERS = (MANAGER, ADMIN, SYSTEM_ROLE)


@dataclass(frozen=True)
class Booked:
    code: str
    place: int | None


@dataclass(frozen=True)
class Conflict:
    """A slot holding more live appointments than its places: `booked` − `places` must move."""

    service: str
    start: datetime  # centre-local
    end: datetime
    places: int
    appointments: list[Booked]  # by place

    @property
    def over(self) -> int:
        return len(self.appointments) - self.places


def overbooked(centre: Centre, now: datetime | None = None) -> list[Conflict]:
    """The centre's overbooked slots starting from `now` on, by start then service."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Appointment.start, Appointment.code, Appointment.place, Appointment.service_id)
        .where(Appointment.centre_id == centre.id, Appointment.status.in_(ap.LIVE), Appointment.start >= now)
    ).all()
    if not rows:
        return []
    by_slot: dict[tuple[date, int], dict[datetime, list[Booked]]] = defaultdict(lambda: defaultdict(list))
    for start, code, place, service_id in rows:
        local = start.astimezone(centre.tz)
        by_slot[(local.date(), service_id)][local].append(Booked(code, place))
    services = {s.id: s for s in db.session.scalars(select(Service).where(
        Service.id.in_({service_id for _, service_id in by_slot})))}
    share = walk_in_share()
    days = sorted({day for day, _ in by_slot})
    on, counters, menu = duties(centre, days[0], days[-1]), counter_count(centre), active_menu()
    found = []
    for (day, service_id), starts in sorted(by_slot.items()):
        service = services[service_id]
        places = {start: (end, n) for start, end, n in day_places(centre, service, day, share, on[day], counters, menu)}
        for start, booked in starts.items():
            end, n = places.get(start, (start, 0))  # off the grid now (hours changed): no place
            if len(booked) > n:
                found.append(Conflict(service.code, start, end, n,
                                      sorted(booked, key=lambda b: (b.place is None, b.place or 0, b.code))))
    return sorted(found, key=lambda c: (c.start, c.service))


def booking_conflicts(centre_code: str, now: datetime | None = None, *, by: Actor) -> list[Conflict]:
    """`overbooked` for the centre's managers and admins (403 for anyone else)."""
    centre = centre_by_code(centre_code)
    if by.is_device or authorise(by, centre.id) not in READERS:
        raise Forbidden(f"{by.name} may not read the booking conflicts of centre {centre.code}")
    return overbooked(centre, now)
