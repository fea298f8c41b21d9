"""Public API: the catalogue, centres, counters and a ticket's status; JSON refusals."""
import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Ticket
from queue_app.services import call_next, issue_ticket, start, transfer
from tests.conftest import error_of, open_desk


def test_catalogue(api):
    services = api.get("/api/v1/services").get_json()
    assert [s["code"] for s in services] == ["birth", "passport", "tax", "info"]
    birth = services[0]
    assert birth["prefix"] == "A" and birth["agency"] == "registry" and birth["name"]["ru"] == "Регистрация рождения"
    assert birth["documents"]["es"] == ["Certificado médico de nacimiento"]
    assert api.get("/api/v1/life-events").get_json() == [
        {"code": "newborn", "name": {"en": "Birth of a child", "es": "Nacimiento de un hijo", "ru": "Рождение ребёнка",
                                     "ar": "ولادة طفل"},
         "services": ["birth", "passport"]}]
    assert [a["code"] for a in api.get("/api/v1/agencies").get_json()] == ["passports", "registry"]
    assert api.get("/api/v1/languages").get_json()[2] == {"code": "ru", "name": "Русский"}


def test_centres_show_open_now_waiting_and_wait(api):
    open_desk("HQ-01", "c1", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM)
    issue_ticket("HQ", "birth", by=SYSTEM)
    centres = {c["code"]: c for c in api.get("/api/v1/centres").get_json()}
    hq = centres["HQ"]
    assert (hq["open_now"], hq["hours_today"], hq["waiting"], hq["timezone"]) == (True, "00:00-24:00", 2, "Europe/Moscow")
    assert hq["estimated_wait_min"] is not None
    assert centres["NYC"]["waiting"] == 0
    assert api.get("/api/v1/centres/NYC").get_json()["target_wait_min"] == 10


def test_counters_list_has_no_staff_names(api):
    open_desk("HQ-02", "secretclerk", primary=["birth"])
    counters = api.get("/api/v1/centres/HQ/counters").get_json()
    assert len(counters) == 40
    assert counters[1] == {"code": "HQ-02", "number": 2, "name": "2", "open": True, "state": "open"}
    assert "secretclerk" not in api.get("/api/v1/centres/HQ/counters").get_data(as_text=True)


def test_status_by_token_shows_nothing_personal(api):
    open_desk("HQ-01", "c1", primary=["birth"])
    t = issue_ticket("HQ", "birth", phone="+79991234567", language="ru", by=SYSTEM).ticket
    issue_ticket("HQ", "birth", by=SYSTEM)
    body = api.get(f"/api/v1/tickets/{t.token}").get_json()
    assert body["number"] == "A001" and body["status"] == "waiting" and body["position"] == 1 and body["ahead"] == 0
    assert body["service_name"]["ru"] == "Регистрация рождения" and body["counter"] is None
    assert "7999" not in api.get(f"/api/v1/tickets/{t.token}").get_data(as_text=True)
    call_next("HQ-01", by=SYSTEM)
    called = api.get(f"/api/v1/tickets/{t.token}").get_json()
    assert called["status"] == "called" and called["counter"] == {"code": "HQ-01", "name": "1"}


def test_status_follows_a_transfer(api):
    open_desk("HQ-01", "c1", primary=["birth"])
    t = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    call_next("HQ-01", by=SYSTEM)
    start(t.id, by=SYSTEM)
    transfer(t.id, "passport", by=SYSTEM)
    body = api.get(f"/api/v1/tickets/{t.token}").get_json()
    assert (body["number"], body["service"], body["status"]) == ("A001", "passport", "waiting")


@pytest.mark.parametrize(
    ("method", "url", "kw", "status", "code"),
    [
        ("GET", "/api/v1/tickets/not-a-real-token", {}, 404, "not_found"),
        ("GET", "/api/v1/centres/XX", {}, 404, "not_found"),
        ("GET", "/api/v1/centres/XX/counters", {}, 404, "not_found"),
        ("GET", "/api/v1/no/such/thing", {}, 404, "not_found"),
        ("DELETE", "/api/v1/services", {}, 405, "method_not_allowed"),
        ("POST", "/api/v1/auth/token", {"data": "user=a", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ("POST", "/api/v1/auth/token", {"data": "{not json", "content_type": "application/json"}, 400, "malformed_json"),
        ("POST", "/api/v1/auth/token", {"json": {"username": "a", "password": "b", "extra": 1}}, 422, "invalid"),
        ("POST", "/api/v1/auth/token", {"json": {"username": "a" * 41, "password": "b"}}, 422, "invalid"),
        ("POST", "/api/v1/auth/token", {"json": {"username": "a", "password": "x" * 70000}}, 413, "too_large"),
        ("GET", "/api/v1/centres/HQ/stats?date=yesterday", {}, 401, "unauthorized"),
    ],
)
def test_refusals_are_json_4xx(api, method, url, kw, status, code):
    response = api.call(method, url, **kw)
    assert error_of(response) == (status, code)


def test_validation_names_the_field(api):
    body = api.post("/api/v1/auth/token", json={"username": "x"}).get_json()
    assert body["error"]["fields"] == {"password": "Missing data for required field."}
    assert "password" in body["error"]["message"]


def test_openapi_document_is_served_and_describes_the_contract(api):
    spec = api.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/centres/{centre}/tickets", "/api/v1/counters/{counter}/call-next",
                 "/api/v1/tickets/{ticket_id}/finish", "/api/v1/centres/{centre}/queue", "/api/v1/auth/token"):
        assert path in spec["paths"], path
    issue = spec["paths"]["/api/v1/centres/{centre}/tickets"]["post"]
    assert issue["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert "requestBody" in issue and {"201", "401", "403", "422"} <= set(issue["responses"])
    assert set(spec["components"]["securitySchemes"]) == {"bearerAuth", "cookieAuth"}


def test_a_refused_request_changes_nothing(api):
    kiosk = api.device()
    before = db.session.scalar(select(func.count()).select_from(Ticket))
    for body in ({"service": "birth", "phone": "12"}, {"service": "birth", "language": "fr"},
                 {"service": "nothing"}, {"service": "birth", "priority": "maybe"}, {}):
        response = api.post("/api/v1/centres/HQ/tickets", kiosk, json=body)
        assert response.status_code == 422, (body, response.get_json())
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == before


@pytest.mark.parametrize(
    ("method", "url", "kw", "status"),
    [
        ("GET", "/api/v1/centres/A%00B", {}, 400),
        ("GET", "/api/v1/centres/A%00B/counters", {}, 400),
        ("GET", "/api/v1/tickets/a%00b", {}, 400),
        ("GET", "/api/v1/counters/A%00B", {}, 400),
        ("GET", "/api/v1/centres/HQ?x=%00", {}, 400),
        ("POST", "/api/v1/auth/token", {"json": {"username": "a\x00b", "password": "x"}}, 400),
        ("POST", "/api/v1/tickets/9223372036854775808/recall", {}, 404),
        ("POST", "/api/v1/tickets/2147483648/start", {}, 404),
        ("POST", "/api/v1/tickets/0/start", {}, 404),
    ],
)
def test_nul_characters_and_huge_ids_are_4xx_not_5xx(api, method, url, kw, status):
    """Found by schemathesis: PostgreSQL cannot hold NUL and ids are 32-bit."""
    assert api.call(method, url, **kw).status_code == status


def test_unknown_query_parameters_are_refused(api):
    token = api.staff("mona", "manager", centres=["HQ"])
    assert error_of(api.get("/api/v1/centres/HQ/stats?foo=1", token)) == (422, "invalid")


def test_the_login_page_survives_a_nul_username(client):
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "a\x00b", "password": "x", "csrf_token": csrf})
    assert response.status_code == 400  # not text: refused before the form is read (queue_app/parsing.py)
