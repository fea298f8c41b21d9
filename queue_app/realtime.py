"""Real-time screens (SPEC §6): Socket.IO namespaces, rooms, and the notifier.

Every namespace checks credentials on connect (the `auth` payload's token; the centre, counter or
ticket in the query string), joins the caller to its rooms and sends a full `state` snapshot, so a
screen that reconnects is right at once. The notifier listens to committed changes only
(services/changes.py) and sends each screen what it shows, so no screen refetches after an event.
"""
from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, join_room
from sqlalchemy import select

from .auth import Principal, principal_for_token
from .db import utcnow
from .domain.lifecycle import CALLED, WAITING
from .extensions import db, socketio
from .models import Centre, Counter, Ticket
from .services import changes
from .services.calling import active_ticket
from .services.reading import queue_view, ticket_status

RECENT_CALLS = 8


def centre_room(centre_id: int) -> str:
    return f"centre:{centre_id}"


def counter_room(counter_id: int) -> str:
    return f"counter:{counter_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def iso(value):
    return value.isoformat() if value is not None else None


# ---- what each screen shows ----------------------------------------------------------------

def call_payload(ticket: Ticket) -> dict:
    return {"number": ticket.number, "counter": ticket.counter.name if ticket.counter else None,
            "counter_code": ticket.counter.code if ticket.counter else None,
            "service": ticket.service.code, "called_at": iso(ticket.called_at)}


def recent_calls(centre_id: int) -> list[dict]:
    rows = db.session.scalars(
        select(Ticket).where(Ticket.centre_id == centre_id, Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc(), Ticket.id.desc()).limit(RECENT_CALLS)
    ).all()
    return [call_payload(t) for t in rows]


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
                    "clerk": counter.staff.username if counter.staff else None, "skills": counter.skills,
                    "opened_at": iso(counter.opened_at)},
        "current": None if current is None else {
            "id": current.id, "number": current.number, "service": current.service.code,
            "status": current.status, "called_at": iso(current.called_at), "started_at": iso(current.started_at),
            "recall_count": current.recall_count, "documents": current.service.documents,
        },
        "queue": [s for s in summary["services"] if not skills or s["service"] in skills],
        "waiting": summary["waiting"],
    }


def status_payload(token: str) -> dict:
    s = ticket_status(token, utcnow())
    return {"number": s.number, "centre": s.centre, "service": s.service, "status": s.status,
            "position": s.position, "ahead": s.ahead, "estimated_wait_min": s.estimated_wait_min,
            "counter": s.counter, "called_at": iso(s.called_at)}


# ---- namespaces -----------------------------------------------------------------------------

def _principal() -> Principal:
    auth = getattr(request, "socket_auth", None) or {}
    token = auth.get("token") if isinstance(auth, dict) else None
    principal = principal_for_token(token) if isinstance(token, str) and token and "\x00" not in token else None
    if principal is None:
        raise ConnectionRefusedError("unauthorized: send {\"token\": ...} in the connect auth payload")
    return principal


def _centre_arg() -> Centre:
    code = request.args.get("centre", "")
    centre = None if "\x00" in code else db.session.scalar(select(Centre).where(Centre.code == code, Centre.active.is_(True)))
    if centre is None:
        raise ConnectionRefusedError(f"not_found: no centre {code!r} (give ?centre=CODE)")
    return centre


class DisplayNamespace(Namespace):
    """Waiting-room screens (display devices) and kiosks, per centre."""

    def on_connect(self, auth=None):
        request.socket_auth = auth
        principal = _principal()
        centre = _centre_arg()
        if principal.device is None or not principal.covers(centre.id):
            raise ConnectionRefusedError(f"forbidden: only {centre.code}'s displays and kiosks")
        join_room(centre_room(centre.id))
        self.emit("state", display_state(centre))


class CounterNamespace(Namespace):
    """A clerk's counter page: its own counter's state and the queue for its skills."""

    def on_connect(self, auth=None):
        request.socket_auth = auth
        principal = _principal()
        code = request.args.get("counter", "")
        counter = None if "\x00" in code else db.session.scalar(select(Counter).where(Counter.code == code))
        if counter is None:
            raise ConnectionRefusedError(f"not_found: no counter {code!r} (give ?counter=CODE)")
        if principal.staff is None or not principal.covers(counter.centre_id):
            raise ConnectionRefusedError(f"forbidden: staff of {counter.centre.code} only")
        join_room(centre_room(counter.centre_id))
        join_room(counter_room(counter.id))
        self.emit("state", counter_state(counter))


class ManagerNamespace(Namespace):
    """Managers of a centre (and admins): live indicators and alerts."""

    def on_connect(self, auth=None):
        request.socket_auth = auth
        principal = _principal()
        centre = _centre_arg()
        if principal.staff is None or principal.role not in ("manager", "admin") or not principal.covers(centre.id):
            raise ConnectionRefusedError(f"forbidden: managers of {centre.code} only")
        join_room(centre_room(centre.id))
        self.emit("state", manager_state(centre))


class TicketNamespace(Namespace):
    """A visitor's status page: the ticket token is the credential."""

    def on_connect(self, auth=None):
        token = request.args.get("token", "")
        ticket = None if "\x00" in token or len(token) > 64 else db.session.scalar(select(Ticket).where(Ticket.token == token))
        if ticket is None:
            raise ConnectionRefusedError("not_found: no ticket with that token")
        join_room(ticket_room(ticket.id))
        self.emit("ticket_status", status_payload(token))


def manager_state(centre: Centre, summary: dict | None = None) -> dict:
    summary = summary or queue_summary(centre)
    alerts = [
        {"kind": "wait_over_target", "service": s["service"], "estimated_wait_min": s["estimated_wait_min"]}
        for s in summary["services"]
        if s["estimated_wait_min"] is not None and s["estimated_wait_min"] > centre.target_wait_min
    ]
    return {**summary, "target_wait_min": centre.target_wait_min, "alerts": alerts}


def register_namespaces() -> None:
    socketio.on_namespace(DisplayNamespace("/display"))
    socketio.on_namespace(CounterNamespace("/counter"))
    socketio.on_namespace(ManagerNamespace("/manager"))
    socketio.on_namespace(TicketNamespace("/ticket"))
    changes.listen(publish)


# ---- the notifier ---------------------------------------------------------------------------

def publish(committed: changes.Changes) -> None:
    """Tell every affected screen what changed; called after the commit, never before."""
    now = utcnow()
    views = {cid: queue_view(db.session.get(Centre, cid), now) for cid in committed.centres()}
    summaries = {cid: queue_summary(db.session.get(Centre, cid), view) for cid, view in views.items()}
    counters = {counter_id for counter_id, _ in committed.counters}
    for ticket_id, centre_id, action in committed.tickets:
        ticket = db.session.get(Ticket, ticket_id)
        if action in ("call", "recall") and ticket.status == CALLED:
            socketio.emit("ticket_called", call_payload(ticket), namespace="/display", to=centre_room(centre_id))
        if ticket.counter_id is not None:
            counters.add(ticket.counter_id)
        if ticket.status != WAITING:  # waiting ones hear below, with everyone still waiting
            socketio.emit("ticket_status", status_payload(ticket.token), namespace="/ticket", to=ticket_room(ticket_id))
    for counter_id in counters:
        counter = db.session.get(Counter, counter_id)
        socketio.emit("state", counter_state(counter, summaries[counter.centre_id]),
                      namespace="/counter", to=counter_room(counter_id))
    for centre_id, view in views.items():
        centre = db.session.get(Centre, centre_id)
        for service in summaries[centre_id]["services"]:
            socketio.emit("queue_changed", service, namespace="/display", to=centre_room(centre_id))
        socketio.emit("queue_changed", summaries[centre_id], namespace="/counter", to=centre_room(centre_id))
        socketio.emit("state", manager_state(centre, summaries[centre_id]), namespace="/manager", to=centre_room(centre_id))
        _tell_waiting_visitors(centre, view)


def _tell_waiting_visitors(centre: Centre, view: dict) -> None:
    """Positions and estimates of everyone waiting move with each change: tell each of them."""
    for t in view["tickets"]:
        socketio.emit("ticket_status", {
            "number": t["number"], "centre": centre.code, "service": t["service"], "status": WAITING,
            "position": t["position"], "ahead": t["position"] - 1, "estimated_wait_min": t["estimated_wait_min"],
            "counter": None, "called_at": None,
        }, namespace="/ticket", to=ticket_room(t["id"]))
