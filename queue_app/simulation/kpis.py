"""A simulated day's figures (plain data in, figures out).

A visitor's wait runs from their ticket to their first call — for an appointment, from the later
of the ticket and the slot's start, since coming early is not waiting for the centre. The estimate
is the one the engine gave at issue (printed on the ticket); the naive estimate is SPEC §8's
yardstick, position × average handling time ÷ open counters serving the service, taken at the
same moment. Both are compared with what the ticket really waited, from issue to first call.
Error = estimate − real: a negative bias means visitors wait longer than they were told.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.stats import mean, percentile


@dataclass(frozen=True)
class Outcome:
    """One ticket of the simulated day."""

    number: str
    service: str
    issued_min: float  # minutes after local midnight
    status: str
    called_min: float | None = None
    appointment_min: float | None = None
    priority: bool = False
    estimate_min: float | None = None
    naive_min: float | None = None
    range_low: int | None = None  # the range the estimate was given with, if any
    range_high: int | None = None

    @property
    def waiting_from(self) -> float:
        if self.appointment_min is None:
            return self.issued_min
        return max(self.issued_min, self.appointment_min)

    @property
    def wait_min(self) -> float | None:
        if self.called_min is None:
            return None
        return max(self.called_min - self.waiting_from, 0.0)


@dataclass(frozen=True)
class VisitOutcome:
    """One visitor's whole visit (SPEC §11), one step or several: its arrival, each step's wait
    (from joining that step's line to its call), when its last step ended (None: not served to its
    end), and the door-to-door time the estimator predicted at arrival."""

    arrived_min: float
    services: tuple[str, ...]
    step_waits: tuple[float, ...] = ()
    ended_min: float | None = None
    predicted_min: float | None = None

    @property
    def door_to_door_min(self) -> float | None:
        return None if self.ended_min is None else self.ended_min - self.arrived_min


@dataclass(frozen=True)
class VisitKpis:
    visits: int  # visits of several steps
    served: int  # of them, served to their end
    door_to_door_mean_min: float | None
    door_to_door_p90_min: float | None
    every_step_within_target_share: float | None  # of the served: each step called within the target
    estimate: Errors  # predicted at arrival − real door-to-door time, over the served


@dataclass(frozen=True)
class Errors:
    mae_min: float | None
    bias_min: float | None
    count: int


@dataclass(frozen=True)
class Kpis:
    tickets: int
    called: int
    appointments: int
    mean_wait_min: float | None
    p90_wait_min: float | None
    max_wait_min: float | None
    over_target_share: float | None
    estimate: Errors
    naive: Errors
    target_wait_min: float
    by_hour: list[dict] = field(default_factory=list)
    ranged: int = 0  # tickets called that were given a range
    range_share: float | None = None  # of them, the share whose real wait fell inside it


def errors(pairs: list[tuple[float, float]]) -> Errors:
    """Mean absolute error and mean signed error of (estimate, real) pairs."""
    diffs = [e - r for e, r in pairs]
    return Errors(mean([abs(d) for d in diffs]), mean(diffs), len(diffs))


def kpis(outcomes: list[Outcome], target_wait_min: float, opens_min: float, hours: int) -> Kpis:
    """The day's waits, the share over target, and the error of each estimate, all over the
    tickets that were called (a ticket never called has no real wait to compare with)."""
    called = [o for o in outcomes if o.wait_min is not None]
    waits = [o.wait_min for o in called]
    return Kpis(
        tickets=len(outcomes),
        called=len(called),
        appointments=sum(o.appointment_min is not None for o in outcomes),
        mean_wait_min=mean(waits),
        p90_wait_min=percentile(waits, 90),
        max_wait_min=max(waits) if waits else None,
        over_target_share=(sum(w > target_wait_min for w in waits) / len(waits)) if waits else None,
        estimate=errors([(o.estimate_min, o.called_min - o.issued_min) for o in called if o.estimate_min is not None]),
        naive=errors([(o.naive_min, o.called_min - o.issued_min) for o in called if o.naive_min is not None]),
        target_wait_min=target_wait_min,
        by_hour=hourly(called, target_wait_min, opens_min, hours),
        ranged=len(ranged := [o for o in called if o.range_low is not None]),
        range_share=(sum(o.range_low <= o.called_min - o.issued_min <= o.range_high for o in ranged) / len(ranged)
                     if ranged else None),
    )


def visit_kpis(visits: list[VisitOutcome], target_wait_min: float) -> VisitKpis:
    """Door-to-door figures of the visits of several steps served to their end."""
    multi = [v for v in visits if len(v.services) > 1]
    served = [v for v in multi if v.ended_min is not None]
    door = [v.door_to_door_min for v in served]
    return VisitKpis(
        visits=len(multi), served=len(served),
        door_to_door_mean_min=mean(door), door_to_door_p90_min=percentile(door, 90),
        every_step_within_target_share=(sum(all(w <= target_wait_min for w in v.step_waits) for v in served)
                                        / len(served)) if served else None,
        estimate=errors([(v.predicted_min, v.door_to_door_min) for v in served if v.predicted_min is not None]),
    )


def hourly(called: list[Outcome], target_wait_min: float, opens_min: float, hours: int) -> list[dict]:
    """Per opening hour (by when the visitor started waiting): arrivals, mean and p90 wait, share over target."""
    rows = []
    for h in range(hours):
        start = opens_min + 60 * h
        group = [o.wait_min for o in called if start <= o.waiting_from < start + 60]
        rows.append({
            "hour": h,
            "arrivals": len(group),
            "mean_wait_min": mean(group),
            "p90_wait_min": percentile(group, 90),
            "over_target_share": (sum(w > target_wait_min for w in group) / len(group)) if group else None,
        })
    return rows
