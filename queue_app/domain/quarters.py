"""The 15-minute open-data records (issue 20): a centre's quarter-hours of opening, and one
quarter-hour's figures from its ticket rows (stats.Visit). Plain data in, a record out.

A period is [start, start + 15 min), its start on a quarter of the hour of the centre's clock.
Every figure computed over fewer than MIN_VISITORS visitors is None: a small count would point at
a person. Counts (waiting, arrivals, called, visits over) are published as they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .hours import OpeningHours
from .lifecycle import CANCELLED
from .stats import Visit, estimates_of
from .summary import mean, percentile
from .visit_figures import door_to_door_min, is_over, resolved_first_time, visit_groups

PERIOD = timedelta(minutes=15)
MIN_VISITORS = 5
SETTLE = timedelta(minutes=1)  # a period is stored this long after its end: its last moves have committed


def quarter_floor(at: datetime) -> datetime:
    """The quarter-hour `at` falls in (every timezone's offset is a whole number of quarter-hours)."""
    utc = at.astimezone(timezone.utc)
    return utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0)


def periods_of_day(hours: OpeningHours, tz: ZoneInfo, day: date) -> list[datetime]:
    """The starts (on the centre's clock) of the quarter-hours that overlap the local day's opening."""
    opens, closes = hours.opening_of(day, tz), hours.closing_of(day, tz)
    if opens is None:
        return []
    starts, at = [], quarter_floor(opens)
    while at < closes.astimezone(timezone.utc):
        starts.append(at.astimezone(tz))
        at += PERIOD
    return starts


def closed_periods(hours: OpeningHours, tz: ZoneInfo, now: datetime, days_back: int = 1) -> list[datetime]:
    """The periods of the last `days_back` local days and today that ended at least SETTLE before `now`."""
    today = now.astimezone(tz).date()
    return [start for back in range(days_back, -1, -1)
            for start in periods_of_day(hours, tz, today - timedelta(days=back)) if start + PERIOD + SETTLE <= now]


def is_period_start(hours: OpeningHours, tz: ZoneInfo, start: datetime) -> bool:
    return start in periods_of_day(hours, tz, start.astimezone(tz).date())


@dataclass(frozen=True)
class PeriodFigures:
    """One centre's quarter-hour, as open data publishes it (minutes; shares 0..1)."""

    waiting: int  # visitors waiting at the period's end
    counters_open: int | None  # open counters (calling or on a break) seen when the record was made
    arrivals: int
    called: int
    wait_p50_min: float | None
    wait_p90_min: float | None
    over_target_share: float | None
    estimate_mae_min: float | None
    estimate_bias_min: float | None
    estimate_range_share: float | None  # of those called and told a range, the share whose wait fell inside
    visits_over: int
    door_to_door_mean_min: float | None
    first_visit_resolution: float | None


def _within(at: datetime | None, start: datetime, end: datetime) -> bool:
    return at is not None and start <= at < end


def waiting_at(rows: list[Visit], at: datetime) -> int:
    """Rows in a line at the instant `at`: joined before it, not yet called or cancelled by it."""
    def left(r: Visit) -> datetime | None:
        return r.called_at or (r.finished_at if r.status == CANCELLED else None)
    return sum(r.issued_at < at and (left(r) is None or left(r) >= at) for r in rows)


def _published(values: list[float], figure) -> float | None:
    """`figure(values)` rounded to 0.01, or None over fewer than MIN_VISITORS values."""
    if len(values) < MIN_VISITORS:
        return None
    return round(figure(values), 2)


def _counted(count: int, value: float | None) -> float | None:
    """`value` rounded to 0.01, or None when it is over fewer than MIN_VISITORS visitors."""
    return None if count < MIN_VISITORS or value is None else round(value, 2)


def period_figures(rows: list[Visit], start: datetime, target_wait_min: float,
                   counters_open: int | None) -> PeriodFigures:
    """The quarter-hour from `start`: the rows are every ticket row that may touch it (its day and the one before)."""
    end = start + PERIOD
    called = [r for r in rows if _within(r.called_at, start, end)]
    waits = [r.wait_min() for r in called]
    shown = estimates_of(called)
    over = []
    for group in visit_groups(rows):
        last = group[-1]
        if is_over(group) and _within(last.finished_at, start, end):
            over.append(group)
    door = [d for g in over if (d := door_to_door_min(g)) is not None]
    return PeriodFigures(
        waiting=waiting_at(rows, end),
        counters_open=counters_open,
        arrivals=sum(r.is_arrival() and _within(r.issued_at, start, end) for r in rows),
        called=len(called),
        wait_p50_min=_published(waits, lambda v: percentile(v, 50)),
        wait_p90_min=_published(waits, lambda v: percentile(v, 90)),
        over_target_share=_published(waits, lambda v: sum(w > target_wait_min for w in v) / len(v)),
        estimate_mae_min=_counted(shown.called, shown.mae_min),
        estimate_bias_min=_counted(shown.called, shown.bias_min),
        estimate_range_share=_counted(shown.ranged, shown.inside_share),
        visits_over=len(over),
        door_to_door_mean_min=_published(door, mean),
        first_visit_resolution=_published([float(resolved_first_time(g)) for g in over], mean),
    )
