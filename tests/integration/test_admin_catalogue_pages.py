"""The catalogue pages through the test client: an admin adds and changes services, agencies and life
events with the forms (refusals next to their field, nothing changed), withdraws a service that visitors
wait for by moving them; a manager reads the catalogue without a control to change it and is refused
the forms; a kiosk's catalogue.json answers its page's data.

The test network: HQ and NYC; agencies and services birth, passport, tax, info; languages en, es, ru, ar.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import AuditEvent, LifeEvent, Service, Ticket
from queue_app.services import create_device, issue_ticket
from queue_app.domain.access import SYSTEM
from tests.conftest import NOON, open_desk
from tests.integration.test_dashboard import sign_in

LANGS = ("en", "es", "ru", "ar")


def csrf(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def service_fields(**over) -> dict:
    fields = {"code": "pension", "agency": "", "prefix": "P", "duration_min": "12", "weight": "1", "bookable": "y"}
    fields |= {f"name_{lang}": f"Pension {lang}" for lang in LANGS}
    fields |= {f"documents_{lang}": f"Passport {lang}\nPension card {lang}" for lang in LANGS}
    return fields | over


def agency_of(code: str) -> str:
    return db.session.scalar(select(Service).where(Service.code == code)).agency.code


def test_an_admin_adds_a_service_with_every_language_and_changes_it(client):
    sign_in(client, "ada", "admin")
    agency = agency_of("birth")
    token = csrf(client, "/admin/services/new")
    response = client.post("/admin/services/new", data=service_fields(agency=agency, csrf_token=token))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    service = db.session.scalar(select(Service).where(Service.code == "pension"))
    assert service.name["ar"] == "Pension ar" and service.documents["ru"] == ["Passport ru", "Pension card ru"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity_key == "pension")).action == "create"
    page = client.get("/admin/services").get_data(as_text=True)
    assert 'data-service="pension"' in page and "Pension es" in page

    token = csrf(client, "/admin/services/pension")
    response = client.post("/admin/services/pension", data=service_fields(agency=agency, duration_min="20",
                                                                       name_es="Pensión", csrf_token=token))
    assert response.status_code == 302
    db.session.expire_all()
    service = db.session.scalar(select(Service).where(Service.code == "pension"))
    assert service.duration_min == 20 and service.name["es"] == "Pensión"


def test_a_refused_service_is_shown_next_to_its_fields_and_nothing_changes(client):
    sign_in(client, "ada", "admin")
    token = csrf(client, "/admin/services/new")
    response = client.post("/admin/services/new", data=service_fields(agency=agency_of("birth"), name_ru="",
                                                                       csrf_token=token))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name_ru-error"' in page and "text is missing" in page and 'role="alert"' in page
    assert db.session.scalar(select(Service).where(Service.code == "pension")) is None


def test_a_missing_translation_is_shown_marked(client):
    tax = db.session.scalar(select(Service).where(Service.code == "tax"))
    tax.name = {k: v for k, v in tax.name.items() if k != "ar"}
    db.session.commit()
    sign_in(client, "ada", "admin")
    page = client.get("/admin/services").get_data(as_text=True)
    row = page.split('data-service="tax"')[1].split("</tr>")[0]
    assert 'class="missing"' in row and "ar: translation missing" in row


def test_withdrawing_a_service_with_visitors_waiting_asks_and_moves_them(client):
    sign_in(client, "ada", "admin")
    open_desk("HQ-01", "c1", primary=["tax", "info"])
    issued = issue_ticket("HQ", "tax", by=SYSTEM, now=NOON).ticket
    token = csrf(client, "/admin/services/tax/withdraw")
    response = client.post("/admin/services/tax/withdraw", data={"csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "1 visitor waits at HQ" in page and 'name="to"' in page
    assert db.session.scalar(select(Service).where(Service.code == "tax")).active
    response = client.post("/admin/services/tax/withdraw",
                           data={"csrf_token": token, "action": "transfer", "to": "info"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.scalar(select(Service).where(Service.code == "tax")).active
    assert db.session.get(Ticket, issued.id).service.code == "info"


def test_agencies_and_life_events_through_their_forms(client):
    sign_in(client, "ada", "admin")
    token = csrf(client, "/admin/agencies/new")
    data = {"code": "pensions", "csrf_token": token} | {f"name_{lang}": f"Pensions {lang}" for lang in LANGS}
    assert client.post("/admin/agencies/new", data=data).status_code == 302
    token = csrf(client, "/admin/life-events/new")
    data = {"code": "retiring", "csrf_token": token, "service_0": "tax", "service_1": "birth"}
    data |= {f"name_{lang}": f"Retiring {lang}" for lang in LANGS}
    assert client.post("/admin/life-events/new", data=data).status_code == 302
    event = db.session.scalar(select(LifeEvent).where(LifeEvent.code == "retiring"))
    assert [s.code for s in event.services] == ["tax", "birth"]
    assert "Pensions ru" in client.get("/admin/agencies").get_data(as_text=True)
    assert "Retiring ar" in client.get("/admin/life-events").get_data(as_text=True)


def test_a_manager_reads_the_catalogue_without_controls_and_is_refused_the_forms(client):
    sign_in(client, "mia", "manager")
    for url in ("/admin/services", "/admin/agencies", "/admin/life-events"):
        page = client.get(url).get_data(as_text=True)
        assert "Only an administrator changes the catalogue." in page and "/withdraw" not in page
        assert "/new" not in page and "Edit" not in page, url
    for url in ("/admin/services/new", "/admin/services/tax", "/admin/services/tax/withdraw",
                "/admin/agencies/new", "/admin/life-events/new"):
        assert client.get(url).status_code == 403, url
    token = csrf(client, "/login")
    assert client.post("/admin/services/tax/withdraw", data={"csrf_token": token, "action": "cancel"}).status_code == 403
    assert db.session.scalar(select(Service).where(Service.code == "tax")).active


def test_a_kiosk_reads_its_catalogue_again_with_its_cookie(client):
    kiosk = create_device("kiosk", "HQ", name="Lobby")
    assert client.get("/kiosk/catalogue.json").status_code == 401
    client.get(f"/kiosk?token={kiosk.token}")
    answer = client.get("/kiosk/catalogue.json")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    data = answer.get_json()
    assert data["centre"] == "HQ" and isinstance(data["catalogue"], int)
    assert {s["code"] for s in data["services"]} >= {"birth", "tax"}
