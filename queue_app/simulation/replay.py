"""A rostered day replayed in memory, in milliseconds: what the staffing planner checks its proposal
with (roster.refine) before it hands it over.

The real engine (runner.py: database, services, estimator) takes ~10 s a day; this replays the same
visitors (plan.draw_visitors) with the same clerks and the same rules — a counter opens at its
shift's start and after its break, leaves at its break and at its shift's end once its visit is
done (the day's closing ends no shift), a free counter calls at once with the product's own
domain/policy.py over every waiting ticket, a no-show costs the clerk `no_show_after_min`. What it
leaves out: booking (an appointment gets the first slot of its service at or after the time it
wanted) and the engine's 16-tickets-a-line view; bench/policy_sweep.py, built the same way for
hourly staffing, agreed with the engine within a few hundredths of the share over target.
"""
from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..domain.policy import Candidate, PolicySettings, Skills, choose_next, queue_pressure
from .plan import DayPlan, Visitor, clerk_shifts, draw_visitors, minutes_of, roster

MIDNIGHT = datetime(2026, 1, 1, tzinfo=timezone.utc)  # any: the policy sees only differences


def at(minute: float) -> datetime:
    return MIDNIGHT + timedelta(minutes=minute)


@dataclass(frozen=True)
class Served:
    """A called visitor: their service, when their wait began (minutes after midnight), how long it was."""

    service: str
    since_min: float
    wait_min: float


@dataclass(frozen=True)
class Catalogue:
    """What the replay needs of the network's services: mean handling, weight, bookable."""

    durations: dict[str, float]
    weights: dict[str, float]
    bookable: frozenset[str]


def comings_and_goings(plan: DayPlan) -> list[tuple[int, int, bool]]:
    """(clerk index in roster order, minute, True when they come to the counter / False when they
    leave it): from the roster's shifts and breaks (the day's closing ends no shift), or, with
    staffing per hour, the first `staffed(h)` clerks on duty through each opening hour."""
    closes, opens = minutes_of(plan.day.closes), minutes_of(plan.day.opens)
    found = []
    if not plan.shifts:
        wanted = [0] + [min(plan.staffed(h), plan.day.counters, plan.roster_size) for h in range(plan.day.hours)]
        for h in range(1, len(wanted)):
            found += [(d, opens + 60 * (h - 1), True) for d in range(wanted[h - 1], wanted[h])]
            found += [(d, opens + 60 * (h - 1), False) for d in range(wanted[h], wanted[h - 1])]
        return found
    for desk, shift in clerk_shifts(plan):
        times = [minutes_of(shift.start)] + [minutes_of(m) for b in shift.breaks for m in b] + [minutes_of(shift.end)]
        found += [(desk, minute, k % 2 == 0) for k, minute in enumerate(times) if k % 2 == 0 or minute < closes]
    return found


def replay(plan: DayPlan, seed: int, catalogue: Catalogue, settings: PolicySettings,
           visitors: Sequence[Visitor] | None = None) -> list[Served]:
    """Every called visitor of the seed's day under the plan's roster, or its staffing per hour;
    `visitors`: the seed's day already drawn (plan.draw_visitors), which a roster does not change."""
    durations = catalogue.durations
    if visitors is None:
        visitors = draw_visitors(plan, seed, durations)
    opens = minutes_of(plan.day.opens)
    skills = [Skills.of(g.primary, g.secondary) for g in roster(plan)]
    events: list = []
    order = itertools.count()

    def schedule(minute: float, kind: str, what: object) -> None:
        heapq.heappush(events, (minute, next(order), kind, what))

    for desk, minute, coming in comings_and_goings(plan):
        schedule(minute, "on" if coming else "off", desk)
    for i, v in enumerate(visitors):
        if v.appointment_min is None or v.service not in catalogue.bookable:
            schedule(v.appointment_min if v.appointment_min is not None else v.arrives_min, "arrive", (i, None))
            continue
        step = durations[v.service]
        slot = opens + max(0, math.ceil((v.appointment_min - 1 - opens) / step)) * step
        schedule(max(slot - (v.appointment_min - v.arrives_min), opens), "arrive", (i, slot))

    waiting: dict[int, Candidate] = {}
    on_duty: set[int] = set()
    idle: set[int] = set()
    busy: set[int] = set()
    served: list[Served] = []

    def call(desk: int, now: float) -> None:
        pressure = None
        if settings.route_by_pressure and not settings.first_come_first_served:
            servers: dict[str, int] = {}
            for d in on_duty:
                for service in skills[d].services:
                    servers[service] = servers.get(service, 0) + 1
            pressure = queue_pressure(waiting.values(), at(now), durations, servers)
        chosen = choose_next(list(waiting.values()), at(now), settings, skills[desk], pressure)
        if chosen is None:
            idle.add(desk)
            return
        idle.discard(desk)
        del waiting[chosen.id]
        since = chosen.arrived_at if chosen.appointment_start is None else max(chosen.arrived_at, chosen.appointment_start)
        since_min = (since - MIDNIGHT).total_seconds() / 60
        served.append(Served(chosen.service, since_min, max(now - since_min, 0.0)))
        busy.add(desk)
        v = visitors[chosen.id]
        schedule(now + (plan.visitors.walk_min + v.handling_min if v.shows else plan.visitors.no_show_after_min),
                 "free", desk)

    while events:
        now, _, kind, what = heapq.heappop(events)
        if kind == "arrive":
            i, slot = what
            v = visitors[i]
            waiting[i] = Candidate(i, v.service, at(now), v.priority and slot is None,
                                   at(slot) if slot is not None else None, catalogue.weights[v.service])
            for d in sorted(idle):
                if d in on_duty and skills[d].serves(v.service) and i in waiting:
                    call(d, now)
        elif kind == "on":
            on_duty.add(what)
            if what not in busy:
                call(what, now)
        elif kind == "off":
            on_duty.discard(what)
            idle.discard(what)
        else:  # a counter is free
            busy.discard(what)
            if what in on_duty:
                call(what, now)
    return served
