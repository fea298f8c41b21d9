"""The staffing planner: a day's demand per hour from the centre's history, and the manager's plan.

Demand for an hour of the chosen day = the mean walk-in arrivals in that local hour on the same
weekday of the last N weeks (only the weeks the centre had visitors count) + the appointments booked
for that hour of the day. The mean handling time of each service comes from the finished tickets of
those weeks (started → finished), or the service's expected duration without history; the hour's
pooled handling time weighs them by the hour's service mix. Erlang C then gives the counters needed
for a share of visitors to wait less than the centre's target wait.
"""
from __future__ import annotations

from collections import Counter as Tally
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from ..domain import erlang
from ..domain.appointments import LIVE
from ..domain.errors import InvalidRequest
from ..extensions import db
from ..models import Appointment, Centre, Service, StaffingPlan, Ticket
from .capacity import counter_count
from .lookup import centre_by_code
from .tx import atomic

DEFAULT_WEEKS = 4


@dataclass(frozen=True)
class HourPlan:
    """One local hour of the day: expected demand, the counters it needs and those planned."""

    hour: int
    arrivals: float  # expected arrivals in the hour (walk-ins from history + booked)
    booked: int
    handling_min: float | None  # pooled mean handling time; None without any demand
    recommended: int
    planned: int | None
    planned_share: float | None  # expected share within target with the planned counters
    mix: dict[int, float] = field(default_factory=dict)  # expected arrivals per service id

    @property
    def load(self) -> float:
        """Offered load in erlangs: counters busy on average."""
        return erlang.traffic(self.arrivals / 60, self.handling_min or 0.0)

    @property
    def short(self) -> bool:
        return self.planned is not None and self.planned < self.recommended


@dataclass(frozen=True)
class DayPlan:
    centre: Centre
    day: date
    share: float
    target_wait_min: int
    weeks: int  # weeks of history asked for
    weeks_used: int  # of them, the weeks the centre had visitors on that weekday
    hours: list[HourPlan]
    handling: dict[int, float] = field(default_factory=dict)  # mean minutes per service id

    @property
    def thin(self) -> bool:
        """Fewer weeks of history than asked for: the recommendation is a rough guess."""
        return self.weeks_used < self.weeks

    @property
    def closed(self) -> bool:
        return not self.hours


def opening_hours_of(centre: Centre, day: date) -> list[int]:
    """The local hours (0..23) in which the centre is open on `day`, a partly open hour included."""
    span = centre.opening_hours.span_on(day)
    if span is None:
        return []
    opens, closes = span
    end = 24 if closes is None else closes.hour + (1 if closes.minute else 0)
    return list(range(opens.hour, end))


def local_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def past_days(day: date, weeks: int) -> list[date]:
    """The same weekday in each of the `weeks` weeks before `day`, most recent first."""
    return [day - timedelta(weeks=k) for k in range(1, weeks + 1)]


def pooled_handling(mix: dict[int, float], handling: dict[int, float]) -> float | None:
    """The mean handling time of a mix of services ({service: expected arrivals}), or None."""
    total = sum(mix.values())
    if total <= 0:
        return None
    return sum(count * handling[service] for service, count in mix.items()) / total


def hour_plan(hour: int, mix: dict[int, float], booked: int, handling: dict[int, float],
              target_min: float, share: float, planned: int | None) -> HourPlan:
    """Pure arithmetic of one hour: λ, pooled handling, Erlang C recommendation and planned share."""
    arrivals = sum(mix.values())
    mean = pooled_handling(mix, handling)
    rate = arrivals / 60  # per minute, like the handling time and the target
    recommended = erlang.counters_needed(rate, mean, target_min, share) if mean else 0
    planned_share = None
    if planned is not None:
        load = erlang.traffic(rate, mean or 0.0)
        planned_share = erlang.service_level(planned, load, target_min, mean or 1.0)
    return HourPlan(hour, arrivals, booked, mean, recommended, planned, planned_share, mix)


def _history(centre: Centre, day: date, weeks: int):
    """(local arrival datetime, service, source) of the centre's tickets in the weeks before `day`."""
    tz = centre.tz
    since, until = local_start(day - timedelta(weeks=weeks), tz), local_start(day, tz)
    rows = db.session.execute(
        select(Ticket.arrived_at, Ticket.service_id, Ticket.source)
        .where(Ticket.centre_id == centre.id, Ticket.arrived_at >= since, Ticket.arrived_at < until)
    ).all()
    return [(at.astimezone(tz), service, source) for at, service, source in rows]


def _handling(centre: Centre, day: date, weeks: int) -> dict[int, float]:
    """Mean minutes from start to finish per service, over the finished tickets of the weeks."""
    tz = centre.tz
    since, until = local_start(day - timedelta(weeks=weeks), tz), local_start(day, tz)
    rows = db.session.execute(
        select(Ticket.service_id, Ticket.started_at, Ticket.finished_at)
        .where(Ticket.centre_id == centre.id, Ticket.started_at.is_not(None),
               Ticket.finished_at.is_not(None), Ticket.started_at >= since, Ticket.started_at < until)
    ).all()
    spans = defaultdict(list)
    for service, started, finished in rows:
        spans[service].append((finished - started).total_seconds() / 60)
    return {service: sum(values) / len(values) for service, values in spans.items()}


def _booked(centre: Centre, day: date) -> list[tuple[int, int]]:
    """(local hour, service) of the appointments booked for `day`."""
    tz = centre.tz
    rows = db.session.execute(
        select(Appointment.start, Appointment.service_id)
        .where(Appointment.centre_id == centre.id, Appointment.status.in_(LIVE),
               Appointment.start >= local_start(day, tz),
               Appointment.start < local_start(day + timedelta(days=1), tz))
    ).all()
    return [(start.astimezone(tz).hour, service) for start, service in rows]


def planned_counters(centre: Centre, day: date) -> dict[int, int]:
    rows = db.session.execute(
        select(StaffingPlan.hour, StaffingPlan.counters)
        .where(StaffingPlan.centre_id == centre.id, StaffingPlan.day == day)
    ).all()
    return dict(rows)


def day_plan(centre_code: str, day: date, share: float = erlang.DEFAULT_SHARE,
             weeks: int = DEFAULT_WEEKS) -> DayPlan:
    """The planner's table for one day of a centre: demand, recommended and planned counters."""
    centre = centre_by_code(centre_code)
    hours = opening_hours_of(centre, day)
    weekdays = set(past_days(day, weeks))
    history = [row for row in _history(centre, day, weeks) if row[0].date() in weekdays]
    weeks_used = len({at.date() for at, _, _ in history})
    walk_ins = Tally((at.hour, service) for at, service, source in history if source != "appointment")
    booked = Tally(_booked(centre, day))
    durations = dict(db.session.execute(select(Service.id, Service.duration_min)).all())
    handling = {**durations, **_handling(centre, day, weeks)}
    plan = planned_counters(centre, day)
    rows = []
    for hour in hours:
        mix: dict[int, float] = defaultdict(float)
        for (h, service), count in walk_ins.items():
            if h == hour:
                mix[service] += count / weeks_used
        booked_here = 0
        for (h, service), count in booked.items():
            if h == hour:
                mix[service] += count
                booked_here += count
        rows.append(hour_plan(hour, dict(mix), booked_here, handling, centre.target_wait_min, share,
                              plan.get(hour)))
    return DayPlan(centre, day, share, centre.target_wait_min, weeks, weeks_used, rows, handling)


def plan_limit(centre: Centre) -> int:
    """The most counters one can plan in an hour: the centre's desks."""
    return counter_count(centre)


@atomic
def save_plan(centre_code: str, day: date, counters: dict[int, int]) -> int:
    """Store the counters planned per hour of `day` (replacing the day's plan); return rows stored.

    Every hour must be an opening hour of that day and every count within 0..the centre's desks;
    otherwise nothing is stored.
    """
    centre = centre_by_code(centre_code)
    hours, limit = set(opening_hours_of(centre, day)), plan_limit(centre)
    for hour, count in counters.items():
        if hour not in hours:
            raise InvalidRequest(f"the centre is closed at {hour}:00 on {day}")
        if not isinstance(count, int) or not 0 <= count <= limit:
            raise InvalidRequest(f"planned counters must be between 0 and {limit}")
    db.session.execute(delete(StaffingPlan).where(StaffingPlan.centre_id == centre.id,
                                                  StaffingPlan.day == day))
    db.session.add_all(StaffingPlan(centre_id=centre.id, day=day, hour=hour, counters=count)
                       for hour, count in sorted(counters.items()))
    return len(counters)
