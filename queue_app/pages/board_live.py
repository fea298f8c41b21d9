"""The public board, live: the /board Socket.IO namespace and its pusher (SPEC §6).

Visitors need no credentials and join one room. A commit only marks its centres; every PUSH_SECONDS
one background task recomputes each marked centre once and sends its figures to the room, so the cost
is one computation per centre per few seconds however many visitors watch (Socket.IO fans the message
out). Waits also grow and centres open with no commit: every REFRESH_SECONDS all centres are pushed.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import current_app, request
from flask_socketio import Namespace
from sqlalchemy import select

from ..db import utcnow
from ..extensions import db
from ..models import Centre
from ..namespaces import enter, refusing_on_failure, serve
from ..realtime import notifier_of
from ..services import changes
from ..services.board import board, centre_figures
from . import bp

NAMESPACE, ROOM = "/board", "board"
PUSH_SECONDS = 3.0  # at most one push per centre this often
REFRESH_SECONDS = 60.0
KEY = "onedoor.board_pusher"
log = logging.getLogger(__name__)


class BoardNamespace(Namespace):
    """The board's pages: anyone may listen; on connect, every centre's figures at once."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        enter(ROOM)
        pusher_of(current_app._get_current_object()).start()
        self.emit("centres", board(), room=request.sid)


class BoardPusher:
    """Collects the centres whose figures changed and pushes each at most every PUSH_SECONDS."""

    def __init__(self, app) -> None:
        self.app = app
        self.socketio = app.extensions["socketio"]
        self.dirty: set[int] = set()
        self.lock = threading.Lock()
        self.started = False
        self.refreshed = time.monotonic()

    def __call__(self, committed: changes.Changes) -> None:
        if committed.catalogue:
            self.refreshed = 0.0  # names, hours, districts: push every centre at the next tick
        with self.lock:
            self.dirty |= committed.centres()

    def start(self) -> None:
        with self.lock:
            if self.started:
                return
            self.started = True
        self.socketio.start_background_task(self.run)

    def run(self) -> None:
        while True:
            self.socketio.sleep(PUSH_SECONDS)
            with self.lock:
                marked, self.dirty = self.dirty, set()
            if not notifier_of(self.app).listening(NAMESPACE, ROOM):
                continue  # nobody watches: whoever connects gets a fresh snapshot
            with self.app.app_context():
                try:
                    self.push(marked)
                except Exception:  # noqa: BLE001 - one bad round must not stop the board
                    log.exception("pushing the public board failed")
                finally:
                    db.session.remove()

    def push(self, marked: set[int]) -> None:
        query = select(Centre).where(Centre.active.is_(True))
        if time.monotonic() - self.refreshed >= REFRESH_SECONDS:
            self.refreshed = time.monotonic()
        elif marked:
            query = query.where(Centre.id.in_(marked))
        else:
            return
        now = utcnow()
        notifier = notifier_of(self.app)
        for centre in db.session.scalars(query):
            notifier.send("centre", centre_figures(centre, now), NAMESPACE, ROOM, key=centre.code)


def pusher_of(app) -> BoardPusher:
    """The board's pusher of `app`, hearing its commits from the first call on."""
    pusher = app.extensions.get(KEY)
    if pusher is None:
        pusher = app.extensions[KEY] = BoardPusher(app)
        changes.listen(app, pusher)
    return pusher


bp.record_once(lambda state: pusher_of(state.app))
serve(bp, BoardNamespace, NAMESPACE)
