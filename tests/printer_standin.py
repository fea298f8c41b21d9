"""A network ESC/POS printer on 127.0.0.1 (raw port 9100 style) that answers like a real one.

It reads the byte stream and answers every real-time status request (`DLE EOT n`, n = 1..4) at once
with one status byte, wherever it occurs (inside image data too, as Epson printers do). Its faults:

    healthy       answers "on-line, paper present, no error"
    paper_out     answers "off-line, stopped at paper end, paper end" (keeps what it is sent)
    never_reads   accepts the connection and never reads a byte (a hung or jammed printer)
    reset_after   reads `reset_after` bytes, then resets the connection (RST)

It keeps the bytes of every connection; `tickets()` counts the whole tickets it received: a
ticket number followed, in the same connection, by the cut command.
"""
from __future__ import annotations

import re
import select
import socket
import struct
import threading
import time

STATUS_REQUEST = re.compile(rb"\x10\x04([\x01-\x04])")
CUT = re.compile(rb"\x1bd\x06\x1dV[\x00\x01]")  # feed 6 lines, cut: how python-escpos ends a ticket
HEALTHY = {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12}  # n=1: bit 2 is the drawer pin, whatever it reads
PAPER_OUT = {1: 0x1E, 2: 0x32, 3: 0x12, 4: 0x72}  # off-line; stopped at paper end; paper end sensor


class PrinterStandIn:
    """A TCP printer; `mode` may be changed while it runs (the next connection follows it)."""

    def __init__(self, mode: str = "healthy", reset_after: int = 600, one_by_one: bool = False):
        self.mode = mode
        self.one_by_one = one_by_one  # each answer its own packet, under Nagle's rule, as some printers do
        self.reset_after = reset_after
        self.port: int | None = None
        self.connections: list[bytes] = []  # every finished connection's bytes, in order
        self.ended: list[int] = []  # when each of them ended (time.monotonic_ns), same order
        self.requests = 0  # status requests answered
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._open: list[socket.socket] = []

    # ---- running -------------------------------------------------------------------------------

    def start(self) -> "PrinterStandIn":
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port or 0))
        server.listen(16)
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._serve, args=(server,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening and drop every open connection (the printer is switched off)."""
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accept() at once
        except OSError:
            pass
        self._server.close()
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            try:
                conn.close()
            except OSError:
                pass

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}?timeout=1"

    def _serve(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # switched off
            with self._lock:
                self._open.append(conn)
            threading.Thread(target=self._talk, args=(conn, self.mode), daemon=True).start()

    def _talk(self, conn: socket.socket, mode: str) -> None:
        received = bytearray()
        try:
            if mode == "never_reads":  # holds the connection open, reading nothing, until the client leaves
                poller = select.poll()
                poller.register(conn, select.POLLRDHUP | select.POLLHUP)
                while self._server.fileno() != -1 and not poller.poll(50):
                    pass
                return
            answers = PAPER_OUT if mode == "paper_out" else HEALTHY
            if not self.one_by_one:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while True:
                want = self.reset_after - len(received) if mode == "reset_after" else 65536
                data = conn.recv(max(1, min(65536, want)))
                if not data:
                    return
                scan_from = max(0, len(received) - 2)  # a request may straddle two reads
                received += data
                if mode == "reset_after" and len(received) >= self.reset_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return  # closing with linger 0 sends RST
                reply = bytes(answers[m.group(1)[0]] for m in STATUS_REQUEST.finditer(received, scan_from)
                              if m.end() > len(received) - len(data))
                for answer in [reply[i:i + 1] for i in range(len(reply))] if self.one_by_one else [reply] * bool(reply):
                    conn.sendall(answer)
                    with self._lock:
                        self.requests += len(reply)
        except OSError:
            return
        finally:
            with self._lock:
                self.connections.append(bytes(received))
                self.ended.append(time.monotonic_ns())
                if conn in self._open:
                    self._open.remove(conn)
            try:
                conn.close()
            except OSError:
                pass

    # ---- what came out -------------------------------------------------------------------------

    def tickets(self, pattern: bytes = rb"[A-Z]\d{3}") -> list[str]:
        """The numbers of the whole tickets received (number, then the cut, in one connection)."""
        numbers = []
        with self._lock:
            connections = list(self.connections)
        for data in connections:
            start = 0
            for cut in CUT.finditer(data):
                found = re.search(pattern + rb"\n", data[start:cut.start()])  # the number is printed as text
                if found:
                    numbers.append(found.group()[:-1].decode())
                start = cut.end()
        return numbers

    def wait_for_tickets(self, count: int, timeout: float = 5.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(found := self.tickets()) >= count:
                return found
            time.sleep(0.01)
        return self.tickets()

    def jobs(self) -> list[bytes]:
        """The connections that carried more than a status request (a job's bytes each)."""
        with self._lock:
            return [c for c in self.connections if len(c) > 16]

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.jobs()) < count:
            time.sleep(0.01)
        return self.jobs()
