"""The figures of visits across agencies (SPEC §11): door-to-door time, steps per visit, first-visit
resolution, unresolved reasons per service and repeat visits, from the ticket rows (one per step).

Plain data in, figures out. The rows of one visit share `visit` (its first row's id); a transferred
row is no step of its own (the row it became keeps the step number). A visit is over when its
latest row is final and nothing is still to come, or it ended as a no-show or a cancel.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .lifecycle import CANCELLED, DONE, NO_SHOW, RESOLVED, TRANSFERRED, UNRESOLVED
from .summary import mean, percentile

if TYPE_CHECKING:  # stats.Visit: the rows; stats builds on this module
    from .stats import Visit

REPEAT_WINDOW = timedelta(days=30)
ENDS_VISIT = frozenset({NO_SHOW, CANCELLED})  # the steps still to come are not served


@dataclass(frozen=True)
class Resolved:
    """A step resolved for a service: whose (the contact's keyed hash), of which visit, when it ended."""

    contact: str
    service: str
    visit: int
    at: datetime


@dataclass(frozen=True)
class Repeats:
    """A service's visits with a known contact, and how many of them came back within the window
    after a visit resolved for that same service (seen on the day they come back)."""

    service: str
    visits: int
    repeat: int
    share: float | None


@dataclass(frozen=True)
class VisitFigures:
    visits: int  # visits with a row in the data
    over: int  # of them, over
    door_to_door_mean_min: float | None  # arrival → end of the last step, visits served to their end
    door_to_door_p90_min: float | None
    steps_per_visit: float | None  # steps each visit reached, transfers not counted
    first_visit_resolution: float | None  # share of the visits over whose every step was resolved
    unresolved_by_service: dict[str, dict[str, int]] = field(default_factory=dict)
    repeats: list[Repeats] = field(default_factory=list)


def visit_groups(rows: list[Visit]) -> list[list[Visit]]:
    """The rows grouped by visit, each group in the order its rows were made (step, then issue)."""
    groups: dict[object, list[Visit]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row.visit if row.visit is not None else ("row", i), []).append(row)
    return [sorted(g, key=lambda r: (r.step, r.issued_at)) for g in groups.values()]


def is_over(group: list[Visit]) -> bool:
    last = group[-1]
    return last.status in ENDS_VISIT or (last.status == DONE and not last.steps_to_come)


def door_to_door_min(group: list[Visit]) -> float | None:
    """Minutes from the visit's arrival to the end of its last step, if it was served to its end."""
    last = group[-1]
    if last.status != DONE or last.steps_to_come or last.finished_at is None:
        return None
    arrived = min(r.arrived_at or r.issued_at for r in group)
    return (last.finished_at - arrived).total_seconds() / 60.0


def steps_of(group: list[Visit]) -> int:
    return len({r.step for r in group if r.status != TRANSFERRED})


def resolved_first_time(group: list[Visit]) -> bool:
    """Every step of a visit over ended done and resolved (a transferred row gave its step away)."""
    steps = [r for r in group if r.status != TRANSFERRED]
    return is_over(group) and bool(steps) and all(r.status == DONE and r.outcome == RESOLVED for r in steps)


def unresolved_by_service(rows: list[Visit]) -> dict[str, dict[str, int]]:
    """{service: {reason: steps}} of the steps that ended unresolved."""
    counts = Counter((r.service, r.reason or "other") for r in rows if r.outcome == UNRESOLVED)
    out: dict[str, dict[str, int]] = {}
    for (service, reason), n in sorted(counts.items()):
        out.setdefault(service, {})[reason] = n
    return out


def resolved_steps(rows: list[Visit]) -> list[Resolved]:
    """The rows that ended done and resolved for a known contact, as repeat matching needs them."""
    return [Resolved(r.contact, r.service, r.visit, r.finished_at) for r in rows
            if r.contact and r.visit is not None and r.status == DONE and r.outcome == RESOLVED and r.finished_at]


def repeats(groups: list[list[Visit]], earlier: list[Resolved], window: timedelta = REPEAT_WINDOW) -> list[Repeats]:
    """Per service: the visits with a known contact, and those that came for it within `window`
    after another visit of the same contact was resolved for it."""
    index: dict[tuple[str, str], list[Resolved]] = {}
    for r in earlier:
        index.setdefault((r.contact, r.service), []).append(r)
    visits, back = Counter(), Counter()
    for group in groups:
        contact = next((r.contact for r in group if r.contact), None)
        if contact is None:
            continue
        arrived = min(r.arrived_at or r.issued_at for r in group)
        for service in {r.service for r in group}:
            visits[service] += 1
            if any(p.visit != group[0].visit and arrived - window <= p.at < arrived
                   for p in index.get((contact, service), ())):
                back[service] += 1
    return [Repeats(s, n, back[s], back[s] / n) for s, n in sorted(visits.items())]


def by_contact(earlier: list[Resolved]) -> dict[str, list[Resolved]]:
    """The resolved steps by contact, read once for many groups of rows (see for_rows)."""
    index: dict[str, list[Resolved]] = {}
    for r in earlier:
        index.setdefault(r.contact, []).append(r)
    return index


def for_rows(index: dict[str, list[Resolved]], rows: list[Visit]) -> list[Resolved]:
    """The resolved steps of the rows' contacts only: a day of a long period needs no more."""
    return [r for contact in {row.contact for row in rows if row.contact} for r in index.get(contact, ())]


def visit_figures(rows: list[Visit], earlier: list[Resolved] = ()) -> VisitFigures:
    """The visits' figures from their rows; `earlier` are resolved steps from before the rows' period
    (the rows' own resolved steps count as well) for the repeat visits."""
    groups = visit_groups(rows)
    over = [g for g in groups if is_over(g)]
    door = [d for g in over if (d := door_to_door_min(g)) is not None]
    known = {(p.visit, p.service, p.at) for p in earlier}
    matched = list(earlier) + [p for p in resolved_steps(rows) if (p.visit, p.service, p.at) not in known]
    return VisitFigures(
        visits=len(groups), over=len(over),
        door_to_door_mean_min=mean(door), door_to_door_p90_min=percentile(door, 90),
        steps_per_visit=mean([float(steps_of(g)) for g in groups]),
        first_visit_resolution=(sum(resolved_first_time(g) for g in over) / len(over)) if over else None,
        unresolved_by_service=unresolved_by_service(rows),
        repeats=repeats(groups, matched),
    )

