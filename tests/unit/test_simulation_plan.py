"""The simulator's day plan: validation, the drawn visitors, the roster and the figures (no database)."""
from __future__ import annotations

import random
from statistics import mean

import pytest
from pydantic import ValidationError

from queue_app.simulation.kpis import Outcome, kpis
from queue_app.domain.draws import lognormal
from queue_app.simulation.plan import DayPlan, draw_visitors, roster

DURATIONS = {"birth": 10.0, "passport": 20.0, "tax": 5.0}


def plan(**changes) -> DayPlan:
    data = {
        "day": {"opens": "09:00", "closes": "12:00", "counters": 6},
        "visitors": {"expected": 300, "by_hour": [1, 2, 1], "appointment_share": 0.2, "priority_share": 0.1},
        "mix": {"birth": 3, "passport": 1},
        "staffing": {"by_hour": [2, 4, 3]},
        "clerks": [{"count": 4, "primary": ["birth"]}, {"count": 2, "primary": ["passport"], "secondary": ["birth"]}],
    }
    for key, value in changes.items():
        data[key] = {**data[key], **value} if value and isinstance(value, dict) else value
    return DayPlan.model_validate(data)


def test_visitors_are_drawn_the_same_for_a_seed_and_follow_the_plan():
    p = plan()
    day = draw_visitors(p, 3, DURATIONS)
    assert day == draw_visitors(p, 3, DURATIONS) != draw_visitors(p, 4, DURATIONS)
    assert [v.arrives_min for v in day] == sorted(v.arrives_min for v in day)
    assert all(9 * 60 - 20 <= v.arrives_min < 12 * 60 for v in day)
    assert 240 <= len(day) <= 360  # Poisson around 300
    hours = [sum(1 for v in day if 9 * 60 + 60 * h <= (v.appointment_min or v.arrives_min) < 10 * 60 + 60 * h) for h in range(3)]
    assert hours[1] > hours[0] and hours[1] > hours[2]  # the middle hour has twice the arrivals
    births = sum(v.service == "birth" for v in day) / len(day)
    assert 0.65 < births < 0.85  # 3 in 4
    booked = [v for v in day if v.appointment_min is not None]
    assert 0.1 < len(booked) / len(day) < 0.3
    assert all(0 <= v.appointment_min - v.arrives_min <= 20 and not v.priority for v in booked)


def test_handling_times_are_log_normal_around_the_duration():
    rng = random.Random(1)
    draws = [lognormal(rng, 20.0, 0.45) for _ in range(20000)]
    assert mean(draws) == pytest.approx(20.0, rel=0.02)
    assert min(draws) > 0
    assert lognormal(rng, 20.0, 0) == 20.0


def test_the_roster_interleaves_desks_so_any_first_n_keep_the_proportions():
    order = [g.primary[0] for g in roster(plan())]
    assert len(order) == 6
    assert order[:3].count("passport") == 1 and order.count("passport") == 2


@pytest.mark.parametrize("changes, message", [
    ({"staffing": {"by_hour": [2, 9, 3]}}, "asks for 9 counters"),
    ({"visitors": {"by_hour": [1, 2]}}, "2 values for 3 opening hours"),
    ({"day": {"opens": "12:00", "closes": "09:00"}}, "close after it opens"),
    ({"day": {"opens": "9am"}}, "not a time of day"),
    ({"mix": {}}, "service mix"),
])
def test_a_wrong_plan_is_refused_saying_why(changes, message):
    with pytest.raises(ValidationError, match=message):
        plan(**changes)


def test_figures_of_a_hand_made_day():
    day = [
        Outcome("A001", "birth", 540, "done", called_min=540, estimate_min=0, naive_min=10),
        Outcome("A002", "birth", 541, "done", called_min=561, estimate_min=16, naive_min=10),  # 20 min: over
        Outcome("A003", "birth", 550, "done", called_min=560, appointment_min=555, estimate_min=12, naive_min=4),
        Outcome("A004", "birth", 600, "cancelled"),  # never called: no wait, no error
    ]
    k = kpis(day, 15, 540, 2)
    assert (k.tickets, k.called, k.appointments) == (4, 3, 1)
    assert (k.mean_wait_min, k.max_wait_min, k.over_target_share) == (25 / 3, 20, 1 / 3)  # 0, 20, 5 (from the slot)
    # real waits from issue 0, 20, 10: errors 0, -4, +2; naive +10, -10, -6
    assert (k.estimate.mae_min, k.estimate.bias_min) == (2.0, pytest.approx(-2 / 3))
    assert (k.naive.mae_min, k.naive.bias_min) == (pytest.approx(26 / 3), -2.0)
    assert [r["arrivals"] for r in k.by_hour] == [3, 0]
