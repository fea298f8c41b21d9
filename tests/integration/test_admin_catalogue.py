"""The catalogue's administration through /api/v1/admin (SPEC §12): admins change, managers read,
each change one audited transaction that every face and process hears of at once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import AuditEvent, LifeEvent, Service, Ticket, TicketEvent
from queue_app.services import book, issue_ticket, slots
from tests.conftest import NOON, open_desk
from tests.integration.test_catalogue import network_cli

NAME = {"en": "Driving licence", "es": "Permiso de conducir", "ru": "Водительское удостоверение",
        "ar": "رخصة القيادة"}
NEW_SERVICE = {"code": "driving_licence", "agency": "passports", "prefix": "E", "name": NAME, "duration_min": 12,
               "documents": {"en": ["Photo"], "es": ["Foto"], "ru": ["Фото"], "ar": ["صورة"]}}


@pytest.fixture
def admin(api):
    return api.staff("ada", "admin", centres=())


def audit_rows(entity: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)))


def snapshot():
    """Everything the catalogue holds, to show a refusal changed nothing."""
    db.session.rollback()
    return (db.session.execute(select(Service.code, Service.name, Service.prefix, Service.active)
                               .order_by(Service.code)).all(),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


def test_an_admin_adds_a_service_in_every_language_and_the_audit_says_who_and_what(api, admin):
    response = api.post("/api/v1/admin/services", admin, json=NEW_SERVICE)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() | {"documents": None} == {
        **NEW_SERVICE, "weight": 1.0, "bookable": True, "active": True, "documents": None}
    listed = api.get("/api/v1/admin/services", admin).get_json()
    assert [s["code"] for s in listed][-1] == "driving_licence"
    (row,) = audit_rows("service")
    assert (row.action, row.entity_key, row.before) == ("create", "driving_licence", None)
    assert row.after["name"] == NAME and row.after["active"] is True
    assert row.actor_staff_id is not None
    # the public menu has it at once (the catalogue cache is forgotten on commit)
    menu = api.get("/api/v1/services").get_json()
    assert "driving_licence" in [s["code"] for s in menu]


def test_a_change_records_before_and_after_and_a_no_change_records_nothing(api, admin):
    response = api.call("PATCH", "/api/v1/admin/services/birth", admin, json={"duration_min": 25, "bookable": False})
    assert response.status_code == 200, response.get_json()
    (row,) = audit_rows("service")
    assert (row.before["duration_min"], row.after["duration_min"]) == (10, 25)
    assert (row.before["bookable"], row.after["bookable"]) == (True, False)
    assert api.call("PATCH", "/api/v1/admin/services/birth", admin, json={"duration_min": 25}).status_code == 200
    assert len(audit_rows("service")) == 1


@pytest.mark.parametrize("body, field", [
    ({**NEW_SERVICE, "name": {k: v for k, v in NAME.items() if k != "ar"}}, "name.ar"),
    ({**NEW_SERVICE, "name": {**NAME, "fr": "Permis"}}, "name.fr"),
    ({**NEW_SERVICE, "name": {**NAME, "es": "   "}}, "name.es"),
    ({**NEW_SERVICE, "prefix": "A"}, "prefix"),  # the registry's line: not the passports agency's
    ({**NEW_SERVICE, "prefix": "BOX"}, "prefix"),  # O reads as 0 on a ticket
    ({**NEW_SERVICE, "prefix": "a1"}, "prefix"),
    ({**NEW_SERVICE, "code": "birth"}, "code"),
    ({**NEW_SERVICE, "code": "Bad Code"}, "code"),
    ({**NEW_SERVICE, "duration_min": 0}, "duration_min"),
    ({**NEW_SERVICE, "documents": {"en": ["Photo"]}}, "documents.es"),
    ({**NEW_SERVICE, "bookable": "yes"}, "bookable"),
])
def test_a_refusal_names_its_field_and_changes_nothing(api, admin, body, field):
    before = snapshot()
    response = api.post("/api/v1/admin/services", admin, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert snapshot() == before


def test_services_of_one_agency_share_a_line_and_moving_one_to_another_agency_keeps_lines_apart(api, admin):
    shared = api.post("/api/v1/admin/services", admin, json={**NEW_SERVICE, "prefix": "B"})  # the passport line
    assert shared.status_code == 201, shared.get_json()
    moved = api.call("PATCH", "/api/v1/admin/services/driving_licence", admin, json={"agency": "registry"})
    assert moved.status_code == 422 and "prefix" in moved.get_json()["error"]["fields"]
    both = api.call("PATCH", "/api/v1/admin/services/driving_licence", admin, json={"agency": "registry", "prefix": "A"})
    assert both.status_code == 200 and (both.get_json()["agency"], both.get_json()["prefix"]) == ("registry", "A")


def test_an_unknown_agency_is_not_found(api, admin):
    response = api.post("/api/v1/admin/services", admin, json={**NEW_SERVICE, "agency": "nowhere"})
    assert response.status_code == 404 and "nowhere" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("who, status", [("manager", 403), ("clerk", 403), (None, 401)])
def test_only_an_admin_changes_the_catalogue(api, who, status):
    token = api.staff("m1", who, skills=["birth"] if who == "clerk" else ()) if who else None
    before = snapshot()
    assert api.post("/api/v1/admin/services", token, json=NEW_SERVICE).status_code == status
    assert api.call("PATCH", "/api/v1/admin/agencies/registry", token, json={"active": False}).status_code == status
    assert snapshot() == before
    read = api.get("/api/v1/admin/services", token).status_code
    assert read == (200 if who == "manager" else status)


def test_a_service_visitors_wait_for_is_withdrawn_only_by_saying_what_becomes_of_them(api, admin):
    open_desk("HQ-01", "c1", primary=["birth", "tax"])
    waiting = [issue_ticket("HQ", "tax", by=SYSTEM, now=NOON).ticket for _ in range(2)]
    before = snapshot()
    refused = api.call("PATCH", "/api/v1/admin/services/tax", admin, json={"active": False})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "in_use"
    assert refused.get_json()["error"]["waiting"] == {"HQ": 2}
    assert snapshot() == before
    moved = api.call("PATCH", "/api/v1/admin/services/tax", admin,
                     json={"active": False, "waiting": {"action": "transfer", "to": "birth"}})
    assert moved.status_code == 200, moved.get_json()
    db.session.rollback()
    for t in waiting:
        moved_on = db.session.get(Ticket, t.id)
        assert (moved_on.status, moved_on.service.code, moved_on.number) == ("waiting", "birth", t.number)
        event = db.session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id.desc()))
        assert (event.action, event.reason, event.actor_staff_id is not None) == ("reassign", "tax", True)
    assert audit_rows("service")[-1].after["active"] is False
    assert "tax" not in [s["code"] for s in api.get("/api/v1/services").get_json()]


def test_withdrawing_with_cancel_cancels_the_waiting_tickets(api, admin):
    open_desk("HQ-01", "c1", primary=["info"])
    t = issue_ticket("HQ", "info", by=SYSTEM, now=NOON).ticket
    response = api.call("PATCH", "/api/v1/admin/services/info", admin,
                        json={"active": False, "waiting": {"action": "cancel"}})
    assert response.status_code == 200, response.get_json()
    db.session.rollback()
    assert db.session.get(Ticket, t.id).status == "cancelled"


def test_a_service_with_bookings_to_come_is_not_withdrawn_and_they_are_listed(api, admin):
    today = utcnow().date()
    free = next(s for d in range(1, 8) for s in slots("HQ", "birth", today + timedelta(days=d)) if s.available)
    booked = book("HQ", "birth", free.start, name="Ana", phone="+34612345678")
    response = api.call("PATCH", "/api/v1/admin/services/birth", admin, json={"active": False})
    assert response.status_code == 409
    assert [a["code"] for a in response.get_json()["error"]["appointments"]] == [booked.code]


def test_agencies_and_life_events(api, admin):
    names = {"en": "Transport", "es": "Transporte", "ru": "Транспорт", "ar": "النقل"}
    assert api.post("/api/v1/admin/agencies", admin, json={"code": "transport", "name": names}).status_code == 201
    busy = api.call("PATCH", "/api/v1/admin/agencies/registry", admin, json={"active": False})
    assert busy.status_code == 409 and busy.get_json()["error"]["services"] == ["birth", "tax"]
    event = {"code": "moving", "name": {"en": "Moving house", "es": "Mudanza", "ru": "Переезд", "ar": "الانتقال"},
             "services": ["info", "birth"]}
    created = api.post("/api/v1/admin/life-events", admin, json=event)
    assert created.status_code == 201 and created.get_json()["services"] == ["info", "birth"]
    changed = api.call("PATCH", "/api/v1/admin/life-events/moving", admin, json={"services": ["tax", "info"]})
    assert changed.get_json()["services"] == ["tax", "info"]
    db.session.rollback()
    moving = db.session.scalar(select(LifeEvent).where(LifeEvent.code == "moving"))
    assert [s.code for s in moving.services] == ["tax", "info"]
    assert [(r.action, r.after["services"]) for r in audit_rows("life_event")] == [
        ("create", ["info", "birth"]), ("change", ["tax", "info"])]
    bad = api.call("PATCH", "/api/v1/admin/life-events/moving", admin, json={"services": ["tax", "nope"]})
    assert bad.status_code == 422 and "services" in bad.get_json()["error"]["fields"]


def test_export_after_admin_changes_imports_with_no_difference(api, admin, runner, tmp_path):
    assert api.post("/api/v1/admin/services", admin, json=NEW_SERVICE).status_code == 201
    assert api.call("PATCH", "/api/v1/admin/services/birth", admin, json={"duration_min": 14}).status_code == 200
    exported = tmp_path / "exported.toml"
    network_cli(runner, "export", str(exported))
    assert network_cli(runner, "import", "--dry-run", str(exported)) == ["no changes"]
    result = runner.invoke(args=["init"])
    assert "changed none of its data" in result.output
    db.session.rollback()
    assert db.session.scalar(select(Service.duration_min).where(Service.code == "birth")) == 14


def test_every_display_gets_a_fresh_state_when_the_catalogue_changes(api, admin, live_server):
    from tests.sockets import Screen

    displays = [Screen(live_server, "/display", f"centre={c}", api.device("display", c)) for c in ("HQ", "NYC")]
    try:
        versions = [d.next("state")["catalogue"] for d in displays]
        assert api.call("PATCH", "/api/v1/admin/services/birth", admin, json={"duration_min": 12}).status_code == 200
        for d, version in zip(displays, versions):
            assert d.next("state", where=lambda s: s["catalogue"] != version)["catalogue"] == version + 1
    finally:
        for d in displays:
            d.close()


def test_a_unique_row_written_meanwhile_is_a_conflict_not_a_server_error(api):
    """Two admins adding the same code at once (PostgreSQL lets both pass the check): the loser's
    transaction is rolled back and refused as changed_meanwhile (409), nothing half-written."""
    from queue_app.domain.errors import ChangedMeanwhile
    from queue_app.models import Agency
    from queue_app.refusals import http_status
    from queue_app.services.tx import atomic

    @atomic
    def add_twice():  # what the loser of the race does: its check saw no row, its insert meets one
        db.session.add(Agency(code="transport", name={"en": "Transport"}))
        db.session.flush()
        db.session.add(Agency(code="transport", name={"en": "Transport"}))

    with pytest.raises(ChangedMeanwhile) as refused:
        add_twice()
    assert http_status(refused.value) == 409
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Agency).where(Agency.code == "transport")) == 0


def test_a_ticket_answer_shows_the_documents_an_admin_just_changed(api, admin):
    """A ticket's answer takes its service's code, name and documents from the cached catalogue:
    an admin's change shows in the very next answer, in the ticket and in its visit's steps."""
    clerk = api.staff("clara", skills=["birth"])
    assert api.post("/api/v1/counters/HQ-01/open", clerk, json={}).status_code == 200
    kiosk = api.device()
    first = api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).get_json()
    called = api.post("/api/v1/counters/HQ-01/call-next", clerk).get_json()
    assert called["id"] == first["id"] and called["service"] == "birth"
    documents = {"en": ["Passport of each parent"], "es": ["Pasaporte"], "ru": ["Паспорт"], "ar": ["جواز السفر"]}
    assert called["documents"] != documents
    changed = api.call("PATCH", "/api/v1/admin/services/birth", admin, json={"documents": documents})
    assert changed.status_code == 200, changed.get_json()
    started = api.post(f"/api/v1/tickets/{first['id']}/start", clerk).get_json()
    assert started["documents"] == documents and started["steps"][0]["service"] == "birth"
