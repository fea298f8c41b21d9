"""Socket.IO against a real server port with a real python-socketio client (SPEC §6)."""
from __future__ import annotations

import pytest
import requests
import socketio

from tests.conftest import PASSWORD, serving
from tests.sockets import WAIT, Screen


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
    # the queue drops to 0 (a count computed for the issue may still arrive first: the notifier
    # batches, and a screen that just joined is sent everything again)
    assert screen.next("queue_changed", where=lambda d: d["service"] == "birth" and d["waiting"] == 0)["waiting"] == 0
    # a recall is announced again
    http("POST", f"/api/v1/tickets/{ticket['id']}/recall", clerk)
    assert screen.next("ticket_called")["number"] == ticket["number"]


def test_a_simulated_day_in_the_same_process_leaves_the_screens_alone(api, http, screens, network):
    from pathlib import Path

    from queue_app.simulation import read_plan, simulate

    display = screens("/display", "centre=HQ", api.device("display", "HQ"))
    display.next("state")
    simulate(read_plan(Path(__file__).parents[1] / "data" / "tiny_day.toml"), 1, network=network)
    clerk = staff_token(http, "clara")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
    assert http("POST", "/api/v1/counters/HQ-05/call-next", clerk).status_code == 200
    assert display.next("ticket_called")["number"] == "A001"
    late = screens("/display", "centre=HQ", api.device("display", "HQ"))  # and a new screen still connects
    assert late.next("state")["calls"][0]["number"] == "A001"


def test_a_display_hears_only_its_own_centre(api, http, screens):
    clerk = staff_token(http, "clara")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
    other = screens("/display", "centre=NYC", api.device("display", "NYC"))
    other.next("state")
    http("POST", "/api/v1/counters/HQ-05/call-next", clerk)
    assert [e for e in other.drain(1.0) if e[0] in ("ticket_called", "queue_changed")] == []


def test_a_snapshot_goes_only_to_the_screen_that_connected(api, http, screens):
    """Each connect's `state` (or a visitor's `ticket_status`) is for that client alone: another
    centre's display, another visitor's page must not receive it."""
    hq = screens("/display", "centre=HQ", api.device("display", "HQ"))
    hq.next("state")
    screens("/display", "centre=NYC", api.device("display", "NYC")).next("state")
    kiosk = api.device("kiosk", "HQ")
    first = http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).json()
    second = http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).json()
    visitor = screens("/ticket", f"token={first['token']}")
    assert visitor.next("ticket_status")["number"] == first["number"]
    screens("/ticket", f"token={second['token']}").next("ticket_status")
    assert [e for e in hq.drain(1.0) if e[0] == "state"] == []
    assert [d["number"] for name, d in visitor.drain(0.5) if name == "ticket_status"] in ([], [first["number"]])


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


@pytest.mark.parametrize(("namespace", "query", "snapshot"), [
    ("/display", "centre=HQ", "display_state"), ("/ticket", "token=TOKEN", "rows_payload"),
])
def test_a_connect_that_fails_inside_is_refused_at_once_not_left_hanging(
    api, http, live_server, monkeypatch, namespace, query, snapshot
):
    import time

    from queue_app.services import screens

    token = api.device("display", "HQ")
    if "TOKEN" in query:
        issued = http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
        query, token = query.replace("TOKEN", issued.json()["token"]), None

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(screens, snapshot, broken)
    client = socketio.Client(reconnection=False)
    refusals = []
    client.on("connect_error", refusals.append, namespace=namespace)
    started = time.monotonic()
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(f"{live_server}?{query}", namespaces=[namespace], auth={"token": token} if token else None,
                       transports=["websocket"], wait_timeout=30)
    assert time.monotonic() - started < 15  # told, not left to its own 30 s timeout
    assert "unavailable" in str(refusals)
    monkeypatch.undo()
    screen = Screen(live_server, namespace, query, token)  # the retry, once the fault is gone
    try:
        assert screen.next("state" if namespace == "/display" else "ticket_status")
    finally:
        screen.close()


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


def test_a_service_left_with_nobody_is_shown_as_empty(api, http, screens):
    """With no counter open, a service's last waiting visitor leaving takes it out of the summary;
    the display must still hear that nobody waits any more."""
    from queue_app.services import SYSTEM, cancel

    display = screens("/display", "centre=HQ", api.device("display", "HQ"))
    display.next("state")
    issued = http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "tax"}).json()
    assert display.next("queue_changed", where=lambda d: d["service"] == "tax")["waiting"] == 1
    cancel(issued["id"], by=SYSTEM)
    gone = display.next("queue_changed", where=lambda d: d["service"] == "tax")
    assert (gone["waiting"], gone["estimated_wait_min"]) == (0, None)


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


def test_a_failing_printer_reaches_the_managers_alerts_and_leaves_them(api, http, screens):
    import socket
    from datetime import timedelta

    from queue_app.db import utcnow
    from queue_app.print_worker import print_due

    from ..printer_standin import PrinterStandIn

    with socket.socket() as s:  # a port nothing listens on: the printer is off
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    manager = staff_token(http, "mona", role="manager")
    clerk = staff_token(http, "clara")  # a counter serves the ticket: its only alert is the printer's
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    board = screens("/manager", "centre=HQ", manager)
    board.next("state")
    kiosk = api.device("kiosk", "HQ", printer=f"tcp://127.0.0.1:{port}?timeout=0.5")
    http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"})
    print_due(utcnow())
    alert = board.next("state", where=lambda d: d["alerts"])["alerts"][0]
    assert (alert["kind"], alert["pending"], alert["printer_uri"]) == ("printer_fault", 1, f"tcp://127.0.0.1:{port}?timeout=0.5")
    printer = PrinterStandIn()
    printer.port = port
    printer.start()  # switched on again, and it answers for the ticket
    try:
        assert print_due(utcnow() + timedelta(minutes=2)).printed
    finally:
        printer.stop()
    assert board.next("state", where=lambda d: not d["alerts"])["alerts"] == []


def test_websockets_decline_compression_that_browsers_offer(live_server):
    """Every browser offers permessage-deflate; accepting it costs ~300 KB of zlib state a socket."""
    import socket
    from urllib.parse import urlparse

    url = urlparse(live_server)
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            b"Host: " + url.netloc.encode() + b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            assert chunk, head
            head += chunk
    status, *headers = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
    assert " 101 " in status, status
    assert not [h for h in headers if h.lower().startswith("sec-websocket-extensions")], headers


def test_the_api_and_the_counter_socket_give_the_current_ticket_in_one_shape(api, http, screens):
    """The counter page hears its current ticket over the socket and gets it in the answers to its
    actions: the same shape, with the moves legal from its status."""
    clerk = staff_token(http, "clara")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
    desk = screens("/counter", "counter=HQ-05", clerk)
    desk.next("state")
    called = http("POST", "/api/v1/counters/HQ-05/call-next", clerk).json()
    assert called["actions"] == ["recall", "start", "no_show"]
    assert desk.next("state", where=lambda d: d["current"] is not None)["current"] == called
    assert http("GET", "/api/v1/counters/HQ-05/current", clerk).json() == called
    started = http("POST", f"/api/v1/tickets/{called['id']}/start", clerk).json()
    assert started["actions"] == ["finish", "transfer"]
    assert desk.next("state", where=lambda d: (d["current"] or {}).get("status") == "serving")["current"] == started
    done = http("POST", f"/api/v1/tickets/{called['id']}/finish", clerk, json={"outcome": "resolved"}).json()
    assert done["actions"] == []
    assert desk.next("state", where=lambda d: d["current"] is None)["current"] is None


def test_the_visitor_hears_the_moves_left_to_their_ticket(api, http, screens):
    clerk = staff_token(http, "clara")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    mine = http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"}).json()
    visitor = screens("/ticket", f"token={mine['token']}")
    assert visitor.next("ticket_status")["actions"] == ["call", "cancel"]
    assert http("GET", f"/api/v1/tickets/{mine['token']}").json()["actions"] == ["call", "cancel"]
    http("POST", "/api/v1/counters/HQ-05/call-next", clerk)
    http("POST", f"/api/v1/tickets/{mine['id']}/no-show", clerk)
    gone = visitor.next("ticket_status", where=lambda d: d["status"] == "no_show")
    assert gone["actions"] == []
    assert http("GET", f"/api/v1/tickets/{mine['token']}").json()["actions"] == []


@pytest.fixture
def second_app(app):
    """Another app over the same database in this process, served on a port of its own."""
    from queue_app import create_app
    from queue_app.extensions import db

    other = create_app({key: app.config[key] for key in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "ONEDOOR_CONFIG", "SECRET_KEY", "ONEDOOR_LOGIN_RATE_LIMIT",
        "ONEDOOR_PUBLIC_RATE_LIMIT", "ONEDOOR_BOOKING_RATE_LIMIT", "ONEDOOR_REMOTE_RATE_LIMIT",
        "ONEDOOR_PUBLIC_CACHE_SECONDS")})
    with serving(other) as url:
        yield url
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_two_apps_in_one_process_do_not_hear_each_others_commits(api, http, screens, second_app):
    """Each app has its own Socket.IO server and notifier: what one commits reaches its own
    screens, never the other's (they share the database, not their screens)."""
    import requests

    clerk = staff_token(http, "clara")
    display = api.device("display", "HQ")
    here = screens("/display", "centre=HQ", display)
    here.next("state")
    there = Screen(second_app, "/display", "centre=HQ", display)
    try:
        there.next("state")
        http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
        http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
        assert here.next("queue_changed", where=lambda d: d["service"] == "birth" and d["waiting"] == 1)
        assert [e for e in there.drain(1.0) if e[0] in ("ticket_called", "queue_changed")] == []
        called = requests.post(f"{second_app}/api/v1/counters/HQ-05/call-next", timeout=10,
                               headers={"Authorization": f"Bearer {clerk}"})
        assert called.status_code == 200, called.text
        assert there.next("ticket_called")["number"] == "A001"
        assert [e for e in here.drain(1.0) if e[0] in ("ticket_called", "queue_changed")] == []
    finally:
        there.close()


def test_a_visitor_hears_each_step_of_their_visit_on_the_same_page(api, http, screens):
    clerk = staff_token(http, "vera", skills=("birth", "passport"))
    kiosk = api.device("kiosk", "HQ")
    http("POST", "/api/v1/counters/HQ-01/open", clerk, json={})
    other = staff_token(http, "otto", skills=("passport",))
    http("POST", "/api/v1/counters/HQ-02/open", other, json={})
    ahead = http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "passport"}).json()
    visit = http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"services": ["birth", "passport"]}).json()
    visitor = screens("/ticket", f"token={visit['token']}")
    assert visitor.next("ticket_status")["step"] == 1
    called = http("POST", "/api/v1/counters/HQ-01/call-next", clerk).json()
    if called["id"] == ahead["id"]:  # the policy took the passport line first: serve it, then the visit
        http("POST", f"/api/v1/tickets/{called['id']}/start", clerk)
        http("POST", f"/api/v1/tickets/{called['id']}/finish", clerk, json={"outcome": "resolved"})
        called = http("POST", "/api/v1/counters/HQ-01/call-next", clerk).json()
        ahead = None
    assert called["id"] == visit["id"]
    http("POST", f"/api/v1/tickets/{visit['id']}/start", clerk)
    http("POST", f"/api/v1/tickets/{visit['id']}/finish", clerk, json={"outcome": "resolved"})
    heard = visitor.next("ticket_status", where=lambda d: d.get("service") == "passport")
    assert heard["status"] == "waiting" and heard["position"] == (2 if ahead else 1)
    if ahead is not None:  # the one ahead is called elsewhere: step 2's new place reaches the same page
        http("POST", "/api/v1/counters/HQ-02/call-next", other)
        assert visitor.next("ticket_status", where=lambda d: d.get("position") == 1)["service"] == "passport"


def test_a_round_tells_the_visitors_who_left_the_queue_from_one_read(ctx):
    """The notifier's round reads the tickets that left the queue in one statement, each with its
    service, counter and centre, and builds each visitor's status from the row itself: no look-up
    by token, no lazy load per ticket (in the gevent server each round trip puts the round behind
    every request ready at that moment). The statuses are the status page's own."""
    from sqlalchemy import event

    from queue_app.domain.access import SYSTEM
    from queue_app.extensions import db
    from queue_app.services import call_next, issue_ticket, start
    from queue_app.models import Ticket
    from queue_app.services.lookup import counter_code
    from queue_app.services.screens import status_payload, tickets_by_id, visit_payload
    from tests.conftest import NOON, open_desk

    for k in (1, 2, 3):
        open_desk(f"HQ-0{k}", f"clerk{k}", primary=["birth"])
    issued = [issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket for _ in range(4)]
    for k in (1, 2, 3):
        call_next(f"HQ-0{k}", now=NOON, by=SYSTEM)
    start(issued[0].id, now=NOON, by=SYSTEM)
    ids, tokens = [t.id for t in reversed(issued)], [t.token for t in reversed(issued)]
    db.session.commit()
    counter_code(db.session.get(Ticket, ids[-1]).counter_id)  # the catalogue's codes, as a running process holds them
    db.session.expunge_all()  # a round's session starts with nothing loaded
    ran = []

    def seen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            ran.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        tickets = tickets_by_id(ids)
        assert [t.status for t in tickets] == ["waiting", "called", "called", "serving"]  # in the order asked
        payloads = [visit_payload(t) for t in tickets[1:]]  # those still waiting hear from the queue's view
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(ran) == 1, ran
    assert [p["counter"]["code"] for p in payloads] == ["HQ-03", "HQ-02", "HQ-01"]
    assert payloads == [status_payload(token) for token in tokens[1:]]


def test_a_waiting_visitor_hears_the_estimate_in_the_whole_minutes_the_page_shows(api, http, screens):
    """The live status carries the estimate as the page shows it (rounded half up), so that a round
    that moves it by seconds sends no one anything; the API keeps the estimate as computed."""
    import math

    from queue_app.services.screens import whole_minutes

    assert [whole_minutes(m) for m in (None, 0.0, 0.49, 0.5, 2.5, 7.499, 12.51)] == [None, 0, 0, 1, 3, 7, 13]
    clerk = staff_token(http, "wanda")
    kiosk = api.device("kiosk", "HQ")
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    tickets = [http("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).json() for _ in range(3)]
    precise = http("GET", f"/api/v1/tickets/{tickets[-1]['token']}").json()["estimated_wait_min"]
    heard = screens("/ticket", "", tickets[-1]["token"]).next("ticket_status")
    assert precise is not None and heard["ahead"] == 2
    assert heard["estimated_wait_min"] == math.floor(precise + 0.5) and isinstance(heard["estimated_wait_min"], int)


def test_the_sockets_are_watched_once_a_second_not_once_each(app, api, screens):
    """Engine.IO's own monitor, which wakes once for every socket, does not run; realtime.ClientWatch
    starts with the first connect, closes a socket whose client stopped answering pings, forgets
    the closed ones and leaves the answering ones be."""
    import time

    from engineio.socket import Socket

    eio = app.extensions["socketio"].server.eio
    watch = app.extensions["onedoor.client_watch"]
    screen = screens("/display", "centre=HQ", api.device("display", "HQ"))
    screen.next("state")
    assert watch.running and getattr(eio, "service_task_handle", None) is None
    silent, answering = Socket(eio, "silent-client"), Socket(eio, "answering-client")
    silent.last_ping = time.time() - eio.ping_timeout - 1  # pinged, and no answer within the timeout
    answering.last_ping = time.time()
    eio.sockets.update({s.sid: s for s in (silent, answering)})
    try:
        assert watch.check() >= 3
        assert silent.closed and not answering.closed
        watch.check()
        assert "silent-client" not in eio.sockets and "answering-client" in eio.sockets
    finally:
        eio.sockets.pop("silent-client", None)
        eio.sockets.pop("answering-client", None)
    assert screen.client.connected
