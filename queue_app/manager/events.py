"""The dashboard's live feed: the /manager Socket.IO namespace (SPEC §6)."""
from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace

from ..namespaces import centre_arg, enter, principal, refusing_on_failure, serve
from ..realtime import centre_room
from ..services import screens
from . import MANAGERS, bp


class ManagerNamespace(Namespace):
    """Managers of a centre (and admins): live indicators and alerts."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        caller = principal(auth)
        centre = centre_arg()
        if caller.staff is None or caller.role not in MANAGERS or not caller.covers(centre.id):
            raise ConnectionRefusedError(f"forbidden: managers of {centre.code} only")
        enter(centre_room(centre.id))
        self.emit("state", screens.manager_state(centre), room=request.sid)


serve(bp, ManagerNamespace, "/manager")
