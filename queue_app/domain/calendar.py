"""The calendar the product works in: the days and moments any input may name.

Years 2000 to 2099. Every day the product has or will have figures for — open data, reports,
bookings (at most a horizon ahead), rosters — falls in it, and it stays centuries away from the
ends of Python's calendar (years 1 and 9999), so a day plus or minus anything the rules add (a
day, a horizon, a timezone's offset, a year of figures) never overflows. A fixed range rather
than one around today: the same address means the same answer tomorrow, and tests pin it down.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from .errors import InvalidRequest

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: \d would take any script's


class OutOfCalendar(InvalidRequest):
    """A day or moment outside the years the product works in (422)."""

    code = "out_of_calendar"


def in_calendar(day: date) -> bool:
    """Whether the day is one the product works in (FIRST_DAY..LAST_DAY)."""
    return FIRST_DAY <= day <= LAST_DAY


def check_day(day: date, what: str = "the date") -> date:
    """Return the day, or raise OutOfCalendar when it is outside the product's years."""
    if not in_calendar(day):
        raise OutOfCalendar(f"{what} must fall between {FIRST_DAY} and {LAST_DAY}, not {day.isoformat()}")
    return day


def moment_in_calendar(moment: datetime) -> bool:
    """Whether the moment's day, on its own clock and in UTC, is one the product works in."""
    if not in_calendar(moment.date()):
        return False  # checked first: shifting a day at the ends of Python's calendar overflows
    offset = moment.utcoffset()
    return offset is None or in_calendar((moment.replace(tzinfo=None) - offset).date())


def check_moment(moment: datetime, what: str = "the time") -> datetime:
    """Return the moment, or raise OutOfCalendar when it is outside the product's years."""
    if not moment_in_calendar(moment):
        raise OutOfCalendar(f"{what} must fall between {FIRST_DAY} and {LAST_DAY}, not {moment.isoformat()}")
    return moment


def is_day_text(text: str) -> bool:
    """Whether the text has the form YYYY-MM-DD, in ASCII digits (the only form days are written in)."""
    return bool(_DAY.fullmatch(text))


def parse_day(text: str | None, what: str = "the date") -> date:
    """Parse YYYY-MM-DD (that form only) into a day of the product's years, or raise InvalidRequest."""
    value = (text or "").strip()
    if not is_day_text(value):
        raise InvalidRequest(f"{what} must be a date like 2026-11-23, not {text!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"{what} must be a real date like 2026-11-23, not {text!r}") from None
    return check_day(day, what)
