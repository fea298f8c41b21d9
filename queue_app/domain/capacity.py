"""Booking capacity from the roster (SPEC §10): the places each slot of a service offers online.

The rule. A service's slots are its duration long, laid end to end from the day's opening time
(domain/slots.py `slot_grid`). For each slot the bookable place-mass is

    mass = min(servers, counters) × (1 − walk_in_share),
    servers = (clerk-minutes on duty inside the slot serving the service) ÷ service duration

where a clerk is on duty during their shifts outside breaks and serves the shift's skills (all
their skills when the shift names none). A clerk serving k services in that shift gives each
1/k of their minutes: otherwise a generalist would count once per service and the centre would
sell the same clerk-minute k times over.

Masses are fractional; they are carried across the day's slots, and a slot's places are the
whole places the running total crosses inside it:

    places_i = floor(total_i + ε) − floor(total_{i−1} + ε),   total_i = mass_1 + … + mass_i

so one clerk whose slots carry 0.25 of a place each yields a place every fourth slot (spread
evenly, not none and not bunched), and a day never offers more than its whole mass.

Worked example: one clerk holding 2 services, on 09:00–13:00, 30-minute slots of one of them,
walk-in share 0.5 → servers = 30 ÷ 2 ÷ 30 = 0.5, mass = 0.25 a slot → 09:00, 09:30, 10:00
offer 0 places, 10:30 offers 1, then 12:30 again: 2 places in the morning's 8 slots.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from .roster import ShiftPlan

EPSILON = 1e-9  # 0.1 + 0.2 + … must reach a whole place it sums to exactly


def share_of(shift: ShiftPlan, service: str, skills_of: Mapping[str, frozenset[str]],
             menu: Collection[str] | None = None) -> float:
    """The share of the shift's minutes that go to `service`: 1/k when the clerk serves k services
    of the menu in that shift (None: every service they serve counts), 0 when not this one."""
    served = shift.serves(skills_of.get(shift.staff, frozenset()))
    if menu is not None:
        served = frozenset(s for s in served if s in menu)
    return 1 / len(served) if service in served else 0.0


def _duty_shares(shifts: Iterable[ShiftPlan], service: str, skills_of: Mapping[str, frozenset[str]],
                 menu: Collection[str] | None) -> list[tuple[list[tuple[datetime, datetime]], float]]:
    """Each shift serving `service`: its stretches on duty and the share of them the service gets."""
    found = []
    for shift in shifts:
        share = share_of(shift, service, skills_of, menu)
        if share:
            found.append((shift.on_duty(), share))
    return found


def _servers(start: datetime, end: datetime, duty: list[tuple[list[tuple[datetime, datetime]], float]]) -> float:
    length = (end - start).total_seconds()
    if length <= 0:
        return 0.0
    seconds = sum(share * sum((min(b, end) - max(a, start)).total_seconds() for a, b in stretches if a < end and b > start)
                  for stretches, share in duty)
    return seconds / length


def servers(start: datetime, end: datetime, shifts: Iterable[ShiftPlan], service: str,
            skills_of: Mapping[str, frozenset[str]], menu: Collection[str] | None = None) -> float:
    """The clerks serving `service` in [start, end) on average: their clerk-minutes on duty there
    (each clerk's 1/k share) over the slot's length."""
    return _servers(start, end, _duty_shares(shifts, service, skills_of, menu))


def slot_masses(grid: Sequence[tuple[datetime, datetime]], shifts: Iterable[ShiftPlan], service: str,
                skills_of: Mapping[str, frozenset[str]], counters: int, walk_in_share: float,
                menu: Collection[str] | None = None) -> list[float]:
    """The bookable place-mass of each slot of `grid` (in order, not overlapping):
    min(servers, counters) × (1 − walk_in_share)."""
    edges = [(a.timestamp(), b.timestamp()) for a, b in grid]  # seconds: no timezone arithmetic per slot
    starts = [a for a, _ in edges]
    seconds = [0.0] * len(grid)
    for stretches, share in _duty_shares(shifts, service, skills_of, menu):
        for on, off in ((x.timestamp(), y.timestamp()) for x, y in stretches):
            # only the slots the stretch overlaps: a month of days is read at once
            i = max(0, bisect_right(starts, on) - 1)
            while i < len(edges) and edges[i][0] < off:
                a, b = edges[i]
                overlap = min(b, off) - max(a, on)
                if overlap > 0:
                    seconds[i] += share * overlap
                i += 1
    online = max(0.0, 1 - walk_in_share)
    return [min(sec / (b - a), max(0, counters)) * online if b > a else 0.0
            for sec, (a, b) in zip(seconds, edges)]


def spread(masses: Iterable[float]) -> list[int]:
    """Whole places per slot from fractional masses, the remainder carried to the next slots."""
    places, total, before = [], 0.0, 0
    for mass in masses:
        total += mass
        whole = math.floor(total + EPSILON)
        places.append(whole - before)
        before = whole
    return places


def slot_places(grid: Sequence[tuple[datetime, datetime]], shifts: Iterable[ShiftPlan], service: str,
                skills_of: Mapping[str, frozenset[str]], counters: int, walk_in_share: float,
                menu: Collection[str] | None = None) -> list[int]:
    """The places each slot of a day's `grid` offers online for `service` (the rule above)."""
    return spread(slot_masses(grid, shifts, service, skills_of, counters, walk_in_share, menu))
