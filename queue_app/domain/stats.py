"""A day's indicators for a centre, computed from its tickets (plain data in, figures out)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from .lifecycle import CANCELLED, DONE, NO_SHOW, TRANSFERRED, UNRESOLVED, WAITING
from .ranges import Accuracy, accuracy
from .summary import mean, percentile
from .visit_figures import Resolved, VisitFigures, visit_figures

TRANSFER = "transfer"  # the source of a ticket a transfer made
STEP = "step"  # the source of a visit's row for a later step (SPEC §11)
NOT_ARRIVALS = frozenset({TRANSFER, STEP})  # rows that go on with a visit already counted


@dataclass(frozen=True)
class Visit:
    """One ticket of the day, as the statistics see it."""

    service: str
    status: str
    issued_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    reason: str | None = None
    estimate_min: float | None = None
    source: str = "kiosk"  # kiosk | remote | appointment | transfer | step
    # the visit the row is a step of (SPEC §11): its first row's id, its arrival, the step's number,
    # how many steps are still to come after this row, and the contact's keyed hash (never shown)
    visit: int | None = None
    arrived_at: datetime | None = None
    step: int = 1
    steps_to_come: int = 0
    contact: str | None = None
    range_low: int | None = None  # the range the estimate was shown with, if any (domain/ranges.py)
    range_high: int | None = None

    def is_arrival(self) -> bool:
        """A visitor who came: a walk-in, a remote join or an appointment checked in, whatever became
        of them; a transfer or a later step goes on with the same visit and number, so it is no new arrival."""
        return self.source not in NOT_ARRIVALS

    def wait_min(self) -> float | None:
        """Minutes from issue (or transfer) to the first call; None if never called."""
        if self.called_at is None:
            return None
        return (self.called_at - self.issued_at).total_seconds() / 60.0

    def handling_min(self) -> float | None:
        if self.status != DONE or self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds() / 60.0


@dataclass(frozen=True)
class ServiceFigures:
    service: str
    issued: int  # tickets in this service's line, those transferred into it included
    served: int
    average_wait_min: float | None
    average_handling_min: float | None


@dataclass(frozen=True)
class DayFigures:
    arrivals: int  # Visit.is_arrival: the one count of visitors in every output
    waiting: int
    served: int
    no_show: int
    cancelled: int
    transferred: int
    average_wait_min: float | None
    p90_wait_min: float | None
    max_wait_min: float | None
    within_target_share: float | None
    average_handling_min: float | None
    estimate_mae_min: float | None
    unresolved: dict[str, int] = field(default_factory=dict)
    services: list[ServiceFigures] = field(default_factory=list)
    visits: VisitFigures | None = None  # door-to-door, steps, first-visit resolution, repeats
    estimate_bias_min: float | None = None  # mean of estimate − real wait: positive, estimates too long
    estimate_range_share: float | None = None  # share of the called shown a range whose wait fell inside it
    estimate_count: int | None = None  # the called told an estimate: what the mean error and bias are over
    estimate_range_count: int | None = None  # the called told a range: what the share inside is over


def arrivals(visits: list[Visit]) -> int:
    """How many visitors came (each once, however many lines they joined)."""
    return sum(v.is_arrival() for v in visits)


def estimates_of(visits: list[Visit]) -> Accuracy:
    """How the estimates told to the visitors called did against their real waits (domain/ranges.py)."""
    return accuracy((v.estimate_min, v.wait_min(), v.range_low, v.range_high) for v in visits if v.called_at)


def day_figures(visits: list[Visit], target_wait_min: float, earlier: list[Resolved] = ()) -> DayFigures:
    """Compute a day's indicators; waits count from issue to first call (each step's from joining
    its line); `earlier`: resolved steps of the 30 days before, for the repeat visits."""
    statuses = Counter(v.status for v in visits)
    waits = [w for v in visits if (w := v.wait_min()) is not None]
    handling = [h for v in visits if (h := v.handling_min()) is not None]
    shown = estimates_of(visits)
    by_service: dict[str, list[Visit]] = {}
    for v in visits:
        by_service.setdefault(v.service, []).append(v)
    return DayFigures(
        arrivals=arrivals(visits),
        waiting=statuses[WAITING],
        served=statuses[DONE],
        no_show=statuses[NO_SHOW],
        cancelled=statuses[CANCELLED],
        transferred=statuses[TRANSFERRED],
        average_wait_min=mean(waits),
        p90_wait_min=percentile(waits, 90),
        max_wait_min=max(waits) if waits else None,
        within_target_share=(sum(w <= target_wait_min for w in waits) / len(waits)) if waits else None,
        average_handling_min=mean(handling),
        estimate_mae_min=shown.mae_min,
        unresolved=dict(Counter(v.reason for v in visits if v.outcome == UNRESOLVED)),
        services=[
            ServiceFigures(
                service=code,
                issued=len(group),
                served=sum(v.status == DONE for v in group),
                average_wait_min=mean([w for v in group if (w := v.wait_min()) is not None]),
                average_handling_min=mean([h for v in group if (h := v.handling_min()) is not None]),
            )
            for code, group in sorted(by_service.items())
        ],
        visits=visit_figures(visits, earlier),
        estimate_bias_min=shown.bias_min,
        estimate_range_share=shown.inside_share,
        estimate_count=shown.called,
        estimate_range_count=shown.ranged,
    )
