"""The staff and device pages through the test client: a manager adds a clerk of their centre (the first
password once), is refused a manager and another centre beside the field; skills with levels; disable,
enable, reset; a device registered with its token and QR shown once, a refused printer, revoke, test print.

The test network: HQ and NYC; services birth, passport, tax, info.
"""
from __future__ import annotations

import re

from sqlalchemy import select, update

from queue_app.extensions import db
from queue_app.models import AuditEvent, Centre, Device, Staff
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
        assert len(printer.wait_for_tickets(1)) == 1  # noted once the job's connection ends
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


def staff_rows(username: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "staff", AuditEvent.entity_key == username, AuditEvent.action == "change")
        .order_by(AuditEvent.id)))


def actor(row: AuditEvent) -> str:
    """The username of who made the audited change."""
    return db.session.get(Staff, row.actor_staff_id).username


def held(username: str) -> tuple:
    """What the person is now: name, role and centres."""
    db.session.rollback()
    person = db.session.scalar(select(Staff).where(Staff.username == username))
    return person.name, person.role, [c.code for c in person.centres]


def test_an_admin_renames_a_person_and_changes_the_role_and_centres(client):
    sign_in(client, "ada", "admin", centres=())
    create_user("carl", "clerk", password=PASSWORD, name="Carl Diaz", centres=["HQ"], primary=["birth"])
    url = "/admin/staff/carl"
    page = client.get(url + "?lang=en").get_data(as_text=True).split('id="edit-title"')[1]
    assert '<select id="role" name="role">' in page and 'value="NYC"' in page and 'checked id="centres-0"' in page
    answer = post(client, url + "/edit?lang=en", {"name": "Carl", "role": "clerk", "centres": ["HQ", "NYC"]}, url)
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="centres-error"' in shown and "a clerk works at exactly one centre" in shown
    assert 'aria-describedby="centres-error"' in shown and held("carl") == ("Carl Diaz", "clerk", ["HQ"])
    answer = post(client, url + "/edit", {"name": " Carl Díaz ", "role": "manager", "centres": ["HQ", "NYC"]}, url)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(url)
    assert "The account is saved." in client.get(url + "?lang=en").get_data(as_text=True)
    assert held("carl") == ("Carl Díaz", "manager", ["HQ", "NYC"])
    (row,) = staff_rows("carl")
    assert (actor(row), row.before["role"], row.after["role"], row.after["centres"], row.after["name"]) == (
        "ada", "clerk", "manager", ["HQ", "NYC"], "Carl Díaz")
    answer = post(client, url + "/edit?lang=en", {"name": "\u200b", "role": "manager", "centres": ["HQ"]}, url)
    assert answer.status_code == 422 and 'id="name-error"' in answer.get_data(as_text=True)
    assert held("carl") == ("Carl Díaz", "manager", ["HQ", "NYC"]) and len(staff_rows("carl")) == 1


def test_a_centre_the_admin_cannot_tick_is_kept_and_shown_as_such(client):
    sign_in(client, "ada", "admin", centres=())
    create_user("lea", "manager", password=PASSWORD, name="Lea", centres=["HQ", "NYC"])
    db.session.execute(update(Centre).where(Centre.code == "NYC").values(active=False))  # closed: not offered
    db.session.commit()
    url = "/admin/staff/lea"
    page = client.get(url + "?lang=en").get_data(as_text=True).split('id="edit-title"')[1]
    assert 'value="NYC"' not in page and re.search(r"NYC · [^<]+<span class=\"hint\">\(kept as it is\)", page)
    answer = post(client, url + "/edit", {"name": "Lea Moss", "role": "manager", "centres": ["HQ"]}, url)
    assert answer.status_code == 303
    assert held("lea") == ("Lea Moss", "manager", ["HQ", "NYC"])


def test_a_manager_moves_their_clerk_among_their_centres_and_is_refused_the_rest(client):
    sign_in(client, "mia", "manager", centres=("HQ", "NYC"))
    create_user("carl", "clerk", password=PASSWORD, name="Carl Diaz", centres=["HQ"], primary=["birth"])
    url = "/admin/staff/carl"
    page = client.get(url + "?lang=en").get_data(as_text=True).split('id="edit-title"')[1]
    assert '<select id="role"' not in page and "Only an administrator changes a role." in page  # read only
    assert 'value="HQ"' in page and 'value="NYC"' in page
    answer = post(client, url + "/edit", {"name": "Carl D.", "centres": ["NYC"]}, url)
    assert answer.status_code == 303 and held("carl") == ("Carl D.", "clerk", ["NYC"])
    (row,) = staff_rows("carl")
    assert (actor(row), row.before["centres"], row.after["centres"]) == ("mia", ["HQ"], ["NYC"])
    answer = post(client, url + "/edit?lang=en", {"name": "Carl D.", "role": "manager", "centres": ["NYC"]}, url)
    assert answer.status_code == 403 and "You are not allowed to do this here." in answer.get_data(as_text=True)
    assert held("carl") == ("Carl D.", "clerk", ["NYC"]) and len(staff_rows("carl")) == 1


def test_a_manager_may_not_move_a_clerk_to_a_centre_they_do_not_manage(client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    create_user("carl", "clerk", password=PASSWORD, name="Carl Diaz", centres=["HQ"], primary=["birth"])
    url = "/admin/staff/carl"
    assert 'value="NYC"' not in client.get(url).get_data(as_text=True)  # not offered
    answer = post(client, url + "/edit?lang=en", {"name": "Carl", "centres": ["NYC"]}, url)  # posted all the same
    page = answer.get_data(as_text=True)
    error = re.search(r'<div id="centres-error">(.*?)</div>', page, re.S).group(1)
    assert answer.status_code == 403 and "you do not manage NYC" in error
    assert held("carl") == ("Carl Diaz", "clerk", ["HQ"]) and staff_rows("carl") == []


def test_a_device_renamed_and_its_printer_changed_or_removed_each_audited(client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    assert post(client, "/admin/devices", {"kind": "kiosk", "centre": "HQ", "name": "Door kiosk"},
                "/admin/devices").status_code == 303
    kiosk = db.session.scalar(select(Device).where(Device.name == "Door kiosk"))
    url = f"/admin/devices/{kiosk.id}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'id="edit-title"' in page and 'name="printer"' in page
    refused = post(client, "/admin/devices?lang=en", {"kind": "kiosk", "centre": "HQ", "printer": "tcp://"}, "/admin/devices")
    assert refused.status_code == 422 and "needs a host" in refused.get_data(as_text=True)  # adding, as changing
    for bad, says in (("usb://04b8:0202", "a printer set here is a network printer"),
                      ("tcp://printer:99999", "the port must be a number"), ("tcp://", "needs a host")):
        answer = post(client, url + "/edit?lang=en", {"name": "Lobby", "printer": bad}, url)
        shown = answer.get_data(as_text=True)
        error = re.search(r'<div id="printer-error">(.*?)</div>', shown, re.S).group(1)
        assert answer.status_code == 422 and says in error and 'aria-invalid="true"' in shown, bad
        assert f'value="{bad}"' in shown  # the form as typed
    answer = post(client, url + "/edit?lang=en", {"name": "\u200b ", "printer": ""}, url)
    assert answer.status_code == 422 and 'id="name-error"' in answer.get_data(as_text=True)
    db.session.refresh(kiosk)
    assert (kiosk.name, kiosk.printer_uri) == ("Door kiosk", None)
    answer = post(client, url + "/edit", {"name": "Lobby kiosk", "printer": " tcp://192.0.2.10:9100 "}, url)
    assert answer.status_code == 303
    assert "The device is saved." in client.get(url + "?lang=en").get_data(as_text=True)
    assert post(client, url + "/edit", {"name": "Lobby kiosk", "printer": ""}, url).status_code == 303  # none now
    db.session.refresh(kiosk)
    assert (kiosk.name, kiosk.printer_uri) == ("Lobby kiosk", None)
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "device", AuditEvent.entity_key == str(kiosk.id), AuditEvent.action == "change")
        .order_by(AuditEvent.id)).all()
    assert [(r.before["name"], r.before["printer"], r.after["name"], r.after["printer"]) for r in rows] == [
        ("Door kiosk", None, "Lobby kiosk", "tcp://192.0.2.10:9100"),
        ("Lobby kiosk", "tcp://192.0.2.10:9100", "Lobby kiosk", None)]
    assert {actor(r) for r in rows} == {"mia"}


def test_a_display_is_renamed_and_has_no_printer_field(client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    answer = post(client, "/admin/devices", {"kind": "display", "centre": "HQ", "name": "Hall"}, "/admin/devices")
    assert answer.status_code == 303
    display = db.session.scalar(select(Device).where(Device.name == "Hall"))
    url = f"/admin/devices/{display.id}"
    assert 'name="printer"' not in client.get(url).get_data(as_text=True)
    answer = post(client, url + "/edit", {"name": "Hall screen", "printer": "tcp://192.0.2.10:9100"}, url)
    assert answer.status_code == 303  # a display's form has no printer: a posted one is not its to take
    db.session.refresh(display)
    assert (display.name, display.printer_uri) == ("Hall screen", None)
