"""A recording Socket.IO client for tests that talk to a real server port."""
from __future__ import annotations

import queue
import time

import socketio
import websocket

WAIT = 5.0

# websocket-client (under python-socketio's Client) waits up to 3 s for the answer to its close
# frame, which the threaded test server never sends after the Socket.IO disconnect: every client
# closing (and every refused connect) cost 3 s of the suite. A quarter second is plenty here.
_close = websocket.WebSocket.close


def _close_soon(self, status=websocket.STATUS_NORMAL, reason=b"", timeout=0.25):
    return _close(self, status, reason, timeout)


websocket.WebSocket.close = _close_soon


class Screen:
    """A Socket.IO client on one namespace that records every event it receives."""

    def __init__(self, base: str, namespace: str, query: str, token: str | None, transports=("websocket",)):
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.namespace = namespace
        for name in ("state", "ticket_called", "queue_changed", "ticket_status", "centres", "centre"):
            self.client.on(name, self._keeper(name), namespace=namespace)
        self.client.connect(f"{base}?{query}", namespaces=[namespace], auth={"token": token} if token else None,
                            transports=list(transports), wait_timeout=WAIT)

    def _keeper(self, name):
        return lambda data: self.events.put((name, data))

    def next(self, name: str, timeout: float = WAIT, where=lambda d: True):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name!r} event within {timeout} s")
            try:
                got, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if got == name and where(data):
                return data

    def drain(self, seconds: float = 0.5) -> list:
        time.sleep(seconds)
        out = []
        while not self.events.empty():
            out.append(self.events.get_nowait())
        return out

    def close(self):
        self.client.disconnect()


def wait_connected(app, namespace: str, seconds: float = WAIT) -> bool:
    """Wait until some client of `namespace` is connected (a page just loaded may not be yet);
    return whether one is."""
    server = app.extensions["socketio"].server
    deadline = time.monotonic() + seconds
    while not list(server.manager.get_participants(namespace, None)):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def cut_off(app, namespace: str) -> None:
    """Cut every client of `namespace` off as a network failure would: the server drops their
    connections, and they reconnect by themselves (when they can reach the server again)."""
    server = app.extensions["socketio"].server
    wait_connected(app, namespace)  # a page just loaded may not have connected yet: cut it once it has
    for _sid, eio_sid in list(server.manager.get_participants(namespace, None)):
        socket = server.eio.sockets.get(eio_sid)
        if socket is not None:  # no goodbye, and nothing waited for: an offline page reads nothing
            socket.close(wait=False, abort=True)
