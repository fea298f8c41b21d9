"""What a centre offers now, service by service (SPEC §10): served now, from when later today, or
not today and when next — for the kiosk, the join page and GET /centres/{c}/services; and the
refusal of a ticket nobody will serve today (409 `not_served_today`). Rules: domain/menu.py."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, select

from ..domain.errors import NotServedToday
from ..domain.hours import LOOK_AHEAD_DAYS
from ..domain.lifecycle import COUNTER_HELD, COUNTER_OPEN
from ..domain.menu import Offer, first_on_duty, offers, serves
from ..extensions import db
from ..domain.access import CLERK
from ..models import Centre, Counter, Service, Staff, StaffSkill, staff_centres
from .queue import queue_state
from .ranges import calibration_for
from .roster import SET, duty, set_params
from .tx import core


def _held_counters(centre: Centre) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """The skills of the centre's open counters and of its paused ones."""
    open_, paused = [], []
    for state, skills in db.session.execute(select(Counter.state, Counter.skills).where(
            Counter.centre_id == centre.id, Counter.state.in_(COUNTER_HELD))):
        held = frozenset(skills.get("primary", ())) | frozenset(skills.get("secondary", ()))
        (open_ if state == COUNTER_OPEN else paused).append(held)
    return open_, paused


def today_offers(centre: Centre, menu: list[str], now: datetime) -> list[Offer]:
    """`menu` as the centre offers it at `now`: a closed centre serves nothing now, and later today
    only from its opening (if it opens again today)."""
    local = now.astimezone(centre.tz)
    day, hours = local.date(), centre.opening_hours
    opens, closes = hours.opening_of(day, centre.tz), hours.closing_of(day, centre.tz)
    if closes is None or closes <= now:
        return [Offer(s, False, False, None) for s in menu]
    open_now = hours.is_open(local)
    open_, paused = _held_counters(centre) if open_now else ([], [])
    if open_now and all(any(serves(c, s) for c in open_) for s in menu):
        return [Offer(s, True, True, now) for s in menu]  # the roster need not be read
    on = duty(centre, day)
    return offers(menu, open_, paused, on.shifts, on.skills_of, max(now, opens), closes)


def next_served(centre: Centre, services: set[str], now: datetime) -> dict[str, datetime]:
    """For each of `services`, the first moment it is served on a following day (the first
    on-duty stretch of a clerk serving it within the opening hours), looking up to 14 days ahead."""
    found: dict[str, datetime] = {}
    day = now.astimezone(centre.tz).date()
    for ahead in range(1, LOOK_AHEAD_DAYS + 1):
        if len(found) == len(services):
            break
        d = day + timedelta(days=ahead)
        opens, closes = centre.opening_hours.opening_of(d, centre.tz), centre.opening_hours.closing_of(d, centre.tz)
        if opens is None or closes is None:
            continue
        on = duty(centre, d)
        firsts = first_on_duty(on.shifts, on.skills_of, opens, closes)
        found |= {s: at for s, at in firsts.items() if s in services and s not in found}
    return found


def centre_offers(centre: Centre, now: datetime) -> list[dict]:
    """Every active service in menu order: served now, served today, next served at (today, or the
    next day it is covered), waiting and the estimated wait of a newcomer, with its range where the
    centre's past waits give one (services/ranges.py; one calibration for the whole menu)."""
    rows = db.session.execute(select(Service.code, Service.bookable).where(Service.active.is_(True))
                              .order_by(Service.position, Service.code)).all()
    menu = [code for code, _ in rows]
    today = today_offers(centre, menu, now)
    later = next_served(centre, {o.service for o in today if o.next_served_at is None and not o.served_today}, now)
    state = queue_state(centre, now)
    waiting = state.waiting_by_service()
    bookable = dict(rows)
    calibration = calibration_for(centre.id, now)
    estimates = {o.service: state.estimates.services.get(o.service) if o.served_today else None for o in today}
    return [{"service": o.service, "served_now": o.served_now, "served_today": o.served_today,
             "next_served_at": (o.next_served_at or later.get(o.service)),
             "waiting": waiting.get(o.service, 0), "bookable": bool(bookable[o.service]),
             "estimated_wait_min": estimates[o.service],
             "estimated_wait_range_min": calibration.range(estimates[o.service])}
            for o in today]


def _surely_served_today(centre: Centre, service: Service, now: datetime) -> bool:
    """The common case in one small query: a day not rostered (every active clerk on duty till
    closing: services/roster.py `duty`) with a clerk of the centre holding the skill. False means
    "not sure": the rules are then applied in full."""
    day = now.astimezone(centre.tz).date()
    closes = centre.opening_hours.closing_of(day, centre.tz)
    if closes is None or closes <= now:
        return False
    rostered, skilled = core(_SURELY_SERVED, {**set_params(centre, day), "service_id": service.id}).one()
    return not rostered and bool(skilled)


_SURELY_SERVED = select(  # built once (an issue asks it when no open counter serves the service)
    SET,
    exists().where(StaffSkill.service_id == bindparam("service_id"), StaffSkill.staff_id == Staff.id,
                   Staff.active.is_(True), Staff.role == CLERK, staff_centres.c.staff_id == Staff.id,
                   staff_centres.c.centre_id == bindparam("centre_id")))


def ensure_served_today(centre: Centre, service: Service, now: datetime, estimate: float | None = None) -> None:
    """Refuse (409 `not_served_today`, naming when it is served next and whether it can be booked)
    a ticket for a service no open counter serves and nobody rostered serves for the rest of today.
    `estimate`, a newcomer's estimated wait when known: a number means an open counter or a clerk
    coming on duty today serves it (services/queue.py), and nothing more is read."""
    if estimate is not None or _surely_served_today(centre, service, now):
        return
    (offer,) = today_offers(centre, [service.code], now)
    if offer.served_today:
        return
    at = next_served(centre, {service.code}, now).get(service.code)
    when = f"; it is served next from {at.astimezone(centre.tz).isoformat()}" if at else ""
    raise NotServedToday(f"nobody serves {service.code} at centre {centre.code} for the rest of today{when}",
                         details={"service": service.code,
                                  "next_served_at": None if at is None else at.astimezone(centre.tz).isoformat(),
                                  "bookable": bool(service.bookable)})
