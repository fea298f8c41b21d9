"""A device's last sighting: written when a kiosk or display shows its token, at most once a minute."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from queue_app.auth import forget_verified
from queue_app.db import utcnow
from queue_app.extensions import db
from queue_app.models import Device


def sighting(device_id: int):
    db.session.rollback()
    return db.session.scalar(select(Device.last_seen_at).where(Device.id == device_id))


def backdate(device_id: int, by: timedelta):
    db.session.execute(update(Device).where(Device.id == device_id).values(last_seen_at=utcnow() - by))
    db.session.commit()
    return sighting(device_id)


def test_a_kiosk_is_seen_when_it_calls_and_written_at_most_once_a_minute(api):
    token = api.device("kiosk", "HQ")
    kiosk = db.session.scalar(select(Device.id).order_by(Device.id.desc()))
    assert sighting(kiosk) is None
    before = utcnow()
    assert api.get("/api/v1/kiosk/printer", token).status_code == 200
    seen = sighting(kiosk)
    assert seen is not None and seen >= before - timedelta(seconds=1)

    recent = backdate(kiosk, timedelta(seconds=30))
    assert api.get("/api/v1/kiosk/printer", token).status_code == 200
    assert sighting(kiosk) == recent, "seen again within the minute: not written"

    backdate(kiosk, timedelta(minutes=5))
    forget_verified()  # five minutes on, the token's verification (auth.VERIFIED_SECONDS) has lapsed too
    assert api.get("/api/v1/kiosk/printer", token).status_code == 200
    assert sighting(kiosk) >= before - timedelta(seconds=1)


def test_a_staff_token_or_a_bad_token_marks_no_device(api):
    api.device("display", "HQ")
    clerk = api.staff("c1", skills=["birth"])
    assert api.get("/api/v1/centres/HQ/queue", clerk).status_code == 200
    assert api.get("/api/v1/centres/HQ/queue", "not-a-token").status_code == 401
    assert db.session.scalars(select(Device.last_seen_at)).all() == [None] * db.session.query(Device).count()


def test_a_display_is_seen_when_it_reads_the_queue(api):
    token = api.device("display", "HQ")
    display = db.session.scalar(select(Device.id).order_by(Device.id.desc()))
    assert api.get("/api/v1/centres/HQ/queue", token).status_code == 200
    assert sighting(display) is not None


def noted(app, now=None) -> int:
    from queue_app.jobs import note_connected

    db.session.rollback()  # the test's own reading must not hold SQLite's lock against the job's write
    return note_connected(app, now)


def test_a_display_on_its_socket_for_hours_is_noted_by_the_periodic_sighting(app, api, live_server):
    """Its token is shown once, at connect; then the process's sighting job keeps it seen until it leaves."""
    from queue_app.namespaces import connected_devices
    from tests.sockets import Screen

    token = api.device("display", "HQ")
    display = db.session.scalar(select(Device.id).order_by(Device.id.desc()))
    api.device("display", "HQ")  # never connects: never noted
    idle = db.session.scalar(select(Device.id).order_by(Device.id.desc()))
    db.session.rollback()
    screen = Screen(live_server, "/display", "centre=HQ", token)
    connected = lambda: display in connected_devices(app).ids()  # noqa: E731 (other tests' screens may linger)
    try:
        screen.next("state")
        backdate(display, timedelta(hours=3))
        assert connected() and noted(app) >= 1
        assert utcnow() - sighting(display) < timedelta(seconds=5)
        assert sighting(idle) is None
    finally:
        screen.client.disconnect()
    # the disconnect reaches the server: at once, usually; under the test server on a busy machine its
    # websocket may end first, and the server then learns of it by the unanswered ping (25 s + 20 s)
    deadline = utcnow() + timedelta(seconds=75)
    while connected() and utcnow() < deadline:
        time.sleep(0.05)
    hours_ago = backdate(display, timedelta(hours=3))
    noted(app)
    assert sighting(display) == hours_ago


def test_the_sightings_loop_notes_each_turn_and_survives_a_failure(app, monkeypatch):
    import threading

    from queue_app import jobs

    turns = []

    def note(app_, now=None):
        turns.append(now)
        if len(turns) == 1:
            raise RuntimeError("the database went away for a moment")
        return 0

    stop = threading.Event()
    monkeypatch.setattr(jobs, "note_connected", note)
    jobs.run_sightings(app, stop, interval=60, sleep=lambda s: len(turns) >= 2 and stop.set())
    assert len(turns) == 2  # the failed turn was followed by another
