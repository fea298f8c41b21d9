"""Where notifications join the services: a listener to each commit of the app's changes."""
from __future__ import annotations

from ..db import utcnow
from ..domain.appointments import BOOK, RESCHEDULE
from ..services import changes
from .messages import CONFIRMATION, RESCHEDULED

KINDS = {BOOK: CONFIRMATION, RESCHEDULE: RESCHEDULED}


def after_commit(committed: changes.Changes) -> None:
    """Changes listener: confirm each appointment booked or moved, then, after calls in a centre,
    look for waiting visitors whose turn is near. The work goes to the app's outbox, which never
    raises into the caller: the booking or the call has happened."""
    from .delivery import confirm, near_turn
    from .outbox import outbox_of

    outbox = outbox_of()
    for appointment_id, action, at in committed.appointments:
        outbox.submit(confirm, appointment_id, KINDS[action], at)
    latest: dict[int, object] = {}
    for centre_id, call in committed.calls:
        at = call.called_at or utcnow()
        latest[centre_id] = max(at, latest.get(centre_id, at))
    for centre_id, at in latest.items():
        outbox.submit(near_turn, centre_id, at)
