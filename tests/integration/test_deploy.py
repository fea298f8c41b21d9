"""The documented scale-out (docs/deploy): nginx running docs/deploy/nginx.conf in front of two
`queue-app serve --no-scheduler` processes sharing the test database and Redis, and one
`queue-app scheduler`. Sticky sessions, the real client address behind the proxy, exactly one
scheduler whose events still reach the screens."""
from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app import settings, trust_proxies
from queue_app.db import engine_options
from queue_app.extensions import db
from queue_app.models import Centre, Ticket
from queue_app.services import create_device, create_user, issue_ticket
from tests.conftest import NETWORK, PASSWORD
from tests.deploy import ROOT, Nginx, free_port, wait_healthy
from tests.sockets import Screen

REDIS = os.environ.get("ONEDOOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NY = ZoneInfo("America/New_York")
LOGIN_LIMIT = 2  # bad sign-ins a minute per client address, on the processes of these tests


@dataclass
class Deployment:
    web: list[str]  # each process's own address
    nginx: Nginx
    env: dict[str, str]


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "queue_app", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    """SIGTERM; then the exit code and the output (killed after 20 s)."""
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return proc.returncode, out


@pytest.fixture(scope="module")
def deployment(app, tmp_path_factory):
    """Two web processes without a scheduler behind nginx, over the tests' database (each test's
    `ctx` empties and reloads it), a Redis channel of their own for events, and Redis for the rate
    limits (shared, as documented). Started once for this module's tests: it takes seconds."""
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    instance = tmp_path_factory.mktemp("deployment")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEDOOR_")}
    env.update(ONEDOOR_DATABASE_URL=url, ONEDOOR_CONFIG=str(NETWORK), ONEDOOR_INSTANCE=str(instance),
               ONEDOOR_MESSAGE_QUEUE=REDIS, ONEDOOR_MESSAGE_CHANNEL=f"onedoor-test-{uuid.uuid4().hex}",
               ONEDOOR_SECRET_KEY="shared-by-both-processes", ONEDOOR_PROXIES="1",
               ONEDOOR_RATELIMIT_STORAGE=REDIS, ONEDOOR_LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT}/minute")
    ports = [free_port(), free_port()]
    servers = [start(["serve", "--port", str(port), "--no-scheduler"], env) for port in ports]
    nginx = None
    try:
        web = [f"http://127.0.0.1:{port}" for port in ports]
        for base, server in zip(web, servers):
            wait_healthy(base, server)
        nginx = Nginx(ports, instance / "nginx")
        yield Deployment(web, nginx, env)
    finally:
        if nginx is not None:
            nginx.stop()
        for server in servers:
            stop(server)


def clerk_token(base: str) -> str:
    """A clerk of HQ, signed in through `base`."""
    create_user("kate", "clerk", password=PASSWORD, centres=["HQ"], primary=["birth"])
    db.session.commit()
    answer = requests.post(base + "/api/v1/auth/token", json={"username": "kate", "password": PASSWORD},
                           timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def test_clients_polling_through_nginx_stay_with_their_process_and_hear_calls_from_either(deployment, ctx):
    first, second = deployment.web
    through = deployment.nginx.base
    as_clerk = {"Authorization": f"Bearer {clerk_token(first)}"}
    display, kiosk = create_device("display", "HQ").token, create_device("kiosk", "HQ").token
    db.session.commit()
    # Long-polling sends every message as a request of its own, so a client stays connected only
    # if the proxy sends them all to the process holding its session; a browser polls first and
    # then upgrades to a WebSocket, which the proxy must pass through too.
    polling = Screen(through, "/display", "centre=HQ", display, transports=["polling"])
    upgraded = Screen(through, "/display", "centre=HQ", display, transports=["polling", "websocket"])
    direct = Screen(second, "/display", "centre=HQ", display)  # process 2, no proxy
    screens = (polling, upgraded, direct)
    try:
        assert [screen.next("state")["calls"] for screen in screens] == [[], [], []]
        assert upgraded.client.transport() == "websocket"
        issued = requests.post(through + "/api/v1/centres/HQ/tickets", json={"service": "birth"},
                               headers={"Authorization": f"Bearer {kiosk}"}, timeout=10)
        assert issued.status_code == 201, issued.text
        number = issued.json()["number"]
        assert requests.post(through + "/api/v1/counters/HQ-03/open", json={}, headers=as_clerk,
                             timeout=10).status_code == 200
        called = requests.post(through + "/api/v1/counters/HQ-03/call-next", headers=as_clerk, timeout=10)
        assert called.status_code == 200, called.text
        assert [screen.next("ticket_called", timeout=10)["number"] for screen in screens] == [number] * 3
        recalled = requests.post(f"{first}/api/v1/tickets/{called.json()['id']}/recall", headers=as_clerk,
                                 timeout=10)  # process 1 directly
        assert recalled.status_code == 200, recalled.text
        assert [screen.next("ticket_called", timeout=10)["number"] for screen in screens] == [number] * 3
    finally:
        for screen in screens:
            screen.close()


def some_address() -> str:
    """A loopback address of this test's own, so its rate-limit counts meet no other run's."""
    return f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(2, 255)}"


def sign_in_from(base: str, address: str, forged: str | None = None) -> int:
    """A wrong password from `address` (optionally claiming in X-Forwarded-For to be `forged`)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(address, 0))
    headers = {"Content-Type": "application/json", **({"X-Forwarded-For": forged} if forged else {})}
    try:
        conn.request("POST", "/api/v1/auth/token", json.dumps({"username": "nobody", "password": "wrong"}), headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_behind_nginx_the_rate_limit_counts_each_real_client_address(deployment):
    through = deployment.nginx.base
    visitor, neighbour = some_address(), some_address()
    assert [sign_in_from(through, visitor) for _ in range(LOGIN_LIMIT)] == [401] * LOGIN_LIMIT
    assert sign_in_from(through, visitor) == 429
    assert sign_in_from(through, visitor, forged=neighbour) == 429  # a forged header does not escape
    assert sign_in_from(through, neighbour) == 401


def test_forwarded_headers_are_believed_only_from_the_trusted_proxy(client, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "ONEDOOR_LOGIN_RATE_LIMIT", f"{LOGIN_LIMIT}/minute")

    def sign_in(forwarded_for: str) -> int:
        return client.post("/api/v1/auth/token", json={"username": "nobody", "password": "wrong"},
                           headers={"X-Forwarded-For": forwarded_for}).status_code

    # Not behind a proxy (the default): the header is anyone's to forge, so every request counts
    # for the address that sent it.
    assert [sign_in(f"198.51.100.{n}") for n in range(LOGIN_LIMIT + 1)] == [401] * LOGIN_LIMIT + [429]
    monkeypatch.setitem(ctx.config, "ONEDOOR_PROXIES", 1)
    monkeypatch.setattr(ctx, "wsgi_app", ctx.wsgi_app)  # restored after the test
    trust_proxies(ctx)
    assert [sign_in("203.0.113.7") for _ in range(LOGIN_LIMIT + 1)] == [401] * LOGIN_LIMIT + [429]
    assert sign_in("198.51.100.50, 203.0.113.7") == 429  # only the proxy's own addition counts
    assert sign_in("203.0.113.8") == 401


def open_a_week_ago() -> datetime:
    """A minute after NYC opened on its last open day at least a week ago."""
    hours = db.session.scalar(select(Centre).where(Centre.code == "NYC")).opening_hours
    day = datetime.now(NY).date() - timedelta(days=7)
    while hours.opening_of(day, NY) is None:
        day -= timedelta(days=1)
    return hours.opening_of(day, NY) + timedelta(minutes=1)


def test_one_scheduler_process_does_the_jobs_and_its_events_reach_the_screens(deployment, ctx):
    assert [requests.get(base + "/healthz", timeout=10).json()["scheduler"] for base in deployment.web] \
        == [False, False]
    # A ticket left waiting a week ago: NYC's next opening since then, whichever day that was in
    # the scheduler's look-back, cancels it.
    stale = issue_ticket("NYC", "passport", now=open_a_week_ago(), by=SYSTEM).ticket.id
    display = create_device("display", "NYC").token
    db.session.commit()
    screen = Screen(deployment.nginx.base, "/display", "centre=NYC", display)
    scheduler = start(["scheduler", "--interval", "3600"], deployment.env)
    try:
        assert screen.next("state")["waiting"] == 1
        changed = screen.next("queue_changed", timeout=60, where=lambda d: d["service"] == "passport")
        assert changed["waiting"] == 0
    finally:
        screen.close()
        code, output = stop(scheduler)
    assert code == 0, output  # SIGTERM ends it cleanly
    db.session.rollback()
    assert db.session.scalar(select(Ticket.status).where(Ticket.id == stale)) == "cancelled"


def test_each_process_opens_at_most_its_share_of_database_connections(monkeypatch, tmp_path):
    monkeypatch.setenv("ONEDOOR_DB_CONNECTIONS", "30")  # two processes and a scheduler on max_connections 100
    options = engine_options("postgresql://onedoor@db/onedoor", settings(str(tmp_path))["ONEDOOR_DB_CONNECTIONS"])
    assert options["pool_size"] + options["max_overflow"] == 30


def test_nginx_answers_the_boards_json_from_its_cache_and_hands_on_no_visitors_cookie(deployment, ctx):
    """Thousands poll the public board while their socket is down: nginx asks a process once per
    address every 2 s (docs/deploy/nginx.conf) and keeps no visitor's cookie or rate-limit count."""
    base = deployment.nginx.base
    first = requests.get(base + "/centres.json", cookies={"session": "a-visitors-own"}, timeout=10)
    again = requests.get(base + "/centres.json", timeout=10)
    assert first.status_code == again.status_code == 200
    assert first.headers["X-Cache"] in ("MISS", "EXPIRED", "HIT") and again.headers["X-Cache"] == "HIT"
    assert again.json() == first.json() and [c["code"] for c in again.json()["centres"]] == ["HQ", "NYC"]
    assert "Set-Cookie" not in again.headers and "X-RateLimit-Remaining" not in again.headers
    one = requests.get(base + "/centres/HQ.json", timeout=10)
    assert one.status_code == 200 and one.json()["centres"][0]["code"] == "HQ"
    seen, deadline = set(), time.monotonic() + 15  # the 2-s entry runs out: a process is asked again
    while time.monotonic() < deadline and seen <= {"HIT"}:
        later = requests.get(base + "/centres.json", timeout=10)
        assert later.status_code == 200
        seen.add(later.headers["X-Cache"])
        time.sleep(0.25)
    assert seen - {"HIT"} <= {"EXPIRED", "STALE", "UPDATING", "MISS"} and seen - {"HIT"}, seen
    assert requests.get(base + "/api/v1/centres", timeout=10).headers.get("X-Cache") is None  # nothing else cached
