"""Centres, exception days and counters through /api/v1/admin (SPEC §12): admins change a centre,
its managers its hours, exception days and counters; each change one audited transaction."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import AuditEvent, Centre, Counter
from queue_app.services import book, call_next, close_counter, issue_ticket, open_counter, slots
from tests.conftest import NETWORK, open_desk
from tests.integration.test_catalogue import network_cli

NAME = {"en": "Madrid 2", "es": "Madrid 2", "ru": "Мадрид 2", "ar": "مدريد 2"}
ADDRESS = {"en": "3 Gran Via", "es": "Gran Vía 3", "ru": "Гран-Виа, 3", "ar": "3 غران فيا"}
WEEK = {"mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "09:00-17:00",
        "fri": "09:00-15:00", "sat": "closed", "sun": "closed"}
NEW_CENTRE = {"code": "MAD2", "name": NAME, "address": ADDRESS, "timezone": "Europe/Madrid", "hours": WEEK,
              "counters": 3, "target_wait_min": 20}


@pytest.fixture
def admin(api):
    return api.staff("ada", "admin", centres=())


@pytest.fixture
def manager(api):
    """A manager of NYC only."""
    return api.staff("max", "manager", centres=("NYC",))


def audit_rows(entity: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)))


def snapshot():
    """Everything the centres hold, to show a refusal changed nothing."""
    db.session.rollback()
    return (db.session.execute(select(Centre.code, Centre.name, Centre.address, Centre.timezone, Centre.hours,
                                      Centre.target_wait_min, Centre.recall_limit, Centre.active)
                               .order_by(Centre.code)).all(),
            db.session.execute(select(Counter.code, Counter.name, Counter.active).order_by(Counter.code)).all(),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


def patch(api, url, token, **body):
    return api.call("PATCH", url, token, json=body)


def a_free_slot(centre: str, service: str, first_day: int = 1):
    today = utcnow().date()
    return next(s for d in range(first_day, 14) for s in slots(centre, service, today + timedelta(days=d))
                if s.available)


# ---- centres ---------------------------------------------------------------------------------

def test_an_admin_adds_a_centre_with_its_counters_and_the_audit_says_so(api, admin):
    response = api.post("/api/v1/admin/centres", admin, json=NEW_CENTRE)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body | {"exceptions": None} == {
        **NEW_CENTRE, "exceptions": None, "recall_limit": 2, "call_timeout_min": 5, "active": True, "to_move": []}
    assert [c["code"] for c in api.get("/api/v1/centres/MAD2/counters").get_json()] == ["MAD2-01", "MAD2-02", "MAD2-03"]
    (row,) = audit_rows("centre")
    assert (row.action, row.entity_key, row.before, row.after["hours"]) == ("create", "MAD2", None, WEEK)
    assert [c["code"] for c in api.get("/api/v1/admin/centres", admin).get_json()] == ["HQ", "NYC", "MAD2"]


@pytest.mark.parametrize("body, field", [
    ({**NEW_CENTRE, "code": "HQ"}, "code"),
    ({**NEW_CENTRE, "code": "mad2"}, "code"),
    ({**NEW_CENTRE, "name": {k: v for k, v in NAME.items() if k != "ru"}}, "name.ru"),
    ({**NEW_CENTRE, "address": {**ADDRESS, "es": " "}}, "address.es"),
    ({**NEW_CENTRE, "timezone": "Europe/Atlantis"}, "timezone"),
    ({**NEW_CENTRE, "timezone": "America"}, "timezone"),
    ({**NEW_CENTRE, "hours": "always"}, "hours"),
    ({**NEW_CENTRE, "hours": {**WEEK, "mon": "17:00-09:00"}}, "hours.mon"),
    ({**NEW_CENTRE, "hours": {k: v for k, v in WEEK.items() if k != "sun"}}, "hours.sun"),
    ({**NEW_CENTRE, "hours": {**WEEK, "funday": "closed"}}, "hours.funday"),
    ({**NEW_CENTRE, "counters": 0}, "counters"),
    ({**NEW_CENTRE, "counters": 100}, "counters"),
    ({**NEW_CENTRE, "target_wait_min": 0}, "target_wait_min"),
    ({**NEW_CENTRE, "recall_limit": 11}, "recall_limit"),
    ({**NEW_CENTRE, "call_timeout_min": "5"}, "call_timeout_min"),
    ({**NEW_CENTRE, "hours": 7}, "hours"),
])
def test_a_refusal_names_its_field_and_changes_nothing(api, admin, body, field):
    before = snapshot()
    response = api.post("/api/v1/admin/centres", admin, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert snapshot() == before


def test_an_admin_changes_a_centre_and_a_no_change_records_nothing(api, admin):
    response = patch(api, "/api/v1/admin/centres/NYC", admin, target_wait_min=12, recall_limit=0,
                     address={**ADDRESS, "en": "4 Broadway"})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["target_wait_min"], response.get_json()["recall_limit"]) == (12, 0)
    (row,) = audit_rows("centre")
    assert (row.before["target_wait_min"], row.after["target_wait_min"]) == (10, 12)
    assert row.after["address"]["en"] == "4 Broadway"
    assert patch(api, "/api/v1/admin/centres/NYC", admin, target_wait_min=12).status_code == 200
    assert len(audit_rows("centre")) == 1


def test_a_manager_changes_the_hours_of_their_centre_only(api, manager):
    hours = {**WEEK, "sat": "10:00-13:00"}
    response = patch(api, "/api/v1/admin/centres/NYC", manager, hours=hours)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["hours"] == hours
    assert response.get_json()["exceptions"][0] == {"date": "2026-12-24", "hours": "09:00-12:00"}  # kept
    before = snapshot()
    assert patch(api, "/api/v1/admin/centres/HQ", manager, hours=hours).status_code == 403
    assert patch(api, "/api/v1/admin/centres/NYC", manager, target_wait_min=30).status_code == 403
    assert patch(api, "/api/v1/admin/centres/NYC", manager, hours=hours, active=False).status_code == 403
    assert api.post("/api/v1/admin/centres", manager, json=NEW_CENTRE).status_code == 403
    assert snapshot() == before
    assert [c["code"] for c in api.get("/api/v1/admin/centres", manager).get_json()] == ["NYC"]


@pytest.mark.parametrize("who, status", [("clerk", 403), (None, 401)])
def test_clerks_and_strangers_change_no_centre(api, who, status):
    token = api.staff("cl", who) if who else None
    before = snapshot()
    assert api.get("/api/v1/admin/centres", token).status_code == status
    assert patch(api, "/api/v1/admin/centres/HQ", token, hours="24/7").status_code == status
    assert api.call("PUT", "/api/v1/admin/centres/HQ/exceptions/2030-01-01", token,
                    json={"hours": "closed"}).status_code == status
    assert api.post("/api/v1/admin/centres/HQ/counters", token, json={}).status_code == status
    assert patch(api, "/api/v1/admin/counters/HQ-01", token, active=False).status_code == status
    assert snapshot() == before


def test_a_centre_in_use_is_not_deactivated_and_an_idle_one_is(api, admin):
    open_desk("HQ-01", "c1", primary=["birth"], now=utcnow())
    issue_ticket("HQ", "birth", by=SYSTEM)
    before = snapshot()
    refused = patch(api, "/api/v1/admin/centres/HQ", admin, active=False)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert (error["code"], error["waiting"], error["counters"]) == ("in_use", 1, ["HQ-01"])
    assert snapshot() == before
    booked = book("NYC", "birth", a_free_slot("NYC", "birth").start, name="Ana", phone="+34612345678")
    refused = patch(api, "/api/v1/admin/centres/NYC", admin, active=False)
    assert [a["code"] for a in refused.get_json()["error"]["appointments"]] == [booked.code]
    assert patch(api, "/api/v1/admin/centres/MAD2", admin, active=False).status_code == 404
    api.post("/api/v1/admin/centres", admin, json=NEW_CENTRE)
    assert patch(api, "/api/v1/admin/centres/MAD2", admin, active=False).get_json()["active"] is False
    assert api.get("/api/v1/centres/MAD2").status_code == 404
    assert patch(api, "/api/v1/admin/centres/MAD2", admin, active=True).get_json()["active"] is True


# ---- exception days and holidays -------------------------------------------------------------

def test_a_holiday_closes_the_day_and_lists_the_bookings_made_on_it(api, manager):
    free = a_free_slot("NYC", "birth")
    booked = book("NYC", "birth", free.start, name="Ana", phone="+34612345678")
    day = free.start.date().isoformat()
    assert api.get(f"/api/v1/centres/NYC/slots?service=birth&date={day}").get_json()
    response = api.call("PUT", f"/api/v1/admin/centres/NYC/exceptions/{day}", manager,
                        json={"hours": "closed", "note": "Storm"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["date"], body["hours"], body["note"]) == (day, "closed", "Storm")
    assert body["to_move"] == [{"code": booked.code, "service": "birth", "start": free.start.isoformat()}]
    assert api.get(f"/api/v1/centres/NYC/slots?service=birth&date={day}").get_json() == []
    # where managers look: the centre's booking conflicts
    conflicts = api.get("/api/v1/centres/NYC/booking-conflicts", manager).get_json()
    assert [a["code"] for c in conflicts["conflicts"] for a in c["appointments"]] == [booked.code]
    (row,) = audit_rows("centre")
    assert row.action == "exception" and {"date": day, "hours": "closed", "note": "Storm"} in row.after["exceptions"]
    # a shorter day keeps what it can; dropping the exception brings the weekly hours back
    assert api.call("DELETE", f"/api/v1/admin/centres/NYC/exceptions/{day}", manager).get_json()["to_move"] == []
    assert api.get(f"/api/v1/centres/NYC/slots?service=birth&date={day}").get_json()
    assert api.call("DELETE", f"/api/v1/admin/centres/NYC/exceptions/{day}", manager).status_code == 404


def test_a_holiday_today_closes_the_centre_at_the_kiosk(api, admin):
    today = utcnow().astimezone(db.session.scalar(select(Centre).where(Centre.code == "HQ")).tz).date()
    assert api.get("/api/v1/centres/HQ").get_json()["open_now"] is True
    assert api.call("PUT", f"/api/v1/admin/centres/HQ/exceptions/{today}", admin,
                    json={"hours": "closed"}).status_code == 200
    detail = api.get("/api/v1/centres/HQ").get_json()
    assert (detail["open_now"], detail["hours_today"]) == (False, None)
    kiosk = api.device("kiosk", "HQ")
    refused = api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "centre_closed"


@pytest.mark.parametrize("day, body, field", [
    ("2030-02-30", {"hours": "closed"}, "date"),
    ("20300101", {"hours": "closed"}, "date"),
    ("2020-01-01", {"hours": "closed"}, "date"),
    ("2030-01-01", {"hours": "14:00-10:00"}, "hours"),
    ("2030-01-01", {"hours": "all day"}, "hours"),
    ("2030-01-01", {"hours": "closed", "note": "x" * 201}, "note"),
])
def test_a_bad_exception_day_is_refused_and_changes_nothing(api, admin, day, body, field):
    before = snapshot()
    response = api.call("PUT", f"/api/v1/admin/centres/NYC/exceptions/{day}", admin, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert snapshot() == before


def test_new_hours_that_leave_bookings_outside_list_them(api, manager):
    free = a_free_slot("NYC", "birth")
    booked = book("NYC", "birth", free.start, name="Ana", phone="+34612345678")
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[free.start.weekday()]
    response = patch(api, "/api/v1/admin/centres/NYC", manager, hours={**WEEK, weekday: "closed"})
    assert [a["code"] for a in response.get_json()["to_move"]] == [booked.code]


# ---- counters --------------------------------------------------------------------------------

def test_a_manager_adds_renames_and_retires_a_counter(api, manager):
    added = api.post("/api/v1/admin/centres/NYC/counters", manager, json={"name": "Window 5"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {"code": "NYC-05", "centre": "NYC", "number": 5, "name": "Window 5",
                                "active": True, "state": "closed", "open": False}
    assert patch(api, "/api/v1/admin/counters/NYC-05", manager, name="Window 5A").get_json()["name"] == "Window 5A"
    retired = patch(api, "/api/v1/admin/counters/NYC-02", manager, active=False)
    assert retired.status_code == 200 and retired.get_json()["active"] is False
    assert [c["code"] for c in api.get("/api/v1/centres/NYC/counters").get_json()] == ["NYC-01", "NYC-03", "NYC-04",
                                                                                         "NYC-05"]
    assert [r.action for r in audit_rows("counter")] == ["create", "change", "change"]
    with pytest.raises(Exception, match="retired"):
        open_counter("NYC-02", "nora", by=SYSTEM)
    db.session.rollback()
    assert api.post("/api/v1/admin/centres/HQ/counters", manager, json={}).status_code == 403
    assert patch(api, "/api/v1/admin/counters/HQ-01", manager, active=False).status_code == 403
    assert api.post("/api/v1/admin/centres/NYC/counters", manager, json={}).get_json()["code"] == "NYC-06"


def test_a_counter_with_a_visitor_or_a_clerk_is_not_retired(api, admin):
    now = utcnow()
    open_desk("HQ-01", "c1", primary=["birth"], now=now)
    issue_ticket("HQ", "birth", by=SYSTEM, now=now)
    call_next("HQ-01", by=SYSTEM, now=now)
    before = snapshot()
    refused = patch(api, "/api/v1/admin/counters/HQ-01", admin, active=False)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert (error["code"], error["state"], error["ticket"]) == ("in_use", "open", "A001")
    open_desk("HQ-02", "c2", primary=["tax"], now=now)
    idle = patch(api, "/api/v1/admin/counters/HQ-02", admin, active=False).get_json()["error"]
    assert (idle["state"], idle["ticket"]) == ("open", None)
    assert snapshot() == before
    close_counter("HQ-02", by=SYSTEM)
    assert patch(api, "/api/v1/admin/counters/HQ-02", admin, active=False).status_code == 200


def test_export_after_centre_changes_imports_with_no_difference(api, admin, runner, tmp_path):
    assert api.post("/api/v1/admin/centres", admin, json=NEW_CENTRE).status_code == 201
    assert patch(api, "/api/v1/admin/centres/NYC", admin, hours="24/7", call_timeout_min=7).status_code == 200
    assert api.call("PUT", "/api/v1/admin/centres/HQ/exceptions/2030-01-01", admin,
                    json={"hours": "10:00-14:00", "note": "Inventory"}).status_code == 200
    assert api.post("/api/v1/admin/centres/HQ/counters", admin, json={}).status_code == 201
    assert patch(api, "/api/v1/admin/counters/MAD2-03", admin, active=False).status_code == 200
    assert patch(api, "/api/v1/admin/centres/MAD2/policy", admin, appointment_grace_min=False,
                 appointment_lead_min=7.5).status_code == 200
    exported = tmp_path / "exported.toml"
    network_cli(runner, "export", str(exported))
    assert network_cli(runner, "import", "--dry-run", str(exported)) == ["no changes"]




def test_a_network_file_with_more_counters_brings_retired_ones_back_first(api, admin, runner):
    assert patch(api, "/api/v1/admin/counters/NYC-02", admin, active=False).status_code == 200
    assert "NYC" in " ".join(network_cli(runner, "import", "--dry-run", str(NETWORK)))  # 3 counters, the file 4
    network_cli(runner, "import", str(NETWORK))
    assert [c["code"] for c in api.get("/api/v1/centres/NYC/counters").get_json()] == [
        "NYC-01", "NYC-02", "NYC-03", "NYC-04"]
    assert network_cli(runner, "import", "--dry-run", str(NETWORK))[0] == "no changes"  # (ada is left as she is)
def test_a_holiday_today_reaches_the_display_at_once(api, admin, live_server):
    from tests.sockets import Screen

    display = Screen(live_server, "/display", "centre=HQ", api.device("display", "HQ"))
    try:
        assert display.next("state")["open_now"] is True
        today = utcnow().astimezone(db.session.scalar(select(Centre).where(Centre.code == "HQ")).tz).date()
        assert api.call("PUT", f"/api/v1/admin/centres/HQ/exceptions/{today}", admin,
                        json={"hours": "closed", "note": "Holiday"}).status_code == 200
        closed = display.next("state", where=lambda s: not s["open_now"])
        assert closed["next_opening"].startswith((today + timedelta(days=1)).isoformat())
    finally:
        display.close()
