"""The month calendar of a centre's page: each day of the month's weeks with what the centre does
that day (a holiday, other hours, closed by its weekly hours, or open)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ..domain.hours import CLOSED, format_span


@dataclass(frozen=True)
class Cell:
    """One day of the grid: `kind` is holiday, short, closed or open; `hours` as the network file writes them."""

    day: date
    in_month: bool
    kind: str
    hours: str
    note: str | None
    past: bool
    today: bool


def chosen_month(typed: str | None, today: date) -> date:
    """The first day of the ?month=YYYY-MM asked for; this month when none or no month is asked."""
    try:
        return date.fromisoformat(f"{typed}-01") if typed else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def neighbours(month: date) -> tuple[date, date]:
    """The first days of the months before and after `month`."""
    return (month - timedelta(days=1)).replace(day=1), (month + timedelta(days=31)).replace(day=1)


def month_grid(centre, month: date, today: date, exceptions: dict) -> list[list[Cell]]:
    """The weeks (Monday first) that hold `month`, each day with the centre's hours that day."""
    hours = centre.opening_hours
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        row = []
        for day in week:
            found = exceptions.get(day.isoformat())
            span = format_span(hours.span_on(day))
            kind = ("holiday" if span == CLOSED else "short") if found else ("closed" if span == CLOSED else "open")
            row.append(Cell(day, day.month == month.month, kind, span, (found or {}).get("note"), day < today,
                            day == today))
        weeks.append(row)
    return weeks
