"""Access decided on the rows a service locks (SPEC §9), and the one centre-scoping test every face uses."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from ..domain.access import SYSTEM_ROLE, Actor, centre_scope, covers, holds
from ..domain.errors import Forbidden
from ..extensions import db
from ..models import Centre, Counter, Device, Staff, Ticket, staff_centres
from .tx import core

# The actor's role, whether the account is live, and its centres, in one round trip.
_STANDING = (
    select(Staff.role, Staff.active, staff_centres.c.centre_id)
    .outerjoin(staff_centres, staff_centres.c.staff_id == Staff.id)
    .where(Staff.id == bindparam("id"))
)


def actor_of(who: Staff | Device) -> Actor:
    """The actor a staff member or a device is, for the services' `by`."""
    if isinstance(who, Device):
        return Actor(who.kind, f"{who.kind} #{who.id}", device_id=who.id, centre_id=who.centre_id)
    return Actor(who.role, who.username, staff_id=who.id)


def scope_of(who: Staff | Device) -> frozenset[int] | None:
    """The centres a staff member or device acts at, as loaded; None for every centre (an admin)."""
    if isinstance(who, Device):
        return frozenset({who.centre_id})
    return centre_scope(who.role, (c.id for c in who.centres))


def acts_at(who: Staff | Device, centre_id: int) -> bool:
    """Whether this staff member or device acts at the centre: the test pages and sockets use."""
    return covers(scope_of(who), centre_id)


def reachable_centres(staff: Staff) -> list[Centre]:
    """The active centres this person acts at: an admin's are all of them."""
    if scope_of(staff) is None:
        return list(db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code)))
    return [c for c in staff.centres if c.active]


def standing(by: Actor) -> tuple[str, frozenset[int] | None]:
    """The actor's role and centres as the database holds them now, inside the acting transaction
    (a clerk removed from a centre, or disabled, while their request waited is refused)."""
    if by.staff_id is None:  # a device belongs to its centre for life; the system acts everywhere
        return by.role, None if by.role == SYSTEM_ROLE else frozenset({by.centre_id})
    rows = core(_STANDING, {"id": by.staff_id}).all()
    if not rows or not rows[0].active:
        raise Forbidden(f"{by.name}'s account is disabled")
    role = rows[0].role
    return role, centre_scope(role, (r.centre_id for r in rows if r.centre_id is not None))


def authorise(by: Actor, centre_id: int) -> str:
    """Raise Forbidden unless `by` acts at this centre; return the actor's current role."""
    role, scope = standing(by)
    if not covers(scope, centre_id):
        code = db.session.scalar(select(Centre.code).where(Centre.id == centre_id))
        raise Forbidden(f"{by.name} does not act at centre {code}")
    return role


def _staff_at(by: Actor, centre_id: int) -> str:
    if by.is_device:
        raise Forbidden(f"a {by.role} does not work at counters")
    return authorise(by, centre_id)


def authorise_counter(by: Actor, counter: Counter, *, opening: bool = False) -> str:
    """A clerk acts at their own counter (any of their centre to open it); managers of the centre
    and admins at any counter there. `counter` is the row the caller has locked; returns the
    actor's current role."""
    role = _staff_at(by, counter.centre_id)
    if not opening and not holds(role, by, counter.staff_id):
        raise Forbidden(f"counter {counter.code} is not open for {by.name}")
    return role


def authorise_ticket(by: Actor, ticket: Ticket) -> None:
    """Staff act on a ticket of their centre; a clerk only on one called to their own counter."""
    role = _staff_at(by, ticket.centre_id)
    if not holds(role, by, ticket.staff_id):
        raise Forbidden(f"ticket {ticket.number} is not at {by.name}'s counter")
