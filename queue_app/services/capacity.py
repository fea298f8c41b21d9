"""The places a centre's slots offer online on a day, from the day's duty (services/roster.py
`duty`) and the rule of domain/capacity.py: what booking sells and the conflicts check counts."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..domain.capacity import slot_places
from ..domain.slots import slot_grid
from ..extensions import db
from ..models import Centre, Counter, Service
from .lookup import menu, setting
from .roster import Duty, duty


def walk_in_share() -> float:
    """The share of capacity kept for walk-ins (config.toml [appointments])."""
    return setting("appointments").get("walk_in_share", 0.5)


def active_menu() -> frozenset[str]:
    """The codes of the network's active services: a clerk's minutes are shared among these."""
    return frozenset(menu())


def counter_count(centre: Centre) -> int:
    return db.session.scalar(select(func.count()).select_from(Counter).where(Counter.centre_id == centre.id,
                                                                              Counter.active.is_(True)))


def day_places(centre: Centre, service: Service, day: date, walk_in_share: float, on: Duty | None = None,
               counters: int | None = None, menu: frozenset[str] | None = None) -> list[tuple[datetime, datetime, int]]:
    """Each slot (start, end, places online) of the centre's local day for `service`; `on`,
    `counters`, `menu`: the day's duty, the centre's counters and the active menu when the caller
    already read them (a month of days at once)."""
    grid = slot_grid(day, centre.opening_hours.span_on(day), centre.tz, timedelta(minutes=service.duration_min))
    if not grid:
        return []
    on = on or duty(centre, day)
    counters = counter_count(centre) if counters is None else counters
    places = slot_places(grid, on.shifts, service.code, on.skills_of, counters, walk_in_share,
                         active_menu() if menu is None else menu)
    return [(start, end, n) for (start, end), n in zip(grid, places)]
