"""Finding rows by the codes people use, with a 404-shaped error naming what was missing."""
from __future__ import annotations

from sqlalchemy import select

from ..domain.errors import NotFound
from ..domain.policy import PolicySettings
from ..extensions import db
from ..models import Centre, Counter, Service, Setting, Staff, Ticket


def centre_by_code(code: str) -> Centre:
    centre = db.session.scalar(select(Centre).where(Centre.code == code, Centre.active.is_(True)))
    if centre is None:
        raise NotFound(f"no centre with code {code!r}")
    return centre


def service_by_code(code: str) -> Service:
    service = db.session.scalar(select(Service).where(Service.code == code, Service.active.is_(True)))
    if service is None:
        raise NotFound(f"no service with code {code!r}")
    return service


def counter_by_code(code: str, *, lock: bool = False) -> Counter:
    query = select(Counter).where(Counter.code == code)
    if lock:
        query = query.with_for_update()
    counter = db.session.scalar(query)
    if counter is None:
        raise NotFound(f"no counter with code {code!r}")
    return counter


def staff_by_username(username: str) -> Staff:
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise NotFound(f"no staff member with username {username!r}")
    return staff


def ticket_by_id(ticket_id: int, *, lock: bool = False) -> Ticket:
    query = select(Ticket).where(Ticket.id == ticket_id)
    if lock:
        # FOR UPDATE on PostgreSQL; SQLite already holds the write lock (BEGIN IMMEDIATE).
        query = query.with_for_update()
    ticket = db.session.scalar(query)
    if ticket is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    return ticket


def setting(key: str) -> dict:
    row = db.session.get(Setting, key)
    return row.value if row else {}


def policy_for(centre: Centre) -> PolicySettings:
    """The network's call-next policy with this centre's target wait."""
    return PolicySettings(**setting("policy"), target_wait_min=centre.target_wait_min)
