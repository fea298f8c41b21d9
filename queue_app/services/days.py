"""Closing a centre's day: whoever still waits is cancelled, idle counters close."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..db import utcnow
from ..domain import lifecycle as lc
from ..extensions import db
from ..models import Counter, Ticket
from .calling import active_ticket, move
from .counters import shut
from .lookup import centre_by_code
from .tx import atomic


@dataclass(frozen=True)
class DayClosed:
    cancelled: int
    counters_closed: int
    still_at_counters: int


@atomic
def close_day(centre_code: str, *, now: datetime | None = None) -> DayClosed:
    """Cancel the centre's waiting tickets and close counters with nobody at them.

    Visitors already called or being served are left for their clerks to finish.
    """
    now = now or utcnow()
    centre = centre_by_code(centre_code)
    waiting = db.session.scalars(
        select(Ticket).where(Ticket.centre_id == centre.id, Ticket.status == lc.WAITING).with_for_update()
    ).all()
    for ticket in waiting:
        move(ticket, "cancel", now, reason="centre_closed")
    closed = busy = 0
    for counter in db.session.scalars(
        select(Counter).where(Counter.centre_id == centre.id, Counter.state.in_(lc.COUNTER_HELD)).with_for_update()
    ):
        if active_ticket(counter) is not None:
            busy += 1
            continue
        shut(counter)
        closed += 1
    return DayClosed(len(waiting), closed, busy)
