"""The days and moments the product works in (queue_app/domain/calendar.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from queue_app.domain.calendar import (
    FIRST_DAY, LAST_DAY, OutOfCalendar, check_day, check_moment, in_calendar, moment_in_calendar, parse_day,
)
from queue_app.domain.errors import InvalidRequest
from queue_app.refusals import http_status


def test_the_calendar_is_far_from_pythons_ends():
    assert date.min + timedelta(days=366 * 100) < FIRST_DAY and LAST_DAY + timedelta(days=366 * 100) < date.max


@pytest.mark.parametrize("text", ["2000-01-01", "2026-11-23", "2028-02-29", "2099-12-31", " 2026-11-23 "])
def test_days_in_range_parse(text):
    assert in_calendar(parse_day(text))


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"])
def test_days_outside_are_refused_as_out_of_calendar(text):
    with pytest.raises(OutOfCalendar) as refused:
        parse_day(text)
    assert refused.value.code == "out_of_calendar" and http_status(refused.value) == 422


@pytest.mark.parametrize("text", ["2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "20261123", "2026-W01-1",
                                  "２０２６-11-23", "+2026-11-23", "2026-11-23T00:00", "", None, "yesterday",
                                  "2026-11-2\u0663"])
def test_anything_else_is_no_day(text):
    with pytest.raises(InvalidRequest):
        parse_day(text)


@pytest.mark.parametrize(("moment", "inside"), [
    (datetime(2026, 11, 23, 10, tzinfo=timezone.utc), True),
    (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12))), False),  # UTC would be year 10000
    (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), False),  # UTC would be year 0
    (datetime(2000, 1, 1, 5, tzinfo=timezone(timedelta(hours=14))), False),  # 1999 in UTC
    (datetime(2099, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))), False),  # 2100 in UTC
    (datetime(2099, 12, 31, 12), True),  # naive: its own day only
])
def test_a_moment_counts_on_its_clock_and_in_utc(moment, inside):
    assert moment_in_calendar(moment) is inside
    if not inside:
        with pytest.raises(OutOfCalendar):
            check_moment(moment)


def test_check_day_returns_the_day():
    assert check_day(date(2026, 1, 1)) == date(2026, 1, 1)
