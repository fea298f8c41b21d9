"""Real-time screens (SPEC §6): the notifier and its fan-out, and the rooms screens join.

Each app has its own Socket.IO server (create_app builds it) and its own notifier, which hears that
app's committed changes only (services/changes.py) and sends each screen what it shows
(services/screens.py), so no screen refetches after an event. Each face owns its namespace
(display/events.py, counter/events.py, manager/events.py, pages/events.py): it checks credentials
on connect, joins the caller to its rooms (`enter`, queue_app/namespaces.py) and sends a full
snapshot, so a screen that reconnects is right at once.
"""
from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import OrderedDict

import simple_websocket.ws
import socketio
from flask import current_app
from sqlalchemy import select
from wsproto.extensions import PerMessageDeflate

from .db import utcnow
from .domain.lifecycle import WAITING
from .extensions import db
from .models import Centre, Counter
from .services import changes
from .services.ranges import calibration_for
from .services.reading import queue_view
from .services.screens import (call_event, counter_state, display_state, manager_state, queue_summary, tickets_by_id,
                              visit_payload, waiting_status)

REFRESH_SECONDS = 0.25  # queue lengths, waits and positions go out at most this often
SENT_MEMORY = 50_000  # rooms whose last payloads the notifier remembers, to skip repeats
KEY = "onedoor.notifier"
log = logging.getLogger(__name__)


def centre_room(centre_id: int) -> str:
    return f"centre:{centre_id}"


def counter_room(counter_id: int) -> str:
    return f"counter:{counter_id}"


def ticket_room(visit_key: int) -> str:
    """The room of a visitor's status page: their visit's (its first row's id), whichever step it is at."""
    return f"ticket:{visit_key}"


class _NoCompression(PerMessageDeflate):
    """Declines the permessage-deflate that every browser offers: our messages are a few hundred
    bytes of JSON, and each compressing socket keeps ~300 KB of zlib state (5,000 screens: 1.5 GB)."""

    def accept(self, offer):
        return None


def decline_compression() -> None:
    # simple-websocket (the WebSocket server under Flask-SocketIO here) offers no setting for it;
    # it names PerMessageDeflate at accept time, so the name is replaced in its module.
    simple_websocket.ws.PerMessageDeflate = _NoCompression


class ClientWatch:
    """Closes the sockets whose client stopped answering pings, all of them once a second.

    Engine.IO's own monitor (`monitor_clients`, turned off in create_app) wakes once for each
    socket, spreading a round over ping_timeout: at 10,000 sockets that is 500 wake-ups a second,
    a fifth to a third of what a serving process spent holding idle sockets (docs/benchmarks.md). This one
    wakes once a second and checks every socket with the same call (Socket.check_ping_timeout,
    which closes one gone quiet), yielding every SLICE sockets so that no request waits behind
    it. It runs while sockets are open and starts again with the next connect.
    """

    SECONDS = 1.0
    SLICE = 1_000

    def __init__(self, eio) -> None:
        self.eio = eio
        self.running = False
        connect = eio.handlers.get("connect")

        def connected(*args):
            self.start()
            return connect(*args) if connect is not None else None

        eio.on("connect", connected)

    def start(self) -> None:
        if not self.running:
            self.running = True
            self.eio.start_background_task(self.run)

    def run(self) -> None:
        while True:
            self.eio.sleep(self.SECONDS)
            if not self.check():
                self.running = False
                if not self.eio.sockets:  # none came while it stopped (else it goes on)
                    return
                self.running = True

    def check(self) -> int:
        """One round over every socket: forget the closed, close the silent; how many were seen."""
        sockets = list(self.eio.sockets.values())
        for k, socket_ in enumerate(sockets, start=1):
            try:
                if socket_.closed:
                    self.eio.sockets.pop(socket_.sid, None)
                elif not socket_.closing:
                    socket_.check_ping_timeout()
            except Exception:  # noqa: BLE001 - one socket's failure must not stop the others' checks
                log.exception("checking a socket's pings failed")
            if k % self.SLICE == 0:
                self.eio.sleep(0)
        return len(sockets)


def init_app(app) -> None:
    """Give `app` its notifier, on its own Socket.IO server, hearing its own commits, and the
    watch over its sockets' clients."""
    decline_compression()
    app.extensions["onedoor.client_watch"] = ClientWatch(app.extensions["socketio"].server.eio)
    notifier = Notifier(app, app.extensions["socketio"])
    app.extensions[KEY] = notifier
    changes.listen(app, notifier)
    manager = app.extensions["socketio"].server.manager
    if isinstance(manager, BatchingRedisManager):
        manager.on_dashboards = notifier.dashboards_changed
        manager.on_items = notifier.deliver


def notifier_of(app=None) -> "Notifier":
    """The notifier of `app` (else of the app in context)."""
    return (app or current_app).extensions[KEY]


# ---- the message queue ----------------------------------------------------------------------

BATCH_EVENT = "onedoor.batch"


class BatchingRedisManager(socketio.RedisManager):
    """python-socketio's Redis manager, which also carries many emits in one message.

    `emit_batch` emits each (event, data, namespace, room, key) to this process's own clients at
    once and publishes the whole list once; every other process, on hearing it, emits each item to
    its own clients in the room (none: nothing to do). Either way the items go through `on_items`
    (the app's notifier, Notifier.send_here), which skips a payload equal to the one this process
    last sent the room: only it knows what its own clients last heard, whichever process computed
    it. The list travels as an ordinary emit message of its own event name, so the manager's
    listening thread needs no change. The message also names the centres whose managers'
    dashboards changed: each process hands those to `on_dashboards` (its notifier), which
    recomputes a dashboard only where a manager of that centre is connected.
    """

    on_dashboards = None  # Callable[[list[int]], None], set by the app's notifier
    on_items = None  # Callable[[list], None], set by the app's notifier: to this process's clients

    def emit_batch(self, items: list[tuple[str, object, str, str, object]], dashboards=()) -> None:
        self._here(items)
        self._publish({"method": "emit", "event": BATCH_EVENT, "data": [list(item) for item in items],
                       "dashboards": sorted(dashboards), "binary": False, "namespace": "/", "room": None,
                       "skip_sid": None, "callback": None, "host_id": self.host_id})

    def _handle_emit(self, message):
        if message.get("event") != BATCH_EVENT:
            return super()._handle_emit(message)
        self._here(message["data"])
        if message.get("dashboards") and self.on_dashboards is not None:
            self.on_dashboards(message["dashboards"])

    def _here(self, items) -> None:
        """The items to this process's own clients: through the notifier (repeats skipped), else as they are."""
        if self.on_items is not None:
            self.on_items(items)
            return
        for event, data, namespace, room, *_ in items:
            socketio.Manager.emit(self, event, data, namespace=namespace, room=room)


class _Batch:
    def __init__(self, thread: int) -> None:
        self.thread = thread
        self.items: list[tuple[str, object, str, str, object]] = []
        self.dashboards: set[int] = set()  # centres whose managers' dashboards the round changed


# ---- the notifier ---------------------------------------------------------------------------

class Notifier:
    """Hands committed changes to one background worker, which merges whatever has piled up and
    tells the screens: a write request only enqueues, and a burst of writes costs one queue
    computation per centre, not one per write."""

    def __init__(self, app, socketio) -> None:
        self.app = app
        self.socketio = socketio  # the app's own Socket.IO server
        self.outbox: queue.Queue = queue.Queue()
        self.started = False
        self.lock = threading.Lock()
        self.sent: OrderedDict = OrderedDict()  # (namespace, room) → {(event, key): payload last sent}
        self.batch: _Batch | None = None  # the round being published (the worker's), with a message queue

    @contextlib.contextmanager
    def batched(self):
        """Hold what the worker sends in this round and hand it to the message queue as one
        message (BatchingRedisManager): a round tells every waiting visitor of a centre their new
        place, and one Redis publish per visitor is what saturated a process (docs/benchmarks.md)."""
        manager = self.socketio.server.manager
        if not isinstance(manager, BatchingRedisManager):
            yield
            return
        self.batch = _Batch(threading.get_ident())
        try:
            yield
        finally:
            self.flush()
            self.batch = None

    def flush(self) -> None:
        """Hand what the round holds so far to the message queue as one message (nothing without one)."""
        if (batch := self._round()) is not None and (batch.items or batch.dashboards):
            self.socketio.server.manager.emit_batch(batch.items, batch.dashboards)
            batch.items, batch.dashboards = [], set()

    def __call__(self, committed: changes.Changes) -> None:
        if not self.listening(None):
            return  # no screen connected (a simulated day's app): whoever connects gets a fresh snapshot
        # Calls are announced at once, from what the transaction recorded: no query, no wait.
        for centre_id, call in committed.calls:
            self.socketio.emit("ticket_called", call_event(call), namespace="/display", to=centre_room(centre_id))
        self._enqueue(committed)

    def dashboards_changed(self, centres: list[int]) -> None:
        """Another process's commits changed these centres' dashboards (heard on the message queue):
        recompute those that a manager connected to this process watches."""
        watched = {c for c in centres if self.listening_here("/manager", centre_room(c))}
        if watched:
            self._enqueue(changes.Changes(dashboards=watched))

    def _enqueue(self, committed: changes.Changes) -> None:
        self.outbox.put(committed)
        if not self.started:
            with self.lock:
                if not self.started:
                    self.started = True
                    self.socketio.start_background_task(self.run)

    def run(self) -> None:
        while True:
            batch = self.outbox.get()
            while True:
                try:
                    batch.merge(self.outbox.get_nowait())
                except queue.Empty:
                    break
            with self.app.app_context():
                try:
                    with self.batched():
                        publish(batch)
                except Exception:  # noqa: BLE001 - one bad batch must not stop the screens
                    log.exception("publishing to the screens failed")
                finally:
                    db.session.remove()
            self.socketio.sleep(REFRESH_SECONDS)  # let changes pile up: one recomputation covers them all

    def send(self, event: str, payload: dict, namespace: str, room: str, key=None) -> None:
        """Emit to a room with someone in it, unless the same payload already went there.

        A call fans out to every screen of a centre, so each repeat saved is a thousand messages
        saved. With a message queue, other processes may have sent something newer since this one
        last did, so everything goes out on the queue; each process skips the repeats to its own
        clients as it delivers them (BatchingRedisManager, `deliver`).
        """
        if self.app.config["ONEDOOR_MESSAGE_QUEUE"]:
            if self._round() is not None:
                self.batch.items.append((event, payload, namespace, room, key))
            else:
                self.socketio.emit(event, payload, namespace=namespace, to=room)
            return
        self.send_here(event, payload, namespace, room, key)

    def deliver(self, items) -> None:
        """A round's items (event, payload, namespace, room[, key]), from this process or another,
        to this process's own clients: each room only what differs from what it last heard here."""
        for event, payload, namespace, room, *key in items:
            self.send_here(event, payload, namespace, room, key[0] if key else None)

    def send_here(self, event: str, payload: dict, namespace: str, room: str, key=None) -> None:
        """Emit to this process's own clients in a room, unless the same payload already went there."""
        if not self.listening_here(namespace, room):
            return
        memo = self.sent.setdefault((namespace, room), {})
        self.sent.move_to_end((namespace, room))
        if memo.get((event, key)) == payload:
            return
        memo[(event, key)] = payload
        if len(self.sent) > SENT_MEMORY:
            self.sent.popitem(last=False)
        self.socketio.emit(event, payload, namespace=namespace, to=room, ignore_queue=True)

    def dashboard(self, centre: Centre, summary: dict, now) -> None:
        """Send the centre's managers their dashboard, which costs a dozen queries: computed only by
        a process a manager of the centre is connected to. The round asks the other processes, on
        the message queue, to do so for their own (BatchingRedisManager), and does it for its own."""
        batch = self._round()
        if batch is not None:
            batch.dashboards.add(centre.id)
        elif self.app.config["ONEDOOR_MESSAGE_QUEUE"]:  # a queue that carries no batches: through it
            if self.listening("/manager", centre_room(centre.id)):
                self.send("state", manager_state(centre, summary, now), "/manager", centre_room(centre.id))
            return
        self.dashboard_here(centre, summary, now)

    def dashboard_here(self, centre: Centre, summary: dict | None, now) -> None:
        """Send the centre's managers connected to this process their dashboard (None: the
        summary computed here too)."""
        room = centre_room(centre.id)
        if self.listening_here("/manager", room):
            self.send_here("state", manager_state(centre, summary, now), "/manager", room)

    def _round(self) -> _Batch | None:
        """The round this thread is publishing, batched for the message queue (else None)."""
        batch = self.batch
        return batch if batch is not None and batch.thread == threading.get_ident() else None

    def joined(self, namespace: str, room: str) -> None:
        """Someone joined a room with a fresh snapshot, which may be newer than what the room was
        last sent: send the room everything again next time, so nothing newer is held back."""
        self.sent.pop((namespace, room), None)

    def listening(self, namespace: str | None, room: str | None = None) -> bool:
        """Whether anyone could hear an event in `namespace` (None: in any), in `room` if given:
        with one process we know who is connected; with a message queue other processes' clients
        are unknown here, so assume someone is."""
        if self.app.config["ONEDOOR_MESSAGE_QUEUE"]:
            return True
        return self.listening_here(namespace, room)

    def listening_here(self, namespace: str | None, room: str | None = None) -> bool:
        """Whether a client of this process could hear an event in `namespace`, in `room` if given."""
        namespaces = self.socketio.server.manager.rooms
        if namespace is None:
            return any(self.listening_here(ns) for ns in list(namespaces))
        rooms = namespaces.get(namespace) or {}
        if room is None:
            return any(r is not None and members for r, members in list(rooms.items()))
        return bool(rooms.get(room))


def listening(namespace: str, room: str | None = None) -> bool:
    """Whether anyone connected to the app in context could hear an event (Notifier.listening)."""
    return notifier_of().listening(namespace, room)


def publish(committed: changes.Changes) -> None:
    """Tell every affected screen what changed, calls aside (runs after the commits, in the notifier).

    Nothing is computed for a centre none of whose screens is connected.
    """
    notifier = notifier_of()
    now = utcnow()
    visitors = listening("/ticket")
    wanted = {
        cid for cid in committed.centres()
        if visitors or any(listening(ns, centre_room(cid)) for ns in ("/display", "/counter", "/manager"))
    }
    counters = {counter_id for counter_id, c in committed.counters if c in wanted}
    touched: dict[int, set[str]] = {cid: set() for cid in wanted}  # services whose tickets moved
    for ticket in tickets_by_id(list(dict.fromkeys(t for t, c, _ in committed.tickets if c in wanted))):
        touched.setdefault(ticket.centre_id, set()).add(ticket.service.code)
        if ticket.counter_id is not None:
            counters.add(ticket.counter_id)
        if ticket.status != WAITING:  # waiting ones hear below, with everyone still waiting
            notifier.send("ticket_status", visit_payload(ticket), "/ticket", ticket_room(ticket.visit_key))
    notifier.flush()  # a called visitor hears it now, not after every touched centre's queue is recomputed
    centres = {cid: db.session.get(Centre, cid) for cid in wanted}
    views = {cid: queue_view(centre, now) for cid, centre in centres.items() if centre is not None}
    summaries = {cid: queue_summary(centres[cid], view) for cid, view in views.items()}
    for counter_id in counters:
        counter = db.session.get(Counter, counter_id)
        if counter is not None and counter.centre_id in summaries:
            notifier.send("state", counter_state(counter, summaries[counter.centre_id]), "/counter",
                          counter_room(counter_id))
    if committed.catalogue:  # the set-up changed: every screen gets a fresh snapshot (menu, hours)
        for centre in db.session.scalars(select(Centre).where(Centre.active.is_(True))):
            if listening("/display", centre_room(centre.id)):
                notifier.send("state", display_state(centre), "/display", centre_room(centre.id))
    for centre_id, view in views.items():
        centre = centres[centre_id]
        listed = summaries[centre_id]["services"]
        # A service nobody waits for and no open counter serves drops out of the summary: say it is
        # down to nobody, or screens would go on showing its last count.
        gone = sorted(touched[centre_id] - {s["service"] for s in listed})
        gone_rows = ({"service": code, "waiting": 0, "estimated_wait_min": None, "estimated_wait_range_min": None}
                     for code in gone)
        for service in [*listed, *gone_rows]:
            notifier.send("queue_changed", service, "/display", centre_room(centre_id), key=service["service"])
        notifier.send("queue_changed", summaries[centre_id], "/counter", centre_room(centre_id))
        notifier.dashboard(centre, summaries[centre_id], now)
        _tell_waiting_visitors(centre, view)
    for centre_id in sorted(committed.dashboards - views.keys()):  # changed by another process
        centre = db.session.get(Centre, centre_id)
        if centre is not None:
            notifier.dashboard_here(centre, None, now)


def _tell_waiting_visitors(centre: Centre, view: dict) -> None:
    """Positions and estimates of everyone waiting move with each change: tell each of them."""
    notifier = notifier_of()
    calibration = calibration_for(centre.id, utcnow())
    for t in view["tickets"]:
        notifier.send("ticket_status", waiting_status(centre, t, calibration), "/ticket", ticket_room(t["visit"]))
