"""What the staff and device pages share: the signed-in actor, a refusal shown beside its fields, and
a secret (a first password, a device token) handed from the form's POST to the one page that shows it."""
from __future__ import annotations

import base64

from flask import session
from flask_login import current_user

from ..domain.access import Actor
from ..domain.errors import DomainError
from ..refusals import http_status, refusal_text
from ..services import handoffs
from ..services.access import actor_of

SECRET = "admin_secret"


def by() -> Actor:
    """The signed-in person as the services' `by`."""
    return actor_of(current_user._get_current_object())


def is_admin() -> bool:
    """Whether the signed-in person is an admin (the catalogue, roles and policy are theirs)."""
    return current_user.role == "admin"


def keep_secret(kind: str, key: str, **values) -> None:
    """Hold a secret for the next page about `key` only (read and forgotten by `take_secret`): sealed
    in the database, its one-time pad in the session (services/handoffs.py)."""
    handoff_id, pad = handoffs.hold(current_user.id, kind, key, values)
    session[SECRET] = {"id": handoff_id, "pad": base64.b64encode(pad).decode()}


def take_secret(kind: str, key: str) -> dict | None:
    """The secret held for this page, forgotten as it is read: a reload shows it no more."""
    held = session.get(SECRET)
    if not isinstance(held, dict) or not isinstance(held.get("id"), str) or not isinstance(held.get("pad"), str):
        return None
    try:
        pad = base64.b64decode(held["pad"], validate=True)
    except ValueError:
        return None
    values = handoffs.take(current_user.id, held["id"], pad, kind, key)
    if values is not None:
        session.pop(SECRET)
    return values


def refusal(exc: DomainError) -> tuple[dict, dict, int]:
    """A service's refusal for a form: the summary, the messages per field, the HTTP status."""
    fields = {k: str(v) for k, v in (exc.details or {}).get("fields", {}).items()}
    return {"text": refusal_text(exc.code), "message": exc.message}, fields, http_status(exc)
