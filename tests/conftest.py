"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL when
ONEDOOR_TEST_DATABASE_URL is set), emptied and reloaded with tests/data/network.toml per test."""
from __future__ import annotations

import contextlib
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from queue_app import MIGRATIONS, create_app
from queue_app.config import read_network_file
from queue_app.environment import sqlalchemy_url
from queue_app.extensions import db
from queue_app.models import Staff
from queue_app.services import apply_network
from queue_app.services import SYSTEM, Actor, actor_of, open_counter

DATA = Path(__file__).parent / "data"
NETWORK = DATA / "network.toml"
MSK = ZoneInfo("Europe/Moscow")
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=MSK)  # a Monday


class PageClient(FlaskClient):
    """A test client whose every request chooses its language afresh: the requests share the
    test's app context (the `ctx` fixture), where Flask-Babel keeps the locale in `g`."""

    def open(self, *args, **kwargs):
        g.pop("_flask_babel", None)
        g.pop("page_language", None)
        return super().open(*args, **kwargs)


def postgres_test_url(suffix: str = "") -> str | None:
    """ONEDOOR_TEST_DATABASE_URL made this test process's own, or None for SQLite: under
    pytest-xdist each worker gets a database of its own (`test_gw0`, …, created when missing), and
    `suffix` names a further one next to it (recreated empty) for a test's own server."""
    import urllib.parse

    url = os.environ.get("ONEDOOR_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not (worker or suffix):
        return url
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = "_".join(filter(None, (parts.path.lstrip("/"), worker, suffix)))
    with psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if suffix:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if suffix or conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres_database(url: str) -> None:
    """Drop the database at `url` (one `postgres_test_url(suffix)` made)."""
    import urllib.parse

    import psycopg

    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def database_url(tmp_path_factory) -> str:
    url = postgres_test_url()
    if url:
        return sqlalchemy_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


# Thousands of accounts are made and signed in: a cheap hash (the product's is scrypt, ~0.1 s).
CHEAP_HASH = "pbkdf2:sha256:1000"

TEST_CONFIG = {
    "TESTING": True,
    "ONEDOOR_CONFIG": str(NETWORK),
    "SECRET_KEY": "test",
    "ONEDOOR_LOGIN_RATE_LIMIT": "1000/minute",  # the rate-limit test lowers it for itself
    "ONEDOOR_PUBLIC_RATE_LIMIT": "10000/minute",
    "ONEDOOR_BOOKING_RATE_LIMIT": "10000/minute",  # the tests of a limit lower it for themselves
    "ONEDOOR_REMOTE_RATE_LIMIT": "10000/minute",
    "ONEDOOR_PUBLIC_CACHE_SECONDS": 0,
    "ONEDOOR_PASSWORD_HASH": CHEAP_HASH,
}


def build_app(url: str, **config):
    """A test app over the database at `url`, its schema built by the migrations."""
    from flask_migrate import upgrade

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, **config})
    app.test_client_class = PageClient
    with app.app_context():
        with db.engine.begin() as conn:  # start from nothing, even on a reused PostgreSQL
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=MIGRATIONS)  # the migrations build the schema the tests use
    return app


def dispose_when_idle(seconds: float = 5.0) -> None:
    """Close the engine's connections once none is in use. A live server's background thread (the
    notifier's round, the print worker's turn) may hold one for a moment: disposing then leaves it
    to a pool nobody closes, and psycopg warns when it is collected (an error under
    filterwarnings = error: a PostgreSQL run of one browser file failed so, 2026-12-06)."""
    deadline = time.monotonic() + seconds
    in_use = getattr(db.engine.pool, "checkedout", lambda: 0)  # QueuePool's count (ours, on either database)
    while in_use() and time.monotonic() < deadline:
        time.sleep(0.05)
    db.engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = build_app(database_url(tmp_path_factory))
    yield app
    with app.app_context():
        db.session.remove()
        dispose_when_idle()


@pytest.fixture
def make_app(tmp_path):
    """Build apps of this test's own, each over a SQLite database of its own holding the test
    network (or the `network` given): `make_app()` → an app, independent of the session's `app`
    and of each other, for tests of what one app must not share with another in the process."""
    built = []

    def make(network=None, **config):
        app = build_app(f"sqlite:///{tmp_path / f'app{len(built)}.sqlite3'}", **config)
        built.append(app)
        with app.app_context():
            apply_network(network or read_network_file(NETWORK))
            db.session.remove()
        return app

    yield make
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def fresh_rate_limits(request):
    """Every test that uses the app starts with the limiter's counts at zero (they live in memory,
    for the whole session's app): a test lowering a limit with monkeypatch.setitem(app.config, …)
    then counts only its own requests."""
    if "app" in request.fixturenames:
        from queue_app.extensions import limiter

        limiter.reset()
    yield


@contextlib.contextmanager
def serving(app):
    """`app` on a real port (Werkzeug, threaded: HTTP and Socket.IO websockets), for the block."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app):
    """The test app on a real port."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def network():
    return read_network_file(NETWORK)


def empty_database() -> None:
    from queue_app.services import ranges

    ranges.forget()  # calibrations kept from an earlier test's tickets
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name != "postgresql":
        with db.engine.begin() as conn:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
        return
    # The live server's threads (a page still closing, the notifier, the print worker) may be
    # reading while TRUNCATE takes its locks table by table: PostgreSQL then breaks the deadlock
    # by cancelling one side. If that side is ours, try again once the reader has finished.
    for attempt in range(5):
        try:
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


@pytest.fixture
def ctx(app, network):
    """An app context over a database holding exactly the test network."""
    with app.app_context():
        empty_database()
        apply_network(network)
        yield app
        db.session.remove()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def add_clerk(username: str, centre_code: str, primary=(), secondary=()) -> Staff:
    """A clerk without a password (enough for the engine), faster than create_user's hashing."""
    from queue_app.models import Centre, Service, StaffSkill

    centre = db.session.scalar(db.select(Centre).where(Centre.code == centre_code))
    staff = Staff(username=username, name=username, role="clerk", centres=[centre])
    db.session.add(staff)
    db.session.flush()
    for level, codes in (("primary", primary), ("secondary", secondary)):
        for code in codes:
            sid = db.session.scalar(db.select(Service.id).where(Service.code == code))
            db.session.add(StaffSkill(staff_id=staff.id, service_id=sid, level=level))
    db.session.commit()
    return staff


def open_desk(counter: str, username: str, primary=(), secondary=(), now=NOON, **kw):
    """Make a clerk with these skills and open the counter for them."""
    add_clerk(username, counter.split("-")[0], primary, secondary)
    return open_counter(counter, username, now=now, **{"by": SYSTEM, **kw})


def checked_in(code: str, centre, service, start: datetime):
    """A ten-minute appointment at `start`, its visitor checked in (its ticket to be made)."""
    from queue_app.models import Appointment

    appointment = Appointment(code=code, centre_id=centre.id, service_id=service.id, start=start,
                              end=start + timedelta(minutes=10), name="Visitor", status="checked_in")
    db.session.add(appointment)
    db.session.flush()
    return appointment


def as_device(device_id: int) -> Actor:
    """The device with this id as the actor of a service (a kiosk issuing, say)."""
    from queue_app.models import Device

    return actor_of(db.session.get(Device, device_id))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def told_waits(at: datetime, waits: list[float], estimate: float, told_range: tuple[int, int] | None = None,
               centre: str = "HQ", service: str = "birth", tag: str = "told") -> None:
    """Served tickets issued at `at` at the centre, each told `estimate` minutes (and the range, if
    given) and called after its wait in `waits`: a history of estimates against real waits."""
    from datetime import timedelta

    from queue_app.domain.hours import service_day
    from queue_app.models import Centre, Service, Ticket
    from queue_app.services import ranges

    where = db.session.scalar(db.select(Centre).where(Centre.code == centre))
    what = db.session.scalar(db.select(Service).where(Service.code == service))
    low, high = told_range or (None, None)
    for i, wait in enumerate(waits):
        db.session.add(Ticket(centre_id=where.id, service_id=what.id, service_day=service_day(at, where.tz),
                              seq=i + 1, number=f"A{i + 1:03d}", token=f"{tag}-{at:%Y%m%d%H%M}-{i}", status="done",
                              arrived_at=at, issued_at=at, called_at=at + timedelta(minutes=wait),
                              estimate_at_issue_min=estimate, estimate_low_min=low, estimate_high_min=high))
    db.session.commit()
    # A calibration the live server's threads kept meanwhile (a screen's summary after a counter
    # opened, the board's round) was made without these tickets: learn it again from them.
    ranges.forget()


PASSWORD = "correct horse battery"


@pytest.fixture
def client(ctx):
    return ctx.test_client()


class Api:
    """Action helpers for API tests: accounts, tokens and authorised calls."""

    def __init__(self, client):
        self.client = client

    def staff(self, username: str, role: str = "clerk", centres=("HQ",), skills=(), secondary=()) -> str:
        """Create an account and return a bearer token for it."""
        from queue_app.services import create_user

        create_user(username, role, password=PASSWORD, centres=list(centres), primary=list(skills),
                    secondary=list(secondary))
        response = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["token"]

    def device(self, kind: str = "kiosk", centre: str = "HQ", printer: str | None = "dummy://") -> str:
        from queue_app.services import create_device

        return create_device(kind, centre, printer=printer if kind == "kiosk" else None).token

    def call(self, method: str, url: str, token: str | None = None, **kw):
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(url, method=method, headers=headers, **kw)

    def get(self, url, token=None, **kw):
        return self.call("GET", url, token, **kw)

    def post(self, url, token=None, **kw):
        return self.call("POST", url, token, **kw)


@pytest.fixture
def api(client):
    return Api(client)


def error_of(response) -> tuple[int, str]:
    """(status, error code) of a refusal, checking its JSON shape on the way."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) >= {"code", "message"} and body["error"]["message"], body
    return response.status_code, body["error"]["code"]


# The longest test files (minutes each), started first: pytest-xdist hands out whole files in the
# order collected (make test: --dist loadfile), and a long file handed out last runs alone at the end.
LONGEST_FIRST = ("tests/integration/test_schemathesis_admin.py", "tests/integration/test_schemathesis.py",
                 "tests/integration/test_range_coverage.py", "tests/integration/test_hostile_input.py",
                 "tests/integration/test_cli.py")


def pytest_collection_modifyitems(config, items):
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest keep their order
    for item in items:
        if uses_no_database(item):
            item.add_marker(pytest.mark.no_database)


def uses_no_database(item) -> bool:
    """A test that runs the very same code whichever database ONEDOOR_TEST_DATABASE_URL names: it
    uses neither the suite's app nor apps of its own over the test network, and its module does not
    read the URL itself (the fuzzing's server does). The Makefile's PostgreSQL pass leaves it out."""
    fixtures = getattr(item, "fixturenames", ())
    if {"app", "make_app"} & set(fixtures):
        return False
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}).values()
    modules = {getattr(item, "module", None)} | {sys.modules.get(d.func.__module__) for defs in definitions for d in defs}
    modules.discard(sys.modules[__name__])  # where postgres_test_url is defined, for the suite's app
    return not any(hasattr(module, "postgres_test_url") for module in modules)
