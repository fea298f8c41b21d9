"""A day to simulate: the centre, who comes when and for what, how long each visit takes, and who
works which hour. Read from TOML (bench/reference_day.toml is the reference day of SPEC §8) and
turned, for a seed, into the day's visitors — all randomness is drawn here, before the day runs,
so two policies replayed on the same seed meet exactly the same visitors.
"""
from __future__ import annotations

import math
import random
import datetime as dt
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, model_validator

from ..config import Code, ConfigError, Strict, read_validated
from ..domain.draws import lognormal, poisson

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DAY = ROOT / "bench" / "reference_day.toml"


def minutes_of(clock: Clock) -> int:
    hh, mm = clock.split(":")
    return int(hh) * 60 + int(mm)


def _check_clock(value: str) -> str:
    try:
        hh, mm = value.split(":")
        if len(mm) != 2 or not (0 <= int(hh) <= 24 and 0 <= int(mm) < 60):
            raise ValueError
    except ValueError:
        raise ValueError(f'"{value}" is not a time of day HH:MM') from None
    return value


Clock = Annotated[str, AfterValidator(_check_clock)]  # "HH:MM", the centre's local time


class DayCfg(Strict):
    date: dt.date = dt.date(2026, 12, 7)  # a Monday; the simulated centre opens every day at these hours
    timezone: str = "Europe/Moscow"
    opens: Clock = "08:00"
    closes: Clock = "20:00"
    target_wait_min: int = Field(15, ge=1, le=480)
    counters: int = Field(40, ge=1, le=99)

    @model_validator(mode="after")
    def _order(self):
        if minutes_of(self.closes) <= minutes_of(self.opens):
            raise ValueError("the centre must close after it opens")
        return self

    @property
    def hours(self) -> int:
        return math.ceil((minutes_of(self.closes) - minutes_of(self.opens)) / 60)


class VisitorsCfg(Strict):
    expected: float = Field(700, ge=0, le=20000)  # arrivals in the day, walk-ins and appointments
    by_hour: list[float] = Field(default_factory=list)  # relative arrivals per opening hour (empty: even)
    appointment_share: float = Field(0.2, ge=0, le=1)  # booked the day before
    early_min: tuple[float, float] = (0, 20)  # appointment holders arrive this long before their slot
    priority_share: float = Field(0.05, ge=0, le=1)  # elderly, disabled, pregnant
    no_show_rate: float = Field(0.04, ge=0, le=1)  # called and not there
    no_show_after_min: float = Field(2, ge=0, le=30)  # how long the clerk waits before marking a no-show
    walk_min: float = Field(0.5, ge=0, le=10)  # from the call to the counter
    handling_sigma: float = Field(0.45, ge=0, le=3)  # log-normal shape; the mean is the service's duration
    # a share of the walk-ins come for a life event (SPEC §11): a visit of 2–4 of its services, in its order
    life_event_share: float = Field(0, ge=0, le=1)
    life_event_steps: tuple[int, int] = (2, 4)

    @model_validator(mode="after")
    def _steps(self):
        low, high = self.life_event_steps
        if not 2 <= low <= high <= 5:
            raise ValueError("life_event_steps is a range (low, high) within 2..5")
        return self


class ClerkGroupCfg(Strict):
    name: Code | None = None  # how `[[shifts]]` name the group (default: group1, group2… in order)
    count: int = Field(ge=1, le=99)
    primary: list[Code] = Field(min_length=1)
    secondary: list[Code] = []


class StepCfg(Strict):
    service: Code
    handling_min: float = Field(gt=0, le=480)


class VisitCfg(Strict):
    """One visitor written out by hand (a tiny day for checking by hand, or a replayed one)."""

    at: Clock
    service: Code
    handling_min: float = Field(gt=0, le=480)
    priority: bool = False
    appointment_at: Clock | None = None
    shows: bool = True
    then: list[StepCfg] = Field(default_factory=list, max_length=4)  # a visit's later steps, in order

    @model_validator(mode="after")
    def _visit(self):
        if self.then and self.appointment_at:
            raise ValueError("a visit of several steps comes without an appointment")
        if len({self.service, *(s.service for s in self.then)}) != 1 + len(self.then):
            raise ValueError("a visit names each service once")
        return self


class StaffingCfg(Strict):
    by_hour: list[int] = Field(min_length=1)  # counters open each opening hour (after the last: the last's)


class ShiftCfg(Strict):
    """One shift of the day's roster: a clerk by username (clerk01…, in roster order) or the next
    free clerk of a group by its name; breaks are (start, end) pairs inside the shift."""

    clerk: str | None = None
    group: str | None = None
    start: Clock
    end: Clock
    breaks: list[tuple[Clock, Clock]] = []

    @model_validator(mode="after")
    def _well_formed(self):
        if (self.clerk is None) == (self.group is None):
            raise ValueError("a shift names either a clerk or a group")
        start, end = minutes_of(self.start), minutes_of(self.end)
        if end <= start:
            raise ValueError(f"the shift {self.start}–{self.end} must end after it starts")
        for a, b in self.breaks:
            if not start <= minutes_of(a) < minutes_of(b) <= end:
                raise ValueError(f"the break {a}–{b} must fall within the shift {self.start}–{self.end}")
        return self

    @property
    def on_duty_min(self) -> int:
        return minutes_of(self.end) - minutes_of(self.start) - sum(minutes_of(b) - minutes_of(a) for a, b in self.breaks)


class DayPlan(Strict):
    day: DayCfg = DayCfg()
    visitors: VisitorsCfg = VisitorsCfg()
    mix: dict[Code, float] = Field(default_factory=dict)  # relative share of each service
    staffing: StaffingCfg | None = None  # counters per hour, or:
    shifts: list[ShiftCfg] = []  # the day's roster
    clerks: list[ClerkGroupCfg] = Field(min_length=1)
    visits: list[VisitCfg] = []  # when given, the day's visitors, instead of drawing them

    @model_validator(mode="after")
    def _consistent(self):
        hours = self.day.hours
        if self.visitors.by_hour and len(self.visitors.by_hour) != hours:
            raise ValueError(f"visitors.by_hour has {len(self.visitors.by_hour)} values for {hours} opening hours")
        if (self.staffing is None) == (not self.shifts):
            raise ValueError("give either the staffing per hour or the day's shifts")
        if self.shifts:
            clerk_shifts(self)  # raises on an unknown clerk or group, or one with too many shifts
        elif max(self.staffing.by_hour) > min(self.day.counters, self.roster_size):
            raise ValueError(f"staffing.by_hour asks for {max(self.staffing.by_hour)} counters; the centre has "
                             f"{self.day.counters} and the clerks are {self.roster_size}")
        if not self.visits and not self.mix:
            raise ValueError("give the service mix (or the visits themselves)")
        return self

    @property
    def roster_size(self) -> int:
        return sum(g.count for g in self.clerks)

    @property
    def services(self) -> set[str]:
        named = set(self.mix) | {s for v in self.visits for s in [v.service, *(t.service for t in v.then)]}
        for g in self.clerks:
            named |= set(g.primary) | set(g.secondary)
        return named

    def local(self, minute: float) -> datetime:
        """The centre-local moment `minute` minutes after midnight of the simulated day."""
        midnight = datetime.combine(self.day.date, time(0), ZoneInfo(self.day.timezone))
        return midnight + timedelta(minutes=minute)

    def clerk_hours(self) -> float:
        """Hours at a counter in the plan: the shifts' (breaks out) or the counters per opening hour's."""
        if self.shifts:
            return sum(s.on_duty_min for s in self.shifts) / 60
        span = minutes_of(self.day.closes) - minutes_of(self.day.opens)
        return sum(self.staffed(h) * min(60, span - 60 * h) for h in range(self.day.hours)) / 60

    def staffed(self, hour_index: int) -> int:
        """Counters open in the `hour_index`-th opening hour (after closing: the last hour's)."""
        by_hour = self.staffing.by_hour
        return by_hour[min(hour_index, len(by_hour) - 1)]


def read_plan(path: str | Path | None = None) -> DayPlan:
    return read_validated(path or REFERENCE_DAY, DayPlan)


def with_life_events(plan: DayPlan, share: float) -> DayPlan:
    """The plan with this share of its walk-ins coming for a life event's visit."""
    visitors = plan.visitors.model_copy(update={"life_event_share": share})
    return plan.model_copy(update={"visitors": visitors})


def check_against(plan: DayPlan, durations: dict[str, float]) -> None:
    """Refuse a plan naming services the catalogue lacks, or leaving one nobody serves."""
    unknown = sorted(plan.services - set(durations))
    if unknown:
        raise ConfigError(f"the day names services the catalogue lacks: {', '.join(unknown)}")
    served = set()
    for g in plan.clerks:
        served |= set(g.primary) | set(g.secondary)
    written_services = {s for v in plan.visits for s in [v.service, *(t.service for t in v.then)]}
    unserved = sorted(({s for s, share in plan.mix.items() if share > 0} | written_services) - served)
    if unserved:
        raise ConfigError(f"no clerk serves: {', '.join(unserved)}")


# ---- the day's visitors -----------------------------------------------------------------------

@dataclass(frozen=True)
class Visitor:
    arrives_min: float  # minutes after local midnight
    service: str  # the first (or only) step's
    handling_min: float
    priority: bool = False
    appointment_min: float | None = None  # the booked slot's start, minutes after midnight
    shows: bool = True  # comes to the counter at the first call (later steps: already in the centre)
    later: tuple[tuple[str, float], ...] = ()  # a visit's later steps: (service, handling minutes)

    @property
    def services(self) -> list[str]:
        return [self.service, *(s for s, _ in self.later)]

    def handling(self, step: int) -> float:
        """Minutes at the counter for the step (0-based)."""
        return self.handling_min if step == 0 else self.later[step - 1][1]


def life_event_visit(rng: random.Random, events: list[list[str]], steps: tuple[int, int],
                     durations: dict[str, float], sigma: float) -> tuple[str, float, tuple] | None:
    """A life event's visit: 2–4 of its services in the event's order, each with its handling time."""
    usable = [e for e in events if len(e) >= steps[0]]
    if not usable:
        return None
    event = rng.choice(usable)
    chosen = sorted(rng.sample(range(len(event)), rng.randint(steps[0], min(steps[1], len(event)))))
    drawn = [(event[i], lognormal(rng, durations[event[i]], sigma)) for i in chosen]
    return drawn[0][0], drawn[0][1], tuple(drawn[1:])


def served_events(plan: DayPlan, life_events: dict[str, list[str]]) -> list[list[str]]:
    """The life events' services that the day's clerks serve, each event in its order."""
    served = set()
    for g in plan.clerks:
        served |= set(g.primary) | set(g.secondary)
    return [[s for s in services if s in served] for _, services in sorted(life_events.items())]


def draw_visitors(plan: DayPlan, seed: int, durations: dict[str, float],
                  life_events: dict[str, list[str]] | None = None) -> list[Visitor]:
    """The day's visitors for this seed, by arrival: hourly Poisson arrivals spread evenly within
    the hour, services by the mix, log-normal handling times around each service's duration; with
    `life_events` ({code: services}) and a life-event share, that share of the walk-ins come for a
    visit of several of an event's services (no share, no extra draws: such a day is unchanged)."""
    if plan.visits:
        return sorted((written(v) for v in plan.visits), key=lambda v: v.arrives_min)
    v = plan.visitors
    rng = random.Random(seed)
    hours = plan.day.hours
    weights = v.by_hour or [1.0] * hours
    total = sum(weights) or 1.0
    services, shares = zip(*sorted((s, w) for s, w in plan.mix.items() if w > 0))
    opens, closes = minutes_of(plan.day.opens), minutes_of(plan.day.closes)
    events = served_events(plan, life_events or {}) if v.life_event_share else []
    out = []
    for h, weight in enumerate(weights):
        start = opens + 60 * h
        for _ in range(poisson(rng, v.expected * weight / total)):
            at = start + rng.random() * min(60, closes - start)
            service = rng.choices(services, shares)[0]
            handling = lognormal(rng, durations[service], v.handling_sigma)
            priority = rng.random() < v.priority_share
            shows = rng.random() >= v.no_show_rate
            appointment = None
            if rng.random() < v.appointment_share:
                appointment = at  # the slot is the time they would have come; they come a little early
                at = max(opens, at - rng.uniform(*v.early_min))
            later = ()
            if events and appointment is None and rng.random() < v.life_event_share:
                visit = life_event_visit(rng, events, v.life_event_steps, durations, v.handling_sigma)
                if visit is not None:
                    service, handling, later = visit
            out.append(Visitor(at, service, handling, priority and appointment is None, appointment, shows, later))
    return sorted(out, key=lambda x: x.arrives_min)


def written(v: VisitCfg) -> Visitor:
    return Visitor(minutes_of(v.at), v.service, v.handling_min, v.priority,
                   minutes_of(v.appointment_at) if v.appointment_at else None, v.shows,
                   tuple((t.service, t.handling_min) for t in v.then))


def roster(plan: DayPlan) -> list[ClerkGroupCfg]:
    """One entry per clerk, interleaved across groups, so the first n on duty keep the groups'
    proportions (e.g. 30 of 40 clerks: three quarters of each group)."""
    keyed = []
    for gi, g in enumerate(plan.clerks):
        for i in range(g.count):
            keyed.append(((i + 0.5) / g.count, gi, g))
    return [g for _, _, g in sorted(keyed, key=lambda k: (k[0], k[1]))]


def group_names(plan: DayPlan) -> list[str]:
    return [g.name or f"group{i}" for i, g in enumerate(plan.clerks, start=1)]


def clerks_by_group(plan: DayPlan) -> dict[str, list[str]]:
    """The usernames of each group's clerks (clerk01… in roster order), by group name."""
    names = {id(g): n for g, n in zip(plan.clerks, group_names(plan))}
    found: dict[str, list[str]] = {n: [] for n in names.values()}
    for i, g in enumerate(roster(plan), start=1):
        found[names[id(g)]].append(f"clerk{i:02d}")
    return found


def clerk_shifts(plan: DayPlan) -> list[tuple[int, ShiftCfg]]:
    """The plan's shifts as (clerk index from 0 in roster order, shift): a group's shift goes to its
    first clerk with no overlapping shift. Raises ValueError for an unknown clerk or group, a clerk
    beyond the centre's counters, or a group out of free clerks."""
    groups = clerks_by_group(plan)
    index = {f"clerk{i:02d}": i - 1 for i in range(1, plan.roster_size + 1)}
    taken: dict[int, list[ShiftCfg]] = {}

    def free(i: int, shift: ShiftCfg) -> bool:
        return all(minutes_of(shift.end) <= minutes_of(o.start) or minutes_of(o.end) <= minutes_of(shift.start)
                   for o in taken.get(i, []))

    out = []
    for shift in plan.shifts:
        if shift.clerk is not None:
            if shift.clerk not in index:
                raise ValueError(f"no clerk {shift.clerk} (the clerks are clerk01…clerk{plan.roster_size:02d})")
            i = index[shift.clerk]
            if not free(i, shift):
                raise ValueError(f"{shift.clerk}'s shifts overlap")
        else:
            if shift.group not in groups:
                raise ValueError(f"no clerk group {shift.group} (the groups: {', '.join(groups)})")
            i = next((index[c] for c in groups[shift.group] if free(index[c], shift)), None)
            if i is None:
                raise ValueError(f"group {shift.group} has no free clerk for {shift.start}–{shift.end}")
        if i >= plan.day.counters:
            raise ValueError(f"clerk{i + 1:02d} has no counter: the centre has {plan.day.counters}")
        taken.setdefault(i, []).append(shift)
        out.append((i, shift))
    return out
