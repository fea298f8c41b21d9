"""The roster's rules and coverage (domain/roster.py), with values worked by hand.

Moscow (UTC+3, no change of clocks), Monday 2026-12-07, open 09:30–13:00: hours 09:00 (09:30–10:00),
10:00, 11:00, 12:00. Clerks: ann {birth, passport}, ben {tax, info}, cat {birth}.
- ann, a split shift: 09:30–11:00 and 12:00–13:00, all her skills;
- ben 09:00–13:00, break 10:45–11:15, serving only tax in this shift;
- cat 10:00–13:00, break 11:50–12:10 (staggered from ben's).
By hand, clerk-minutes per hour:
- 09:00 (from 09:30): ann 30 birth + 30 passport; ben 30 tax (his 09:00–09:30 is before opening).
- 10:00: ann 60 + 60; ben 10:00–10:45 = 45 tax; cat 60 birth → birth 120, passport 60, tax 45.
- 11:00: ann off; ben 11:15–12:00 = 45 tax; cat 11:00–11:50 = 50 birth → passport not covered.
- 12:00: ann 60 + 60; ben 60 tax; cat 12:10–13:00 = 50 birth → birth 110, passport 60, tax 60.
info is never covered (ben holds it but serves only tax in this shift).
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from queue_app.domain.errors import InvalidRequest, SkillNotAllowed
from queue_app.domain.hours import OpeningHours
from queue_app.domain.roster import Break, ShiftPlan, check_roster, coverage, opening_hours_of

MSK = ZoneInfo("Europe/Moscow")
DAY = date(2026, 12, 7)
SKILLS = {"ann": frozenset({"birth", "passport"}), "ben": frozenset({"tax", "info"}), "cat": frozenset({"birth"})}
MENU = ["birth", "passport", "tax", "info"]
HOURS = OpeningHours.from_json({"weekly": {"mon": "09:30-13:00"}})


def at(h: int, m: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, tzinfo=MSK)


def shift(who, start, end, breaks=(), skills=None) -> ShiftPlan:
    return ShiftPlan(who, start, end, tuple(Break(a, b) for a, b in breaks),
                     None if skills is None else frozenset(skills))


DAY_SHIFTS = [
    shift("ann", at(9, 30), at(11)),
    shift("ann", at(12), at(13)),
    shift("ben", at(9), at(13), [(at(10, 45), at(11, 15))], skills=["tax"]),
    shift("cat", at(10), at(13), [(at(11, 50), at(12, 10))]),
]


def test_the_day_keeps_the_rules():
    check_roster(DAY_SHIFTS, DAY, MSK, SKILLS)  # raises nothing


def test_coverage_worked_by_hand():
    hours = coverage(DAY_SHIFTS, opening_hours_of(HOURS, DAY, MSK), SKILLS)
    assert [h.hour for h in hours] == ["09:00", "10:00", "11:00", "12:00"]
    assert [h.minutes for h in hours] == [
        {"birth": 30, "passport": 30, "tax": 30},
        {"birth": 120, "passport": 60, "tax": 45},
        {"birth": 50, "tax": 45},
        {"birth": 110, "passport": 60, "tax": 60},
    ]
    assert hours[2].covered(MENU) == ["birth", "tax"]
    assert hours[2].not_covered(MENU) == ["passport", "info"]
    assert all("info" in h.not_covered(MENU) for h in hours)
    assert hours[0].start == at(9, 30) and hours[0].end == at(10)


def test_a_clerk_with_two_skills_covers_both_with_the_same_minutes():
    hours = coverage([shift("ben", at(10), at(10, 20))], opening_hours_of(HOURS, DAY, MSK), SKILLS)
    assert hours[1].minutes == {"info": 20, "tax": 20}


def test_closed_day_has_no_hours():
    assert opening_hours_of(HOURS, date(2026, 12, 8), MSK) == []  # Tuesday: closed


def test_round_the_clock_centre_counts_a_shift_up_to_midnight_only():
    always = OpeningHours(always_open=True)
    hours = opening_hours_of(always, DAY, MSK)
    assert [h for h, _, _ in hours] == [f"{h:02d}:00" for h in range(24)]
    night = shift("cat", at(22), at(2, day=date(2026, 12, 8)))
    check_roster([night], DAY, MSK, SKILLS)  # a shift may run past midnight: it belongs to its first day
    cover = coverage([night], hours, SKILLS)
    assert {h.hour: h.minutes for h in cover if h.minutes} == {"22:00": {"birth": 60}, "23:00": {"birth": 60}}


@pytest.mark.parametrize("shifts, code", [
    ([shift("ann", at(11), at(11))], "shift_ends_first"),
    ([shift("ann", at(12), at(10))], "shift_ends_first"),
    ([shift("ann", at(6), at(22, 1))], "shift_too_long"),
    ([shift("ann", at(9, day=date(2026, 12, 8)), at(10, day=date(2026, 12, 8)))], "shift_off_day"),
    ([shift("ann", at(9), at(12), [(at(8, 30), at(9, 15))])], "break_outside_shift"),
    ([shift("ann", at(9), at(12), [(at(11, 45), at(12, 15))])], "break_outside_shift"),
    ([shift("ann", at(9), at(12), [(at(10), at(10))])], "break_outside_shift"),
    ([shift("ann", at(9), at(12), [(at(10), at(10, 30)), (at(10, 15), at(10, 45))])], "breaks_overlap"),
    ([shift("ann", at(9), at(12)), shift("ann", at(11, 59), at(14))], "shifts_overlap"),
    ([shift("ann", at(9), at(12), skills=["tax"])], "skill_not_allowed"),
    ([shift("ann", at(9), at(12), skills=[])], "no_skills_chosen"),
])
def test_refusals_have_stable_codes(shifts, code):
    with pytest.raises((InvalidRequest, SkillNotAllowed)) as refused:
        check_roster(shifts, DAY, MSK, SKILLS)
    assert refused.value.code == code


def test_back_to_back_shifts_and_a_sixteen_hour_shift_are_allowed():
    check_roster([shift("ann", at(6), at(22)), shift("ben", at(9), at(12)), shift("ben", at(12), at(14))],
                 DAY, MSK, SKILLS)
