"""The demo network's week of shifts (domain/shift_pattern.py), on the shipped centres' hours and
clerks: the roster's rules kept, shifts inside opening hours, breaks staggered, rest days and rest
between shifts, split shifts at the long days, and the 24/7 point covered round the clock."""
from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_app.config import DEFAULT_CONFIG, read_network_file
from queue_app.domain.roster import check_roster, coverage, opening_hours_of
from queue_app.domain.shift_pattern import week_pattern

NETWORK = read_network_file(DEFAULT_CONFIG)
MONDAY = date(2026, 12, 7)
CENTRES = [c.code for c in NETWORK.centres]


def centre(code):
    found = next(c for c in NETWORK.centres if c.code == code)
    clerks = sorted(s.username for s in NETWORK.staff if s.role == "clerk" and code in s.centres)
    skills = {s.username: frozenset([*s.primary, *s.secondary]) for s in NETWORK.staff if s.username in clerks}
    return found.opening_hours(), ZoneInfo(found.timezone), clerks, skills


def two_weeks(code):
    hours, tz, clerks, _ = centre(code)
    first = week_pattern(hours, tz, clerks, MONDAY)
    last_ended = {}
    for shifts in first.values():
        for s in shifts:
            last_ended[s.staff] = max(last_ended.get(s.staff, s.end), s.end)
    return {**first, **week_pattern(hours, tz, clerks, MONDAY + timedelta(days=7), last_ended)}


@pytest.mark.parametrize("code", CENTRES)
def test_every_day_keeps_the_roster_rules_inside_opening_hours(code):
    hours, tz, clerks, skills = centre(code)
    for day, shifts in two_weeks(code).items():
        check_roster(shifts, day, tz, skills)  # no clerk double-booked, breaks inside, ≤ 16 h
        opens, closes = hours.opening_of(day, tz), hours.closing_of(day, tz)
        if opens is None:
            assert shifts == []
            continue
        assert shifts, f"{code} is open on {day} with nobody rostered"
        assert all(opens <= s.start < s.end <= closes for s in shifts)


@pytest.mark.parametrize("code", CENTRES)
def test_each_clerk_works_at_most_nine_hours_a_day_five_days_a_week_with_eleven_hours_rest(code):
    _, _, clerks, _ = centre(code)
    weeks = two_weeks(code)
    for week in (MONDAY, MONDAY + timedelta(days=7)):
        days_worked = defaultdict(int)
        for offset in range(7):
            day = week + timedelta(days=offset)
            hours_on = defaultdict(timedelta)
            for s in weeks[day]:
                hours_on[s.staff] += s.end - s.start
            assert all(h <= timedelta(hours=9) for h in hours_on.values())
            for who in hours_on:
                days_worked[who] += 1
        assert all(n <= 5 for n in days_worked.values())
    by_clerk = defaultdict(list)
    for shifts in weeks.values():
        for s in shifts:
            by_clerk[s.staff].append(s)
    for own in by_clerk.values():
        own.sort(key=lambda s: s.start)
        gaps = [b.start - a.end for a, b in zip(own, own[1:]) if b.start.date() != a.start.date()]
        assert all(g >= timedelta(hours=11) for g in gaps)


@pytest.mark.parametrize("code", CENTRES)
def test_breaks_are_staggered_and_a_colleague_covers_them_when_anyone_else_is_on(code):
    for day, shifts in two_weeks(code).items():
        breaks = sorted((b for s in shifts for b in s.breaks), key=lambda b: b.start)
        assert all(a.end <= b.start for a, b in zip(breaks, breaks[1:])), f"{code} {day}: breaks at once"
        for s in shifts:
            for b in s.breaks:
                assert 30 <= (b.end - b.start).total_seconds() / 60 <= 60
                others = [o for o in shifts if o is not s and o.start <= b.start and b.end <= o.end]
                alone = not any(o.start < b.end and b.start < o.end for o in shifts if o.staff != s.staff)
                assert others or alone, f"{code} {day}: {s.staff}'s break leaves the centre empty"
        assert all(s.breaks for s in shifts if s.end - s.start > timedelta(hours=6))


def test_long_days_have_early_late_and_split_shifts_overlapping_at_midday():
    _, tz, _, _ = centre("MSK1")
    day = two_weeks("MSK1")[MONDAY + timedelta(days=1)]
    parts = defaultdict(list)
    for s in day:
        parts[s.staff].append((f"{s.start.astimezone(tz):%H:%M}", f"{s.end.astimezone(tz):%H:%M}"))
    early, late, split = [("08:00", "16:30")], [("11:30", "20:00")], [("08:00", "12:00"), ("16:00", "20:00")]
    # nineteen of MSK1's 27 clerks on: an early, a late and a split shift, then early and late in turn
    assert sorted(parts.values()) == [split] + [early] * 9 + [late] * 9


def test_the_point_that_never_closes_is_covered_round_the_clock_every_day():
    hours, tz, _, skills = centre("AIR1")
    for day, shifts in two_weeks("AIR1").items():
        hourly = coverage(shifts, opening_hours_of(hours, day, tz), skills)
        assert len(hourly) == 24
        assert all(h.minutes for h in hourly), f"AIR1 {day}: an hour with nobody on duty"
        moments = [day_start + timedelta(minutes=m) for day_start in [min(s.start for s in shifts)]
                   for m in range(0, 24 * 60, 15)]
        assert all(any(s.start <= t < s.end for s in shifts) for t in moments)
        assert {f"{s.start.astimezone(tz):%H:%M}" for s in shifts} >= {"00:00", "08:00", "16:00"}
