"""Estimated waits (SPEC §3): hand-computed replays of the queue onto the open counters."""
from datetime import datetime, timezone

import pytest

from queue_app.domain.estimates import (
    PRIOR_WEIGHT,
    CounterLoad,
    Estimates,
    estimate_waits,
    handling_minutes,
    naive_wait,
    remaining_minutes,
)
from queue_app.domain.policy import Candidate, Skills

ARRIVED = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DURATIONS = {"birth": 10.0, "passport": 20.0, "tax": 5.0}


def tickets(*services: str) -> list[Candidate]:
    """Candidates 1, 2, 3… already in calling order."""
    return [Candidate(id=i, service=s, arrived_at=ARRIVED) for i, s in enumerate(services, start=1)]


def counter(id: int, *services: str, busy: float = 0.0) -> CounterLoad:
    return CounterLoad(id, Skills.of(primary=services), busy_for_min=busy)


def waits(ordered, counters, services=()) -> Estimates:
    return estimate_waits(ordered, counters, DURATIONS, services)


# --- per ticket ---------------------------------------------------------------------------

def test_one_counter_serves_three_ten_minute_tickets_in_turn():
    est = waits(tickets("birth", "birth", "birth"), [counter(1, "birth")])
    assert est.tickets == {1: 0, 2: 10, 3: 20}


def test_two_counters_share_four_ten_minute_tickets():
    est = waits(tickets("birth", "birth", "birth", "birth"), [counter(1, "birth"), counter(2, "birth")])
    assert est.tickets == {1: 0, 2: 0, 3: 10, 4: 10}


def test_counter_busy_for_four_minutes_delays_the_queue():
    est = waits(tickets("birth", "birth"), [counter(1, "birth", busy=4)])
    assert est.tickets == {1: 4, 2: 14}


def test_a_free_counter_takes_the_first_ticket_before_a_busy_one():
    est = waits(tickets("birth", "birth", "birth"), [counter(1, "birth", busy=4), counter(2, "birth")])
    assert est.tickets == {1: 0, 2: 4, 3: 10}  # counter 2 frees at 10, counter 1 at 14


def test_negative_busy_time_counts_as_free():
    assert waits(tickets("birth"), [counter(1, "birth", busy=-3)]).tickets == {1: 0}


def test_each_ticket_holds_its_counter_for_its_services_duration():
    est = waits(tickets("passport", "tax", "birth"), [counter(1, "birth", "passport", "tax")])
    assert est.tickets == {1: 0, 2: 20, 3: 25}


def test_service_without_a_known_duration_takes_ten_minutes():
    est = estimate_waits(tickets("info", "info"), [counter(1, "info")], {})
    assert est.tickets == {1: 0, 2: 10}


def test_equally_free_counters_go_by_lower_id():
    est = waits(tickets("tax", "passport", "birth"), [counter(2, "birth", "passport", "tax"),
                                                       counter(1, "birth", "passport", "tax")])
    # tax → counter 1 (frees at 5), passport → counter 2 (frees at 20), birth → counter 1
    assert est.tickets == {1: 0, 2: 0, 3: 5}


def test_a_ticket_only_goes_to_counters_that_serve_its_service():
    est = waits(tickets("passport", "birth", "passport"), [counter(1, "passport"), counter(2, "birth")])
    assert est.tickets == {1: 0, 2: 0, 3: 20}


def test_ticket_no_open_counter_can_serve_has_no_estimate():
    est = waits(tickets("tax", "birth", "birth"), [counter(1, "birth")], services=["tax", "birth"])
    assert est.tickets == {1: None, 2: 0, 3: 10}  # the tax ticket holds no counter
    assert est.services == {"tax": None, "birth": 20}


def test_no_open_counters_means_no_estimates():
    est = waits(tickets("birth"), [], services=["birth"])
    assert est.tickets == {1: None} and est.services == {"birth": None}
    assert est.centre() is None


# --- per service (a newcomer) -------------------------------------------------------------

def test_newcomer_estimate_is_where_they_would_land_after_everyone_waiting():
    est = waits(tickets("birth", "passport", "birth"), [counter(1, "birth", "passport"), counter(2, "passport")],
                services=["birth", "passport", "tax"])
    # birth → c1 until 10; passport → c2 until 20; birth → c1 until 20
    assert est.tickets == {1: 0, 2: 0, 3: 10}
    assert est.services == {"birth": 20, "passport": 20, "tax": None}


def test_newcomer_for_a_service_with_an_idle_counter_waits_nothing():
    est = waits(tickets("passport"), [counter(1, "passport"), counter(2, "tax")], services=["passport", "tax"])
    assert est.services == {"passport": 20, "tax": 0}


def test_only_the_requested_services_are_estimated():
    assert waits(tickets("birth"), [counter(1, "birth")]).services == {}


# --- the centre's headline ----------------------------------------------------------------

def test_centre_estimate_is_the_mean_over_services_with_an_estimate():
    assert Estimates({}, {"birth": 20, "passport": 10, "tax": None, "info": 0}).centre() == 10


def test_centre_estimate_is_none_when_no_service_has_one():
    assert Estimates({}, {"tax": None}).centre() is None
    assert Estimates({}, {}).centre() is None


# --- handling times -----------------------------------------------------------------------

def test_handling_minutes_without_observations_is_the_configured_duration():
    assert handling_minutes(12) == 12


def test_handling_minutes_counts_the_configured_duration_as_five_visits():
    assert PRIOR_WEIGHT == 5
    # (10 × 5 + 25) / (5 + 5): five 5-minute visits pull a 10-minute prior half-way down
    assert handling_minutes(10, observed_total_min=25, observed_count=5) == 7.5


def test_handling_minutes_moves_towards_many_observations():
    assert handling_minutes(10, observed_total_min=20 * 95, observed_count=95) == pytest.approx(19.5)


def test_remaining_minutes_subtracts_the_elapsed_time():
    assert remaining_minutes(10, 4) == 6


@pytest.mark.parametrize("elapsed", [9.5, 10, 25])
def test_remaining_minutes_is_at_least_one(elapsed):
    assert remaining_minutes(10, elapsed) == 1


# --- the naive estimate we must beat ------------------------------------------------------

@pytest.mark.parametrize(("position", "average", "counters", "expected"), [
    (0, 10, 2, 0), (3, 10, 1, 30), (3, 10, 2, 15), (5, 6, 4, 7.5),
])
def test_naive_wait_is_position_times_average_over_counters(position, average, counters, expected):
    assert naive_wait(position, average, counters) == expected


@pytest.mark.parametrize("counters", [0, -1])
def test_naive_wait_without_open_counters_is_none(counters):
    assert naive_wait(3, 10, counters) is None


def test_a_later_step_waits_only_for_those_ahead_when_the_visitor_came():
    from queue_app.domain.estimates import door_to_door

    handling = {"birth": 10.0, "passport": 20.0, "tax": 5.0}
    # 5 min to be called, 10 at birth: the passport line's 12 minutes are 3 by then; the tax line's
    # 40 minutes are 40 − (15 + 3 + 20) = 2 when the visitor reaches it.
    assert door_to_door(5.0, ["birth", "passport", "tax"], {"passport": 12.0, "tax": 40.0}, handling) == 5 + 10 + 3 + 20 + 2 + 5
    assert door_to_door(None, ["birth", "passport"], {"passport": None}, handling) == 30.0
    assert door_to_door(0.0, ["tax"], {}, handling) == 5.0
    # a ticket per service: each later step joins the back of its line, whose wait now stands for then
    assert door_to_door(5.0, ["birth", "passport"], {"passport": 12.0}, handling, keeps_place=False) == 5 + 10 + 12 + 20


def replay_counter_by_counter(ordered, counters, services):
    """SPEC §3's replay as plainly as it can be written, to hold estimate_waits to: each ticket
    to the eligible counter that frees first, the lowest id among equals."""
    free_at = {c.id: max(c.busy_for_min, 0.0) for c in counters}
    serving = {s: sorted(c.id for c in counters if c.skills.serves(s)) for s in {*DURATIONS, "other", *services}}
    out = {}
    for t in ordered:
        ids = serving[t.service]
        if not ids:
            out[t.id] = None
            continue
        best = min(ids, key=free_at.__getitem__)
        out[t.id] = free_at[best]
        free_at[best] += DURATIONS.get(t.service, 10.0)
    return Estimates(out, {s: min((free_at[i] for i in serving[s]), default=None) for s in services})


def test_counters_in_pools_of_like_skills_give_the_counter_by_counter_figures():
    """estimate_waits keeps the counters serving the same services as one heap and takes the
    least of a ticket's eligible heaps' tops; it answers what looking at every eligible counter
    in turn does — ties to the lower id, counters with no skill in common, busy ones, services
    nobody serves, a line's run of tickets replayed on its pools merged — and leaves the same
    newcomer waits."""
    import random

    rng = random.Random(3)
    services = list(DURATIONS)
    skill_sets = [services, services[:1], services[1:], ["birth", "tax"], ["other"], services + ["other"], []]
    for _ in range(400):
        wanted = [rng.choice(services + ["other", "unserved"]) for _ in range(rng.randint(0, 60))]
        if rng.random() < 0.5:  # in runs of one service, as lines come in a centre's order
            wanted.sort(key=lambda s: (s, rng.random() < 0.1))
        ordered = tickets(*wanted)
        pooled = rng.random() < 0.3  # sometimes every counter serves everything: one heap
        counters = [counter(i, *(services + ["other"] if pooled else rng.choice(skill_sets)),
                            busy=rng.choice([0.0, 0.0, -1.0, 2.5, 10.0]))
                    for i in rng.sample(range(1, 20), rng.randint(0, 8))]
        asked = services + ["other", "unserved"]
        assert waits(ordered, counters, asked) == replay_counter_by_counter(ordered, counters, asked)
