"""Socket.IO against a real server port with a real python-socketio client (SPEC §6)."""
from __future__ import annotations

import queue
import time

import pytest
import requests
import socketio

from tests.conftest import PASSWORD

WAIT = 5.0


class Screen:
    """A Socket.IO client on one namespace that records every event it receives."""

    def __init__(self, base: str, namespace: str, query: str, token: str | None):
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.namespace = namespace
        for name in ("state", "ticket_called", "queue_changed", "ticket_status"):
            self.client.on(name, self._keeper(name), namespace=namespace)
        self.client.connect(f"{base}?{query}", namespaces=[namespace], auth={"token": token} if token else None,
                            transports=["websocket"], wait_timeout=WAIT)

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


@pytest.fixture
def screens(live_server):
    opened: list[Screen] = []

    def open_(namespace: str, query: str, token: str | None = None) -> Screen:
        screen = Screen(live_server, namespace, query, token)
        opened.append(screen)
        return screen

    yield open_
    for s in opened:
        s.close()


@pytest.fixture
def http(live_server):
    session = requests.Session()

    def call(method, path, token=None, **kw):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return session.request(method, live_server + path, headers=headers, timeout=10, **kw)

    yield call
    session.close()


def staff_token(http, username, role="clerk", centres=("HQ",), skills=("birth",)):
    from queue_app.services import create_user

    create_user(username, role, password=PASSWORD, centres=list(centres), primary=list(skills) if role == "clerk" else [])
    return http("POST", "/api/v1/auth/token", json={"username": username, "password": PASSWORD}).json()["token"]


def test_a_call_over_http_is_announced_to_the_display(api, http, screens):
    clerk = staff_token(http, "clara")
    kiosk, display = api.device("kiosk", "HQ"), api.device("display", "HQ")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    ticket = http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).json()
    screen = screens("/display", "centre=HQ", display)
    state = screen.next("state")
    assert state["centre"] == "HQ" and state["waiting"] == 1
    assert http("POST", "/api/v1/counters/HQ-05/call-next", clerk).status_code == 200
    called = screen.next("ticket_called")
    assert (called["number"], called["counter"], called["service"]) == (ticket["number"], "5", "birth")
    assert called["called_at"]
    assert screen.next("queue_changed", where=lambda d: d["service"] == "birth")["waiting"] == 0
    # a recall is announced again
    http("POST", f"/api/v1/tickets/{ticket['id']}/recall", clerk)
    assert screen.next("ticket_called")["number"] == ticket["number"]


def test_a_display_hears_only_its_own_centre(api, http, screens):
    clerk = staff_token(http, "clara")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
    other = screens("/display", "centre=NYC", api.device("display", "NYC"))
    other.next("state")
    http("POST", "/api/v1/counters/HQ-05/call-next", clerk)
    assert [e for e in other.drain(1.0) if e[0] in ("ticket_called", "queue_changed")] == []


@pytest.mark.parametrize(
    ("namespace", "query", "token"),
    [
        ("/display", "centre=HQ", None),
        ("/display", "centre=HQ", "not-a-token"),
        ("/display", "centre=NYC", "display-hq"),
        ("/display", "centre=XX", "display-hq"),
        ("/counter", "counter=HQ-01", "display-hq"),
        ("/manager", "centre=HQ", "display-hq"),
        ("/ticket", "token=nope", None),
    ],
)
def test_bad_credentials_are_refused(api, live_server, namespace, query, token):
    if token == "display-hq":
        token = api.device("display", "HQ")
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(f"{live_server}?{query}", namespaces=[namespace], auth={"token": token} if token else None,
                       transports=["websocket"], wait_timeout=WAIT)
    assert not client.connected


def test_a_reconnecting_display_gets_the_state_at_once(api, http, screens):
    clerk = staff_token(http, "clara")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    display = api.device("display", "HQ")
    first = screens("/display", "centre=HQ", display)
    first.next("state")
    http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
    http("POST", "/api/v1/counters/HQ-05/call-next", clerk)
    first.close()  # the screen loses its connection (a restart, a cable)
    again = screens("/display", "centre=HQ", display)
    state = again.next("state")
    assert state["calls"][0]["number"] == "A001" and state["calls"][0]["counter"] == "5"


def test_the_visitor_hears_their_position_and_call(api, http, screens):
    clerk = staff_token(http, "clara")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    kiosk = api.device("kiosk", "HQ")
    first = http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).json()
    mine = http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).json()
    visitor = screens("/ticket", f"token={mine['token']}")
    assert visitor.next("ticket_status")["ahead"] == 1
    http("POST", "/api/v1/counters/HQ-05/call-next", clerk)  # the first is called
    assert visitor.next("ticket_status", where=lambda d: d["ahead"] == 0)["status"] == "waiting"
    http("POST", f"/api/v1/tickets/{first['id']}/start", clerk)
    http("POST", f"/api/v1/tickets/{first['id']}/finish", clerk, json={"outcome": "resolved"})
    http("POST", "/api/v1/counters/HQ-05/call-next", clerk)
    called = visitor.next("ticket_status", where=lambda d: d["status"] == "called")
    assert called["counter"] == {"code": "HQ-05", "name": "5"}


def test_the_counter_page_gets_its_state_and_the_current_ticket(api, http, screens):
    clerk = staff_token(http, "clara")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
    desk = screens("/counter", "counter=HQ-05", clerk)
    state = desk.next("state")
    assert state["counter"]["state"] == "open" and state["current"] is None
    assert [q["service"] for q in state["queue"]] == ["birth"]
    http("POST", "/api/v1/counters/HQ-05/call-next", clerk)
    current = desk.next("state", where=lambda d: d["current"] is not None)["current"]
    assert current["number"] == "A001" and current["documents"]["en"] == ["Medical birth certificate"]


def test_a_manager_sees_the_centre(api, http, screens):
    manager = staff_token(http, "mona", role="manager")
    board = screens("/manager", "centre=HQ", manager)
    state = board.next("state")
    assert (state["centre"], state["target_wait_min"], state["alerts"]) == ("HQ", 15, [])
