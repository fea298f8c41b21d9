"""Estimated waits (SPEC §3): replay the queue onto the open counters that can serve it.

Tickets are taken in the centre's calling order; each goes to the eligible counter that frees
first, and holds it for its service's handling time. A ticket's estimate is when that counter
frees; a service's estimate is where a newcomer would land after everyone already waiting.
A service no open counter serves has no estimate (None) rather than a made-up one.
"""
from __future__ import annotations

from dataclasses import dataclass
from heapq import heapify, heapreplace
from itertools import chain, groupby
from operator import itemgetter
from typing import Mapping, Sequence

from .policy import Candidate, Skills

PRIOR_WEIGHT = 5  # how many observed visits the configured duration counts as
TOP = itemgetter(0)  # a pool's counter that frees first: (minutes, id)
ID, SERVICE = itemgetter(0), itemgetter(1)  # a Candidate's id and service (a named tuple)
MERGE_FROM = 4  # a run of one service this long replays on its pools merged into one heap


@dataclass(frozen=True)
class CounterLoad:
    """An open counter: what it serves and how many minutes until it is free."""

    id: int
    skills: Skills
    busy_for_min: float = 0.0


@dataclass(frozen=True)
class Estimates:
    tickets: dict[int, float | None]
    services: dict[str, float | None]

    def centre(self) -> float | None:
        """The centre's headline wait: the mean newcomer wait over services it can serve now."""
        known = [v for v in self.services.values() if v is not None]
        return sum(known) / len(known) if known else None


def handling_minutes(expected_min: float, observed_total_min: float = 0.0, observed_count: int = 0) -> float:
    """Blend a service's configured duration with today's observed handling times."""
    return (expected_min * PRIOR_WEIGHT + observed_total_min) / (PRIOR_WEIGHT + observed_count)


def remaining_minutes(expected_min: float, elapsed_min: float) -> float:
    """Minutes a visit already `elapsed_min` long is still expected to take (at least one)."""
    return max(expected_min - elapsed_min, 1.0)


def estimate_waits(
    ordered: Sequence[Candidate],
    counters: Sequence[CounterLoad],
    durations: Mapping[str, float],
    services: Sequence[str] = (),
) -> Estimates:
    """Return minutes still to wait per ticket (by id) and for a newcomer per service.

    Each ticket in turn goes to the eligible counter that frees first (the lowest id among
    equals) and holds it for its service's handling time. Counters serving the same services
    are one pool, a heap of (minutes until free, id): the counter a ticket takes is the least
    of its eligible pools' tops — the same counter, the same sums, as looking at every eligible
    counter in turn, in a few comparisons a ticket however many counters are open
    (tests/unit/test_estimates.py holds the two equal)."""
    if not counters:  # nobody to replay onto (a centre before its counters open): no estimates
        return Estimates(dict.fromkeys(map(ID, ordered)), dict.fromkeys(services))
    grouped: dict[frozenset[str], list[tuple[float, int]]] = {}
    for c in counters:
        grouped.setdefault(c.skills.services, []).append((max(c.busy_for_min, 0.0), c.id))
    pool_of = {}  # counter id → its pool
    for heap in grouped.values():
        heapify(heap)
        pool_of.update((i, heap) for _, i in heap)
    eligible = {s: [heap for skills, heap in grouped.items() if s in skills]
                for s in set(map(SERVICE, ordered)).union(services)}
    tickets: dict[int, float | None] = {}
    if all(len(pools) == 1 for pools in eligible.values()):  # each ticket has its one pool
        one = {s: pools[0] for s, pools in eligible.items()}
        for t in ordered:
            heap = one[t[1]]
            minutes, i = heap[0]
            tickets[t[0]] = minutes
            heapreplace(heap, (minutes + durations.get(t[1], 10.0), i))
        return Estimates(tickets, {s: heap[0][0] for s, heap in one.items() if s in services})
    for service, run in groupby(ordered, key=SERVICE):  # a line's tickets mostly come in one run
        pools, step = eligible[service], durations.get(service, 10.0)
        if len(pools) == 1:
            heap = pools[0]
        elif not pools:
            tickets.update((t[0], None) for t in run)
            continue
        else:
            run = list(run)
            if len(run) < MERGE_FROM:
                for t in run:
                    heap = min(pools, key=TOP)
                    minutes, i = heap[0]
                    tickets[t[0]] = minutes
                    heapreplace(heap, (minutes + step, i))
                continue
            heap = list(chain.from_iterable(pools))  # longer: its pools as one heap while it lasts
            heapify(heap)
        for t in run:
            minutes, i = heap[0]
            tickets[t[0]] = minutes
            heapreplace(heap, (minutes + step, i))
        if len(pools) > 1:  # each counter back to its pool
            for pool in pools:
                pool.clear()
            for entry in heap:
                pool_of[entry[1]].append(entry)
            for pool in pools:
                heapify(pool)
    newcomer = {s: min(heap[0][0] for heap in eligible[s]) if eligible[s] else None for s in services}
    return Estimates(tickets, newcomer)


def naive_wait(position: int, average_min: float, open_counters: int) -> float | None:
    """The textbook estimate we must beat: position × average service time ÷ open counters."""
    if open_counters <= 0:
        return None
    return position * average_min / open_counters


def door_to_door(first_wait: float | None, services: list[str], line_waits: dict[str, float | None],
                 handling: dict[str, float], *, keeps_place: bool = True) -> float:
    """Minutes from arrival to the end of a visit's last step, predicted at arrival.

    A later step of one ticket keeps the visit's arrival time, so in its line it goes before
    everyone who came after the visitor: it waits only for those already waiting when the visitor
    arrived, and they are served while the visitor is at the steps before. Its wait is the line's
    wait for a newcomer now, less the time until the visitor gets there (never below zero).
    Without `keeps_place` (a ticket per service) each step joins the back of its line: the
    line's wait for a newcomer now stands for its wait then.
    """
    elapsed = (first_wait or 0.0) + handling.get(services[0], 0.0)
    for service in services[1:]:
        line = line_waits.get(service) or 0.0
        wait = max(line - elapsed, 0.0) if keeps_place else line
        elapsed += wait + handling.get(service, 0.0)
    return elapsed
