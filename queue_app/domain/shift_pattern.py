"""A realistic week of shifts for a centre, from its opening hours and its clerks: the demo
network's rosters (SPEC §10), which `queue-app demo` writes for the days that have none.

The rule, plain and repeatable:
- each clerk works at most five of the week's open days; the rest days are spread over the
  week, a different pair for each clerk, so every open day keeps as many hands as it can;
- a day of up to 9 hours is one shift from opening to closing for everyone on;
- a longer day has an early shift (from opening, 8½ h), a late one (to closing, 8½ h) and a
  split shift (the first and the last four hours) — the early and the late overlap at midday;
- a centre open round the clock has a night, an early and a late shift (00:00–08:30,
  08:00–16:30, 16:00–24:00) and, when a fourth clerk is on, a middle shift (11:00–19:30);
- whoever has rested longest takes the next shift to fill, so nights move round;
- a stretch over 6 h has a break (30 min, or 60 min over 8½ h) near its middle, moved in steps of
  half an hour until no other break overlaps it and, where anyone can, a colleague is on duty.
Shifts never leave the opening hours of their day, so the coverage of a day is its own shifts'.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .hours import OpeningHours
from .roster import Break, ShiftPlan

WORK_DAYS = 5
FULL_DAY = timedelta(hours=9)  # a day this long or shorter: one shift, opening to closing
SHIFT = timedelta(hours=8, minutes=30)
SPLIT_PART = timedelta(hours=4)
ROUND_THE_CLOCK = timedelta(hours=16)  # a day longer than this needs a night shift
NEEDS_BREAK = timedelta(hours=6)
STEP = timedelta(minutes=30)
MARGIN = timedelta(hours=1)  # a break starts and ends at least this far inside its stretch

Parts = tuple[tuple[datetime, datetime], ...]  # one clerk's stretches of a day (two for a split shift)


def week_pattern(hours: OpeningHours, tz: ZoneInfo, clerks: Sequence[str], monday: date,
                 last_ended: Mapping[str, datetime] | None = None) -> dict[date, list[ShiftPlan]]:
    """The shifts of each day of the week starting `monday` (a closed day: none), for `clerks`
    in a stable order (the centre's active clerks); `last_ended`: when each clerk's latest shift
    before the week ended, so the week's first shifts go to the rested. Each day keeps `check_roster`."""
    days = [monday + timedelta(days=d) for d in range(7)]
    spans = {d: (hours.opening_of(d, tz), hours.closing_of(d, tz)) for d in days}
    open_days = [d for d in days if spans[d][0] is not None]
    working = _working_days(open_days, clerks)
    rested = dict(last_ended or {})  # when each clerk's last shift ended
    week: dict[date, list[ShiftPlan]] = {}
    for day in days:
        if day not in open_days:
            week[day] = []
            continue
        opens, closes = spans[day]
        on = [c for c in clerks if day in working[c]]
        assigned = _assign(_shapes(opens, closes), on, rested, opens)
        for clerk, parts in assigned:
            rested[clerk] = parts[-1][1]
        week[day] = _with_breaks(assigned)
    return week


def _working_days(open_days: list[date], clerks: Sequence[str]) -> dict[str, set[date]]:
    """Each clerk rests on as many open days as go beyond five, a different run of them each."""
    n, rest = len(open_days), max(0, len(open_days) - WORK_DAYS)
    return {clerk: {d for k, d in enumerate(open_days) if not any((i * rest + r) % n == k for r in range(rest))}
            for i, clerk in enumerate(clerks)}


def _shapes(opens: datetime, closes: datetime):
    """The shifts to fill on a day, most needed first; then more, for any further clerk on."""
    length = closes - opens
    if length <= FULL_DAY:
        first, more = [((opens, closes),)], [((opens, closes),)]
    elif length > ROUND_THE_CLOCK:
        first = [((opens, opens + SHIFT),), ((opens + timedelta(hours=8), opens + timedelta(hours=16, minutes=30)),),
                 ((opens + timedelta(hours=16), closes),)]
        more = [((opens + timedelta(hours=11), opens + timedelta(hours=19, minutes=30)),)]
    else:
        early, late = ((opens, opens + SHIFT),), ((closes - SHIFT, closes),)
        first = [early, late, ((opens, opens + SPLIT_PART), (closes - SPLIT_PART, closes))]
        more = [early, late]
    yield from first
    while True:
        yield from more


def _assign(shapes: Iterable[Parts], on: list[str], rested: dict[str, datetime], opens: datetime) -> list[tuple[str, Parts]]:
    """Give each shape in turn to the clerk on today who has rested longest (ties: roster order)."""
    waiting, assigned = list(on), []
    for parts in shapes:
        if not waiting:
            break
        clerk = min(waiting, key=lambda c: rested.get(c, opens - timedelta(days=7)))
        waiting.remove(clerk)
        assigned.append((clerk, parts))
    return assigned


def _with_breaks(assigned: list[tuple[str, Parts]]) -> list[ShiftPlan]:
    stretches = [(clerk, start, end) for clerk, parts in assigned for start, end in parts]
    breaks: dict[int, Break] = {}
    for i, (_, start, end) in enumerate(stretches):
        if end - start > NEEDS_BREAK:
            breaks[i] = _place_break(i, stretches, breaks)
    return [ShiftPlan(clerk, start, end, (breaks[i],) if i in breaks else ())
            for i, (clerk, start, end) in enumerate(stretches)]


def _place_break(i: int, stretches: list[tuple[str, datetime, datetime]], breaks: dict[int, Break]) -> Break:
    _, start, end = stretches[i]
    length = timedelta(minutes=60) if end - start > SHIFT else timedelta(minutes=30)
    middle = start + (end - start - length) / 2
    base = start + STEP * ((middle - start) // STEP)
    candidates = [base + STEP * k * sign for k in range(0, 12) for sign in ((1, -1) if k else (1,))]
    candidates = [c for c in candidates if start + MARGIN <= c and c + length <= end - MARGIN]
    apart = [c for c in candidates if all(c + length <= b.start or b.end <= c for b in breaks.values())]

    def covered(at: datetime) -> bool:
        return any(j != i and s <= at and at + length <= e
                   and (j not in breaks or at + length <= breaks[j].start or breaks[j].end <= at)
                   for j, (_, s, e) in enumerate(stretches))

    chosen = next((c for c in apart if covered(c)), apart[0] if apart else base)
    return Break(chosen, chosen + length)
