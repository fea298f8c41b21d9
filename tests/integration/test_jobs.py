"""Scheduled jobs driven by an injected clock: opening, closing, missed appointments, roll-up,
reminders; each occasion done once, also from several threads and processes at once."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app import jobs
from queue_app.extensions import db
from queue_app.jobs import run_due
from queue_app.models import Appointment, Centre, CentreDay, JobRun, Service, Ticket, TicketEvent
from queue_app.notifications import use_sender
from queue_app.notifications.senders import RecordingSender
from queue_app.services import call_next, issue_ticket, open_counter, queue_state
from queue_app.services.booking import new_code
from queue_app.services.reading import day_stats
from tests.conftest import MSK, NETWORK, add_clerk
from tests.integration.test_concurrency import run_threads

NY = ZoneInfo("America/New_York")
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
REPO = Path(__file__).resolve().parents[2]


def at(day: date, hh: int, mm: int = 0, tz=NY, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tz)


@pytest.fixture
def sent(ctx):
    """A recording sender in place of the log backend, for the test only."""
    fake = RecordingSender()
    previous = use_sender(ctx, fake)
    yield fake
    use_sender(ctx, previous)


def centre_id(code: str) -> int:
    return db.session.scalar(select(Centre.id).where(Centre.code == code))


def appointment(centre: str, start: datetime, service: str = "passport", status: str = "booked", **kw) -> int:
    """An appointment row as booking leaves it (confirmed at booking time)."""
    service_id = db.session.scalar(select(Service.id).where(Service.code == service))
    row = Appointment(code=new_code(), centre_id=centre_id(centre), service_id=service_id, start=start,
                      end=start + timedelta(minutes=20), status=status, name="Olga Ivanova",
                      phone=kw.pop("phone", "+79161234567"), email=kw.pop("email", None),
                      language=kw.pop("language", "en"), place=1,
                      created_at=kw.get("created_at", start - timedelta(days=3)),
                      confirmed_at=kw.pop("confirmed_at", start - timedelta(days=3)))
    db.session.add(row)
    db.session.commit()
    return row.id


def status_of(model, row_id: int) -> str:
    db.session.rollback()
    return db.session.scalar(select(model.status).where(model.id == row_id))


def runs(job: str | None = None) -> list[str]:
    db.session.rollback()
    query = select(JobRun.job, JobRun.occasion).order_by(JobRun.job, JobRun.occasion)
    if job:
        query = query.where(JobRun.job == job)
    return [f"{j} {o}" if not job else o for j, o in db.session.execute(query)]


def open_nyc_desk(now: datetime) -> None:
    add_clerk("nyc1", "NYC", primary=["passport", "birth"])
    open_counter("NYC-01", "nyc1", now=now, by=SYSTEM)


# ---- opening --------------------------------------------------------------------------------

def test_each_centre_opens_at_its_own_local_opening_time(ctx):
    before_ny_opens = at(MONDAY, 8, 59)  # 16:59 in Moscow
    done = run_due(before_ny_opens)
    # HQ never closes: its day opened at midnight Moscow time; NYC opens at 09:00 New York time.
    assert done.opened == ["HQ:2026-11-21", "HQ:2026-11-22", "HQ:2026-11-23", "NYC:2026-11-21"]
    assert done.closed == ["HQ:2026-11-21", "HQ:2026-11-22", "NYC:2026-11-21"]  # Sunday NYC is closed
    assert run_due(before_ny_opens).opened == []  # nothing twice
    assert run_due(at(MONDAY, 9, 0)).opened == ["NYC:2026-11-23"]
    assert runs("opening")[-1] == "NYC:2026-11-23"


def test_a_new_day_starts_clean_numbering_from_one(ctx):
    open_nyc_desk(at(MONDAY, 9))
    monday = [issue_ticket("NYC", "passport", now=at(MONDAY, 16, m), by=SYSTEM) for m in (10, 20)]
    assert [i.ticket.number for i in monday] == ["B001", "B002"]
    tuesday = issue_ticket("NYC", "passport", now=at(TUESDAY, 9, 1), by=SYSTEM)
    assert tuesday.ticket.number == "B001"  # the day's numbering starts at 1 again
    assert tuesday.ticket.service_day == TUESDAY


# ---- closing and the missed appointments ------------------------------------------------------

def test_closing_cancels_the_waiting_and_marks_missed_appointments(ctx):
    open_nyc_desk(at(MONDAY, 9))
    waiting = [issue_ticket("NYC", "passport", now=at(MONDAY, 16, m), by=SYSTEM).ticket.id for m in (0, 10, 20)]
    called = call_next("NYC-01", now=at(MONDAY, 16, 30), by=SYSTEM)
    missed = appointment("NYC", at(MONDAY, 15, 0))
    on_the_edge = appointment("NYC", at(MONDAY, 16, 50))  # check-in open until 17:05
    tomorrow = appointment("NYC", at(TUESDAY, 10, 0))
    checked_in = appointment("NYC", at(MONDAY, 14, 0), status="checked_in")

    assert "NYC:2026-11-23" not in run_due(at(MONDAY, 16, 59)).closed
    done = run_due(at(MONDAY, 17, 0, ss=30))
    assert done.closed == ["NYC:2026-11-23"] and done.rolled_up == ["NYC:2026-11-23"]
    assert [status_of(Ticket, t) for t in waiting] == ["called", "cancelled", "cancelled"]
    assert called.id == waiting[0]
    events = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == waiting[1])
                                .order_by(TicketEvent.id.desc())).first()
    assert (events.reason, events.at) == ("centre_closed", at(MONDAY, 17))  # cancelled as of closing time
    assert [status_of(Appointment, a) for a in (missed, on_the_edge, tomorrow, checked_in)] == [
        "missed", "booked", "booked", "checked_in"]
    run = db.session.scalar(select(JobRun).where(JobRun.job == "closing", JobRun.occasion == "NYC:2026-11-23"))
    assert run.details["cancelled"] == 2 and run.details["still_at_counters"] == 1 and run.details["missed"] == 1

    later = run_due(at(MONDAY, 17, 6))  # the last slot's check-in window has passed since
    assert later.closed == [] and later.missed == 1
    assert status_of(Appointment, on_the_edge) == "missed"


def test_a_missed_closing_is_caught_up_without_touching_the_new_day(ctx):
    open_nyc_desk(at(MONDAY, 9))
    old = issue_ticket("NYC", "passport", now=at(MONDAY, 16, 0), by=SYSTEM).ticket.id
    run_due(at(MONDAY, 12))  # the server ran at noon, then was down from before closing
    new = issue_ticket("NYC", "passport", now=at(TUESDAY, 9, 10), by=SYSTEM).ticket.id
    done = run_due(at(TUESDAY, 9, 30))
    assert "NYC:2026-11-23" in done.closed and "NYC:2026-11-24" in done.opened
    assert status_of(Ticket, old) == "cancelled" and status_of(Ticket, new) == "waiting"
    db.session.rollback()
    assert db.session.get(Centre, centre_id("NYC")).counters[0].state == "open"  # Tuesday's clerk stays
    figures = db.session.scalar(select(CentreDay.figures).where(CentreDay.day == MONDAY,
                                                                 CentreDay.centre_id == centre_id("NYC")))
    assert figures["arrivals"] == 1 and figures["cancelled"] == 1


def test_a_centre_open_round_the_clock_keeps_its_visitors_at_midnight(ctx):
    waiting = issue_ticket("HQ", "info", now=datetime(2026, 11, 23, 23, 50, tzinfo=MSK), by=SYSTEM).ticket.id
    done = run_due(datetime(2026, 11, 24, 0, 1, tzinfo=MSK))
    assert "HQ:2026-11-23" in done.closed and "HQ:2026-11-24" in done.opened
    assert status_of(Ticket, waiting) == "waiting"
    state = queue_state(db.session.get(Centre, centre_id("HQ")), datetime(2026, 11, 24, 0, 1, tzinfo=MSK))
    assert [c.id for c in state.order] == [waiting]


# ---- roll-up --------------------------------------------------------------------------------

def test_the_roll_up_stores_the_days_figures_once_after_closing(ctx):
    open_nyc_desk(at(MONDAY, 9))
    for m in (0, 5, 10):
        issue_ticket("NYC", "passport", now=at(MONDAY, 10, m), by=SYSTEM)
    call_next("NYC-01", now=at(MONDAY, 10, 20), by=SYSTEM)
    assert "NYC:2026-11-23" not in run_due(at(MONDAY, 16)).rolled_up  # not before closing
    run_due(at(MONDAY, 17, 1))
    rows = db.session.scalars(select(CentreDay).where(CentreDay.centre_id == centre_id("NYC"),
                                                      CentreDay.day == MONDAY)).all()
    assert len(rows) == 1
    expected = day_stats(db.session.get(Centre, centre_id("NYC")), MONDAY)
    assert rows[0].figures["arrivals"] == expected.arrivals == 3
    assert rows[0].figures["cancelled"] == 2 and rows[0].figures["average_wait_min"] == pytest.approx(20)
    assert rows[0].figures["services"][0]["service"] == "passport"
    assert run_due(at(MONDAY, 17, 2)).rolled_up == []
    assert db.session.scalar(select(func.count()).select_from(CentreDay).where(CentreDay.day == MONDAY)) == 2


# ---- reminders ------------------------------------------------------------------------------

def test_reminders_go_out_the_day_before_at_each_centres_local_hour(ctx, sent):
    moscow = appointment("HQ", datetime(2026, 11, 24, 10, 0, tzinfo=MSK), email="olga@example.org", language="ru")
    new_york = appointment("NYC", at(TUESDAY, 10), language="es")
    later = appointment("NYC", at(date(2026, 11, 25), 10))
    # 18:00 in Moscow (the reminder hour) is 10:00 in New York.
    assert run_due(datetime(2026, 11, 23, 17, 59, tzinfo=MSK)).reminders == 0
    assert run_due(datetime(2026, 11, 23, 18, 0, tzinfo=MSK)).reminders == 1
    assert [(m.kind, m.to_email, m.language) for m in sent.messages] == [("reminder", "olga@example.org", "ru")]
    assert "Напоминаем" in sent.messages[0].body
    assert run_due(at(MONDAY, 17, 59)).reminders == 0
    assert run_due(at(MONDAY, 18, 0)).reminders == 1
    assert sent.messages[-1].to_phone == "+79161234567" and sent.messages[-1].language == "es"
    assert run_due(at(MONDAY, 23, 0)).reminders == 0  # once per appointment
    db.session.rollback()
    reminded = dict(db.session.execute(select(Appointment.id, Appointment.reminded_at)).all())
    assert reminded[moscow] and reminded[new_york] and reminded[later] is None


def test_no_reminder_for_a_booking_confirmed_after_the_reminder_hour(ctx, sent):
    appointment("NYC", at(TUESDAY, 10), confirmed_at=at(MONDAY, 20), created_at=at(MONDAY, 20))
    assert run_due(at(MONDAY, 21)).reminders == 0  # its confirmation has just told the visitor


# ---- once, across threads and processes -------------------------------------------------------

def _busy_monday() -> tuple[list[int], int]:
    open_nyc_desk(at(MONDAY, 9))
    tickets = [issue_ticket("NYC", "passport", now=at(MONDAY, 16, m), by=SYSTEM).ticket.id for m in range(0, 50, 10)]
    return tickets, appointment("NYC", at(TUESDAY, 11))


def test_threads_running_the_jobs_at_once_do_each_occasion_once(ctx, sent):
    tickets, booked = _busy_monday()
    now = at(MONDAY, 18, 5)
    results = run_threads(ctx, 4, lambda i: run_due(now))
    closed = [key for r in results for key in r.closed]
    rolled = [key for r in results for key in r.rolled_up]
    assert sorted(closed) == sorted(set(closed)) and "NYC:2026-11-23" in closed
    assert sorted(rolled) == sorted(set(rolled)) and "NYC:2026-11-23" in rolled
    assert not [f for r in results for f in r.failed]
    assert sum(r.reminders for r in results) == 1 and len(sent.messages) == 1
    cancels = db.session.scalar(select(func.count()).select_from(TicketEvent)
                                .where(TicketEvent.ticket_id.in_(tickets), TicketEvent.action == "cancel"))
    assert cancels == 5
    assert len(runs()) == len(set(runs()))


def test_processes_running_the_jobs_at_once_do_each_occasion_once(ctx, tmp_path):
    _busy_monday()
    env = {**os.environ, "ONEDOOR_DATABASE_URL": ctx.config["SQLALCHEMY_DATABASE_URI"],
           "ONEDOOR_CONFIG": str(NETWORK), "ONEDOOR_INSTANCE": str(tmp_path), "ONEDOOR_NOTIFY": "log://",
           "ONEDOOR_SECRET_KEY": "test"}
    command = [sys.executable, "-m", "queue_app", "jobs", "run-due", "--now", at(MONDAY, 18, 5).isoformat()]
    processes = [subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], [err[-2000:] for _, err in outputs]
    closed = [line for out, _ in outputs for line in out.splitlines() if line.startswith("closed:")]
    occasions = [k for line in closed for k in line.removeprefix("closed: ").split(", ") if k != "-"]
    assert sorted(occasions) == sorted(set(occasions)) and "NYC:2026-11-23" in occasions
    reminders = [line for out, _ in outputs for line in out.splitlines() if line.startswith("messages:")]
    assert sum(int(line.split()[3]) for line in reminders) == 1, reminders
    assert runs("closing").count("NYC:2026-11-23") == 1
    assert db.session.scalar(select(func.count()).select_from(CentreDay)
                             .where(CentreDay.centre_id == centre_id("NYC"), CentreDay.day == MONDAY)) == 1


# ---- command line and scheduler -------------------------------------------------------------

def test_cli_run_due_with_an_injected_time(ctx, runner):
    result = runner.invoke(args=["jobs", "run-due", "--now", "2026-11-23T17:00:30-05:00"])
    assert result.exit_code == 0, result.output
    assert "NYC:2026-11-23" in result.output.split("closed:")[1].splitlines()[0]
    for bad in ("yesterday", "2026-11-23T17:00:30"):
        refused = runner.invoke(args=["jobs", "run-due", "--now", bad])
        assert refused.exit_code == 2 and "run-due" in refused.output


def test_the_scheduler_is_not_started_under_testing_and_ticks_run_due(ctx, monkeypatch):
    assert jobs.start_scheduler(ctx) is None
    seen = []
    monkeypatch.setattr(jobs, "run_due", lambda now, pause: seen.append(now))
    jobs.tick(ctx, clock=lambda: at(MONDAY, 9))
    assert seen == [at(MONDAY, 9)]
    scheduler = jobs.start_scheduler(SimpleNamespace(config={"ONEDOOR_ASYNC_MODE": "threading"}), interval=3600)
    try:
        job = scheduler.get_job("onedoor-run-due")
        assert job is not None and job.trigger.interval == timedelta(hours=1)
    finally:
        scheduler.shutdown(wait=False)


def test_a_tick_lets_the_servers_requests_in_after_each_centre(ctx, monkeypatch):
    """Beside a gevent server the scheduler's turn is a greenlet: it yields (Socket.IO's sleep(0))
    after each centre, or a turn over the whole network would hold every request back (issue 21:
    the API benchmark's 12-s stalls)."""
    slept = []
    monkeypatch.setattr(ctx.extensions["socketio"], "sleep", lambda seconds: slept.append(seconds))
    jobs.tick(ctx, clock=lambda: at(MONDAY, 9))
    centres = db.session.scalar(select(func.count()).select_from(Centre).where(Centre.active.is_(True)))
    assert slept == [0] * centres and centres >= 2
