"""A centre's queue as it stands: the calling order, positions and estimated waits."""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter

from flask import current_app
from sqlalchemy import bindparam, false, func, select, true, union_all

from ..domain.estimates import CounterLoad, Estimates, estimate_waits, handling_minutes, remaining_minutes
from ..domain.hours import service_day
from ..domain.lifecycle import AT_COUNTER, COUNTER_OPEN, DONE, WAITING
from ..domain.policy import Candidate, PolicySettings, Skills, centre_order, line_pressure
from ..extensions import db
from ..models import Appointment, Centre, Counter, Service, Ticket
from .arrivals import arriving_loads
from .lookup import policy_for, service_durations, service_ids
from .tx import core
from .waiting import waiting_and_served

_ID, _SERVICE = itemgetter(0), itemgetter(1)  # a Candidate's id and service (a named tuple)
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
        found = _where(self.order, ticket_id)
        return (None, None) if found is None else (found[1], self.estimates.tickets.get(ticket_id))

    def waiting_by_service(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.order:
            counts[c.service] = counts.get(c.service, 0) + 1
        return counts


def _where(order: list[Candidate], ticket_id: int) -> tuple[int, int] | None:
    """The ticket's index in `order` and its position among its service's tickets (1-based), or
    None; found and counted by map() and list methods: an issue at a long queue does this too."""
    try:
        at = list(map(_ID, order)).index(ticket_id)
    except ValueError:
        return None
    return at, list(map(_SERVICE, order[:at + 1])).count(order[at].service)


# Statements are built once and reused with bound parameters: building SQLAlchemy expressions
# costs more than running these small indexed queries.
_CANDIDATE_COLUMNS = (Ticket.id, Service.code, Ticket.arrived_at, Ticket.priority, Appointment.start, Service.weight)

_WAITING = (
    select(*_CANDIDATE_COLUMNS)
    .join(Service, Service.id == Ticket.service_id)
    .outerjoin(Appointment, Appointment.id == Ticket.appointment_id)
    .where(Ticket.centre_id == bindparam("centre_id"), Ticket.status == WAITING)
)


@functools.cache
def _heads_statement(lines: int):
    """The tickets `policy.heads` keeps, for a counter serving `lines` services: each line's
    first ordinary tickets (an ordered range of ix_tickets_line, LIMIT per_service), and the
    special ones — priority (a range of the same index) and appointments (of
    ix_tickets_centre_status_appointment). A few rows a line, read as such however long the line."""
    def waiting(*where):
        return (select(*_CANDIDATE_COLUMNS)
                .join(Service, Service.id == Ticket.service_id)
                .outerjoin(Appointment, Appointment.id == Ticket.appointment_id)
                .where(Ticket.centre_id == bindparam("centre_id"), Ticket.status == WAITING,
                       Ticket.for_counter_id.is_(None), *where))  # one sent to a named counter waits for it alone

    heads = [select(waiting(Ticket.service_id == bindparam(f"service_{i}"), Ticket.priority == false(),
                            Ticket.appointment_id.is_(None))
                    .order_by(Ticket.arrived_at, Ticket.id).limit(bindparam("per_service")).subquery())
             for i in range(lines)]
    services = Ticket.service_id.in_(bindparam("services", expanding=True))
    # the centre's waiting appointments, of any service (few; a service filter would lead SQLite's
    # planner to the line index and through every ordinary ticket): head_candidates keeps its own
    return union_all(*heads, waiting(services, Ticket.priority == true()), waiting(Ticket.appointment_id.is_not(None)))


_OPEN_COUNTERS = select(Counter.id, Counter.skills, Counter.staff_id).where(
    Counter.centre_id == bindparam("centre_id"), Counter.state == COUNTER_OPEN
)

_AT_COUNTERS = (
    select(Ticket.counter_id, Service.code, Ticket.called_at, Ticket.started_at)
    .join(Service, Service.id == Ticket.service_id)
    .where(Ticket.centre_id == bindparam("centre_id"), Ticket.status.in_(AT_COUNTER))
)


@functools.cache
def _observed_statement(dialect: str):
    """Today's finished visits per service: total minutes and count."""
    if dialect == "sqlite":
        minutes = (func.julianday(Ticket.finished_at) - func.julianday(Ticket.started_at)) * 1440.0
    else:
        minutes = func.extract("epoch", Ticket.finished_at - Ticket.started_at) / 60.0
    return (
        select(Service.code, func.sum(minutes), func.count())
        .join(Service, Service.id == Ticket.service_id)
        .where(
            Ticket.centre_id == bindparam("centre_id"),
            Ticket.service_day == bindparam("day"),
            Ticket.status == DONE,
            Ticket.started_at.is_not(None),
        )
        .group_by(Service.code)
    )


def _candidates(rows) -> list[Candidate]:
    return [Candidate(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows]


def candidates(centre_id: int) -> list[Candidate]:
    """The centre's waiting tickets as the policy sees them, read whole in one statement. The
    requests read them as services/waiting.py keeps them and call-next by `head_candidates`; this
    plain read is what the tests hold both to (tests/integration/test_queue_state.py, test_heads.py)."""
    return _candidates(db.session.execute(_WAITING, {"centre_id": centre_id}))


def head_candidates(centre_id: int, services: frozenset[str], per_service: int) -> list[Candidate]:
    """The tickets `policy.heads` keeps of the services given: all that a counter's call can pick
    from (each line's `per_service` oldest ordinary tickets, and every special one), read line by
    line on indexes: a few dozen rows however long the queue is."""
    ids = service_ids(knowing=services)
    lines = sorted(ids[code] for code in services if code in ids)
    params = {"centre_id": centre_id, "per_service": per_service, "services": lines,
              **{f"service_{i}": service_id for i, service_id in enumerate(lines)}}
    kept = {c.id: c for c in _candidates(core(_heads_statement(len(lines)), params))
            if c.service in services}  # an appointment of another service, or met twice (it has priority too): out
    return list(kept.values())


def servers(loads: list[CounterLoad]) -> dict[str, int]:
    """Open counters serving each service."""
    out: dict[str, int] = {}
    for load in loads:
        for service in load.skills.services:
            out[service] = out.get(service, 0) + 1
    return out


def pressure(centre_id: int, lines: Mapping[str, Sequence[Candidate]], now: datetime, policy: PolicySettings,
             loads: list[CounterLoad] | None = None) -> dict[str, float] | None:
    """Each service's pressure (policy.line_pressure) over its line of ordinary tickets in arrival
    order (policy.ordinary_lines), from the configured handling times and the counters open now
    (`loads`, else read); None when the policy does not route by pressure."""
    if not policy.route_by_pressure or policy.first_come_first_served:
        return None
    if loads is None:
        loads = [CounterLoad(cid, Skills.of(sk.get("primary", ()), sk.get("secondary", ())))
                 for cid, sk, _ in db.session.execute(_OPEN_COUNTERS, {"centre_id": centre_id})]
    return line_pressure(lines, now, service_durations(), servers(loads))


SERVED = "onedoor.served"  # per app: centre id → Served


@dataclass(frozen=True)
class Served:
    """What an estimate reads of a centre's counters: today's finished visits per service (total
    minutes, count), the tickets at counters (counter id → service, called, started) and the open
    counters (id, skills, clerk). Kept per centre at the served version it was read at
    (services/waiting.py): issuing changes none of it, so an issue after an issue reads none of it."""

    version: int | None
    day: date
    observed: dict[str, tuple[float, int]]
    busy: dict[int, tuple]
    open: list[tuple]


def served(centre: Centre, now: datetime, version: int | None = None) -> Served:
    """The centre's `Served` as of the served `version` (waiting.waiting_and_served), kept or read;
    read, and not kept, without one."""
    day = service_day(now, centre.tz)
    kept_all = current_app.extensions.setdefault(SERVED, {})
    kept = kept_all.get(centre.id)
    if version is not None and kept is not None and kept.version == version and kept.day == day:
        return kept
    params = {"centre_id": centre.id, "day": day}
    fresh = Served(
        version, day,
        {code: (float(total or 0.0), n)
         for code, total, n in db.session.execute(_observed_statement(db.engine.dialect.name), params)},
        {row[0]: tuple(row[1:]) for row in db.session.execute(_AT_COUNTERS, params)},
        [tuple(row) for row in db.session.execute(_OPEN_COUNTERS, params)],
    )
    if version is not None:
        kept_all[centre.id] = fresh
    return fresh


def handling_times(centre: Centre, now: datetime, seen: Served | None = None) -> dict[str, float]:
    """Minutes per service: the configured duration blended with today's finished visits."""
    observed = (seen or served(centre, now)).observed
    out = {}
    for code, duration in service_durations().items():
        total, n = observed.get(code, (0.0, 0))
        out[code] = handling_minutes(duration, total, n)
    return out


def _open_loads(seen: Served, now: datetime, durations: dict[str, float]) -> tuple[list[CounterLoad], set[int]]:
    """Open counters with their skills and the minutes until each is free, and the staff ids of
    the clerks at those counters."""
    loads, clerks = [], set()
    for counter_id, skills, staff_id in seen.open:
        if staff_id is not None:
            clerks.add(staff_id)
        left = 0.0
        if counter_id in seen.busy:
            code, called_at, started_at = seen.busy[counter_id]
            duration = durations.get(code, 10.0)
            if started_at is not None:
                left = remaining_minutes(duration, (now - started_at).total_seconds() / 60)
            else:
                left = duration + max(WALK_MIN - (now - called_at).total_seconds() / 60, 0.0)
        loads.append(CounterLoad(counter_id, Skills.of(skills.get("primary", ()), skills.get("secondary", ())), left))
    return loads, clerks


def _ordered(centre: Centre, now: datetime, policy: PolicySettings | None, newcomer: Candidate | None):
    """The centre's waiting tickets (and `newcomer`) in calling order, with what estimates them:
    (order, the open counters and those arriving later today, handling minutes, open counters)."""
    policy = policy or policy_for(centre)
    queue, version = waiting_and_served(centre.id)
    if newcomer is not None:
        queue = queue.plus(newcomer)
    seen = served(centre, now, version)
    durations = handling_times(centre, now, seen)
    loads, clerks = _open_loads(seen, now, durations)
    order = centre_order(queue.lines, queue.special, now, policy, pressure(centre.id, queue.lines, now, policy, loads))
    return order, loads + arriving_loads(centre, now, clerks), durations, len(loads)


def queue_state(
    centre: Centre, now: datetime, policy: PolicySettings | None = None, *, newcomer: Candidate | None = None
) -> QueueState:
    """Compute the centre's queue: calling order and estimated waits, as of `now`.

    `newcomer`, a ticket about to be issued (any id not yet in use), is placed as if it waited.
    Clerks the roster brings on duty later today count as counters that free when they arrive
    (services/arrivals.py): a service covered from 10:00 has an estimate at 09:50, not None.
    """
    order, loads, durations, open_counters = _ordered(centre, now, policy, newcomer)
    estimates = estimate_waits(order, loads, durations, services=sorted(durations))
    return QueueState(centre.id, now, order, estimates, open_counters)


def place(centre: Centre, now: datetime, ticket_id: int, *, newcomer: Candidate | None = None,
          policy: PolicySettings | None = None) -> tuple[int | None, float | None]:
    """`queue_state(centre, now, newcomer=newcomer).place(ticket_id)`: where one ticket stands
    (its position in its service's line, minutes to wait), the queue replayed onto the counters
    only as far as that ticket — those after it change neither figure. A ticket issued behind
    2,000 others at the back of its line still replays them all; one near the front, few."""
    order, loads, durations, _ = _ordered(centre, now, policy, newcomer)
    found = _where(order, ticket_id)
    if found is None:
        return None, None
    at, position = found
    return position, estimate_waits(order[:at + 1], loads, durations).tickets[ticket_id]
