"""Where notifications join the services: after a booking commits, and after calls in a centre."""
from __future__ import annotations

import functools
import logging

from ..db import utcnow, writing

log = logging.getLogger(__name__)


def confirms(kind: str):
    """Decorate an `atomic` booking service: once it has committed, the visitor's confirmation
    (`kind`) is handed to the outbox. Nothing is sent when it raised (rolled back), nor when it
    ran inside a caller's transaction that has not committed yet."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            outermost = not writing.get()
            appointment = fn(*args, **kwargs)
            if outermost:
                _submit_confirmation(appointment.id, kind, kwargs.get("now"))
            return appointment

        return wrapper

    return decorate


def _submit_confirmation(appointment_id: int, kind: str, now) -> None:
    from .delivery import confirm
    from .outbox import outbox

    try:
        outbox.submit(confirm, appointment_id, kind, now or utcnow())
    except Exception:  # noqa: BLE001 - the booking stands; the job sends the confirmation later
        log.exception("could not hand over the confirmation of appointment %s", appointment_id)


def after_calls(committed) -> None:
    """Changes listener: after calls in a centre, look for waiting visitors whose turn is near."""
    from .delivery import near_turn
    from .outbox import outbox

    latest: dict[int, object] = {}
    for centre_id, call in committed.calls:
        at = call.called_at or utcnow()
        latest[centre_id] = max(at, latest.get(centre_id, at))
    for centre_id, at in latest.items():
        outbox.submit(near_turn, centre_id, at)
