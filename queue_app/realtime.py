"""Real-time screens (SPEC §6): Socket.IO namespaces, rooms, and the notifier.

Every namespace checks credentials on connect (the `auth` payload's token; the centre, counter or
ticket in the query string), joins the caller to its rooms and sends a full `state` snapshot, so a
screen that reconnects is right at once. The notifier listens to committed changes only
(services/changes.py) and sends each screen what it shows, so no screen refetches after an event.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
import queue
import threading
from collections import OrderedDict

import simple_websocket.ws
from flask import current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, join_room
from sqlalchemy import select
from wsproto.extensions import PerMessageDeflate

from .auth import Principal, principal_for_token
from .db import utcnow
from .domain.errors import NotFound
from .domain.lifecycle import WAITING
from .extensions import db, socketio
from .models import Centre, Counter, Ticket
from .services import changes, dashboard
from .services.calling import active_ticket
from .services.printing import printer_faults
from .services.reading import queue_view, ticket_status, visit_by_token

RECENT_CALLS = 8
REFRESH_SECONDS = 0.25  # queue lengths, waits and positions go out at most this often
SENT_MEMORY = 50_000  # rooms whose last payloads the notifier remembers, to skip repeats
log = logging.getLogger(__name__)


def centre_room(centre_id: int) -> str:
    return f"centre:{centre_id}"


def counter_room(counter_id: int) -> str:
    return f"counter:{counter_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def iso(value):
    return value.isoformat() if value is not None else None


# ---- what each screen shows ----------------------------------------------------------------

def call_event(call: changes.Call) -> dict:
    """The `ticket_called` payload: what a display announces."""
    return {"number": call.number, "counter": call.counter, "counter_code": call.counter_code,
            "service": call.service, "called_at": iso(call.called_at)}


def recent_calls(centre_id: int) -> list[dict]:
    rows = db.session.scalars(
        select(Ticket).where(Ticket.centre_id == centre_id, Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc(), Ticket.id.desc()).limit(RECENT_CALLS)
    ).all()
    return [call_event(changes.Call.of(t)) for t in rows if t.counter is not None]


def queue_summary(centre: Centre, view: dict | None = None) -> dict:
    """Waiting counts and estimated waits per service, from one computation of the queue."""
    view = view or queue_view(centre, utcnow())
    return {"centre": centre.code, "waiting": view["waiting"], "open_counters": view["open_counters"],
            "estimated_wait_min": view["estimated_wait_min"], "services": view["services"]}


def display_state(centre: Centre) -> dict:
    return {**queue_summary(centre), "calls": recent_calls(centre.id), "timezone": centre.timezone}


def counter_state(counter: Counter, summary: dict | None = None) -> dict:
    current = active_ticket(counter)
    summary = summary or queue_summary(counter.centre)
    skills = set(counter.skills.get("primary", [])) | set(counter.skills.get("secondary", []))
    return {
        "counter": {"code": counter.code, "name": counter.name, "state": counter.state,
                    "clerk": counter.staff.username if counter.staff else None,
                    "clerk_name": counter.staff.name if counter.staff else None, "skills": counter.skills,
                    "opened_at": iso(counter.opened_at)},
        "current": None if current is None else {
            "id": current.id, "number": current.number, "service": current.service.code,
            "status": current.status, "called_at": iso(current.called_at), "started_at": iso(current.started_at),
            "recall_count": current.recall_count, "documents": current.service.documents,
            "priority": current.priority, "appointment": current.booked,
        },
        "queue": [s for s in summary["services"] if not skills or s["service"] in skills],
        "waiting": summary["waiting"],
    }


def status_payload(token: str) -> dict:
    status = dataclasses.asdict(ticket_status(token, utcnow()))
    del status["service_name"], status["issued_at"]  # the page has them from its first load
    return {**status, "called_at": iso(status["called_at"])}


# ---- namespaces -----------------------------------------------------------------------------

def enter(room: str) -> None:
    join_room(room)
    notifier.joined(request.namespace, room)


def _principal() -> Principal:
    """The connecting client: the token in the connect `auth` payload, else the staff member signed
    in on the page that opened the socket (its session cookie travels with the handshake)."""
    auth = getattr(request, "socket_auth", None) or {}
    token = auth.get("token") if isinstance(auth, dict) else None
    if isinstance(token, str) and token and "\x00" not in token:
        principal = principal_for_token(token)
    elif not token and current_user.is_authenticated:
        principal = Principal(staff=current_user._get_current_object(), via_session=True)
    else:
        principal = None
    if principal is None:
        raise ConnectionRefusedError("unauthorized: send {\"token\": ...} in the connect auth payload")
    return principal


def _centre_arg() -> Centre:
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


class DisplayNamespace(Namespace):
    """Waiting-room screens (display devices) and kiosks, per centre."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        request.socket_auth = auth
        principal = _principal()
        centre = _centre_arg()
        if principal.device is None or not principal.covers(centre.id):
            raise ConnectionRefusedError(f"forbidden: only {centre.code}'s displays and kiosks")
        enter(centre_room(centre.id))
        self.emit("state", display_state(centre), room=request.sid)


class CounterNamespace(Namespace):
    """A clerk's counter page: its own counter's state and the queue for its skills."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        request.socket_auth = auth
        principal = _principal()
        code = request.args.get("counter", "")
        counter = None if "\x00" in code else db.session.scalar(select(Counter).where(Counter.code == code))
        if counter is None:
            raise ConnectionRefusedError(f"not_found: no counter {code!r} (give ?counter=CODE)")
        if principal.staff is None or not principal.covers(counter.centre_id):
            raise ConnectionRefusedError(f"forbidden: staff of {counter.centre.code} only")
        enter(centre_room(counter.centre_id))
        enter(counter_room(counter.id))
        self.emit("state", counter_state(counter), room=request.sid)


class ManagerNamespace(Namespace):
    """Managers of a centre (and admins): live indicators and alerts."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        request.socket_auth = auth
        principal = _principal()
        centre = _centre_arg()
        if principal.staff is None or principal.role not in ("manager", "admin") or not principal.covers(centre.id):
            raise ConnectionRefusedError(f"forbidden: managers of {centre.code} only")
        enter(centre_room(centre.id))
        self.emit("state", manager_state(centre), room=request.sid)


class TicketNamespace(Namespace):
    """A visitor's status page: the ticket token is the credential (in the connect `auth` payload,
    which no access log records; `?token=` is still accepted)."""

    @refusing_on_failure
    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        token = token if isinstance(token, str) and token else request.args.get("token", "")
        try:
            ticket = None if "\x00" in token else visit_by_token(token)  # after a transfer: the ticket it became
        except NotFound:
            ticket = None
        if ticket is None:
            raise ConnectionRefusedError("not_found: no ticket with that token")
        enter(ticket_room(ticket.id))
        self.emit("ticket_status", status_payload(token), room=request.sid)


def manager_state(centre: Centre, summary: dict | None = None, now=None) -> dict:
    """What a centre's managers watch: the queue per service against the target, alerts (a service
    past its target wait, a printer fault), the counters, and today's figures with hourly series."""
    now = now or utcnow()
    summary = summary or queue_summary(centre, queue_view(centre, now))
    alerts = [
        {"kind": "wait_over_target", "service": s["service"], "estimated_wait_min": s["estimated_wait_min"]}
        for s in summary["services"]
        if s["estimated_wait_min"] is not None and s["estimated_wait_min"] > centre.target_wait_min
    ]
    alerts += [
        {"kind": "printer_fault", "device": fault["device"], "printer_uri": fault["printer_uri"],
         "pending": fault["pending"], "last_error": fault["last_error"], "failing_since": iso(fault["failing_since"])}
        for fault in printer_faults(centre.id, now)
    ]
    return {**summary, "target_wait_min": centre.target_wait_min, "alerts": alerts, "now": iso(now),
            "counters": dashboard.counters(centre), "today": dashboard.today(centre, now)}


class _NoCompression(PerMessageDeflate):
    """Declines the permessage-deflate that every browser offers: our messages are a few hundred
    bytes of JSON, and each compressing socket keeps ~300 KB of zlib state (5,000 screens: 1.5 GB)."""

    def accept(self, offer):
        return None


def decline_compression() -> None:
    # simple-websocket (the WebSocket server under Flask-SocketIO here) offers no setting for it;
    # it names PerMessageDeflate at accept time, so the name is replaced in its module.
    simple_websocket.ws.PerMessageDeflate = _NoCompression


def register_namespaces(app) -> None:
    decline_compression()
    notifier.init_app(app)
    socketio.on_namespace(DisplayNamespace("/display"))
    socketio.on_namespace(CounterNamespace("/counter"))
    socketio.on_namespace(ManagerNamespace("/manager"))
    socketio.on_namespace(TicketNamespace("/ticket"))
    changes.listen(app, notifier)


# ---- the notifier ---------------------------------------------------------------------------

class Notifier:
    """Hands committed changes to one background worker, which merges whatever has piled up and
    tells the screens: a write request only enqueues, and a burst of writes costs one queue
    computation per centre, not one per write."""

    def __init__(self) -> None:
        self.outbox: queue.Queue = queue.Queue()
        self.app = None
        self.started = False
        self.lock = threading.Lock()
        self.sent: OrderedDict = OrderedDict()  # (namespace, room) → {(event, key): payload last sent}

    def init_app(self, app) -> None:
        self.app = app

    def __call__(self, committed: changes.Changes) -> None:
        if current_app._get_current_object() is not self.app:
            return  # another app's database in this process (a simulated day): not our screens' news
        # Calls are announced at once, from what the transaction recorded: no query, no wait.
        for centre_id, call in committed.calls:
            socketio.emit("ticket_called", call_event(call), namespace="/display", to=centre_room(centre_id))
        self.outbox.put(committed)
        if not self.started:
            with self.lock:
                if not self.started:
                    self.started = True
                    socketio.start_background_task(self.run)

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
                    publish(batch)
                except Exception:  # noqa: BLE001 - one bad batch must not stop the screens
                    log.exception("publishing to the screens failed")
                finally:
                    db.session.remove()
            socketio.sleep(REFRESH_SECONDS)  # let changes pile up: one recomputation covers them all

    def send(self, event: str, payload: dict, namespace: str, room: str, key=None) -> None:
        """Emit to a room with someone in it, unless the same payload already went there.

        A call fans out to every screen of a centre, so each repeat saved is a thousand messages
        saved. With a message queue, other processes may have sent something newer since this one
        last did, so there everything goes out.
        """
        if self.app.config["ONEDOOR_MESSAGE_QUEUE"]:
            socketio.emit(event, payload, namespace=namespace, to=room)
            return
        if not listening(namespace, room):
            return
        memo = self.sent.setdefault((namespace, room), {})
        self.sent.move_to_end((namespace, room))
        if memo.get((event, key)) == payload:
            return
        memo[(event, key)] = payload
        if len(self.sent) > SENT_MEMORY:
            self.sent.popitem(last=False)
        socketio.emit(event, payload, namespace=namespace, to=room)

    def joined(self, namespace: str, room: str) -> None:
        """Someone joined a room with a fresh snapshot, which may be newer than what the room was
        last sent: send the room everything again next time, so nothing newer is held back."""
        self.sent.pop((namespace, room), None)


notifier = Notifier()


def listening(namespace: str, room: str | None = None) -> bool:
    """Whether anyone could hear an event: with one process we know who is connected; with a
    message queue other processes' clients are unknown here, so assume someone is."""
    if notifier.app.config["ONEDOOR_MESSAGE_QUEUE"]:
        return True
    rooms = socketio.server.manager.rooms.get(namespace) or {}
    if room is None:
        return any(r is not None and members for r, members in rooms.items())
    return bool(rooms.get(room))


def publish(committed: changes.Changes) -> None:
    """Tell every affected screen what changed, calls aside (runs after the commits, in the notifier).

    Nothing is computed for a centre none of whose screens is connected.
    """
    now = utcnow()
    visitors = listening("/ticket")
    wanted = {
        cid for cid in committed.centres()
        if visitors or any(listening(ns, centre_room(cid)) for ns in ("/display", "/counter", "/manager"))
    }
    centres = {cid: db.session.get(Centre, cid) for cid in wanted}
    views = {cid: queue_view(centre, now) for cid, centre in centres.items() if centre is not None}
    summaries = {cid: queue_summary(centres[cid], view) for cid, view in views.items()}
    counters = {counter_id for counter_id, c in committed.counters if c in wanted}
    touched: dict[int, set[str]] = {cid: set() for cid in views}  # services whose tickets moved
    for ticket_id in dict.fromkeys(t for t, c, _ in committed.tickets if c in wanted):
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is None:
            continue
        touched.setdefault(ticket.centre_id, set()).add(ticket.service.code)
        if ticket.counter_id is not None:
            counters.add(ticket.counter_id)
        if ticket.status != WAITING:  # waiting ones hear below, with everyone still waiting
            notifier.send("ticket_status", status_payload(ticket.token), "/ticket", ticket_room(ticket_id))
    for counter_id in counters:
        counter = db.session.get(Counter, counter_id)
        if counter is not None and counter.centre_id in summaries:
            notifier.send("state", counter_state(counter, summaries[counter.centre_id]), "/counter",
                          counter_room(counter_id))
    for centre_id, view in views.items():
        centre = centres[centre_id]
        listed = summaries[centre_id]["services"]
        # A service nobody waits for and no open counter serves drops out of the summary: say it is
        # down to nobody, or screens would go on showing its last count.
        gone = sorted(touched[centre_id] - {s["service"] for s in listed})
        for service in [*listed, *({"service": code, "waiting": 0, "estimated_wait_min": None} for code in gone)]:
            notifier.send("queue_changed", service, "/display", centre_room(centre_id), key=service["service"])
        notifier.send("queue_changed", summaries[centre_id], "/counter", centre_room(centre_id))
        if listening("/manager", centre_room(centre_id)):  # the dashboard's figures cost queries
            notifier.send("state", manager_state(centre, summaries[centre_id], now), "/manager",
                          centre_room(centre_id))
        _tell_waiting_visitors(centre, view)


def _tell_waiting_visitors(centre: Centre, view: dict) -> None:
    """Positions and estimates of everyone waiting move with each change: tell each of them."""
    for t in view["tickets"]:
        notifier.send("ticket_status", {
            "number": t["number"], "centre": centre.code, "service": t["service"], "status": WAITING,
            "position": t["position"], "ahead": t["position"] - 1, "estimated_wait_min": t["estimated_wait_min"],
            "counter": None, "called_at": None,
        }, "/ticket", ticket_room(t["id"]))
