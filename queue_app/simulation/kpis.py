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
