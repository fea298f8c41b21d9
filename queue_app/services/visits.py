"""Visits of several services (SPEC §11): a chain of ticket rows, one per step.

The row at hand carries the services still to come (`next_steps`, service ids); when its step
ends, the next row is made in the same transaction, waiting in the next service's line with the
visit's number and arrival time (or called at once at the same counter: "continue here"). So a
visit is never waiting or called at two places at once, and each step's figures are a row's.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, or_, select

from ..db import utcnow
from ..domain import lifecycle as lc
from ..domain.access import Actor
from ..domain.errors import InvalidRequest, NotFound, SkillNotAllowed, VisitRefused
from ..domain.policy import Candidate
from ..domain.visits import NOT_REACHED, PENDING, STEP, check_added
from ..extensions import db
from ..models import Counter, Service, Ticket
from .access import authorise_ticket
from .lookup import counter_code, service_by_code, service_shown, ticket_by_id
from .offer import ensure_served_today
from .queue import place
from .ranges import wait_range
from .tx import atomic

NOTE_MAX = 280
_ROWS = select(Ticket).where(or_(Ticket.id == bindparam("key"), Ticket.visit_id == bindparam("key"))).order_by(Ticket.id)


def contact_hash(contact: str | None) -> str | None:
    """A keyed hash of a phone number or e-mail address: the same visitor's visits match (repeat
    visits) while the contact itself is neither shown nor derivable without the server's key."""
    if not contact:
        return None
    kept = contact.strip().lower()
    if "@" not in kept:
        kept = "".join(ch for ch in kept if ch.isdigit() or ch == "+")
    key = str(current_app.secret_key or "").encode()
    return hmac.new(key, kept.encode(), hashlib.sha256).hexdigest()


def visit_rows(ticket: Ticket) -> list[Ticket]:
    """Every row of the ticket's visit, first step first (a transfer's row after the one it left)."""
    if ticket.visit_id is None and not ticket.next_steps and ticket.status != lc.TRANSFERRED:
        return [ticket]  # a visit of one service: nothing else to read
    return list(db.session.scalars(_ROWS, {"key": ticket.visit_key}))


def current_row(ticket: Ticket) -> Ticket:
    """The visit's latest row: the step it is at, or the one it ended with."""
    return visit_rows(ticket)[-1]


def _services(ids: list[int]) -> dict[int, Service]:
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Service).where(Service.id.in_(ids)))}


def visit_steps(ticket: Ticket, rows: list[Ticket] | None = None) -> list[dict]:
    """Every step of the ticket's visit, in order: the rows made so far (a transferred one too),
    then the services still to come — `pending`, or `not_reached` once the visit has ended."""
    rows = rows if rows is not None else visit_rows(ticket)
    last = rows[-1]
    ended = last.status in lc.FINAL and last.status != lc.DONE
    planned = _services(list(last.next_steps or ()))
    shown = {r.service_id: service_shown(r.service_id) for r in rows}
    steps = [{
        "step": r.step, "service": shown[r.service_id].code, "service_name": shown[r.service_id].name,
        "status": r.status, "counter": counter_code(r.counter_id) if r.counter_id is not None and r.status in lc.AT_COUNTER else None,
        "ticket": r.id, "outcome": r.outcome, "reason": r.reason, "documents": shown[r.service_id].documents,
    } for r in rows]
    for offset, service_id in enumerate(last.next_steps or (), start=1):
        service = planned.get(service_id)
        if service is None:
            continue
        steps.append({
            "step": last.step + offset, "service": service.code, "service_name": service.name,
            "status": NOT_REACHED if ended else PENDING, "counter": None, "ticket": None,
            "outcome": None, "reason": None, "documents": service.documents,
        })
    return steps


STAFF_FIELDS = ("step", "service", "status", "counter", "ticket", "outcome")  # what staff and kiosks see of a step
VISITOR_FIELDS = ("step", "service", "service_name", "status", "counter")  # what the status page shows


def steps_brief(ticket: Ticket, rows: list[Ticket] | None = None, keys: tuple[str, ...] = STAFF_FIELDS) -> list[dict]:
    """`visit_steps` with only `keys` of each step."""
    return [{k: step[k] for k in keys} for step in visit_steps(ticket, rows)]


def next_codes(ticket: Ticket) -> list[str]:
    """The codes of the services still to come after this row, in order."""
    planned = _services(list(ticket.next_steps or ()))
    return [planned[i].code for i in ticket.next_steps or () if i in planned]


def plan(services: list[Service]) -> dict:
    """The visit fields of a first row whose step is services[0]: the others are still to come."""
    return {"next_steps": [s.id for s in services[1:]]}


def go_on(ticket: Ticket, now: datetime, *, by: Actor, counter: Counter | None = None) -> Ticket | None:
    """After `ticket`'s step ended done: make the visit's next row (inside the caller's
    transaction), waiting in its line with the visit's arrival time, or called at `counter` at
    once ("continue here"). None when no step is left."""
    from .calling import move  # calling imports this module for finish and transfer
    from .tickets import NEWCOMER, create_ticket

    if not ticket.next_steps:
        if counter is not None:
            raise InvalidRequest(f"ticket {ticket.number} has no step left to continue with")
        return None
    service = db.session.get(Service, ticket.next_steps[0])
    if service is None or not service.active:  # withdrawn since: skip it rather than strand the visit
        ticket.next_steps = list(ticket.next_steps[1:])
        return go_on(ticket, now, by=by, counter=counter)
    if counter is not None and service.code not in counter.skill_set().services:
        raise SkillNotAllowed(f"counter {counter.code} does not serve {service.code}, the visit's next step")
    estimate = None
    if counter is None:
        newcomer = Candidate(NEWCOMER, service.code, ticket.arrived_at, ticket.priority,
                             ticket.appointment.start if ticket.appointment is not None else None, service.weight)
        estimate = place(ticket.centre, now, NEWCOMER, newcomer=newcomer)[1]
    shown = wait_range(ticket.centre_id, estimate, now) or (None, None)
    row = create_ticket(
        ticket.centre, service, now, number=ticket.number, arrived_at=ticket.arrived_at,
        priority=ticket.priority, language=ticket.language, phone=ticket.phone, source=STEP,
        appointment_id=ticket.appointment_id, visit_id=ticket.visit_key, step=ticket.step + 1,
        next_steps=list(ticket.next_steps[1:]), note=ticket.note, contact_hash=ticket.contact_hash,
        estimate_at_issue_min=estimate, estimate_low_min=shown[0], estimate_high_min=shown[1], by=by,
    )
    if counter is not None:
        row.counter, row.staff_id, row.called_at = counter, counter.staff_id, now
        move(row, "call", now, by=by)
    return row


def _at_hand(ticket_id: int, by: Actor) -> Ticket:
    """The visit's current row (from any of its rows' ids), locked, while the visit goes on."""
    row = current_row(ticket_by_id(ticket_id))
    row = ticket_by_id(row.id, lock=True)
    authorise_ticket(by, row)
    if row.status not in lc.ACTIVE:
        raise VisitRefused(f"the visit of ticket {row.number} is over ({row.status})", code="visit_over")
    return row


@atomic
def add_step(ticket_id: int, service_code: str, *, by: Actor, now: datetime | None = None) -> Ticket:
    """Add a service at the end of a visit still going on (a need found at the counter): refused
    when it is already a step to come, past 5 steps, or nobody serves it for the rest of today."""
    now = now or utcnow()
    row = _at_hand(ticket_id, by)
    service = service_by_code(service_code)
    check_added(row.step, row.service.code, next_codes(row), service.code)
    ensure_served_today(row.centre, service, now)
    row.next_steps = [*row.next_steps, service.id]
    _record(row, "add_step", now, by=by, reason=service.code)
    return row


@atomic
def drop_step(ticket_id: int, service_code: str, *, by: Actor, now: datetime | None = None) -> Ticket:
    """Drop a step still to come (the visitor no longer needs it); 404 when it is not one."""
    now = now or utcnow()
    row = _at_hand(ticket_id, by)
    service = service_by_code(service_code)
    if service.id not in row.next_steps:
        raise NotFound(f"{service.code} is not a step still to come in the visit of ticket {row.number}")
    row.next_steps = [i for i in row.next_steps if i != service.id]
    _record(row, "drop_step", now, by=by, reason=service.code)
    return row


@atomic
def set_note(ticket_id: int, note: str, *, by: Actor, now: datetime | None = None) -> Ticket:
    """Leave a short note on the visit for its next clerk (empty: none); the note is audited as
    written, never its text (it may hold what the visitor said)."""
    now = now or utcnow()
    note = " ".join(note.split())
    if len(note) > NOTE_MAX:
        raise InvalidRequest(f"a note takes at most {NOTE_MAX} characters; this one has {len(note)}")
    row = _at_hand(ticket_id, by)
    row.note = note or None
    _record(row, "note", now, by=by, reason="cleared" if not note else "written")
    return row


def _record(row: Ticket, action: str, now: datetime, *, by: Actor, reason: str) -> None:
    from .tickets import record

    db.session.flush()
    record(row, action, row.status, now, by=by, reason=reason)
