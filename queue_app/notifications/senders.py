"""How a message leaves the centre: one Sender interface, backends chosen by a URI (ONEDOOR_NOTIFY).

`log://` writes one line per message with the address masked (the default: nothing leaves the
server); `smtp://user:pass@host:port?from=…&starttls=1` sends email (`smtps://` over TLS);
`sms+https://gateway.example.org/send?token=…` hands text messages to an SMS gateway over HTTP.
Several URIs separated by spaces each take the messages they can reach (email to SMTP, phones to
the gateway). `RecordingSender` is the fake the tests use for what lies outside the centre.
Logs never hold a full phone number, email address or name: `mask` every address first.
"""
from __future__ import annotations

import json
import logging
import re
import smtplib
import threading
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)

SENT, SKIPPED = "sent", "skipped"
SMTP_TIMEOUT_S = 15


@dataclass(frozen=True)
class Message:
    """One message to one visitor, already rendered in their language."""

    kind: str  # confirmation | rescheduled | reminder | near_turn
    language: str
    subject: str
    body: str
    to_email: str | None = None
    to_phone: str | None = None

    @property
    def masked_to(self) -> str:
        return mask(self.to_email or self.to_phone or "")


class Sender(Protocol):
    def send(self, message: Message) -> str:
        """Send the message; return SENT, or SKIPPED when this backend cannot reach that address.
        Raise on a failure worth retrying."""


def mask_email(address: str) -> str:
    """olga@example.org → o***@example.org: enough to tell addresses apart in a log, no more."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(phone: str) -> str:
    """+79161234567 → +7********67: the country code and the last two digits."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def mask(address: str) -> str:
    return mask_email(address) if "@" in address else mask_phone(address)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def scrub(text: str) -> str:
    """An error text fit for the log: any address in it masked (SMTP refusals quote them)."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(re.sub(r"[^\d+]", "", m.group(0))), text)


class LogSender:
    """Writes that a message of a kind went to a masked address; sends nothing."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, message: Message) -> str:
        log.info("notification %s (%s) to %s: %d characters", message.kind, message.language,
                 message.masked_to, len(message.body))
        self.sent += 1
        return SENT


class SmtpSender:
    """Email through an SMTP server; a recipient with only a phone is skipped and counted."""

    def __init__(self, host: str, port: int, sender: str, user: str | None = None, password: str | None = None,
                 starttls: bool = False, ssl: bool = False) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.ssl = user, password, starttls, ssl
        self.sent = self.skipped = 0
        self._lock = threading.Lock()

    def send(self, message: Message) -> str:
        if not message.to_email:
            with self._lock:
                self.skipped += 1
            log.info("notification %s to %s skipped: the email backend cannot reach a phone",
                     message.kind, message.masked_to)
            return SKIPPED
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.to_email, message.subject
        email["Message-ID"] = make_msgid(domain=self.sender.partition("@")[2] or None)
        email["Content-Language"] = message.language
        email.set_content(message.body)
        connect = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with connect(self.host, self.port, timeout=SMTP_TIMEOUT_S) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(email)
        with self._lock:
            self.sent += 1
        log.info("notification %s (%s) emailed to %s", message.kind, message.language, message.masked_to)
        return SENT


class SmsGatewaySender:
    """Text messages through an HTTP SMS gateway: POST {"to", "text", "language"} as JSON to the
    gateway's address, with its token as a bearer credential; any answer but 2xx is a failure to
    retry. A recipient with only an email is skipped."""

    def __init__(self, url: str, token: str | None = None, timeout: float = SMTP_TIMEOUT_S) -> None:
        self.url, self.token, self.timeout = url, token, timeout
        self.sent = self.skipped = 0
        self._lock = threading.Lock()

    def send(self, message: Message) -> str:
        if not message.to_phone:
            with self._lock:
                self.skipped += 1
            return SKIPPED
        payload = {"to": message.to_phone, "text": f"{message.subject}\n{message.body}", "language": message.language}
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=json.dumps(payload).encode(), headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # raises on 4xx/5xx
            answer.read()
        with self._lock:
            self.sent += 1
        log.info("notification %s (%s) texted to %s", message.kind, message.language, message.masked_to)
        return SENT


class EachToItsOwn:
    """Several backends: a message goes to the first that can reach its address (SENT), and is
    SKIPPED only when none can. A failure of the one that can is raised, to be retried."""

    def __init__(self, senders: list[Sender]) -> None:
        self.senders = senders

    def send(self, message: Message) -> str:
        for sender in self.senders:
            if sender.send(message) == SENT:
                return SENT
        return SKIPPED


class RecordingSender:
    """The fake: keeps every message (an SMS gateway stands outside the centre); `fail` makes it raise."""

    def __init__(self, fail: bool = False) -> None:
        self.messages: list[Message] = []
        self.fail = fail

    def send(self, message: Message) -> str:
        if self.fail:
            raise ConnectionError("the recording sender was told to fail")
        self.messages.append(message)
        return SENT


def sender_for(uri: str) -> Sender:
    """The backend a URI names: log://, smtp://user:pass@host:port?from=…&starttls=1, smtps://…,
    sms+https://gateway/path?token=…; several URIs separated by spaces: each reaches its own."""
    uris = (uri or "log://").split()
    if len(uris) > 1:
        return EachToItsOwn([sender_for(one) for one in uris])
    parts = urlsplit(uris[0])
    if parts.scheme in ("sms+http", "sms+https"):
        if not parts.hostname:
            raise ValueError("ONEDOOR_NOTIFY: sms+https:// needs the gateway's address")
        query = parse_qs(parts.query)
        token = query.pop("token", [None])[0]
        rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
        url = f"{parts.scheme[4:]}://{parts.netloc}{parts.path or '/'}" + (f"?{rest}" if rest else "")
        return SmsGatewaySender(url, token)
    if parts.scheme == "log":
        return LogSender()
    if parts.scheme in ("smtp", "smtps"):
        query = parse_qs(parts.query)
        if not parts.hostname:
            raise ValueError(f"ONEDOOR_NOTIFY: {parts.scheme}:// needs a host, e.g. smtp://mail.example.org:587")
        sender = query.get("from", [None])[0] or f"onedoor@{parts.hostname}"
        ssl = parts.scheme == "smtps"
        return SmtpSender(parts.hostname, parts.port or (465 if ssl else 25), sender,
                          unquote(parts.username) if parts.username else None,
                          unquote(parts.password) if parts.password else None,
                          starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"), ssl=ssl)
    raise ValueError(f"ONEDOOR_NOTIFY: unknown scheme {parts.scheme!r} (log://, smtp://… or sms+https://…)")
