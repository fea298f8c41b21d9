"""The staff and device pages through the test client: a manager adds a clerk of their centre (the first
password once), is refused a manager and another centre beside the field; skills with levels; disable,
enable, reset; a device registered with its token and QR shown once, a refused printer, revoke, test print.

The test network: HQ and NYC; services birth, passport, tax, info.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import AuditEvent, Device, Staff
from queue_app.services import create_user
from tests.conftest import PASSWORD
from tests.integration.test_dashboard import sign_in
from tests.printer_standin import PrinterStandIn


def csrf(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def post(client, url: str, data: dict, form_url: str):
    return client.post(url, data={**data, "csrf_token": csrf(client, form_url)})


def test_a_manager_adds_a_clerk_sees_the_password_once_and_is_refused_the_rest(client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    page = client.get("/admin/staff?lang=en").get_data(as_text=True).split('id="add-title"')[1]
    assert 'value="clerk"' in page and '<option value="admin"' not in page and 'value="NYC"' not in page  # not offered: it would be refused
    answer = post(client, "/admin/staff", {"username": "zoe", "name": "Zoe Park", "role": "clerk", "centres": "HQ"},
                  "/admin/staff")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/staff/zoe")
    shown = client.get("/admin/staff/zoe?lang=en").get_data(as_text=True)
    password = re.search(r'<code id="password" dir="ltr">([^<]+)</code>', shown).group(1)
    assert "First password of zoe" in shown
    assert password not in client.get("/admin/staff/zoe?lang=en").get_data(as_text=True)  # once
    client.post("/logout", data={"csrf_token": csrf(client, "/admin/staff")})
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    assert client.post("/login", data={"username": "zoe", "password": password, "csrf_token": token}).status_code == 302


def test_refusals_are_shown_beside_their_field_and_change_nothing(client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    create_user("carl", "clerk", password=PASSWORD, centres=["HQ"])
    before = db.session.scalar(select(db.func.count()).select_from(Staff))
    answer = post(client, "/admin/staff?lang=en", {"username": "carl", "role": "clerk", "centres": "HQ"}, "/admin/staff")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="username-error"' in page and "already taken" in page
    assert 'role="alert" id="refusal"' in page
    answer = post(client, "/admin/staff?lang=en", {"username": "two", "role": "clerk"}, "/admin/staff")
    assert answer.status_code == 403 and "You are not allowed to do this here." in answer.get_data(as_text=True)
    answer = post(client, "/admin/staff", {"username": "boss", "role": "manager", "centres": "HQ"}, "/admin/staff")
    assert answer.status_code == 403  # a manager adds clerks only (the form offers no other role)
    assert db.session.scalar(select(db.func.count()).select_from(Staff)) == before


def test_skills_with_levels_disable_enable_and_reset(client):
    sign_in(client, "ada", "admin", centres=())
    create_user("carl", "clerk", password=PASSWORD, centres=["HQ"], primary=["birth"])
    url = "/admin/staff/carl"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'id="skill-birth"' in page and 'id="skill-tax"' in page
    answer = post(client, url + "/skills", {"skill-birth": "", "skill-passport": "primary", "skill-tax": "secondary"}, url)
    assert answer.status_code == 303
    carl = db.session.scalar(select(Staff).where(Staff.username == "carl"))
    db.session.refresh(carl)
    assert carl.skill_set().primary == {"passport"} and carl.skill_set().secondary == {"tax"}
    answer = post(client, url + "/skills?lang=en", {"skill-nope": "primary"}, url)
    assert answer.status_code == 422 and "no active service with code(s) nope" in answer.get_data(as_text=True)
    assert post(client, url + "/active", {"active": "0"}, url).status_code == 303
    db.session.refresh(carl)
    assert carl.active is False and "Enable the account" in client.get(url + "?lang=en").get_data(as_text=True)
    assert post(client, url + "/active", {"active": "1"}, url).status_code == 303
    db.session.refresh(carl)
    assert carl.active is True
    assert post(client, url + "/password", {}, url).status_code == 303
    shown = client.get(url + "?lang=en").get_data(as_text=True)
    assert "New password of carl" in shown and 'id="password"' in shown
    assert 'id="password"' not in client.get(url + "?lang=en").get_data(as_text=True)
    assert client.post(url + "/active", data={"active": "0"}).status_code == 400  # no CSRF token: nothing changes
    db.session.refresh(carl)
    assert carl.active is True


def test_counts_are_plural_in_each_language(client):
    sign_in(client, "ada", "admin", centres=())
    expected = {"es": "personas</h2>", "ru": "сотрудников</h2>", "ar": "أشخاص</h2>"}  # 3 to 10 people in the test network
    for lang, words in expected.items():
        page = client.get(f"/admin/staff?lang={lang}").get_data(as_text=True)
        assert words in page, re.search(r"id=\"people-title\">[^<]*", page).group(0)


def test_a_manager_may_not_open_or_change_another_centres_clerk(client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    create_user("nora", "clerk", password=PASSWORD, centres=["NYC"])
    assert client.get("/admin/staff/nora").status_code == 404
    assert post(client, "/admin/staff/nora/active", {"active": "0"}, "/admin/staff").status_code == 404


def test_a_device_registered_shows_its_token_and_qr_once_then_prints_and_is_revoked(client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    refused = post(client, "/admin/devices?lang=en", {"kind": "kiosk", "centre": "HQ", "printer": "usb://04b8:0202"},
                   "/admin/devices")
    assert refused.status_code == 422 and "a printer set here is a network printer" in refused.get_data(as_text=True)
    printer = PrinterStandIn().start()
    try:
        answer = post(client, "/admin/devices", {"kind": "kiosk", "centre": "HQ", "name": "Door kiosk",
                                                 "printer": f"tcp://127.0.0.1:{printer.port}"}, "/admin/devices")
        assert answer.status_code == 303
        device = db.session.scalar(select(Device).where(Device.name == "Door kiosk"))
        url = f"/admin/devices/{device.id}"
        shown = client.get(url + "?lang=en")
        page = shown.get_data(as_text=True)
        assert shown.headers["Cache-Control"] == "no-store" and "<svg" in page and "/kiosk?token=" in page.replace("&amp;", "&")
        token = re.search(r'<code id="token" dir="ltr">([^<]+)</code>', page).group(1)
        assert token not in client.get(url).get_data(as_text=True)
        assert post(client, url + "/test-print", {}, url).status_code == 303
        assert "The printer confirmed the test ticket." in client.get(url + "?lang=en").get_data(as_text=True)
        assert len(printer.tickets()) == 1
    finally:
        printer.stop()
    assert post(client, url + "/test-print", {}, url).status_code == 303
    assert "did not print" in client.get(url + "?lang=en").get_data(as_text=True)
    assert "Revoke the device?" in client.get(url + "/revoke?lang=en").get_data(as_text=True)
    assert post(client, url + "/revoke", {}, url).status_code == 303
    db.session.refresh(device)
    assert device.revoked_at is not None
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "device",
                                                                 AuditEvent.entity_key == str(device.id))).all()
    assert sorted(actions) == ["create", "revoke", "test_print", "test_print"]
