"""The network as its database holds it, in config.toml's shape: what `queue-app network export`
writes and what `network import` compares a file with."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select

from ..config import AppointmentsCfg, DefaultsCfg, NotificationsCfg, PolicyCfg, RemoteCfg
from ..domain.hours import ALWAYS
from ..extensions import db
from ..models import Agency, Centre, Counter, Device, Language, LifeEvent, Service, Staff
from .lookup import setting

SECTIONS: dict[str, type[BaseModel]] = {
    "policy": PolicyCfg, "appointments": AppointmentsCfg, "remote": RemoteCfg,
    "notifications": NotificationsCfg, "defaults": DefaultsCfg,
}


TEXT_FIELDS = ("name", "address", "documents")  # an entry's texts per language


def _in_languages(entry: dict, languages: list[str]) -> dict:
    """`entry` with its texts in `languages` only: those in a language since removed are kept in
    the database (adding it again restores them) but are no part of the network it describes."""
    return {k: {lang: t for lang, t in v.items() if lang in languages} if k in TEXT_FIELDS and isinstance(v, dict) else v
            for k, v in entry.items()}


@dataclass(frozen=True)
class Snapshot:
    document: dict  # the active network, as a network file would say it
    dormant: dict  # deactivated agencies, services, life events and centres, in the same shape


def section(name: str, model: type[BaseModel]) -> dict:
    """A stored settings section over its defaults (a database older than a setting lacks it)."""
    stored = setting(name)
    return {**model().model_dump(), **{k: v for k, v in stored.items() if k in model.model_fields}}


def _hours(stored: dict) -> dict:
    hours = ALWAYS if stored.get("always_open") else dict(stored["weekly"])
    notes = stored.get("notes") or {}
    exceptions = [{"date": date.fromisoformat(d), "hours": span, **({"note": notes[d]} if d in notes else {})}
                  for d, span in stored.get("exceptions", {}).items()]
    return {"hours": hours, "exceptions": exceptions}


def agency_entry(a: Agency) -> dict:
    """An agency as the network file says it."""
    return {"code": a.code, "name": a.name}


def service_entry(s: Service) -> dict:
    """A service as the network file says it."""
    return {"code": s.code, "agency": s.agency.code, "prefix": s.prefix, "name": s.name,
            "duration_min": s.duration_min, "weight": s.weight, "bookable": s.bookable,
            "documents": s.documents or {}}


def life_event_entry(e: LifeEvent) -> dict:
    """A life event as the network file says it."""
    return {"code": e.code, "name": e.name, "services": [s.code for s in e.services]}


def centre_entry(c: Centre, counters: int) -> dict:
    """A centre as the network file says it, its devices apart; `counters`: its active counters."""
    return {"code": c.code, "name": c.name, "address": c.address, "timezone": c.timezone, "district": c.district,
            **_hours(c.hours),
            "target_wait_min": c.target_wait_min, "recall_limit": c.recall_limit,
            "call_timeout_min": c.call_timeout_min, "policy": dict(c.policy or {}), "counters": counters}


def _centres() -> list[tuple[bool, dict]]:
    counters = defaultdict(int)
    for centre_id in db.session.scalars(select(Counter.centre_id).where(Counter.active.is_(True))):
        counters[centre_id] += 1
    devices = defaultdict(list)
    for d in db.session.scalars(select(Device).where(Device.revoked_at.is_(None)).order_by(Device.id)):
        devices[d.centre_id, d.kind].append({"name": d.name, "printer": d.printer_uri})
    out = []
    for c in db.session.scalars(select(Centre).order_by(Centre.id)):
        entry = {**centre_entry(c, counters[c.id]),
                 "kiosks": devices[c.id, "kiosk"], "displays": devices[c.id, "display"]}
        out.append((c.active, entry))
    return out


def staff_entry(p: Staff) -> dict:
    """A staff member as the network file says them (no password, no hash)."""
    skills = {"primary": [], "secondary": []}
    for skill in sorted(p.skills, key=lambda s: s.service.position):
        skills[skill.level].append(skill.service.code)
    return {"username": p.username, "name": p.name, "role": p.role, "centres": [c.code for c in p.centres], **skills}


def _staff() -> list[dict]:
    return [staff_entry(p) for p in db.session.scalars(select(Staff).order_by(Staff.id))]


def network_snapshot() -> Snapshot:
    """Read the whole network, deactivated rows apart in `dormant`, in the caller's transaction."""
    languages = list(db.session.scalars(select(Language).order_by(Language.position)))
    sections = {name: section(name, model) for name, model in SECTIONS.items()}
    network = {"name": setting("network").get("name", ""), "languages": [lang.code for lang in languages],
               "language_names": {lang.code: lang.name for lang in languages}}
    rows = {
        "agencies": [(a.active, agency_entry(a)) for a in db.session.scalars(select(Agency).order_by(Agency.id))],
        "services": [(s.active, service_entry(s))
                     for s in db.session.scalars(select(Service).order_by(Service.position, Service.id))],
        "life_events": [(e.active, life_event_entry(e))
                        for e in db.session.scalars(select(LifeEvent).order_by(LifeEvent.position, LifeEvent.id))],
        "centres": _centres(),
    }
    codes = network["languages"]
    rows = {kind: [(on, _in_languages(entry, codes)) for on, entry in items] for kind, items in rows.items()}
    document = {"network": network, **sections, **{k: [r for on, r in v if on] for k, v in rows.items()},
                "staff": _staff()}
    dormant = {"defaults": sections["defaults"], **{k: [r for on, r in v if not on] for k, v in rows.items()}}
    return Snapshot(document, dormant)


def export_document() -> dict:
    """The active network as a file `network import` accepts: references to deactivated rows
    (a clerk's skill in a service since deactivated) dropped, defaults and empty entries left out."""
    doc = network_snapshot().document
    services = {s["code"] for s in doc["services"]}
    centres = {c["code"] for c in doc["centres"]}
    defaults = doc["defaults"]
    for e in doc["life_events"]:
        e["services"] = [code for code in e["services"] if code in services]
    doc["life_events"] = [e for e in doc["life_events"] if e["services"]]
    for c in doc["centres"]:
        for name in ("target_wait_min", "recall_limit", "call_timeout_min"):
            if c[name] == defaults[name]:
                del c[name]
    for p in doc["staff"]:
        p["centres"] = [code for code in p["centres"] if code in centres]
        for level in ("primary", "secondary"):
            p[level] = [code for code in p[level] if code in services]
    return _without_empty(doc)


def _without_empty(value):
    """Drop None values and empty lists and tables: TOML has no null, and the file's defaults say
    it. A service's documents are kept as they are (an empty list in one language is a list)."""
    if isinstance(value, dict):
        return {k: v if k == "documents" else _without_empty(v)
                for k, v in value.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value
