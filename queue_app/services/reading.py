"""Read models for the API: a centre's summary, its queue, a day's figures, a ticket's status."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..domain.errors import NotFound
from ..domain.hours import format_span
from ..domain.lifecycle import CALLED, DONE, RESOLVED, SERVING, WAITING, moves
from ..domain.stats import DayFigures, Visit, day_figures
from ..domain.visit_figures import REPEAT_WINDOW, Resolved
from ..extensions import db
from ..models import Centre, Service, Ticket
from .lookup import with_catalogue
from .queue import place, queue_state
from .ranges import wait_range
from .visits import VISITOR_FIELDS, steps_brief, visit_rows


def centre_summary(centre: Centre, now: datetime) -> dict:
    """A centre as the public sees it: open now, today's hours, waiting count and wait."""
    local = now.astimezone(centre.tz)
    hours = centre.opening_hours
    span = hours.span_on(local.date())
    state = queue_state(centre, now)
    return {
        "code": centre.code, "name": centre.name, "address": centre.address, "timezone": centre.timezone,
        "target_wait_min": centre.target_wait_min,
        "open_now": hours.is_open(local),
        "hours_today": None if span is None else format_span(span),
        "waiting": len(state.order),
        "estimated_wait_min": state.estimates.centre(),
        "estimated_wait_range_min": wait_range(centre.id, state.estimates.centre(), now),
    }


def queue_view(centre: Centre, now: datetime) -> dict:
    """The waiting tickets in calling order, with per-service counts and waits."""
    state = queue_state(centre, now)
    numbers = {
        i: (number, visit if visit is not None else i) for i, number, visit in db.session.execute(
            select(Ticket.id, Ticket.number, Ticket.visit_id).where(Ticket.centre_id == centre.id, Ticket.status == WAITING)
        )
    }
    positions: dict[str, int] = {}
    tickets = []
    for c in state.order:
        positions[c.service] = positions.get(c.service, 0) + 1
        tickets.append({
            "id": c.id, "number": numbers.get(c.id, ("?",))[0], "visit": numbers.get(c.id, (0, c.id))[1],
            "service": c.service, "priority": c.priority,
            "appointment": c.appointment_start is not None, "arrived_at": c.arrived_at,
            "position": positions[c.service], "estimated_wait_min": state.estimates.tickets.get(c.id),
        })
    counts = state.waiting_by_service()
    return {
        "centre": centre.code,
        "waiting": len(state.order),
        "open_counters": state.open_counters,
        "estimated_wait_min": state.estimates.centre(),
        "services": [
            {"service": s, "waiting": counts.get(s, 0), "estimated_wait_min": w}
            for s, w in sorted(state.estimates.services.items())
            if w is not None or counts.get(s)
        ],
        "tickets": tickets,
    }


ROW_COLUMNS = (
    Service.code, Ticket.status, Ticket.issued_at, Ticket.called_at, Ticket.started_at, Ticket.finished_at,
    Ticket.outcome, Ticket.reason, Ticket.estimate_at_issue_min, Ticket.source,
    func.coalesce(Ticket.visit_id, Ticket.id), Ticket.arrived_at, Ticket.step, Ticket.next_steps, Ticket.contact_hash,
    Ticket.estimate_low_min, Ticket.estimate_high_min,
)


def as_visit(r, zone=None, cls=Visit, **extra) -> Visit:
    """A row of ROW_COLUMNS (then anything else) as the statistics see it; times on `zone`'s clock if given."""
    (service, status, issued, called, started, finished, outcome, reason, estimate, source,
     visit, arrived, step, to_come, contact, low, high) = r[:17]
    times = [t.astimezone(zone) if zone is not None and t is not None else t
             for t in (issued, called, started, finished, arrived)]
    return cls(service, status, *times[:4], outcome=outcome, reason=reason, estimate_min=estimate, source=source,
                 visit=visit, arrived_at=times[4], step=step, steps_to_come=len(to_come or ()), contact=contact,
                 range_low=low, range_high=high, **extra)


def day_visits(centre: Centre, day: date) -> list[Visit]:
    """The tickets of a centre's service day, as the statistics see them."""
    rows = db.session.execute(
        select(*ROW_COLUMNS).join(Service, Service.id == Ticket.service_id)
        .where(Ticket.centre_id == centre.id, Ticket.service_day == day)
    ).all()
    return [as_visit(r) for r in rows]


def earlier_resolved(seen, start: date, end: date) -> list[Resolved]:
    """The steps resolved, at any centre, from 30 days before `start` to `end`, for the contacts of the
    tickets `seen` selects (a select of Ticket.contact_hash): what repeat visits are matched against."""
    rows = db.session.execute(
        select(Ticket.contact_hash, Service.code, func.coalesce(Ticket.visit_id, Ticket.id), Ticket.finished_at)
        .join(Service, Service.id == Ticket.service_id)
        .where(Ticket.contact_hash.in_(seen.where(Ticket.contact_hash.is_not(None))),
               Ticket.status == DONE, Ticket.outcome == RESOLVED, Ticket.finished_at.is_not(None),
               Ticket.service_day.between(start - REPEAT_WINDOW - timedelta(days=1), end))
    ).all()
    return [Resolved(*r) for r in rows]


def day_earlier_resolved(centre: Centre, day: date) -> list[Resolved]:
    """earlier_resolved for the contacts of a centre's service day."""
    seen = select(Ticket.contact_hash).where(Ticket.centre_id == centre.id, Ticket.service_day == day)
    return earlier_resolved(seen, day, day)


def day_stats(centre: Centre, day: date) -> DayFigures:
    return day_figures(day_visits(centre, day), centre.target_wait_min, day_earlier_resolved(centre, day))


@dataclass(frozen=True)
class TicketStatus:
    number: str
    centre: str
    service: str
    service_name: dict
    status: str
    position: int | None
    ahead: int | None
    estimated_wait_min: float | None
    counter: dict | None
    issued_at: datetime
    called_at: datetime | None
    actions: tuple[str, ...] = ()  # the moves legal from its status: none once the visit is over
    step: int = 1  # the visit's step this is (SPEC §11)
    steps: tuple[dict, ...] = ()  # every step of the visit: {step, service, service_name, status, counter}
    estimated_wait_range_min: tuple[int, int] | None = None  # where the data say so (services/ranges.py)


def visit_by_token(token: str) -> Ticket:
    """The ticket a status-page token stands for: its visit's current row (the step it is at, or
    a transfer's ticket), which the token's own row may have become."""
    return visit_rows_by_token(token)[-1]


def visit_rows_by_token(token: str) -> list[Ticket]:
    """Every row of the visit a status-page token stands for, first step first."""
    ticket = db.session.scalar(select(Ticket).where(Ticket.token == token)) if len(token) <= 64 else None
    if ticket is None:
        raise NotFound("no ticket with that token")
    return with_catalogue(visit_rows(ticket))


def ticket_status(token: str, now: datetime) -> TicketStatus:
    """The visitor's view of their visit: the step it is at, and every step's state."""
    return visit_status(visit_rows_by_token(token), now)


def visit_status(rows: list[Ticket], now: datetime) -> TicketStatus:
    """`ticket_status` from the visit's rows (visits.visit_rows), first step first."""
    ticket = rows[-1]
    steps = tuple(steps_brief(ticket, rows, VISITOR_FIELDS))
    position = estimate = None
    if ticket.status == WAITING:
        position, estimate = place(ticket.centre, now, ticket.id)
    counter = None
    if ticket.status in (CALLED, SERVING) and ticket.counter is not None:
        counter = {"code": ticket.counter.code, "name": ticket.counter.name}
    return TicketStatus(
        number=ticket.number, centre=ticket.centre.code, service=ticket.service.code,
        service_name=ticket.service.name, status=ticket.status, position=position,
        ahead=None if position is None else position - 1, estimated_wait_min=estimate,
        counter=counter, issued_at=ticket.issued_at, called_at=ticket.called_at,
        actions=tuple(moves(ticket.status)), step=ticket.step, steps=steps,
        estimated_wait_range_min=wait_range(ticket.centre_id, estimate, now),
    )
