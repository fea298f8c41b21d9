"""Scheduled jobs: each centre's opening and closing, the statistics roll-up, visitors' messages.

Each job is a plain function of `now` calling services (tests drive them with an injected clock).
The scheduler does not rely on exact fire times: every minute `run_due` asks which occasions are
due and not yet done (an opening or closing time in the centre's timezone that has passed, in the
last LOOKBACK_DAYS days) and does them, so a closing missed while the server was down is caught up
on the next tick. An occasion is done once across every process running the scheduler: its
`job_runs` row (UNIQUE job + occasion, e.g. closing "HQ:2026-11-23") is inserted first inside the
job's own transaction, and a process whose insert meets the unique constraint skips it (the
occasions are services: queue_app/services/days.py; which days are due: domain/hours.py).
Open data's 15-minute records are done once the same way, by their own unique (centre, period)
row (services/live_feed.py): every closed period of yesterday and today is stored on the next tick.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .db import utcnow
from .domain.hours import due_days
from .extensions import db
from .services.days import (CLOSING, OPENING, ROLLUP, active_centres, close_centre_day, occasion, open_day, roll_up,
                            sweep_missed)
from .services.live_feed import FEED, store_periods

log = logging.getLogger(__name__)

LOOKBACK_DAYS = 2  # occasions missed this many days back (server down) are still caught up
TICK_SECONDS = 60


@dataclass
class JobsDone:
    """What one `run_due` did: the occasions done, and the messages sent."""

    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    rolled_up: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)  # open data's 15-minute records stored
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
            f"open-data periods: {len(self.periods)}",
            f"appointments missed: {self.missed}",
            f"messages: {self.confirmations} confirmations, {self.reminders} reminders, "
            f"{self.near_turn} 'your turn is near'",
        ] + ([f"failed (retried next time): {', '.join(self.failed)}"] if self.failed else [])


def _attempt(result: JobsDone, label: str, fn, *args):
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - one centre's fault must not stop the others; retried next tick
        log.exception("scheduled job %s failed", label)
        db.session.rollback()
        result.failed.append(label)
        return None


def run_due(now: datetime | None = None, pause=lambda: None) -> JobsDone:
    """Do every occasion that is due and not yet done, then the messages that are due; `pause()`
    after each centre (a server's scheduler lets its requests in there: tick)."""
    from .notifications import delivery

    now = now or utcnow()
    result = JobsDone()
    for centre_id, code, hours, tz in active_centres():
        pause()
        for day, opened, closed in due_days(hours, tz, now, LOOKBACK_DAYS):
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
        result.periods += _attempt(result, f"{FEED} {code}", store_periods, centre_id, now) or []
    result.confirmations = _attempt(result, "confirmations", delivery.retry_confirmations, now) or 0
    result.reminders = _attempt(result, "reminders", delivery.remind_due, now) or 0
    result.near_turn = _attempt(result, "near_turn", delivery.retry_near_turns, now) or 0
    return result


def tick(app, clock=utcnow) -> None:
    """One scheduler turn in an app context and session of its own."""
    socketio = app.extensions.get("socketio")
    with app.app_context():
        try:
            # Beside a gevent server the turn runs in a greenlet: a turn over every centre (the
            # open-data periods of 150 centres) would hold every request back until it ends.
            result = run_due(clock(), pause=(lambda: socketio.sleep(0)) if socketio is not None else (lambda: None))
            if result.opened or result.closed or result.rolled_up or result.periods or result.failed:
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


SIGHTING_SECONDS = 60  # a connected screen is noted as seen this often (domain/health.SILENT_AFTER is 15 min)


def note_connected(app, now: datetime | None = None) -> int:
    """Note the kiosks and displays with a socket open on this process as seen at `now`; return how many."""
    from .namespaces import connected_devices
    from .services.people import note_all_seen

    ids = connected_devices(app).ids()
    with app.app_context():
        try:
            note_all_seen(ids, now or utcnow())
        finally:
            db.session.remove()
    return len(ids)


def run_sightings(app, stop_event, interval: float = SIGHTING_SECONDS, sleep=time.sleep) -> None:
    """Every `interval` s until `stop_event` is set, `note_connected` (a failure is logged, and the next turn tries)."""
    while not stop_event.is_set():
        try:
            note_connected(app)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the sightings for good
            log.exception("noting the connected devices failed")
        sleep(interval)


def start_background(app) -> None:
    """What a server process runs beside its requests: the print worker unless
    ONEDOOR_PRINT_WORKER=0, where `queue-app print-worker` processes print (a job is claimed
    atomically, so N processes never print a ticket twice), the sightings of its connected screens
    always (each process knows only its own sockets), and the scheduler unless
    ONEDOOR_SCHEDULER=0, where one `queue-app scheduler` runs it for the whole deployment.
    /healthz tells whether this process prints and runs the scheduler."""
    from .print_worker import start_print_worker

    if app.config["ONEDOOR_PRINT_WORKER"]:
        app.extensions["onedoor.print_worker"] = start_print_worker(app)
    socketio = app.extensions["socketio"]  # every process notes its own connected screens
    socketio.start_background_task(run_sightings, app, threading.Event(), SIGHTING_SECONDS, socketio.sleep)
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
