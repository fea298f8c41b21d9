"""The print worker: each server process prints the due jobs beside its requests, or (with
ONEDOOR_PRINT_WORKER=0 on the web processes) `queue-app print-worker` processes do, apart.

A turn (`print_due`) reads the due jobs, claims each (services/printing.py: a conditional UPDATE, so
N workers never print one job twice), builds its paper, prints it with no transaction open, and
records the printer's answer. Each printer's jobs go one after another; different printers work at
once, so a jammed printer that takes its whole timeout to fail delays only its own kiosk's tickets.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from flask import current_app

from printers import Step, TicketPaper, labels_for, open_printer, wait_text

from . import i18n
from .db import utcnow
from .domain.lifecycle import FINAL, WAITING
from .extensions import db
from .models import Ticket
from .services.printing import (
    FAILED, PrintRun, claim, due_by_printer, fault_text, put_back, record_outcome, ticket_of,
)
from .services.queue import place
from .services.ranges import wait_range
from .services.visits import visit_steps
from .urls import status_url

log = logging.getLogger(__name__)

PRINTERS_AT_ONCE = 16


def ticket_paper(ticket: Ticket, now: datetime) -> TicketPaper:
    """The paper of a ticket, in the ticket's language.

    People ahead and the wait are live, as of printing (a job retried after an outage shows the
    queue the visitor now faces, not the one at issue); the estimate at issue stands in only when
    there is no live one (e.g. no counter serving the service is open right now).
    """
    language = ticket.language
    labels = labels_for(language)
    centre, service = ticket.centre, ticket.service
    ahead = estimate = None
    if ticket.status == WAITING:
        position, estimate = place(centre, now, ticket.id)
        ahead = None if position is None else position - 1
    if estimate is None and ticket.status == WAITING:
        estimate = ticket.estimate_at_issue_min
    # a visit's steps, each with what to bring (SPEC §11): the job is the first row's, so all are to come
    steps = [Step(i18n.text(step["service_name"], language), in_language(step["documents"], language))
             for step in visit_steps(ticket)]
    return TicketPaper(
        centre=i18n.text(centre.name, language),
        number=ticket.number,
        service=i18n.text(service.name, language),
        issued_at=ticket.issued_at.astimezone(centre.tz).strftime("%d.%m.%Y %H:%M"),
        ahead=ahead,
        wait=wait_text(estimate, labels, wait_range(centre.id, estimate, now)),
        documents=in_language(service.documents, language),
        status_url=status_url(ticket.token),
        labels=labels,
        language=language,
        ticket_id=ticket.id,
        steps=tuple(steps) if len(steps) > 1 else (),
    )


def in_language(documents: dict | None, language: str) -> tuple[str, ...]:
    """A service's documents to bring, in `language` (else the catalogue's first)."""
    return tuple(i18n.text(documents or {}, language) or [])


def print_due(now: datetime | None = None, limit: int = 20, pause=lambda: None) -> PrintRun:
    """Print the jobs that are due, oldest first; return what happened to each one tried.

    Each printer's jobs go one after another, in order; different printers work at once (up to
    PRINTERS_AT_ONCE), so a jammed printer that takes its whole timeout to fail delays only its own
    kiosk's tickets. `pause()` is called between one job and the next: in the gevent server it lets
    the requests waiting meanwhile go first (a turn of 20 tickets is ~0.1–0.3 s of CPU)."""
    now = now or utcnow()
    by_printer = due_by_printer(now, limit)
    if len(by_printer) <= 1:
        return PrintRun.merge(_print_on(uri, job_ids, now, pause) for uri, job_ids in by_printer.items())
    app = current_app._get_current_object()
    with ThreadPoolExecutor(min(PRINTERS_AT_ONCE, len(by_printer)), thread_name_prefix="print") as pool:
        runs = pool.map(lambda item: _in_app(app, _print_on, *item, now, pause), by_printer.items())
        return PrintRun.merge(list(runs))


def _in_app(app, fn, *args):
    """Run `fn` in its own app context and session (a thread of `print_due`)."""
    with app.app_context():
        try:
            return fn(*args)
        finally:
            db.session.remove()


def _print_on(uri: str, job_ids: list[int], now: datetime, pause=lambda: None) -> PrintRun:
    """Print one printer's due jobs in order; stop at its first failure (the rest are put back)."""
    run = PrintRun()
    for i, job_id in enumerate(job_ids):
        if i:
            pause()
        if not claim(job_id, now):
            continue  # another worker has it
        ticket = ticket_of(job_id)
        if ticket.status in FINAL:
            db.session.rollback()
            record_outcome(job_id, now, FAILED, f"not printed: the ticket was {ticket.status} first")
            run.skipped.append(job_id)
            continue
        try:
            paper = ticket_paper(ticket, now)
            db.session.rollback()  # no transaction stays open while the printer works
            note = open_printer(uri).print_ticket(paper)  # returns once the printer confirmed it
        except Exception as exc:  # any fault: the ticket stays valid, the job is retried
            db.session.rollback()
            error = fault_text(exc)
            put_back(job_id, uri, error, now)
            log.warning("print job %s on %s failed: %s", job_id, uri, error)
            run.failed.append(job_id)
            return run
        record_outcome(job_id, now, note=note if isinstance(note, str) else None)
        run.printed.append(job_id)
    return run


def run_print_worker(app, stop_event, interval: float = 1.0, sleep=time.sleep, clock=utcnow) -> None:
    """The server's print loop: a `print_due` turn per `interval` until `stop_event` is set.

    Each turn runs in its own app context and session; an exception is logged and the loop goes on
    (a printer or database hiccup must never stop printing for good). `sleep` is injectable so a
    gevent server passes gevent.sleep.
    """
    while not stop_event.is_set():
        busy = False
        try:
            with app.app_context():
                try:
                    run = print_due(clock(), pause=lambda: sleep(0))
                    busy = len(run.printed) + len(run.skipped) >= 20  # more may be waiting: go on at once
                finally:
                    db.session.remove()
        except Exception:
            log.exception("print worker turn failed; trying again in %s s", interval)
        if not busy:
            sleep(interval)


def run_print_process(app, interval: float = 1.0) -> None:
    """`queue-app print-worker`: only the print loop, in this process, until SIGTERM or SIGINT (the
    job under way is finished and recorded first). Any number may run beside web processes started
    with `serve --no-print-worker`: each job is claimed by one of them."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_print_worker(app, stop, interval, sleep=stop.wait)  # a stop wakes the wait between turns at once


def start_print_worker(app, interval: float = 1.0) -> threading.Event:
    """Run the print loop beside the server (a greenlet under gevent, else a thread); return the
    event that stops it. Every server process may run one: jobs are claimed atomically."""
    socketio = app.extensions["socketio"]  # the app's own (no app context here)
    stop = threading.Event()
    socketio.start_background_task(run_print_worker, app, stop, interval, socketio.sleep)
    return stop
