"""Sending beside the request: work handed over after commit runs on the app's background worker.

A booking or a clerk's call only enqueues (ids and a time, no database objects); the worker reads,
claims and sends in an app context of its own, so a slow mail server never slows a request. With
ONEDOOR_NOTIFY_INLINE (the default under TESTING) the work runs at once, after the commit, in the
caller's context: tests see its effect without waiting for a thread. Each app has its own outbox
(`outbox_of(app)`): an app never sends from another app's database.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from flask import Flask, current_app

from ..extensions import db

log = logging.getLogger(__name__)
KEY = "onedoor.outbox"


class Outbox:
    """One app's queue of work to send, and the worker that sends it in that app's context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.work: queue.Queue = queue.Queue()
        self.started = False
        self.lock = threading.Lock()

    def inline(self) -> bool:
        return bool(self.app.config.get("ONEDOOR_NOTIFY_INLINE", self.app.config.get("TESTING")))

    def submit(self, fn: Callable, *args) -> None:
        """Run `fn(*args)` soon, never raising into the caller (the booking or call has happened)."""
        if self.inline():
            try:
                fn(*args)
            except Exception:  # noqa: BLE001 - a message must never fail what caused it
                log.exception("notification work %s failed; the scheduled job retries it", fn.__name__)
                db.session.rollback()
            return
        self.work.put((fn, args))
        if not self.started:
            with self.lock:
                if not self.started:
                    self.started = True
                    self.start()

    def start(self) -> None:
        """The worker, as the app's Socket.IO server runs its tasks (a thread, or a green one)."""
        self.app.extensions["socketio"].start_background_task(self.run)

    def run(self) -> None:
        while True:
            fn, args = self.work.get()
            with self.app.app_context():
                try:
                    fn(*args)
                except Exception:  # noqa: BLE001 - one failure must not stop later messages
                    log.exception("notification work %s failed; the scheduled job retries it", fn.__name__)
                finally:
                    db.session.remove()
                    self.work.task_done()


def init_app(app: Flask) -> None:
    app.extensions[KEY] = Outbox(app)


def outbox_of(app: Flask | None = None) -> Outbox:
    """The outbox of `app` (by default the current one)."""
    return (app or current_app).extensions[KEY]
