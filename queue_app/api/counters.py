"""A clerk's counter: open with skills, call next, pause, resume, close."""
from __future__ import annotations

from flask import Response

from .. import services
from ..services.calling import active_ticket
from ..services.lookup import counter_by_code
from .access import actor, caller, ensure_centre, require
from .blueprint import Blueprint
from .schemas import CallIn, CounterStateOut, ErrorSchema, OpenIn, TicketOut, WaitingOut

blp = Blueprint("counters", __name__, url_prefix="/api/v1/counters", description="Counters and calling.")
CLERKS = ("clerk", "manager", "admin")


def counter_errors(view):
    for status in (409, 404, 403, 401):
        view = blp.alt_response(status, schema=ErrorSchema)(view)
    return view


@blp.get("/<string:counter>")
@require(*CLERKS)
@blp.response(200, CounterStateOut)
@counter_errors
def show(counter):
    """The counter's state, clerk and session skills."""
    desk = counter_by_code(counter)
    ensure_centre(desk.centre)
    return desk


@blp.get("/<string:counter>/current")
@require(*CLERKS)
@blp.response(200, TicketOut)
@blp.alt_response(204, description="nobody is called to or served at the counter")
@counter_errors
def current(counter):
    """The ticket called to or being served at this counter."""
    desk = counter_by_code(counter)
    ensure_centre(desk.centre)
    ticket = active_ticket(desk)
    return ticket if ticket is not None else Response(status=204)


@blp.post("/<string:counter>/open")
@require("clerk")
@blp.arguments(OpenIn)
@blp.response(200, CounterStateOut)
@counter_errors
@blp.alt_response(422, schema=ErrorSchema)
def open_(body, counter):
    """Open the counter for the signed-in clerk, serving their skills or the narrowed list."""
    return services.open_counter(counter, caller().actor.name, by=actor(), skills=body.get("skills"))


def _simple(name: str, verb, doc: str):
    @blp.post(f"/<string:counter>/{name}")
    @require(*CLERKS)
    @blp.response(200, CounterStateOut)
    @counter_errors
    def view(counter):
        return verb(counter, by=actor())

    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    return view


pause = _simple("pause", services.pause_counter, "Stop calling for a break; the current visitor may still be served.")
resume = _simple("resume", services.resume_counter, "Resume calling after a pause.")
close = _simple("close", services.close_counter, "Close the counter; refused while a visitor is at it.")


@blp.post("/<string:counter>/call-next")
@require(*CLERKS)
@blp.response(200, TicketOut)
@blp.alt_response(204, description="nothing the counter serves is waiting")
@counter_errors
def call_next(counter):
    """Call the ticket the policy picks for this counter."""
    ticket = services.call_next(counter, by=actor())
    return ticket if ticket is not None else Response(status=204)


@blp.post("/<string:counter>/call")
@require(*CLERKS)
@blp.arguments(CallIn)
@blp.response(200, TicketOut)
@counter_errors
def call_ticket(body, counter):
    """Call a named waiting ticket ("call this one"), out of the policy's order: audited as a call
    with the reason `named`; 409 when it no longer waits or the counter is not free, 422 when the
    counter does not serve its service."""
    return services.call_ticket(counter, body["ticket"], by=actor())


@blp.get("/<string:counter>/waiting")
@require(*CLERKS)
@blp.response(200, WaitingOut)
@counter_errors
def waiting(counter):
    """The waiting tickets this counter serves, in calling order, with each one's step of its visit."""
    return {"tickets": services.waiting_list(counter, by=actor())}
