"""/api/v1/admin: centres, their exception days and counters — admins all, managers their centres'
hours, exception days and counters (SPEC §12)."""
from __future__ import annotations

from ..services import admin
from .access import actor, require
from .admin_catalogue import READERS
from .admin_centres_schemas import (
    AdminCentreOut, AdminCounterOut, CentreChange, CentreIn, CounterChange, CounterIn, ExceptionIn, ExceptionOut,
)
from .blueprint import Blueprint

blp = Blueprint("admin_centres", __name__, url_prefix="/api/v1/admin",
                description="Administration: centres, exception days and counters (SPEC §12). Every change is audited.")
CENTRE = "<string(maxlength=8):code>"
DAY = "<string(maxlength=10):day>"
refusals = blp.refusals


@blp.get("/centres")
@require(*READERS)
@blp.response(200, AdminCentreOut(many=True))
@refusals()
def list_centres():
    """Every centre for an admin (deactivated ones too), a manager's own centres."""
    return admin.centres(actor())


@blp.post("/centres")
@require("admin")
@blp.arguments(CentreIn)
@blp.response(201, AdminCentreOut)
@refusals(422)
def add_centre(body):
    """Add a centre with its counters (admins); unset policy knobs take the network's defaults."""
    return admin.create_centre(actor(), **body)


@blp.patch(f"/centres/{CENTRE}")
@require(*READERS)
@blp.arguments(CentreChange)
@blp.response(200, AdminCentreOut)
@refusals(404, 409, 422)
def change_centre(body, code):
    """Change a centre (admins); a manager of it changes its hours only. Deactivating it is refused
    (409) while visitors wait, counters are open or bookings are to come. `to_move`: bookings the
    hours now leave without a place."""
    return admin.change_centre(actor(), code, **body)


@blp.put(f"/centres/{CENTRE}/exceptions/{DAY}")
@require(*READERS)
@blp.arguments(ExceptionIn)
@blp.response(200, ExceptionOut)
@refusals(404, 422)
def set_exception(body, code, day):
    """Make a day an exception day: "closed" (a holiday, its slots gone) or other hours; answers
    with the bookings made on it that are left without a place, for the manager to move."""
    return admin.set_exception(actor(), code, day, **body)


@blp.delete(f"/centres/{CENTRE}/exceptions/{DAY}")
@require(*READERS)
@blp.response(200, ExceptionOut)
@refusals(404, 422)
def remove_exception(code, day):
    """Drop an exception day: it has the weekly hours again."""
    return admin.remove_exception(actor(), code, day)


@blp.post(f"/centres/{CENTRE}/counters")
@require(*READERS)
@blp.arguments(CounterIn)
@blp.response(201, AdminCounterOut)
@refusals(404, 422)
def add_counter(body, code):
    """Add a counter to a centre, numbered after its last one."""
    return admin.add_counter(actor(), code, **body)


@blp.patch("/counters/<string(maxlength=12):code>")
@require(*READERS)
@blp.arguments(CounterChange)
@blp.response(200, AdminCounterOut)
@refusals(404, 409, 422)
def change_counter(body, code):
    """Rename, retire or bring back a counter; one held by a clerk or with a visitor at it is not retired (409)."""
    return admin.change_counter(actor(), code, **body)
