"""What every face's Socket.IO namespace does on connect (SPEC §6): who is connecting, which centre
they ask for, joining rooms, and refusing, never hanging, when something fails.

Each face owns its namespace (display/events.py, counter/events.py, manager/events.py,
pages/events.py) and has its app serve it with `serve`.
"""
from __future__ import annotations

import functools
import logging
import threading

from flask import current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from sqlalchemy import select

from .auth import Principal, principal_for_token
from .extensions import db
from .models import Centre
from .realtime import notifier_of

log = logging.getLogger(__name__)
CONNECTED = "onedoor.connected_devices"


class ConnectedDevices:
    """The kiosks and displays with a socket open on this process (session id → device id): a
    display sits on one socket for hours without showing its token over HTTP, so a periodic job
    (jobs.note_connected) notes these as seen. Touched once at connect and once at disconnect."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_sid: dict[str, int] = {}

    def add(self, sid: str, device_id: int) -> None:
        with self._lock:
            self._by_sid[sid] = device_id

    def discard(self, sid: str) -> None:
        with self._lock:
            self._by_sid.pop(sid, None)

    def ids(self) -> set[int]:
        """The devices connected now."""
        with self._lock:
            return set(self._by_sid.values())


def connected_devices(app=None) -> ConnectedDevices:
    """The devices connected to `app` (else the app in context) in this process."""
    return (app or current_app).extensions.setdefault(CONNECTED, ConnectedDevices())


def serve(bp, namespace_class, path: str) -> None:
    """Once `bp` is registered on an app, that app's own Socket.IO server serves `namespace_class`
    at `path` (a namespace object belongs to one server, so each app gets its own)."""
    bp.record_once(lambda state: state.app.extensions["socketio"].on_namespace(namespace_class(path)))


def enter(room: str) -> None:
    join_room(room)
    notifier_of().joined(request.namespace, room)


def principal(auth) -> Principal:
    """The connecting client: the token in the connect `auth` payload, else the staff member signed
    in on the page that opened the socket (its session cookie travels with the handshake)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if isinstance(token, str) and token and "\x00" not in token:
        found = principal_for_token(token)
    elif not token and current_user.is_authenticated:
        found = Principal.of(current_user._get_current_object(), via_session=True)
    else:
        found = None
    if found is None:
        raise ConnectionRefusedError("unauthorized: send {\"token\": ...} in the connect auth payload")
    return found


def centre_arg() -> Centre:
    """The active centre the query string names (`?centre=CODE`)."""
    code = request.args.get("centre", "")
    centre = None if "\x00" in code else db.session.scalar(select(Centre).where(Centre.code == code, Centre.active.is_(True)))
    if centre is None:
        raise ConnectionRefusedError(f"not_found: no centre {code!r} (give ?centre=CODE)")
    return centre


def refusing_on_failure(on_connect):
    """A connect handler that fails unexpectedly (the database gone for a moment, a bug) refuses
    the connection with a reason instead: otherwise the client hears neither yes nor no and hangs
    until its own timeout. The screens retry a refused connection by themselves."""

    @functools.wraps(on_connect)
    def guarded(self, auth=None):
        try:
            return on_connect(self, auth)
        except ConnectionRefusedError:
            raise
        except Exception:  # noqa: BLE001 - logged, and the client is told
            log.exception("connecting a client to %s failed", request.namespace)
            db.session.rollback()
            raise ConnectionRefusedError("unavailable: the server could not connect this screen now; retry") from None

    return guarded
