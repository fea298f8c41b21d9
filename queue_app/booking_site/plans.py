"""A visit's plan on the booking pages: 1–5 services, its address segment, and its free starts.

One service keeps today's path (its slots); several are booked as consecutive slots at one centre
(services/visit_booking.py): a start is offered when the whole visit fits from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .. import services
from ..db import utcnow
from ..domain.visits import MAX_STEPS
from ..extensions import db
from ..models import Centre, Service
from ..services.lookup import cached
from ..services.visit_booking import later_steps
from .reading import centres, horizon_days, short_when

JOIN = "+"  # birth+passport: each step of the booking stays an address of its own


@dataclass(frozen=True)
class Plan:
    services: list[Service]

    @property
    def code(self) -> str:
        return JOIN.join(s.code for s in self.services)

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.services]

    @property
    def several(self) -> bool:
        return len(self.services) > 1


@dataclass(frozen=True)
class Day:
    day: date
    free: int  # starts with a place left


@dataclass(frozen=True)
class Start:
    """A time the visit can start, with the places free for all of it and each step's times."""
    start: datetime
    end: datetime
    available: int
    steps: list[tuple[Service, datetime, datetime]]


def split(segment: str) -> list[str] | None:
    """The codes of an address's service segment, or None when it cannot be a plan."""
    codes = segment.split(JOIN)
    if not 1 <= len(codes) <= MAX_STEPS or len(set(codes)) != len(codes) or not all(codes):
        return None
    return codes


def plan_of(appointment) -> Plan:
    """The plan of a booked appointment: its service, then its visit's later steps'."""
    return Plan([appointment.service, *(a.service for a in later_steps(appointment))])


def starts(centre: Centre, plan: Plan, day: date, now: datetime | None = None) -> list[Start]:
    """The day's starts with a place left for the whole visit, on the centre's clock."""
    now = now or utcnow()
    if not plan.several:
        service = plan.services[0]
        return [Start(s.start, s.end, s.available, [(service, s.start, s.end)])
                for s in services.slots(centre.code, service.code, day, now) if s.available > 0]
    by_code = {s.code: s for s in plan.services}
    return [Start(v["start"], v["end"], v["available"],
                  [(by_code[step["service"]], step["start"], step["end"]) for step in v["steps"]])
            for v in services.visit_slots(centre.code, plan.codes, day, now) if v["available"] > 0]


def days(centre: Centre, plan: Plan, now: datetime | None = None) -> list[Day]:
    """The days from today to the horizon (centre's local days) where the whole visit fits."""
    now = now or utcnow()
    today = now.astimezone(centre.tz).date()
    found = []
    for offset in range(horizon_days() + 1):
        day = today + timedelta(days=offset)
        free = len(starts(centre, plan, day, now))
        if free:
            found.append(Day(day, free))
    return found


def first_start(centre: Centre, plan: Plan, now: datetime | None = None) -> datetime | None:
    """The first start from which the whole visit fits, from now to the horizon, or None."""
    now = now or utcnow()
    today = now.astimezone(centre.tz).date()
    for offset in range(horizon_days() + 1):
        found = starts(centre, plan, today + timedelta(days=offset), now)
        if found:
            return found[0].start
    return None


def first_starts(plan: Plan) -> dict[str, datetime | None]:
    """Each active centre's first start for the visit, cached like the centres' summaries."""

    def load():
        rows = db.session.scalars(select(Centre).where(Centre.active.is_(True))).all()
        return {c.code: first_start(c, plan) for c in rows}

    return cached(f"booking:first:{plan.code}", load, seconds=current_app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"])


def elsewhere(plan: Plan, centre: Centre, limit: int = 3) -> list[dict]:
    """The other active centres where the visit fits, soonest first (at most `limit`)."""
    rows = {row["code"]: row for row in centres()}
    found = sorted((start, code) for code, start in first_starts(plan).items()
                   if start is not None and code != centre.code and code in rows)
    return [{"code": code, "name": rows[code]["name"], "when": short_when(start, rows[code]["timezone"])}
            for start, code in found[:limit]]
