"""Appointments at the centre: a booked visitor checks in at the kiosk and gets a ticket."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..db import utcnow
from ..domain import appointments as ap
from ..domain.access import Actor
from ..domain.appointments import EARLY, LATE, AppointmentRefused, check_in_window
from ..domain.errors import NotFound
from ..extensions import db
from ..models import Appointment
from .access import authorise
from .lookup import centre_by_code, setting
from .tickets import Issued, place_ticket
from .tx import atomic
from .visit_booking import later_steps

CheckInRefused = AppointmentRefused  # the appointment exists but cannot become a ticket now


@atomic
def check_in(
    centre_code: str,
    code: str,
    *,
    by: Actor,
    now: datetime | None = None,
    language: str | None = None,
    printer_uri: str | None = None,
) -> Issued:
    """Turn a booked appointment into a waiting ticket with appointment priority from its start.

    Refused (409) before the check-in window opens (`too_early`), after it closes (`too_late`: the
    visitor may take a walk-in ticket), at another centre (`wrong_centre`) and a second time
    (`already_checked_in`); an unknown code is a 404. Codes are compared without case or spaces,
    as people type them. `by` is the kiosk (a device of this centre) or the system.
    """
    now = now or utcnow()
    centre = centre_by_code(centre_code)
    authorise(by, centre.id)
    typed = "".join(code.split()).upper()
    # FOR UPDATE on PostgreSQL, so two kiosks cannot check the same code in twice at once;
    # SQLite's write transaction already serialises them.
    appointment = db.session.scalar(select(Appointment).where(Appointment.code == typed).with_for_update())
    if appointment is None or appointment.status not in ap.LIVE:
        raise NotFound(f"no appointment with code {typed!r} to check in", code="unknown_appointment")
    checked_in = ap.next_status(appointment.status, ap.CHECK_IN, f"appointment {typed}")
    if appointment.centre_id != centre.id:
        raise CheckInRefused("wrong_centre", f"appointment {typed} is at another centre: "
                                             f"{appointment.centre.code}")
    window = setting("appointments")
    early, late = window.get("checkin_early_min", 30), window.get("checkin_late_min", 15)
    verdict = check_in_window(appointment.start, now, early, late)
    local = appointment.start.astimezone(centre.tz).strftime("%H:%M")
    if verdict == EARLY:
        raise CheckInRefused(EARLY, f"too early: check-in for the {local} appointment opens {early} minutes before it")
    if verdict == LATE:
        raise CheckInRefused(LATE, f"too late: the {local} appointment could be checked in until {late} minutes "
                                   "after it started; please take a walk-in ticket")
    steps = later_steps(appointment)  # a booked visit: one ticket for all its steps
    issued = place_ticket(
        centre, appointment.service, now, language=language or appointment.language, phone=appointment.phone,
        source="appointment", by=by, printer_uri=printer_uri, appointment=appointment,
        then=[step.service for step in steps if step.status == ap.BOOKED],
    )
    for step in [appointment, *(s for s in steps if s.status == ap.BOOKED)]:
        step.status = checked_in
    return issued
