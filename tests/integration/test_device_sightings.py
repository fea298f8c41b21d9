"""A device's last sighting: written when a kiosk or display shows its token, at most once a minute."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

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
