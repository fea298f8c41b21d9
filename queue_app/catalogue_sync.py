"""Every server process forgets its cached catalogue when another one changes the network's set-up.

A process caches what the administration changes (services, hours, policy: services/lookup.py) for
up to CACHE_SECONDS. With several processes behind one message queue (docs/deploy), the process
that commits a change tells the others on the queue's Redis, on a channel of its own beside the
Socket.IO one, and each forgets its cache at once. One process alone needs none of this: the
commit itself clears its cache (services/changes.deliver).
"""
from __future__ import annotations

import logging
import uuid

import redis

from .services import changes
from .services.lookup import forget_catalogue

KEY = "onedoor.catalogue_sync"
RETRY_SECONDS = 1.0
log = logging.getLogger(__name__)


def init_app(app) -> None:
    """Listen for, and announce, set-up changes on the app's message queue (if it is Redis)."""
    url = app.config["ONEDOOR_MESSAGE_QUEUE"]
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return
    sync = CatalogueSync(app, url, f"{app.config['ONEDOOR_MESSAGE_CHANNEL']}:catalogue")
    app.extensions[KEY] = sync
    changes.listen(app, sync.announce)
    app.extensions["socketio"].start_background_task(sync.listen)


class CatalogueSync:
    def __init__(self, app, url: str, channel: str) -> None:
        self.app = app
        self.channel = channel
        self.origin = uuid.uuid4().hex  # a process ignores its own announcements
        self.client = redis.Redis.from_url(url)

    def announce(self, committed: changes.Changes) -> None:
        if committed.catalogue:
            self.client.publish(self.channel, self.origin)

    def listen(self) -> None:
        while True:
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    if message["data"].decode() != self.origin:
                        with self.app.app_context():
                            forget_catalogue()
            except redis.RedisError:
                log.warning("the catalogue's channel on the message queue failed; listening again", exc_info=True)
                self.app.extensions["socketio"].sleep(RETRY_SECONDS)
