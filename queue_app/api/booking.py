"""Online booking: a day's slots, booking, and managing an appointment by its code (public)."""
from __future__ import annotations

from .. import services
from ..extensions import limiter
from ..limits import PUBLIC_LIMIT, booking_limit
from .blueprint import Blueprint
from .schemas import AppointmentOut, BookIn, ErrorSchema, RescheduleIn, SlotOut, SlotsQuery

blp = Blueprint("booking", __name__, url_prefix="/api/v1",
                description="Booking an appointment and managing it by its code: no sign-in, rate-limited.")


CODE = "<string(minlength=1, maxlength=32):code>"
NOT_A_SLOT = ("the start is not a bookable slot: in_the_past, too_soon, closed_day, outside_hours, "
              "beyond_horizon or not_a_slot; or the body is invalid")


def _errors(*pairs):
    def wrap(view):
        for status, description in reversed(pairs + ((429, "too many requests from this client"),)):
            view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view
    return wrap


@blp.get("/centres/<string:centre>/slots")
@limiter.limit(PUBLIC_LIMIT)
@blp.arguments(SlotsQuery, location="query")
@blp.response(200, SlotOut(many=True))
@_errors((404, "unknown centre or service"), (422, "invalid query, or a service that cannot be booked"))
def slots(query, centre):
    """The bookable slots of a centre's local day for a service, with the places still free; for a
    visit of several services (`services=a&services=b`), the starts from which all its steps fit
    in consecutive slots."""
    if "services" in query:
        return services.visit_slots(centre, query["services"], query["date"])
    return services.slots(centre, query["service"], query["date"])


@blp.post("/appointments")
@limiter.limit(PUBLIC_LIMIT)
@booking_limit()
@blp.arguments(BookIn)
@blp.response(201, AppointmentOut)
@_errors((404, "unknown centre or service"), (409, "slot_full: no place left in that slot"), (422, NOT_A_SLOT))
def book(body):
    """Book a place in a slot (for a visit of several services: each step in the next slot of its
    service right after the one before); the answer's code is the visitor's only key to it."""
    contact = {"phone": body.get("phone"), "email": body.get("email"), "language": body.get("language")}
    if "services" in body:
        return services.book_visit(body["centre"], body["services"], body["start"], body["name"], **contact), 201
    return services.book(body["centre"], body["service"], body["start"], body["name"], **contact), 201


@blp.get(f"/appointments/{CODE}")
@limiter.limit(PUBLIC_LIMIT)
@blp.response(200, AppointmentOut)
@_errors((404, "no appointment with that code"))
def appointment(code):
    """An appointment by its code (no contact details: only the name's initial)."""
    return services.appointment_by_code(code)


@blp.delete(f"/appointments/{CODE}")
@limiter.limit(PUBLIC_LIMIT)
@blp.response(200, AppointmentOut)
@_errors((404, "no appointment with that code"),
         (409, "already_cancelled, already_checked_in or already_started"))
def cancel(code):
    """Cancel the appointment and free its place."""
    return services.cancel_appointment(code)


@blp.post(f"/appointments/{CODE}/reschedule")
@limiter.limit(PUBLIC_LIMIT)
@booking_limit()
@blp.arguments(RescheduleIn)
@blp.response(200, AppointmentOut)
@_errors((404, "no appointment with that code"),
         (409, "slot_full, already_cancelled, already_checked_in or already_started"), (422, NOT_A_SLOT))
def reschedule(body, code):
    """Move the appointment to another slot of the same centre and service, keeping its code (a
    booked visit's later steps move to the slots right after)."""
    return services.reschedule_visit(code, body["start"])
