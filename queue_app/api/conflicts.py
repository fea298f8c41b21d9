"""A centre's booking conflicts (SPEC §10): slots from now on holding more live appointments than
the roster now gives them places, with the appointments to move (managers of the centre, admins)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from ..services.overbooking import Conflict, booking_conflicts
from .access import actor, require
from .blueprint import Blueprint
from .schemas import ErrorSchema

blp = Blueprint("booking_conflicts", __name__, url_prefix="/api/v1/centres",
                description="Booked slots over the places the roster gives them.")


class BookedOut(ma.Schema):
    code = fields.String(metadata={"description": "the appointment's code"})
    place = fields.Integer(allow_none=True, metadata={"description": "its numbered place in the slot"})


class ConflictOut(ma.Schema):
    service = fields.String()
    start = fields.String(metadata={"description": "centre-local, ISO 8601 with its offset"})
    end = fields.String()
    places = fields.Integer(metadata={"description": "the places the day's roster gives the slot now"})
    booked = fields.Integer(metadata={"description": "live appointments in the slot"})
    over = fields.Integer(metadata={"description": "booked − places: how many must be moved"})
    appointments = fields.List(fields.Nested(BookedOut))


class ConflictsOut(ma.Schema):
    centre = fields.String()
    slots = fields.Integer()
    appointments = fields.Integer(metadata={"description": "appointments over the places, summed over the slots"})
    conflicts = fields.List(fields.Nested(ConflictOut))


def conflict_out(conflict: Conflict) -> dict:
    return {"service": conflict.service, "start": conflict.start.isoformat(), "end": conflict.end.isoformat(),
            "places": conflict.places, "booked": len(conflict.appointments), "over": conflict.over,
            "appointments": [{"code": b.code, "place": b.place} for b in conflict.appointments]}


@blp.get("/<string:centre>/booking-conflicts")
@require("manager", "admin")
@blp.response(200, ConflictsOut)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(401, schema=ErrorSchema)
def conflicts(centre):
    """The centre's slots from now on whose live appointments exceed their places (after a shift
    was cut or removed), each with the appointments in it (code, place; no personal data)."""
    found = booking_conflicts(centre, by=actor())
    return {"centre": centre, "slots": len(found), "appointments": sum(c.over for c in found),
            "conflicts": [conflict_out(c) for c in found]}
