"""Erlang C (M/M/c): how many counters keep the wait under a target for a given share of visitors.

Units: `rate` is arrivals per unit of time; `handling` and `target` are in that same unit (the
planner uses minutes: arrivals per minute, handling and target wait in minutes). Traffic A is the
offered load in erlangs, A = rate × handling: the number of counters busy on average.

Erlang C is computed from Erlang B by the usual recursion, B(0) = 1,
B(k) = A·B(k−1) / (k + A·B(k−1)), so no factorial or power is formed and c = 60 (or 600) is as exact
as c = 2; then C = c·B / (c − A·(1 − B)).
"""
from __future__ import annotations

import math

DEFAULT_SHARE = 0.9
MAX_COUNTERS = 1000  # no centre has more desks: the search for a count stops here


def traffic(rate: float, handling: float) -> float:
    """Offered load A in erlangs: arrivals per unit of time × mean handling time."""
    if rate < 0 or handling < 0:
        raise ValueError("arrivals and handling time cannot be negative")
    return rate * handling


def erlang_b(counters: int, load: float) -> float:
    """Probability that all `counters` are busy in a loss system (Erlang B), iteratively."""
    if counters < 0 or load < 0:
        raise ValueError("counters and load cannot be negative")
    blocking = 1.0
    for k in range(1, counters + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def stable(counters: int, load: float) -> bool:
    """Whether the queue has a steady state: more counters than the load (or no load at all)."""
    return load == 0 or counters > load


def probability_of_waiting(counters: int, load: float) -> float:
    """P_W: the share of visitors who find every counter busy and wait (Erlang C).

    1.0 when the queue is unstable (counters ≤ load): everyone waits, and ever longer.
    """
    if load <= 0:
        return 0.0
    if counters <= load:
        return 1.0
    blocking = erlang_b(counters, load)
    return counters * blocking / (counters - load * (1 - blocking))


def service_level(counters: int, load: float, target: float, handling: float) -> float:
    """The share of visitors who wait no longer than `target`: 1 − P_W·e^(−(c − A)·target/handling).

    0.0 when unstable (counters ≤ load); 1.0 with no load.
    """
    if load <= 0:
        return 1.0
    if counters <= load or handling <= 0:
        return 0.0
    waiting = probability_of_waiting(counters, load)
    return max(0.0, 1.0 - waiting * math.exp(-(counters - load) * target / handling))


def average_speed_of_answer(counters: int, load: float, handling: float) -> float:
    """The mean wait of all visitors (ASA): P_W·handling / (c − A); infinite when unstable."""
    if load <= 0:
        return 0.0
    if counters <= load:
        return math.inf
    return probability_of_waiting(counters, load) * handling / (counters - load)


def counters_needed(rate: float, handling: float, target: float, share: float = DEFAULT_SHARE) -> int:
    """The fewest counters with which at least `share` of visitors wait no longer than `target`."""
    if not 0 < share < 1:
        raise ValueError("the share must be between 0 and 1 (exclusive)")
    if target < 0:
        raise ValueError("the target wait cannot be negative")
    load = traffic(rate, handling)
    if load == 0:
        return 0
    counters = math.floor(load) + 1  # the fewest with a steady state
    while service_level(counters, load, target, handling) < share:
        counters += 1
        if counters > MAX_COUNTERS:
            raise ValueError("the load is beyond any centre's counters")
    return counters
