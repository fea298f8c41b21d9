"""The visitor's status page, live: the /ticket Socket.IO namespace (SPEC §6)."""
from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace

from ..domain.errors import NotFound
from ..namespaces import enter, refusing_on_failure, serve
from ..realtime import ticket_room
from ..services import screens
from ..services.reading import visit_rows_by_token
from . import bp


class TicketNamespace(Namespace):
    """A visitor's status page: the ticket token is the credential (in the connect `auth` payload,
    which no access log records; `?token=` is still accepted)."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        token = token if isinstance(token, str) and token else request.args.get("token", "")
        try:
            rows = None if "\x00" in token else visit_rows_by_token(token)  # last: the step it is at now
        except NotFound:
            rows = None
        if not rows:
            raise ConnectionRefusedError("not_found: no ticket with that token")
        enter(ticket_room(rows[-1].visit_key))  # after a transfer: the ticket it became
        self.emit("ticket_status", screens.rows_payload(rows), room=request.sid)


serve(bp, TicketNamespace, "/ticket")
