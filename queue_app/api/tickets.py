"""Tickets: a kiosk issues them; a clerk recalls, starts, finishes, transfers or marks no-show."""
from __future__ import annotations

from .. import services
from ..domain.errors import InvalidRequest
from ..services.lookup import menu, ticket_by_id
from ..services.printing import device_printer_state, job_state
from ..services.visits import steps_brief
from ..urls import visitor_url
from .access import actor, caller, ensure_centre, require
from .blueprint import Blueprint
from .schemas import (CheckedInOut, CheckInIn, ErrorSchema, FinishedOut, FinishIn, IssuedOut, IssueIn, NoteIn, PaperOut,
                      PrinterStateOut, StepIn, TicketOut, TransferIn)

blp = Blueprint("tickets", __name__, url_prefix="/api/v1", description="Issuing tickets and moving them along.")


@blp.post("/centres/<string:centre>/tickets")
@require("kiosk")
@blp.arguments(IssueIn)
@blp.response(201, IssuedOut)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="centre_closed, or not_served_today (with next_served_at and bookable)")
def issue(body, centre):
    """Issue a walk-in ticket at this kiosk's centre (for one service, or for a visit of several:
    `services`); a print job goes to the kiosk's printer."""
    principal = caller()
    for code in body.get("services") or [body["service"]]:
        known_service(code)
    issued = services.issue_ticket(  # a kiosk issues only at its own centre
        centre, body.get("service"), services=body.get("services"), by=principal.actor, priority=body["priority"], language=body.get("language"),
        phone=body.get("phone"), source="kiosk", printer_uri=principal.printer_uri,
    )
    return issued_answer(issued), 201


@blp.get("/tickets/<int(min=1, max=2147483647):ticket_id>/paper")
@require("kiosk")
@blp.response(200, PaperOut)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def paper(ticket_id):
    """How the ticket's paper is doing at the printer (a kiosk of the ticket's centre asks, to tell
    the visitor to keep the number shown on screen when printing fails)."""
    ticket = ticket_by_id(ticket_id)
    ensure_centre(ticket.centre)
    return {"ticket": ticket.id, "state": job_state(ticket.id)}


@blp.get("/kiosk/printer")
@require("kiosk")
@blp.response(200, PrinterStateOut)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
def kiosk_printer():
    """How this kiosk's printer is doing, so the kiosk never promises paper it knows will not come."""
    principal = caller()
    return {"state": device_printer_state(principal.actor.device_id) if principal.printer_uri else "none"}


def issued_answer(issued) -> dict:
    t = issued.ticket
    return {
        "id": t.id, "token": t.token, "number": t.number, "service": t.service.code, "status": t.status,
        "position": issued.position, "estimated_wait_min": issued.estimated_wait_min,
        "estimated_wait_range_min": issued.estimated_wait_range_min, "issued_at": t.issued_at,
        "status_url": visitor_url(t.token), "print_job": issued.print_job_id,
        "steps": steps_brief(t, [t]),
    }


@blp.post("/appointments/<string(maxlength=32):code>/check-in")
@require("kiosk")
@blp.arguments(CheckInIn)
@blp.response(201, CheckedInOut)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema, description="no appointment with that code")
@blp.alt_response(409, schema=ErrorSchema,
                  description="too_early, too_late (take a walk-in ticket), wrong_centre, already_checked_in, "
                              "or the centre is closed")
def check_in(body, code):
    """Check a booked visitor in at this kiosk's centre: the appointment becomes a waiting ticket
    with appointment priority, printed at the kiosk's printer."""
    principal = caller()
    device = principal.device
    issued = services.check_in(device.centre.code, code, by=principal.actor, language=body.get("language"),
                               printer_uri=device.printer_uri)
    appointment = issued.ticket.appointment
    return {**issued_answer(issued), "appointment": {
        "code": appointment.code, "start": appointment.start, "service": appointment.service.code}}, 201


def known_service(code: str) -> None:
    """A service named in a body that is not in the catalogue is a bad body (422), not a 404
    (the network's menu, cached: issuing then reads the service once)."""
    if code not in menu():
        raise InvalidRequest(f"service {code!r} is not in the catalogue")


def _act(ticket_id: int, verb, *args):
    return verb(ticket_id, *args, by=actor())


STAFF_ERRORS = [(401, None), (403, None), (404, None), (409, "an illegal move for the ticket's status")]


def staff_errors(view):
    for status, description in reversed(STAFF_ERRORS):
        view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
    return view


@blp.post("/tickets/<int(min=1, max=2147483647):ticket_id>/recall")
@require("clerk", "manager", "admin")
@blp.response(200, TicketOut)
@staff_errors
def recall(ticket_id):
    """Call the same ticket again; past the centre's recall limit it becomes a no-show."""
    return _act(ticket_id, services.recall)


@blp.post("/tickets/<int(min=1, max=2147483647):ticket_id>/start")
@require("clerk", "manager", "admin")
@blp.response(200, TicketOut)
@staff_errors
def start(ticket_id):
    """The visitor has reached the counter."""
    return _act(ticket_id, services.start)


@blp.post("/tickets/<int(min=1, max=2147483647):ticket_id>/no-show")
@require("clerk", "manager", "admin")
@blp.response(200, TicketOut)
@staff_errors
def no_show(ticket_id):
    """The called visitor did not come."""
    return _act(ticket_id, services.no_show)


@blp.post("/tickets/<int(min=1, max=2147483647):ticket_id>/finish")
@require("clerk", "manager", "admin")
@blp.arguments(FinishIn)
@blp.response(200, FinishedOut)
@staff_errors
def finish(body, ticket_id):
    """End the step: resolved, or unresolved with a reason. A visit with a step left goes on to it
    (waiting in its line, keeping its arrival time; or called here with `continue_here`)."""
    ticket = services.finish(ticket_id, body["outcome"], body.get("reason"), by=actor(),
                             continue_here=body["continue_here"])
    following = services.current_row(ticket)
    return {"ticket": ticket, "next_ticket": following.id if following.id != ticket.id else None}


@blp.post("/tickets/<int(min=1, max=2147483647):ticket_id>/steps")
@require("clerk", "manager", "admin")
@blp.arguments(StepIn)
@blp.response(201, TicketOut)
@staff_errors
def add_step(body, ticket_id):
    """Add a service at the end of the visit (a need found at the counter): 409 when it is already
    a step to come (`duplicate_step`), past 5 steps (`too_many_steps`), the visit is over
    (`visit_over`) or nobody serves it for the rest of today (`not_served_today`)."""
    known_service(body["service"])
    return _act(ticket_id, services.add_step, body["service"]), 201


@blp.delete("/tickets/<int(min=1, max=2147483647):ticket_id>/steps/<string(maxlength=40):service>")
@require("clerk", "manager", "admin")
@blp.response(200, TicketOut)
@staff_errors
def drop_step(ticket_id, service):
    """Drop a step still to come; 404 when the service is not one."""
    return _act(ticket_id, services.drop_step, service)


@blp.put("/tickets/<int(min=1, max=2147483647):ticket_id>/note")
@require("clerk", "manager", "admin")
@blp.arguments(NoteIn)
@blp.response(200, TicketOut)
@staff_errors
def note(body, ticket_id):
    """Leave a short note on the visit for its next clerk (an empty one clears it)."""
    return _act(ticket_id, services.set_note, body["note"])


@blp.post("/tickets/<int(min=1, max=2147483647):ticket_id>/transfer")
@require("clerk", "manager", "admin")
@blp.arguments(TransferIn)
@blp.response(201, TicketOut)
@staff_errors
def transfer(body, ticket_id):
    """Send the visitor on to another service, or to a named counter or the clerk at it (called
    there first, by no other counter); the new ticket keeps the number and arrival time."""
    if body.get("service"):
        known_service(body["service"])
    return services.transfer(ticket_id, body.get("service"), by=actor(), counter_code=body.get("counter"),
                             clerk=body.get("clerk")), 201
