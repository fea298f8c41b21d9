"""Bookable slots: a centre's real capacity for a service, minus what is booked and kept for walk-ins.

A service's slots are its duration long, laid end to end from the day's opening time; a slot that
would run past closing is not offered, nor one with no place online. Each slot's places come from
the day's roster: the clerk-minutes of the skill on duty in it, less the walk-in share, with the
fractions carried across the day (the rule and a worked example: domain/capacity.py).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .errors import DomainError, InvalidRequest
from .hours import Span

# Reasons a start time is not a bookable slot (the `code` of the 422 refusal).
IN_THE_PAST, TOO_SOON, CLOSED_DAY, OUTSIDE_HOURS, BEYOND_HORIZON, NOT_A_SLOT = (
    "in_the_past", "too_soon", "closed_day", "outside_hours", "beyond_horizon", "not_a_slot")


class NotASlot(InvalidRequest):
    """A start time that is not one of the bookable slots; `code` says why (422)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class SlotFull(DomainError):
    code = "slot_full"


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, in the centre's timezone
    end: datetime
    available: int  # places still free


@dataclass(frozen=True)
class Window:
    """When booking is allowed: not before now + notice, not after the horizon's last local day."""

    now: datetime
    notice: timedelta = timedelta(0)
    horizon_days: int = 30

    def last_day(self, tz: ZoneInfo) -> date:
        return self.now.astimezone(tz).date() + timedelta(days=self.horizon_days)


def slot_grid(day: date, span: Span | None, tz: ZoneInfo, length: timedelta) -> list[tuple[datetime, datetime]]:
    """Return the (start, end) of every slot of a local day, aware in `tz`; none on a closed day.

    Slots follow the wall clock from the opening time; a start that does not exist on the wall
    clock (a daylight-saving gap) is skipped.
    """
    if span is None or length <= timedelta(0):
        return []
    opens, closes = span
    first = datetime.combine(day, opens)
    last = datetime.combine(day + timedelta(days=1), time(0)) if closes is None else datetime.combine(day, closes)
    grid = []
    start = first
    while start + length <= last:
        aware = start.replace(tzinfo=tz)
        if aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) == start:
            grid.append((aware, (start + length).replace(tzinfo=tz)))
        start += length
    return grid


def free_slots(
    day: date, span: Span | None, tz: ZoneInfo, length: timedelta, places: int | Sequence[int],
    booked: Mapping[datetime, int], window: Window,
) -> list[Slot]:
    """Return the day's bookable slots with their free places (0 when full).

    `places`: each slot's places online, in the order of `slot_grid` (an int: the same for all).
    None on a closed day or beyond the horizon; a slot with no place online is left out, and so
    are slots starting before now + notice. `booked` counts live bookings by start.
    """
    if day > window.last_day(tz):
        return []
    grid = slot_grid(day, span, tz, length)
    each = [places] * len(grid) if isinstance(places, int) else list(places)
    earliest = window.now + window.notice
    counts = {k.astimezone(timezone.utc): v for k, v in booked.items()}
    return [
        Slot(start, end, max(0, n - counts.get(start.astimezone(timezone.utc), 0)))
        for (start, end), n in zip(grid, each)
        if n > 0 and start >= earliest
    ]


def why_not_a_slot(
    start: datetime, span: Span | None, tz: ZoneInfo, length: timedelta, window: Window,
) -> NotASlot | None:
    """Return why `start` (aware) cannot be booked — past, too soon, closed day, outside hours,
    beyond the horizon, off the slot grid — or None when it is a slot (free places aside)."""
    local = start.astimezone(tz)
    day = local.date()
    when = f"{local:%Y-%m-%d %H:%M} ({tz.key})"
    if start <= window.now:
        return NotASlot(IN_THE_PAST, f"{when} has already passed")
    if start < window.now + window.notice:
        minutes = int(window.notice.total_seconds() // 60)
        return NotASlot(TOO_SOON, f"{when} is too soon: book at least {minutes} minutes ahead")
    if day > window.last_day(tz):
        return NotASlot(BEYOND_HORIZON, f"{when} is too far ahead: bookings open {window.horizon_days} days "
                                        f"in advance (until {window.last_day(tz)})")
    if span is None:
        return NotASlot(CLOSED_DAY, f"the centre is closed on {day}")
    grid = slot_grid(day, span, tz, length)
    if not any(s == local for s, _ in grid):
        opens, closes = span
        hours = f"{opens:%H:%M}-{'24:00' if closes is None else f'{closes:%H:%M}'}"
        inside = grid and grid[0][0] <= local < grid[-1][1]
        if not inside:
            return NotASlot(OUTSIDE_HOURS, f"{when} is outside the slots of the day's opening hours ({hours})")
        minutes = int(length.total_seconds() // 60)
        return NotASlot(NOT_A_SLOT, f"{when} is not a slot start: slots are {minutes} minutes long from "
                                    f"{opens:%H:%M}")
    return None


MAX_STEP_GAP = timedelta(minutes=15)  # the longest a booked visit's next step may wait for its slot


def chain(first: Slot, later: Sequence[Sequence[Slot]], max_gap: timedelta = MAX_STEP_GAP) -> list[Slot] | None:
    """A visit's slots from `first`, one per later service: for each, its earliest slot with a free
    place that starts no sooner than the previous one ends and at most `max_gap` after; None when
    a service has no such slot (the visit does not fit from `first`)."""
    if first.available <= 0:
        return None
    steps = [first]
    for slots in later:
        after = steps[-1].end
        nxt = next((s for s in slots if s.available > 0 and after <= s.start <= after + max_gap), None)
        if nxt is None:
            return None
        steps.append(nxt)
    return steps
