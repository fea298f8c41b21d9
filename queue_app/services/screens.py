"""What each live screen shows (SPEC §6), as the JSON its socket sends: the display's, the counter
page's, the managers' and the visitor's. The namespaces send these on connect and the notifier
(realtime.py) on each committed change; the API answers a ticket in the same shape (`ticket_view`).
"""
from __future__ import annotations

import dataclasses
import math

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..db import utcnow
from ..domain.alerts import manager_alerts, not_served_today, overbooked, unserved_now
from ..domain.hours import openness
from ..domain.lifecycle import COUNTER_HELD, WAITING, moves
from ..domain.ranges import Calibration
from ..extensions import db
from ..models import Centre, Counter, Ticket
from . import changes, dashboard
from .calling import active_ticket
from .overbooking import overbooked as overbooked_slots
from .lookup import catalogue_version, centre_code, counter_code, service_shown
from .printing import printer_faults
from .reading import TicketStatus, queue_view, visit_rows_by_token, visit_status
from .ranges import calibration_for
from .visits import next_codes, steps_brief, visit_rows
from .roster import rostered_until_closing

RECENT_CALLS = 8


def iso(value):
    return value.isoformat() if value is not None else None


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
    """Waiting counts and estimated waits per service, from one computation of the queue; each wait
    with its range where the centre's past waits give one (the kiosk's and the display's)."""
    now = utcnow()
    view = view or queue_view(centre, now)
    calibration = calibration_for(centre.id, now)  # once for every service
    services = [{**s, "estimated_wait_range_min": calibration.range(s["estimated_wait_min"])} for s in view["services"]]
    return {"centre": centre.code, "waiting": view["waiting"], "open_counters": view["open_counters"],
            "estimated_wait_min": view["estimated_wait_min"], "services": services}


def opening(centre: Centre, now=None) -> dict:
    """Whether the centre is open now; until when if so (`closes_at`), and when it next opens
    (`next_opening`, after that closing when open): ISO with the centre's offset, None beyond the
    look-ahead. Kiosks and displays say a closed centre's next opening up front, and switch at
    these moments by their own clock (asking for a fresh state then)."""
    now = now or utcnow()
    state = openness(centre.opening_hours, centre.tz, now)
    return {"open_now": state.open_now, "closes_at": iso(state.closes_at), "next_opening": iso(state.next_opening)}


def display_state(centre: Centre) -> dict:
    return {**queue_summary(centre), "calls": recent_calls(centre.id), "timezone": centre.timezone,
            **opening(centre), "catalogue": catalogue_version()}


def ticket_view(ticket: Ticket) -> dict:
    """A ticket as staff see it, the one shape of "the current ticket": the API's answers
    (api/schemas.py TicketOut) and the counter page's socket alike. No phone number, no status
    token; with the documents its service asks for, and the moves legal from its status."""
    service = service_shown(ticket.service_id)
    return {
        "id": ticket.id, "number": ticket.number, "centre": centre_code(ticket.centre_id), "service": service.code,
        "status": ticket.status, "priority": ticket.priority, "appointment": ticket.booked,
        "language": ticket.language, "source": ticket.source,
        "arrived_at": iso(ticket.arrived_at), "issued_at": iso(ticket.issued_at), "called_at": iso(ticket.called_at),
        "started_at": iso(ticket.started_at), "finished_at": iso(ticket.finished_at),
        "counter": counter_code(ticket.counter_id) if ticket.counter_id else None, "recall_count": ticket.recall_count,
        "outcome": ticket.outcome, "reason": ticket.reason, "transferred_from": ticket.transferred_from_id,
        "documents": service.documents, "actions": moves(ticket.status),
        "for_counter": counter_code(ticket.for_counter_id) if ticket.for_counter_id else None,
        "step": ticket.step, "note": ticket.note, "next_steps": next_codes(ticket),
        "steps": steps_brief(ticket),
    }


def counter_state(counter: Counter, summary: dict | None = None) -> dict:
    current = active_ticket(counter)
    summary = summary or queue_summary(counter.centre)
    skills = set(counter.skills.get("primary", [])) | set(counter.skills.get("secondary", []))
    return {
        "counter": {"code": counter.code, "name": counter.name, "state": counter.state,
                    "clerk": counter.staff.username if counter.staff else None,
                    "clerk_name": counter.staff.name if counter.staff else None, "skills": counter.skills,
                    "opened_at": iso(counter.opened_at)},
        "current": None if current is None else ticket_view(current),
        "queue": [s for s in summary["services"] if not skills or s["service"] in skills],
        "waiting": summary["waiting"],
    }


def unserved_alerts(centre: Centre, services: list[dict], now) -> list[dict]:
    """`not_served_today` alerts: the roster is read only when a waiting service has no counter."""
    waiting = {s["service"]: s["waiting"] for s in services}
    held = [frozenset(c.skills.get("primary", [])) | frozenset(c.skills.get("secondary", []))
            for c in db.session.scalars(select(Counter).where(Counter.centre_id == centre.id,
                                                              Counter.state.in_(COUNTER_HELD)))]
    if not unserved_now(waiting, held):
        return []
    return not_served_today(waiting, held, rostered_until_closing(centre, now))


def manager_state(centre: Centre, summary: dict | None = None, now=None) -> dict:
    """What a centre's managers watch: the queue per service against the target, alerts (a service
    nobody will serve today, bookings over the roster's places, a service past its target wait, a
    printer fault), the counters, and
    today's figures with hourly series."""
    now = now or utcnow()
    summary = summary or queue_summary(centre, queue_view(centre, now))
    alerts = unserved_alerts(centre, summary["services"], now)
    alerts += overbooked((c.start.date().isoformat(), c.over) for c in overbooked_slots(centre, now))
    alerts += manager_alerts(summary["services"], centre.target_wait_min, printer_faults(centre.id, now))
    for alert in alerts:
        if "failing_since" in alert:
            alert["failing_since"] = iso(alert["failing_since"])
    return {**summary, "target_wait_min": centre.target_wait_min, "alerts": alerts, "now": iso(now),
            "counters": dashboard.counters(centre), "today": dashboard.today(centre, now)}


def status_payload(token: str) -> dict:
    """The visitor's `ticket_status`: their ticket's place, estimate, counter and legal moves."""
    return rows_payload(visit_rows_by_token(token))


def visit_payload(ticket: Ticket) -> dict:
    """`status_payload` of the visit `ticket` is a row of, read from the row (no look-up by token)."""
    return rows_payload(visit_rows(ticket))


def rows_payload(rows: list[Ticket]) -> dict:
    """`status_payload` of a visit from its rows (reading.visit_rows_by_token), first step first."""
    return _status_payload(visit_status(rows, utcnow()))


def _status_payload(status: TicketStatus) -> dict:
    status = dataclasses.asdict(status)
    del status["service_name"], status["issued_at"]  # the page has them from its first load
    return {**status, "called_at": iso(status["called_at"]), "actions": list(status["actions"]),
            "estimated_wait_min": whole_minutes(status["estimated_wait_min"])}


def whole_minutes(estimate: float | None) -> int | None:
    """A visitor's estimate as their page shows it, rounded half up (status.html's `round`, the
    page's Math.round): the estimate moves a little with every change at the centre and the clock,
    and a payload that differs only below the minute would reach every waiting phone each round
    for nothing (Notifier.send_here sends a room only what differs from what it last heard)."""
    return None if estimate is None else math.floor(estimate + 0.5)


_WITH_PLACES = (joinedload(Ticket.service), joinedload(Ticket.counter), joinedload(Ticket.centre))


def tickets_by_id(ids: list[int]) -> list[Ticket]:
    """These tickets, in this order (those gone left out), each with its service, counter and
    centre, in one statement: a notifier's round tells each one's visitor without reading more."""
    if not ids:
        return []
    found = {t.id: t for t in db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)).options(*_WITH_PLACES))}
    return [found[i] for i in ids if i in found]


def waiting_status(centre: Centre, entry: dict, calibration: Calibration | None = None) -> dict:
    """`status_payload` of a waiting ticket, from its entry in the centre's queue view: positions
    and estimates move with each change, and everyone waiting hears theirs without a query.
    `calibration`: the centre's (ranges.calibration_for), read once for all its waiting tickets."""
    calibration = calibration or calibration_for(centre.id, utcnow())
    return {
        "number": entry["number"], "centre": centre.code, "service": entry["service"], "status": WAITING,
        "position": entry["position"], "ahead": entry["position"] - 1,
        "estimated_wait_min": whole_minutes(entry["estimated_wait_min"]),
        "estimated_wait_range_min": calibration.range(entry["estimated_wait_min"]),
        "counter": None, "called_at": None, "actions": moves(WAITING),
    }
