"""Messages to visitors: confirmations in their language, the log backend's masking, email through a
real SMTP server, "your turn is near" once, and senders that fail without failing anything else."""
from __future__ import annotations

import logging
import socket
import threading
from datetime import date, datetime, time, timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Appointment, Ticket
from queue_app.notifications import delivery, use_sender
from queue_app.notifications.outbox import outbox_of
from queue_app.notifications.senders import LogSender, RecordingSender, SmtpSender, sender_for
from queue_app.services import book, call_next, cancel_appointment, finish, issue_ticket, reschedule, start
from tests.conftest import MSK, NOON, add_clerk, open_desk

TOMORROW = date(2026, 11, 24)
EMAIL, PHONE, NAME = "olga.ivanova@example.org", "+79161234567", "Olga Ivanova"


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), MSK)


@pytest.fixture
def hq(ctx):
    """HQ with clerks for passports (2 places a slot), a public address for the links."""
    for i in range(4):
        add_clerk(f"hq{i}", "HQ", primary=["passport", "birth"])
    ctx.config["ONEDOOR_PUBLIC_URL"] = "https://onedoor.example.gov"
    yield ctx
    ctx.config["ONEDOOR_PUBLIC_URL"] = None


@pytest.fixture
def sent(ctx):
    fake = RecordingSender()
    previous = use_sender(ctx, fake)
    yield fake
    use_sender(ctx, previous)


@pytest.fixture
def logs(caplog):
    """What the app logs (Alembic's fileConfig keeps the app's loggers: see migrations/env.py)."""
    caplog.set_level(logging.INFO)
    return caplog


def booked(code: str) -> Appointment:
    db.session.rollback()
    return db.session.scalar(select(Appointment).where(Appointment.code == code))


# ---- confirmations --------------------------------------------------------------------------

@pytest.mark.parametrize("language, opening, service, address, when, documents", [
    ("en", "Your appointment is booked.", "Birth registration", "1 Main St", "Tuesday, November 24, 2026, 10:00",
     "Medical birth certificate"),
    ("es", "Su cita está reservada.", "Registro de nacimiento", "Calle Mayor 1", "martes, 24 de noviembre de 2026, 10:00",
     "Certificado médico de nacimiento"),
    ("ru", "Вы записаны на приём.", "Регистрация рождения", "ул. Главная, 1", "вторник, 24 ноября 2026",
     "Медицинское свидетельство о рождении"),
])
def test_booking_confirms_in_the_visitors_language(hq, sent, language, opening, service, address, when, documents):
    appointment = book("HQ", "birth", at(TOMORROW, 10), NAME, email=EMAIL, language=language, now=NOON)
    [message] = sent.messages
    assert (message.kind, message.language, message.to_email, message.to_phone) == ("confirmation", language, EMAIL, None)
    assert appointment.code in message.subject and message.body.startswith(opening)
    for part in (appointment.code, service, address, when, "Europe/Moscow", documents,
                 f"https://onedoor.example.gov/book/manage/{appointment.code}"):
        assert part in message.body, (part, message.body)
    assert NAME not in message.body  # the code is the credential; the name is not repeated
    assert booked(appointment.code).confirmed_at == NOON
    assert delivery.retry_confirmations(NOON + timedelta(minutes=5)) == 0 and len(sent.messages) == 1


def test_a_rescheduled_appointment_is_confirmed_again_and_reminded_anew(hq, sent):
    appointment = book("HQ", "passport", at(TOMORROW, 10), NAME, phone=PHONE, language="es", now=NOON)
    db.session.execute(db.update(Appointment).where(Appointment.id == appointment.id).values(reminded_at=NOON))
    db.session.commit()
    reschedule(appointment.code, at(TOMORROW + timedelta(days=2), 11), now=NOON + timedelta(hours=1))
    assert [m.kind for m in sent.messages] == ["confirmation", "rescheduled"]
    moved = sent.messages[-1]
    assert moved.to_phone == PHONE and "Su cita ha cambiado" in moved.body and "11:00" in moved.body
    assert "jueves, 26 de noviembre" in moved.body
    row = booked(appointment.code)
    assert row.reminded_at is None and row.confirmed_at == NOON + timedelta(hours=1)


def test_nothing_is_sent_for_a_refused_booking_or_a_cancellation(hq, sent):
    with pytest.raises(Exception):
        book("HQ", "passport", at(TOMORROW, 10, 7), NAME, phone=PHONE, now=NOON)  # not a slot: rolled back
    appointment = book("HQ", "passport", at(TOMORROW, 10), NAME, phone=PHONE, now=NOON)
    cancel_appointment(appointment.code, now=NOON)
    assert [m.kind for m in sent.messages] == ["confirmation"]


def test_a_failing_sender_never_fails_the_booking_and_the_job_retries(hq, sent, logs):
    sent.fail = True
    with logs.at_level(logging.WARNING, logger="queue_app.notifications"):
        appointment = book("HQ", "passport", at(TOMORROW, 10), NAME, email=EMAIL, language="ru", now=NOON)
    assert appointment.code and booked(appointment.code).status == "booked"
    assert booked(appointment.code).confirmed_at is None  # unclaimed: to be retried
    assert "o***@example.org" in logs.text and EMAIL not in logs.text
    sent.fail = False
    assert delivery.retry_confirmations(NOON + timedelta(minutes=1)) == 1
    assert delivery.retry_confirmations(NOON + timedelta(minutes=2)) == 0
    assert [(m.kind, m.language) for m in sent.messages] == [("confirmation", "ru")]


class Refused(Exception):
    pass


def test_a_booking_inside_another_service_is_confirmed_once_that_one_commits(hq, sent):
    from queue_app.services.tx import atomic

    @atomic
    def book_and(then):
        appointment = book("HQ", "passport", at(TOMORROW, 10), NAME, email=EMAIL, now=NOON)
        assert sent.messages == []  # the outer transaction has not committed yet
        return then(appointment)

    def refuse(appointment):
        raise Refused

    with pytest.raises(Refused):
        book_and(refuse)  # rolled back: no booking, no message
    assert sent.messages == [] and db.session.scalar(select(Appointment.id)) is None
    code = book_and(lambda appointment: appointment.code)
    assert [(m.kind, m.to_email) for m in sent.messages] == [("confirmation", EMAIL)]
    assert booked(code).confirmed_at == NOON


# ---- the log backend ------------------------------------------------------------------------

def test_the_log_backend_masks_every_address(hq, logs):
    previous = use_sender(hq, LogSender())
    try:
        with logs.at_level(logging.INFO, logger="queue_app.notifications"):
            book("HQ", "passport", at(TOMORROW, 10), NAME, email=EMAIL, phone=PHONE, now=NOON)
            book("HQ", "passport", at(TOMORROW, 10, 20), NAME, phone=PHONE, now=NOON)
    finally:
        use_sender(hq, previous)
    lines = [r.getMessage() for r in logs.records if r.name.startswith("queue_app.notifications")]
    assert len(lines) == 2 and all("confirmation" in line for line in lines), lines
    assert "o***@example.org" in lines[0] and "+7********67" in lines[1]
    for secret in (EMAIL, PHONE, PHONE[1:], "Olga", "Ivanova", "olga.ivanova"):
        assert secret not in logs.text


# ---- email through a real SMTP server ---------------------------------------------------------

class Mailbox:
    def __init__(self):
        self.envelopes = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    mailbox = Mailbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        mailbox.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret pass")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    yield mailbox, port
    controller.stop()


def test_the_smtp_backend_emails_the_confirmation(hq, smtp_server):
    mailbox, port = smtp_server
    sender = sender_for(f"smtp://centre%40onedoor.test:s3cret%20pass@127.0.0.1:{port}?from=bookings@onedoor.test")
    assert isinstance(sender, SmtpSender)
    previous = use_sender(hq, sender)
    try:
        appointment = book("HQ", "birth", at(TOMORROW, 10), NAME, email=EMAIL, language="ru", now=NOON)
        book("HQ", "birth", at(TOMORROW, 11), NAME, phone=PHONE, now=NOON)  # no email: skipped, counted
    finally:
        use_sender(hq, previous)
    assert mailbox.logins == [(b"centre@onedoor.test", b"s3cret pass")]
    [envelope] = mailbox.envelopes
    assert envelope.mail_from == "bookings@onedoor.test" and envelope.rcpt_tos == [EMAIL]
    email = message_from_bytes(envelope.original_content, policy=policy.default)
    assert email["Subject"] == f"Ваша запись {appointment.code} в Главный офис"
    body = email.get_content()
    assert "Вы записаны на приём." in body and "Медицинское свидетельство о рождении" in body
    assert f"https://onedoor.example.gov/book/manage/{appointment.code}" in body
    assert (sender.sent, sender.skipped) == (1, 1)
    assert booked(appointment.code).confirmed_at == NOON


def test_an_unreachable_smtp_server_leaves_the_confirmation_to_retry(hq):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    previous = use_sender(hq, sender_for(f"smtp://127.0.0.1:{port}"))
    try:
        appointment = book("HQ", "birth", at(TOMORROW, 10), NAME, email=EMAIL, now=NOON)
    finally:
        use_sender(hq, previous)
    assert booked(appointment.code).status == "booked" and booked(appointment.code).confirmed_at is None


@pytest.fixture
def sms_gateway():
    """A stand-in for the SMS gateway outside the centre: an HTTP server on a real port that keeps
    what it is sent, and answers 503 while `down` is set."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Gateway(ThreadingHTTPServer):
        texts: list = []
        down = False

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.server.down:
                self.send_response(503)
            else:
                self.server.texts.append((self.path, self.headers["Authorization"], body))
                self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = Gateway(("127.0.0.1", 0), Handler)
    server.texts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_goes_by_smtp_and_texts_by_the_sms_gateway(hq, smtp_server, sms_gateway):
    mailbox, port = smtp_server
    uri = f"smtp://127.0.0.1:{port}?from=bookings@onedoor.test sms+http://127.0.0.1:{sms_gateway.server_port}/send?token=t0k"
    previous = use_sender(hq, sender_for(uri))
    try:
        by_email = book("HQ", "birth", at(TOMORROW, 10), NAME, email=EMAIL, language="ru", now=NOON)
        by_phone = book("HQ", "birth", at(TOMORROW, 11), NAME, phone=PHONE, language="es", now=NOON)
    finally:
        use_sender(hq, previous)
    assert [e.rcpt_tos for e in mailbox.envelopes] == [[EMAIL]]
    [(path, credential, text)] = sms_gateway.texts
    assert (path, credential, text["to"], text["language"]) == ("/send", "Bearer t0k", PHONE, "es")
    assert by_phone.code in text["text"] and NAME not in text["text"]
    assert booked(by_email.code).confirmed_at == NOON and booked(by_phone.code).confirmed_at == NOON


def test_a_gateway_that_is_down_leaves_the_text_to_retry(hq, sms_gateway):
    sms_gateway.down = True
    previous = use_sender(hq, sender_for(f"sms+http://127.0.0.1:{sms_gateway.server_port}/send"))
    try:
        appointment = book("HQ", "birth", at(TOMORROW, 10), NAME, phone=PHONE, now=NOON)
    finally:
        use_sender(hq, previous)
    assert sms_gateway.texts == [] and booked(appointment.code).confirmed_at is None


# ---- "your turn is near" --------------------------------------------------------------------

def waiting_line(n: int, phone=True) -> list[Ticket]:
    return [issue_ticket("HQ", "passport", phone=f"+3460000000{i}" if phone else None, language="es",
                         now=NOON + timedelta(minutes=i), by=SYSTEM).ticket for i in range(n)]


def test_turn_is_near_once_when_three_or_fewer_are_ahead(ctx, sent):
    open_desk("HQ-01", "zed", primary=["passport"])
    tickets = waiting_line(6)
    silent = issue_ticket("HQ", "passport", now=NOON + timedelta(minutes=7), by=SYSTEM).ticket  # no phone
    assert sent.messages == []  # checked after calls, not on issue
    first = call_next("HQ-01", now=NOON + timedelta(minutes=10), by=SYSTEM)
    assert first.id == tickets[0].id
    # Waiting now: t1 (0 ahead), t2 (1), t3 (2), t4 (3), t5 (4), the silent one (5).
    assert [m.to_phone for m in sent.messages] == [t.phone for t in tickets[1:5]]
    assert all(m.kind == "near_turn" and m.language == "es" for m in sent.messages)
    assert "Usted es el siguiente." in sent.messages[0].body and "Personas delante de usted: 3." in sent.messages[3].body
    assert tickets[1].number in sent.messages[0].subject and "/t/" in sent.messages[0].body
    start(first.id, now=NOON + timedelta(minutes=11), by=SYSTEM)
    finish(first.id, "resolved", now=NOON + timedelta(minutes=20), by=SYSTEM)
    call_next("HQ-01", now=NOON + timedelta(minutes=21), by=SYSTEM)
    assert [m.to_phone for m in sent.messages[4:]] == [tickets[5].phone]  # the third-ahead place reached
    for minute in (22, 23):  # nobody is told twice
        current = db.session.scalar(select(Ticket).where(Ticket.counter_id.is_not(None), Ticket.status == "called"))
        start(current.id, now=NOON + timedelta(minutes=minute), by=SYSTEM)
        finish(current.id, "resolved", now=NOON + timedelta(minutes=minute), by=SYSTEM)
        call_next("HQ-01", now=NOON + timedelta(minutes=minute), by=SYSTEM)
    assert len(sent.messages) == 5
    assert delivery.retry_near_turns(NOON + timedelta(minutes=30)) == 0
    db.session.rollback()
    assert db.session.get(Ticket, silent.id).near_notified_at is None


def test_a_failing_sender_never_fails_a_call_and_the_job_retries(ctx, sent, logs):
    open_desk("HQ-01", "zed", primary=["passport"])
    tickets = waiting_line(3)
    sent.fail = True
    with logs.at_level(logging.WARNING, logger="queue_app.notifications"):
        called = call_next("HQ-01", now=NOON + timedelta(minutes=5), by=SYSTEM)
    assert called.id == tickets[0].id and called.status == "called"
    assert "+3********01" in logs.text and "+34600000001" not in logs.text
    db.session.rollback()
    assert db.session.get(Ticket, tickets[1].id).near_notified_at is None
    sent.fail = False
    assert delivery.retry_near_turns(NOON + timedelta(minutes=6)) == 2
    assert delivery.retry_near_turns(NOON + timedelta(minutes=7)) == 0


class BlockingSender:
    """Holds each message until released, noting the thread it was sent from."""

    def __init__(self):
        self.entered, self.release, self.threads = threading.Event(), threading.Event(), []

    def send(self, message):
        self.threads.append(threading.get_ident())
        self.entered.set()
        assert self.release.wait(30), "never released"
        return "sent"


def test_sending_runs_beside_the_clerks_call_not_inside_it(ctx):
    open_desk("HQ-01", "zed", primary=["passport"])
    waiting_line(2)
    sender = BlockingSender()
    previous = use_sender(ctx, sender)
    ctx.config["ONEDOOR_NOTIFY_INLINE"] = False
    try:
        called = call_next("HQ-01", now=NOON + timedelta(minutes=5), by=SYSTEM)  # returns while the sender is held
        assert called.status == "called"
        assert sender.entered.wait(30)
        assert sender.threads and threading.get_ident() not in sender.threads
    finally:
        sender.release.set()
        outbox_of(ctx).work.join()
        ctx.config.pop("ONEDOOR_NOTIFY_INLINE")
        use_sender(ctx, previous)
    db.session.rollback()
    assert db.session.scalar(select(Ticket.near_notified_at).where(Ticket.status == "waiting")) is not None


def test_near_ahead_comes_from_the_notifications_settings(ctx, sent):
    from queue_app.models import Setting
    from queue_app.services.lookup import forget_catalogue

    open_desk("HQ-01", "zed", primary=["passport"])
    tickets = waiting_line(4)
    db.session.merge(Setting(key="notifications", value={"near_ahead": 1, "reminder_hour_local": 18}))
    db.session.commit()
    forget_catalogue()
    try:
        call_next("HQ-01", now=NOON + timedelta(minutes=5), by=SYSTEM)
        assert [m.to_phone for m in sent.messages] == [tickets[1].phone, tickets[2].phone]  # 0 and 1 ahead
        db.session.merge(Setting(key="notifications", value={"near_ahead": 0, "reminder_hour_local": 18}))
        db.session.commit()
        forget_catalogue()
        assert delivery.retry_near_turns(NOON + timedelta(minutes=6)) == 0  # 0: never
    finally:
        forget_catalogue()


def test_booking_through_the_api_confirms_by_email(hq, sent, monkeypatch):
    import queue_app.services.booking as booking
    from queue_app.extensions import limiter

    monkeypatch.setattr(booking, "utcnow", lambda: NOON)  # the API books against the real clock otherwise
    limiter.reset()
    response = hq.test_client().post("/api/v1/appointments", json={
        "centre": "HQ", "service": "passport", "start": "2026-12-01T10:00:00+03:00", "name": NAME,
        "email": EMAIL, "language": "es"})
    limiter.reset()
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    [message] = sent.messages
    assert (message.kind, message.to_email, message.language) == ("confirmation", EMAIL, "es")
    assert code in message.body and "martes, 1 de diciembre de 2026" in message.body


def test_each_step_of_a_visit_hears_that_its_turn_is_near(ctx, sent):
    open_desk("HQ-01", "zed", primary=["birth"])
    open_desk("HQ-02", "yan", primary=["passport"])
    for i in range(5):  # passports that came before the visitor (no phones)
        issue_ticket("HQ", "passport", now=NOON - timedelta(minutes=10 - i), by=SYSTEM)
    visit = issue_ticket("HQ", services=["birth", "passport"], phone="+34600000009", language="es", now=NOON,
                         by=SYSTEM).ticket
    first = call_next("HQ-02", now=NOON + timedelta(minutes=1), by=SYSTEM)
    assert call_next("HQ-01", now=NOON + timedelta(minutes=2), by=SYSTEM).id == visit.id
    start(visit.id, now=NOON + timedelta(minutes=2), by=SYSTEM)
    finish(visit.id, "resolved", now=NOON + timedelta(minutes=10), by=SYSTEM)  # on to the passport line: 4 ahead
    before = len([m for m in sent.messages if m.to_phone == "+34600000009"])  # step 1 was near, at the first call
    start(first.id, now=NOON + timedelta(minutes=10), by=SYSTEM)
    finish(first.id, "resolved", now=NOON + timedelta(minutes=11), by=SYSTEM)
    call_next("HQ-02", now=NOON + timedelta(minutes=11), by=SYSTEM)  # 3 ahead now: the visitor hears
    told = [m for m in sent.messages if m.to_phone == "+34600000009"][before:]
    assert before == 1 and [m.kind for m in told] == ["near_turn"] and visit.number in told[0].subject
    assert "Personas delante de usted: 3." in told[0].body


def test_a_booked_visit_is_confirmed_and_reminded_once_with_every_step(hq, sent):
    from queue_app.services import book_visit

    first = book_visit("HQ", ["birth", "passport"], at(TOMORROW, 10), NAME, phone=PHONE, language="es", now=NOON)
    [message] = sent.messages
    assert first.code in message.subject
    for part in ("Su visita, paso a paso:", "1. 10:00 Registro de nacimiento", "2. 10:20 Renovación de pasaporte",
                 "Registro de nacimiento:", "Certificado médico de nacimiento"):
        assert part in message.body, (part, message.body)
    evening = datetime.combine(TOMORROW - timedelta(days=1), time(19), MSK)
    assert delivery.remind_due(evening) == 1  # the visit's first step tells of both: one reminder, not two
    assert [m.kind for m in sent.messages] == ["confirmation", "reminder"] and "10:20" in sent.messages[-1].body
