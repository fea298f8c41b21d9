"""An appointment's life in plain Python: its statuses, the legal moves, when a visitor may check in."""
from __future__ import annotations

from datetime import datetime, timedelta

from .errors import DomainError, InvalidRequest

BOOKED = "booked"
CHECKED_IN = "checked_in"
CANCELLED = "cancelled"
MISSED = "missed"

STATUSES = (BOOKED, CHECKED_IN, CANCELLED, MISSED)
LIVE = frozenset({BOOKED, CHECKED_IN})  # statuses that hold a place in their slot

BOOK, RESCHEDULE, CANCEL, CHECK_IN, MISS = "book", "reschedule", "cancel", "check_in", "miss"

# (current status, action) -> next status; None is an appointment not yet booked. Anything absent
# is illegal.
TRANSITIONS = {
    (None, BOOK): BOOKED,
    (BOOKED, RESCHEDULE): BOOKED,
    (BOOKED, CANCEL): CANCELLED,
    (BOOKED, CHECK_IN): CHECKED_IN,
    (BOOKED, MISS): MISSED,  # the day closed and its check-in window passed (queue_app/jobs.py)
}
ACTIONS = frozenset(action for _, action in TRANSITIONS)


class AppointmentRefused(DomainError):
    """The appointment cannot be changed or checked in now (409); `code` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def refusal(current: str | None, what: str = "the appointment") -> AppointmentRefused:
    """Why nothing more can be done with an appointment in status `current`."""
    if current == CANCELLED:
        return AppointmentRefused("already_cancelled", f"{what} is already cancelled")
    if current == MISSED:
        return AppointmentRefused("missed", f"{what} was missed: please book a new one")
    return AppointmentRefused("already_checked_in", f"{what} is already checked in")


def next_status(current: str | None, action: str, what: str = "the appointment") -> str:
    """Return the status `action` leads to from `current`, or raise the refusal (409)."""
    if action not in ACTIONS:
        raise InvalidRequest(f"unknown action {action!r}")
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise refusal(current, what) from None


EARLY, ON_TIME, LATE = "too_early", "on_time", "too_late"


def check_in_window(start: datetime, now: datetime, early_min: float, late_min: float) -> str:
    """Whether a visitor arriving `now` for a slot starting at `start` may check in.

    From `early_min` before the start up to `late_min` after it; earlier is too early (come back),
    later is too late (the slot is gone: a walk-in ticket instead).
    """
    if now < start - timedelta(minutes=early_min):
        return EARLY
    if now > start + timedelta(minutes=late_min):
        return LATE
    return ON_TIME
