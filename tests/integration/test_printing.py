"""Print jobs against a real TCP listener standing in for the network printer (SPEC §7): it answers
status requests like a real one (tests/printer_standin.py)."""
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
from sqlalchemy import func, select

from printers.preview import images, parse, render
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Centre, PrintJob, Service, Ticket
from queue_app.services import cancel, create_device, issue_ticket
from queue_app import print_worker
from queue_app.print_worker import print_due, run_print_worker
from queue_app.services import printing
from queue_app.services.printing import job_state, printer_faults
from queue_app.urls import status_url

from ..conftest import NOON, as_device, open_desk
from ..printer_standin import PrinterStandIn

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


@pytest.fixture
def printer():
    standin = PrinterStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def kiosk(ctx, printer):
    return create_device("kiosk", "HQ", name="Kiosk by the door", printer=printer.uri).device.id


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("ONEDOOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def issue(printer, kiosk, at=NOON, language="en"):
    return issue_ticket("HQ", "birth", now=at, language=language, printer_uri=printer.uri, by=as_device(kiosk))


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
    [job] = printer.wait_for_jobs(1)
    asks = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"  # DLE EOT 1..4: can you print?
    assert job.startswith(asks + b"\x1b@") and job.endswith(asks)  # asked before, confirmed after
    assert printer.tickets() == ["A001"]
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
    printer.wait_for_jobs(1)
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
    received = printer.wait_for_jobs(4)
    assert sorted(numbers_in(received)) == ["A001", "A002", "A003", "A004"]  # each exactly once
    assert not print_due(later + timedelta(minutes=5))
    time.sleep(0.2)
    assert len(printer.jobs()) == 4
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
    received = printer.wait_for_jobs(12)
    numbers = numbers_in(received)
    assert len(numbers) == 12 and len(set(numbers)) == 12


def test_a_job_left_printing_by_a_dead_worker_is_taken_again_after_its_lease(ctx, printer, kiosk):
    issued = issue(printer, kiosk)
    job = db.session.get(PrintJob, issued.print_job_id)
    job.status, job.next_attempt_at = "printing", NOON + printing.LEASE  # claimed, then the worker died
    db.session.commit()

    assert not print_due(NOON + timedelta(seconds=30))  # its lease still runs
    assert print_due(NOON + printing.LEASE).printed == [issued.print_job_id]
    assert numbers_in(printer.wait_for_jobs(1)) == ["A001"]


def test_a_visit_over_before_its_paper_printed_is_not_printed(ctx, printer, kiosk):
    issued = issue(printer, kiosk)
    cancel(issued.ticket.id, now=NOON + timedelta(seconds=1), by=SYSTEM)
    run = print_due(NOON + timedelta(seconds=2))
    assert run.skipped == [issued.print_job_id] and not run.printed
    job = db.session.get(PrintJob, issued.print_job_id)
    assert job.status == "failed" and "cancelled" in job.last_error
    assert printer.wait_for_jobs(1, timeout=0.3) == []


@needs_poppler
@needs_zbar
def test_a_russian_pdf_ticket_renders_and_its_qr_decodes(ctx, tmp_path, screenshots):
    open_desk("HQ-01", "clerk1", primary=["birth"])
    folder = tmp_path / "tickets"
    device = create_device("kiosk", "HQ", printer=f"pdf://{folder}").device.id
    issued = issue_ticket("HQ", "birth", now=NOON, language="ru", printer_uri=f"pdf://{folder}", by=as_device(device))

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


def test_a_turn_lets_others_go_between_its_jobs(ctx, printer, kiosk):
    """The gevent server's requests wait while a turn prints: it pauses between one job and the next."""
    open_desk("HQ-01", "clerk1", primary=["birth"])
    for second in range(3):
        issue(printer, kiosk, NOON + timedelta(seconds=second))
    printed_at_pause = []

    def pause():  # what is recorded printed when the turn lets others go (read as another request would)
        with db.engine.connect() as other:
            printed_at_pause.append(other.scalar(select(func.count()).select_from(PrintJob)
                                                 .where(PrintJob.status == "printed")))

    run = print_due(NOON + timedelta(seconds=3), pause=pause)
    assert len(run.printed) == 3 and printed_at_pause == [1, 2]


def test_a_russian_escpos_ticket_as_paper(ctx, printer, kiosk, screenshots):
    open_desk("HQ-01", "clerk1", primary=["birth"])
    issue(printer, kiosk)  # someone ahead
    issue(printer, kiosk, NOON + timedelta(seconds=1), language="ru")
    assert len(print_due(NOON + timedelta(seconds=2)).printed) == 2
    job = next(j for j in printer.wait_for_jobs(2) if b"A002" in j)
    assert len(images(job)) > 5  # Cyrillic as images, never garbled
    render(job).save(screenshots / "ticket-ru-escpos.png")


def test_the_worker_loop_survives_a_failing_turn_and_stops(ctx, monkeypatch):
    turns = []

    def flaky(now, pause):
        turns.append(now)
        if len(turns) == 1:
            raise RuntimeError("database went away")
        return printing.PrintRun()

    monkeypatch.setattr(print_worker, "print_due", flaky)
    stop = threading.Event()
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 3:
            stop.set()

    run_print_worker(ctx, stop, interval=0.5, sleep=sleep, clock=lambda: NOON)
    assert turns == [NOON] * 3 and naps == [0.5] * 3


# ---- a printed ticket is one the printer confirmed -------------------------------------------------

FAULTS = {  # the stand-in's fault → what the job's error says
    "never_reads": "no status answer from the printer within 1 s",
    "reset_after": "",  # a reset: the OS words it ("Connection reset by peer", "closed the connection")
    "paper_out": "printer reports paper out",
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_printer_fault_records_nothing_printed_and_each_ticket_prints_whole_once_after(ctx, printer, kiosk, fault):
    printer.mode, printer.reset_after = fault, 400  # reset after the status exchange, mid-ticket
    issued = [issue(printer, kiosk, NOON + timedelta(seconds=i)) for i in range(3)]
    now = NOON + timedelta(minutes=1)

    run = print_due(now)

    assert run.printed == [] and len(run.failed) == 1  # tried once this turn; the others wait with it
    jobs = [db.session.get(PrintJob, i.print_job_id) for i in issued]
    assert [(j.status, j.attempts, j.printed_at) for j in jobs] == [("pending", 1, None)] * 3
    assert all(FAULTS[fault] in j.last_error for j in jobs)
    if fault == "reset_after":
        assert any(word in jobs[0].last_error for word in ("reset", "closed", "Broken pipe")), jobs[0].last_error
    assert [db.session.get(Ticket, i.ticket.id).status for i in issued] == ["waiting"] * 3
    assert {job_state(i.ticket.id) for i in issued} == {"failing"}  # the kiosk tells the visitor
    [alert] = printer_faults(hq_id(), now)  # and the managers see it
    assert alert["pending"] == 3 and alert["device"] == "Kiosk by the door"
    assert printer.tickets() == []  # no whole ticket came out
    if fault == "reset_after":
        assert any(b"A001\n" in c for c in printer.connections)  # half of one did, and must be printed again

    run = print_due(now + timedelta(seconds=2))  # still failing: backing off, nothing marked printed
    assert run.printed == [] and len(run.failed) == 1

    printer.mode = "healthy"  # paper loaded, jam cleared, power cycled
    later = now + timedelta(seconds=10)
    run = print_due(later)
    assert sorted(run.printed) == sorted(i.print_job_id for i in issued)
    assert sorted(printer.wait_for_tickets(3)) == ["A001", "A002", "A003"]  # each whole, exactly once
    assert not print_due(later + timedelta(minutes=5))
    time.sleep(0.2)
    assert sorted(printer.tickets()) == ["A001", "A002", "A003"]
    assert {job_state(i.ticket.id) for i in issued} == {"printed"}
    assert printer_faults(hq_id(), later) == []


def test_a_printer_that_confirms_nothing_in_time_is_not_recorded_printed_even_after_taking_the_bytes(ctx, kiosk):
    """The kernel takes a whole ticket into its buffers for a printer that never reads: a bare
    socket write would have 'succeeded'."""
    standin = PrinterStandIn("never_reads").start()
    try:
        from printers import PrinterError, open_printer, sample_paper

        printer = open_printer(standin.uri.replace("?timeout=1", "?timeout=0.3&confirm=0"))
        assert printer.print_ticket(sample_paper("en")) is None  # unconfirmed: "success" proves nothing
        with pytest.raises(PrinterError, match="no status answer"):
            open_printer(standin.uri.replace("?timeout=1", "?timeout=0.3")).print_ticket(sample_paper("en"))
    finally:
        standin.stop()


def test_different_printers_work_at_once_so_a_jammed_one_delays_only_its_own_tickets(ctx):
    jammed, healthy = PrinterStandIn("never_reads").start(), PrinterStandIn().start()
    try:
        stuck = create_device("kiosk", "HQ", name="Jammed", printer=jammed.uri).device.id
        fine = create_device("kiosk", "HQ", name="Fine", printer=healthy.uri).device.id
        a = issue_ticket("HQ", "birth", now=NOON, printer_uri=jammed.uri, by=as_device(stuck))
        b = issue_ticket("HQ", "birth", now=NOON, printer_uri=healthy.uri, by=as_device(fine))
        run = print_due(NOON + timedelta(seconds=1))
        assert run.printed == [b.print_job_id] and run.failed == [a.print_job_id]
        assert healthy.wait_for_tickets(1) == ["A002"]
        jammed.wait_for_jobs(0)
        deadline = time.monotonic() + 5
        while not jammed.ended and time.monotonic() < deadline:
            time.sleep(0.01)
        # A002 came out while the jammed printer still held A001's connection, waiting for its answer
        assert healthy.ended[-1] < jammed.ended[0]
    finally:
        jammed.stop()
        healthy.stop()


def test_status_requests_inside_image_data_are_answered_too_and_ours_are_read_last(ctx, printer, monkeypatch):
    """Raster bytes may spell DLE EOT n; a real printer answers those as well, before ours."""
    from printers import open_printer, sample_paper
    from printers.backends import EscposPrinter

    render = EscposPrinter.render
    monkeypatch.setattr(EscposPrinter, "render", lambda self, paper: render(self, paper) + b"\x10\x04\x01" * 2)
    assert open_printer(printer.uri).print_ticket(sample_paper("en")) is None  # read as cover open if miscounted
    assert printer.wait_for_tickets(1) and printer.requests == 10


def test_a_kiosk_asks_how_its_own_printer_last_did(ctx, printer):
    made = create_device("kiosk", "HQ", printer=printer.uri)
    bare = create_device("kiosk", "HQ", printer=None)
    client = ctx.test_client()

    def state(token):
        answer = client.get("/api/v1/kiosk/printer", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.json
        return answer.json["state"]

    assert client.get("/api/v1/kiosk/printer").status_code == 401
    assert (state(made.token), state(bare.token)) == ("ok", "none")  # nothing tried yet
    printer.mode = "paper_out"
    issue_ticket("HQ", "birth", now=NOON, printer_uri=printer.uri, by=as_device(made.device.id))
    assert state(made.token) == "ok"  # not tried yet
    print_due(NOON)
    assert state(made.token) == "failing"
    printer.mode = "healthy"
    print_due(NOON + timedelta(minutes=1))
    assert state(made.token) == "ok"


@needs_zbar
def test_a_three_step_visit_prints_one_ticket_with_its_steps_and_their_documents(ctx, printer, kiosk, tmp_path, screenshots):
    documents = {"passport": ["Old passport", "Photo 35 x 45 mm"], "tax": ["Tax number"]}
    for code, docs in documents.items():
        db.session.scalar(select(Service).where(Service.code == code)).documents = {"en": docs}
    db.session.commit()
    issued = issue_ticket("HQ", services=["birth", "passport", "tax"], now=NOON, language="en",
                          printer_uri=printer.uri, by=as_device(kiosk))

    assert print_due(NOON).printed == [issued.print_job_id]  # one paper for the whole visit
    [job] = printer.wait_for_jobs(1)
    assert printer.tickets() == ["A001"]  # the first step's line gives the number
    lines = [row.text for row in parse(job) if row.text]
    steps = lines.index("Your visit, in this order:")
    assert lines[steps + 1 : steps + 4] == ["1. Birth registration", "2. Passport renewal", "3. Tax question"]
    bring = lines.index("Please bring:")
    assert lines[bring + 1 : bring + 8] == [
        "1. Birth registration:", "- Medical birth certificate",
        "2. Passport renewal:", "- Old passport", "- Photo 35 x 45 mm",
        "3. Tax question:", "- Tax number"]
    for i, img in enumerate(images(job)):
        img.save(tmp_path / f"qr-{i}.png")
    first = db.session.get(Ticket, issued.ticket.id)  # the print job is the first row's: its token
    assert first.visit_id is None and first.step == 1
    assert decode_qr(sorted(tmp_path.glob("qr-*.png"))) == [status_url(first.token)]
    render(job[job.index(b"\x1b@"):job.rindex(b"\x1dV") + 3]).save(screenshots / "printed-visit-3-steps.png")
