"""Joining today's queue from home: who may, and when (plain rules, no database).

A remote ticket is a walk-in ticket taken before the visitor arrives, so it is only given when the
visitor could come in time: the centre is open now, the service is served now, the wait is short
enough that the place is not held for hours (the arrival cap), and the centre will not close first.
Each phone holds a limited number of live remote tickets per centre day.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import DomainError, InvalidRequest
from .text import e164

LIVE = ("waiting", "called", "serving")  # statuses that hold a place in the queue


@dataclass(frozen=True)
class RemoteRules:
    """The [remote] section of config.toml."""

    enabled: bool = True
    per_phone_per_day: int = 1
    max_ahead_min: float = 90

    @classmethod
    def of(cls, setting: dict) -> RemoteRules:
        known = {k: setting[k] for k in ("enabled", "per_phone_per_day", "max_ahead_min") if k in setting}
        return cls(**known)


class RemoteRefused(DomainError):
    """A remote join the rules refuse; `code` says why (409)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def normalise_phone(text: str | None) -> str:
    """Return the phone number in E.164 form, or raise InvalidRequest (422)."""
    if not text or not text.strip():
        raise InvalidRequest("a phone number is needed to join the queue from home", code="phone_required")
    if len(text) > 32:
        raise InvalidRequest("not a phone number; write it in international form, e.g. +34 612 345 678",
                             code="bad_phone")
    return e164(text)


def why_not_join(
    rules: RemoteRules,
    *,
    open_now: bool,
    live_for_phone: int,
    wait_min: float | None,
    minutes_to_closing: float | None,
) -> RemoteRefused | None:
    """Return why a remote ticket cannot be taken now, or None when it can.

    `wait_min` is the estimated wait a newcomer to the service would get (None: no open counter
    serves it); `minutes_to_closing` is the time left before today's closing (None: never closes).
    """
    if not rules.enabled:
        return RemoteRefused("remote_disabled",
                             "joining the queue from home is not offered; take a ticket at the centre")
    if not open_now:
        return RemoteRefused("centre_closed", "the centre is closed now; join the queue from home during opening hours")
    if live_for_phone >= rules.per_phone_per_day:
        return RemoteRefused(
            "phone_limit",
            f"this phone number already holds {live_for_phone} ticket(s) in today's queue at this centre "
            f"(at most {rules.per_phone_per_day})",
        )
    if wait_min is None:
        return RemoteRefused("not_served_now",
                             "no counter serves this service right now; come later or book an appointment")
    if wait_min > rules.max_ahead_min:
        return RemoteRefused(
            "too_far_ahead",
            f"the estimated wait ({round(wait_min)} min) is longer than {round(rules.max_ahead_min)} min: "
            "come later, or book an appointment",
        )
    if minutes_to_closing is not None and wait_min >= minutes_to_closing:
        return RemoteRefused("closes_too_soon", "the centre closes before your turn would come; book an appointment")
    return None
