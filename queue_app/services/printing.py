"""Print jobs: claimed one at a time, printed outside any transaction, retried with back-off.

A job is stored with its ticket (`issue_ticket`); `print_due` is the worker's turn. Claiming is a
conditional UPDATE (…SET status='printing' WHERE id=… AND status IN ('pending','printing') AND
next_attempt_at <= now): only one worker, thread or process gets rowcount 1, on SQLite (writes are
serialised) and PostgreSQL (the second UPDATE re-checks the row after the first commits). The claim
is a lease: `next_attempt_at` becomes now + LEASE, and a job still 'printing' after it (its worker
died mid-print) is claimed again.

A job is 'printed' only once its printer confirmed it (printers/backends.py: the printer's status
is read back after the job's last byte). Silence, an error bit, paper out or a reset put it back
whole. So a ticket may come out twice — a crash between the printer's confirmation and the commit
of 'printed', or a printer that printed but whose answer was lost — and never silently not at all:
for a visitor told "take your ticket", a second copy is harmless and a missing one is not.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from sqlalchemy import or_, select, update

from printers import TicketPaper, labels_for, open_printer, wait_text

from ..db import utcnow
from ..domain.lifecycle import FINAL, WAITING
from ..extensions import db
from .. import i18n  # a module, not its names: i18n itself imports the services
from ..models import Device, PrintJob, Ticket
from .queue import queue_state
from . import changes
from .tx import atomic

log = logging.getLogger(__name__)

PENDING, PRINTING, PRINTED, FAILED = "pending", "printing", "printed", "failed"
LEASE = timedelta(seconds=60)  # longer than any print: connect, status, send, confirm (3 timeouts)
PRINTERS_AT_ONCE = 16
FIRST_RETRY_S, MAX_RETRY_S = 2, 60
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 2, 4, 8, … seconds, at most 60."""
    return timedelta(seconds=min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(0, attempts - 1)))


@dataclass
class PrintRun:
    """What one `print_due` turn did, by job id."""

    printed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # will be retried
    skipped: list[int] = field(default_factory=list)  # the visit ended before its paper printed

    def __bool__(self) -> bool:
        return bool(self.printed or self.failed or self.skipped)

    @classmethod
    def merge(cls, runs) -> "PrintRun":
        merged = cls()
        for run in runs:
            merged.printed += run.printed
            merged.failed += run.failed
            merged.skipped += run.skipped
        return merged


def public_base_url() -> str:
    """Where visitors reach the server: ONEDOOR_PUBLIC_URL, else SERVER_NAME, else the dev address."""
    config = current_app.config
    if config.get("ONEDOOR_PUBLIC_URL"):
        return config["ONEDOOR_PUBLIC_URL"]
    if config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{config.get('PREFERRED_URL_SCHEME', 'http')}://{config['SERVER_NAME']}{root}"
    return DEFAULT_PUBLIC_URL


def status_url(token: str) -> str:
    """The visitor's status page for a ticket, built without a request (the QR code's content)."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build("pages.status_page", {"token": token}, force_external=True)


def visitor_url(token: str) -> str:
    """The status page's address to give a visitor: the configured public one (as on the printed
    QR), else as the current request reached the server (else the fallback base)."""
    if current_app.config.get("ONEDOOR_PUBLIC_URL") or not has_request_context():
        return status_url(token)
    return url_for("pages.status_page", token=token, _external=True)


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
        position, estimate = queue_state(centre, now).place(ticket.id)
        ahead = None if position is None else position - 1
    if estimate is None and ticket.status == WAITING:
        estimate = ticket.estimate_at_issue_min
    documents = i18n.text(service.documents or {}, language) or []
    return TicketPaper(
        centre=i18n.text(centre.name, language),
        number=ticket.number,
        service=i18n.text(service.name, language),
        issued_at=ticket.issued_at.astimezone(centre.tz).strftime("%d.%m.%Y %H:%M"),
        ahead=ahead,
        wait=wait_text(estimate, labels),
        documents=tuple(documents),
        status_url=status_url(ticket.token),
        labels=labels,
        language=language,
        ticket_id=ticket.id,
    )


@atomic
def _claim(job_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.status.in_((PENDING, PRINTING)), PrintJob.next_attempt_at <= now)
        .values(status=PRINTING, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _tell_managers(job_id: int) -> None:
    """A printer's fault starting or ending changes the managers' alerts: note the centre."""
    centre_id = db.session.scalar(select(Ticket.centre_id).join(PrintJob, PrintJob.ticket_id == Ticket.id)
                                  .where(PrintJob.id == job_id))
    if centre_id is not None:
        changes.centre_changed(centre_id)


@atomic
def _done(job_id: int, now: datetime, status: str = PRINTED, note: str | None = None) -> None:
    if db.session.scalar(select(PrintJob.attempts).where(PrintJob.id == job_id)):
        _tell_managers(job_id)  # it had failed before: the printer is back
    db.session.execute(
        update(PrintJob).where(PrintJob.id == job_id)
        .values(status=status, printed_at=now if status == PRINTED else None, last_error=note)
        .execution_options(synchronize_session=False)
    )


@atomic
def _failed(job_id: int, uri: str, error: str, now: datetime) -> None:
    """Put the job back with back-off, and with it every other due job of the same printer:
    a printer that is down fails them all, and each would otherwise cost a timeout this turn."""
    attempts = db.session.scalar(select(PrintJob.attempts).where(PrintJob.id == job_id)) + 1
    retry_at = now + backoff(attempts)
    _tell_managers(job_id)
    db.session.execute(
        update(PrintJob).where(PrintJob.id == job_id)
        .values(status=PENDING, attempts=attempts, last_error=error, next_attempt_at=retry_at)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.printer_uri == uri, PrintJob.status == PENDING, PrintJob.next_attempt_at <= now)
        .values(attempts=PrintJob.attempts + 1, last_error=error, next_attempt_at=retry_at)
        .execution_options(synchronize_session=False)
    )


def print_due(now: datetime | None = None, limit: int = 20) -> PrintRun:
    """Print the jobs that are due, oldest first; return what happened to each one tried.

    Each printer's jobs go one after another, in order; different printers work at once (up to
    PRINTERS_AT_ONCE), so a jammed printer that takes its whole timeout to fail delays only its own
    kiosk's tickets."""
    now = now or utcnow()
    due = db.session.execute(
        select(PrintJob.id, PrintJob.printer_uri)
        .where(PrintJob.status.in_((PENDING, PRINTING)), PrintJob.next_attempt_at <= now)
        .order_by(PrintJob.id)
        .limit(limit)
    ).all()
    db.session.rollback()  # end the read: each step below is its own short transaction
    by_printer: dict[str, list[int]] = {}
    for job_id, uri in due:
        by_printer.setdefault(uri, []).append(job_id)
    if len(by_printer) <= 1:
        return PrintRun.merge(_print_on(uri, job_ids, now) for uri, job_ids in by_printer.items())
    app = current_app._get_current_object()
    with ThreadPoolExecutor(min(PRINTERS_AT_ONCE, len(by_printer)), thread_name_prefix="print") as pool:
        runs = pool.map(lambda item: _in_app(app, _print_on, *item, now), by_printer.items())
        return PrintRun.merge(list(runs))


def _in_app(app, fn, *args):
    """Run `fn` in its own app context and session (a thread of `print_due`)."""
    with app.app_context():
        try:
            return fn(*args)
        finally:
            db.session.remove()


def _print_on(uri: str, job_ids: list[int], now: datetime) -> PrintRun:
    """Print one printer's due jobs in order; stop at its first failure (the rest are put back)."""
    run = PrintRun()
    for job_id in job_ids:
        if not _claim(job_id, now):
            continue  # another worker has it
        ticket = db.session.scalar(select(Ticket).join(PrintJob, PrintJob.ticket_id == Ticket.id).where(PrintJob.id == job_id))
        if ticket.status in FINAL:
            db.session.rollback()
            _done(job_id, now, FAILED, f"not printed: the ticket was {ticket.status} first")
            run.skipped.append(job_id)
            continue
        try:
            paper = ticket_paper(ticket, now)
            db.session.rollback()  # no transaction stays open while the printer works
            note = open_printer(uri).print_ticket(paper)  # returns once the printer confirmed it
        except Exception as exc:  # any fault: the ticket stays valid, the job is retried
            db.session.rollback()
            error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:250]
            _failed(job_id, uri, error, now)
            log.warning("print job %s on %s failed: %s", job_id, uri, error)
            run.failed.append(job_id)
            return run
        _done(job_id, now, note=note if isinstance(note, str) else None)
        run.printed.append(job_id)
    return run


def job_state(ticket_id: int) -> str | None:
    """How the ticket's paper is doing: "printed", "pending", "failing" (show it on screen), or None."""
    job = db.session.execute(
        select(PrintJob.status, PrintJob.attempts).where(PrintJob.ticket_id == ticket_id).order_by(PrintJob.id.desc()).limit(1)
    ).first()
    if job is None:
        return None
    if job.status == PRINTED:
        return "printed"
    if job.status == FAILED or job.attempts > 0:
        return "failing"
    return "pending"


def device_printer_state(device_id: int) -> str:
    """"ok" when the device's printer confirmed the last job tried on it (or none was tried yet),
    else "failing" — its last try failed, or it failed and its jobs were dropped unprinted since."""
    last = db.session.scalar(
        select(PrintJob.status)
        .where(PrintJob.device_id == device_id, or_(PrintJob.status == PRINTED, PrintJob.attempts > 0))
        .order_by(PrintJob.id.desc()).limit(1)
    )
    return "failing" if last is not None and last != PRINTED else "ok"


def printer_faults(centre_id: int, now: datetime | None = None) -> list[dict]:
    """The centre's printers that are failing now, for the managers' alerts (no ticket data)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(PrintJob.device_id, Device.name, PrintJob.printer_uri, PrintJob.attempts, PrintJob.created_at,
               PrintJob.last_error, PrintJob.next_attempt_at)
        .join(Ticket, Ticket.id == PrintJob.ticket_id)
        .outerjoin(Device, Device.id == PrintJob.device_id)
        .where(Ticket.centre_id == centre_id, PrintJob.status.in_((PENDING, PRINTING)))
        .order_by(PrintJob.id)
    ).all()
    faults: dict[tuple, dict] = {}
    for r in rows:
        fault = faults.setdefault((r.device_id, r.printer_uri), {
            "device_id": r.device_id, "device": r.name, "printer_uri": r.printer_uri, "failing_since": None,
            "last_error": None, "pending": 0, "next_attempt_at": None, "failing": False,
        })
        fault["pending"] += 1
        if r.attempts > 0:
            fault["failing"] = True
            fault["failing_since"] = fault["failing_since"] or r.created_at  # its oldest unprinted job
            fault["last_error"] = r.last_error
            fault["next_attempt_at"] = min(filter(None, (fault["next_attempt_at"], r.next_attempt_at)))
    found = [f for f in faults.values() if f.pop("failing")]
    for f in found:
        f["failing_for_s"] = max(0, round((now - f["failing_since"]).total_seconds()))
    return found


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
                    run = print_due(clock())
                    busy = len(run.printed) + len(run.skipped) >= 20  # more may be waiting: go on at once
                finally:
                    db.session.remove()
        except Exception:
            log.exception("print worker turn failed; trying again in %s s", interval)
        if not busy:
            sleep(interval)


def start_print_worker(app, interval: float = 1.0) -> threading.Event:
    """Run the print loop beside the server (a greenlet under gevent, else a thread); return the
    event that stops it. Every server process may run one: jobs are claimed atomically."""
    socketio = app.extensions["socketio"]  # the app's own
    stop = threading.Event()
    socketio.start_background_task(run_print_worker, app, stop, interval, socketio.sleep)
    return stop
