"""The network's catalogue — agencies, services, life events — changed by an admin (SPEC §12).

Each change is one transaction with its audit row (the entity before → after, as the network file
says it); a service is deactivated, never deleted, and never while visitors wait for it or hold a
booking of it unless the admin says what becomes of them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select

from ...db import utcnow
from ...domain.access import Actor
from ...domain.admin import code_problem
from ...domain.appointments import BOOKED
from ...domain.errors import DomainError, Forbidden, InvalidRequest, NotFound
from ...domain.lifecycle import WAITING
from ...domain.lines import line_owners, prefix_problem
from ...extensions import db
from ...models import Agency, Appointment, Centre, LifeEvent, Service, Ticket, life_event_services
from ..access import standing
from ..calling import cancel, reassign
from ..lookup import language_codes
from ..snapshot import agency_entry, life_event_entry, service_entry
from ..tx import atomic
from .common import admin_only, checked_texts, invalid, record

DOCUMENT_MAX = 200
WAITING_ACTIONS = ("transfer", "cancel")


class StillInUse(DomainError):
    """A deactivation that would strand visitors: `details` say who and what the admin may do."""

    code = "in_use"


def _reader(by: Actor) -> None:
    if by.is_device or standing(by)[0] not in ("admin", "manager"):
        raise Forbidden(f"{by.name} may not read the administration")


def _entry(row, entry) -> dict:
    return {**entry(row), "active": row.active}


# ---- agencies -------------------------------------------------------------------------------

def agencies(by: Actor) -> list[Agency]:
    """Every agency, deactivated ones too (admins and managers read the catalogue)."""
    _reader(by)
    return list(db.session.scalars(select(Agency).order_by(Agency.id)))


def _agency(code: str, *, active_only: bool = False) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None or (active_only and not agency.active):
        raise NotFound(f"no {'active ' if active_only else ''}agency with code {code!r}")
    return agency


@atomic
def create_agency(by: Actor, *, code: str, name: dict) -> Agency:
    admin_only(by, "the catalogue")
    if problem := code_problem(code):
        raise invalid("code", problem)
    if db.session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
        raise invalid("code", f"agency {code!r} already exists")
    agency = Agency(code=code, name=checked_texts(name, "name"), active=True)
    db.session.add(agency)
    db.session.flush()
    record(by, "agency", code, "create", None, _entry(agency, agency_entry))
    return agency


@atomic
def change_agency(by: Actor, code: str, *, name: dict | None = None, active: bool | None = None) -> Agency:
    admin_only(by, "the catalogue")
    agency = _agency(code)
    before = _entry(agency, agency_entry)
    if name is not None:
        agency.name = checked_texts(name, "name")
    if active is False and agency.active:
        live = list(db.session.scalars(select(Service.code).where(Service.agency_id == agency.id,
                                                                  Service.active.is_(True))))
        if live:
            raise StillInUse(f"agency {code} still has active services: deactivate them first",
                             details={"services": live})
    if active is not None:
        agency.active = active
    after = _entry(agency, agency_entry)
    if after != before:
        record(by, "agency", code, "change", before, after)
    return agency


# ---- services -------------------------------------------------------------------------------

def services(by: Actor) -> list[Service]:
    """Every service in menu order, deactivated ones last."""
    _reader(by)
    return list(db.session.scalars(select(Service).order_by(Service.active.desc(), Service.position, Service.id)))


def _service(code: str) -> Service:
    service = db.session.scalar(select(Service).where(Service.code == code))
    if service is None:
        raise NotFound(f"no service with code {code!r}")
    return service


def _check_prefix(prefix: str, agency_code: str, service_code: str) -> str:
    """`prefix` if a service of `agency_code` may number on it: another agency's line may not be shared."""
    others = db.session.execute(select(Service.prefix, Agency.code).join(Agency, Agency.id == Service.agency_id)
                                .where(Service.code != service_code, Service.active.is_(True))).all()
    if problem := prefix_problem(prefix, agency_code, line_owners(others)):
        raise invalid("prefix", problem)
    return prefix


def _check_documents(documents: dict) -> dict:
    if not documents:
        return {}
    languages = language_codes()
    problems = {f"documents.{lang}": f"{lang!r} is not a configured language" for lang in documents if lang not in languages}
    for lang in languages:
        items = documents.get(lang)
        if not isinstance(items, list):
            problems[f"documents.{lang}"] = f"the {lang!r} list of documents is missing"
        elif any(not isinstance(d, str) or not d.strip() or len(d) > DOCUMENT_MAX for d in items):
            problems[f"documents.{lang}"] = f"each document is 1–{DOCUMENT_MAX} characters"
    if problems:
        raise InvalidRequest(next(iter(problems.values())), details={"fields": problems})
    return {lang: [d.strip() for d in documents[lang]] for lang in languages}


def _check_numbers(duration_min: float | None, weight: float | None) -> None:
    if duration_min is not None and not 0 < duration_min <= 480:
        raise invalid("duration_min", "a service takes more than 0 and at most 480 minutes")
    if weight is not None and not 0 < weight <= 10:
        raise invalid("weight", "a weight is more than 0 and at most 10")


@atomic
def create_service(by: Actor, *, code: str, agency: str, prefix: str, name: dict, duration_min: float,
                   weight: float = 1.0, bookable: bool = True, documents: dict | None = None) -> Service:
    """Add a service at the end of the menu: every centre offers it once a clerk has the skill."""
    admin_only(by, "the catalogue")
    if problem := code_problem(code):
        raise invalid("code", problem)
    if db.session.scalar(select(Service.id).where(Service.code == code)) is not None:
        raise invalid("code", f"service {code!r} already exists")
    _check_numbers(duration_min, weight)
    owner = _agency(agency, active_only=True)
    last = db.session.scalar(select(func.max(Service.position))) or 0
    service = Service(code=code, agency_id=owner.id, prefix=_check_prefix(prefix, owner.code, code),
                      name=checked_texts(name, "name"), duration_min=duration_min, weight=weight,
                      bookable=bookable, documents=_check_documents(documents or {}), active=True,
                      position=last + 1)
    db.session.add(service)
    db.session.flush()
    record(by, "service", code, "create", None, _entry(service, service_entry))
    return service


@atomic
def change_service(by: Actor, code: str, *, waiting: dict | None = None, now: datetime | None = None,
                   **fields) -> Service:
    """Change a service's fields (agency, prefix, name, duration_min, weight, bookable, documents,
    active). Deactivating one that visitors wait for is refused (409 `in_use`, naming them) unless
    `waiting` says what becomes of them — {"action": "transfer", "to": code} (they keep their place
    in the other line) or {"action": "cancel"}
    — done in the same transaction; one with booked appointments to come is refused, listing them."""
    admin_only(by, "the catalogue")
    unknown = set(fields) - {"agency", "prefix", "name", "duration_min", "weight", "bookable", "documents", "active"}
    if unknown:
        raise InvalidRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    service = _service(code)
    before = _entry(service, service_entry)
    _check_numbers(fields.get("duration_min"), fields.get("weight"))
    agency = _agency(fields["agency"], active_only=True) if "agency" in fields else service.agency
    if "agency" in fields or "prefix" in fields:  # one agency's line each prefix
        service.prefix = _check_prefix(fields.get("prefix", service.prefix), agency.code, code)
        service.agency_id = agency.id
    if "name" in fields:
        service.name = checked_texts(fields["name"], "name")
    if "documents" in fields:
        service.documents = _check_documents(fields["documents"])
    for name in ("duration_min", "weight", "bookable"):
        if name in fields:
            setattr(service, name, fields[name])
    if fields.get("active") is False and service.active:
        _withdraw(by, service, waiting, now or utcnow())
    elif fields.get("active") is True and not service.active:
        _check_prefix(service.prefix, service.agency.code, code)  # another agency may have taken the line
        service.active = True
    db.session.flush()
    db.session.expire(service, ["agency"])
    after = _entry(service, service_entry)
    if after != before:
        record(by, "service", code, "change", before, after)
    return service


def _withdraw(by: Actor, service: Service, waiting: dict | None, now: datetime) -> None:
    """Deactivate `service`, doing with its waiting visitors what `waiting` says."""
    booked = db.session.execute(
        select(Appointment.code, Centre.code, Appointment.start).join(Centre, Centre.id == Appointment.centre_id)
        .where(Appointment.service_id == service.id, Appointment.status == BOOKED, Appointment.start > now)
        .order_by(Appointment.start)
    ).all()
    if booked:
        raise StillInUse(
            f"{len(booked)} booked appointment(s) of {service.code} are still to come: move or cancel them first, "
            "and make the service not bookable meanwhile",
            details={"appointments": [{"code": a, "centre": c, "start": s.isoformat()} for a, c, s in booked]},
        )
    tickets = list(db.session.scalars(select(Ticket).where(Ticket.service_id == service.id, Ticket.status == WAITING)
                                      .order_by(Ticket.id)))
    if tickets:
        by_centre: dict[str, int] = {}
        for t in tickets:
            by_centre[t.centre.code] = by_centre.get(t.centre.code, 0) + 1
        action = (waiting or {}).get("action")
        if action not in WAITING_ACTIONS:
            raise StillInUse(
                f"{len(tickets)} visitor(s) wait for {service.code}: say whether to transfer them to another "
                "service (waiting.action \"transfer\", waiting.to) or to cancel their tickets (\"cancel\")",
                details={"waiting": by_centre},
            )
        if action == "transfer":
            target = (waiting or {}).get("to")
            if not target or target == service.code:
                raise invalid("waiting.to", "name the active service the waiting visitors go on to")
            for t in tickets:
                reassign(t.id, target, by=by, now=now)
        else:
            for t in tickets:
                cancel(t.id, by=by, now=now, reason="withdrawn")
    service.active = False


# ---- life events ----------------------------------------------------------------------------

def life_events(by: Actor) -> list[LifeEvent]:
    _reader(by)
    return list(db.session.scalars(select(LifeEvent).order_by(LifeEvent.active.desc(), LifeEvent.position,
                                                              LifeEvent.id)))


def _life_event(code: str) -> LifeEvent:
    event = db.session.scalar(select(LifeEvent).where(LifeEvent.code == code))
    if event is None:
        raise NotFound(f"no life event with code {code!r}")
    return event


def _event_services(codes: list[str]) -> list[Service]:
    if not codes:
        raise invalid("services", "a life event lists at least one service")
    if len(set(codes)) != len(codes):
        raise invalid("services", "a service is listed twice")
    found = {s.code: s for s in db.session.scalars(select(Service).where(Service.code.in_(codes),
                                                                         Service.active.is_(True)))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise invalid("services", f"no active service with code(s) {', '.join(missing)}")
    return [found[c] for c in codes]


def _list_services(event: LifeEvent, chosen: list[Service]) -> None:
    """Make `chosen` the event's services, in that order."""
    db.session.execute(delete(life_event_services).where(life_event_services.c.life_event_id == event.id))
    db.session.execute(insert(life_event_services), [
        {"life_event_id": event.id, "service_id": s.id, "position": i} for i, s in enumerate(chosen)])
    db.session.expire(event, ["services"])


@atomic
def create_life_event(by: Actor, *, code: str, name: dict, services: list[str]) -> LifeEvent:
    admin_only(by, "the catalogue")
    if problem := code_problem(code):
        raise invalid("code", problem)
    if db.session.scalar(select(LifeEvent.id).where(LifeEvent.code == code)) is not None:
        raise invalid("code", f"life event {code!r} already exists")
    last = db.session.scalar(select(func.max(LifeEvent.position))) or 0
    event = LifeEvent(code=code, name=checked_texts(name, "name"), position=last + 1, active=True)
    chosen = _event_services(services)
    db.session.add(event)
    db.session.flush()
    _list_services(event, chosen)
    record(by, "life_event", code, "create", None, _entry(event, life_event_entry))
    return event


@atomic
def change_life_event(by: Actor, code: str, *, name: dict | None = None, services: list[str] | None = None,
                      active: bool | None = None) -> LifeEvent:
    admin_only(by, "the catalogue")
    event = _life_event(code)
    before = _entry(event, life_event_entry)
    if name is not None:
        event.name = checked_texts(name, "name")
    if services is not None:
        _list_services(event, _event_services(services))
    if active is not None:
        event.active = active
    db.session.flush()
    after = _entry(event, life_event_entry)
    if after != before:
        record(by, "life_event", code, "change", before, after)
    return event
