"""Finding rows by the codes people use, with a 404-shaped error naming what was missing."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.errors import NotFound
from ..domain.policy import PolicySettings, overridden
from ..extensions import db
from ..models import Centre, Counter, Language, Service, Setting, Staff, Ticket
from . import changes

CACHE_SECONDS = 30.0  # how stale another process's `queue-app init` may look here
CACHE = "onedoor.catalogue"  # each app caches its own database's catalogue
LOADING = "onedoor.catalogue_loading"  # the keys `latest` is loading now, each with its Event
_cache_lock = threading.Lock()


def _cache() -> dict[str, tuple[float, object]]:
    return current_app.extensions.setdefault(CACHE, {})


def cached(key: str, load, seconds: float = CACHE_SECONDS):
    """Return the value `key`, loading it at most every `seconds`.

    What config.toml defines is cached (policy, languages, durations), plus short-lived public
    summaries; loading the configuration in this process clears it at once. The cache is the
    current app's: another app in the process (a simulated day) has a database of its own.
    """
    cache = _cache()
    hit = cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return hit[1]
    value = load()
    with _cache_lock:
        cache[key] = (time.monotonic(), value)
    return value


def latest(key: str, load, seconds: float):
    """`cached`, for a value many ask for at once (the public board): while one caller reloads it,
    the others take the value it replaces, or wait for the first one, so it is loaded once."""
    cache = _cache()
    hit = cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return hit[1]
    loading = current_app.extensions.setdefault(LOADING, {})
    with _cache_lock:
        running = loading.get(key)
        if running is None:
            loading[key] = mine = threading.Event()
    if running is not None:
        if hit is not None:
            return hit[1]
        running.wait()
        return cache[key][1] if key in cache else latest(key, load, seconds)
    try:
        value = load()
        with _cache_lock:
            cache[key] = (time.monotonic(), value)
        return value
    finally:
        with _cache_lock:
            del loading[key]
        mine.set()


def forget_catalogue() -> None:
    """Drop what the current app has cached (its configuration was just loaded)."""
    with _cache_lock:
        _cache().clear()


_COUNTER = select(Counter).where(Counter.code == bindparam("code"))
_TICKET = select(Ticket).where(Ticket.id == bindparam("id"))


def centre_by_code(code: str) -> Centre:
    """An active centre by its code: from the cached catalogue, put in this session as it was read
    (no statement); read again for a code not among them (added or activated since)."""
    centre = _catalogue_row(Centre, code)
    if centre is None:
        raise NotFound(f"no centre with code {code!r}")
    return centre


def any_centre(code: str, *, lock: bool = False) -> Centre:
    """A centre by code, active or not (the roster's and the administration's), locked if asked."""
    query = select(Centre).where(Centre.code == code)
    centre = db.session.scalar(query.with_for_update() if lock else query)
    if centre is None:
        raise NotFound(f"no centre with code {code!r}")
    return centre


def service_by_code(code: str) -> Service:
    """An active service by its code, as `centre_by_code`."""
    service = _catalogue_row(Service, code)
    if service is None:
        raise NotFound(f"no service with code {code!r}")
    return service


def _catalogue_row(model, code: str):
    """The active row of `model` (Centre, Service) with this code, from the cached catalogue's
    copies of their columns, or None. An administrative change forgets them (every process), and
    so does a commit that changed such a row any other way (this process: below)."""
    def load() -> dict[str, dict]:
        keys = [(attr.key, attr.columns[0]) for attr in sa_inspect(model).column_attrs]
        query = select(*(column for _, column in keys)).where(model.active.is_(True))
        return {row.code: {key: row[i] for i, (key, _) in enumerate(keys)} for row in db.session.execute(query)}

    values = _catalogue_map(f"rows:{model.__tablename__}", load, (code,)).get(code)
    if values is None:
        return None
    held = db.session.identity_map.get(db.session.identity_key(model, values["id"]))
    if held is not None:
        return held  # this session's own instance, as it holds it (changed, maybe)
    return as_loaded(model, values)


def as_loaded(model, values):
    """An instance of `model` with these column values (its whole row), put in the session as a
    query would have loaded it: no statement, and none of the attribute events and change history
    that `model(**values)` sets up only for make_transient_to_detached to throw away (half the cost)."""
    instance = sa_inspect(model).class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    db.session.add(instance)
    return instance


def with_catalogue(tickets: list[Ticket]) -> list[Ticket]:
    """The tickets, each with its centre and service set as loaded from the cached catalogue (no
    statement, where they are active: a withdrawn one loads as before, when first read)."""
    for ticket in tickets:
        unloaded = sa_inspect(ticket).unloaded
        if "centre" in unloaded:
            centre = _catalogue_row(Centre, centre_code(ticket.centre_id))
            if centre is not None and centre.id == ticket.centre_id:  # two caches: never a stale pairing
                set_committed_value(ticket, "centre", centre)
        if "service" in unloaded:
            service = _catalogue_row(Service, service_lines(knowing=(ticket.service_id,))[ticket.service_id][0])
            if service is not None and service.id == ticket.service_id:
                set_committed_value(ticket, "service", service)
    return tickets


# A centre or service written other than through the administration (which says so itself: a
# script's, a test's commit) makes this process forget the cached catalogue too.
changes.when_written((Centre, Service), forget_catalogue)


def counter_by_code(code: str, *, lock: bool = False) -> Counter:
    counter = db.session.scalar(_COUNTER.with_for_update() if lock else _COUNTER, {"code": code})
    if counter is None:
        raise NotFound(f"no counter with code {code!r}")
    return counter


def staff_by_username(username: str) -> Staff:
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise NotFound(f"no staff member with username {username!r}")
    return staff


def ticket_by_id(ticket_id: int, *, lock: bool = False) -> Ticket:
    # FOR UPDATE on PostgreSQL; SQLite already holds the write lock (BEGIN IMMEDIATE).
    ticket = db.session.scalar(_TICKET.with_for_update() if lock else _TICKET, {"id": ticket_id})
    if ticket is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    return ticket


def setting(key: str) -> dict:
    row = db.session.get(Setting, key)
    return row.value if row else {}


def policy_for(centre: Centre | int) -> PolicySettings:
    """The network's call-next policy with this centre's own knobs over it and its target wait (a
    centre or its id)."""
    return cached("policies", _policies)[centre if isinstance(centre, int) else centre.id]


def _policies() -> dict[int, PolicySettings]:
    network = setting("policy")
    return {centre_id: PolicySettings(**overridden(network, own or {}), target_wait_min=target)
            for centre_id, target, own in db.session.execute(select(Centre.id, Centre.target_wait_min, Centre.policy))}


def language_codes() -> list[str]:
    """The configured languages, the default first."""
    return cached("languages", lambda: list(db.session.scalars(select(Language.code).order_by(Language.position))))


def service_durations() -> dict[str, float]:
    """Configured minutes per active service."""
    return cached("durations", lambda: dict(
        db.session.execute(select(Service.code, Service.duration_min).where(Service.active.is_(True))).all()
    ))


def service_ids(knowing=()) -> dict[str, int]:
    """Every service's id by its code (withdrawn ones too: tickets keep their service); read again
    at once when a code of `knowing` is not among them (a service added since, in another process)."""
    return _catalogue_map("service_ids", lambda: dict(db.session.execute(select(Service.code, Service.id)).all()),
                          knowing)


def service_lines(knowing=()) -> dict[int, tuple[str, float]]:
    """Every service's code and weight by its id (withdrawn ones too), as a waiting ticket's line
    is read; read again at once when an id of `knowing` is not among them."""
    return _catalogue_map("service_lines", lambda: {id_: (code, weight) for id_, code, weight in
                                                    db.session.execute(select(Service.id, Service.code,
                                                                              Service.weight))},
                          knowing)


@dataclass(frozen=True)
class Shown:
    """What a ticket's answer shows of its service."""

    code: str
    name: object
    documents: object


def service_shown(service_id: int) -> Shown:
    """A service's code, name and documents by its id (withdrawn ones too) from the cached
    catalogue, not a read for every ticket answered; read again at once for an id not among them."""
    return _catalogue_map("service_shown", lambda: {
        id_: Shown(code, name, documents)
        for id_, code, name, documents in db.session.execute(select(Service.id, Service.code, Service.name, Service.documents))
    }, (service_id,))[service_id]


def counter_code(counter_id: int) -> str:
    """A counter's code by its id, from the cached catalogue (codes never change; a counter added
    since is read at once): an answer names its ticket's counter without loading the row."""
    return _code_of(Counter, counter_id)


def centre_code(centre_id: int) -> str:
    """A centre's code by its id, from the cached catalogue (as `counter_code`)."""
    return _code_of(Centre, centre_id)


def _code_of(model, id_: int) -> str:
    return _catalogue_map(f"codes:{model.__tablename__}",
                          lambda: dict(db.session.execute(select(model.id, model.code)).all()), (id_,))[id_]


def _catalogue_map(key: str, load, knowing) -> dict:
    found = cached(key, load)
    if not found.keys() >= set(knowing):
        found = cached(key, load, seconds=0.0)
    return found


def catalogue_version() -> int:
    """The set-up's version, bumped by every administrative change: screens renew their menus on it."""
    return cached("catalogue_version", lambda: setting("catalogue").get("version", 0))


def menu() -> list[str]:
    """The codes of the network's active services, in menu order (the same menu at every centre)."""
    return cached("menu", lambda: list(db.session.scalars(
        select(Service.code).where(Service.active.is_(True)).order_by(Service.position, Service.code))))
