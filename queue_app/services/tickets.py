"""Issuing tickets: daily numbering per centre and prefix, unique under concurrency."""
from __future__ import annotations

import functools
import secrets
import sys
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, insert
from sqlalchemy.orm.attributes import set_committed_value

from ..db import insert_for, utcnow
from ..domain.access import Actor
from ..domain.errors import CentreClosed, InvalidRequest
from ..domain.hours import service_day, ticket_number
from ..domain.lifecycle import WAITING
from ..extensions import db
from ..domain.policy import Candidate
from ..domain.visits import check_plan
from ..models import Appointment, Centre, PrintJob, Service, Ticket, TicketEvent, TicketSequence
from . import changes
from .access import authorise
from .lookup import as_loaded, centre_by_code, language_codes, service_by_code
from .offer import ensure_served_today
from .queue import place
from .tx import atomic, core
from .ranges import wait_range
from .visits import contact_hash


NEWCOMER = sys.maxsize  # stands for the ticket being issued: the last of any tie, as its id will be


@dataclass(frozen=True)
class Issued:
    """A ticket just issued, with where it stands in the queue."""

    ticket: Ticket
    position: int | None
    estimated_wait_min: float | None
    print_job_id: int | None = None

    @property
    def estimated_wait_range_min(self) -> list[int] | None:
        """The range the estimate is shown with (services/ranges.py), or None: a single number."""
        t = self.ticket
        return None if t.estimate_low_min is None else [t.estimate_low_min, t.estimate_high_min]


@functools.cache
def _bump_statement(dialect_name: str):
    table = TicketSequence.__table__
    stmt = insert_for(dialect_name, table).values(
        centre_id=bindparam("centre_id"), prefix=bindparam("prefix"), service_day=bindparam("day"), last_value=1
    )
    return stmt.on_conflict_do_update(
        index_elements=[table.c.centre_id, table.c.prefix, table.c.service_day],
        set_={"last_value": table.c.last_value + 1},
    ).returning(table.c.last_value)


def next_sequence(centre_id: int, prefix: str, day: date) -> int:
    """Bump and return the day's counter for (centre, prefix) in one atomic statement.

    INSERT … ON CONFLICT DO UPDATE … RETURNING holds the row until commit, so concurrent issuers
    queue on it; a rolled-back issue rolls its number back too, so numbers have no gaps.
    """
    params = {"centre_id": centre_id, "prefix": prefix, "day": day}
    return db.session.connection().execute(_bump_statement(db.engine.dialect.name), params).scalar_one()


def new_token() -> str:
    """An unguessable token for the visitor's status page (256 bits)."""
    return secrets.token_urlsafe(32)


_RECORD = insert(TicketEvent.__table__)  # Core on the table: an ORM-entity insert costs twice as much
_NEW_TICKET = insert(Ticket.__table__).returning(*Ticket.__table__.c)
_NEW_JOB = insert(PrintJob.__table__).returning(PrintJob.__table__.c.id)


def record(
    ticket: Ticket, action: str, from_status: str | None, at: datetime, *, by: Actor, reason: str | None = None
) -> None:
    """Store one transition in the audit trail (a plain INSERT: events are never read back here),
    and note it for the screens, which hear of it after commit.

    `staff_id` is the clerk the ticket is with (what statistics count); `by` is who acted: a
    manager stepping in at a clerk's counter, an admin, the kiosk that issued (neither: the system
    or a visitor).
    """
    call = None
    if action in ("call", "recall") and ticket.counter_id is not None:
        call = changes.Call.of(ticket)
    changes.ticket_moved(ticket.id, ticket.centre_id, action, call)
    db.session.connection().execute(_RECORD, {
        "ticket_id": ticket.id,
        "centre_id": ticket.centre_id,
        "action": action,
        "from_status": from_status,
        "to_status": ticket.status,
        "at": at,
        "counter_id": ticket.counter_id,
        "staff_id": ticket.staff_id,
        "reason": reason,
        "actor_staff_id": by.staff_id,
        "device_id": by.device_id,
    })


def check_language(language: str | None) -> str:
    """Return a configured language code (the network's first when none is given)."""
    codes = language_codes()
    if language is None:
        return codes[0] if codes else "en"
    if language not in codes:
        raise InvalidRequest(f"language {language!r} is not offered; choose one of: {', '.join(codes)}")
    return language


def create_ticket(
    centre: Centre,
    service: Service,
    now: datetime,
    *,
    number: str | None = None,
    arrived_at: datetime | None = None,
    by: Actor,
    **fields,
) -> Ticket:
    """Add a waiting ticket (numbered now unless `number` is kept from a transfer)."""
    day = service_day(now, centre.tz)
    if number is None:
        seq = next_sequence(centre.id, service.prefix, day)
        number = ticket_number(service.prefix, seq)
    else:
        seq = 0
    # One INSERT … RETURNING the whole row, a Core statement through the transaction's connection
    # (a quarter of the ORM's bulk insert of the entity); the ticket is built from the row it
    # returns and put in the session as loaded, as a query would have (lookup._catalogue_row).
    row = core(_NEW_TICKET, dict(
        centre_id=centre.id,
        service_id=service.id,
        service_day=day,
        seq=seq,
        number=number,
        token=new_token(),
        status=WAITING,
        arrived_at=arrived_at or now,
        issued_at=now,
        **fields,
    )).one()
    ticket = as_loaded(Ticket, row._mapping)
    set_committed_value(ticket, "service", service)  # as loaded: the answer names it without a read
    record(ticket, "issue", None, now, by=by)
    return ticket


@atomic
def issue_ticket(
    centre_code: str,
    service_code: str | None = None,
    *,
    services: list[str] | None = None,
    by: Actor,
    now: datetime | None = None,
    priority: bool = False,
    language: str | None = None,
    phone: str | None = None,
    source: str = "kiosk",
    printer_uri: str | None = None,
) -> Issued:
    """Issue a walk-in ticket at an open centre; return it with its position and estimate.
    Refused, nothing stored and no number used, when nobody serves the service for the rest of
    today (409 `not_served_today`, services/offer.py).

    `services` (1–5, instead of `service_code`) makes one ticket for a visit of several
    services, taken in that order (SPEC §11): numbered in the first one's line, every one
    refused as above.

    `by` is the kiosk (a device of this centre) or the system. With a printer, the print job is
    stored in the same transaction: the ticket and its paper are never separated by a crash, and
    a printer fault never loses the ticket.
    """
    now = now or utcnow()
    centre = centre_by_code(centre_code)
    authorise(by, centre.id)
    codes = check_plan(services) if services is not None else [service_code]
    steps = [service_by_code(code) for code in codes]
    return place_ticket(centre, steps[0], now, priority=priority, language=language, phone=phone, source=source,
                        by=by, printer_uri=printer_uri, refuse_unserved=True, then=steps[1:])


def place_ticket(
    centre: Centre,
    service: Service,
    now: datetime,
    *,
    priority: bool = False,
    language: str | None = None,
    phone: str | None = None,
    source: str,
    by: Actor,
    printer_uri: str | None = None,
    appointment: Appointment | None = None,
    refuse_unserved: bool = False,
    then: list[Service] = (),
) -> Issued:
    """Put a new ticket in an open centre's queue, estimate its wait and store its print job
    (inside the caller's transaction); `then`, the services its visit goes on to. With
    `refuse_unserved`, a service nobody serves for the rest of today is refused before a number
    is taken (services/offer.py)."""
    if not centre.opening_hours.is_open(now.astimezone(centre.tz)):
        raise CentreClosed(f"centre {centre.code} is closed now; tickets are issued during opening hours")
    language = check_language(language)
    start = appointment.start if appointment is not None else None
    # Place the ticket before numbering it: the number's row lock is then held only for the
    # insert and the commit, not while the queue is estimated.
    newcomer = Candidate(NEWCOMER, service.code, now, priority, start, service.weight)
    position, estimate = place(centre, now, NEWCOMER, newcomer=newcomer)
    if refuse_unserved:
        ensure_served_today(centre, service, now, estimate)
        for later in then:
            ensure_served_today(centre, later, now)
    contact = phone or (appointment.phone or appointment.email if appointment is not None else None)
    shown = wait_range(centre.id, estimate, now) or (None, None)
    ticket = create_ticket(
        centre,
        service,
        now,
        priority=priority,
        language=language,
        phone=phone,
        source=source,
        estimate_at_issue_min=estimate,
        estimate_low_min=shown[0],
        estimate_high_min=shown[1],
        appointment_id=appointment.id if appointment is not None else None,
        next_steps=[s.id for s in then],
        contact_hash=contact_hash(contact),
        by=by,
    )
    job_id = None
    if printer_uri:
        job_id = core(_NEW_JOB, {"ticket_id": ticket.id, "device_id": by.device_id, "printer_uri": printer_uri,
                                 "next_attempt_at": now, "created_at": now}).scalar_one()
    return Issued(ticket, position, estimate, job_id)
