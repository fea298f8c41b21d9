"""Visits through the API (SPEC §5, §11): `services` on issue, `steps` on the status, steps added and
dropped, the note, "continue here", the counter's waiting list and "call this one"; refusals as JSON."""
import pytest
from sqlalchemy import func, select

from queue_app.extensions import db
from queue_app.models import Service, Ticket, TicketEvent
from tests.conftest import error_of


@pytest.fixture
def desk(api):
    """A kiosk of HQ and a clerk at HQ-01 serving birth, passport and tax (tokens)."""
    kiosk = api.device()
    clerk = api.staff("cleo", skills=["birth", "passport", "tax"])
    assert api.post("/api/v1/counters/HQ-01/open", clerk, json={}).status_code == 200
    return kiosk, clerk


def issue(api, kiosk, **body):
    return api.post("/api/v1/centres/HQ/tickets", kiosk, json=body)


def test_a_visit_is_issued_as_one_ticket_with_its_steps(api, desk):
    kiosk, _ = desk
    response = issue(api, kiosk, services=["birth", "passport", "tax"], language="es")
    body = response.get_json()
    assert response.status_code == 201, body
    assert body["number"] == "A001" and body["service"] == "birth"
    assert [(s["step"], s["service"], s["status"]) for s in body["steps"]] == [
        (1, "birth", "waiting"), (2, "passport", "pending"), (3, "tax", "pending")]
    status = api.get(f"/api/v1/tickets/{body['token']}").get_json()
    assert status["step"] == 1 and [s["service"] for s in status["steps"]] == ["birth", "passport", "tax"]
    assert status["steps"][1]["service_name"]["es"]
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


@pytest.mark.parametrize("body", [
    {"services": []},
    {"services": ["birth", "passport", "tax", "info", "birth", "passport"]},
    {"services": ["birth", "birth"]},
    {"services": ["birth", "Not a code"]},
    {"service": "birth", "services": ["passport"]},
    {"services": ["birth", "nonesuch"]},
    {},
])
def test_a_bad_visit_is_refused_as_422_and_nothing_is_issued(api, desk, body):
    kiosk, _ = desk
    assert error_of(issue(api, kiosk, **body))[0] == 422
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_visit_with_a_step_nobody_serves_today_is_refused_naming_it(api, desk):
    kiosk, _ = desk
    db.session.add(Service(code="orphan", agency_id=1, prefix="Z", name={"en": "Orphan"}, duration_min=5))
    db.session.commit()
    response = issue(api, kiosk, services=["birth", "orphan"])
    assert error_of(response) == (409, "not_served_today")
    assert "orphan" in response.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_clerk_finishes_a_step_and_the_visit_goes_on(api, desk):
    kiosk, clerk = desk
    ticket = issue(api, kiosk, services=["birth", "passport"]).get_json()
    called = api.post("/api/v1/counters/HQ-01/call-next", clerk).get_json()
    assert called["id"] == ticket["id"] and called["next_steps"] == ["passport"] and called["step"] == 1
    api.post(f"/api/v1/tickets/{called['id']}/start", clerk)
    done = api.post(f"/api/v1/tickets/{called['id']}/finish", clerk, json={"outcome": "resolved"})
    body = done.get_json()
    assert done.status_code == 200 and body["status"] == "done" and body["next_ticket"]
    assert [(s["service"], s["status"]) for s in body["steps"]] == [("birth", "done"), ("passport", "waiting")]
    status = api.get(f"/api/v1/tickets/{ticket['token']}").get_json()
    assert (status["step"], status["service"], status["status"], status["position"]) == (2, "passport", "waiting", 1)


def test_continue_here_and_the_clerks_changes_to_the_steps(api, desk):
    kiosk, clerk = desk
    ticket = issue(api, kiosk, services=["birth", "passport"]).get_json()
    tid = api.post("/api/v1/counters/HQ-01/call-next", clerk).get_json()["id"]
    api.post(f"/api/v1/tickets/{tid}/start", clerk)
    added = api.post(f"/api/v1/tickets/{tid}/steps", clerk, json={"service": "tax"})
    assert added.status_code == 201 and added.get_json()["next_steps"] == ["passport", "tax"]
    assert error_of(api.post(f"/api/v1/tickets/{tid}/steps", clerk, json={"service": "tax"})) == (409, "duplicate_step")
    assert error_of(api.post(f"/api/v1/tickets/{tid}/steps", clerk, json={"service": "nonesuch"}))[0] == 422
    dropped = api.call("DELETE", f"/api/v1/tickets/{tid}/steps/passport", clerk)
    assert dropped.status_code == 200 and dropped.get_json()["next_steps"] == ["tax"]
    assert error_of(api.call("DELETE", f"/api/v1/tickets/{tid}/steps/passport", clerk)) == (404, "not_found")
    noted = api.call("PUT", f"/api/v1/tickets/{tid}/note", clerk, json={"note": "Form 12 signed"})
    assert noted.get_json()["note"] == "Form 12 signed"
    assert error_of(api.call("PUT", f"/api/v1/tickets/{tid}/note", clerk, json={"note": "x" * 281}))[0] == 422
    body = api.post(f"/api/v1/tickets/{tid}/finish", clerk, json={"outcome": "resolved", "continue_here": True}).get_json()
    current = api.get("/api/v1/counters/HQ-01/current", clerk).get_json()
    assert current["id"] == body["next_ticket"] != tid
    assert (current["status"], current["service"], current["note"], current["step"]) == ("called", "tax", "Form 12 signed", 2)
    assert api.get(f"/api/v1/tickets/{ticket['token']}").get_json()["counter"]["code"] == "HQ-01"


def test_a_visit_over_takes_no_more_steps(api, desk):
    kiosk, clerk = desk
    issue(api, kiosk, service="birth")
    tid = api.post("/api/v1/counters/HQ-01/call-next", clerk).get_json()["id"]
    api.post(f"/api/v1/tickets/{tid}/start", clerk)
    api.post(f"/api/v1/tickets/{tid}/finish", clerk, json={"outcome": "resolved"})
    assert error_of(api.post(f"/api/v1/tickets/{tid}/steps", clerk, json={"service": "tax"})) == (409, "visit_over")


def test_the_counter_lists_its_waiting_and_calls_a_named_one(api, desk):
    kiosk, clerk = desk
    first = issue(api, kiosk, services=["passport", "tax"]).get_json()
    second = issue(api, kiosk, service="passport").get_json()
    issue(api, kiosk, service="info")  # not this counter's
    listed = api.get("/api/v1/counters/HQ-01/waiting", clerk).get_json()["tickets"]
    assert [(t["number"], t["step"], t["steps"]) for t in listed] == [(first["number"], 1, 2), (second["number"], 1, 1)]
    called = api.post("/api/v1/counters/HQ-01/call", clerk, json={"ticket": second["id"]})
    assert called.status_code == 200 and called.get_json()["id"] == second["id"]
    assert error_of(api.post("/api/v1/counters/HQ-01/call", clerk, json={"ticket": first["id"]})) == (409, "counter_busy")
    reason = db.session.scalar(select(TicketEvent.reason).where(TicketEvent.ticket_id == second["id"], TicketEvent.action == "call"))
    actor = db.session.scalar(select(TicketEvent.actor_staff_id).where(TicketEvent.ticket_id == second["id"], TicketEvent.action == "call"))
    assert reason == "named" and actor is not None


def test_a_named_ticket_that_no_longer_waits_is_not_called(api, desk):
    """The call holds only while the ticket still waits (one conditional UPDATE): a cancelled one
    is refused in words, stays cancelled, and the counter stays free to call."""
    from queue_app.services import SYSTEM, cancel

    kiosk, clerk = desk
    gone = issue(api, kiosk, service="passport").get_json()
    cancel(gone["id"], by=SYSTEM)
    refused = api.post("/api/v1/counters/HQ-01/call", clerk, json={"ticket": gone["id"]})
    assert error_of(refused) == (409, "illegal_transition")
    db.session.expire_all()
    ticket = db.session.get(Ticket, gone["id"])
    assert (ticket.status, ticket.counter_id, ticket.called_at) == ("cancelled", None, None)
    assert db.session.scalar(select(func.count()).select_from(TicketEvent).where(
        TicketEvent.ticket_id == gone["id"], TicketEvent.action == "call")) == 0
    waiting = issue(api, kiosk, service="passport").get_json()
    assert api.post("/api/v1/counters/HQ-01/call-next", clerk).get_json()["id"] == waiting["id"]


def test_another_centres_clerk_cannot_touch_a_visit(api, desk):
    kiosk, _ = desk
    ticket = issue(api, kiosk, services=["birth", "passport"]).get_json()
    stranger = api.staff("nyc", centres=["NYC"], skills=["birth"])
    assert error_of(api.post(f"/api/v1/tickets/{ticket['id']}/steps", stranger, json={"service": "tax"}))[0] == 403
    assert error_of(api.get("/api/v1/counters/HQ-01/waiting", stranger))[0] == 403


def test_a_clerk_sends_a_visitor_to_a_named_counter_or_clerk(api, desk):
    kiosk, clerk = desk
    other = api.staff("otto", skills=["birth", "passport"])
    assert api.post("/api/v1/counters/HQ-02/open", other, json={}).status_code == 200
    ticket = issue(api, kiosk, service="birth").get_json()
    api.post("/api/v1/counters/HQ-01/call-next", clerk)
    api.post(f"/api/v1/tickets/{ticket['id']}/start", clerk)
    assert error_of(api.post(f"/api/v1/tickets/{ticket['id']}/transfer", clerk, json={}))[0] == 422
    assert error_of(api.post(f"/api/v1/tickets/{ticket['id']}/transfer", clerk,
                             json={"counter": "HQ-02", "clerk": "otto"}))[0] == 422
    assert error_of(api.post(f"/api/v1/tickets/{ticket['id']}/transfer", clerk, json={"clerk": "nobody"})) == (
        409, "counter_not_open")
    sent = api.post(f"/api/v1/tickets/{ticket['id']}/transfer", clerk, json={"clerk": "otto"})
    body = sent.get_json()
    assert sent.status_code == 201 and (body["service"], body["for_counter"], body["number"]) == ("birth", "HQ-02", ticket["number"])
    assert api.post("/api/v1/counters/HQ-02/call-next", other).get_json()["id"] == body["id"]


def test_the_days_stats_count_a_visit_once_with_its_door_to_door_time(api, desk):
    kiosk, clerk = desk
    manager = api.staff("mona", "manager")
    issue(api, kiosk, services=["birth", "passport"])
    for _ in range(2):
        tid = api.post("/api/v1/counters/HQ-01/call-next", clerk).get_json()["id"]
        api.post(f"/api/v1/tickets/{tid}/start", clerk)
        api.post(f"/api/v1/tickets/{tid}/finish", clerk, json={"outcome": "resolved"})
    body = api.get("/api/v1/centres/HQ/stats", manager).get_json()
    assert (body["arrivals"], body["served"]) == (1, 2)
    visits = body["visits"]
    assert (visits["visits"], visits["over"], visits["steps_per_visit"], visits["first_visit_resolution"]) == (1, 1, 2.0, 1.0)
    assert visits["door_to_door_mean_min"] is not None and visits["door_to_door_mean_min"] >= 0
