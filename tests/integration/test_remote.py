"""Joining today's queue from home: the API's answer, each refusal with its code, the per-phone limit
under concurrency, the arrival cap against a hand-computed estimate, and the per-client rate limit."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from queue_app.domain.access import SYSTEM
import queue_app.services.remote as remote_service
from queue_app.domain.remote import RemoteRefused
from queue_app.extensions import db
from queue_app.models import PrintJob, Service, Setting, StaffSkill, Ticket
from queue_app.services import call_next, finish, issue_ticket, start, transfer
from queue_app.services.lookup import forget_catalogue
from queue_app.services.remote import join_remotely
from tests.conftest import NOON, error_of, open_desk
from tests.integration.test_concurrency import run_threads
from tests.sockets import Screen

PHONE = "+34 612 345 678"
NEW_YORK = ZoneInfo("America/New_York")


def join(api, centre="HQ", **body):
    return api.post(f"/api/v1/centres/{centre}/remote-tickets", json={"service": "birth", "phone": PHONE, **body})


def tickets() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def set_rules(**rules) -> None:
    value = {"enabled": True, "per_phone_per_day": 1, "max_ahead_min": 90, **rules}
    db.session.merge(Setting(key="remote", value=value))
    db.session.commit()
    forget_catalogue()


def test_a_visitor_joins_from_home_and_gets_a_live_ticket_without_paper(api):
    open_desk("HQ-07", "c7", primary=["birth"])
    response = join(api, language="es")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "token", "number", "service", "status", "position", "estimated_wait_min",
                         "issued_at", "status_url", "print_job", "steps", "estimated_wait_range_min"}
    assert (body["number"], body["service"], body["status"], body["position"]) == ("A001", "birth", "waiting", 1)
    assert body["estimated_wait_min"] == 0 and body["print_job"] is None
    assert body["status_url"] == f"http://localhost/t/{body['token']}"
    ticket = db.session.get(Ticket, body["id"])
    assert (ticket.source, ticket.phone, ticket.language) == ("remote", "+34612345678", "es")
    assert db.session.scalar(select(func.count()).select_from(PrintJob)) == 0
    status = api.get(f"/api/v1/tickets/{body['token']}").get_data(as_text=True)
    assert "612" not in status  # the live status never shows the phone


@pytest.mark.parametrize("body, field", [
    ({"service": "birth"}, "phone"),
    ({"service": "birth", "phone": "612 345 678"}, "phone"),  # no country code
    ({"service": "birth", "phone": "+34 12"}, "phone"),
    ({"phone": PHONE}, "service"),
    ({"service": "birth", "phone": PHONE, "priority": True}, "priority"),  # no self-declared priority from home
])
def test_a_bad_body_is_refused_with_its_field_and_changes_nothing(api, body, field):
    open_desk("HQ-07", "c7", primary=["birth"])
    response = api.post("/api/v1/centres/HQ/remote-tickets", json=body)
    assert error_of(response) == (422, "invalid")
    assert field in response.get_json()["error"]["fields"]
    assert tickets() == 0


def test_an_unknown_centre_is_404(api):
    assert error_of(join(api, centre="XX")) == (404, "not_found")


def test_an_unknown_language_is_refused(api):
    open_desk("HQ-07", "c7", primary=["birth"])
    assert error_of(join(api, language="fr")) == (422, "invalid")
    assert tickets() == 0


def test_only_a_service_the_centre_offers(api):
    open_desk("HQ-07", "c7", primary=["birth"])
    assert error_of(join(api, service="nothing")) == (422, "service_not_offered")
    # Nobody at HQ holds the passport skill any more: HQ does not offer it.
    passport = db.session.scalar(select(Service.id).where(Service.code == "passport"))
    db.session.execute(delete(StaffSkill).where(StaffSkill.service_id == passport))
    db.session.commit()
    assert error_of(join(api, service="passport")) == (422, "service_not_offered")
    assert tickets() == 0


def test_not_while_the_centre_is_closed(api, monkeypatch):
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=NEW_YORK)
    monkeypatch.setattr(remote_service, "utcnow", lambda: sunday)
    response = join(api, centre="NYC")
    assert error_of(response) == (409, "centre_closed")
    assert tickets() == 0


def test_not_when_joining_from_home_is_switched_off(api):
    open_desk("HQ-07", "c7", primary=["birth"])
    set_rules(enabled=False)
    assert error_of(join(api)) == (409, "remote_disabled")
    assert tickets() == 0


def test_not_while_no_counter_serves_the_service(api):
    open_desk("HQ-07", "c7", primary=["tax"])  # open, but not for births
    response = join(api)
    assert error_of(response) == (409, "not_served_now")
    assert "book an appointment" in response.get_json()["error"]["message"]
    assert tickets() == 0


def test_one_live_remote_ticket_per_phone_and_centre_day(api):
    open_desk("HQ-07", "c7", primary=["birth", "tax"])
    first = join(api)
    assert first.status_code == 201
    # The same number written another way is the same phone.
    assert error_of(join(api, phone="+34612345678", service="tax")) == (409, "phone_limit")
    assert tickets() == 1
    assert join(api, phone="+34 612 345 679").status_code == 201  # another phone
    # Once the first visit is over, the phone may join again the same day.
    ticket_id = first.get_json()["id"]
    assert call_next("HQ-07", by=SYSTEM).id == ticket_id
    start(ticket_id, by=SYSTEM)
    finish(ticket_id, "resolved", by=SYSTEM)
    assert join(api).status_code == 201


def test_the_limit_counts_only_remote_tickets_and_follows_the_setting(api):
    open_desk("HQ-07", "c7", primary=["birth"])
    issue_ticket("HQ", "birth", phone="+34612345678", by=SYSTEM)  # taken at the kiosk: not a remote place
    assert join(api).status_code == 201
    set_rules(per_phone_per_day=2)
    assert join(api).status_code == 201
    assert error_of(join(api)) == (409, "phone_limit")


def test_the_arrival_cap_against_a_hand_computed_estimate(api):
    """One counter serves births (10 min each) and is free: a newcomer behind n births waits 10·n min.

    Nine ahead: 90 min, exactly the cap of 90: taken. The tenth place would wait 100 min: refused.
    """
    open_desk("HQ-07", "c7", primary=["birth"])
    for _ in range(9):
        issue_ticket("HQ", "birth", by=SYSTEM)
    taken = join(api)
    assert taken.status_code == 201, taken.get_json()
    assert (taken.get_json()["position"], taken.get_json()["estimated_wait_min"]) == (10, 90)
    refused = join(api, phone="+34 612 345 679")
    assert error_of(refused) == (409, "too_far_ahead")
    message = refused.get_json()["error"]["message"]
    assert "100 min" in message and "come later" in message and "book an appointment" in message
    assert tickets() == 10
    set_rules(max_ahead_min=120)  # the cap is the setting's
    assert join(api, phone="+34 612 345 679").status_code == 201


def test_not_when_the_centre_closes_before_the_turn(ctx):
    before_closing = datetime(2026, 11, 23, 16, 55, tzinfo=NEW_YORK)  # a Monday; NYC closes at 17:00
    open_desk("NYC-01", "n1", primary=["birth"], now=before_closing - timedelta(hours=6))
    issued = join_remotely("NYC", "birth", PHONE, now=before_closing)  # counter free: served at once
    assert issued.estimated_wait_min == 0
    with pytest.raises(RemoteRefused) as refused:  # behind a 10-minute visit, after closing
        join_remotely("NYC", "birth", "+34 612 345 679", now=before_closing)
    assert refused.value.code == "closes_too_soon"


def test_yesterdays_tickets_do_not_count(ctx):
    open_desk("HQ-07", "c7", primary=["birth"])
    join_remotely("HQ", "birth", PHONE, now=NOON - timedelta(days=1))
    assert join_remotely("HQ", "birth", PHONE, now=NOON).ticket.service_day == NOON.date()


def test_two_joins_of_one_phone_at_once_take_one_place(ctx):
    open_desk("HQ-07", "c7", primary=["birth"])

    def attempt(i: int):
        try:
            return join_remotely("HQ", "birth", PHONE if i % 2 else "+34612345678", now=NOON).ticket.id
        except RemoteRefused as refusal:
            return refusal.code

    results = run_threads(ctx, 8, attempt)
    assert sorted(r for r in results if isinstance(r, str)) == ["phone_limit"] * 7
    phones = db.session.scalars(select(Ticket.phone).where(Ticket.source == "remote")).all()
    assert phones == ["+34612345678"]


def test_different_phones_at_once_each_get_a_place(ctx):
    open_desk("HQ-07", "c7", primary=["birth"])
    results = run_threads(ctx, 6, lambda i: join_remotely("HQ", "birth", f"+34 6000000{i:02d}", now=NOON).ticket.number)
    assert sorted(results) == [f"A{i:03d}" for i in range(1, 7)]


def test_joins_are_rate_limited_per_client(api, ctx, monkeypatch):
    open_desk("HQ-07", "c7", primary=["birth"])
    monkeypatch.setitem(ctx.config, "ONEDOOR_REMOTE_RATE_LIMIT", "2/minute")
    client = {"REMOTE_ADDR": "10.9.9.7"}
    post = lambda **body: api.post("/api/v1/centres/HQ/remote-tickets", environ_base=client,  # noqa: E731
                                   json={"service": "birth", **body})
    answers = [
        post(phone="+34 600000001"),
        post(phone="not a phone"),  # a typo does not use the allowance up
        post(phone="+34 600000001"),  # a refusal by the rules does
        post(phone="+34 600000002"),
    ]
    assert [a.status_code for a in answers] == [201, 422, 409, 429]
    assert error_of(answers[-1]) == (429, "rate_limited")
    other = api.post("/api/v1/centres/HQ/remote-tickets", environ_base={"REMOTE_ADDR": "10.9.9.6"},
                     json={"service": "birth", "phone": "+34 600000002"})
    assert other.status_code == 201  # the limit is per client
    assert tickets() == 2


def test_the_openapi_document_lists_the_refusals(api):
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    post = paths["/api/v1/centres/{centre}/remote-tickets"]["post"]
    assert {"201", "404", "409", "422", "429"} <= set(post["responses"])
    assert "too_far_ahead" in post["responses"]["409"]["description"]


def test_the_setting_comes_from_the_config_file(ctx, network):
    assert db.session.get(Setting, "remote").value == {"enabled": True, "per_phone_per_day": 1, "max_ahead_min": 90}
    assert network.remote.max_ahead_min == 90


# ---- the /join page (server-rendered, works without JavaScript) ---------------------------------

def join_form(client, lang: str = "en") -> str:
    page = client.get(f"/join?lang={lang}")
    assert page.status_code == 200
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def post_join(client, csrf, **data):
    return client.post("/join", data={"csrf_token": csrf, "centre": "HQ", "service": "birth", "phone": PHONE, **data},
                       environ_base={"REMOTE_ADDR": "10.9.9.5"})


def test_the_join_page_lists_centres_with_open_now_and_waits(client):
    open_desk("HQ-07", "c7", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM)
    text = client.get("/join").get_data(as_text=True)
    assert "Headquarters" in text and "New York" in text
    assert "Waiting: 1" in text and "about 10 min" in text
    assert 'type="radio" name="centre" id="centre-HQ" value="HQ"' in text


def test_the_join_page_takes_a_ticket_and_goes_to_its_status_page(client):
    open_desk("HQ-07", "c7", primary=["birth"])
    csrf = join_form(client, "es")
    response = post_join(client, csrf)
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert response.headers["Location"] == f"/t/{ticket.token}"
    assert (ticket.source, ticket.phone, ticket.language) == ("remote", "+34612345678", "es")
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A001" in status and "Sede central" in status  # the ticket's page speaks the visitor's language
    assert "612" not in status


def test_the_join_page_needs_its_csrf_token(client):
    open_desk("HQ-07", "c7", primary=["birth"])
    join_form(client)
    assert post_join(client, "forged").status_code == 400
    assert tickets() == 0


@pytest.mark.parametrize("data, message", [
    ({"phone": "612"}, "Escriba el número en formato internacional"),
    ({"phone": ""}, "Para unirse desde casa hace falta un número de teléfono."),
    ({"service": ""}, "Elija un trámite."),
    ({"centre": "XX"}, "Elija un centro."),
])
def test_the_join_page_marks_a_mistyped_field(client, data, message):
    open_desk("HQ-07", "c7", primary=["birth"])
    response = post_join(client, join_form(client, "es"), **data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert 'aria-invalid="true"' in text or 'aria-describedby="centre-error"' in text
    assert tickets() == 0


def test_the_join_page_says_why_the_rules_refuse(client):
    open_desk("HQ-07", "c7", primary=["birth"])
    for _ in range(10):
        issue_ticket("HQ", "birth", by=SYSTEM)
    response = post_join(client, join_form(client, "ru"))
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "больше 90 минут" in text and 'href="/book"' in text
    assert 'value="+34612345678"' in text  # the form keeps what was typed
    assert tickets() == 10


def test_the_join_page_shares_the_per_client_allowance(client, ctx, monkeypatch):
    open_desk("HQ-07", "c7", primary=["birth"])
    monkeypatch.setitem(ctx.config, "ONEDOOR_REMOTE_RATE_LIMIT", "1/minute")
    csrf = join_form(client)
    assert post_join(client, csrf).status_code == 302
    answer = post_join(client, csrf, phone="+34 612 345 679")
    assert answer.status_code == 429
    assert "Too many tickets were asked for from this connection" in answer.get_data(as_text=True)
    api_answer = client.post("/api/v1/centres/HQ/remote-tickets", environ_base={"REMOTE_ADDR": "10.9.9.5"},
                             json={"service": "birth", "phone": "+34 612 345 679"})
    assert error_of(api_answer) == (429, "rate_limited")
    assert tickets() == 1


# ---- the status page's socket --------------------------------------------------------------------

def test_the_visitor_socket_takes_the_token_in_the_auth_payload_and_hears_the_call(ctx, live_server):
    open_desk("HQ-07", "c7", primary=["birth"])
    mine = join_remotely("HQ", "birth", PHONE).ticket
    visitor = Screen(live_server, "/ticket", "", mine.token)  # no ?token=: only the auth payload
    try:
        first = visitor.next("ticket_status")
        assert (first["number"], first["status"], first["ahead"]) == ("A001", "waiting", 0)
        assert "phone" not in first and "612" not in str(first)
        call_next("HQ-07", by=SYSTEM)
        called = visitor.next("ticket_status", where=lambda d: d["status"] == "called")
        assert called["counter"] == {"code": "HQ-07", "name": "7"}
    finally:
        visitor.client.disconnect()


def test_after_a_transfer_the_visitor_socket_follows_the_ticket_it_became(ctx, live_server):
    open_desk("HQ-07", "c7", primary=["birth", "passport"])
    first = join_remotely("HQ", "birth", PHONE).ticket
    call_next("HQ-07", by=SYSTEM)
    start(first.id, by=SYSTEM)
    second = transfer(first.id, "passport", by=SYSTEM)
    visitor = Screen(live_server, "/ticket", "", first.token)  # the page reconnects with its own token
    try:
        assert visitor.next("ticket_status")["service"] == "passport"
        assert call_next("HQ-07", by=SYSTEM).id == second.id
        called = visitor.next("ticket_status", where=lambda d: d["status"] == "called")
        assert called["number"] == first.number and called["counter"]["name"] == "7"
    finally:
        visitor.client.disconnect()


def test_a_visit_of_several_services_is_joined_from_home_as_one_ticket(api):
    open_desk("HQ-07", "c7", primary=["birth", "tax"])
    response = api.post("/api/v1/centres/HQ/remote-tickets",
                        json={"services": ["birth", "tax"], "phone": PHONE})
    body = response.get_json()
    assert response.status_code == 201, body
    assert [(s["service"], s["status"]) for s in body["steps"]] == [("birth", "waiting"), ("tax", "pending")]
    ticket = db.session.get(Ticket, body["id"])
    assert ticket.contact_hash and PHONE not in ticket.contact_hash and "612345678" not in ticket.contact_hash
    db.session.add(Service(code="orphan", agency_id=1, prefix="Z", name={"en": "Orphan"}, duration_min=5))
    db.session.commit()
    forget_catalogue()
    refused = api.post("/api/v1/centres/HQ/remote-tickets",
                       json={"services": ["birth", "orphan"], "phone": "+34 612 000 111"})
    assert error_of(refused) == (422, "service_not_offered") and tickets() == 1  # no clerk of HQ holds it


def test_the_join_page_joins_a_visit_of_several_services_as_one_ticket(client):
    open_desk("HQ-07", "c7", primary=["birth", "passport", "tax"])
    page = client.get("/join").get_data(as_text=True)
    assert page.count('class="service-choice"') == 5  # the first service and four later steps
    csrf = join_form(client, "ru")
    response = post_join(client, csrf, **{"more-0": "tax", "more-1": "", "more-2": "passport"})
    assert response.status_code == 302, response.get_data(as_text=True)
    ticket = db.session.scalar(select(Ticket))
    assert ticket.service.code == "birth" and ticket.next_steps == [
        db.session.scalar(select(Service.id).where(Service.code == code)) for code in ("tax", "passport")]
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Налоговый вопрос" in status and "Замена паспорта" in status


@pytest.mark.parametrize("more, message", [
    ({"more-0": "birth"}, "Выберите каждую услугу один раз"),
    ({"more-0": "nothing"}, "Выберите услугу."),
])
def test_the_join_page_refuses_a_visit_naming_a_service_twice_or_unknown(client, more, message):
    open_desk("HQ-07", "c7", primary=["birth", "tax"])
    response = post_join(client, join_form(client, "ru"), **more)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert tickets() == 0
