"""Replay a day through the real engine with a simulated clock.

The day's visitors are drawn first (plan.py). A fresh database gets the network's catalogue and one
simulated centre, SIM, whose clerks are the plan's; then a discrete-event loop moves the clock from
one happening to the next — an arrival, a shift change on the hour, a visitor reaching a counter, a
visit ending, a called visitor who is not there — and at each one calls the same services a kiosk
and a clerk would (`issue_ticket`, `check_in`, `call_next`, `start`, `finish`, `no_show`,
`open_counter`, `close_counter`) with `now` set to the simulated moment. Nothing waits on a real
clock, so a 12-hour day runs in seconds, and the policy, the estimates and the numbering are the
product's own, not a model of them.

A free counter calls at once; a counter with nothing it can serve waits until a ticket it serves
arrives. Clerks come on duty on the hour in roster order (plan.roster) and leave after their current
visit; after closing time the counters on duty serve whoever still waits.

A visitor who comes for a life event's visit of several services (SPEC §11) takes one ticket for all
of them: when a step ends, the engine makes the next step's row, waiting in that line with the
visit's arrival time. With `separate`, the same visitors take a ticket for one service at a time
instead, a new one at the kiosk after each step (to the back of the next line): the comparison.
"""
from __future__ import annotations

import heapq
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from pydantic import ValidationError
from sqlalchemy import select

from ..config import ConfigError, NetworkConfig, read_network_file
from ..domain.access import SYSTEM
from ..domain.errors import CentreClosed
from ..domain.estimates import door_to_door
from ..domain.ranges import Calibration
from ..domain.lifecycle import WAITING
from ..extensions import db
from ..models import Appointment, Centre, Service, Ticket
from ..services import ranges
from .kpis import Kpis, Outcome, VisitKpis, VisitOutcome, kpis, visit_kpis
from .plan import DayPlan, Visitor, check_against, clerk_shifts, draw_visitors, minutes_of, roster

CENTRE = "SIM"
ARRIVE, SHIFT, REACH, DONE, ABSENT = "arrive", "shift", "reach", "done", "absent"
ON, OFF = "on", "off"  # a rostered clerk comes to the counter (shift start, break end) or leaves it


@dataclass
class Desk:
    code: str
    username: str
    services: frozenset[str]
    ticket: int | None = None
    leaving: bool = False


@dataclass
class Trip:
    """A visitor's visit as it goes: its first ticket, arrival, the waits of its steps so far, its end."""

    first_ticket: int
    arrived_min: float
    services: tuple[str, ...]
    predicted_min: float | None = None
    waits: list[float] = field(default_factory=list)
    ended_min: float | None = None

    def outcome(self) -> VisitOutcome:
        return VisitOutcome(self.arrived_min, self.services, tuple(self.waits), self.ended_min, self.predicted_min)


@dataclass(frozen=True)
class Result:
    plan: DayPlan
    seed: int
    policy: dict
    visitors: int
    outcomes: list[Outcome]
    kpis: Kpis
    staffing: list[int] = field(default_factory=list)
    clerk_hours: float = 0.0  # planned hours at a counter (plan.clerk_hours)
    visits: list[VisitOutcome] = field(default_factory=list)
    visit_kpis: VisitKpis | None = None
    separate: bool = False  # the visitors took a ticket per service

    @property
    def first_come_first_served(self) -> bool:
        return bool(self.policy.get("first_come_first_served"))

    @property
    def policy_name(self) -> str:
        if self.first_come_first_served:
            return "first come, first served"
        changed = ", ".join(f"{k}={v}" for k, v in sorted(self.policy.items()))
        return "OneDoor policy" + (f" with {changed}" if changed else "")


def simulated_network(base: NetworkConfig, plan: DayPlan, policy: dict) -> NetworkConfig:
    """The base network's catalogue and policy (with `policy`'s changes), one centre, SIM, and the plan's clerks."""
    d = plan.day
    data = base.model_dump(mode="json")
    data["policy"].update(policy)
    data["centres"] = [{
        "code": CENTRE, "name": {base.default_language: "Simulated centre"},
        "address": {base.default_language: "Nowhere"}, "timezone": d.timezone, "counters": d.counters,
        "hours": {day: f"{d.opens}-{d.closes}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        "target_wait_min": d.target_wait_min,
    }]
    data["staff"] = [
        {"username": f"clerk{i:02d}", "name": f"Clerk {i}", "role": "clerk", "centres": [CENTRE],
         "primary": list(g.primary), "secondary": [s for s in g.secondary if s not in g.primary]}
        for i, g in enumerate(roster(plan), start=1)
    ]
    try:
        return NetworkConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None


class Day:
    """One simulated day in an app context whose database holds the simulated network."""

    def __init__(self, plan: DayPlan, seed: int, progress: Callable[[int], None] | None = None, *,
                 life_events: dict[str, list[str]] | None = None, separate: bool = False):
        from ..services.lookup import service_durations

        self.plan, self.seed, self.progress = plan, seed, progress or (lambda n: None)
        self.separate = separate
        self.durations = service_durations()
        check_against(plan, self.durations)
        self.visitors = draw_visitors(plan, seed, self.durations, life_events)
        self.events: list[tuple[float, int, str, object]] = []
        self.order = 0
        self.clock = 0.0
        self.desks = [Desk(f"{CENTRE}-{i:02d}", f"clerk{i:02d}", frozenset(g.primary) | frozenset(g.secondary))
                      for i, g in enumerate(roster(plan), start=1)][: plan.day.counters]
        self.on_duty: list[Desk] = []
        self.idle: set[str] = set()
        self.by_ticket: dict[int, Visitor] = {}
        self.step_of: dict[int, int] = {}  # ticket → its step of the visitor's services (0-based)
        self.trip_of: dict[int, Trip] = {}
        self.joined: dict[int, float] = {}  # ticket → when it joined its line
        self.trips: list[Trip] = []
        self.naive: dict[int, float | None] = {}
        self.staffing: list[int] = []

    # ---- the clock ----

    def at(self, minute: float) -> datetime:
        return self.plan.local(minute).astimezone(timezone.utc)

    def schedule(self, minute: float, kind: str, what: object = None) -> None:
        self.order += 1
        heapq.heappush(self.events, (minute, self.order, kind, what))

    def run(self) -> list[Outcome]:
        opens = minutes_of(self.plan.day.opens)
        self.schedule_roster()  # first: the hour's count (below) sees who came on at that minute
        for h in range(self.plan.day.hours):
            self.schedule(opens + 60 * h, SHIFT, h)
        self.book_appointments()
        handled = {ARRIVE: self.arrive, SHIFT: self.shift, REACH: self.reach, DONE: self.done, ABSENT: self.absent,
                   ON: self.come, OFF: self.leave}
        while self.events:
            self.clock, _, kind, what = heapq.heappop(self.events)
            handled[kind](what)
        return self.outcomes()

    # ---- before the day: appointments, booked the day before at noon ----

    def book_appointments(self) -> None:
        from ..domain.errors import DomainError
        from ..services import book, slots

        booked_at = self.at(-12 * 60)
        day = self.plan.day.date
        bookable = set(db.session.scalars(select(Service.code).where(Service.bookable.is_(True))))
        free: dict[str, list] = {}
        for i, v in enumerate(self.visitors):
            if v.appointment_min is None:
                self.schedule(v.arrives_min, ARRIVE, (v, None))
                continue
            if v.service not in bookable:  # nothing to book: they come when they wanted the slot
                self.schedule(v.appointment_min, ARRIVE, (Visitor(v.appointment_min, v.service, v.handling_min,
                                                                  shows=v.shows), None))
                continue
            if v.service not in free:
                free[v.service] = [[s.start, s.available] for s in slots(CENTRE, v.service, day, booked_at)]
            wanted = self.at(v.appointment_min)
            slot = next((s for s in free[v.service] if s[0] >= wanted - timedelta(minutes=1) and s[1] > 0), None)
            if slot is None:  # the day is fully booked from then on: they come as a walk-in
                self.schedule(v.arrives_min, ARRIVE, (v, None))
                continue
            try:
                code = book(CENTRE, v.service, slot[0], f"Visitor {i}", email=f"visitor{i}@example.invalid",
                            now=booked_at).code
            except DomainError:
                self.schedule(v.arrives_min, ARRIVE, (v, None))
                continue
            slot[1] -= 1
            start = minutes_of(self.plan.day.opens) + (slot[0] - self.at(minutes_of(self.plan.day.opens))).total_seconds() / 60
            early = v.appointment_min - v.arrives_min
            arrive = max(start - early, float(minutes_of(self.plan.day.opens)))
            self.schedule(arrive, ARRIVE, (Visitor(arrive, v.service, v.handling_min, False, start, v.shows), code))

    # ---- happenings ----

    def arrive(self, what) -> None:
        from ..services import check_in, issue_ticket

        visitor, code = what
        now = self.at(self.clock)
        if code is not None:
            issued = check_in(CENTRE, code, now=now, by=SYSTEM)
        elif visitor.later and not self.separate:  # one ticket for the whole visit
            issued = issue_ticket(CENTRE, services=visitor.services, now=now, priority=visitor.priority,
                                  source="kiosk", by=SYSTEM)
        else:
            issued = issue_ticket(CENTRE, visitor.service, now=now, priority=visitor.priority, source="kiosk", by=SYSTEM)
        ticket_id = issued.ticket.id
        trip = Trip(ticket_id, self.clock, tuple(visitor.services))
        if visitor.later:
            trip.predicted_min = self.predicted_door_to_door(issued.ticket.estimate_at_issue_min, visitor, now)
        self.trips.append(trip)
        self.track(ticket_id, visitor, trip, 0)
        self.naive[ticket_id] = self.naive_estimate(issued.position, visitor.service, now)
        self.progress(1)
        self.wake(visitor.service)

    def track(self, ticket_id: int, visitor: Visitor, trip: Trip, step: int) -> None:
        self.by_ticket[ticket_id], self.trip_of[ticket_id], self.step_of[ticket_id] = visitor, trip, step
        self.joined[ticket_id] = self.clock

    def wake(self, service: str) -> None:
        """Idle counters that serve the service call: a ticket for it now waits."""
        for desk in list(self.on_duty):
            if desk.code in self.idle and service in desk.services:
                self.call(desk)

    def predicted_door_to_door(self, first_wait: float | None, visitor: Visitor, now: datetime) -> float:
        """The estimator's door-to-door time at arrival (domain/estimates.py door_to_door)."""
        from ..services.queue import handling_times, queue_state

        centre = self.centre
        waits = queue_state(centre, now).estimates.services
        return door_to_door(first_wait, visitor.services, waits, handling_times(centre, now), keeps_place=not self.separate)

    def naive_estimate(self, position: int | None, service: str, now: datetime) -> float | None:
        """SPEC §8's yardstick: position × average handling time ÷ open counters serving the service."""
        from ..services.queue import handling_times

        serving = sum(service in d.services for d in self.on_duty)
        if position is None or serving == 0:
            return None
        average = handling_times(self.centre, now)[service]
        return position * average / serving

    def schedule_roster(self) -> None:
        """A roster's comings and goings; the day's closing ends no shift (see the module's doc)."""
        closes = minutes_of(self.plan.day.closes)
        for i, shift in clerk_shifts(self.plan):
            desk = self.desks[i]
            times = [minutes_of(shift.start)] + [m for a, b in shift.breaks for m in (minutes_of(a), minutes_of(b))]
            times.append(minutes_of(shift.end))
            for k, minute in enumerate(times):
                if k % 2 == 0:
                    self.schedule(minute, ON, desk)
                elif minute < closes:
                    self.schedule(minute, OFF, desk)

    def come(self, desk: Desk) -> None:
        from ..services import open_counter

        if desk in self.on_duty:  # back before leaving (a break ended while the visit went on)
            desk.leaving = False
            return
        if desk.leaving:  # still finishing a visit: simply stays
            desk.leaving = False
        else:
            open_counter(desk.code, desk.username, now=self.at(self.clock), by=SYSTEM)
        self.on_duty.append(desk)
        if desk.ticket is None:
            self.call(desk)

    def leave(self, desk: Desk) -> None:
        from ..services import close_counter

        self.on_duty.remove(desk)
        if desk.ticket is None:
            self.idle.discard(desk.code)
            close_counter(desk.code, by=SYSTEM)
        else:
            desk.leaving = True

    def shift(self, hour: int) -> None:
        from ..services import close_counter, open_counter

        if self.plan.shifts:  # a roster: only note who is on at the hour
            self.staffing.append(len(self.on_duty))
            return
        wanted = min(self.plan.staffed(hour), len(self.desks))
        self.staffing.append(wanted)
        now = self.at(self.clock)
        while len(self.on_duty) > wanted:
            desk = self.on_duty.pop()
            if desk.ticket is None:
                self.idle.discard(desk.code)
                close_counter(desk.code, by=SYSTEM)
            else:
                desk.leaving = True
        for desk in self.desks[len(self.on_duty):wanted]:
            if desk.leaving:  # still finishing a visit: simply stays
                desk.leaving = False
            else:
                open_counter(desk.code, desk.username, now=now, by=SYSTEM)
            self.on_duty.append(desk)
            if desk.ticket is None:
                self.call(desk)

    def call(self, desk: Desk) -> None:
        from ..services import call_next

        ticket = call_next(desk.code, now=self.at(self.clock), by=SYSTEM)
        if ticket is None:
            self.idle.add(desk.code)
            return
        self.idle.discard(desk.code)
        desk.ticket = ticket.id
        visitor = self.by_ticket[ticket.id]
        self.trip_of[ticket.id].waits.append(self.clock - self.joined[ticket.id])
        v = self.plan.visitors
        if visitor.shows or self.step_of[ticket.id] > 0:  # a later step's visitor is in the centre
            self.schedule(self.clock + v.walk_min, REACH, desk)
        else:
            self.schedule(self.clock + v.no_show_after_min, ABSENT, desk)

    def reach(self, desk: Desk) -> None:
        from ..services import start

        start(desk.ticket, now=self.at(self.clock), by=SYSTEM)
        ticket = desk.ticket
        self.schedule(self.clock + self.by_ticket[ticket].handling(self.step_of[ticket]), DONE, desk)

    def done(self, desk: Desk) -> None:
        from ..services import finish, issue_ticket

        ticket, now = desk.ticket, self.at(self.clock)
        finish(ticket, "resolved", now=now, by=SYSTEM)
        visitor, trip, step = self.by_ticket[ticket], self.trip_of[ticket], self.step_of[ticket] + 1
        if step == len(visitor.services):
            trip.ended_min = self.clock
            self.free(desk)
            return
        service = visitor.services[step]
        if self.separate:  # back to the kiosk for the next service's ticket, if it still issues them
            try:
                following = issue_ticket(CENTRE, service, now=now, source="kiosk", by=SYSTEM).ticket.id
            except CentreClosed:  # the visit is not served to its end: they must come back
                self.free(desk)
                return
        else:  # the engine made the next step's row: it waits in that line
            following = db.session.scalar(select(Ticket.id).where(Ticket.visit_id == trip.first_ticket,
                                                                  Ticket.status == WAITING))
        self.track(following, visitor, trip, step)
        self.free(desk)
        self.wake(service)

    def absent(self, desk: Desk) -> None:
        from ..services import no_show

        no_show(desk.ticket, now=self.at(self.clock), by=SYSTEM)
        self.free(desk)

    def free(self, desk: Desk) -> None:
        from ..services import close_counter

        desk.ticket = None
        if desk.leaving:
            desk.leaving = False
            close_counter(desk.code, by=SYSTEM)
        else:
            self.call(desk)

    # ---- after the day ----

    @property
    def centre(self) -> Centre:
        return db.session.scalar(select(Centre).where(Centre.code == CENTRE))

    def outcomes(self) -> list[Outcome]:
        midnight = self.at(0)

        def minutes(t: datetime | None) -> float | None:
            if t is None:
                return None
            if t.tzinfo is None:  # SQLite hands back naive UTC
                t = t.replace(tzinfo=timezone.utc)
            return (t - midnight).total_seconds() / 60

        rows = db.session.execute(
            select(Ticket.id, Ticket.number, Service.code, Ticket.issued_at, Ticket.status, Ticket.called_at,
                   Appointment.start, Ticket.priority, Ticket.estimate_at_issue_min, Ticket.estimate_low_min,
                   Ticket.estimate_high_min)
            .join(Service, Service.id == Ticket.service_id)
            .outerjoin(Appointment, Appointment.id == Ticket.appointment_id)
            .join(Centre, Centre.id == Ticket.centre_id)
            .where(Centre.code == CENTRE)
            .order_by(Ticket.issued_at, Ticket.id)
        ).all()
        return [Outcome(number, service, minutes(issued), status, minutes(called), minutes(start), priority,
                        estimate, self.naive.get(tid), low, high)
                for tid, number, service, issued, status, called, start, priority, estimate, low, high in rows]


def simulate(
    plan: DayPlan,
    seed: int = 1,
    *,
    policy: dict | None = None,
    database_url: str | None = None,
    network: NetworkConfig | None = None,
    progress: Callable[[int], None] | None = None,
    separate: bool = False,
    calibration: Calibration | None = None,
) -> Result:
    """Run the plan's day for `seed` in a fresh database (a temporary SQLite file unless
    `database_url` is given: its tables are replaced) and return every ticket with the day's KPIs.
    `policy` changes the network's [policy] settings, e.g. {"first_come_first_served": True};
    `separate`: the visitors of several services take a ticket per service, one after the other;
    `calibration`: the estimate ranges' calibration (services/ranges.py), learnt on other days —
    a simulated day has no history of its own, so without it no estimate gets a range."""
    policy = dict(policy or {})
    network = network or read_network_file()
    with tempfile.TemporaryDirectory(prefix="onedoor-sim-") as tmp:
        app = simulation_app(database_url or f"sqlite:///{Path(tmp) / 'day.db'}")
        with app.app_context():
            prepare(app, simulated_network(network, plan, policy))
            ranges.preset(calibration)
            try:
                day = Day(plan, seed, progress, separate=separate,
                          life_events={e.code: list(e.services) for e in network.life_events})
                outcomes = day.run()
            finally:
                ranges.preset(None)
                db.session.remove()
                db.engine.dispose()
    d = plan.day
    figures = kpis(outcomes, d.target_wait_min, minutes_of(d.opens), d.hours)
    visits = [t.outcome() for t in day.trips]
    return Result(plan, seed, policy, len(day.visitors), outcomes, figures, day.staffing, plan.clerk_hours(),
                  visits, visit_kpis(visits, d.target_wait_min), separate)


def simulation_app(url: str):
    from .. import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "simulation",
        "ONEDOOR_NOTIFY_INLINE": True,  # the appointments' confirmations, kept in memory (below)
        "ONEDOOR_MESSAGE_QUEUE": None,  # its own Socket.IO server, with no screens: none of the network's hears it
    })


def prepare(app, network: NetworkConfig) -> None:
    """Empty the database, build the schema with the migrations, load the simulated network."""
    from alembic import command
    from sqlalchemy import text

    from .. import MIGRATIONS
    from ..notifications import use_sender
    from ..notifications.senders import RecordingSender
    from ..services import apply_network

    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    config = app.extensions["migrate"].migrate.get_config(MIGRATIONS)
    config.attributes["configure_logger"] = False  # a fresh schema every run is not news (migrations/env.py)
    command.upgrade(config, "head")
    use_sender(app, RecordingSender())  # simulated visitors' messages go nowhere
    apply_network(network)
