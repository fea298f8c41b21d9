"""Printer backends chosen by URI (SPEC §7); each prints one whole ticket or raises.

    tcp://host[:9100]            raw port of a network printer (python-escpos Network)
    usb://VID:PID                hex ids, e.g. usb://04b8:0202 (python-escpos Usb)
    serial:///dev/ttyS0          ?baudrate=19200 (python-escpos Serial)
    file:///dev/usb/lp0          a device file (python-escpos File)
    pdf://folder                 one PDF per ticket (reportlab), for kiosks without a printer
    dummy://[name]               bytes kept in memory (`dummy_output`), for tests

ESC/POS URIs also take ?width=512 (dots; 512 for 80 mm paper, 384 for 58 mm), ?codepage=CP437
(text outside it is printed as an image), ?timeout=5 (seconds: to connect, to send, and for the
printer's status answer) and ?confirm=0.

What "printed" means per kind (SPEC §7):
    tcp, serial, usb   confirmed: the printer's real-time status (DLE EOT, printers/status.py) is
                       asked before the job and read back after its last byte; no answer within
                       the timeout, an error bit, paper out or a reset means not printed (retried
                       whole). ?confirm=0 turns this off for a printer that cannot answer (a USB
                       printer without an IN endpoint, a print server that swallows answers): its
                       jobs then count as printed once written, which proves nothing.
    file               not confirmed: a device file cannot be read back (a job counts as printed
                       once the kernel took it); prefer tcp/serial/usb where the printer allows.
    pdf                confirmed by the file being written and flushed to disk.
    dummy              in memory, for tests; `fail_dummy` makes it refuse.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from escpos.printer import Network as EscposNetwork

from .escpos_layout import escpos_printer, ticket_bytes
from .paper import TicketPaper
from .status import QUERIES, STATUS_REQUEST, StatusProblem, judge, requests_in


class PrinterError(Exception):
    """The printer could not take the ticket (offline, out of paper, …); worth retrying."""


class Printer(Protocol):
    def print_ticket(self, paper: TicketPaper) -> str | None:
        """Print one ticket, or raise PrinterError; return a note for the operator or None."""


@dataclass(frozen=True)
class PrinterUri:
    """A parsed printer URI."""

    scheme: str
    target: str  # host, "VID:PID", a path, a folder or a dummy name
    port: int | None = None
    options: dict[str, str] = field(default_factory=dict)


ESCPOS_SCHEMES = ("tcp", "usb", "serial", "file", "dummy")
OPTIONS = {"width", "codepage", "timeout", "confirm", "baudrate"}
CONFIRMING_SCHEMES = ("tcp", "serial", "usb")  # printers that can answer DLE EOT


def parse_uri(uri: str) -> PrinterUri:
    """Split a printer URI; ValueError naming the URI when it is not one we can print to."""

    def bad(why: str) -> ValueError:
        return ValueError(f"invalid printer URI {uri!r}: {why}")

    if not isinstance(uri, str) or "://" not in uri:
        raise bad("expected scheme://…, e.g. tcp://192.168.1.50:9100")
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in (*ESCPOS_SCHEMES, "pdf"):
        raise bad(f"unknown scheme {scheme!r}; use tcp, usb, serial, file, pdf or dummy")
    options = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(options) - OPTIONS
    if unknown:
        raise bad(f"unknown option(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(OPTIONS))}")
    for key in ("width", "baudrate"):
        if key in options and not options[key].isdigit():
            raise bad(f"{key} must be a whole number")
    if "width" in options and not 64 <= int(options["width"]) <= 2048:
        raise bad("width must be between 64 and 2048 dots")
    if "timeout" in options:
        try:
            if float(options["timeout"]) <= 0:
                raise ValueError
        except ValueError:
            raise bad("timeout must be a positive number of seconds") from None
    if options.get("confirm", "1") not in ("0", "1"):
        raise bad("confirm must be 1 (read the printer's status back, the default) or 0")
    try:
        port = parts.port
    except ValueError:
        raise bad("the port must be a number from 0 to 65535") from None
    if scheme == "tcp":
        if not parts.hostname:
            raise bad("a network printer needs a host, e.g. tcp://192.168.1.50:9100")
        return PrinterUri(scheme, parts.hostname, port or 9100, options)
    if scheme == "usb":
        ids = parts.netloc.split(":")
        try:
            if len(ids) != 2 or not all(0 <= int(x, 16) <= 0xFFFF for x in ids):
                raise ValueError
        except ValueError:
            raise bad("a USB printer is usb://VID:PID with hexadecimal ids, e.g. usb://04b8:0202") from None
        return PrinterUri(scheme, parts.netloc.lower(), None, options)
    if scheme in ("serial", "file"):
        path = parts.netloc + parts.path
        if not path.startswith("/"):
            raise bad(f"{scheme} needs an absolute device path, e.g. {scheme}:///dev/ttyS0")
        return PrinterUri(scheme, path, None, options)
    if scheme == "pdf":
        folder = parts.netloc + parts.path
        if not folder:
            raise bad("a PDF printer needs a folder, e.g. pdf://instance/tickets or pdf:///var/tickets")
        return PrinterUri(scheme, folder, None, options)
    return PrinterUri(scheme, parts.netloc + parts.path, None, options)  # dummy


# dummy:// printers keep each ticket's bytes here, per URI, so tests can read what was printed.
_dummy_lock = threading.Lock()
_dummy_outputs: dict[str, list[bytes]] = {}
_dummy_faults: dict[str, str] = {}


def dummy_output(uri: str = "dummy://") -> list[bytes]:
    """The jobs a dummy printer received, one bytes object per ticket, oldest first."""
    with _dummy_lock:
        return list(_dummy_outputs.get(uri, []))


def clear_dummy(uri: str | None = None) -> None:
    """Forget what dummy printers received (all of them when `uri` is None), and their faults."""
    with _dummy_lock:
        for store in (_dummy_outputs, _dummy_faults):
            if uri is None:
                store.clear()
            else:
                store.pop(uri, None)


def fail_dummy(uri: str, error: str | None) -> None:
    """Make a dummy printer fail with `error` (e.g. "out of paper") until called with None."""
    with _dummy_lock:
        if error is None:
            _dummy_faults.pop(uri, None)
        else:
            _dummy_faults[uri] = error


class Network(EscposNetwork):
    """python-escpos's Network, but a failed connect closes its socket (no leaked descriptor), and
    status answers are not held back by the TCP stacks' small-packet rules."""

    def open(self, raise_not_found: bool = True) -> None:
        self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # our status request goes at once

    def _read(self) -> bytes:
        # A printer answering each request with its own 1-byte packet under Nagle's rule sends the
        # next only once we acknowledge the last; acknowledge at once rather than after ~40 ms.
        quick = getattr(socket, "TCP_QUICKACK", None)  # Linux
        if quick is not None:
            self.device.setsockopt(socket.IPPROTO_TCP, quick, 1)
        data = super()._read()
        if quick is not None and data:
            self.device.setsockopt(socket.IPPROTO_TCP, quick, 1)  # sends the ACK it had scheduled, now
        return data


class EscposPrinter:
    """An ESC/POS printer: the job is built in memory, then sent in one write on a fresh connection,
    between two status exchanges when the printer can answer them."""

    def __init__(self, uri: str, parsed: PrinterUri):
        self.uri = uri
        self.parsed = parsed
        self.width = int(parsed.options.get("width", 512))
        self.codepage = parsed.options.get("codepage", "CP437")
        self.timeout = float(parsed.options.get("timeout", 5))
        self.confirms = parsed.scheme in CONFIRMING_SCHEMES and parsed.options.get("confirm", "1") == "1"
        escpos_printer(self.width).magic.encoder.get_encoding_name(self.codepage)  # a bad code page fails now

    def render(self, paper: TicketPaper) -> bytes:
        return ticket_bytes(paper, width=self.width, codepage=self.codepage)

    def device(self):
        """A python-escpos printer object for this URI, not yet opened."""
        from escpos import printer as escpos

        p, o = self.parsed, self.parsed.options
        if p.scheme == "tcp":
            return escpos_printer(self.width, Network, host=p.target, port=p.port, timeout=self.timeout)
        if p.scheme == "usb":
            vid, pid = (int(x, 16) for x in p.target.split(":"))
            return escpos_printer(self.width, escpos.Usb, idVendor=vid, idProduct=pid, timeout=int(self.timeout * 1000))
        if p.scheme == "serial":
            return escpos_printer(
                self.width, escpos.Serial, devfile=p.target, baudrate=int(o.get("baudrate", 9600)), timeout=self.timeout
            )
        return escpos_printer(self.width, escpos.File, devfile=p.target)

    def print_ticket(self, paper: TicketPaper) -> str | None:
        """Print the ticket and, where the printer can answer, confirm it; return a warning for
        the operator ("paper low") or None; raise PrinterError when it is not printed."""
        job = self.render(paper)  # a layout error never leaves half a ticket on the printer
        if self.parsed.scheme == "dummy":
            with _dummy_lock:
                fault = _dummy_faults.get(self.uri)
                if fault:
                    raise PrinterError(fault)
                _dummy_outputs.setdefault(self.uri, []).append(job)
            return None
        device = self.device()
        try:
            device.open()
            if not self.confirms:
                device._raw(job)
                if hasattr(device, "flush"):
                    device.flush()
                return None
            self.ask(device, STATUS_REQUEST)  # a printer that says it cannot print gets nothing to keep
            return self.ask(device, job + STATUS_REQUEST, answers=requests_in(job) + len(QUERIES))
        except StatusProblem as exc:
            raise PrinterError(str(exc)) from None
        except PrinterError:
            raise
        except Exception as exc:  # python-escpos and the OS raise many kinds; all mean "not printed"
            raise PrinterError(f"{self.parsed.scheme} printer {self.parsed.target}: {first_line(exc)}") from exc
        finally:
            try:
                device.close()
            except Exception:
                pass

    def ask(self, device, data: bytes, answers: int = len(QUERIES)) -> str | None:
        """Send `data`, which ends with the status request, and judge the printer's answers."""
        device._raw(data)
        if hasattr(device, "flush"):
            device.flush()
        return judge(self.read_answers(device, answers))

    def read_answers(self, device, count: int) -> bytes:
        """Up to `count` answer bytes, within the timeout; fewer when the printer falls silent (a
        printer that ignores status requests inside image data sends only ours: the last four)."""
        deadline = time.monotonic() + self.timeout
        got = b""
        while len(got) < count and time.monotonic() < deadline:
            try:
                chunk = device._read()
            except (TimeoutError, socket.timeout):
                break
            except Exception as exc:
                if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc):  # pyusb's
                    break
                raise
            if not chunk:
                if self.parsed.scheme == "tcp":
                    raise PrinterError("the printer closed the connection before confirming the job")
                continue  # a serial read that timed out: try again until the deadline
            got += bytes(chunk)
        if not got:
            raise PrinterError(f"no status answer from the printer within {self.timeout:g} s")
        return got


def first_line(exc: BaseException) -> str:
    """What went wrong, on one line: the root cause (e.g. "[Errno 111] Connection refused")."""
    while (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__
    text = " ".join(str(exc).split())
    return (text or type(exc).__name__)[:160]


def open_printer(uri: str) -> Printer:
    """The printer for `uri`; ValueError naming the URI when it is invalid. Opens no connection."""
    parsed = parse_uri(uri)
    if parsed.scheme == "pdf":
        from .pdf import PdfPrinter

        return PdfPrinter(Path(parsed.target))
    try:
        return EscposPrinter(uri, parsed)
    except ValueError as exc:
        raise ValueError(f"invalid printer URI {uri!r}: {exc}") from exc
