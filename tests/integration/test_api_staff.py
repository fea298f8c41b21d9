"""Authenticated API: tokens, the kiosk, the counter's moves, queue and stats, roles and centres."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app.db import utcnow
from queue_app.extensions import db
from queue_app.models import PrintJob, Ticket
from queue_app.services import issue_ticket
from tests.conftest import PASSWORD, error_of


# ---- tokens -------------------------------------------------------------------------------

def test_token_for_a_password_and_its_expiry(api):
    token = api.staff("zed", "manager", centres=["HQ"])
    response = api.post("/api/v1/auth/token", json={"username": "zed", "password": PASSWORD})
    body = response.get_json()
    assert response.status_code == 201 and body["role"] == "manager" and body["token"] != token
    assert body["expires_at"].endswith("+00:00")
    assert api.get("/api/v1/centres/HQ/queue", token).status_code == 200


@pytest.mark.parametrize("password", ["wrong password", ""])
def test_wrong_password_is_401(api, password):
    api.staff("zed", "manager")
    response = api.post("/api/v1/auth/token", json={"username": "zed", "password": password})
    assert response.status_code in (401, 422)


def test_unknown_user_is_401(api):
    assert error_of(api.post("/api/v1/auth/token", json={"username": "ghost", "password": "x"})) == (401, "unauthorized")


# Each of these uses the token once first: it is then kept as verified (auth.VERIFIED_SECONDS), and
# the change must reach that too, at once.

def test_revoked_token_stops_working(api):
    token = api.staff("zed", "manager")
    assert api.get("/api/v1/centres/HQ/queue", token).status_code == 200
    assert api.call("DELETE", "/api/v1/auth/token", token).status_code == 204
    assert error_of(api.get("/api/v1/centres/HQ/queue", token)) == (401, "unauthorized")


def test_expired_token_stops_working(api):
    from queue_app.models import ApiToken

    token = api.staff("zed", "manager")
    assert api.get("/api/v1/centres/HQ/queue", token).status_code == 200
    row = db.session.scalar(select(ApiToken))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    assert error_of(api.get("/api/v1/centres/HQ/queue", token)) == (401, "unauthorized")


def test_a_token_kept_as_verified_still_expires_on_time(api):
    from queue_app.models import Staff
    from queue_app.services.people import issue_staff_token

    api.staff("zed", "manager")
    staff_id = db.session.scalar(select(Staff.id).where(Staff.username == "zed"))
    token, expires_at = issue_staff_token(staff_id, 1.5 / 3600)  # a second and a half
    assert api.get("/api/v1/centres/HQ/queue", token).status_code == 200
    time.sleep(max((expires_at - utcnow()).total_seconds(), 0) + 0.05)
    assert error_of(api.get("/api/v1/centres/HQ/queue", token)) == (401, "unauthorized")


def test_a_verified_token_is_not_looked_up_again(api, ctx):
    """A clerk's or kiosk's next request reads no token, staff or device row (auth.py): the
    look-up was 1–2 statements of every request."""
    from sqlalchemy import event

    clerk = api.staff("cleo", "clerk", skills=["birth"])
    kiosk = api.device("kiosk", "HQ")
    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    asks = [("/api/v1/centres/HQ/queue", clerk), ("/api/v1/kiosk/printer", kiosk)]
    for path, token in asks:
        assert api.get(path, token).status_code == 200
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        for path, token in asks:
            assert api.get(path, token).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert not [s for s in seen if "api_tokens" in s or "FROM devices" in s or "FROM staff " in s], seen


def test_a_clerk_moved_to_another_centre_loses_the_first_at_once(api):
    clerk = api.staff("cleo", "clerk", skills=["birth"])
    assert api.get("/api/v1/centres/HQ/queue", clerk).status_code == 200
    admin = api.staff("ada", "admin")
    assert api.call("PATCH", "/api/v1/admin/staff/cleo", admin, json={"centres": ["NYC"]}).status_code == 200
    assert error_of(api.get("/api/v1/centres/HQ/queue", clerk)) == (403, "forbidden")
    assert api.get("/api/v1/centres/NYC/queue", clerk).status_code == 200


def test_disabling_a_user_kills_their_tokens(api, runner):
    token = api.staff("zed", "manager")
    assert api.get("/api/v1/centres/HQ/queue", token).status_code == 200
    result = runner.invoke(args=["disable-user", "--username", "zed"])
    assert result.exit_code == 0, result.output
    assert error_of(api.get("/api/v1/centres/HQ/queue", token)) == (401, "unauthorized")
    assert api.post("/api/v1/auth/token", json={"username": "zed", "password": PASSWORD}).status_code == 401


def test_login_is_rate_limited(api, ctx):
    ctx.config["ONEDOOR_LOGIN_RATE_LIMIT"] = "3/minute"
    try:
        codes = [api.post("/api/v1/auth/token", json={"username": "ghost", "password": "x"},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code for _ in range(4)]
    finally:
        ctx.config["ONEDOOR_LOGIN_RATE_LIMIT"] = "1000/minute"
    assert codes == [401, 401, 401, 429]


# ---- the kiosk ----------------------------------------------------------------------------

def test_kiosk_issues_a_ticket_with_a_print_job(api):
    kiosk = api.device("kiosk", "HQ", printer="tcp://127.0.0.1:9100")
    response = api.post("/api/v1/centres/HQ/tickets", kiosk,
                        json={"service": "birth", "language": "es", "priority": True, "phone": "+34 612 345 678"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"] == "A001" and body["status"] == "waiting" and body["position"] == 1
    assert body["status_url"] == f"http://localhost/t/{body['token']}"
    ticket = db.session.get(Ticket, body["id"])
    assert (ticket.language, ticket.priority, ticket.phone) == ("es", True, "+34612345678")
    job = db.session.scalar(select(PrintJob))
    assert (job.id, job.ticket_id, job.printer_uri, job.status) == (body["print_job"], ticket.id, "tcp://127.0.0.1:9100", "pending")


def test_kiosk_without_printer_stores_no_job(api):
    kiosk = api.device("kiosk", "HQ", printer=None)
    assert api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "tax"}).get_json()["print_job"] is None


@pytest.mark.parametrize(
    ("who", "centre", "status", "code"),
    [
        (None, "HQ", 401, "unauthorized"),
        ("bad", "HQ", 401, "unauthorized"),
        ("display", "HQ", 403, "forbidden"),
        ("clerk", "HQ", 403, "forbidden"),
        ("kiosk-nyc", "HQ", 403, "forbidden"),
        ("kiosk", "XX", 404, "not_found"),
    ],
)
def test_kiosk_refusals(api, who, centre, status, code):
    token = {
        None: None, "bad": "not-a-token", "display": lambda: api.device("display", "HQ"),
        "clerk": lambda: api.staff("c1", skills=["birth"]), "kiosk-nyc": lambda: api.device("kiosk", "NYC"),
        "kiosk": lambda: api.device("kiosk", "HQ"),
    }[who]
    token = token() if callable(token) else token
    response = api.post(f"/api/v1/centres/{centre}/tickets", token, json={"service": "birth"})
    assert error_of(response) == (status, code)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_revoked_kiosk_is_401(api, runner):
    from queue_app.models import Device

    kiosk = api.device("kiosk", "HQ")
    device_id = db.session.scalar(select(Device.id).where(Device.token_hash.is_not(None)))
    assert api.get("/api/v1/kiosk/printer", kiosk).status_code == 200  # verified, and kept so
    assert runner.invoke(args=["revoke-device", "--id", str(device_id)]).exit_code == 0
    assert error_of(api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"})) == (401, "unauthorized")


def test_a_closed_centre_is_409(api):
    import datetime as dt

    kiosk = api.device("kiosk", "NYC")
    response = api.post("/api/v1/centres/NYC/tickets", kiosk, json={"service": "birth"})
    now_ny = dt.datetime.now(dt.timezone.utc).astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    opened = now_ny.weekday() < 5 and 9 <= now_ny.hour < 17 or now_ny.weekday() == 5 and 10 <= now_ny.hour < 14
    if opened and now_ny.date().isoformat() not in ("2026-12-25",):
        assert response.status_code == 201
    else:
        assert error_of(response) == (409, "centre_closed")


# ---- the counter --------------------------------------------------------------------------

@pytest.fixture
def clerk(api):
    token = api.staff("clara", skills=["birth", "passport"], secondary=["tax"])
    assert api.post("/api/v1/counters/HQ-01/open", token, json={}).status_code == 200
    return token


def test_a_whole_visit_through_the_api(api, clerk):
    kiosk = api.device()
    first = api.post("/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"}).get_json()
    called = api.post("/api/v1/counters/HQ-01/call-next", clerk)
    assert called.status_code == 200 and called.get_json()["id"] == first["id"]
    assert called.get_json()["counter"] == "HQ-01" and called.get_json()["status"] == "called"
    assert api.get("/api/v1/counters/HQ-01/current", clerk).get_json()["number"] == "A001"
    assert api.post(f"/api/v1/tickets/{first['id']}/recall", clerk).get_json()["recall_count"] == 1
    assert api.post(f"/api/v1/tickets/{first['id']}/start", clerk).get_json()["status"] == "serving"
    done = api.post(f"/api/v1/tickets/{first['id']}/finish", clerk, json={"outcome": "unresolved", "reason": "missing_documents"})
    assert (done.get_json()["status"], done.get_json()["reason"]) == ("done", "missing_documents")
    assert api.post("/api/v1/counters/HQ-01/call-next", clerk).status_code == 204
    assert api.get("/api/v1/counters/HQ-01/current", clerk).status_code == 204


def test_a_moves_answer_shows_the_ticket_as_its_commit_left_it_without_reading_it_again(api, clerk):
    """Issue, call-next, start and finish answer from the rows their transaction wrote, the codes of
    the ticket's centre and counter from the cached catalogue (lookup.centre_code, counter_code):
    after its commit the request reads no ticket, counter or centre."""
    import threading

    from sqlalchemy import event

    kiosk = api.device()
    mine, seen = threading.get_ident(), []

    def note(conn, cursor, statement, *args):
        if threading.get_ident() == mine:  # the request's own, not a listener's thread
            seen.append(" ".join(statement.split()))

    def after_commit(method, path, token, **kw):
        seen.clear()
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            answer = api.call(method, path, token, **kw)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert answer.status_code in (200, 201), answer.get_json()
        last_write = max(i for i, s in enumerate(seen) if s.startswith("INSERT INTO queue_versions"))
        return answer.get_json(), [s for s in seen[last_write + 1:]
                                   if any(f"WHERE {table}.id = ?" in s for table in ("tickets", "counters", "centres"))]

    issued, read = after_commit("POST", "/api/v1/centres/HQ/tickets", kiosk, json={"service": "birth"})
    assert read == [] and issued["number"] == "A001"
    called, read = after_commit("POST", "/api/v1/counters/HQ-01/call-next", clerk)
    assert read == [] and (called["status"], called["counter"]) == ("called", "HQ-01")
    started, read = after_commit("POST", f"/api/v1/tickets/{called['id']}/start", clerk)
    assert read == [] and started["status"] == "serving" and started["started_at"]
    done, read = after_commit("POST", f"/api/v1/tickets/{called['id']}/finish", clerk, json={"outcome": "resolved"})
    assert read == [] and done["status"] == "done" and done["finished_at"]


def test_transfer_and_no_show_through_the_api(api, clerk):
    t = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    issue_ticket("HQ", "birth", by=SYSTEM)
    api.post("/api/v1/counters/HQ-01/call-next", clerk)
    api.post(f"/api/v1/tickets/{t.id}/start", clerk)
    moved = api.post(f"/api/v1/tickets/{t.id}/transfer", clerk, json={"service": "passport"})
    assert moved.status_code == 201 and moved.get_json()["number"] == "A001" and moved.get_json()["transferred_from"] == t.id
    nxt = api.post("/api/v1/counters/HQ-01/call-next", clerk).get_json()
    assert api.post(f"/api/v1/tickets/{nxt['id']}/no-show", clerk).get_json()["status"] == "no_show"


def test_illegal_moves_and_bad_bodies(api, clerk):
    t = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    api.post("/api/v1/counters/HQ-01/call-next", clerk)
    assert error_of(api.post(f"/api/v1/tickets/{t.id}/finish", clerk, json={"outcome": "resolved"})) == (409, "illegal_transition")
    assert error_of(api.post(f"/api/v1/tickets/{t.id}/finish", clerk, json={"outcome": "meh"})) == (422, "invalid")
    assert error_of(api.post(f"/api/v1/tickets/{t.id}/transfer", clerk, json={"service": "nothing"})) == (422, "invalid")
    assert error_of(api.post("/api/v1/tickets/999999/start", clerk)) == (404, "not_found")
    assert error_of(api.post("/api/v1/counters/HQ-01/call-next", clerk)) == (409, "counter_busy")
    assert error_of(api.post("/api/v1/counters/HQ-01/close", clerk)) == (409, "counter_busy")


def test_open_with_skills_the_clerk_lacks_is_422(api):
    token = api.staff("clara", skills=["birth"])
    assert error_of(api.post("/api/v1/counters/HQ-02/open", token, json={"skills": ["info"]})) == (422, "skill_not_allowed")
    assert error_of(api.post("/api/v1/counters/HQ-02/open", token, json={"skills": []})) == (422, "invalid")


def test_a_clerk_acts_only_at_their_own_counter_and_centre(api, clerk):
    other = api.staff("otto", skills=["birth"])
    api.post("/api/v1/counters/HQ-02/open", other, json={})
    t = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    api.post("/api/v1/counters/HQ-01/call-next", clerk)
    assert error_of(api.post("/api/v1/counters/HQ-01/call-next", other)) == (403, "forbidden")
    assert error_of(api.post("/api/v1/counters/HQ-01/pause", other)) == (403, "forbidden")
    assert error_of(api.post(f"/api/v1/tickets/{t.id}/start", other)) == (403, "forbidden")
    assert error_of(api.post("/api/v1/counters/NYC-01/open", other, json={})) == (403, "forbidden")
    manager = api.staff("mona", "manager", centres=["HQ"])
    assert api.post(f"/api/v1/tickets/{t.id}/start", manager).status_code == 200
    nyc_manager = api.staff("nina", "manager", centres=["NYC"])
    assert error_of(api.post(f"/api/v1/tickets/{t.id}/finish", nyc_manager, json={"outcome": "resolved"})) == (403, "forbidden")


def test_pause_resume_close(api, clerk):
    assert api.post("/api/v1/counters/HQ-01/pause", clerk).get_json()["state"] == "paused"
    assert error_of(api.post("/api/v1/counters/HQ-01/call-next", clerk)) == (409, "counter_not_open")
    assert api.post("/api/v1/counters/HQ-01/resume", clerk).get_json()["state"] == "open"
    closed = api.post("/api/v1/counters/HQ-01/close", clerk).get_json()
    assert (closed["state"], closed["clerk"]) == ("closed", None)


# ---- queue and stats ----------------------------------------------------------------------

def test_queue_for_staff_and_the_centres_display(api, clerk):
    # Fixed arrivals a minute apart, services of equal weight: the calling order is the arrival
    # order whatever the clock says (tax, weighted 1.5, would overtake as the waits grow).
    for i, service in enumerate(("birth", "birth", "passport")):
        issue_ticket("HQ", service, now=utcnow() - timedelta(minutes=10 - i), by=SYSTEM)
    body = api.get("/api/v1/centres/HQ/queue", clerk).get_json()
    assert body["waiting"] == 3 and body["open_counters"] == 1
    assert [t["number"] for t in body["tickets"]] == ["A001", "A002", "B001"]
    assert {s["service"]: s["waiting"] for s in body["services"]}["birth"] == 2
    display = api.device("display", "HQ")
    assert api.get("/api/v1/centres/HQ/queue", display).status_code == 200
    assert error_of(api.get("/api/v1/centres/HQ/queue", api.device("display", "NYC"))) == (403, "forbidden")
    assert error_of(api.get("/api/v1/centres/HQ/queue", api.device("kiosk", "HQ"))) == (403, "forbidden")
    assert error_of(api.get("/api/v1/centres/HQ/queue")) == (401, "unauthorized")


def test_day_stats_against_hand_computed_figures(api):
    from datetime import datetime

    from queue_app.services import call_next, finish, no_show, start
    from tests.conftest import NOON, open_desk

    open_desk("HQ-01", "c1", primary=["birth"], secondary=["tax"])
    minute = timedelta(minutes=1)
    a = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket          # waits 10, handled 5, resolved
    b = issue_ticket("HQ", "tax", now=NOON + minute, by=SYSTEM).ticket   # waits 19 (over 15), no-show
    issue_ticket("HQ", "birth", now=NOON + 2 * minute, by=SYSTEM)        # still waiting
    assert call_next("HQ-01", now=NOON + 10 * minute, by=SYSTEM).id == a.id
    start(a.id, now=NOON + 11 * minute, by=SYSTEM)
    finish(a.id, "resolved", now=NOON + 16 * minute, by=SYSTEM)
    assert call_next("HQ-01", now=NOON + 20 * minute, by=SYSTEM).id == b.id
    no_show(b.id, now=NOON + 22 * minute, by=SYSTEM)
    manager = api.staff("mona", "manager", centres=["HQ"])
    body = api.get("/api/v1/centres/HQ/stats?date=2026-11-23", manager).get_json()
    assert (body["arrivals"], body["served"], body["no_show"], body["waiting"]) == (3, 1, 1, 1)
    assert (body["average_wait_min"], body["max_wait_min"], body["within_target_share"]) == (14.5, 19.0, 0.5)
    assert body["average_handling_min"] == 5.0 and body["target_wait_min"] == 15
    assert {s["service"]: s["issued"] for s in body["services"]} == {"birth": 2, "tax": 1}
    assert error_of(api.get("/api/v1/centres/HQ/stats?date=23.11.2026", manager)) == (422, "invalid")
    assert error_of(api.get("/api/v1/centres/NYC/stats", api.staff("c9", skills=["birth"]))) == (403, "forbidden")
    del datetime


# ---- the login session on the API --------------------------------------------------------

def test_session_callers_need_the_csrf_header_for_changes(api, client, ctx):
    from queue_app.services import create_user

    create_user("sam", "clerk", password=PASSWORD, centres=["HQ"], primary=["birth"])
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    signed_in = client.post("/login", data={"username": "sam", "password": PASSWORD, "csrf_token": csrf})
    assert signed_in.status_code == 302
    assert client.get("/api/v1/counters/HQ-01").status_code == 200  # reads need no token
    assert error_of(client.post("/api/v1/counters/HQ-01/open", json={})) == (403, "forbidden")
    response = client.post("/api/v1/counters/HQ-01/open", json={}, headers={"X-CSRFToken": csrf})
    assert response.status_code == 200 and response.get_json()["clerk"] == "sam"
