"""The public board (/centres): each active centre's live figures, cached per centre, and a centre's
day by hour and its usual busy hours. Counts, waits and times only: nothing about any one visitor."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..db import utcnow
from ..domain.board import usual_arrivals
from ..domain.hourly import hourly
from ..domain.hours import format_span, local_day_bounds, openness, service_day
from ..extensions import db
from ..models import Centre, Service, Ticket
from .booking import slots
from .lookup import cached, centre_by_code, latest, setting
from .queue import queue_state
from .ranges import wait_range
from .reading import day_stats, day_visits

SLOT_SECONDS = 300.0  # the next free time: every bookable service's slots (~0.5 s a centre on the demo network)
HISTORY_WEEKS = 8
SMALL_COUNT = 5  # no figure over fewer visitors (issue 20)
HISTORY_SECONDS = 600.0  # the usual busy hours move with whole days


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def next_free_slot(centre: Centre, now: datetime) -> datetime | None:
    """The first start with a place online for any bookable service, from now to the booking horizon."""
    codes = db.session.scalars(select(Service.code).where(Service.active.is_(True), Service.bookable.is_(True))
                               .order_by(Service.position, Service.id)).all()
    today = now.astimezone(centre.tz).date()
    for offset in range(int(setting("appointments").get("horizon_days", 30)) + 1):
        day = today + timedelta(days=offset)
        if centre.opening_hours.span_on(day) is None:
            continue
        found = [s.start for code in codes for s in slots(centre.code, code, day, now) if s.available > 0]
        if found:
            return min(found)
    return None


def centre_figures(centre: Centre, now: datetime) -> dict:
    """A centre as the board shows it: open now (else when it opens), people waiting, estimated wait,
    counters open, the share of today's visitors called within the target, the next free booking time."""
    span = centre.opening_hours.span_on(now.astimezone(centre.tz).date())
    hours = openness(centre.opening_hours, centre.tz, now)
    state = queue_state(centre, now)
    slot = cached(f"board:slot:{centre.code}", lambda: iso(next_free_slot(centre, now)), seconds=SLOT_SECONDS)
    return {
        "code": centre.code, "name": centre.name, "address": centre.address, "district": centre.district,
        "timezone": centre.timezone, "target_wait_min": centre.target_wait_min,
        "open_now": hours.open_now, "hours_today": None if span is None else format_span(span),
        "opens_at": None if hours.open_now else iso(hours.next_opening),
        "waiting": len(state.order),
        "estimated_wait_min": state.estimates.centre(),
        "counters_open": state.open_counters,
        "within_target_share": day_stats(centre, service_day(now, centre.tz)).within_target_share,
        "next_slot": slot,
        "estimated_wait_range_min": wait_range(centre.id, state.estimates.centre(), now),
        "estimates_inside_yesterday": estimates_yesterday(centre, now),
    }


def estimates_yesterday(centre: Centre, now: datetime) -> float | None:
    """The share of yesterday's visitors given a range whose real wait fell inside it; None when
    fewer than SMALL_COUNT were given one (no figure over so few visitors). A closed day: kept."""
    day = service_day(now, centre.tz) - timedelta(days=1)

    def load():
        visits = day_visits(centre, day)
        ranged = [v for v in visits if v.range_low is not None and v.called_at is not None]
        if len(ranged) < SMALL_COUNT:
            return None
        return sum(v.range_low <= v.wait_min() <= v.range_high for v in ranged) / len(ranged)
    return cached(f"board:estimates:{centre.code}:{day}", load, seconds=3600)


def centre_row(code: str) -> dict:
    """One centre's board figures, recomputed at most every few seconds whoever asks, by one of them
    (404 if unknown)."""
    return latest(f"board:{code}", lambda: centre_figures(centre_by_code(code), utcnow()),
                  seconds=current_app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"])


def board_codes() -> list[str]:
    """The active centres' codes (the catalogue's cache: set-up changes clear it)."""
    return cached("board:codes", lambda: list(db.session.scalars(
        select(Centre.code).where(Centre.active.is_(True)).order_by(Centre.code))))


def board() -> list[dict]:
    """Every active centre's board figures."""
    return [centre_row(code) for code in board_codes()]


def board_json() -> str:
    """Every active centre's board figures as the JSON of /centres.json, built at most every few
    seconds by one request: thousands of visitors poll it (docs/benchmarks.md, the public board)."""
    return latest("board:json", lambda: current_app.json.dumps({"centres": board()}, separators=(",", ":")),
                  seconds=current_app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"])


def usual_week(centre: Centre, now: datetime) -> dict[int, dict[int, float]]:
    """Visitors per local hour on each weekday, averaged over the last HISTORY_WEEKS weeks before today."""

    def load():
        today = now.astimezone(centre.tz).date()
        days = [today - timedelta(days=n) for n in range(1, HISTORY_WEEKS * 7 + 1)]
        since, until = local_day_bounds(days[-1], centre.tz)[0], local_day_bounds(today, centre.tz)[0]
        arrived = db.session.scalars(select(Ticket.arrived_at).where(
            Ticket.centre_id == centre.id, Ticket.arrived_at >= since, Ticket.arrived_at < until)).all()
        return usual_arrivals([at.astimezone(centre.tz) for at in arrived], days)

    return cached(f"board:week:{centre.code}", load, seconds=HISTORY_SECONDS)


def centre_day(code: str, now: datetime | None = None) -> dict:
    """A centre's page: its board figures, today's waits hour by hour (read by one request for the
    cache period, like the figures) and the usual busy hours."""
    now = now or utcnow()
    centre = centre_by_code(code)

    def today() -> list[dict]:
        visits = day_visits(centre, service_day(now, centre.tz))
        return [asdict(h) for h in hourly(visits, centre.tz, now)]
    return {**centre_row(code), "usual": usual_week(centre, now),
            "hourly": latest(f"board:day:{centre.code}", today, seconds=current_app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"])}
