"""The counter page's live feed: the /counter Socket.IO namespace (SPEC §6)."""
from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace
from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Counter
from queue_app.namespaces import enter, principal, refusing_on_failure, serve
from queue_app.realtime import centre_room, counter_room
from queue_app.services import screens

from . import bp


class CounterNamespace(Namespace):
    """A clerk's counter page: its own counter's state and the queue for its skills."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        caller = principal(auth)
        code = request.args.get("counter", "")
        counter = None if "\x00" in code else db.session.scalar(select(Counter).where(Counter.code == code))
        if counter is None:
            raise ConnectionRefusedError(f"not_found: no counter {code!r} (give ?counter=CODE)")
        if caller.staff is None or not caller.covers(counter.centre_id):
            raise ConnectionRefusedError(f"forbidden: staff of {counter.centre.code} only")
        enter(centre_room(counter.centre_id))
        enter(counter_room(counter.id))
        self.emit("state", screens.counter_state(counter), room=request.sid)


serve(bp, CounterNamespace, "/counter")
