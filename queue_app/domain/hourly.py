"""A day's tickets hour by hour, in the centre's local time (plain data in, a series out).

Each hour counts the visitors who arrived in it (Visit.is_arrival, like the day's `arrivals`),
those finished as served in it, and the waits of the visitors first called in it: a wait belongs
to the hour it ended, so a visitor still waiting counts nowhere yet.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .lifecycle import DONE
from .stats import Visit, mean, percentile


@dataclass(frozen=True)
class Hour:
    hour: int  # 0..23, local
    arrivals: int
    served: int
    average_wait_min: float | None
    p90_wait_min: float | None


def _local_hour(at: datetime, tz: ZoneInfo) -> int:
    return at.astimezone(tz).hour


def hourly(visits: list[Visit], tz: ZoneInfo, now: datetime | None = None) -> list[Hour]:
    """Return one Hour per local hour from the first with any activity to the last (or to `now`'s
    hour, if later), hours without activity included with zero counts; [] for a day without tickets."""
    arrivals: dict[int, int] = {}
    served: dict[int, int] = {}
    waits: dict[int, list[float]] = {}
    for v in visits:
        hour = _local_hour(v.issued_at, tz)
        if v.is_arrival():
            arrivals[hour] = arrivals.get(hour, 0) + 1
        if v.status == DONE and v.finished_at is not None:
            hour = _local_hour(v.finished_at, tz)
            served[hour] = served.get(hour, 0) + 1
        wait = v.wait_min()
        if wait is not None:
            waits.setdefault(_local_hour(v.called_at, tz), []).append(wait)
    busy = set(arrivals) | set(served) | set(waits)
    if not busy:
        return []
    last = max(busy)
    if now is not None:
        last = max(last, _local_hour(now, tz))
    return [
        Hour(hour=h, arrivals=arrivals.get(h, 0), served=served.get(h, 0),
             average_wait_min=mean(waits.get(h, [])), p90_wait_min=percentile(waits.get(h, []), 90))
        for h in range(min(busy), last + 1)
    ]
