"""Booking capacity from the roster (domain/capacity.py) against hand-worked values: one clerk,
split shifts, breaks, two clerks, the walk-in share, a clerk with several skills, shift skills."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_app.domain.capacity import servers, slot_places, spread
from queue_app.domain.roster import Break, ShiftPlan

TZ = ZoneInfo("Europe/Moscow")
DAY = date(2026, 11, 24)
HALF_HOUR = timedelta(minutes=30)


def at(hh: int, mm: int = 0) -> datetime:
    return datetime.combine(DAY, time(hh, mm), TZ)


def grid(first: int, last: int, length: timedelta = HALF_HOUR) -> list[tuple[datetime, datetime]]:
    """Slots of `length` from first:00 to last:00."""
    slots, start = [], at(first)
    while start + length <= at(last):
        slots.append((start, start + length))
        start += length
    return slots


SKILLS = {"ana": frozenset({"passport"}), "ben": frozenset({"passport"}),
          "cat": frozenset({"passport", "licence"}), "dan": frozenset({"passport", "licence", "tax"})}


def places(shifts, service="passport", share=0.5, counters=10, first=9, last=13, menu=None, length=HALF_HOUR):
    return slot_places(grid(first, last, length), shifts, service, SKILLS, counters, share, menu)


def test_one_clerk_one_skill_half_for_walk_ins_gives_a_place_every_other_slot():
    # 0.5 of a place a slot: the old rule floor(1 × 0.5) gave none at all
    assert places([ShiftPlan("ana", at(9), at(13))]) == [0, 1, 0, 1, 0, 1, 0, 1]


def test_one_clerk_through_a_day_of_twenty_minute_slots():
    got = places([ShiftPlan("ana", at(9), at(17))], first=9, last=17, length=timedelta(minutes=20))
    assert len(got) == 24 and sum(got) == 12 and got[:4] == [0, 1, 0, 1]


@pytest.mark.parametrize(("share", "expected"), [
    (0.0, [1] * 8),
    (0.5, [0, 1] * 4),
    (1.0, [0] * 8),
    (0.75, [0, 0, 0, 1] * 2),  # a quarter of a place a slot: every fourth slot
])
def test_the_walk_in_share(share, expected):
    assert places([ShiftPlan("ana", at(9), at(13))], share=share) == expected


def test_a_clerk_with_two_skills_gives_each_half_their_minutes_the_worked_example():
    # 30 min ÷ 2 services ÷ 30 min × 0.5 = 0.25 a slot: 10:30 and 12:30
    assert places([ShiftPlan("cat", at(9), at(13))]) == [0, 0, 0, 1, 0, 0, 0, 1]
    assert places([ShiftPlan("cat", at(9), at(13))], service="licence") == [0, 0, 0, 1, 0, 0, 0, 1]
    # three skills: a third each, 1/6 a slot → a place after six slots (the carry keeps the rest)
    assert places([ShiftPlan("dan", at(9), at(13))]) == [0, 0, 0, 0, 0, 1, 0, 0]


def test_only_the_menu_shares_a_clerks_minutes():
    # "tax" is not on the menu (retired): dan's minutes go half to passport, half to licence
    assert places([ShiftPlan("dan", at(9), at(13))], menu={"passport", "licence"}) == [0, 0, 0, 1, 0, 0, 0, 1]


def test_shift_skills_restrict_the_clerk():
    only_passport = ShiftPlan("dan", at(9), at(13), skills=frozenset({"passport"}))
    assert places([only_passport], share=0.0) == [1] * 8
    assert places([only_passport], service="licence", share=0.0) == [0] * 8


def test_a_break_on_the_slot_grid_empties_its_slot():
    shift = ShiftPlan("ana", at(9), at(13), (Break(at(11), at(11, 30)),))
    assert places([shift], share=0.0) == [1, 1, 1, 1, 0, 1, 1, 1]


def test_a_break_across_two_slots_is_carried():
    # 11:10–11:40: the 11:00 slot has 10 min on duty (1/3), the 11:30 slot 20 (2/3): totals 4 1/3, 5
    shift = ShiftPlan("ana", at(9), at(13), (Break(at(11, 10), at(11, 40)),))
    assert places([shift], share=0.0) == [1, 1, 1, 1, 0, 1, 1, 1]
    # 11:20–11:50: 20 min (2/3) then 10 min (1/3) — the whole place falls in the later slot either way
    later = ShiftPlan("ana", at(9), at(13), (Break(at(11, 20), at(11, 50)),))
    assert places([later], share=0.0) == [1, 1, 1, 1, 0, 1, 1, 1]


def test_a_split_shift_gives_places_in_both_parts_and_none_between():
    morning, afternoon = ShiftPlan("ana", at(9), at(11)), ShiftPlan("ana", at(15), at(17))
    assert places([morning, afternoon], first=9, last=17) == [0, 1, 0, 1] + [0] * 8 + [0, 1, 0, 1]


def test_a_shift_starting_inside_a_slot_counts_its_minutes_there():
    # 10:15: half the 10:00 slot, then whole slots to 12:00
    assert places([ShiftPlan("ana", at(10, 15), at(12))], share=0.0) == [0, 0, 0, 1, 1, 1, 0, 0]


def test_two_clerks_and_the_counters_cap():
    two = [ShiftPlan("ana", at(9), at(13)), ShiftPlan("ben", at(9), at(13))]
    assert places(two) == [1] * 8
    assert places(two, counters=1) == [0, 1] * 4  # one counter: one server at most
    assert places(two, counters=0) == [0] * 8


def test_servers_are_clerk_minutes_over_the_slot_length():
    shifts = [ShiftPlan("ana", at(9), at(9, 20)), ShiftPlan("cat", at(9), at(9, 30))]
    assert servers(at(9), at(9, 30), shifts, "passport", SKILLS) == pytest.approx(20 / 30 + 0.5)


def test_spread_carries_fractions_and_reaches_whole_sums():
    assert spread([0.1] * 10) == [0] * 9 + [1]  # 0.1 × 10 sums to 0.9999999999999999
    assert spread([0.4, 0.4, 0.4, 2.5]) == [0, 0, 1, 2]
    assert sum(spread([1 / 3] * 9)) == 3
