"""What a centre offers, service by service (SPEC §10): served now, served from a later time
today, or not today — from the counters open now and the shifts on duty (domain/roster.py).

A service is served now when an open counter serves it. Otherwise it is served later today from
the first moment, between now and today's closing, at which a clerk rostered for it is on duty
(a clerk on a break comes back at the break's end). A counter paused by its clerk serves it later
today too, from a moment nobody knows. Plain data in, plain data out: no database here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .roster import ShiftPlan


@dataclass(frozen=True)
class Offer:
    """One service at one centre now: `next_served_at` is now when served now, the first moment
    later today when covered later, else None (the services look further ahead for a refusal)."""

    service: str
    served_now: bool
    served_today: bool
    next_served_at: datetime | None


def serves(counter_skills: frozenset[str], service: str) -> bool:
    """Whether a counter with these skills serves `service` (no skills named: every service)."""
    return not counter_skills or service in counter_skills


def first_on_duty(shifts: Iterable[ShiftPlan], skills_of: Mapping[str, frozenset[str]],
                  start: datetime, end: datetime) -> dict[str, datetime]:
    """Per service, the first moment in [start, end) at which some shift serving it is on duty
    (outside its breaks); services nobody covers then are absent."""
    first: dict[str, datetime] = {}
    if end <= start:
        return first
    for shift in shifts:
        served = shift.serves(skills_of.get(shift.staff, frozenset()))
        for a, b in shift.on_duty():
            if b <= start or a >= end:
                continue
            moment = max(a, start)
            for service in served:
                if service not in first or moment < first[service]:
                    first[service] = moment
            break  # the shift's later stretches start later still
    return first


def offers(menu: Sequence[str], open_counters: Iterable[frozenset[str]], paused_counters: Iterable[frozenset[str]],
           shifts: Iterable[ShiftPlan], skills_of: Mapping[str, frozenset[str]],
           now: datetime, closes: datetime | None) -> list[Offer]:
    """Each service of `menu`, in its order, as the centre offers it at `now` (`closes`: today's
    closing, None when the centre is not open again today: then only open counters serve)."""
    open_counters, paused_counters = list(open_counters), list(paused_counters)
    later = first_on_duty(shifts, skills_of, now, closes) if closes is not None and closes > now else {}
    found = []
    for service in menu:
        if any(serves(skills, service) for skills in open_counters):
            found.append(Offer(service, True, True, now))
            continue
        paused = any(serves(skills, service) for skills in paused_counters)
        at = later.get(service)
        found.append(Offer(service, False, paused or at is not None, at))
    return found


@dataclass(frozen=True)
class Arrival:
    """A clerk not at a counter now who comes on duty later today: what the estimator counts as a
    counter busy for `in_min` minutes."""

    staff: str
    in_min: float
    services: frozenset[str]


def coming_on_duty(shifts: Iterable[ShiftPlan], skills_of: Mapping[str, frozenset[str]],
                   at_counters: Iterable[str], now: datetime, closes: datetime | None) -> list[Arrival]:
    """The clerks (not among `at_counters`, the usernames at open counters) not on duty now whose
    next on-duty stretch starts after `now` and before `closes`, each once, at their first such
    stretch, in order of arrival. A clerk on duty now but at no counter is not counted: when they
    will sit down is unknown."""
    if closes is None or closes <= now:
        return []
    busy = set(at_counters)
    on_now: set[str] = set()
    first: dict[str, tuple[datetime, frozenset[str]]] = {}
    for shift in shifts:
        if shift.staff in busy:
            continue
        for a, b in shift.on_duty():
            if a <= now < b:
                on_now.add(shift.staff)
            elif now < a < closes and (shift.staff not in first or a < first[shift.staff][0]):
                first[shift.staff] = (a, shift.serves(skills_of.get(shift.staff, frozenset())))
    arrivals = [Arrival(who, (a - now).total_seconds() / 60, served)
                for who, (a, served) in first.items() if who not in on_now and served]
    return sorted(arrivals, key=lambda x: (x.in_min, x.staff))
