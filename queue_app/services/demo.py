"""A populated demo day: a roster for this week and the next at every centre, counters opened by
the configured clerks and a few hours of visits.

The day is replayed through the real services with a simulated clock, minute by minute, up
to now, so what a newcomer sees (waiting tickets, clerks serving, numbers already called) is
exactly what the engine would have produced.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..db import utcnow
from ..domain.access import SYSTEM
from ..domain.draws import poisson
from ..domain.errors import DomainError
from ..domain.hours import service_day
from ..domain.shift_pattern import week_pattern
from ..extensions import db
from ..models import Centre, Counter, LifeEvent, Service, Shift, Staff, Ticket, staff_centres
from . import calling, counters, tickets
from .roster import replace_roster, roster_set

HOURS_BACK = 3
VISIT_SHARE = 0.1  # of the demo's visitors who come for several services of a life event


@dataclass
class DemoDay:
    centre: str
    issued: int = 0
    served: int = 0
    waiting: int = 0


@dataclass
class DemoRoster:
    centre: str
    written: list[date]  # the days given the pattern's shifts
    kept: int = 0  # days of the two weeks that already had a roster (or were edited) and were left alone


def keep_rosters(now: datetime | None = None) -> list[DemoRoster]:
    """Give every active centre a roster for this week and the next (domain/shift_pattern.py) on
    each day that has none yet; a day with shifts, or one a manager edited, is left as it is.
    Each day is written through `replace_roster` by SYSTEM (audited), so a second run writes nothing."""
    now = now or utcnow()
    results = []
    for centre in db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code)):
        clerks = list(db.session.scalars(
            select(Staff.username).join(staff_centres, staff_centres.c.staff_id == Staff.id)
            .where(staff_centres.c.centre_id == centre.id, Staff.role == "clerk", Staff.active.is_(True))
            .order_by(Staff.username)))
        today = now.astimezone(centre.tz).date()
        monday = today - timedelta(days=today.weekday())
        done = DemoRoster(centre.code, [])
        for week in (monday, monday + timedelta(days=7)):
            pattern = week_pattern(centre.opening_hours, centre.tz, clerks, week, _last_ended(centre, week))
            for day, shifts in pattern.items():
                if _rostered(centre, day):
                    done.kept += 1
                elif shifts:
                    replace_roster(centre.code, day, shifts, by=SYSTEM)
                    done.written.append(day)
        results.append(done)
    return results


def _rostered(centre: Centre, day: date) -> bool:
    """Whether the day has shifts, or had its roster set by anyone (even to none)."""
    return roster_set(centre, day)


def _last_ended(centre: Centre, monday: date) -> dict[str, datetime]:
    """When each clerk's latest shift at the centre before `monday` ended."""
    rows = db.session.execute(
        select(Staff.username, db.func.max(Shift.end_at)).join(Staff, Staff.id == Shift.staff_id)
        .where(Shift.centre_id == centre.id, Shift.day < monday, Shift.day >= monday - timedelta(days=7))
        .group_by(Staff.username))
    return {name: ended for name, ended in rows}


def populate(now: datetime | None = None, *, seed: int = 7, progress=None) -> list[DemoDay]:
    """Replay up to three hours of visits at every centre open now; return what happened."""
    now = (now or utcnow()).replace(second=0, microsecond=0)
    rng = random.Random(seed)
    results = []
    for centre in db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code)):
        if not centre.opening_hours.is_open(now.astimezone(centre.tz)) or _has_tickets_today(centre, now):
            continue
        results.append(_replay(centre, now, rng))
        if progress:
            progress(centre.code)
    return results


def _has_tickets_today(centre: Centre, now: datetime) -> bool:
    """A centre already running today (or demoed earlier today) is left as it is."""
    day = service_day(now, centre.tz)
    return db.session.scalar(
        select(Ticket.id).where(Ticket.centre_id == centre.id, Ticket.service_day == day).limit(1)
    ) is not None


def _start_of_replay(centre: Centre, now: datetime) -> datetime:
    opening = centre.opening_hours.opening_of(now.astimezone(centre.tz).date(), centre.tz)
    return max(opening, now - timedelta(hours=HOURS_BACK))


def _replay(centre: Centre, now: datetime, rng: random.Random) -> DemoDay:
    t = _start_of_replay(centre, now)
    clerks = [s for s in db.session.scalars(select(Staff).where(Staff.role == "clerk", Staff.active.is_(True)))
              if centre in s.centres and s.skills]
    desks = db.session.scalars(select(Counter).where(Counter.centre_id == centre.id, Counter.active.is_(True)).order_by(Counter.number)).all()
    opened = []
    for clerk, desk in zip(clerks, desks):
        try:
            opened.append(counters.open_counter(desk.code, clerk.username, now=t, by=SYSTEM).code)
        except DomainError:
            continue  # already open from an earlier demo run
    served_codes = sorted({code for clerk in clerks for code in clerk.skill_set().services})
    # A tenth of the visitors come for a life event: one ticket for two or three of its services.
    visits = [codes[:3] for e in db.session.scalars(select(LifeEvent).where(LifeEvent.active.is_(True)))
              if len(codes := [s.code for s in e.services if s.code in served_codes]) >= 2]
    day = DemoDay(centre.code)
    # Arrivals at ~95% of the counters' capacity keep a visible but moving queue.
    mean_min = sum(s.duration_min for s in db.session.scalars(select(Service).where(Service.code.in_(served_codes)))) / max(len(served_codes), 1)
    rate = 0.95 * len(opened) / (mean_min + 1.0)
    busy_until: dict[str, tuple[int, datetime]] = {}
    while t < now and served_codes:
        for _ in range(poisson(rng, rate)):
            try:
                several = rng.choice(visits) if visits and rng.random() < VISIT_SHARE else None
                tickets.issue_ticket(centre.code, None if several else rng.choice(served_codes), services=several,
                                     now=t, priority=rng.random() < 0.05,
                                     language=rng.choice(["en", "es", "ru"]), by=SYSTEM)
                day.issued += 1
            except DomainError:
                break
        for code in opened:
            held = busy_until.get(code)
            if held and held[1] <= t:
                if rng.random() < 0.9:
                    calling.finish(held[0], "resolved", now=t, by=SYSTEM)
                else:
                    calling.finish(held[0], "unresolved", "missing_documents", now=t, by=SYSTEM)
                held = None
                busy_until.pop(code)
                day.served += 1
            if held is None:
                ticket = calling.call_next(code, now=t, by=SYSTEM)
                if ticket is not None:
                    calling.start(ticket.id, now=t + timedelta(minutes=1), by=SYSTEM)
                    minutes = max(2.0, rng.lognormvariate(0, 0.35) * ticket.service.duration_min)
                    busy_until[code] = (ticket.id, t + timedelta(minutes=1 + minutes))
        t += timedelta(minutes=1)
    day.waiting = db.session.scalar(
        select(db.func.count()).select_from(Ticket).where(Ticket.centre_id == centre.id, Ticket.status == "waiting")
    )
    return day


@dataclass(frozen=True)
class DemoAccess:
    password: str | None
    accounts: list[tuple[str, str, str]]  # (username, role, centres)
    devices: list[tuple[str, str, str, str]]  # (centre, kind, name, token)


def grant_access(password: str, *, centre: str = "AIR1") -> DemoAccess:
    """Give every configured account without a password the demo password, and fresh tokens
    to one centre's devices, so a newcomer can try every face at once."""
    from .people import hash_token, password_hash
    from ..models import Device
    import secrets

    accounts = []
    for staff in db.session.scalars(select(Staff).order_by(Staff.role, Staff.username)):
        if staff.password_hash is None:
            staff.password_hash = password_hash(password)
        accounts.append((staff.username, staff.role, ",".join(c.code for c in staff.centres) or "all"))
    devices = []
    for device in db.session.scalars(
        select(Device).join(Centre).where(Centre.code == centre, Device.revoked_at.is_(None)).order_by(Device.kind, Device.id)
    ):
        token = secrets.token_urlsafe(32)
        device.token_hash = hash_token(token)
        devices.append((centre, device.kind, device.name, token))
    db.session.commit()
    return DemoAccess(password, accounts, devices)
