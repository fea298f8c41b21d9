"""Opening hours in a centre's own timezone, the service day, and ticket numbers."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from queue_app.domain.hours import (
    OpeningHours,
    format_span,
    parse_span,
    service_day,
    ticket_number,
)

MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 3, 2)
SUNDAY = date(2026, 3, 8)
FALL_BACK = date(2026, 11, 1)  # New York leaves daylight time at 02:00 that Sunday
SPRING_FORWARD = date(2026, 3, 8)  # ... and enters it at 02:00 that Sunday

OFFICE = OpeningHours.from_json({
    "weekly": {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri", "sun")} | {"sat": "closed"},
    "exceptions": {"2026-12-25": "closed", "2026-12-24": "09:00-12:00"},
})
ALWAYS = OpeningHours(always_open=True)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))


# --- parse_span ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "span"), [
    ("08:00-20:00", (time(8), time(20))),
    ("00:00-23:59", (time(0), time(23, 59))),
    ("08:00-24:00", (time(8), None)),
    ("00:00-24:00", (time(0), None)),
    ("closed", None),
])
def test_parse_span_accepts_valid_hours(text, span):
    assert parse_span(text) == span


@pytest.mark.parametrize("text", ["8-20", "8:00-20:00", "25:00-26:00", "08:60-09:00", "24:00-24:00",
                                  "08:00 - 20:00", "08:00", "Closed", ""])
def test_parse_span_rejects_malformed_hours(text):
    with pytest.raises(ValueError, match='is not "HH:MM-HH:MM" or "closed"'):
        parse_span(text)


def test_parse_span_rejects_minutes_past_midnight():
    with pytest.raises(ValueError, match="24:30 is not a time"):
        parse_span("08:00-24:30")


def test_parse_span_rejects_a_trailing_newline():
    with pytest.raises(ValueError):
        parse_span("08:00-20:00\n")


@pytest.mark.parametrize("text", ["20:00-08:00", "08:00-08:00", "08:01-08:00"])
def test_parse_span_rejects_closing_not_after_opening(text):
    with pytest.raises(ValueError, match="closing time must come after opening time on the same day"):
        parse_span(text)


@pytest.mark.parametrize("text", ["08:00-20:00", "00:00-24:00", "09:30-12:15", "closed"])
def test_format_span_writes_what_parse_span_reads(text):
    assert format_span(parse_span(text)) == text


# --- is_open ------------------------------------------------------------------------------

def test_open_at_the_opening_minute():
    assert OFFICE.is_open(at(MONDAY, 9, 0))


def test_closed_the_minute_before_opening():
    assert not OFFICE.is_open(at(MONDAY, 8, 59))


def test_open_the_minute_before_closing():
    assert OFFICE.is_open(at(MONDAY, 16, 59))


def test_closed_at_the_closing_minute():
    assert not OFFICE.is_open(at(MONDAY, 17, 0))


def test_closed_all_day_on_a_closed_weekday():
    saturday = date(2026, 3, 7)
    assert not any(OFFICE.is_open(at(saturday, h)) for h in range(24))


def test_a_day_missing_from_the_stored_form_is_closed():
    hours = OpeningHours.from_json({"weekly": {"mon": "09:00-17:00"}})
    assert hours.span_on(MONDAY + timedelta(days=1)) is None
    assert not hours.is_open(at(MONDAY + timedelta(days=1), 12))


def test_closed_all_day_on_an_exception_day():
    christmas = date(2026, 12, 25)  # a Friday, normally open
    assert not OFFICE.is_open(at(christmas, 12))
    assert OFFICE.is_open(at(christmas + timedelta(days=7), 12))


def test_exception_day_with_shortened_hours():
    eve = date(2026, 12, 24)  # a Thursday
    assert OFFICE.is_open(at(eve, 11, 59))
    assert not OFFICE.is_open(at(eve, 12, 0))
    assert OFFICE.is_open(at(eve + timedelta(days=7), 16))


def test_exception_can_open_a_normally_closed_day():
    saturday = date(2026, 3, 7)
    hours = OpeningHours.from_json({"weekly": {}, "exceptions": {"2026-03-07": "10:00-14:00"}})
    assert hours.is_open(at(saturday, 10))
    assert not hours.is_open(at(saturday, 14))


def test_a_span_to_midnight_is_open_at_the_last_minute():
    hours = OpeningHours.from_json({"weekly": {"mon": "20:00-24:00"}})
    assert hours.is_open(datetime(2026, 3, 2, 23, 59, 59))
    assert not hours.is_open(at(MONDAY + timedelta(days=1), 0))


@pytest.mark.parametrize("moment", [at(MONDAY, 0), at(MONDAY, 3, 30), at(SUNDAY, 23, 59), at(FALL_BACK, 1, 30)])
def test_always_open_centre_is_open_at_any_hour(moment):
    assert ALWAYS.is_open(moment)


def test_is_open_reads_the_wall_clock_of_an_aware_local_time():
    assert OFFICE.is_open(datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK))
    assert not OFFICE.is_open(datetime(2026, 3, 2, 17, 0, tzinfo=MOSCOW))


def test_always_open_centre_honours_a_dated_exception():
    hours = OpeningHours(always_open=True, exceptions={date(2026, 12, 25): None})
    assert not hours.is_open(at(date(2026, 12, 25), 12))


# --- opening_of / closing_of --------------------------------------------------------------

def test_opening_and_closing_are_aware_times_in_the_centre_zone():
    opens, closes = OFFICE.opening_of(MONDAY, MOSCOW), OFFICE.closing_of(MONDAY, MOSCOW)
    assert (opens, closes) == (datetime(2026, 3, 2, 9, tzinfo=MOSCOW), datetime(2026, 3, 2, 17, tzinfo=MOSCOW))
    assert opens.astimezone(timezone.utc) == datetime(2026, 3, 2, 6, tzinfo=timezone.utc)


def test_same_hours_open_at_different_instants_in_different_zones():
    in_moscow = OFFICE.opening_of(MONDAY, MOSCOW)
    in_new_york = OFFICE.opening_of(MONDAY, NEW_YORK)
    assert in_new_york - in_moscow == timedelta(hours=8)  # UTC+3 vs UTC-5 in early March


def test_opening_and_closing_of_a_closed_day_are_none():
    saturday = date(2026, 3, 7)
    assert OFFICE.opening_of(saturday, NEW_YORK) is None
    assert OFFICE.closing_of(saturday, NEW_YORK) is None
    assert OFFICE.closing_of(date(2026, 12, 25), NEW_YORK) is None


def test_closing_of_a_shortened_exception_day():
    assert OFFICE.closing_of(date(2026, 12, 24), NEW_YORK) == datetime(2026, 12, 24, 12, tzinfo=NEW_YORK)


def test_closing_at_24_00_is_midnight_starting_the_next_day():
    hours = OpeningHours.from_json({"weekly": {"mon": "08:00-24:00"}})
    assert hours.closing_of(MONDAY, MOSCOW) == datetime(2026, 3, 3, 0, 0, tzinfo=MOSCOW)


def test_office_hours_on_dst_end_day_use_standard_time():
    opens, closes = OFFICE.opening_of(FALL_BACK, NEW_YORK), OFFICE.closing_of(FALL_BACK, NEW_YORK)
    assert opens.utcoffset() == closes.utcoffset() == timedelta(hours=-5)
    assert opens.astimezone(timezone.utc) == datetime(2026, 11, 1, 14, tzinfo=timezone.utc)
    assert closes - opens == timedelta(hours=8)


def test_always_open_day_lasts_25_hours_when_dst_ends():
    opens, closes = ALWAYS.opening_of(FALL_BACK, NEW_YORK), ALWAYS.closing_of(FALL_BACK, NEW_YORK)
    assert opens.utcoffset() == timedelta(hours=-4) and closes.utcoffset() == timedelta(hours=-5)
    assert closes.astimezone(timezone.utc) - opens.astimezone(timezone.utc) == timedelta(hours=25)


def test_always_open_day_lasts_23_hours_when_dst_starts():
    opens, closes = ALWAYS.opening_of(SPRING_FORWARD, NEW_YORK), ALWAYS.closing_of(SPRING_FORWARD, NEW_YORK)
    assert closes.astimezone(timezone.utc) - opens.astimezone(timezone.utc) == timedelta(hours=23)


def test_always_open_day_in_a_zone_without_dst_lasts_24_hours():
    opens, closes = ALWAYS.opening_of(FALL_BACK, MOSCOW), ALWAYS.closing_of(FALL_BACK, MOSCOW)
    assert closes.astimezone(timezone.utc) - opens.astimezone(timezone.utc) == timedelta(hours=24)


# --- stored form --------------------------------------------------------------------------

def test_to_json_writes_every_weekday_and_sorted_exceptions():
    assert OFFICE.to_json() == {
        "always_open": False,
        "weekly": {"mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "09:00-17:00",
                   "fri": "09:00-17:00", "sat": "closed", "sun": "09:00-17:00"},
        "exceptions": {"2026-12-24": "09:00-12:00", "2026-12-25": "closed"},
    }


@pytest.mark.parametrize("hours", [OFFICE, OpeningHours.from_json({"always_open": True}),
                                   OpeningHours.from_json({"weekly": {"fri": "00:00-24:00"}})])
def test_json_round_trip_gives_back_the_same_hours(hours):
    assert OpeningHours.from_json(hours.to_json()) == hours


def test_from_json_of_an_empty_document_is_closed_every_day():
    hours = OpeningHours.from_json({})
    assert not hours.always_open and set(hours.weekly.values()) == {None} and hours.exceptions == {}


def test_from_json_rejects_impossible_stored_hours():
    with pytest.raises(ValueError):
        OpeningHours.from_json({"weekly": {"mon": "18:00-09:00"}})


# --- service day and ticket numbers -------------------------------------------------------

def test_same_instant_is_a_different_local_day_in_moscow_and_new_york():
    instant = datetime(2026, 3, 10, 22, 30, tzinfo=timezone.utc)
    assert service_day(instant, MOSCOW) == date(2026, 3, 11)
    assert service_day(instant, NEW_YORK) == date(2026, 3, 10)


def test_service_day_changes_at_local_midnight():
    before = datetime(2026, 3, 10, 23, 59, tzinfo=NEW_YORK)
    after = datetime(2026, 3, 11, 0, 1, tzinfo=NEW_YORK)
    assert service_day(before, NEW_YORK) == date(2026, 3, 10)
    assert service_day(after, NEW_YORK) == date(2026, 3, 11)


def test_service_day_of_utc_instants_two_minutes_apart_around_moscow_midnight():
    midnight_utc = datetime(2026, 3, 10, 21, 0, tzinfo=timezone.utc)  # 00:00 in Moscow
    assert service_day(midnight_utc - timedelta(minutes=1), MOSCOW) == date(2026, 3, 10)
    assert service_day(midnight_utc + timedelta(minutes=1), MOSCOW) == date(2026, 3, 11)


def test_service_day_over_the_repeated_hour_stays_one_day():
    first_130 = datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc)  # 01:30 EDT
    second_130 = datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc)  # 01:30 EST
    assert service_day(first_130, NEW_YORK) == service_day(second_130, NEW_YORK) == FALL_BACK


@pytest.mark.parametrize(("prefix", "seq", "number"), [
    ("A", 7, "A007"), ("B", 123, "B123"), ("C", 1000, "C1000"), ("D", 1, "D001"), ("AB", 42, "AB042"),
])
def test_ticket_number_is_prefix_and_zero_padded_sequence(prefix, seq, number):
    assert ticket_number(prefix, seq) == number
