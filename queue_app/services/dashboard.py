"""Read model of the managers' live dashboard: today's figures and the counters of one centre.

It runs on every change a centre's managers could see (the notifier batches them), so it costs a
fixed handful of queries: the day's tickets, its ratings, the counters and their tickets.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..domain.hourly import hourly
from ..domain.hours import service_day
from ..domain.lifecycle import AT_COUNTER, COUNTER_CLOSED, COUNTER_OPEN, COUNTER_STATES, WAITING
from ..domain.stats import day_figures
from ..extensions import db
from ..models import Centre, Counter, Feedback, Ticket
from ..domain.visit_figures import VisitFigures
from .reading import day_earlier_resolved, day_visits

SERVING = "serving"  # a state the dashboard tells apart: open, with a visitor at the counter
SHOWN_STATES = (SERVING, *COUNTER_STATES)


def iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat() if value is not None else None


def satisfaction(centre: Centre, day) -> dict:
    """Average rating (1–5) and number of ratings given for the visits of the day."""
    average, count = db.session.execute(
        select(func.avg(Feedback.rating), func.count(Feedback.id))
        .join(Ticket, Ticket.id == Feedback.ticket_id)
        .where(Ticket.centre_id == centre.id, Ticket.service_day == day)
    ).one()
    return {"average": None if average is None else float(average), "count": int(count)}


def today(centre: Centre, now: datetime) -> dict:
    """The centre's current service day so far: served, share within target, longest current
    wait, satisfaction, the hourly series (waits, arrivals, served) and the visits' figures."""
    day = service_day(now, centre.tz)
    visits = day_visits(centre, day)
    figures = day_figures(visits, centre.target_wait_min, day_earlier_resolved(centre, day))
    waiting_since = [v.issued_at for v in visits if v.status == WAITING]
    longest = max(((now - at).total_seconds() / 60.0 for at in waiting_since), default=None)
    return {
        "day": day.isoformat(),
        "arrivals": figures.arrivals,
        "served": figures.served,
        "no_show": figures.no_show,
        "within_target_share": figures.within_target_share,
        "average_wait_min": figures.average_wait_min,
        "longest_wait_min": None if longest is None else max(longest, 0.0),
        "longest_waiting_since": iso(min(waiting_since, default=None)),  # the page counts on from it
        "satisfaction": satisfaction(centre, day),
        "hourly": [asdict(h) for h in hourly(visits, centre.tz, now)],
        "visits": visit_kpis(figures.visits),
        # how the waits announced today did (domain/ranges.py): inside their range, error, bias
        "estimates": {"range_share": figures.estimate_range_share, "mae_min": figures.estimate_mae_min,
                      "bias_min": figures.estimate_bias_min},
    }


def visit_kpis(figures: VisitFigures) -> dict:
    """The visits' figures the dashboard shows: door-to-door time, steps, first-visit resolution, repeats."""
    return {
        "over": figures.over,
        "door_to_door_mean_min": figures.door_to_door_mean_min,
        "door_to_door_p90_min": figures.door_to_door_p90_min,
        "steps_per_visit": figures.steps_per_visit,
        "first_visit_resolution": figures.first_visit_resolution,
        "repeat_visits": sum(r.repeat for r in figures.repeats),
    }


def counter_state(counter: Counter, ticket: Ticket | None) -> str:
    """serving (open, with a ticket called or at the desk), open (idle), paused or closed."""
    if counter.state == COUNTER_OPEN and ticket is not None:
        return SERVING
    return counter.state


def counters(centre: Centre) -> dict:
    """Every counter's state with its clerk and current ticket, and how many are in each state.

    Closed counters are only counted: a big centre has dozens, and they say nothing more.
    """
    rows = db.session.scalars(
        select(Counter).options(joinedload(Counter.staff)).where(Counter.centre_id == centre.id, Counter.active.is_(True))
        .order_by(Counter.id)
    ).all()
    active = {
        t.counter_id: t for t in db.session.scalars(
            select(Ticket).options(joinedload(Ticket.service))
            .where(Ticket.centre_id == centre.id, Ticket.status.in_(AT_COUNTER), Ticket.counter_id.is_not(None))
        )
    }
    counts = dict.fromkeys(SHOWN_STATES, 0)
    listed = []
    for c in rows:
        ticket = active.get(c.id)
        state = counter_state(c, ticket)
        counts[state] += 1
        if state == COUNTER_CLOSED:
            continue
        listed.append({
            "code": c.code, "name": c.name, "state": state,
            "clerk": c.staff.name if c.staff else None,
            "ticket": None if ticket is None else {
                "number": ticket.number, "service": ticket.service.code, "status": ticket.status},
            # the elapsed time runs from the call (or the start) of the ticket, else from opening
            "since": iso(ticket.started_at or ticket.called_at) if ticket else iso(c.opened_at),
        })
    return {"counts": counts, "list": listed}
