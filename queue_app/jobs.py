"""Scheduled jobs: each centre's opening and closing, the statistics roll-up, visitors' messages.

Each job is a plain function of `now` calling services (tests drive them with an injected clock).
The scheduler does not rely on exact fire times: every minute `run_due` asks which occasions are
due and not yet done (an opening or closing time in the centre's timezone that has passed, in the
last LOOKBACK_DAYS days) and does them, so a closing missed while the server was down is caught up
on the next tick. An occasion is done once across every process running the scheduler: its
`job_runs` row (UNIQUE job + occasion, e.g. closing "HQ:2026-11-23") is inserted first inside the
job's own transaction, and a process whose insert meets the unique constraint skips it.
"""
from __future__ import annotations

import dataclasses
import logging
import signal
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .db import utcnow
from .domain import lifecycle as lc
from .domain.hours import OpeningHours
from .extensions import db
from .models import Appointment, Centre, CentreDay, JobRun, Ticket, TicketSequence
from .services.calling import move
from .services.days import close_day
from .services.lookup import setting
from .services.reading import day_stats
from .services.tx import atomic

log = logging.getLogger(__name__)

OPENING, CLOSING, ROLLUP = "opening", "closing", "rollup"
LOOKBACK_DAYS = 2  # occasions missed this many days back (server down) are still caught up
KEEP_SEQUENCES_DAYS = 7  # older daily numbering rows are pruned when a day opens
TICK_SECONDS = 60
BOOKED, MISSED = "booked", "missed"


@dataclass
class JobsDone:
    """What one `run_due` did: the occasions done, and the messages sent."""

    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    rolled_up: list[str] = field(default_factory=list)
    confirmations: int = 0
    reminders: int = 0
    near_turn: int = 0
    missed: int = 0  # appointments marked missed
    failed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"opened: {', '.join(self.opened) or '-'}",
            f"closed: {', '.join(self.closed) or '-'}",
            f"rolled up: {', '.join(self.rolled_up) or '-'}",
            f"appointments missed: {self.missed}",
            f"messages: {self.confirmations} confirmations, {self.reminders} reminders, "
            f"{self.near_turn} 'your turn is near'",
        ] + ([f"failed (retried next time): {', '.join(self.failed)}"] if self.failed else [])


def occasion(centre_code: str, day: date) -> str:
    return f"{centre_code}:{day.isoformat()}"


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


def continues(hours: OpeningHours, day: date) -> bool:
    """The day runs on into the next without closing (a centre open round the clock): its
    visitors still waiting at midnight keep their place."""
    span, following = hours.span_on(day), hours.span_on(day + timedelta(days=1))
    return span is not None and span[1] is None and following is not None and following[0] == time(0)


def _cancel_waiting(centre: Centre, before: date, at: datetime) -> int:
    """Cancel the tickets still waiting from service days before `before` (the centre closed)."""
    stale = db.session.scalars(
        select(Ticket).where(Ticket.centre_id == centre.id, Ticket.status == lc.WAITING, Ticket.service_day < before)
        .with_for_update()
    ).all()
    for ticket in stale:
        move(ticket, "cancel", at, reason="centre_closed")
    return len(stale)


@atomic
def open_day(centre_id: int, day: date, now: datetime) -> JobRun | None:
    """Start the centre's day clean: numbering restarts at 1 (sequences are keyed by service day,
    see services/tickets.py), tickets left waiting from an earlier day are cancelled (unless the
    centre ran on through the night), old numbering rows are pruned; the day is recorded."""
    centre = db.session.get(Centre, centre_id)
    run = claim_run(OPENING, occasion(centre.code, day), now)
    if run is None:
        return None
    hours, tz = centre.opening_hours, centre.tz
    opens_at = hours.opening_of(day, tz)
    stale = 0 if continues(hours, day - timedelta(days=1)) else _cancel_waiting(centre, day, opens_at)
    pruned = db.session.execute(
        delete(TicketSequence).where(TicketSequence.centre_id == centre.id,
                                     TicketSequence.service_day < day - timedelta(days=KEEP_SEQUENCES_DAYS))
    ).rowcount
    run.details = {"opens_at": opens_at.isoformat(), "stale_cancelled": stale, "sequences_pruned": pruned}
    return run


def _reopened_since(hours: OpeningHours, tz, day: date, now: datetime) -> bool:
    """Whether the centre has opened again after `day` by `now` (a closing caught up late)."""
    local_today = now.astimezone(tz).date()
    following = day + timedelta(days=1)
    while following <= local_today:
        opens = hours.opening_of(following, tz)
        if opens is not None and opens <= now:
            return True
        following += timedelta(days=1)
    return False


def _local_day_bounds(day: date, tz) -> tuple[datetime, datetime]:
    first = datetime.combine(day, time(0), tz).astimezone(timezone.utc)
    return first, datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(timezone.utc)


def mark_missed(centre: Centre, day: date, now: datetime) -> int:
    """Appointments of the centre's local day still `booked` after their check-in window: missed.

    Only for a day that has closed (until then a late visitor hears "too late" at the kiosk, not
    "no such appointment"); a slot whose window outlasts the closing is marked on a later tick.
    """
    late = timedelta(minutes=setting("appointments").get("checkin_late_min", 15))
    first, last = _local_day_bounds(day, centre.tz)
    booked = db.session.scalars(
        select(Appointment.id).where(Appointment.centre_id == centre.id, Appointment.status == BOOKED,
                                     Appointment.start >= first, Appointment.start < last,
                                     Appointment.start < now - late)
    ).all()
    if booked:
        db.session.execute(update(Appointment).where(Appointment.id.in_(booked)).values(status=MISSED)
                           .execution_options(synchronize_session=False))
    return len(booked)


@atomic
def close_centre_day(centre_id: int, day: date, now: datetime) -> JobRun | None:
    """At closing time: the waiting tickets are cancelled and idle counters closed (close_day), and
    the day's appointments never checked in are marked missed. Caught up after the centre has
    opened again, only the old day's waiting tickets are cancelled and counters are left alone."""
    centre = db.session.get(Centre, centre_id)
    run = claim_run(CLOSING, occasion(centre.code, day), now)
    if run is None:
        return None
    hours, tz = centre.opening_hours, centre.tz
    closes_at = hours.closing_of(day, tz)
    details: dict = {"closes_at": closes_at.isoformat()}
    if continues(hours, day):
        details["cancelled"] = 0  # open round the clock: nobody is sent away at midnight
    elif _reopened_since(hours, tz, day, now):
        details["cancelled"] = _cancel_waiting(centre, day + timedelta(days=1), closes_at)
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


def due_days(hours: OpeningHours, tz, now: datetime) -> list[tuple[date, datetime | None, datetime | None]]:
    """The centre's recent local days, oldest first, with their opening and closing if passed."""
    today = now.astimezone(tz).date()
    days = []
    for back in range(LOOKBACK_DAYS, -1, -1):
        day = today - timedelta(days=back)
        opens, closes = hours.opening_of(day, tz), hours.closing_of(day, tz)
        days.append((day, opens if opens is not None and opens <= now else None,
                     closes if closes is not None and closes <= now else None))
    return days


def _attempt(result: JobsDone, label: str, fn, *args):
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - one centre's fault must not stop the others; retried next tick
        log.exception("scheduled job %s failed", label)
        db.session.rollback()
        result.failed.append(label)
        return None


def run_due(now: datetime | None = None) -> JobsDone:
    """Do every occasion that is due and not yet done, then the messages that are due."""
    from .notifications import delivery

    now = now or utcnow()
    result = JobsDone()
    centres = [(c.id, c.code, c.opening_hours, c.tz)
               for c in db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code))]
    db.session.rollback()
    for centre_id, code, hours, tz in centres:
        for day, opened, closed in due_days(hours, tz, now):
            key = occasion(code, day)
            if opened is not None and _attempt(result, f"{OPENING} {key}", open_day, centre_id, day, now):
                result.opened.append(key)
            if closed is not None:
                run = _attempt(result, f"{CLOSING} {key}", close_centre_day, centre_id, day, now)
                if run is not None:
                    result.closed.append(key)
                    result.missed += run.details.get("missed", 0)
                result.missed += _attempt(result, f"missed {key}", sweep_missed, centre_id, day, now) or 0
                if _attempt(result, f"{ROLLUP} {key}", roll_up, centre_id, day, now):
                    result.rolled_up.append(key)
    result.confirmations = _attempt(result, "confirmations", delivery.retry_confirmations, now) or 0
    result.reminders = _attempt(result, "reminders", delivery.remind_due, now) or 0
    result.near_turn = _attempt(result, "near_turn", delivery.retry_near_turns, now) or 0
    return result


def tick(app, clock=utcnow) -> None:
    """One scheduler turn in an app context and session of its own."""
    with app.app_context():
        try:
            result = run_due(clock())
            if result.opened or result.closed or result.rolled_up or result.failed:
                log.info("scheduled jobs: %s", "; ".join(result.lines()))
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("scheduled jobs turn failed")
        finally:
            db.session.remove()


def _scheduler(cls, app, interval: float, first_in: float):
    """An APScheduler of class `cls` whose one job ticks every `interval` s, first in `first_in` s."""
    scheduler = cls(timezone=timezone.utc, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(tick, "interval", seconds=interval, args=[app], id="onedoor-run-due",
                      next_run_time=utcnow() + timedelta(seconds=first_in), misfire_grace_time=int(interval))
    return scheduler


def start_scheduler(app, interval: float = TICK_SECONDS):
    """Run `run_due` every `interval` seconds beside the server (not under TESTING); return the
    scheduler. Every server process may run one: each occasion is done once (see above)."""
    if app.config.get("TESTING"):
        return None
    if app.config.get("ONEDOOR_ASYNC_MODE") == "gevent":
        from apscheduler.schedulers.gevent import GeventScheduler as Scheduler
    else:
        from apscheduler.schedulers.background import BackgroundScheduler as Scheduler
    scheduler = _scheduler(Scheduler, app, interval, first_in=5)  # the server answers first
    scheduler.start()
    return scheduler


def start_background(app) -> None:
    """What a server process runs beside its requests: the print worker always (a job is claimed
    atomically, so N processes never print a ticket twice), and the scheduler unless
    ONEDOOR_SCHEDULER=0, where one `queue-app scheduler` runs it for the whole deployment.
    /healthz tells whether this process runs it."""
    from .services.printing import start_print_worker

    start_print_worker(app)
    if app.config["ONEDOOR_SCHEDULER"]:
        app.extensions["onedoor.scheduler"] = start_scheduler(app)


def run_scheduler(app, interval: float = TICK_SECONDS) -> None:
    """`queue-app scheduler`: only the scheduled jobs, in this process, a tick at once and then every
    `interval` s, until SIGTERM or SIGINT (the tick under way finishes first). Its Socket.IO events
    reach the web processes' screens through ONEDOOR_MESSAGE_QUEUE."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = _scheduler(BlockingScheduler, app, interval, first_in=0)
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: scheduler.shutdown(wait=False))
    scheduler.start()
