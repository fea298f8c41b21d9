"""Staff and devices through /api/v1/admin (SPEC §12, §9): admins everywhere, managers their own
centres' clerks and devices; each change one audited transaction; tokens shown once; test prints
to a real TCP printer stand-in."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import AuditEvent, Device, Staff, StaffSkill, staff_centres
from queue_app.services import close_counter
from tests.conftest import PASSWORD, open_desk
from tests.integration.test_catalogue import network_cli

from ..printer_standin import PrinterStandIn

CLERK = {"username": "zoe", "role": "clerk", "name": "Zoe", "centres": ["HQ"], "primary": ["birth"],
         "secondary": ["tax"]}


@pytest.fixture
def admin(api):
    return api.staff("ada", "admin", centres=())


@pytest.fixture
def manager(api):
    """A manager of HQ only (NYC is another manager's)."""
    return api.staff("max", "manager", centres=("HQ",))


@pytest.fixture
def printer():
    standin = PrinterStandIn().start()
    yield standin
    standin.stop()


def audit_rows(entity: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)))


def people_and_devices():
    """Everything staff and devices hold, to show a refusal changed nothing."""
    db.session.rollback()
    return (db.session.execute(select(Staff.username, Staff.role, Staff.name, Staff.active, Staff.password_hash)
                               .order_by(Staff.username)).all(),
            db.session.execute(select(StaffSkill.staff_id, StaffSkill.service_id, StaffSkill.level)
                               .order_by(StaffSkill.staff_id, StaffSkill.service_id)).all(),
            db.session.execute(select(staff_centres)
                               .order_by(staff_centres.c.staff_id, staff_centres.c.centre_id)).all(),
            db.session.execute(select(Device.id, Device.name, Device.printer_uri, Device.revoked_at)
                               .order_by(Device.id)).all(),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


def signs_in(api, username: str, password: str) -> int:
    return api.post("/api/v1/auth/token", json={"username": username, "password": password}).status_code


# ---- staff ------------------------------------------------------------------------------------

def test_a_manager_adds_a_clerk_at_their_centre_who_signs_in_with_the_password_shown_once(api, manager):
    response = api.post("/api/v1/admin/staff", manager, json=CLERK)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    password = body.pop("password")
    assert {k: body[k] for k in CLERK} == CLERK and body["active"] is True
    assert signs_in(api, "zoe", password) == 201
    listed = api.get("/api/v1/admin/staff", manager).get_json()
    assert "password" not in json.dumps(listed) and password not in json.dumps(listed)
    (row,) = audit_rows("staff")
    assert (row.action, row.entity_key, row.before) == ("create", "zoe", None)
    assert row.after == {**CLERK, "active": True}
    assert password not in json.dumps(row.after) and "hash" not in json.dumps(row.after)


@pytest.mark.parametrize("body", [
    {**CLERK, "role": "manager", "primary": [], "secondary": []},  # not a manager
    {**CLERK, "centres": ["NYC"]},  # not at another centre
    {**CLERK, "role": "admin", "centres": [], "primary": [], "secondary": []},
])
def test_a_manager_adds_only_clerks_of_their_own_centres(api, manager, body):
    before = people_and_devices()
    response = api.post("/api/v1/admin/staff", manager, json=body)
    assert response.status_code == 403, response.get_json()
    assert people_and_devices() == before


@pytest.mark.parametrize("body, field", [
    ({**CLERK, "username": "ana"}, "username"),
    ({**CLERK, "username": "has space"}, "username"),
    ({**CLERK, "centres": ["HQ", "NYC"]}, "centres"),
    ({**CLERK, "centres": ["MARS"]}, "centres"),
    ({**CLERK, "role": "manager", "centres": [], "primary": [], "secondary": []}, "centres"),
    ({**CLERK, "role": "manager"}, "primary"),
    ({**CLERK, "primary": ["nope"]}, "primary"),
    ({**CLERK, "secondary": ["birth"]}, "secondary"),
    ({**CLERK, "role": "boss"}, "role"),
    ({**CLERK, "name": "   "}, "name"),
    ({**CLERK, "password": "chosen-by-me"}, "password"),
])
def test_a_refusal_names_its_field_and_changes_nothing(api, admin, body, field):
    before = people_and_devices()
    response = api.post("/api/v1/admin/staff", admin, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert people_and_devices() == before


def test_skills_changed_by_the_manager_are_audited_before_and_after(api, manager):
    response = api.call("PATCH", "/api/v1/admin/staff/ana", manager,
                        json={"primary": ["tax"], "secondary": ["birth", "info"]})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["primary"], response.get_json()["secondary"]) == (["tax"], ["birth", "info"])
    (row,) = audit_rows("staff")
    assert (row.before["primary"], row.before["secondary"]) == (["birth", "passport"], ["tax"])
    assert (row.after["primary"], row.after["secondary"]) == (["tax"], ["birth", "info"])
    assert row.actor_staff_id == db.session.scalar(select(Staff.id).where(Staff.username == "max"))
    # the same again changes nothing and records nothing
    assert api.call("PATCH", "/api/v1/admin/staff/ana", manager, json={"primary": ["tax"]}).status_code == 200
    assert len(audit_rows("staff")) == 1


@pytest.mark.parametrize("who, url, body, status", [
    ("manager", "/api/v1/admin/staff/ana", {"role": "manager", "centres": ["HQ"]}, 403),  # never a role
    ("manager", "/api/v1/admin/staff/ana", {"role": "clerk", "name": "Anna"}, 403),  # not even the same one
    ("manager", "/api/v1/admin/staff/ana", {"centres": ["NYC"]}, 403),  # not among their centres
    ("manager", "/api/v1/admin/staff/ana", {"name": "Anna", "centres": ["HQ", "NYC"]}, 403),
    ("manager", "/api/v1/admin/staff/nora", {"primary": ["birth"]}, 403),  # NYC's clerk
    ("manager", "/api/v1/admin/staff/mia", {"active": False}, 403),  # a manager, not a clerk
    ("clerk", "/api/v1/admin/staff/ana", {"primary": ["birth"]}, 403),
    (None, "/api/v1/admin/staff/ana", {"primary": ["birth"]}, 401),
    ("admin", "/api/v1/admin/staff/nobody", {"primary": ["birth"]}, 404),
])
def test_who_changes_whom(api, admin, manager, who, url, body, status):
    token = {"admin": admin, "manager": manager, None: None}.get(who) or (
        api.staff("cleo", "clerk", skills=["birth"]) if who == "clerk" else None)
    before = people_and_devices()
    response = api.call("PATCH", url, token, json=body)
    assert response.status_code == status, response.get_json()
    assert people_and_devices() == before


def test_an_admin_changes_role_centres_and_name(api, admin):
    response = api.call("PATCH", "/api/v1/admin/staff/ana", admin,
                        json={"role": "manager", "centres": ["HQ", "NYC"], "name": "Ana María"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() | {"created_at": None} == {
        "username": "ana", "name": "Ana María", "role": "manager", "centres": ["HQ", "NYC"], "primary": [],
        "secondary": [], "active": True, "created_at": None}
    (row,) = audit_rows("staff")
    assert (row.before["role"], row.after["role"], row.after["primary"]) == ("clerk", "manager", [])


def test_a_manager_renames_their_clerk_and_moves_them_among_their_centres_only(api, admin):
    both = api.staff("mo", "manager", centres=("HQ", "NYC"))
    response = api.call("PATCH", "/api/v1/admin/staff/ana", both, json={"name": "  Ana Ruiz ", "centres": ["NYC"]})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["name"], response.get_json()["centres"]) == ("Ana Ruiz", ["NYC"])
    (row,) = audit_rows("staff")
    assert (row.after["name"], row.before["centres"], row.after["centres"]) == ("Ana Ruiz", ["HQ"], ["NYC"])
    assert row.before["name"] != "Ana Ruiz"
    refused = api.call("PATCH", "/api/v1/admin/staff/ana", both, json={"name": " \u200b "})
    assert refused.status_code == 422 and "name" in refused.get_json()["error"]["fields"]
    hq_only = api.staff("max", "manager", centres=("HQ",))
    assert api.call("PATCH", "/api/v1/admin/staff/ana", hq_only, json={"name": "Ana"}).status_code == 403  # NYC's now


def test_someone_holding_a_counter_is_not_disabled_until_it_is_closed(api, admin, manager):
    token = api.staff("cleo", "clerk", skills=["birth"])
    open_desk("HQ-01", "dan", primary=["birth"])
    before = people_and_devices()
    refused = api.call("PATCH", "/api/v1/admin/staff/dan", manager, json={"active": False})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "in_use"
    assert refused.get_json()["error"]["counters"] == ["HQ-01"]
    moved = api.call("PATCH", "/api/v1/admin/staff/dan", admin, json={"centres": ["NYC"]})
    assert moved.status_code == 409
    assert people_and_devices() == before
    close_counter("HQ-01", by=SYSTEM)
    assert api.call("PATCH", "/api/v1/admin/staff/dan", manager, json={"active": False}).status_code == 200
    # disabling revokes the tokens at once
    assert api.call("PATCH", "/api/v1/admin/staff/cleo", manager, json={"active": False}).status_code == 200
    assert api.get("/api/v1/admin/staff", token).status_code == 401
    assert [r.after["active"] for r in audit_rows("staff")] == [False, False]


def test_an_admin_may_not_disable_or_demote_themselves(api, admin):
    response = api.call("PATCH", "/api/v1/admin/staff/ada", admin, json={"active": False})
    assert response.status_code == 422 and "active" in response.get_json()["error"]["fields"]


def test_a_password_reset_gives_a_new_password_once_and_revokes_the_tokens(api, admin, manager):
    token = api.staff("cleo", "clerk", skills=["birth"])
    response = api.post("/api/v1/admin/staff/cleo/password", manager)
    assert response.status_code == 200, response.get_json()
    password = response.get_json()["password"]
    assert len(password) >= 16
    assert api.get("/api/v1/centres/HQ/queue", token).status_code == 401
    assert signs_in(api, "cleo", PASSWORD) == 401
    assert signs_in(api, "cleo", password) == 201
    (row,) = [r for r in audit_rows("staff") if r.action == "reset_password"]
    assert row.after == {"tokens_revoked": 1} and password not in json.dumps(row.after)
    assert api.post("/api/v1/admin/staff/nora/password", manager).status_code == 403  # NYC's
    assert api.post("/api/v1/admin/staff/ada/password", admin).status_code == 409  # one's own


def test_a_manager_lists_the_people_of_their_centres_and_an_admin_everyone(api, admin, manager):
    theirs = {p["username"] for p in api.get("/api/v1/admin/staff", manager).get_json()}
    assert theirs == {"ana", "ben", "mia", "max"}
    everyone = {p["username"] for p in api.get("/api/v1/admin/staff", admin).get_json()}
    assert everyone == theirs | {"nora", "ada"}


# ---- devices ----------------------------------------------------------------------------------

def new_device(api, token, **body):
    return api.post("/api/v1/admin/devices", token, json={"kind": "kiosk", "centre": "HQ", **body})


def test_a_device_shows_its_token_once_and_its_setup_address_stores_it(api, manager, client):
    response = new_device(api, manager, name="Door kiosk", printer="tcp://192.0.2.10:9100")
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    token, setup = created.pop("token"), urlsplit(created.pop("setup_url"))
    assert (setup.path, setup.query) == ("/kiosk", f"token={token}")
    assert {k: created[k] for k in ("kind", "name", "centre", "printer", "revoked", "printer_state", "faults")} == {
        "kind": "kiosk", "name": "Door kiosk", "centre": "HQ", "printer": "tcp://192.0.2.10:9100", "revoked": False,
        "printer_state": "ok", "faults": []}
    listed = api.get("/api/v1/admin/devices", manager).get_json()
    assert token not in json.dumps(listed) and all("token" not in d for d in listed)
    assert api.get("/api/v1/kiosk/printer", token).get_json() == {"state": "ok"}
    opened = client.get(f"{setup.path}?{setup.query}")
    assert opened.status_code == 302 and token in opened.headers["Set-Cookie"]
    (row,) = audit_rows("device")
    assert row.after == {"centre": "HQ", "kind": "kiosk", "name": "Door kiosk", "printer": "tcp://192.0.2.10:9100",
                         "revoked": False}


def test_revoking_stops_the_token_at_once(api, manager):
    created = new_device(api, manager, kind="display").get_json()
    assert api.get("/api/v1/centres/HQ/queue", created["token"]).status_code == 200
    revoked = api.post(f"/api/v1/admin/devices/{created['id']}/revoke", manager)
    assert revoked.status_code == 200 and revoked.get_json()["revoked"] is True
    assert api.get("/api/v1/centres/HQ/queue", created["token"]).status_code == 401
    assert [r.action for r in audit_rows("device")] == ["create", "revoke"]


@pytest.mark.parametrize("body, status, field", [
    ({"centre": "NYC"}, 403, None),  # another centre's
    ({"centre": "MARS"}, 404, None),
    ({"kind": "display", "printer": "dummy://"}, 422, "printer"),
    ({"printer": "ftp://printer"}, 422, "printer"),
    ({"printer": "file:///etc/cron.d/x"}, 422, "printer"),  # the server's own files: never from the web
    ({"printer": "pdf:///tmp/ticket"}, 422, "printer"),
    ({"printer": "usb://04b8:0202"}, 422, "printer"),
    ({"kind": "toaster"}, 422, "kind"),
    ({"name": ""}, 422, "name"),
])
def test_a_device_refused_changes_nothing(api, manager, body, status, field):
    before = people_and_devices()
    response = new_device(api, manager, **body)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["error"]["fields"]
    assert people_and_devices() == before


def test_a_manager_sees_and_changes_only_their_centres_devices(api, admin, manager):
    nyc = new_device(api, admin, centre="NYC").get_json()["id"]
    assert {d["centre"] for d in api.get("/api/v1/admin/devices", manager).get_json()} == {"HQ"}
    assert {d["centre"] for d in api.get("/api/v1/admin/devices", admin).get_json()} == {"HQ", "NYC"}
    assert api.call("PATCH", f"/api/v1/admin/devices/{nyc}", manager, json={"name": "Mine"}).status_code == 403
    assert api.post(f"/api/v1/admin/devices/{nyc}/revoke", manager).status_code == 403
    hq = new_device(api, manager, printer="tcp://192.0.2.10:9100").get_json()["id"]
    changed = api.call("PATCH", f"/api/v1/admin/devices/{hq}", manager, json={"name": "Lobby", "printer": None})
    assert changed.status_code == 200 and (changed.get_json()["name"], changed.get_json()["printer"]) == ("Lobby", None)
    assert audit_rows("device")[-1].before["printer"] == "tcp://192.0.2.10:9100"


def test_a_test_print_is_confirmed_by_the_tcp_printer(api, manager, printer):
    kiosk = new_device(api, manager, printer=printer.uri).get_json()["id"]
    response = api.post(f"/api/v1/admin/devices/{kiosk}/test-print", manager)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"confirmed": True, "printer": printer.uri, "error": None, "note": None}
    assert printer.wait_for_tickets(1) == ["A001"]
    (row,) = [r for r in audit_rows("device") if r.action == "test_print"]
    assert row.after["confirmed"] is True


@pytest.mark.parametrize("mode", ["off", "paper_out"])
def test_a_failed_test_print_says_why_and_joins_the_fault_history(api, manager, printer, mode):
    kiosk = new_device(api, manager, printer=printer.uri).get_json()["id"]
    if mode == "off":
        printer.stop()
    else:
        printer.mode = mode
    response = api.post(f"/api/v1/admin/devices/{kiosk}/test-print", manager)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["confirmed"] is False and result["error"].startswith("PrinterError")
    assert printer.tickets() == []
    (listed,) = [d for d in api.get("/api/v1/admin/devices", manager).get_json() if d["id"] == kiosk]
    assert [(f["source"], f["error"]) for f in listed["faults"]] == [("test", result["error"])]


def test_a_test_print_needs_a_kiosk_with_a_printer(api, admin, manager):
    display = new_device(api, manager, kind="display").get_json()["id"]
    assert api.post(f"/api/v1/admin/devices/{display}/test-print", manager).status_code == 409
    nyc = new_device(api, admin, centre="NYC").get_json()["id"]
    assert api.post(f"/api/v1/admin/devices/{nyc}/test-print", manager).status_code == 403
    assert api.post("/api/v1/admin/devices/999999/test-print", manager).status_code == 404


def test_export_after_people_changes_imports_with_no_difference(api, admin, manager, runner, tmp_path):
    assert api.post("/api/v1/admin/staff", manager, json=CLERK).status_code == 201
    assert api.call("PATCH", "/api/v1/admin/staff/ben", manager, json={"secondary": ["birth"]}).status_code == 200
    assert new_device(api, manager, name="Door kiosk", printer="tcp://192.0.2.10:9100").status_code == 201
    exported = tmp_path / "exported.toml"
    network_cli(runner, "export", str(exported))
    assert network_cli(runner, "import", "--dry-run", str(exported)) == ["no changes"]


def test_a_kiosks_failing_ticket_shows_in_its_printer_state_and_fault_history(api, manager):
    from printers import fail_dummy
    from queue_app.print_worker import print_due
    from tests.conftest import NOON

    from queue_app.services import create_device

    new = create_device("kiosk", "HQ", printer="dummy://failing")  # set on the server: the web sets tcp:// only
    created = {"id": new.device.id, "token": new.token}
    open_desk("HQ-01", "dan", primary=["birth"])
    fail_dummy("dummy://failing", "paper out")
    try:
        assert api.post("/api/v1/centres/HQ/tickets", created["token"], json={"service": "birth"}).status_code == 201
        assert print_due(NOON.replace(year=2100)).failed
    finally:
        fail_dummy("dummy://failing", None)
    (listed,) = [d for d in api.get("/api/v1/admin/devices", manager).get_json() if d["id"] == created["id"]]
    assert listed["printer_state"] == "failing"
    assert [(f["source"], f["error"], f["attempts"]) for f in listed["faults"]] == [
        ("ticket", "PrinterError: paper out", 1)]
