"""Who may call what (SPEC §9): the caller and their role, checked before a view runs.

What the caller may do to a counter or a ticket is decided by the service, on the rows it locks;
views pass the caller on as `by=actor()`.
"""
from __future__ import annotations

import functools

from flask import request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..auth import Principal, current_principal
from ..domain.access import Actor
from ..domain.errors import Forbidden, Unauthorized
from ..models import Centre
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


def actor() -> Actor:
    """The authenticated caller as the services are told of them."""
    return caller().actor


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
    """For reads: 403 unless the caller works at (or is a device of) this centre; admins everywhere."""
    principal = caller()
    if not principal.covers(centre.id):
        raise Forbidden(f"{principal.name} does not act at centre {centre.code}")
