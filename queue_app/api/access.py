"""Who may call what: roles and centre scoping of SPEC §9, checked before a view runs."""
from __future__ import annotations

import functools

from flask import request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..auth import Principal, current_principal
from ..domain.errors import Forbidden, Unauthorized
from ..models import Centre, Counter, Ticket
from .blueprint import Blueprint

STAFF = ("admin", "manager", "clerk")
SECURITY = [{"bearerAuth": []}, {"cookieAuth": []}]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def caller() -> Principal:
    """The authenticated caller, or 401 naming what was missing."""
    principal = current_principal()
    if principal is None:
        if request.environ.get("onedoor.bad_token"):
            raise Unauthorized("the bearer token is unknown, expired or revoked")
        raise Unauthorized("sign in: send Authorization: Bearer <token> or use the login session")
    if principal.via_session and request.method in UNSAFE:
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (ValidationError, CSRFError):
            raise Forbidden("a request made with the login session needs a valid X-CSRFToken header") from None
    return principal


def require(*roles: str):
    """Let only callers with one of `roles` (admin, manager, clerk, kiosk, display) through."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = caller()
            if principal.role not in roles:
                raise Forbidden(f"a {principal.role} may not do this (allowed: {', '.join(roles)})")
            return view(*args, **kwargs)

        return Blueprint.doc(security=SECURITY)(wrapper)

    return decorator


def ensure_centre(centre: Centre) -> None:
    """403 unless the caller works at (or is a device of) this centre; admins everywhere."""
    principal = caller()
    if not principal.covers(centre.id):
        raise Forbidden(f"{principal.name} does not act at centre {centre.code}")


def ensure_counter(counter: Counter, *, opening: bool = False) -> None:
    """A clerk acts at their own open counter (any closed one of their centre to open it);
    managers of the centre and admins at any counter there."""
    ensure_centre(counter.centre)
    principal = caller()
    if principal.role != "clerk" or opening:
        return
    if counter.staff_id != principal.staff.id:
        raise Forbidden(f"counter {counter.code} is not open for {principal.name}")


def ensure_ticket(ticket: Ticket) -> None:
    """Staff act on a ticket of their centre; a clerk only on one at their own counter."""
    ensure_centre(ticket.centre)
    principal = caller()
    if principal.role == "clerk" and ticket.staff_id != principal.staff.id:
        raise Forbidden(f"ticket {ticket.number} is not at {principal.name}'s counter")
