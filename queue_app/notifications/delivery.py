"""Sending, once: each message is claimed in the database before it goes out, and unclaimed when
sending fails so that the scheduled job retries it.

A claim is a conditional UPDATE (…SET confirmed_at = now WHERE id = … AND confirmed_at IS NULL):
one sender in one process wins, on SQLite and PostgreSQL alike. Sending happens after the claim
has committed, outside every transaction, so a slow mail server never holds a lock. A process
that dies between its claim and the send loses that one message (at most once, never twice).
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..config import NotificationsCfg
from ..db import utcnow
from ..domain.appointments import BOOKED
from ..domain.lifecycle import WAITING
from ..extensions import db
from ..models import Appointment, Centre, Ticket
from ..services.lookup import cached, setting
from ..services.queue import queue_state
from ..services.tx import atomic
from .messages import CONFIRMATION, REMINDER, RESCHEDULED, appointment_message, near_turn_message
from .senders import Message, scrub

log = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(days=2)  # a confirmation still failing after this long is given up


def settings() -> NotificationsCfg:
    """The network's [notifications] settings as its database holds them (a database older than
    them: the defaults), cached 30 s. The database is the source of truth, never the file."""
    return cached("notifications", lambda: NotificationsCfg(**setting("notifications")))


def sender():
    return current_app.extensions["onedoor_sender"]


def deliver(message: Message) -> bool:
    """Hand the message to the configured backend; False (logged, masked) when it failed."""
    try:
        sender().send(message)
        return True
    except Exception as exc:  # noqa: BLE001 - any fault of a mail server or gateway: retry later
        log.warning("notification %s to %s failed, to be retried: %s: %s", message.kind, message.masked_to,
                    type(exc).__name__, scrub(str(exc))[:200])
        return False


@atomic
def _claim(column, row_id: int, now: datetime, *extra) -> bool:
    model = column.class_
    done = db.session.execute(
        update(model).where(model.id == row_id, column.is_(None), *extra).values({column.key: now})
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


@atomic
def _unclaim(column, row_id: int) -> None:
    model = column.class_
    db.session.execute(update(model).where(model.id == row_id).values({column.key: None})
                       .execution_options(synchronize_session=False))


@atomic
def _claim_moved(appointment_id: int, now: datetime) -> bool:
    """A moved appointment is confirmed anew and reminded again the day before its new date."""
    done = db.session.execute(
        update(Appointment).where(Appointment.id == appointment_id, Appointment.status == BOOKED)
        .values(confirmed_at=now, reminded_at=None).execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _fresh(model, row_id: int):
    return db.session.scalar(select(model).where(model.id == row_id).execution_options(populate_existing=True))


def _send_claimed(column, row_id: int, message: Message | None) -> bool:
    db.session.rollback()  # no transaction stays open while the message travels
    if message is None:
        return False
    if deliver(message):
        return True
    _unclaim(column, row_id)
    return False


def confirm(appointment_id: int, kind: str = CONFIRMATION, now: datetime | None = None) -> bool:
    """Tell the visitor their appointment is booked (or moved); True when a message went out."""
    now = now or utcnow()
    if kind == RESCHEDULED:
        claimed = _claim_moved(appointment_id, now)
    else:
        claimed = _claim(Appointment.confirmed_at, appointment_id, now, Appointment.status == BOOKED)
    if not claimed:
        return False
    appointment = _fresh(Appointment, appointment_id)
    return _send_claimed(Appointment.confirmed_at, appointment_id, appointment_message(appointment, kind))


def reminder_due(appointment: Appointment, now: datetime, hour: int) -> bool:
    """Whether the day-before reminder of a booked appointment is due at `now`.

    Due from `hour` o'clock (centre time) of the day before its local date until it starts; not
    when its confirmation went out after that moment (the visitor has just been told).
    """
    tz = appointment.centre.tz
    day = appointment.start.astimezone(tz).date()
    moment = datetime.combine(day - timedelta(days=1), time(hour), tz)
    if not moment <= now < appointment.start:
        return False
    return appointment.confirmed_at is None or appointment.confirmed_at < moment


def remind_due(now: datetime | None = None) -> int:
    """Send each reminder that is due and not yet sent; return how many went out."""
    now = now or utcnow()
    hour = settings().reminder_hour_local
    candidates = db.session.scalars(
        select(Appointment).where(Appointment.status == BOOKED, Appointment.reminded_at.is_(None),
                                  Appointment.start > now, Appointment.start < now + timedelta(days=2),
                                  Appointment.visit_id.is_(None))  # a booked visit's first step tells of all
        .order_by(Appointment.start)
    ).all()
    due = [a.id for a in candidates if reminder_due(a, now, hour)]
    db.session.rollback()
    sent = 0
    for appointment_id in due:
        if not _claim(Appointment.reminded_at, appointment_id, now, Appointment.status == BOOKED):
            continue
        appointment = _fresh(Appointment, appointment_id)
        sent += _send_claimed(Appointment.reminded_at, appointment_id, appointment_message(appointment, REMINDER))
    return sent


def retry_confirmations(now: datetime | None = None) -> int:
    """Confirmations that failed (or were never sent): try again while the booking is ahead."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(Appointment.id).where(Appointment.status == BOOKED, Appointment.confirmed_at.is_(None),
                                     Appointment.start > now, Appointment.created_at > now - RETRY_WINDOW)
    ).all()
    db.session.rollback()
    return sum(confirm(appointment_id, CONFIRMATION, now) for appointment_id in ids)


def near_turn(centre_id: int, now: datetime | None = None) -> int:
    """Tell each waiting ticket with a phone and at most `near_ahead` people ahead of it (in its
    service's queue, as its status page counts) that its turn is near, once; return how many."""
    from ..urls import status_url

    now = now or utcnow()
    limit = settings().near_ahead
    centre = db.session.get(Centre, centre_id)
    if limit <= 0 or centre is None:
        return 0
    if db.session.scalar(select(Ticket.id).where(*_untold(centre_id)).limit(1)) is None:
        return 0  # nobody waiting there has a phone and is still to be told: skip the queue
    ahead: dict[int, int] = {}
    seen: dict[str, int] = {}
    for c in queue_state(centre, now).order:
        ahead[c.id] = seen.get(c.service, 0)
        seen[c.service] = ahead[c.id] + 1
    close = [tid for tid, n in ahead.items() if n <= limit]
    due = db.session.scalars(
        select(Ticket.id).where(Ticket.id.in_(close), Ticket.phone.is_not(None), Ticket.near_notified_at.is_(None))
    ).all() if close else []
    due = sorted(due, key=ahead.__getitem__)  # the nearest first
    db.session.rollback()
    sent = 0
    for ticket_id in due:
        if not _claim(Ticket.near_notified_at, ticket_id, now, Ticket.status == WAITING):
            continue
        ticket = _fresh(Ticket, ticket_id)
        message = near_turn_message(ticket, ahead[ticket_id], status_url(ticket.token))
        sent += _send_claimed(Ticket.near_notified_at, ticket_id, message)
    return sent


def _untold(centre_id: int | None = None) -> tuple:
    """Waiting tickets with a phone not yet told that their turn is near (at one centre)."""
    where = (Ticket.status == WAITING, Ticket.phone.is_not(None), Ticket.near_notified_at.is_(None))
    return where if centre_id is None else (Ticket.centre_id == centre_id, *where)


def retry_near_turns(now: datetime | None = None) -> int:
    """Check again every centre where a waiting ticket with a phone has not been told yet."""
    now = now or utcnow()
    centres = db.session.scalars(select(Ticket.centre_id).where(*_untold()).distinct()).all()
    db.session.rollback()
    return sum(near_turn(centre_id, now) for centre_id in centres)
