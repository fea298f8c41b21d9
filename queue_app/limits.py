"""Every per-client rate limit, in one place: the API and the pages decorate their views from here,
and a scope shared between faces (booking, joining from home) is one allowance wherever it is spent.

The limits themselves are configuration (ONEDOOR_*_RATE_LIMIT), read when a request is counted.
"""
from __future__ import annotations

from flask import current_app

from .extensions import limiter

BOOKING_SCOPE = "booking"
REMOTE_SCOPE = "remote-join"


def _configured(key: str):
    return lambda: current_app.config[key]


PUBLIC_LIMIT = _configured("ONEDOOR_PUBLIC_RATE_LIMIT")  # public reads and code look-ups
LOGIN_LIMIT = _configured("ONEDOOR_LOGIN_RATE_LIMIT")  # sign-ins, against password guessing
BOOKING_LIMIT = _configured("ONEDOOR_BOOKING_RATE_LIMIT")
REMOTE_LIMIT = _configured("ONEDOOR_REMOTE_RATE_LIMIT")


def booking_limit():
    """Decorate a view that creates or moves an appointment: one per-client budget
    (ONEDOOR_BOOKING_RATE_LIMIT) shared by the API and the booking pages, against slot hoarding.
    Only what succeeded counts, so a typo or a slot taken meanwhile costs nothing."""
    return limiter.shared_limit(BOOKING_LIMIT, scope=BOOKING_SCOPE, methods=["POST"],
                                deduct_when=lambda response: response.status_code < 400)


def counts_against_limit(response) -> bool:
    """The per-client allowance of joins from home: a mistyped request (422) costs nothing; every
    join that reached the queue's rules counts, taken or refused."""
    return response.status_code != 422


def remote_limit(**options):
    """Decorate a view that joins the queue from home: one per-client allowance
    (ONEDOOR_REMOTE_RATE_LIMIT) shared by the API and the /join page."""
    return limiter.shared_limit(REMOTE_LIMIT, scope=REMOTE_SCOPE, deduct_when=counts_against_limit, **options)
