"""The display's live feed: the /display Socket.IO namespace, for a centre's waiting-room screens
and kiosks (SPEC §6)."""
from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, rooms

from queue_app.namespaces import centre_arg, connected_devices, enter, principal, refusing_on_failure, serve
from queue_app.realtime import centre_room
from queue_app.services import screens

from . import bp


class DisplayNamespace(Namespace):
    """Waiting-room screens (display devices) and kiosks, per centre."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        caller = principal(auth)
        centre = centre_arg()
        if caller.device is None or not caller.covers(centre.id):
            raise ConnectionRefusedError(f"forbidden: only {centre.code}'s displays and kiosks")
        enter(centre_room(centre.id))
        connected_devices().add(request.sid, caller.device.id)
        self.emit("state", screens.display_state(centre), room=request.sid)

    def on_disconnect(self, reason=None):
        connected_devices().discard(request.sid)

    def on_state(self, _=None):
        """A screen asks for a fresh snapshot (it does so when the centre opens or closes by its
        clock): answered only to a screen let into the centre's room at connect."""
        try:
            centre = centre_arg()
        except ConnectionRefusedError:  # the centre was deactivated meanwhile: nothing to say
            return
        if centre_room(centre.id) in rooms():
            self.emit("state", screens.display_state(centre), room=request.sid)


serve(bp, DisplayNamespace, "/display")
