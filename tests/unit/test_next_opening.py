"""When a closed centre next opens (what its kiosk and display say up front), worked by hand."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from queue_app.domain.hours import OpeningHours, Openness, next_opening, openness

NEW_YORK = ZoneInfo("America/New_York")
MOSCOW = ZoneInfo("Europe/Moscow")

# Weekdays 09:00-17:00, Saturday 10:00-14:00, Sunday closed; Christmas Eve short, Christmas closed.
OFFICE = OpeningHours.from_json({
    "weekly": {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": "10:00-14:00", "sun": "closed"},
    "exceptions": {"2026-12-24": "09:00-12:00", "2026-12-25": "closed"},
})


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


def test_a_closed_evening_opens_the_next_morning():
    # Tuesday 1 December 2026, 18:30 in New York: Wednesday 09:00 (14:00 UTC, -05:00 in winter)
    opens = next_opening(OFFICE, NEW_YORK, ny(2026, 12, 1, 18, 30))
    assert opens == ny(2026, 12, 2, 9, 0)
    assert opens.isoformat() == "2026-12-02T09:00:00-05:00"
    assert opens.astimezone(timezone.utc) == datetime(2026, 12, 2, 14, 0, tzinfo=timezone.utc)


def test_before_the_opening_it_opens_the_same_morning():
    assert next_opening(OFFICE, NEW_YORK, ny(2026, 12, 2, 7, 15)) == ny(2026, 12, 2, 9, 0)


def test_saturday_afternoon_opens_on_monday():
    # Saturday 5 December after 14:00; Sunday is closed
    assert next_opening(OFFICE, NEW_YORK, ny(2026, 12, 5, 14, 0)) == ny(2026, 12, 7, 9, 0)


def test_a_closed_exception_day_is_skipped():
    # Christmas Eve closes at 12:00, Christmas is closed: Saturday 26th at 10:00
    assert next_opening(OFFICE, NEW_YORK, ny(2026, 12, 24, 12, 0)) == ny(2026, 12, 26, 10, 0)


def test_asked_from_another_timezone_the_answer_is_the_same_moment():
    # 23:30 UTC on Tuesday is 18:30 in New York
    at = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)
    assert next_opening(OFFICE, NEW_YORK, at) == ny(2026, 12, 2, 9, 0)


def test_a_centre_that_never_opens_within_the_look_ahead_gives_none():
    shut = OpeningHours.from_json({"weekly": {}})
    assert next_opening(shut, NEW_YORK, ny(2026, 12, 1, 12, 0)) is None
    # open again only three weeks later: beyond the 14 days looked at
    later = OpeningHours.from_json({"weekly": {}, "exceptions": {"2026-12-22": "09:00-17:00"}})
    assert next_opening(later, NEW_YORK, ny(2026, 12, 1, 12, 0)) is None
    assert next_opening(later, NEW_YORK, ny(2026, 12, 1, 12, 0), within_days=21) == ny(2026, 12, 22, 9, 0)


def test_closed_now_says_when_it_opens():
    assert openness(OFFICE, NEW_YORK, ny(2026, 12, 5, 15, 0)) == Openness(False, None, ny(2026, 12, 7, 9, 0))


def test_open_now_says_until_when_and_the_opening_after_that():
    # Friday 4 December 11:00: open until 17:00, then Saturday 10:00
    assert openness(OFFICE, NEW_YORK, ny(2026, 12, 4, 11, 0)) == Openness(True, ny(2026, 12, 4, 17, 0), ny(2026, 12, 5, 10, 0))


def test_open_at_the_opening_minute_and_closed_at_the_closing_minute():
    assert openness(OFFICE, NEW_YORK, ny(2026, 12, 7, 9, 0)).open_now
    assert openness(OFFICE, NEW_YORK, ny(2026, 12, 7, 17, 0)) == Openness(False, None, ny(2026, 12, 8, 9, 0))


def test_open_through_midnight_closes_at_the_end_of_the_run_and_midnight_is_no_opening():
    # Friday 20:00-24:00, Saturday 00:00-02:00: one run from Friday evening to Saturday 02:00
    late = OpeningHours.from_json({"weekly": {"fri": "20:00-24:00", "sat": "00:00-02:00", "mon": "09:00-17:00"}})
    friday_night = datetime(2026, 12, 4, 23, 0, tzinfo=MOSCOW)
    assert openness(late, MOSCOW, friday_night) == Openness(
        True, datetime(2026, 12, 5, 2, 0, tzinfo=MOSCOW), datetime(2026, 12, 7, 9, 0, tzinfo=MOSCOW))
    # Friday afternoon: the next opening is 20:00, not Saturday's 00:00
    assert next_opening(late, MOSCOW, datetime(2026, 12, 4, 15, 0, tzinfo=MOSCOW)) == datetime(2026, 12, 4, 20, 0, tzinfo=MOSCOW)


def test_a_centre_open_round_the_clock_never_closes():
    assert openness(OpeningHours(always_open=True), MOSCOW, datetime(2026, 12, 4, 3, 0, tzinfo=MOSCOW)) == Openness(True, None, None)


def test_round_the_clock_with_a_closed_holiday_closes_before_it():
    hours = OpeningHours(always_open=True, exceptions={datetime(2026, 12, 25).date(): None})
    assert openness(hours, MOSCOW, datetime(2026, 12, 20, 12, 0, tzinfo=MOSCOW)) == Openness(
        True, datetime(2026, 12, 25, 0, 0, tzinfo=MOSCOW), datetime(2026, 12, 26, 0, 0, tzinfo=MOSCOW))
