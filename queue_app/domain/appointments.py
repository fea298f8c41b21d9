"""Appointments in plain Python: when a booked visitor may check in."""
from __future__ import annotations

from datetime import datetime, timedelta

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
