"""Slots against hand-computed cases: the day's grid, what is left out (capacity: test_capacity.py)."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_app.domain.hours import OpeningHours, parse_span
from queue_app.domain.slots import (
    BEYOND_HORIZON, CLOSED_DAY, IN_THE_PAST, NOT_A_SLOT, OUTSIDE_HOURS, TOO_SOON, Window, free_slots,
    slot_grid, why_not_a_slot,
)
from queue_app.refusals import http_status

MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
DAY = date(2026, 11, 24)  # a Tuesday
TWENTY = timedelta(minutes=20)
HOURS = OpeningHours(weekly={d: parse_span("08:00-20:00") for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
                     | {"sun": None}, exceptions={date(2026, 11, 25): None})
BEFORE = Window(now=datetime(2026, 11, 23, 12, 0, tzinfo=MOSCOW), horizon_days=30)


def local(day: date, hh: int, mm: int = 0, tz=MOSCOW) -> datetime:
    return datetime.combine(day, time(hh, mm), tz)


def test_a_twelve_hour_day_of_twenty_minute_slots_with_five_skilled_clerks():
    slots = free_slots(DAY, HOURS.span_on(DAY), MOSCOW, TWENTY, 2, {}, BEFORE)
    assert len(slots) == 36  # 12 h × 3 an hour
    assert (slots[0].start, slots[0].end) == (local(DAY, 8), local(DAY, 8, 20))
    assert slots[-1].end == local(DAY, 20)
    assert {s.available for s in slots} == {2}


def test_booked_places_are_taken_off_their_slot():
    booked = {local(DAY, 9): 2, local(DAY, 9, 20).astimezone(ZoneInfo("UTC")): 1}  # any offset
    slots = {s.start: s.available for s in free_slots(DAY, HOURS.span_on(DAY), MOSCOW, TWENTY, 2, booked, BEFORE)}
    assert (slots[local(DAY, 9)], slots[local(DAY, 9, 20)], slots[local(DAY, 9, 40)]) == (0, 1, 2)


def test_a_slot_that_would_run_past_closing_is_not_offered():
    grid = slot_grid(DAY, parse_span("08:00-09:00"), MOSCOW, timedelta(minutes=25))
    assert [s.strftime("%H:%M") for s, _ in grid] == ["08:00", "08:25"]


def test_closed_days_have_no_slots():
    assert free_slots(date(2026, 11, 25), HOURS.span_on(date(2026, 11, 25)), MOSCOW, TWENTY, 2, {}, BEFORE) == []
    assert free_slots(date(2026, 11, 29), HOURS.span_on(date(2026, 11, 29)), MOSCOW, TWENTY, 2, {}, BEFORE) == []


def test_no_places_means_no_slots():
    assert free_slots(DAY, HOURS.span_on(DAY), MOSCOW, TWENTY, 0, {}, BEFORE) == []


def test_a_slot_with_no_place_online_is_not_offered_but_a_full_one_is():
    places = [0, 1] * 18
    booked = {local(DAY, 8, 20): 1}
    slots = free_slots(DAY, HOURS.span_on(DAY), MOSCOW, TWENTY, places, booked, BEFORE)
    assert len(slots) == 18 and slots[0].start == local(DAY, 8, 20) and slots[0].available == 0
    assert slots[1].start == local(DAY, 9) and slots[1].available == 1


def test_the_horizon_is_the_last_bookable_day():
    last = BEFORE.now.date() + timedelta(days=30)  # 2026-12-23, a Wednesday
    assert len(free_slots(last, HOURS.span_on(last), MOSCOW, TWENTY, 2, {}, BEFORE)) == 36
    after = last + timedelta(days=1)
    assert free_slots(after, HOURS.span_on(after), MOSCOW, TWENTY, 2, {}, BEFORE) == []


def test_today_only_the_slots_after_the_notice_remain():
    today = BEFORE.now.date()
    window = Window(now=local(today, 12, 5), notice=timedelta(minutes=30))
    slots = free_slots(today, HOURS.span_on(today), MOSCOW, TWENTY, 2, {}, window)
    assert slots[0].start == local(today, 12, 40)  # 12:20 starts within 30 minutes of 12:05
    assert len(slots) == 22  # 12:40 … 19:40


def test_a_centre_that_never_closes_has_a_full_day_of_slots():
    day_long = OpeningHours(always_open=True)
    assert len(slot_grid(DAY, day_long.span_on(DAY), MOSCOW, TWENTY)) == 72


def test_slots_follow_the_centres_wall_clock_across_a_daylight_saving_change():
    fall_back = date(2026, 11, 1)  # New York: 02:00 daylight becomes 01:00 standard
    grid = slot_grid(fall_back, parse_span("09:00-10:00"), NEW_YORK, timedelta(minutes=30))
    assert [s.utcoffset() for s, _ in grid] == [timedelta(hours=-5)] * 2
    assert [s.hour for s, _ in grid] == [9, 9]
    spring = date(2026, 3, 8)  # 02:00-03:00 does not exist
    grid = slot_grid(spring, parse_span("01:00-04:00"), NEW_YORK, timedelta(hours=1))
    assert [s.hour for s, _ in grid] == [1, 3]


@pytest.mark.parametrize(("start", "code"), [
    (local(date(2026, 11, 23), 11, 0), IN_THE_PAST),
    (local(date(2026, 11, 23), 12, 20), TOO_SOON),
    (local(date(2026, 11, 25), 10, 0), CLOSED_DAY),
    (local(DAY, 7, 40), OUTSIDE_HOURS),
    (local(DAY, 20, 0), OUTSIDE_HOURS),
    (local(DAY, 10, 10), NOT_A_SLOT),
    (local(date(2026, 12, 24), 10, 0), BEYOND_HORIZON),
])
def test_why_a_start_is_not_a_slot(start, code):
    window = Window(now=BEFORE.now, notice=timedelta(minutes=30), horizon_days=30)
    refusal = why_not_a_slot(start, HOURS.span_on(start.date()), MOSCOW, TWENTY, window)
    assert refusal is not None and refusal.code == code and http_status(refusal) == 422 and refusal.message


def test_a_slot_start_in_any_offset_is_a_slot():
    start = local(DAY, 10, 20).astimezone(NEW_YORK)
    assert why_not_a_slot(start, HOURS.span_on(DAY), MOSCOW, TWENTY, BEFORE) is None
