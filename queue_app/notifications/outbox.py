"""Sending beside the request: work handed over after commit runs on one background worker.

A booking or a clerk's call only enqueues (ids and a time, no database objects); the worker reads,
claims and sends in an app context of its own, so a slow mail server never slows a request. With
ONEDOOR_NOTIFY_INLINE (the default under TESTING) the work runs at once, after the commit, in the
caller's context: tests see its effect without waiting for a thread.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from flask import current_app, has_app_context

from ..extensions import db, socketio

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self) -> None:
        self.app = None
        self.work: queue.Queue = queue.Queue()
        self.started = False
        self.lock = threading.Lock()

    def init_app(self, app) -> None:
        self.app = app

    @staticmethod
    def inline(app) -> bool:
        return bool(app.config.get("ONEDOOR_NOTIFY_INLINE", app.config.get("TESTING")))

    def submit(self, fn: Callable, *args) -> None:
        """Run `fn(*args)` soon, never raising into the caller (the booking or call has happened)."""
        app = current_app._get_current_object() if has_app_context() else self.app
        if self.inline(app):
            try:
                fn(*args)
            except Exception:  # noqa: BLE001 - a message must never fail what caused it
                log.exception("notification work %s failed; the scheduled job retries it", fn.__name__)
                db.session.rollback()
            return
        self.work.put((app, fn, args))
        if not self.started:
            with self.lock:
                if not self.started:
                    self.started = True
                    socketio.start_background_task(self.run)

    def run(self) -> None:
        while True:
            app, fn, args = self.work.get()
            with app.app_context():
                try:
                    fn(*args)
                except Exception:  # noqa: BLE001 - one failure must not stop later messages
                    log.exception("notification work %s failed; the scheduled job retries it", fn.__name__)
                finally:
                    db.session.remove()
                    self.work.task_done()


outbox = Outbox()
