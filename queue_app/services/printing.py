"""Print jobs: claimed one at a time, printed outside any transaction, retried with back-off.

A job is stored with its ticket (`issue_ticket`); the print worker (queue_app/print_worker.py)
claims, prints and records each through the functions here. Claiming is a
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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..db import utcnow
from ..extensions import db
from ..models import Device, PrintJob, Ticket
from . import changes
from .tx import atomic

PENDING, PRINTING, PRINTED, FAILED = "pending", "printing", "printed", "failed"
LEASE = timedelta(seconds=60)  # longer than any print: connect, status, send, confirm (3 timeouts)
FIRST_RETRY_S, MAX_RETRY_S = 2, 60


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 2, 4, 8, … seconds, at most 60."""
    return timedelta(seconds=min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(0, attempts - 1)))


@dataclass
class PrintRun:
    """What one turn of the print worker (print_worker.print_due) did, by job id."""

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


def fault_text(exc: BaseException) -> str:
    """A print failure as it is recorded (a job's last_error): its kind and message on one line."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:250]


def due_by_printer(now: datetime, limit: int = 20) -> dict[str, list[int]]:
    """The due jobs' ids, oldest first, by printer URI; the read is ended (each step after it is
    its own short transaction)."""
    due = db.session.execute(
        select(PrintJob.id, PrintJob.printer_uri)
        .where(PrintJob.status.in_((PENDING, PRINTING)), PrintJob.next_attempt_at <= now)
        .order_by(PrintJob.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    by_printer: dict[str, list[int]] = {}
    for job_id, uri in due:
        by_printer.setdefault(uri, []).append(job_id)
    return by_printer


def ticket_of(job_id: int) -> Ticket:
    return db.session.scalar(select(Ticket).join(PrintJob, PrintJob.ticket_id == Ticket.id).where(PrintJob.id == job_id))


@atomic
def claim(job_id: int, now: datetime) -> bool:
    """Take the job for this worker until now + LEASE; False when another worker has it."""
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
def record_outcome(job_id: int, now: datetime, status: str = PRINTED, note: str | None = None) -> None:
    """Record the job's end: printed (the printer confirmed it), or FAILED with why it never will be."""
    if db.session.scalar(select(PrintJob.attempts).where(PrintJob.id == job_id)):
        _tell_managers(job_id)  # it had failed before: the printer is back
    db.session.execute(
        update(PrintJob).where(PrintJob.id == job_id)
        .values(status=status, printed_at=now if status == PRINTED else None, last_error=note)
        .execution_options(synchronize_session=False)
    )


@atomic
def put_back(job_id: int, uri: str, error: str, now: datetime) -> None:
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
    return printer_faults_at([centre_id], now).get(centre_id, [])


def printer_faults_at(centre_ids: Iterable[int], now: datetime | None = None) -> dict[int, list[dict]]:
    """`printer_faults` of many centres in one query (the admin home reads the whole network)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Ticket.centre_id, PrintJob.device_id, Device.name, PrintJob.printer_uri, PrintJob.attempts,
               PrintJob.created_at, PrintJob.last_error, PrintJob.next_attempt_at)
        .join(Ticket, Ticket.id == PrintJob.ticket_id)
        .outerjoin(Device, Device.id == PrintJob.device_id)
        .where(Ticket.centre_id.in_(list(centre_ids)), PrintJob.status.in_((PENDING, PRINTING)))
        .order_by(PrintJob.id)
    ).all()
    faults: dict[tuple, dict] = {}
    for r in rows:
        fault = faults.setdefault((r.centre_id, r.device_id, r.printer_uri), {
            "device_id": r.device_id, "device": r.name, "printer_uri": r.printer_uri, "failing_since": None,
            "last_error": None, "pending": 0, "next_attempt_at": None, "failing": False,
        })
        fault["pending"] += 1
        if r.attempts > 0:
            fault["failing"] = True
            fault["failing_since"] = fault["failing_since"] or r.created_at  # its oldest unprinted job
            fault["last_error"] = r.last_error
            fault["next_attempt_at"] = min(filter(None, (fault["next_attempt_at"], r.next_attempt_at)))
    found: dict[int, list[dict]] = {}
    for (centre_id, *_), f in faults.items():
        if f.pop("failing"):
            f["failing_for_s"] = max(0, round((now - f["failing_since"]).total_seconds()))
            found.setdefault(centre_id, []).append(f)
    return found
