"""A secret from an admin form to the one page that shows it (services/handoffs.py): sealed with a
one-time pad, neither the database nor the session cookie alone holds it, shown once, to its maker,
on its page, within minutes.

The test network: HQ and NYC."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from queue_app.db import utcnow
from queue_app.extensions import db
from queue_app.models import Device, Handoff, Staff
from queue_app.services import create_user, handoffs
from tests.integration.test_admin_people_pages import post
from tests.integration.test_dashboard import sign_in

SECRET = {"token": "s3cret-device-token-0123456789", "url": "/kiosk?token=s3cret-device-token-0123456789"}


def person(username: str) -> int:
    return create_user(username, "manager", password="correct horse battery", centres=["HQ"]).id


def test_a_secret_is_sealed_and_shown_once_to_its_maker_on_its_page(ctx):
    mia, ned = person("mia"), person("ned")
    handoff_id, pad = handoffs.hold(mia, "token", "7", SECRET)
    sealed = db.session.get(Handoff, handoff_id).sealed
    assert b"s3cret" not in sealed and len(pad) == len(sealed)
    assert handoffs.take(ned, handoff_id, pad, "token", "7") is None  # another person's
    assert handoffs.take(mia, handoff_id, pad, "token", "8") is None  # another page's
    assert handoffs.take(mia, handoff_id, pad, "token", "7") == SECRET
    assert handoffs.take(mia, handoff_id, pad, "token", "7") is None  # shown once
    assert db.session.scalar(select(func.count()).select_from(Handoff)) == 0


def test_a_secret_not_taken_in_time_is_gone(ctx):
    mia = person("mia")
    then = utcnow() - handoffs.KEPT_FOR - timedelta(seconds=1)
    late_id, late_pad = handoffs.hold(mia, "password", "zoe", {"password": "x" * 20}, now=then)
    assert handoffs.take(mia, late_id, late_pad, "password", "zoe") is None  # expired: not shown, deleted
    forgotten, _ = handoffs.hold(mia, "password", "zed", {"password": "y" * 20}, now=then)
    handoffs.hold(mia, "password", "amy", {"password": "z" * 20})  # holding another drops the expired ones
    assert db.session.get(Handoff, forgotten) is None
    assert db.session.scalar(select(func.count()).select_from(Handoff)) == 1


def test_the_device_token_is_in_neither_the_cookie_nor_the_database_on_its_way(app, client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    assert post(client, "/admin/devices", {"kind": "kiosk", "centre": "HQ", "name": "Door kiosk"},
                "/admin/devices").status_code == 303
    cookie = client.get_cookie("session").value
    session = app.session_interface.get_signing_serializer(app).loads(cookie)
    [row] = db.session.scalars(select(Handoff)).all()
    device = db.session.scalar(select(Device).where(Device.name == "Door kiosk"))
    page = client.get(f"/admin/devices/{device.id}").get_data(as_text=True)
    token = re.search(r'<code id="token" dir="ltr">([^<]+)</code>', page).group(1)
    assert token not in json.dumps(session) and token.encode() not in row.sealed
    assert row.staff_id == db.session.scalar(select(Staff.id).where(Staff.username == "mia"))
    assert db.session.scalar(select(func.count()).select_from(Handoff)) == 0
    assert token not in client.get(f"/admin/devices/{device.id}").get_data(as_text=True)
