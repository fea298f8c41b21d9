"""A centre's queue as it stands: the calling order, positions and estimated waits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..domain.estimates import CounterLoad, Estimates, estimate_waits, handling_minutes, remaining_minutes
from ..domain.hours import service_day
from ..domain.lifecycle import AT_COUNTER, DONE, WAITING
from ..domain.policy import Candidate, PolicySettings, calling_order
from ..extensions import db
from ..models import Appointment, Centre, Counter, Service, Ticket
from .lookup import policy_for, service_durations

WALK_MIN = 1.0  # minutes a called visitor takes to reach the counter


@dataclass(frozen=True)
class QueueState:
    """Waiting tickets in centre-wide calling order, with their estimates."""

    centre_id: int
    now: datetime
    order: list[Candidate]
    estimates: Estimates
    open_counters: int

    def place(self, ticket_id: int) -> tuple[int | None, float | None]:
        """Return (position among its service's waiting tickets, 1-based; minutes to wait)."""
        service = None
        for c in self.order:
            if c.id == ticket_id:
                service = c.service
                break
        if service is None:
            return None, None
        pos = 0
        for c in self.order:
            if c.service == service:
                pos += 1
            if c.id == ticket_id:
                break
        return pos, self.estimates.tickets.get(ticket_id)

    def waiting_by_service(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.order:
            counts[c.service] = counts.get(c.service, 0) + 1
        return counts


def candidates(centre_id: int) -> list[Candidate]:
    """The centre's waiting tickets as the policy sees them."""
    rows = db.session.execute(
        select(Ticket.id, Service.code, Ticket.arrived_at, Ticket.priority, Appointment.start, Service.weight)
        .join(Service, Service.id == Ticket.service_id)
        .outerjoin(Appointment, Appointment.id == Ticket.appointment_id)
        .where(Ticket.centre_id == centre_id, Ticket.status == WAITING)
    ).all()
    return [Candidate(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows]


def handling_times(centre: Centre, now: datetime) -> dict[str, float]:
    """Minutes per service: the configured duration blended with today's finished visits."""
    day = service_day(now, centre.tz)
    observed = {
        code: (total, n)
        for code, total, n in db.session.execute(
            select(Service.code, func.sum(_minutes_between(Ticket.started_at, Ticket.finished_at)), func.count())
            .join(Service, Service.id == Ticket.service_id)
            .where(
                Ticket.centre_id == centre.id,
                Ticket.service_day == day,
                Ticket.status == DONE,
                Ticket.started_at.is_not(None),
            )
            .group_by(Service.code)
        )
    }
    out = {}
    for code, duration in service_durations().items():
        total, n = observed.get(code, (0.0, 0))
        out[code] = handling_minutes(duration, float(total or 0.0), n)
    return out


def _minutes_between(a, b):
    """SQL for the minutes between two timestamp columns, on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return (func.julianday(b) - func.julianday(a)) * 1440.0
    return func.extract("epoch", b - a) / 60.0


def counter_loads(centre_id: int, now: datetime, durations: dict[str, float]) -> list[CounterLoad]:
    """Open counters with their skills and the minutes until each is free."""
    counters = db.session.scalars(
        select(Counter).where(Counter.centre_id == centre_id, Counter.state == "open")
    ).all()
    busy = {
        counter_id: (status, code, called_at, started_at)
        for counter_id, status, code, called_at, started_at in db.session.execute(
            select(Ticket.counter_id, Ticket.status, Service.code, Ticket.called_at, Ticket.started_at)
            .join(Service, Service.id == Ticket.service_id)
            .where(Ticket.centre_id == centre_id, Ticket.status.in_(AT_COUNTER))
        )
    }
    loads = []
    for c in counters:
        left = 0.0
        if c.id in busy:
            status, code, called_at, started_at = busy[c.id]
            duration = durations.get(code, 10.0)
            if started_at is not None:
                left = remaining_minutes(duration, (now - started_at).total_seconds() / 60)
            else:
                left = duration + max(WALK_MIN - (now - called_at).total_seconds() / 60, 0.0)
        loads.append(CounterLoad(c.id, c.skill_set(), left))
    return loads


def queue_state(
    centre: Centre, now: datetime, policy: PolicySettings | None = None, *, newcomer: Candidate | None = None
) -> QueueState:
    """Compute the centre's queue: calling order and estimated waits, as of `now`.

    `newcomer`, a ticket about to be issued (any id not yet in use), is placed as if it waited.
    """
    policy = policy or policy_for(centre)
    pool = candidates(centre.id)
    if newcomer is not None:
        pool.append(newcomer)
    order = calling_order(pool, now, policy)
    durations = handling_times(centre, now)
    loads = counter_loads(centre.id, now, durations)
    estimates = estimate_waits(order, loads, durations, services=sorted(durations))
    return QueueState(centre.id, now, order, estimates, len(loads))
