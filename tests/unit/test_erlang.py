"""Erlang C (queue_app/domain/erlang.py) against published worked examples and textbook closed forms.

The classic example is Call Centre Helper's "Erlang C Formula – Made Simple With an Easy Worked
Example" (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in
30 minutes (200 an hour), 3-minute (180 s) average handling time, target answer time 20 seconds.
Traffic A = 200/h × 3/60 h = 10 erlangs. With 11 agents it finds a probability of waiting of
68.21 % and an average speed of answer of about 122.8 s; it then adds agents until 80 % of calls are
answered within 20 s, which takes 14 agents.

By hand, for c = 11, A = 10:
  Σ_{k=0}^{10} 10^k/k! = 12 842.3051…,  10^11/11! × 11/(11 − 10) = 2 505.2108… × 11 = 27 557.319…
  P_W = 27 557.319 / (12 842.305 + 27 557.319) = 0.68212
  SL(20 s) = 1 − 0.68212 × e^(−(11 − 10) × 20/180) = 1 − 0.68212 × 0.89484 = 0.38961
  ASA = 0.68212 × 180 / (11 − 10) = 122.78 s
and for c = 14: P_W = 0.17413, SL = 1 − 0.17413 × e^(−4 × 20/180) = 0.88835.
"""
from fractions import Fraction
from math import exp, factorial, inf

import pytest

from queue_app.domain.erlang import (
    average_speed_of_answer,
    counters_needed,
    erlang_b,
    probability_of_waiting,
    service_level,
    stable,
    traffic,
)

RATE = 200 / 3600  # calls a second
HANDLING, TARGET = 180, 20  # seconds


def textbook_erlang_c(c: int, a: Fraction) -> float:
    """The formula as printed, with factorials, in exact fractions: the reference to compare with."""
    top = a**c / factorial(c) * Fraction(c) / (c - a)
    return float(top / (sum(a**k / factorial(k) for k in range(c)) + top))


def test_traffic_of_the_classic_example_is_ten_erlangs():
    assert traffic(RATE, HANDLING) == pytest.approx(10.0)
    assert traffic(200 / 60, 3) == pytest.approx(10.0)  # the same in minutes


@pytest.mark.parametrize(("counters", "waits", "within"), [
    (11, 0.682, 0.390),
    (12, 0.449, 0.640),
    (13, 0.285, 0.796),
    (14, 0.174, 0.888),
    (15, 0.102, 0.941),
])
def test_the_classic_example_agent_by_agent(counters, waits, within):
    assert round(probability_of_waiting(counters, 10.0), 3) == waits
    assert round(service_level(counters, 10.0, TARGET, HANDLING), 3) == within
    assert probability_of_waiting(counters, 10.0) == pytest.approx(textbook_erlang_c(counters, Fraction(10)))


def test_the_published_figures_for_eleven_agents():
    assert round(probability_of_waiting(11, 10.0) * 100, 2) == 68.21
    assert round(average_speed_of_answer(11, 10.0, HANDLING), 1) == 122.8
    assert round(service_level(11, 10.0, TARGET, HANDLING), 3) == round(1 - 0.68212 * exp(-20 / 180), 3)


def test_counters_needed_for_80_and_90_percent_in_20_seconds():
    assert counters_needed(RATE, HANDLING, TARGET, 0.8) == 14  # as published
    assert counters_needed(RATE, HANDLING, TARGET, 0.9) == 15  # 14 gives 0.888
    assert counters_needed(RATE, HANDLING, TARGET) == 15  # the default share is 90 %
    assert counters_needed(200 / 60, 3, 20 / 60, 0.8) == 14  # units only need to agree


@pytest.mark.parametrize("a", [0.3, 0.5, 0.9])
def test_one_counter_is_m_m_1(a):
    """M/M/1: a visitor waits with probability ρ = A; SL = 1 − ρ·e^(−(1 − ρ)·t/h)."""
    assert probability_of_waiting(1, a) == pytest.approx(a)
    assert service_level(1, a, 2.0, 5.0) == pytest.approx(1 - a * exp(-(1 - a) * 2 / 5))
    assert average_speed_of_answer(1, a, 5.0) == pytest.approx(a * 5 / (1 - a))


@pytest.mark.parametrize("a", [0.5, 1.0, 1.8])
def test_two_counters_match_the_closed_form(a):
    """M/M/2: P_W = 2ρ²/(1 + ρ) with ρ = A/2."""
    rho = a / 2
    assert probability_of_waiting(2, a) == pytest.approx(2 * rho**2 / (1 + rho))


def test_erlang_b_of_known_values():
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)  # (1/2) / (1 + 1 + 1/2)


@pytest.mark.parametrize(("c", "a"), [(60, 55.5), (60, 50.0), (200, 190.0), (600, 580.0)])
def test_many_counters_without_overflow(c, a):
    value = probability_of_waiting(c, a)
    assert 0 < value < 1
    if c <= 200:  # the exact fractions grow slow beyond
        assert value == pytest.approx(textbook_erlang_c(c, Fraction(a)), rel=1e-9)


def test_no_load_needs_no_counter_and_nobody_waits():
    assert counters_needed(0.0, 3.0, 0.5) == 0
    assert probability_of_waiting(0, 0.0) == 0.0
    assert service_level(0, 0.0, 1.0, 3.0) == 1.0
    assert average_speed_of_answer(3, 0.0, 3.0) == 0.0
    assert stable(0, 0.0)


@pytest.mark.parametrize("c", [8, 9, 10])
def test_counters_at_or_below_the_load_are_unstable(c):
    assert not stable(c, 10.0)
    assert probability_of_waiting(c, 10.0) == 1.0
    assert service_level(c, 10.0, TARGET, HANDLING) == 0.0
    assert average_speed_of_answer(c, 10.0, HANDLING) == inf


def test_the_recommendation_is_always_stable_even_for_a_lax_target():
    """Half the visitors within a long target would be met by c ≤ A on paper; a queue that only
    grows is never recommended."""
    assert counters_needed(RATE, HANDLING, 3600, 0.5) == 11


@pytest.mark.parametrize("share", [0, 1, 1.5, -0.1])
def test_a_share_outside_0_1_is_refused(share):
    with pytest.raises(ValueError):
        counters_needed(RATE, HANDLING, TARGET, share)


def test_negative_arrivals_are_refused():
    with pytest.raises(ValueError):
        counters_needed(-1.0, HANDLING, TARGET)
