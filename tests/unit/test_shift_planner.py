"""The shift planner: shifts from a need per hour (hand cases), breaks that never leave an hour
short, the clerks' limit, and the desks' shares of the pooled Erlang C need."""
from __future__ import annotations

import pytest

from queue_app.domain import erlang
from queue_app.domain.shift_planner import (SHAPES, SLOT, Desk, Shift, desk_loads, need, plan_desks, propose,
                                            shared_needs, slot_needs)

H = 60
FULL = SHAPES[0]


def on_duty(shifts, minute: int) -> int:
    return sum(s.on_duty(minute) for s in shifts)


def assert_covers(proposal, need_by_hour, opens, closes):
    for i, wanted in enumerate(slot_needs(need_by_hour, opens, closes)):
        minute = opens + i * SLOT
        assert on_duty(proposal.shifts, minute) >= wanted, f"short at {minute // 60}:{minute % 60:02d}"
    assert proposal.short == ()


def test_a_flat_need_of_one_over_twelve_hours_takes_two_six_hour_shifts():
    p = propose([1] * 12, 8 * H, 20 * H)
    assert [(s.start, s.end, s.rest) for s in p.shifts] == [(8 * H, 14 * H, None), (14 * H, 20 * H, None)]
    assert p.clerk_hours == 12  # the lower bound: the sum of the needs


def test_a_peak_is_met_with_part_shifts_at_the_lower_bound():
    need = [1, 1, 3, 3, 3, 3, 1, 1]  # 08:00 … 15:00
    p = propose(need, 8 * H, 16 * H)
    assert_covers(p, need, 8 * H, 16 * H)
    assert p.clerk_hours == sum(need) == 16
    assert [(s.start, s.end) for s in p.shifts] == [(8 * H, 14 * H), (10 * H, 14 * H), (10 * H, 16 * H)]


@pytest.mark.parametrize("need, bound", [
    ([2] * 12, 1.0),
    ([5, 8, 10, 11, 10, 9, 8, 8, 9, 9, 8, 5], 1.0),  # the reference day's shape
    ([1, 4, 1, 4, 1, 4, 1, 4, 1, 4, 1, 4], 1.5),  # no shift is shorter than 4 h: hours must be wasted
])
def test_every_slot_gets_its_need_with_few_hours_over_the_sum_of_needs(need, bound):
    p = propose(need, 8 * H, 20 * H)
    assert_covers(p, need, 8 * H, 20 * H)
    assert p.clerk_hours <= bound * sum(need)


def test_with_few_clerks_full_shifts_have_breaks_mid_shift_and_staggered():
    # Four full shifts for a need of three through 8½ hours: their breaks must not fall in the
    # same half-hour (three stay on) and lie an hour or more inside each shift.
    need = [3] * 9
    p = propose(need, 8 * H, 16 * H + 30, limit=4, shapes=[FULL])
    assert_covers(p, need, 8 * H, 16 * H + 30)
    breaks = [s.rest for s in p.shifts if s.rest]
    assert len(breaks) == 4 and len({b[0] for b in breaks}) == 4
    for s in p.shifts:
        assert s.start + H <= s.rest[0] and s.rest[1] <= s.end - H and s.rest[1] - s.rest[0] == 30


def test_too_few_clerks_is_reported_as_short_slots():
    p = propose([2] * 9, 8 * H, 16 * H + 30, limit=2, shapes=[FULL])  # two full shifts: their breaks leave one on
    assert len(p.shifts) == 2
    assert sum(n for _, n in p.short) == 2 and all(n == 1 for _, n in p.short)


def test_a_split_shift_lets_one_clerk_cover_both_ends_of_the_day():
    p = propose([1, 1, 0, 0, 0, 0, 0, 0, 1, 1], 8 * H, 18 * H, limit=1)
    assert p.short == ()
    (shift,) = p.shifts
    assert shift.parts == [(8 * H, 12 * H, None), (14 * H, 18 * H, None)]
    assert shift.on_duty_min == 8 * H


def test_a_day_shorter_than_any_shape_has_one_shift_from_opening_to_closing():
    p = propose([1, 2], 9 * H, 11 * H)
    assert [(s.start, s.end) for s in p.shifts] == [(9 * H, 11 * H)] * 2
    assert_covers(p, [1, 2], 9 * H, 11 * H)


def test_a_desk_short_of_clerks_borrows_from_a_desk_holding_its_service_as_secondary():
    small = Desk("business", 1, frozenset({"company"}))
    tax = Desk("tax", 3, frozenset({"tax"}), frozenset({"company"}))
    needs = {"business": [1] * 12, "tax": [1] * 12}
    plans = {p.group: p for p in plan_desks(needs, [small, tax], 8 * H, 20 * H)}
    assert plans["business"].short == () and plans["tax"].short == ()
    everyone = plans["business"].shifts + plans["tax"].shifts
    assert all(on_duty(everyone, m) >= 2 for m in range(8 * H, 20 * H, SLOT))
    assert len(plans["business"].shifts) == 1 and len(plans["tax"].shifts) <= 3


def test_demand_goes_to_the_primary_desks_by_size_else_to_the_secondary():
    desks = [Desk("a", 3, frozenset({"x"})), Desk("b", 1, frozenset({"x"}), frozenset({"y"}))]
    loads = desk_loads({"x": [8.0], "y": [2.0]}, desks)
    assert loads == {"a": {"x": [6.0]}, "b": {"x": [2.0], "y": [2.0]}}


def test_the_desks_share_the_pooled_erlang_need_by_load():
    arrivals = {"x": [30.0, 60.0], "y": [10.0, 10.0]}  # per hour
    handling = {"x": 10.0, "y": 10.0}
    desks = [Desk("a", 20, frozenset({"x"})), Desk("b", 20, frozenset({"y"}))]
    shares = shared_needs(arrivals, handling, desks, 2, 15, 0.9995)
    for h in range(2):
        pooled = erlang.counters_needed(sum(a[h] for a in arrivals.values()) / 60, 10.0, 15, 0.9995)
        assert need(arrivals, handling, h, 15, 0.9995) == pooled
        assert shares["a"][h] + shares["b"][h] == pooled
        assert shares["a"][h] > shares["b"][h] >= 1


def test_a_shift_knows_its_time_at_the_counter():
    s = Shift("a", 8 * H, 16 * H + 30, (12 * H, 12 * H + 30))
    assert s.on_duty_min == 8 * H and not s.on_duty(12 * H) and s.on_duty(12 * H + 30) and not s.on_duty(16 * H + 30)


@pytest.mark.parametrize("need, clerks", [
    ([2] * 12, 3),  # 24 counter-hours from three 8-h days: no hour may be wasted
    ([5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 5], 11),  # the reference day's passport desk: 79 of its 88 hours
])
def test_when_clerks_are_scarce_shifts_are_moved_until_every_slot_is_covered(need, clerks):
    # Greedy alone fills the morning first and runs out of clerks before the evening.
    p = propose(need, 8 * H, 20 * H, limit=clerks)
    assert len(p.shifts) <= clerks
    assert_covers(p, need, 8 * H, 20 * H)
