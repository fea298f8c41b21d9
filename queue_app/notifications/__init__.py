"""Messages to visitors: booking confirmations, day-before reminders, "your turn is near".

`senders` is the one interface with its backends (log://, smtp://, a recording fake); `messages`
renders each message in the visitor's language; `delivery` claims, sends and retries, once;
`outbox` runs the sending beside the request, one per app; `hooks` listens to the services' commits.
"""
from __future__ import annotations


def init_app(app) -> None:
    """Choose the backend from ONEDOOR_NOTIFY, give the app its outbox, and listen for its
    committed bookings and calls."""
    from ..services import changes
    from .hooks import after_commit
    from .outbox import init_app as init_outbox
    from .senders import sender_for

    app.extensions["onedoor_sender"] = sender_for(app.config.get("ONEDOOR_NOTIFY", "log://"))
    init_outbox(app)
    changes.listen(app, after_commit)


def use_sender(app, sender):
    """Swap the backend (tests, or a deployment's own gateway); return the one it replaces."""
    previous = app.extensions.get("onedoor_sender")
    app.extensions["onedoor_sender"] = sender
    return previous
