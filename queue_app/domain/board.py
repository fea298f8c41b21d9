"""The public board's orders and the usual busy hours (plain data in, plain data out)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

BY_WAIT, BY_NAME = "wait", "name"
SORTS = (BY_WAIT, BY_NAME)


def busyness(row: dict) -> tuple:
    """How busy a centre looks to a visitor, least first: open before closed, then the estimated
    wait (none waiting: none; people waiting with no estimate yet: after every estimate), then the count."""
    if not row["open_now"]:
        return (1, 0.0, 0)
    if row["waiting"] == 0:
        return (0, 0.0, 0)
    wait = row["estimated_wait_min"]
    return (0, float("inf") if wait is None else wait, row["waiting"])


def board_order(rows: list[dict], by: str = BY_WAIT, district: str | None = None,
                name=lambda row: row["code"]) -> list[dict]:
    """The board's rows in the order asked: the centres of `district` first (if given), each group
    least busy first (`by` wait) or by `name` (`by` name)."""
    def key(row):
        near = 0 if district and row.get("district") == district else 1
        return (near, *(busyness(row) if by == BY_WAIT else ()), name(row).casefold())

    return sorted(rows, key=key)


def usual_arrivals(arrivals: list[datetime], days: list[date]) -> dict[int, dict[int, float]]:
    """Visitors arriving per local hour, averaged over each weekday of `days` (0 Monday): how busy
    each hour usually is. `arrivals` are local times within `days`; a weekday absent from `days` is left out."""
    per_weekday = defaultdict(int)
    for day in days:
        per_weekday[day.weekday()] += 1
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for at in arrivals:
        counts[at.weekday()][at.hour] += 1
    return {weekday: {hour: counts[weekday][hour] / n for hour in sorted(counts[weekday])}
            for weekday, n in sorted(per_weekday.items())}
