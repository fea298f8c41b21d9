"""Two production server processes (`queue-app serve`: gunicorn + gevent) on different ports,
sharing the test database (PostgreSQL in the PostgreSQL pass) and Redis as the message queue:
what a clerk does through one process reaches screens connected to the other (SPEC §8)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Centre
from queue_app.services import create_device, create_user
from tests.conftest import PASSWORD
from tests.deploy import free_port, wait_healthy
from tests.sockets import Screen

ROOT = Path(__file__).resolve().parents[2]
NETWORK = ROOT / "tests" / "data" / "network.toml"
REDIS = os.environ.get("ONEDOOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Servers(list):
    """The servers' base URLs, and the Redis channel they share (`channel`)."""

    channel: str


@pytest.fixture
def two_servers(app, ctx, tmp_path):
    """Two `queue-app serve` processes over this test's database and one Redis channel of its own."""
    url = db.engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEDOOR_")}
    env.update(ONEDOOR_DATABASE_URL=url, ONEDOOR_CONFIG=str(NETWORK), ONEDOOR_INSTANCE=str(tmp_path),
               ONEDOOR_MESSAGE_QUEUE=REDIS, ONEDOOR_MESSAGE_CHANNEL=f"onedoor-test-{uuid.uuid4().hex}",
               ONEDOOR_SECRET_KEY="shared-by-both-processes")
    servers, bases = [], Servers()
    bases.channel = env["ONEDOOR_MESSAGE_CHANNEL"]
    try:
        for _ in range(2):
            port = free_port()
            servers.append(subprocess.Popen([sys.executable, "-m", "queue_app", "serve", "--port", str(port)],
                                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                            text=True))
            bases.append(f"http://127.0.0.1:{port}")
        for base, server in zip(bases, servers):
            wait_healthy(base, server)
        yield bases
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def test_a_call_through_one_process_reaches_a_display_on_the_other(two_servers):
    first, second = two_servers
    create_user("kate", "clerk", password=PASSWORD, centres=["HQ"], primary=["birth"])
    display = create_device("display", "HQ").token
    kiosk = create_device("kiosk", "HQ").token
    db.session.commit()
    clerk = requests.post(first + "/api/v1/auth/token", json={"username": "kate", "password": PASSWORD},
                          timeout=10).json()["token"]
    as_clerk = {"Authorization": f"Bearer {clerk}"}
    screen = Screen(second, "/display", "centre=HQ", display)  # connected to process 2 only
    try:
        assert screen.next("state")["calls"] == []
        issued = requests.post(first + "/api/v1/centres/HQ/tickets", json={"service": "birth"},
                               headers={"Authorization": f"Bearer {kiosk}"}, timeout=10)
        assert issued.status_code == 201, issued.text
        number = issued.json()["number"]
        changed = screen.next("queue_changed", timeout=10, where=lambda d: d.get("service") == "birth")
        assert changed["waiting"] == 1
        assert requests.post(first + "/api/v1/counters/HQ-03/open", json={}, headers=as_clerk,
                             timeout=10).status_code == 200
        called = requests.post(first + "/api/v1/counters/HQ-03/call-next", headers=as_clerk, timeout=10)
        assert called.status_code == 200, called.text
        event = screen.next("ticket_called", timeout=10)
        assert (event["number"], event["counter_code"]) == (number, "HQ-03")
    finally:
        screen.close()


def test_a_bad_token_is_refused_by_the_production_server(two_servers):
    import socketio

    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(f"{two_servers[0]}?centre=HQ", namespaces=["/display"], auth={"token": "forged"},
                       transports=["websocket"], wait_timeout=5)


def test_an_admin_change_through_one_process_reaches_the_other_at_once(two_servers):
    """The other process forgets its cached catalogue on the message queue, not after its 30 s."""
    first, second = two_servers
    create_user("ada", "admin", password=PASSWORD)
    display = create_device("display", "HQ").token
    db.session.commit()
    admin = requests.post(first + "/api/v1/auth/token", json={"username": "ada", "password": PASSWORD},
                          timeout=10).json()["token"]

    def version_on_second() -> int:
        """The set-up's version process 2 tells a screen connecting to it (cached there for 30 s)."""
        screen = Screen(second, "/display", "centre=HQ", display)
        try:
            return screen.next("state")["catalogue"]
        finally:
            screen.close()

    version = version_on_second()
    name = {"en": "Driving licence", "es": "Permiso de conducir", "ru": "Права", "ar": "رخصة القيادة"}
    added = requests.post(first + "/api/v1/admin/services", headers={"Authorization": f"Bearer {admin}"},
                          json={"code": "driving", "agency": "passports", "prefix": "E", "name": name,
                                "duration_min": 12}, timeout=10)
    assert added.status_code == 201, added.text
    deadline = time.monotonic() + 5  # the message crosses Redis; far within the cache's 30 s
    while version_on_second() != version + 1:
        assert time.monotonic() < deadline, "process 2 still holds the catalogue it cached"
        time.sleep(0.2)


def test_a_token_revoked_through_one_process_is_refused_by_the_other_at_once(two_servers):
    """Process 2 keeps a token it verified (auth.VERIFIED_SECONDS, 10 s); the revocation's commit on
    process 1 is heard on the message queue and process 2 forgets it, well before then."""
    first, second = two_servers
    create_user("kate", "clerk", password=PASSWORD, centres=["HQ"], primary=["birth"])
    db.session.commit()
    token = requests.post(first + "/api/v1/auth/token", json={"username": "kate", "password": PASSWORD},
                          timeout=10).json()["token"]
    as_clerk = {"Authorization": f"Bearer {token}"}
    assert requests.get(second + "/api/v1/centres/HQ/queue", headers=as_clerk, timeout=10).status_code == 200
    assert requests.delete(first + "/api/v1/auth/token", headers=as_clerk, timeout=10).status_code == 204
    deadline = time.monotonic() + 3  # the message crosses Redis; far within the 10 s it would be kept
    while requests.get(second + "/api/v1/centres/HQ/queue", headers=as_clerk, timeout=10).status_code != 401:
        assert time.monotonic() < deadline, "process 2 still takes the token process 1 revoked"
        time.sleep(0.1)


def kiosk_and_clerk_at_hq_03(base: str) -> tuple[dict, dict]:
    """Authorization headers of a kiosk of HQ and of a clerk of births, who has opened HQ-03 through `base`."""
    create_user("kate", "clerk", password=PASSWORD, centres=["HQ"], primary=["birth"])
    kiosk = {"Authorization": f"Bearer {create_device('kiosk', 'HQ').token}"}
    db.session.commit()
    clerk = {"Authorization": "Bearer " + requests.post(
        base + "/api/v1/auth/token", json={"username": "kate", "password": PASSWORD}, timeout=10).json()["token"]}
    assert requests.post(base + "/api/v1/counters/HQ-03/open", json={}, headers=clerk, timeout=10).status_code == 200
    return kiosk, clerk


def test_a_call_tells_every_waiting_visitor_their_place_in_one_redis_message(two_servers):
    """A call moves each visitor waiting behind it up one place. Process 1's notifier sends their
    new places as one message on Redis (realtime.BatchingRedisManager), not one per visitor, and
    each visitor whose status page is held by process 2 hears their own place from it."""
    import json

    import redis

    first, second = two_servers
    kiosk, clerk = kiosk_and_clerk_at_hq_03(first)
    issued = [requests.post(first + "/api/v1/centres/HQ/tickets", json={"service": "birth"}, headers=kiosk,
                            timeout=10).json() for _ in range(6)]
    visitors = [Screen(second, "/ticket", f"token={t['token']}", None) for t in issued[1:]]  # on process 2 only
    bus = redis.Redis.from_url(REDIS).pubsub(ignore_subscribe_messages=True)
    try:
        for ahead, visitor in enumerate(visitors, start=1):
            assert visitor.next("ticket_status", timeout=10)["ahead"] == ahead
        bus.subscribe(two_servers.channel)
        # The issues' rounds may still be on their way: hear them out before the call.
        for _ in range(30):
            if bus.get_message(timeout=1) is None:
                break
        called = requests.post(first + "/api/v1/counters/HQ-03/call-next", headers=clerk, timeout=10)
        assert called.status_code == 200 and called.json()["id"] == issued[0]["id"], called.text
        for ahead, visitor in enumerate(visitors):
            assert visitor.next("ticket_status", timeout=10, where=lambda d, n=ahead: d["ahead"] == n)["status"] \
                == "waiting"
        messages = []
        while (message := bus.get_message(timeout=1)) is not None:
            messages.append(json.loads(message["data"]))
    finally:
        bus.close()
        for visitor in visitors:
            visitor.close()
    single = [m for m in messages if m.get("event") == "ticket_status"]
    batched = [item for m in messages if m.get("event") == "onedoor.batch" for item in m["data"]]
    assert single == []  # not one publish per visitor
    told = {room for event, _, namespace, room, *_ in batched if (event, namespace) == ("ticket_status", "/ticket")}
    assert told >= {f"ticket:{t['id']}" for t in issued}  # the called one too
    # A round or two, not a message per visitor; each round sends the called visitor's news first,
    # before the centre's queue is recomputed for everyone else (the displays, those still waiting).
    rounds = [m["data"] for m in messages if m.get("event") == "onedoor.batch"]
    assert len(rounds) <= 4
    first = next(items for items in rounds if ("ticket_status", "called", f"ticket:{issued[0]['id']}") in
                 [(event, payload.get("status"), room) for event, payload, _, room, *_ in items])
    assert [event for event, *_ in first] == ["ticket_status"]


def test_a_dashboard_is_computed_by_the_process_its_manager_is_connected_to(two_servers):
    """A manager's dashboard costs a dozen queries: the process that commits a change computes it
    only for managers connected to it, and names the centre on Redis, where the process holding
    the centre's manager computes it for them (each process knows only its own clients)."""
    import json

    import redis

    first, second = two_servers
    create_user("kate", "clerk", password=PASSWORD, centres=["HQ"], primary=["birth"])
    create_user("mona", "manager", password=PASSWORD, centres=["HQ"])
    kiosk = {"Authorization": f"Bearer {create_device('kiosk', 'HQ').token}"}
    db.session.commit()

    def token(username: str) -> str:
        return requests.post(first + "/api/v1/auth/token", json={"username": username, "password": PASSWORD},
                             timeout=10).json()["token"]

    clerk = {"Authorization": f"Bearer {token('kate')}"}
    assert requests.post(first + "/api/v1/counters/HQ-03/open", json={}, headers=clerk, timeout=10).status_code == 200
    board = Screen(second, "/manager", "centre=HQ", token("mona"))  # on process 2 only
    bus = redis.Redis.from_url(REDIS).pubsub(ignore_subscribe_messages=True)
    try:
        assert board.next("state")["waiting"] == 0
        bus.subscribe(two_servers.channel)
        bus.get_message(timeout=1)  # the subscription is confirmed (and ignored)
        issued = requests.post(first + "/api/v1/centres/HQ/tickets", json={"service": "birth"}, headers=kiosk,
                               timeout=10)
        assert issued.status_code == 201, issued.text
        state = board.next("state", timeout=10, where=lambda d: d["waiting"] == 1)
        assert "alerts" in state and "today" in state  # the dashboard, made by process 2
        messages = []
        while (message := bus.get_message(timeout=1)) is not None:
            messages.append(json.loads(message["data"]))
    finally:
        bus.close()
        board.close()
    batches = [m for m in messages if m.get("event") == "onedoor.batch"]
    hq = db.session.scalar(select(Centre.id).where(Centre.code == "HQ"))
    assert any(hq in m["dashboards"] for m in batches)
    sent = [item for m in messages for item in (m["data"] if m.get("event") == "onedoor.batch" else [])]
    assert not [item for item in sent if item[2] == "/manager"]  # process 1 computed no dashboard for it
    assert not [m for m in messages if m.get("namespace") == "/manager"]


def test_a_process_sends_its_visitors_only_a_place_that_changed(two_servers):
    """Every round publishes the touched centre's waiting visitors' statuses, computed wherever the
    change was committed; the process holding a status page sends it on only if it differs from
    what that page last heard from it (Notifier.deliver): a ticket issued behind a visitor leaves
    their place as it was, and their phone hears nothing."""
    import json

    import redis

    first, second = two_servers
    kiosk, clerk = kiosk_and_clerk_at_hq_03(first)

    def issue() -> dict:
        return requests.post(first + "/api/v1/centres/HQ/tickets", json={"service": "birth"}, headers=kiosk,
                             timeout=10).json()

    ahead = issue()
    visitor = Screen(second, "/ticket", f"token={ahead['token']}", None)  # on process 2
    bus = redis.Redis.from_url(REDIS).pubsub(ignore_subscribe_messages=True)
    room = f"ticket:{ahead['id']}"

    def issue_and_listen() -> tuple[dict | None, list[dict]]:
        """Issue a ticket behind; the visitor's status as process 1 published it, and what the visitor heard."""
        issue()
        published, deadline = None, time.monotonic() + 10
        while published is None and time.monotonic() < deadline:
            message = bus.get_message(timeout=1)
            items = json.loads(message["data"]).get("data", []) if message else []
            published = next((payload for event, payload, _, to, *_ in items
                              if (event, to) == ("ticket_status", room)), None)
        return published, [data for name, data in visitor.drain(2) if name == "ticket_status"]

    try:
        assert visitor.next("ticket_status", timeout=10)["ahead"] == 0
        bus.subscribe(two_servers.channel)
        # A page that joins gets a snapshot and the room's next round whatever it holds (another
        # page of the same visit may have heard something older): one round to get past that.
        issue_and_listen()
        published, heard = issue_and_listen()
        assert published is not None and published["ahead"] == 0  # process 1 published it unchanged
        assert heard == []  # process 2 did not send it again
        # What changed still goes out: the visitor's ticket called through process 1.
        called = requests.post(first + "/api/v1/counters/HQ-03/call-next", headers=clerk, timeout=10)
        assert called.status_code == 200 and called.json()["id"] == ahead["id"], called.text
        assert visitor.next("ticket_status", timeout=10)["status"] == "called"
    finally:
        bus.close()
        visitor.close()
