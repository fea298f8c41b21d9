"""What the staff and device pages share: the signed-in actor, a refusal shown beside its fields, and
a secret (a first password, a device token) handed from the form's POST to the one page that shows it."""
from __future__ import annotations

from flask import session
from flask_login import current_user

from ..domain.access import Actor
from ..domain.errors import DomainError
from ..refusals import http_status, refusal_text
from ..services.access import actor_of

SECRET = "admin_secret"


def by() -> Actor:
    """The signed-in person as the services' `by`."""
    return actor_of(current_user._get_current_object())


def keep_secret(kind: str, key: str, **values) -> None:
    """Hold a secret for the next page about `key` only (read and forgotten by `take_secret`)."""
    session[SECRET] = {"kind": kind, "key": key, **values}


def take_secret(kind: str, key: str) -> dict | None:
    """The secret held for this page, forgotten as it is read: a reload shows it no more."""
    held = session.get(SECRET)
    if not held or held.get("kind") != kind or held.get("key") != key:
        return None
    session.pop(SECRET)
    return held


def refusal(exc: DomainError) -> tuple[dict, dict, int]:
    """A service's refusal for a form: the summary, the messages per field, the HTTP status."""
    fields = {k: str(v) for k, v in (exc.details or {}).get("fields", {}).items()}
    return {"text": refusal_text(exc.code), "message": exc.message}, fields, http_status(exc)
