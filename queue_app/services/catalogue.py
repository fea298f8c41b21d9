"""A network file into the database: the catalogue, centres, counters, devices, staff, settings.

Once a network exists its database is the source of truth (SPEC §4): `queue-app init` fills only
an empty database (`apply_network`), and a file reaches a running network through
`import_network`, which lists what it changes before changing it. Applying is idempotent: rows
are matched by code and updated; entries removed from the file are deactivated, never deleted,
because tickets and the audit trail still refer to them.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, inspect, select

from ..config import NetworkConfig
from ..domain.network_diff import NetworkDiff, diff
from ..extensions import db
from ..models import (
    Agency,
    Centre,
    Counter,
    Device,
    Language,
    LifeEvent,
    Service,
    Setting,
    Staff,
    StaffSkill,
    life_event_services,
)
from .lookup import forget_catalogue
from .snapshot import TEXT_FIELDS, network_snapshot
from .tx import atomic


@dataclass(frozen=True)
class Loaded:
    languages: int
    agencies: int
    services: int
    life_events: int
    centres: int
    counters: int
    devices: int
    staff: int


def _upsert(model, key: str, value, languages: Collection[str] = (), **fields):
    """The row of `model` whose `key` is `value`, added if missing, with `fields` set; its texts in
    languages other than the file's `languages` are kept (a language removed keeps its texts)."""
    row = db.session.scalar(select(model).where(getattr(model, key) == value))
    if row is None:
        row = model(**{key: value})
        db.session.add(row)
    for name, v in fields.items():
        old = getattr(row, name)
        if name in TEXT_FIELDS and isinstance(v, dict) and isinstance(old, dict):
            v = {**{lang: t for lang, t in old.items() if lang not in languages}, **v}
        setattr(row, name, v)
    return row


def _deactivate_missing(model, codes: set[str]) -> None:
    for row in db.session.scalars(select(model)):
        if row.code not in codes:
            row.active = False


def apply_network(cfg: NetworkConfig) -> Loaded:
    """Write a validated network file into the database; return what the file holds."""
    loaded = _write_network(cfg)
    forget_catalogue()  # after commit, so nobody re-caches the old catalogue meanwhile
    return loaded


def network_name() -> str | None:
    """The name of the network this database holds (its schema may be older), None if it is empty."""
    if not inspect(db.engine).has_table(Setting.__tablename__):
        return None
    row = db.session.get(Setting, "network")
    name = None if row is None else row.value.get("name") or "a network"
    db.session.rollback()  # leave no read open beside the migrations
    return name


def network_counts() -> Loaded:
    """What the database holds and uses: active rows, devices not revoked."""
    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    open_centre = Centre.active.is_(True)
    return Loaded(
        count(Language), count(Agency, Agency.active.is_(True)), count(Service, Service.active.is_(True)),
        count(LifeEvent, LifeEvent.active.is_(True)), count(Centre, open_centre),
        count(Counter, Counter.active.is_(True), Counter.centre_id.in_(select(Centre.id).where(open_centre))),
        count(Device, Device.revoked_at.is_(None), Device.centre_id.in_(select(Centre.id).where(open_centre))),
        count(Staff, Staff.active.is_(True)),
    )


def _ensure_counters(centre: Centre, wanted: int) -> None:
    """Give the centre at least `wanted` active counters: retired ones back first (lowest number
    first), then new ones numbered after its last (the file never retires one: the diff says so)."""
    rows = db.session.scalars(select(Counter).where(Counter.centre_id == centre.id).order_by(Counter.number)).all()
    short = wanted - sum(c.active for c in rows)
    retired = [c for c in rows if not c.active][:max(short, 0)]
    for counter in retired:
        counter.active = True
    last = rows[-1].number if rows else 0
    for n in range(last + 1, last + 1 + short - len(retired)):
        db.session.add(Counter(code=f"{centre.code}-{n:02d}", centre_id=centre.id, number=n, name=f"{n}"))


def import_network(cfg: NetworkConfig, *, dry_run: bool = False) -> NetworkDiff:
    """Compare a network file with the database and, unless `dry_run`, apply it in the same
    transaction; return the changes (empty when the file says what the database holds)."""
    if dry_run:
        try:
            return _compare(cfg)
        finally:
            db.session.rollback()
    changes = _import(cfg)
    if changes:
        forget_catalogue()
    return changes


def _compare(cfg: NetworkConfig) -> NetworkDiff:
    held = network_snapshot()
    return diff(held.document, cfg.model_dump(mode="json"), held.dormant)


@atomic
def _import(cfg: NetworkConfig) -> NetworkDiff:
    db.session.get(Setting, "network", with_for_update=True)  # one import at a time (PostgreSQL)
    changes = _compare(cfg)
    if changes:
        _write_network(cfg)
    return changes


@atomic
def _write_network(cfg: NetworkConfig) -> Loaded:
    db.session.merge(Setting(key="policy", value=cfg.policy.model_dump()))
    db.session.merge(Setting(key="appointments", value=cfg.appointments.model_dump()))
    db.session.merge(Setting(key="remote", value=cfg.remote.model_dump()))
    db.session.merge(Setting(key="notifications", value=cfg.notifications.model_dump()))
    db.session.merge(Setting(key="network", value={"name": cfg.network.name}))
    db.session.merge(Setting(key="defaults", value=cfg.defaults.model_dump()))  # what `network export` omits
    db.session.execute(delete(Language))
    langs = set(cfg.network.languages)
    for i, code in enumerate(cfg.network.languages):
        db.session.add(Language(code=code, name=cfg.network.language_names[code], position=i))

    agencies = {
        a.code: _upsert(Agency, "code", a.code, langs, name=a.name, active=True) for a in cfg.agencies
    }
    _deactivate_missing(Agency, set(agencies))
    db.session.flush()
    services = {}
    for i, s in enumerate(cfg.services):
        services[s.code] = _upsert(
            Service, "code", s.code, langs,
            agency_id=agencies[s.agency].id, prefix=s.prefix, name=s.name,
            duration_min=s.duration_min, weight=s.weight, bookable=s.bookable,
            documents=s.documents, active=True, position=i,
        )
    _deactivate_missing(Service, set(services))
    db.session.flush()

    events = {}
    for i, e in enumerate(cfg.life_events):
        event = _upsert(LifeEvent, "code", e.code, langs, name=e.name, position=i, active=True)
        db.session.flush()
        db.session.execute(delete(life_event_services).where(life_event_services.c.life_event_id == event.id))
        db.session.execute(
            insert(life_event_services),
            [{"life_event_id": event.id, "service_id": services[c].id, "position": j} for j, c in enumerate(e.services)],
        )
        events[e.code] = event
    _deactivate_missing(LifeEvent, set(events))

    d = cfg.defaults
    centres = {}
    counters = devices = 0
    for c in cfg.centres:
        centre = _upsert(
            Centre, "code", c.code, langs,
            name=c.name, address=c.address, timezone=c.timezone, district=c.district,
            hours=c.hours_stored(), policy=c.policy.model_dump(exclude_none=True),
            target_wait_min=c.target_wait_min or d.target_wait_min,
            recall_limit=d.recall_limit if c.recall_limit is None else c.recall_limit,
            call_timeout_min=c.call_timeout_min or d.call_timeout_min,
            active=True,
        )
        db.session.flush()
        centres[c.code] = centre
        _ensure_counters(centre, c.counters)
        counters += c.counters
        for kind, items in (("kiosk", c.kiosks), ("display", c.displays)):
            for item in items:
                device = db.session.scalar(  # a revoked device stays revoked: the file's is another
                    select(Device).where(Device.centre_id == centre.id, Device.kind == kind, Device.name == item.name,
                                         Device.revoked_at.is_(None))
                )
                if device is None:
                    device = Device(kind=kind, centre_id=centre.id, name=item.name)
                    db.session.add(device)
                device.printer_uri = item.printer
                devices += 1
    _deactivate_missing(Centre, set(centres))

    for p in cfg.staff:
        staff = _upsert(Staff, "username", p.username, name=p.name, role=p.role)
        staff.centres = [centres[code] for code in p.centres]
        db.session.flush()
        db.session.execute(delete(StaffSkill).where(StaffSkill.staff_id == staff.id))
        db.session.expire(staff, ["skills"])
        for level, codes in (("primary", p.primary), ("secondary", p.secondary)):
            for code in codes:
                db.session.add(StaffSkill(staff_id=staff.id, service_id=services[code].id, level=level))
    db.session.flush()
    return Loaded(
        len(cfg.network.languages), len(agencies), len(services), len(events),
        len(centres), counters, devices, len(cfg.staff),
    )
