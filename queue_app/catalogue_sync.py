"""Every server process keeps up with what the others commit: the network's set-up and the queues.

A process caches what the administration changes (services, hours, policy: services/lookup.py) for
up to CACHE_SECONDS, and keeps each centre's waiting tickets it has read (services/waiting.py). With
several processes behind one message queue (docs/deploy), the process that commits a change tells
the others on the queue's Redis, on a channel of its own beside the Socket.IO one: each forgets its
cached catalogue at once (and the tokens it verified, when a staff member, device or token changed:
auth.py), and a queue it keeps one version behind takes the commit's moved tickets
(read again at its next use) instead of reading the centre's queue again in full. One process
alone needs none of this: its own commits do both (services/changes.deliver, waiting._note).
"""
from __future__ import annotations

import json
import logging
import uuid

import redis

from .auth import forget_verified
from .services import changes
from .services import waiting
from .services.lookup import forget_catalogue

KEY = "onedoor.catalogue_sync"
RETRY_SECONDS = 1.0
log = logging.getLogger(__name__)


def init_app(app) -> None:
    """Listen for, and announce, set-up changes and queue moves on the app's message queue (if it is Redis)."""
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
        if committed.catalogue or committed.queues or committed.people:
            self.client.publish(self.channel, json.dumps({
                "from": self.origin, "catalogue": committed.catalogue, "people": committed.people,
                "queues": [[centre, version, sorted(moved)] for centre, version, moved in committed.queues],
            }))

    def hear(self, data: bytes) -> None:
        """Take another process's announcement (this process's own are ignored)."""
        try:
            message = json.loads(data)
        except ValueError:  # a process of an earlier release announces a set-up change so
            message = {"from": data.decode(errors="replace"), "catalogue": True, "people": True, "queues": []}
        if message.get("from") == self.origin:
            return
        with self.app.app_context():
            if message.get("catalogue"):
                forget_catalogue()
            if message.get("people"):
                forget_verified()
            waiting.heard((centre, version, frozenset(moved)) for centre, version, moved in message.get("queues", ()))

    def listen(self) -> None:
        while True:
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    self.hear(message["data"])
            except redis.RedisError:
                log.warning("the set-up's channel on the message queue failed; listening again", exc_info=True)
                self.app.extensions["socketio"].sleep(RETRY_SECONDS)
