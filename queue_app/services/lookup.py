"""Finding rows by the codes people use, with a 404-shaped error naming what was missing."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from ..domain.errors import NotFound
from ..domain.policy import PolicySettings
from ..extensions import db
from ..models import Centre, Counter, Language, Service, Setting, Staff, Ticket

CACHE_SECONDS = 30.0  # how stale another process's `queue-app init` may look here
_cache: dict[str, tuple[float, object]] = {}
_cache_lock = threading.Lock()


def cached(key: str, load):
    """Return the catalogue value `key`, loading it at most every CACHE_SECONDS.

    Only what config.toml defines is cached (policy, languages, durations); loading the
    configuration in this process clears it at once.
    """
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    with _cache_lock:
        _cache[key] = (time.monotonic(), value)
    return value


def forget_catalogue() -> None:
    with _cache_lock:
        _cache.clear()


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
    return PolicySettings(**cached("policy", lambda: setting("policy")), target_wait_min=centre.target_wait_min)


def language_codes() -> list[str]:
    """The configured languages, the default first."""
    return cached("languages", lambda: list(db.session.scalars(select(Language.code).order_by(Language.position))))


def service_durations() -> dict[str, float]:
    """Configured minutes per active service."""
    return cached("durations", lambda: dict(
        db.session.execute(select(Service.code, Service.duration_min).where(Service.active.is_(True))).all()
    ))
