"""Opening, pausing, resuming and closing a counter."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import select, update

from ..db import utcnow
from ..domain import lifecycle as lc
from ..domain.access import CLERK, Actor
from ..domain.errors import CounterBusy, Forbidden, InvalidRequest, NotFound, SkillNotAllowed
from ..extensions import db
from ..models import Counter, Ticket
from . import changes
from .access import authorise_counter
from .calling import active_ticket
from .lookup import counter_by_code, staff_by_username
from .tx import atomic


@atomic
def open_counter(
    counter_code: str,
    username: str,
    *,
    by: Actor,
    skills: Iterable[str] | None = None,
    now: datetime | None = None,
) -> Counter:
    """Open a counter for a clerk, serving all the clerk's skills or the narrowed set given.

    A clerk opens for themselves; a manager of the centre, an admin or the system for any clerk.
    """
    now = now or utcnow()
    counter = counter_by_code(counter_code, lock=True)
    role = authorise_counter(by, counter, opening=True)
    if not counter.active:
        raise NotFound(f"counter {counter.code} is retired: choose another counter")
    staff = staff_by_username(username)
    if role == CLERK and staff.id != by.staff_id:
        raise Forbidden(f"{by.name} may open a counter only for themselves")
    if not staff.active:
        raise InvalidRequest(f"{username} is disabled")
    if counter.centre_id not in {c.id for c in staff.centres}:
        raise SkillNotAllowed(f"{username} does not work at centre {counter.centre.code}")
    if counter.state != lc.COUNTER_CLOSED and counter.staff_id != staff.id:
        raise CounterBusy(f"counter {counter.code} is already open for another clerk", code="held_by_other")
    elsewhere = db.session.scalar(
        select(Counter).where(Counter.staff_id == staff.id, Counter.state.in_(lc.COUNTER_HELD),
                              Counter.id != counter.id)
    )
    if elsewhere is not None:
        raise CounterBusy(f"{username} already has counter {elsewhere.code} open; close it first",
                          code="open_elsewhere")
    own = staff.skill_set()
    wanted = own.services if skills is None else set(skills)
    if not wanted:
        raise SkillNotAllowed("choose at least one service to serve", code="no_skills_chosen")
    foreign = sorted(wanted - own.services)
    if foreign:
        raise SkillNotAllowed(f"{username} has no skill for: {', '.join(foreign)}")
    counter.skills = {
        "primary": sorted(wanted & own.primary),
        "secondary": sorted(wanted & own.secondary),
    }
    counter.state = lc.next_counter_state(counter.code, counter.state, "open")
    counter.staff_id, counter.opened_at = staff.id, now
    counter.version += 1
    changes.counter_changed(counter.id, counter.centre_id)
    return counter


def _locked_counter(counter_code: str, by: Actor) -> Counter:
    """The counter, locked, once `by` may act at it (decided on the locked row)."""
    counter = counter_by_code(counter_code, lock=True)
    authorise_counter(by, counter)
    return counter


def _set_state(counter_code: str, action: str, by: Actor) -> Counter:
    counter = _locked_counter(counter_code, by)
    counter.state = lc.next_counter_state(counter.code, counter.state, action)
    counter.version += 1
    changes.counter_changed(counter.id, counter.centre_id)
    return counter


@atomic
def pause_counter(counter_code: str, *, by: Actor) -> Counter:
    """Stop calling for a while (a break); the current visitor may still be served."""
    return _set_state(counter_code, "pause", by)


@atomic
def resume_counter(counter_code: str, *, by: Actor) -> Counter:
    return _set_state(counter_code, "resume", by)


@atomic
def close_counter(counter_code: str, *, by: Actor) -> Counter:
    """Close a counter; refused while a visitor is still called to or served at it."""
    counter = _locked_counter(counter_code, by)
    current = active_ticket(counter)
    if current is not None:
        raise CounterBusy(f"counter {counter.code} still has ticket {current.number}; finish it first")
    shut(counter)
    return counter


def shut(counter: Counter) -> None:
    """Close a counter and release its clerk and session skills (IllegalTransition if closed)."""
    counter.state = lc.next_counter_state(counter.code, counter.state, "close")
    counter.staff_id, counter.skills, counter.opened_at = None, {}, None
    counter.version += 1
    # Visitors sent to this counter go back to their line (keeping their arrival time).
    db.session.execute(update(Ticket).where(Ticket.for_counter_id == counter.id, Ticket.status == lc.WAITING)
                       .values(for_counter_id=None))
    changes.counter_changed(counter.id, counter.centre_id)
