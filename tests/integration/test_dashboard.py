"""The managers' live dashboard: a seeded day's indicators, hand-computed, and who may see them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from queue_app.domain.access import SYSTEM
from queue_app.domain.roster import Break, ShiftPlan
from queue_app.extensions import db
from queue_app.models import Centre
from queue_app.services.screens import manager_state
from queue_app.services import call_next, cancel, create_user, finish, issue_ticket, pause_counter, start
from queue_app.services.feedback import give_feedback
from queue_app.services.roster import replace_roster
from tests.conftest import NOON, PASSWORD, add_clerk, open_desk
from tests.integration.test_realtime import http, screens, staff_token  # noqa: F401 (fixtures)


def at(hour: int, minute: int):
    """A time of the test day (Moscow, HQ's time zone)."""
    return NOON.replace(hour=hour, minute=minute)


def seed_day():
    """The day at HQ (target wait 15 min), up to 12:10:

    11:00 A001 birth, called 11:05 at HQ-01 (wait 5), served 11:06–11:16, rated 4
    11:10 C001 tax, called 11:30 at HQ-02 (wait 20), served 11:31–11:40, rated 5
    11:20 A002 birth, called 12:00 at HQ-01 (wait 40), at the desk since 12:01
    12:02–12:05 B001–B004 passport and 12:03 D001 info, waiting (HQ-01 alone serves passport)
    HQ-03 opened and paused; yesterday's ticket counts nowhere.
    """
    yesterday = issue_ticket("HQ", "info", now=at(11, 0) - timedelta(days=1), by=SYSTEM).ticket
    cancel(yesterday.id, now=at(11, 1) - timedelta(days=1), by=SYSTEM)
    open_desk("HQ-01", "c1", primary=["birth", "passport"], now=at(11, 0))
    open_desk("HQ-02", "c2", primary=["tax", "info"], now=at(11, 0))
    open_desk("HQ-03", "c3", primary=["birth"], now=at(11, 0))
    pause_counter("HQ-03", by=SYSTEM)
    a1 = issue_ticket("HQ", "birth", now=at(11, 0), by=SYSTEM).ticket
    assert call_next("HQ-01", now=at(11, 5), by=SYSTEM).id == a1.id
    start(a1.id, now=at(11, 6), by=SYSTEM)
    finish(a1.id, "resolved", now=at(11, 16), by=SYSTEM)
    c1 = issue_ticket("HQ", "tax", now=at(11, 10), by=SYSTEM).ticket
    a2 = issue_ticket("HQ", "birth", now=at(11, 20), by=SYSTEM).ticket
    give_feedback(a1.token, 4, now=at(11, 20))
    assert call_next("HQ-02", now=at(11, 30), by=SYSTEM).id == c1.id
    start(c1.id, now=at(11, 31), by=SYSTEM)
    finish(c1.id, "resolved", now=at(11, 40), by=SYSTEM)
    give_feedback(c1.token, 5, now=at(11, 45))
    assert call_next("HQ-01", now=at(12, 0), by=SYSTEM).id == a2.id
    start(a2.id, now=at(12, 1), by=SYSTEM)
    for minute in (2, 3, 4, 5):
        issue_ticket("HQ", "passport", now=at(12, minute), by=SYSTEM)
    issue_ticket("HQ", "info", now=at(12, 3), by=SYSTEM)
    return a2


def hq():
    return db.session.scalar(db.select(Centre).where(Centre.code == "HQ"))


def test_every_indicator_of_a_seeded_day(ctx):
    a2 = seed_day()
    state = manager_state(hq(), now=at(12, 10))
    today = state["today"]
    assert state["waiting"] == 5
    assert {s["service"]: s["waiting"] for s in state["services"] if s["waiting"]} == {"passport": 4, "info": 1}
    assert today["longest_wait_min"] == pytest.approx(8.0)  # B001, issued 12:02
    assert today["longest_waiting_since"] == "2026-11-23T09:02:00+00:00"
    assert today["served"] == 2 and today["arrivals"] == 8
    assert today["within_target_share"] == pytest.approx(1 / 3)  # waits 5, 20, 40 against 15
    assert today["satisfaction"] == {"average": pytest.approx(4.5), "count": 2}
    assert today["hourly"] == [
        {"hour": 11, "arrivals": 3, "served": 2, "average_wait_min": pytest.approx(12.5), "p90_wait_min": pytest.approx(20.0)},
        {"hour": 12, "arrivals": 5, "served": 0, "average_wait_min": pytest.approx(40.0), "p90_wait_min": pytest.approx(40.0)},
    ]
    assert state["counters"]["counts"] == {"serving": 1, "open": 1, "paused": 1, "closed": 37}
    assert state["counters"]["list"] == [  # since: the start of the ticket, else the opening (UTC)
        {"code": "HQ-01", "name": "1", "state": "serving", "clerk": "c1",
         "ticket": {"number": a2.number, "service": "birth", "status": "serving"},
         "since": "2026-11-23T09:01:00+00:00"},
        {"code": "HQ-02", "name": "2", "state": "open", "clerk": "c2", "ticket": None,
         "since": "2026-11-23T08:00:00+00:00"},
        {"code": "HQ-03", "name": "3", "state": "paused", "clerk": "c3", "ticket": None,
         "since": "2026-11-23T08:00:00+00:00"},
    ]
    # HQ-01 alone serves birth and passport (HQ-03 is paused), busy with A002 and four passports of
    # 20 minutes waiting: a newcomer to either waits far past 15 minutes; HQ-02 is free for tax and info
    assert sorted((a["kind"], a["service"]) for a in state["alerts"]) == [
        ("wait_over_target", "birth"), ("wait_over_target", "passport")]
    assert state["target_wait_min"] == 15


def roster_birth(start: int, end: int, breaks=()):
    """kim (birth) rostered at HQ today from `start` to `end` o'clock (Moscow)."""
    plan = ShiftPlan("kim", at(start, 0), at(end, 0), tuple(Break(at(a, 0), at(b, 0)) for a, b in breaks))
    replace_roster("HQ", NOON.date(), [plan], by=SYSTEM)


def unserved(state) -> list[dict]:
    return [a for a in state["alerts"] if a["kind"] == "not_served_today"]


def test_a_ticket_nobody_will_serve_today_is_an_alert(ctx):
    add_clerk("kim", "HQ", primary=["birth"])
    roster_birth(8, 11)  # the tickets come while kim is on duty; her shift is over by noon
    issue_ticket("HQ", "birth", now=at(10, 50), by=SYSTEM)
    issue_ticket("HQ", "birth", now=at(10, 55), by=SYSTEM)
    open_desk("HQ-02", "c2", primary=["tax"], now=at(11, 0))
    assert unserved(manager_state(hq(), now=at(12, 0))) == [
        {"kind": "not_served_today", "service": "birth", "waiting": 2, "actions": ["transfer", "cancel", "open_counter"]}]


def test_a_later_shift_today_or_an_open_counter_will_serve_it(ctx):
    add_clerk("kim", "HQ", primary=["birth"])
    issue_ticket("HQ", "birth", now=at(11, 50), by=SYSTEM)
    roster_birth(9, 13, breaks=[(12, 13)])  # on a break from now to the shift's end
    assert len(unserved(manager_state(hq(), now=at(12, 0)))) == 1
    roster_birth(15, 18)
    assert unserved(manager_state(hq(), now=at(12, 0))) == []
    replace_roster("HQ", NOON.date(), [], by=SYSTEM)
    open_desk("HQ-03", "c3", secondary=["birth"], now=at(11, 0))
    assert unserved(manager_state(hq(), now=at(12, 0))) == []


def test_a_day_without_tickets_has_no_figures_yet(ctx):
    today = manager_state(hq(), now=at(9, 0))["today"]
    assert (today["served"], today["within_target_share"], today["longest_wait_min"]) == (0, None, None)
    assert today["satisfaction"] == {"average": None, "count": 0} and today["hourly"] == []


def sign_in(client, username: str, role: str, centres=("HQ",)):
    create_user(username, role, password=PASSWORD, centres=list(centres),
                primary=["birth"] if role == "clerk" else [])
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf}).status_code == 302


def test_anonymous_goes_to_sign_in(client):
    for url in ("/manager", "/manager/HQ", "/manager/HQ/state.json"):
        response = client.get(url)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"], url


def test_a_clerk_is_refused(client):
    sign_in(client, "carl", "clerk")
    for url in ("/manager", "/manager/HQ", "/manager/HQ/state.json"):
        assert client.get(url).status_code == 403, url


def test_a_manager_of_another_centre_is_refused(client):
    sign_in(client, "nils", "manager", centres=["NYC"])
    assert client.get("/manager/HQ").status_code == 403
    assert client.get("/manager/HQ/state.json").status_code == 403
    assert client.get("/manager/network.json").status_code == 403  # the network is for admins
    assert client.get("/manager").headers["Location"].endswith("/manager/NYC")  # their only centre


def test_a_manager_sees_the_dashboard_and_its_state(client):
    sign_in(client, "hana", "manager", centres=["HQ", "NYC"])
    assert client.get("/manager/nope").status_code == 404
    choose = client.get("/manager").get_data(as_text=True)
    assert 'href="/manager/HQ"' in choose and 'href="/manager/NYC"' in choose
    page = client.get("/manager/HQ?lang=es")
    assert page.status_code == 200 and "Atendidos hoy" in page.get_data(as_text=True)
    state = client.get("/manager/HQ/state.json").get_json()
    assert state["centre"] == "HQ" and state["counters"]["counts"]["closed"] == 40
    assert set(state["today"]) >= {"served", "within_target_share", "satisfaction", "hourly", "longest_wait_min"}


def test_an_admin_sees_the_network(client):
    sign_in(client, "root", "admin", centres=[])
    issue_ticket("HQ", "birth", by=SYSTEM)
    page = client.get("/manager")
    assert page.status_code == 200 and 'data-centre="NYC"' in page.get_data(as_text=True)
    rows = {r["code"]: r for r in client.get("/manager/network.json").get_json()["centres"]}
    assert set(rows) == {"HQ", "NYC"}
    assert rows["HQ"]["waiting"] == 1 and rows["HQ"]["open_now"] is True and rows["HQ"]["counters_open"] == 0
    assert client.get("/manager/NYC").status_code == 200


def test_the_manager_socket_sends_the_counters_and_todays_figures(api, http, screens):
    manager = staff_token(http, "mona", role="manager")
    clerk = staff_token(http, "clara")
    board = screens("/manager", "centre=HQ", manager)
    first = board.next("state")
    assert first["counters"] == {"counts": {"serving": 0, "open": 0, "paused": 0, "closed": 40}, "list": []}
    assert first["today"]["arrivals"] == 0 and first["today"]["hourly"] == []
    http("POST", "/api/v1/counters/HQ-05/open", clerk, json={})
    http("POST", "/api/v1/centres/HQ/tickets", api.device("kiosk", "HQ"), json={"service": "birth"})
    assert http("POST", "/api/v1/counters/HQ-05/call-next", clerk).status_code == 200
    state = board.next("state", where=lambda d: d["counters"]["counts"]["serving"] == 1)
    [row] = state["counters"]["list"]
    assert (row["code"], row["state"], row["ticket"]["number"], row["ticket"]["status"]) == ("HQ-05", "serving", "A001", "called")
    assert row["clerk"] and row["since"]
    assert state["today"]["arrivals"] == 1 and sum(h["arrivals"] for h in state["today"]["hourly"]) == 1
