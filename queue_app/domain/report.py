"""A manager's report and the open data: a day's or a period's figures, per centre or network-wide.

Plain data in, figures out. Times arrive already in the centre's local time, so `.hour` is the
hour on the centre's clock; waits and handling are differences, whatever the zone.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from .lifecycle import CANCELLED, DONE, NO_SHOW, TRANSFERRED, UNRESOLVED
from .ranges import Accuracy
from .stats import Visit, arrivals, estimates_of, mean, percentile
from .visit_figures import Resolved, VisitFigures, by_contact, for_rows, visit_figures

RATINGS = (1, 2, 3, 4, 5)
MIN_PUBLISHED = 5  # open data leaves out repeat visits, and the estimates' accuracy, counted over fewer


@dataclass(frozen=True)
class ReportVisit(Visit):
    """A visit as a report sees it: the statistics' Visit plus where, when, who and the rating."""

    centre: str = ""
    day: date | None = None
    clerk: str | None = None
    rating: int | None = None
    target_wait_min: float = 15


@dataclass(frozen=True)
class Handling:
    """Visits served by one service or one clerk, and their average handling time."""

    name: str
    served: int
    average_handling_min: float | None


@dataclass(frozen=True)
class HourRow:
    hour: int
    arrivals: int
    served: int
    average_wait_min: float | None


@dataclass(frozen=True)
class DayRow:
    """One centre's indicators for one day: a CSV line, an open-data record (no personal data)."""

    centre: str
    day: date
    arrivals: int
    served: int
    no_show: int
    cancelled: int
    transferred: int
    average_wait_min: float | None
    p90_wait_min: float | None
    within_target_share: float | None
    average_handling_min: float | None
    satisfaction_average: float | None
    feedback_count: int
    door_to_door_mean_min: float | None = None  # the visits' figures (SPEC §11); None in old roll-ups
    door_to_door_p90_min: float | None = None
    steps_per_visit: float | None = None
    first_visit_resolution: float | None = None
    repeat_visits: int | None = None  # visits that came back for a service resolved ≤ 30 days before
    repeat_share: float | None = None  # of the visits with a known contact, counted per service
    estimate_mae_min: float | None = None  # how the waits told did (domain/ranges.accuracy); the counts
    estimate_bias_min: float | None = None  # they are over, for open data's small-count rule (none in a
    estimate_range_share: float | None = None  # roll-up stored before the figure existed)
    estimate_count: int | None = None
    estimate_range_count: int | None = None


@dataclass(frozen=True)
class Feedback:
    average: float | None
    count: int
    distribution: dict[int, int]


@dataclass(frozen=True)
class Report:
    arrivals: int
    served: int
    no_show: int
    cancelled: int
    transferred: int
    average_wait_min: float | None
    p90_wait_min: float | None
    within_target_share: float | None
    average_handling_min: float | None
    unresolved: dict[str, int]
    feedback: Feedback
    services: list[Handling] = field(default_factory=list)
    clerks: list[Handling] = field(default_factory=list)
    hours: list[HourRow] = field(default_factory=list)
    days: list[DayRow] = field(default_factory=list)
    visits: VisitFigures | None = None
    estimates: Accuracy | None = None


def waits(visits: list[ReportVisit]) -> list[float]:
    return [w for v in visits if (w := v.wait_min()) is not None]


def within_target(visits: list[ReportVisit]) -> float | None:
    """Share of the called visits whose wait was at most their centre's target."""
    called = [(w, v.target_wait_min) for v in visits if (w := v.wait_min()) is not None]
    return sum(w <= target for w, target in called) / len(called) if called else None


def feedback_of(ratings: list[int]) -> Feedback:
    counts = Counter(ratings)
    return Feedback(average=mean([float(r) for r in ratings]), count=len(ratings),
                    distribution={r: counts.get(r, 0) for r in RATINGS})


def handling_by(visits: list[ReportVisit], key) -> list[Handling]:
    """Served visits grouped by key(visit) (skipping None), with their average handling time."""
    groups: dict[str, list[float]] = {}
    for v in visits:
        if v.status == DONE and (name := key(v)) is not None:
            groups.setdefault(name, [])
            if (h := v.handling_min()) is not None:
                groups[name].append(h)
    served = Counter(key(v) for v in visits if v.status == DONE)
    return [Handling(name, served[name], mean(values)) for name, values in sorted(groups.items())]


def by_hour(visits: list[ReportVisit]) -> list[HourRow]:
    """Arrivals (by issue hour), served (by finishing hour) and waits (by issue hour), opening hours only."""
    arrivals = Counter(v.issued_at.hour for v in visits if v.is_arrival())
    served = Counter(v.finished_at.hour for v in visits if v.status == DONE and v.finished_at)
    hours = sorted(set(arrivals) | set(served))
    return [
        HourRow(h, arrivals.get(h, 0), served.get(h, 0),
                mean(waits([v for v in visits if v.issued_at.hour == h])))
        for h in hours
    ]


def visit_columns(figures: VisitFigures | dict | None) -> dict:
    """A day row's visit columns from the visits' figures (or their stored roll-up; none before it had them)."""
    if figures is None:
        return {}
    if isinstance(figures, VisitFigures):
        figures = asdict(figures)
    counted, back = sum(r["visits"] for r in figures["repeats"]), sum(r["repeat"] for r in figures["repeats"])
    return {"door_to_door_mean_min": figures["door_to_door_mean_min"],
            "door_to_door_p90_min": figures["door_to_door_p90_min"],
            "steps_per_visit": figures["steps_per_visit"], "first_visit_resolution": figures["first_visit_resolution"],
            "repeat_visits": back, "repeat_share": back / counted if counted else None}


def estimate_columns(shown: Accuracy | dict) -> dict:
    """A day row's estimate columns from the day's accuracy (or a roll-up's stored figures)."""
    if isinstance(shown, Accuracy):
        return {"estimate_mae_min": shown.mae_min, "estimate_bias_min": shown.bias_min,
                "estimate_range_share": shown.inside_share, "estimate_count": shown.called,
                "estimate_range_count": shown.ranged}
    return {name: shown.get(name) for name in ("estimate_mae_min", "estimate_bias_min", "estimate_range_share",
                                               "estimate_count", "estimate_range_count")}


def _few(count: int | None) -> bool:
    """Below the published minimum, or not known (a roll-up stored before the count was kept)."""
    return count is None or count < MIN_PUBLISHED


def published(row: DayRow) -> DayRow:
    """A day row fit for open data: a small count of repeat visits (and its share) left out, and the
    estimates' accuracy over fewer than MIN_PUBLISHED visitors told one (or a count not kept)."""
    if row.repeat_visits is not None and row.repeat_visits < MIN_PUBLISHED:
        row = replace(row, repeat_visits=None, repeat_share=None)
    if _few(row.estimate_count):
        row = replace(row, estimate_mae_min=None, estimate_bias_min=None)
    if _few(row.estimate_range_count):
        row = replace(row, estimate_range_share=None)
    return row


def day_row(centre: str, day: date, visits: list[ReportVisit], ratings: list[int],
            earlier: list[Resolved] = ()) -> DayRow:
    """One centre-day's indicators from its visits and the ratings given for them; `earlier`: the
    resolved steps its contacts' repeat visits are matched against."""
    statuses = Counter(v.status for v in visits)
    day_waits = waits(visits)
    return DayRow(
        centre=centre, day=day, arrivals=arrivals(visits), served=statuses[DONE], no_show=statuses[NO_SHOW],
        cancelled=statuses[CANCELLED], transferred=statuses[TRANSFERRED],
        average_wait_min=mean(day_waits), p90_wait_min=percentile(day_waits, 90),
        within_target_share=within_target(visits),
        average_handling_min=mean([h for v in visits if (h := v.handling_min()) is not None]),
        satisfaction_average=mean([float(r) for r in ratings]), feedback_count=len(ratings),
        **visit_columns(visit_figures(visits, earlier)), **estimate_columns(estimates_of(visits)),
    )


def stored_arrivals(figures: dict) -> int:
    """Arrivals of a roll-up; those stored before the figure existed counted every ticket as issued,
    each transfer's new ticket included, and each transferred ticket made exactly one of those."""
    if "arrivals" in figures:
        return figures["arrivals"]
    return figures["issued"] - figures["transferred"]


def rolled_day_row(centre: str, day: date, figures: dict, ratings: list[int]) -> DayRow:
    """A centre-day from its stored roll-up (stats.DayFigures as a dict) and the ratings given since."""
    return DayRow(
        centre=centre, day=day, arrivals=stored_arrivals(figures), served=figures["served"],
        no_show=figures["no_show"], cancelled=figures["cancelled"], transferred=figures["transferred"],
        average_wait_min=figures["average_wait_min"], p90_wait_min=figures["p90_wait_min"],
        within_target_share=figures["within_target_share"], average_handling_min=figures["average_handling_min"],
        satisfaction_average=mean([float(r) for r in ratings]), feedback_count=len(ratings),
        **visit_columns(figures.get("visits")), **estimate_columns(figures),
    )


def group_days(visits: list[ReportVisit]) -> dict[tuple[str, date], list[ReportVisit]]:
    groups: dict[tuple[str, date], list[ReportVisit]] = {}
    for v in visits:
        groups.setdefault((v.centre, v.day), []).append(v)
    return groups


def day_rows(visits: list[ReportVisit], earlier: list[Resolved] = ()) -> list[DayRow]:
    """A row per centre-day of the visits, each matched against the resolved steps of its own contacts."""
    index = by_contact(earlier)
    return [day_row(c, d, group, [v.rating for v in group if v.rating is not None], for_rows(index, group))
            for (c, d), group in sorted(group_days(visits).items())]


def report(visits: list[ReportVisit], days: list[DayRow] | None = None, earlier: list[Resolved] = ()) -> Report:
    """The period's figures; `days` are the per-centre-day rows (from roll-ups where they exist),
    computed from the visits when not given; `earlier`: resolved steps for the repeat visits."""
    statuses = Counter(v.status for v in visits)
    all_waits = waits(visits)
    if days is None:
        days = day_rows(visits, earlier)
    return Report(
        arrivals=arrivals(visits),
        served=statuses[DONE], no_show=statuses[NO_SHOW], cancelled=statuses[CANCELLED],
        transferred=statuses[TRANSFERRED],
        average_wait_min=mean(all_waits), p90_wait_min=percentile(all_waits, 90),
        within_target_share=within_target(visits),
        average_handling_min=mean([h for v in visits if (h := v.handling_min()) is not None]),
        unresolved=dict(sorted(Counter(v.reason or "other" for v in visits if v.outcome == UNRESOLVED).items())),
        feedback=feedback_of([v.rating for v in visits if v.rating is not None]),
        services=handling_by(visits, lambda v: v.service),
        clerks=handling_by(visits, lambda v: v.clerk),
        hours=by_hour(visits),
        days=days,
        visits=visit_figures(visits, earlier),
        estimates=estimates_of(visits),
    )
