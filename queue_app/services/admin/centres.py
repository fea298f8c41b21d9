"""Centres — address, timezone, hours, exception days, policy knobs, counters — changed through the
administration (SPEC §12).

Admins create centres and change all of a centre; a manager of a centre changes only its hours,
exception days and counters. Each change is one transaction with its audit row (the centre as the
network file says it, before → after). A change of hours that leaves booked appointments without
a place answers with them (`to_move`); the managers' booking conflicts list them until moved. A
centre or counter is never retired while something is in flight there.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import func, select

from ...config import CentreCfg, DefaultsCfg
from ...db import utcnow
from ...domain import appointments as ap
from ...domain.access import ADMIN, Actor
from ...domain.errors import Forbidden, InvalidRequest, NotFound
from ...domain.hours import (
    format_span, parse_span, timezone_problem, weekly_problems, with_exception, with_weekly,
)
from ...domain.lifecycle import AT_COUNTER, COUNTER_HELD, WAITING
from ...domain.text import is_text
from ...extensions import db
from ...models import Appointment, Centre, Counter, Ticket
from ..access import standing
from ..capacity import counter_count
from ..lookup import any_centre, counter_by_code
from ..overbooking import overbooked
from ..snapshot import centre_entry, section
from ..tx import atomic
from .catalogue import StillInUse
from .common import admin_only, checked_texts, invalid, manager_of, record

POLICY = ("target_wait_min", "recall_limit", "call_timeout_min")
ADMIN_FIELDS = frozenset({"name", "address", "timezone", "hours", *POLICY, "active"})
MANAGER_FIELDS = frozenset({"hours"})  # SPEC §12: managers change their centres' hours, not the rest
NOTE_MAX = 200
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _checked(model: type[BaseModel], name: str, value):
    """`value` checked by the network file's rule for `model`'s field `name`; else 422 naming it."""
    field = model.model_fields[name]
    try:
        return TypeAdapter(Annotated[field.annotation, *field.metadata]).validate_python(value, strict=True)
    except ValidationError as exc:
        raise invalid(name, exc.errors()[0]["msg"]) from None


def _checked_hours(hours) -> str | dict:
    """Weekly hours as the network file writes them; else 422 naming each wrong field ("hours.mon")."""
    if problems := weekly_problems(hours):
        raise InvalidRequest(next(iter(problems.values())), details={"fields": problems})
    return hours


def _checked_timezone(name: str) -> str:
    if problem := timezone_problem(name):
        raise invalid("timezone", problem)
    return name


# ---- reading ---------------------------------------------------------------------------------

def document(centre: Centre) -> dict:
    """The centre as the network file says it (JSON-ready: days as ISO dates) and whether it is
    active: the audit's before/after and the API's answer."""
    entry = centre_entry(centre, counter_count(centre))
    entry["exceptions"] = [{**e, "date": e["date"].isoformat()} for e in entry["exceptions"]]
    return {**entry, "active": centre.active}


def centres(by: Actor) -> list[dict]:
    """Every centre for an admin, deactivated ones too; a manager's own centres; else 403."""
    role, scope = standing(by)
    if by.is_device or role not in ("admin", "manager"):
        raise Forbidden(f"{by.name} may not read the administration")
    query = select(Centre).order_by(Centre.id)
    if scope is not None:
        query = query.where(Centre.id.in_(scope))
    return [document(c) for c in db.session.scalars(query)]


def to_move(centre: Centre, day: date | None = None, now: datetime | None = None) -> list[dict]:
    """The centre's booked appointments from now on (on local `day` only, if given) that its hours
    and roster now leave without a place — what its managers must move (its booking conflicts)."""
    return [{"code": b.code, "service": c.service, "start": c.start.isoformat()}
            for c in overbooked(centre, now) if day is None or c.start.date() == day
            for b in c.appointments[c.places:]]


# ---- centres ---------------------------------------------------------------------------------

@atomic
def create_centre(by: Actor, *, code: str, name: dict, address: dict, timezone: str, hours, counters: int,
                  target_wait_min: int | None = None, recall_limit: int | None = None,
                  call_timeout_min: int | None = None) -> dict:
    """Add a centre with `counters` counters numbered from 1 (admins); unset policy knobs take the
    network's defaults."""
    admin_only(by, "the network's centres")
    _checked(CentreCfg, "code", code)
    if db.session.scalar(select(Centre.id).where(Centre.code == code)) is not None:
        raise invalid("code", f"centre {code!r} already exists")
    _checked(CentreCfg, "counters", counters)
    given = {"target_wait_min": target_wait_min, "recall_limit": recall_limit, "call_timeout_min": call_timeout_min}
    knobs = {**section("defaults", DefaultsCfg), **{k: _checked(DefaultsCfg, k, v) for k, v in given.items()
                                                    if v is not None}}
    centre = Centre(code=code, name=checked_texts(name, "name"), address=checked_texts(address, "address"),
                    timezone=_checked_timezone(timezone), hours=with_weekly({}, _checked_hours(hours)),
                    active=True, **knobs)
    db.session.add(centre)
    db.session.flush()
    db.session.add_all(Counter(code=f"{code}-{n:02d}", centre_id=centre.id, number=n, name=f"{n}")
                       for n in range(1, counters + 1))
    db.session.flush()
    after = document(centre)
    record(by, "centre", code, "create", None, after, centre_id=centre.id)
    return {**after, "to_move": []}


@atomic
def change_centre(by: Actor, code: str, *, now: datetime | None = None, **fields) -> dict:
    """Change a centre's fields (name, address, timezone, hours, the policy knobs, active): an
    admin any, a manager of the centre its hours only. Deactivating a centre where visitors wait,
    counters are open or bookings are to come is refused (409 `in_use`, naming them)."""
    centre = any_centre(code, lock=True)
    role = manager_of(by, centre)
    allowed = ADMIN_FIELDS if role == ADMIN else MANAGER_FIELDS
    if refused := sorted(set(fields) - allowed):
        raise Forbidden(f"{by.name} may not change {', '.join(refused)} of centre {code}: only an admin may")
    before = document(centre)
    if "name" in fields:
        centre.name = checked_texts(fields["name"], "name")
    if "address" in fields:
        centre.address = checked_texts(fields["address"], "address")
    if "timezone" in fields:
        centre.timezone = _checked_timezone(fields["timezone"])
    if "hours" in fields:
        centre.hours = with_weekly(centre.hours, _checked_hours(fields["hours"]))
    for knob in POLICY:
        if knob in fields:
            setattr(centre, knob, _checked(DefaultsCfg, knob, fields[knob]))
    if fields.get("active") is False and centre.active:
        _check_idle(centre, now or utcnow())
    if "active" in fields:
        centre.active = fields["active"]
    db.session.flush()
    after = document(centre)
    if after != before:
        record(by, "centre", code, "change", before, after, centre_id=centre.id)
    return {**after, "to_move": to_move(centre, now=now) if centre.active else []}


def _check_idle(centre: Centre, now: datetime) -> None:
    """Raise StillInUse if visitors wait at `centre`, a counter is held, or bookings are to come."""
    waiting = db.session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.centre_id == centre.id, Ticket.status.in_({WAITING, *AT_COUNTER})))
    held = list(db.session.scalars(select(Counter.code).where(
        Counter.centre_id == centre.id, Counter.state.in_(COUNTER_HELD)).order_by(Counter.number)))
    booked = db.session.execute(
        select(Appointment.code, Appointment.start).where(
            Appointment.centre_id == centre.id, Appointment.status.in_(ap.LIVE), Appointment.start > now)
        .order_by(Appointment.start)).all()
    if waiting or held or booked:
        raise StillInUse(
            f"centre {centre.code} still has {waiting} visitor(s) in line, {len(held)} open counter(s) and "
            f"{len(booked)} booking(s) to come: serve or move them and close the counters first",
            details={"waiting": waiting, "counters": held,
                     "appointments": [{"code": c, "start": s.isoformat()} for c, s in booked]})


# ---- exception days and holidays ---------------------------------------------------------------

def _day(text: str, centre: Centre, now: datetime) -> date:
    try:
        day = date.fromisoformat(text) if ISO_DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise invalid("date", f"{text!r} is not a date (YYYY-MM-DD)")
    if day < now.astimezone(centre.tz).date():
        raise invalid("date", f"{day} has passed at centre {centre.code}")
    return day


def _exception_answer(centre: Centre, day: date, now: datetime | None) -> dict:
    span = centre.opening_hours.span_on(day)
    return {"date": day.isoformat(), "hours": format_span(span),
            "note": (centre.hours.get("notes") or {}).get(day.isoformat()),
            "to_move": to_move(centre, day, now)}


@atomic
def set_exception(by: Actor, code: str, day: str, *, hours: str, note: str | None = None,
                  now: datetime | None = None) -> dict:
    """Make a day of the centre an exception day: "closed" (a holiday) or "HH:MM-HH:MM" (an admin
    or a manager of the centre). Answers with the day's hours and the bookings it leaves without a
    place, to move."""
    now = now or utcnow()
    centre = any_centre(code, lock=True)
    manager_of(by, centre)
    when = _day(day, centre, now)
    try:
        parse_span(hours)
    except (ValueError, TypeError) as exc:
        raise invalid("hours", str(exc)) from None
    if note is not None and (len(note) > NOTE_MAX or not is_text(note)):
        raise invalid("note", f"a note is up to {NOTE_MAX} characters of text")
    before = document(centre)
    centre.hours = with_exception(centre.hours, when, hours, (note or "").strip() or None)
    db.session.flush()
    after = document(centre)
    if after != before:
        record(by, "centre", code, "exception", before, after, centre_id=centre.id)
    return _exception_answer(centre, when, now)


@atomic
def remove_exception(by: Actor, code: str, day: str, *, now: datetime | None = None) -> dict:
    """Drop an exception day: the day has the weekly hours again (404 if it was not an exception)."""
    now = now or utcnow()
    centre = any_centre(code, lock=True)
    manager_of(by, centre)
    when = _day(day, centre, now)
    if when not in centre.opening_hours.exceptions:
        raise NotFound(f"{when} is not an exception day of centre {code}")
    before = document(centre)
    centre.hours = with_exception(centre.hours, when, None)
    db.session.flush()
    record(by, "centre", code, "exception", before, document(centre), centre_id=centre.id)
    return _exception_answer(centre, when, now)


# ---- counters --------------------------------------------------------------------------------

def counter_document(counter: Counter) -> dict:
    """A counter as the administration shows it and audits it."""
    return {"code": counter.code, "centre": counter.centre.code, "number": counter.number, "name": counter.name,
            "active": counter.active, "state": counter.state}


def _counter_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 60 or not is_text(name):
        raise invalid("name", "a counter's name is 1–60 characters of text")
    return name


@atomic
def add_counter(by: Actor, code: str, *, name: str | None = None) -> dict:
    """Add a counter to the centre, numbered after its last one (retired ones too)."""
    centre = any_centre(code, lock=True)
    manager_of(by, centre)
    number = (db.session.scalar(select(func.max(Counter.number)).where(Counter.centre_id == centre.id)) or 0) + 1
    _checked(CentreCfg, "counters", number)
    counter = Counter(code=f"{code}-{number:02d}", centre_id=centre.id, number=number,
                      name=str(number) if name is None else _counter_name(name))
    db.session.add(counter)
    db.session.flush()
    after = counter_document(counter)
    record(by, "counter", counter.code, "create", None, after, centre_id=centre.id)
    return after


@atomic
def change_counter(by: Actor, code: str, *, name: str | None = None, active: bool | None = None) -> dict:
    """Rename, retire or bring back a counter (an admin or a manager of its centre). A counter held
    by a clerk or with a visitor at it is not retired (409 `in_use`): the clerk finishes and closes it."""
    counter = counter_by_code(code, lock=True)
    manager_of(by, counter.centre)
    before = counter_document(counter)
    if name is not None:
        counter.name = _counter_name(name)
    if active is False and counter.active:
        visitor = db.session.scalar(select(Ticket).where(Ticket.counter_id == counter.id,
                                                         Ticket.status.in_(AT_COUNTER)))
        if counter.state in COUNTER_HELD or visitor is not None:
            raise StillInUse(
                f"counter {code} is {counter.state}{' with a visitor at it' if visitor else ''}: "
                "the clerk must finish and close it first",
                details={"state": counter.state, "ticket": visitor.number if visitor else None})
    if active is not None:
        counter.active = active
    db.session.flush()
    after = counter_document(counter)
    if after != before:
        record(by, "counter", code, "change", before, after, centre_id=counter.centre_id)
    return after

