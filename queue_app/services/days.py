"""A centre's day: opening it clean, closing it (whoever still waits is cancelled, idle counters
close, appointments never checked in are missed) and rolling up its figures.

The scheduled occasions (queue_app/jobs.py) are done once across every process: each service
below that takes one inserts its `job_runs` row (UNIQUE job + occasion, e.g. closing
"HQ:2026-11-23") first, inside its own transaction, and does nothing when another process has.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..db import utcnow
from ..domain import appointments as ap
from ..domain import lifecycle as lc
from ..domain.hours import OpeningHours, continues, local_day_bounds, reopened_since
from ..extensions import db
from ..models import Appointment, Centre, CentreDay, Counter, JobRun, Ticket, TicketSequence
from .calling import active_ticket, move
from .counters import shut
from .lookup import centre_by_code, setting
from .reading import day_stats
from .tx import atomic

OPENING, CLOSING, ROLLUP = "opening", "closing", "rollup"
KEEP_SEQUENCES_DAYS = 7  # older daily numbering rows are pruned when a day opens


@dataclass(frozen=True)
class DayClosed:
    cancelled: int
    counters_closed: int
    still_at_counters: int


def _cancel_waiting(centre: Centre, at: datetime, before: date | None = None) -> int:
    """Cancel the centre's waiting tickets (only those of service days before `before`, if given)."""
    where = [Ticket.centre_id == centre.id, Ticket.status == lc.WAITING]
    if before is not None:
        where.append(Ticket.service_day < before)
    waiting = db.session.scalars(select(Ticket).where(*where).with_for_update()).all()
    for ticket in waiting:
        move(ticket, "cancel", at, reason="centre_closed")
    return len(waiting)


@atomic
def close_day(centre_code: str, *, now: datetime | None = None) -> DayClosed:
    """Cancel the centre's waiting tickets and close counters with nobody at them.

    Visitors already called or being served are left for their clerks to finish.
    """
    now = now or utcnow()
    centre = centre_by_code(centre_code)
    cancelled = _cancel_waiting(centre, now)
    closed = busy = 0
    for counter in db.session.scalars(
        select(Counter).where(Counter.centre_id == centre.id, Counter.state.in_(lc.COUNTER_HELD)).with_for_update()
    ):
        if active_ticket(counter) is not None:
            busy += 1
            continue
        shut(counter)
        closed += 1
    return DayClosed(cancelled, closed, busy)


# ---- the scheduled occasions, each done once -------------------------------------------------

def occasion(centre_code: str, day: date) -> str:
    return f"{centre_code}:{day.isoformat()}"


def active_centres() -> list[tuple[int, str, OpeningHours, object]]:
    """(id, code, opening hours, timezone) of every active centre, by code; the read is ended."""
    centres = [(c.id, c.code, c.opening_hours, c.tz)
               for c in db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code))]
    db.session.rollback()
    return centres


def done(job: str, key: str) -> bool:
    return db.session.scalar(select(JobRun.id).where(JobRun.job == job, JobRun.occasion == key)) is not None


def claim_run(job: str, key: str, now: datetime) -> JobRun | None:
    """Insert the occasion's row in the current transaction; None when it is (being) done elsewhere.

    The insert runs in a savepoint: on PostgreSQL a concurrent insert of the same pair waits for
    the other transaction and then fails on the unique constraint, which ends only the savepoint.
    """
    if done(job, key):
        return None
    try:
        with db.session.begin_nested():
            run = JobRun(job=job, occasion=key, ran_at=now, details={})
            db.session.add(run)
            db.session.flush()
    except IntegrityError:
        return None
    return run


def _claim_day(job: str, centre_id: int, day: date, now: datetime) -> tuple[Centre, JobRun | None]:
    """The centre, and the run of `job` for its `day` if this transaction claimed it (claim_run)."""
    centre = db.session.get(Centre, centre_id)
    return centre, claim_run(job, occasion(centre.code, day), now)


@atomic
def open_day(centre_id: int, day: date, now: datetime) -> JobRun | None:
    """Start the centre's day clean: numbering restarts at 1 (sequences are keyed by service day,
    see services/tickets.py), tickets left waiting from an earlier day are cancelled (unless the
    centre ran on through the night), old numbering rows are pruned; the day is recorded."""
    centre, run = _claim_day(OPENING, centre_id, day, now)
    if run is None:
        return None
    hours, tz = centre.opening_hours, centre.tz
    opens_at = hours.opening_of(day, tz)
    stale = 0 if continues(hours, day - timedelta(days=1)) else _cancel_waiting(centre, opens_at, before=day)
    pruned = db.session.execute(
        delete(TicketSequence).where(TicketSequence.centre_id == centre.id,
                                     TicketSequence.service_day < day - timedelta(days=KEEP_SEQUENCES_DAYS))
    ).rowcount
    run.details = {"opens_at": opens_at.isoformat(), "stale_cancelled": stale, "sequences_pruned": pruned}
    return run


def mark_missed(centre: Centre, day: date, now: datetime) -> int:
    """Appointments of the centre's local day still `booked` after their check-in window: missed.

    Only for a day that has closed (until then a late visitor hears "too late" at the kiosk, not
    "no such appointment"); a slot whose window outlasts the closing is marked on a later tick.
    """
    late = timedelta(minutes=setting("appointments").get("checkin_late_min", 15))
    first, last = local_day_bounds(day, centre.tz)
    booked = db.session.scalars(
        select(Appointment.id).where(Appointment.centre_id == centre.id, Appointment.status == ap.BOOKED,
                                     Appointment.start >= first, Appointment.start < last,
                                     Appointment.start < now - late)
    ).all()
    if booked:
        db.session.execute(update(Appointment).where(Appointment.id.in_(booked))
                           .values(status=ap.next_status(ap.BOOKED, ap.MISS))
                           .execution_options(synchronize_session=False))
    return len(booked)


@atomic
def close_centre_day(centre_id: int, day: date, now: datetime) -> JobRun | None:
    """At closing time: the waiting tickets are cancelled and idle counters closed (close_day), and
    the day's appointments never checked in are marked missed. Caught up after the centre has
    opened again, only the old day's waiting tickets are cancelled and counters are left alone."""
    centre, run = _claim_day(CLOSING, centre_id, day, now)
    if run is None:
        return None
    hours, tz = centre.opening_hours, centre.tz
    closes_at = hours.closing_of(day, tz)
    details: dict = {"closes_at": closes_at.isoformat()}
    if continues(hours, day):
        details["cancelled"] = 0  # open round the clock: nobody is sent away at midnight
    elif reopened_since(hours, tz, day, now):
        details["cancelled"] = _cancel_waiting(centre, closes_at, before=day + timedelta(days=1))
        details["caught_up"] = True
    else:
        closed = close_day(centre.code, now=closes_at)
        details.update(cancelled=closed.cancelled, counters_closed=closed.counters_closed,
                       still_at_counters=closed.still_at_counters)
    details["missed"] = mark_missed(centre, day, now)
    run.details = details
    return run


@atomic
def sweep_missed(centre_id: int, day: date, now: datetime) -> int:
    """Mark the missed appointments of a day already closed (idempotent: run on every tick)."""
    if not done(CLOSING, occasion(db.session.get(Centre, centre_id).code, day)):
        return 0
    return mark_missed(db.session.get(Centre, centre_id), day, now)


@atomic
def roll_up(centre_id: int, day: date, now: datetime) -> JobRun | None:
    """After the day closed: store its figures (services/reading.day_stats) in centre_days."""
    centre = db.session.get(Centre, centre_id)
    key = occasion(centre.code, day)
    if not done(CLOSING, key):
        return None
    run = claim_run(ROLLUP, key, now)
    if run is None:
        return None
    figures = dataclasses.asdict(day_stats(centre, day))
    row = db.session.scalar(select(CentreDay).where(CentreDay.centre_id == centre.id, CentreDay.day == day))
    if row is None:
        db.session.add(CentreDay(centre_id=centre.id, day=day, figures=figures, rolled_up_at=now))
    else:
        row.figures, row.rolled_up_at = figures, now
    run.details = {"arrivals": figures["arrivals"], "served": figures["served"]}
    return run
