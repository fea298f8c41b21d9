"""Opening, pausing, resuming and closing a counter."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from ..db import utcnow
from ..domain.errors import CounterBusy, IllegalTransition, InvalidRequest, SkillNotAllowed
from ..extensions import db
from ..models import Counter
from . import changes
from .calling import active_ticket
from .lookup import counter_by_code, staff_by_username
from .tx import atomic


@atomic
def open_counter(
    counter_code: str, username: str, *, skills: Iterable[str] | None = None, now: datetime | None = None
) -> Counter:
    """Open a counter for a clerk, serving all the clerk's skills or the narrowed set given."""
    now = now or utcnow()
    counter = counter_by_code(counter_code, lock=True)
    staff = staff_by_username(username)
    if not staff.active:
        raise InvalidRequest(f"{username} is disabled")
    if counter.centre_id not in {c.id for c in staff.centres}:
        raise SkillNotAllowed(f"{username} does not work at centre {counter.centre.code}")
    if counter.state != "closed" and counter.staff_id != staff.id:
        raise CounterBusy(f"counter {counter.code} is already open for another clerk", code="held_by_other")
    elsewhere = db.session.scalar(
        select(Counter).where(Counter.staff_id == staff.id, Counter.state != "closed", Counter.id != counter.id)
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
    counter.state, counter.staff_id, counter.opened_at = "open", staff.id, now
    counter.version += 1
    changes.counter_changed(counter.id, counter.centre_id)
    return counter


def _set_state(counter_code: str, allowed_from: set[str], to: str) -> Counter:
    counter = counter_by_code(counter_code, lock=True)
    if counter.state not in allowed_from:
        raise IllegalTransition(f"counter {counter.code} is {counter.state}; it cannot be set {to}")
    counter.state = to
    counter.version += 1
    changes.counter_changed(counter.id, counter.centre_id)
    return counter


@atomic
def pause_counter(counter_code: str) -> Counter:
    """Stop calling for a while (a break); the current visitor may still be served."""
    return _set_state(counter_code, {"open"}, "paused")


@atomic
def resume_counter(counter_code: str) -> Counter:
    return _set_state(counter_code, {"paused"}, "open")


@atomic
def close_counter(counter_code: str) -> Counter:
    """Close a counter; refused while a visitor is still called to or served at it."""
    counter = counter_by_code(counter_code, lock=True)
    current = active_ticket(counter)
    if current is not None:
        raise CounterBusy(f"counter {counter.code} still has ticket {current.number}; finish it first")
    if counter.state == "closed":
        raise IllegalTransition(f"counter {counter.code} is closed already")
    shut(counter)
    return counter


def shut(counter: Counter) -> None:
    """Close a counter and release its clerk and session skills."""
    counter.state, counter.staff_id, counter.skills, counter.opened_at = "closed", None, {}, None
    counter.version += 1
    changes.counter_changed(counter.id, counter.centre_id)
