"""Print jobs against a real TCP listener standing in for the network printer (SPEC §7)."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from printers.preview import images, render
from queue_app.extensions import db
from queue_app.models import Centre, PrintJob, Ticket
from queue_app.services import cancel, create_device, issue_ticket
from queue_app.services import printing
from queue_app.services.printing import job_state, print_due, printer_faults, run_print_worker

from ..conftest import NOON, open_desk

# zbarimg (zbar-tools) and pdftoppm (poppler-utils) are installed by `make test` (.ci/browser.sh):
# missing, these tests fail rather than skip.
needs_zbar = pytest.mark.usefixtures("zbarimg")
needs_poppler = pytest.mark.usefixtures("pdftoppm")


@pytest.fixture
def zbarimg():
    assert shutil.which("zbarimg"), "zbarimg is missing: run `make test` (it installs Debian's zbar-tools)"


@pytest.fixture
def pdftoppm():
    assert shutil.which("pdftoppm"), "pdftoppm is missing: run `make test` (it installs Debian's poppler-utils)"


class FakePrinter:
    """A raw-port printer on 127.0.0.1: stores the bytes of each connection; can be taken down."""

    def __init__(self):
        self.port = None
        self.jobs: list[bytes] = []
        self._lock = threading.Lock()
        self._server = None

    def start(self):
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port or 0))
        server.listen(16)
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._serve, args=(server,), daemon=True).start()
        return self

    def _serve(self, server):
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # taken down
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        chunks = []
        with conn:
            while data := conn.recv(65536):
                chunks.append(data)
        with self._lock:
            self.jobs.append(b"".join(chunks))

    def stop(self):
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accept() and stops listening at once
        except OSError:
            pass
        self._server.close()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.jobs) >= count:
                    return list(self.jobs)
            time.sleep(0.01)
        return list(self.jobs)

    @property
    def uri(self):
        return f"tcp://127.0.0.1:{self.port}?timeout=2"


@pytest.fixture
def printer():
    fake = FakePrinter().start()
    yield fake
    fake.stop()


@pytest.fixture
def kiosk(ctx, printer):
    return create_device("kiosk", "HQ", name="Kiosk by the door", printer=printer.uri).device.id


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("ONEDOOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def issue(printer, kiosk, at=NOON, language="en"):
    return issue_ticket("HQ", "birth", now=at, language=language, printer_uri=printer.uri, device_id=kiosk)


def numbers_in(jobs: list[bytes]) -> list[str]:
    return [n.decode() for job in jobs for n in re.findall(rb"A\d{3}", job)]


def decode_qr(image_paths) -> list[str]:
    found = []
    for path in image_paths:
        out = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True)
        found += out.stdout.split()
    return found


def hq_id() -> int:
    return db.session.scalar(select(Centre.id).where(Centre.code == "HQ"))


@needs_zbar
def test_a_ticket_prints_on_the_network_printer_with_its_number_and_qr(ctx, printer, kiosk, tmp_path, monkeypatch):
    monkeypatch.setitem(ctx.config, "ONEDOOR_PUBLIC_URL", "https://queue.example.org")
    issued = issue(printer, kiosk)
    assert job_state(issued.ticket.id) == "pending"

    run = print_due(NOON)

    assert run.printed == [issued.print_job_id] and not run.failed
    [job] = printer.wait_for(1)
    assert job.startswith(b"\x1b@")
    assert b"A001\n" in job and b"Birth registration" in job
    for i, img in enumerate(images(job)):
        img.save(tmp_path / f"{i}.png")
    token = db.session.get(Ticket, issued.ticket.id).token
    assert decode_qr(sorted(tmp_path.glob("*.png"))) == [f"https://queue.example.org/t/{token}"]
    assert job_state(issued.ticket.id) == "printed"
    assert print_due(NOON + timedelta(seconds=5)).printed == []


def test_an_offline_printer_loses_no_ticket_and_each_missed_one_prints_once(ctx, printer, kiosk):
    issue(printer, kiosk)
    assert print_due(NOON).printed
    printer.wait_for(1)
    centre = hq_id()
    assert printer_faults(centre, NOON) == []

    printer.stop()
    down_at = NOON + timedelta(minutes=1)
    missed = [issue(printer, kiosk, down_at + timedelta(seconds=i)) for i in range(3)]
    now = down_at + timedelta(seconds=5)
    run = print_due(now)

    assert run.printed == [] and len(run.failed) == 1  # the printer is tried once per turn
    jobs = [db.session.get(PrintJob, m.print_job_id) for m in missed]
    assert [(j.status, j.attempts) for j in jobs] == [("pending", 1)] * 3
    assert all(j.next_attempt_at == now + timedelta(seconds=2) for j in jobs)
    assert all("Connection refused" in j.last_error for j in jobs)
    tickets = [db.session.get(Ticket, m.ticket.id) for m in missed]
    assert [t.status for t in tickets] == ["waiting"] * 3  # no ghost tickets: they are in the queue
    assert {job_state(t.id) for t in tickets} == {"failing"}  # the kiosk shows them on screen
    [fault] = printer_faults(centre, now)
    assert fault["device"] == "Kiosk by the door" and fault["printer_uri"] == printer.uri
    assert fault["pending"] == 3 and "Connection refused" in fault["last_error"]
    assert fault["failing_since"] == down_at
    assert not print_due(now + timedelta(seconds=1))  # backing off: nothing is tried

    run = print_due(now + timedelta(seconds=2))  # still down: the back-off doubles
    assert len(run.failed) == 1
    db.session.expire_all()
    assert {j.attempts for j in (db.session.get(PrintJob, m.print_job_id) for m in missed)} == {2}

    printer.start()  # back, on the same port
    later = now + timedelta(seconds=10)
    run = print_due(later)
    assert sorted(run.printed) == sorted(m.print_job_id for m in missed)
    received = printer.wait_for(4)
    assert sorted(numbers_in(received)) == ["A001", "A002", "A003", "A004"]  # each exactly once
    assert not print_due(later + timedelta(minutes=5))
    time.sleep(0.2)
    assert len(printer.jobs) == 4
    assert printer_faults(centre, later) == []
    assert {job_state(m.ticket.id) for m in missed} == {"printed"}


def test_two_workers_at_once_never_print_a_job_twice(ctx, printer, kiosk):
    issued = [issue(printer, kiosk, NOON + timedelta(seconds=i)) for i in range(12)]
    now = NOON + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    runs, errors = [], []

    def worker():
        try:
            with ctx.app_context():
                barrier.wait()
                try:
                    runs.append(print_due(now, limit=50))
                finally:
                    db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    first, second = (set(r.printed) for r in runs)
    assert not first & second
    assert first | second == {i.print_job_id for i in issued}
    received = printer.wait_for(12)
    numbers = numbers_in(received)
    assert len(numbers) == 12 and len(set(numbers)) == 12


def test_a_job_left_printing_by_a_dead_worker_is_taken_again_after_its_lease(ctx, printer, kiosk):
    issued = issue(printer, kiosk)
    job = db.session.get(PrintJob, issued.print_job_id)
    job.status, job.next_attempt_at = "printing", NOON + printing.LEASE  # claimed, then the worker died
    db.session.commit()

    assert not print_due(NOON + timedelta(seconds=30))  # its lease still runs
    assert print_due(NOON + printing.LEASE).printed == [issued.print_job_id]
    assert numbers_in(printer.wait_for(1)) == ["A001"]


def test_a_visit_over_before_its_paper_printed_is_not_printed(ctx, printer, kiosk):
    issued = issue(printer, kiosk)
    cancel(issued.ticket.id, now=NOON + timedelta(seconds=1))
    run = print_due(NOON + timedelta(seconds=2))
    assert run.skipped == [issued.print_job_id] and not run.printed
    job = db.session.get(PrintJob, issued.print_job_id)
    assert job.status == "failed" and "cancelled" in job.last_error
    assert printer.wait_for(1, timeout=0.3) == []


@needs_poppler
@needs_zbar
def test_a_russian_pdf_ticket_renders_and_its_qr_decodes(ctx, tmp_path, screenshots):
    open_desk("HQ-01", "clerk1", primary=["birth"])
    folder = tmp_path / "tickets"
    device = create_device("kiosk", "HQ", printer=f"pdf://{folder}").device.id
    issued = issue_ticket("HQ", "birth", now=NOON, language="ru", printer_uri=f"pdf://{folder}", device_id=device)

    assert print_due(NOON).printed == [issued.print_job_id]

    pdf = folder / f"A001-{issued.ticket.id}.pdf"
    assert pdf.exists()
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for expected in ("Главный офис", "A001", "Регистрация рождения", "Медицинское свидетельство", "Перед вами: 0",
                     "Ожидание: меньше 1 мин"):
        assert expected in " ".join(words.split())
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-singlefile", str(pdf), str(screenshots / "ticket-ru-pdf")], check=True)
    token = db.session.get(Ticket, issued.ticket.id).token
    assert decode_qr([screenshots / "ticket-ru-pdf.png"]) == [f"http://127.0.0.1:5000/t/{token}"]


def test_a_russian_escpos_ticket_as_paper(ctx, printer, kiosk, screenshots):
    open_desk("HQ-01", "clerk1", primary=["birth"])
    issue(printer, kiosk)  # someone ahead
    issue(printer, kiosk, NOON + timedelta(seconds=1), language="ru")
    assert len(print_due(NOON + timedelta(seconds=2)).printed) == 2
    job = next(j for j in printer.wait_for(2) if b"A002" in j)
    assert len(images(job)) > 5  # Cyrillic as images, never garbled
    render(job).save(screenshots / "ticket-ru-escpos.png")


def test_the_worker_loop_survives_a_failing_turn_and_stops(ctx, monkeypatch):
    turns = []

    def flaky(now):
        turns.append(now)
        if len(turns) == 1:
            raise RuntimeError("database went away")
        return printing.PrintRun()

    monkeypatch.setattr(printing, "print_due", flaky)
    stop = threading.Event()
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 3:
            stop.set()

    run_print_worker(ctx, stop, interval=0.5, sleep=sleep, clock=lambda: NOON)
    assert turns == [NOON] * 3 and naps == [0.5] * 3
