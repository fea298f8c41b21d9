"""The staffing planner (services/planning.py, /manager/<centre>/plan): demand from a seeded
history, computed by hand, and saving the plan.

The seeded history at NYC (America/New_York, Mon 09:00–17:00, target wait 10 min, 4 counters),
planned for Monday 2026-11-23 with the default 4 weeks (Mondays 16, 9 and 2 Nov and 26 Oct):
- Mon 16 Nov: 09:xx six birth visits of 8 min each; 10:xx three tax visits of 4 min.
- Mon  9 Nov: 09:xx four birth visits of 12 min each; 10:xx five tax visits of 4 min.
- Tue 17 Nov 09:30 and Mon 19 Oct (five weeks back) 09:10: a birth ticket each, never served:
  not this weekday / too old, so they count nowhere.
- Booked for Mon 23 Nov: two passport appointments at 11:00 and 11:20 (no passport history: its
  expected 20 min).
Only two Mondays had visitors: weeks used 2 of 4 → thin history. By hand, share 0.9, target 10 min:
- 09:00: λ = (6 + 4)/2 = 5/h, birth handling (6×8 + 4×12)/10 = 9.6 min, A = 5/60 × 9.6 = 0.8.
  c = 1: SL = 1 − 0.8·e^(−0.2·10/9.6) = 0.350; c = 2: P_W = 2ρ²/(1+ρ), ρ = 0.4 → 0.22857,
  SL = 1 − 0.22857·e^(−1.2·10/9.6) = 0.935 ≥ 0.9 → 2 counters.
- 10:00: λ = (3 + 5)/2 = 4/h, tax 4 min, A = 0.2667; c = 1: SL = 1 − 0.2667·e^(−0.7333·10/4) = 0.957 → 1.
- 11:00: λ = 2 booked, 20 min, A = 0.6667; c = 1: SL = 1 − 0.6667·e^(−0.3333·0.5) = 0.436;
  c = 2: ρ = 1/3, P_W = 1/6, SL = 1 − (1/6)·e^(−1.3333·0.5) = 0.914 → 2.
- 12:00–16:00: no demand → 0.
"""
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import StaffingPlan
from queue_app.services import book, call_next, create_user, finish, issue_ticket, start
from queue_app.services.planning import day_plan, save_plan
from queue_app.domain.errors import InvalidRequest
from tests.conftest import PASSWORD, add_clerk, open_desk

NY = ZoneInfo("America/New_York")
DAY = date(2026, 11, 23)  # a Monday
MIN = timedelta(minutes=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


def serve(service: str, arrives: datetime, minutes: float) -> None:
    ticket = issue_ticket("NYC", service, now=arrives, by=SYSTEM).ticket
    assert call_next("NYC-01", now=arrives, by=SYSTEM).id == ticket.id
    start(ticket.id, now=arrives, by=SYSTEM)
    finish(ticket.id, "resolved", now=arrives + minutes * MIN, by=SYSTEM)


@pytest.fixture
def history(ctx):
    open_desk("NYC-01", "clerk1", primary=["birth", "tax", "passport"], now=at(date(2026, 10, 19), 9))
    issue_ticket("NYC", "birth", now=at(date(2026, 10, 19), 9, 10), by=SYSTEM)  # five weeks back: too old
    old = call_next("NYC-01", now=at(date(2026, 10, 19), 9, 11), by=SYSTEM)
    start(old.id, now=at(date(2026, 10, 19), 9, 11), by=SYSTEM)
    finish(old.id, "resolved", now=at(date(2026, 10, 19), 10, 11), by=SYSTEM)  # 60 min, outside the window
    for day, births, birth_min, taxes in ((date(2026, 11, 9), 4, 12, 5), (date(2026, 11, 16), 6, 8, 3)):
        for i in range(births):
            serve("birth", at(day, 9) + i * birth_min * MIN, birth_min)
        for i in range(taxes):
            serve("tax", at(day, 10) + i * 5 * MIN, 4)
    issue_ticket("NYC", "birth", now=at(date(2026, 11, 17), 9, 30), by=SYSTEM)  # a Tuesday: another weekday
    add_clerk("clerk2", "NYC", primary=["passport"])  # booking places come from the clerks' time (domain/capacity.py)
    for minute in (0, 20):
        book("NYC", "passport", at(DAY, 11, minute), "Visitor", phone="+12025550100",
             now=at(date(2026, 11, 20), 12))
    return ctx


def by_hour(plan):
    return {row.hour: row for row in plan.hours}


def test_the_demand_per_hour_is_what_the_hand_computed(history):
    plan = day_plan("NYC", DAY)
    assert (plan.weeks, plan.weeks_used, plan.thin, plan.target_wait_min) == (4, 2, True, 10)
    rows = by_hour(plan)
    assert list(rows) == [9, 10, 11, 12, 13, 14, 15, 16]
    assert rows[9].arrivals == pytest.approx(5.0)
    assert rows[9].handling_min == pytest.approx(9.6)
    assert rows[9].load == pytest.approx(0.8)
    assert rows[9].recommended == 2
    assert (rows[10].arrivals, rows[10].handling_min, rows[10].recommended) == (pytest.approx(4.0), pytest.approx(4.0), 1)
    assert (rows[11].arrivals, rows[11].booked, rows[11].handling_min, rows[11].recommended) == (
        pytest.approx(2.0), 2, pytest.approx(20.0), 2)
    for hour in range(12, 17):
        assert (rows[hour].arrivals, rows[hour].handling_min, rows[hour].recommended) == (0, None, 0)
    assert all(row.planned is None and row.planned_share is None for row in plan.hours)


def test_a_higher_share_asks_for_more_counters(history):
    rows = by_hour(day_plan("NYC", DAY, share=0.95))
    # 09:00 with 2 counters gives 0.935 < 0.95; with 3: P_W = 0.0471, SL = 1 − 0.0471·e^(−2.2·10/9.6) ≈ 0.995
    assert (rows[9].recommended, rows[10].recommended) == (3, 1)


def test_the_planned_share_uses_erlang_c(history):
    save_plan("NYC", DAY, {9: 1, 10: 1, 11: 3})
    rows = by_hour(day_plan("NYC", DAY))
    assert rows[9].planned == 1 and rows[9].short
    assert round(rows[9].planned_share, 3) == 0.350  # by hand above
    assert round(rows[10].planned_share, 3) == 0.957 and not rows[10].short
    assert not rows[11].short and rows[11].planned_share > 0.914
    assert rows[12].planned is None and not rows[12].short


def test_a_closed_day_has_nothing_to_plan(ctx):
    plan = day_plan("NYC", date(2026, 11, 29))  # a Sunday
    assert plan.closed and plan.hours == []
    assert plan.weeks_used == 0


def test_a_centre_open_all_day_plans_24_hours(ctx):
    assert [row.hour for row in day_plan("HQ", DAY).hours] == list(range(24))


def test_the_service_refuses_closed_hours_and_counts_beyond_the_desks(ctx):
    with pytest.raises(InvalidRequest):
        save_plan("NYC", DAY, {8: 1})
    with pytest.raises(InvalidRequest):
        save_plan("NYC", DAY, {9: 5})  # NYC has 4 counters
    assert db.session.scalars(select(StaffingPlan)).all() == []


# ---- the page ----

def sign_in(client, username: str, role: str, centres=("NYC",)):
    create_user(username, role, password=PASSWORD, centres=list(centres),
                primary=["birth"] if role == "clerk" else [])
    page = client.get("/login").get_data(as_text=True)
    token = csrf(page)
    assert client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


URL = "/manager/NYC/plan?day=2026-11-23&share=0.9"


def stored() -> dict[int, int]:
    db.session.rollback()
    rows = db.session.scalars(select(StaffingPlan).where(StaffingPlan.day == DAY)).all()
    return {row.hour: row.counters for row in rows}


def test_the_manager_sees_the_table_and_saves_a_plan(history, client):
    sign_in(client, "boss", "manager")
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="hour-9"' in html and 'name="hour-16"' in html and 'name="hour-8"' not in html
    assert "History is thin" in html and "Weeks of history used: 2 of 4." in html
    saved = client.post(URL, data={"csrf_token": csrf(html), "hour-9": "1", "hour-10": "2", "hour-11": ""})
    assert saved.status_code == 303
    assert stored() == {9: 1, 10: 2}
    html = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "is saved" in html
    plan_table = html.split('id="roster-table"')[0]  # the roster against need is another table, below
    assert plan_table.count('class="short"') == 1 and "Counters short: 1" in html  # 09:00: 1 of 2
    assert re.search(r'name="hour-9"\s+value="1"', html) and re.search(r'name="hour-10"\s+value="2"', html)
    # a new save replaces the day's plan
    client.post(URL, data={"csrf_token": csrf(html), "hour-12": "3"})
    assert stored() == {12: 3}


@pytest.mark.parametrize("value", ["-1", "two", "1.5", "5", "99999999999999999999"])
def test_bad_values_are_form_errors_and_nothing_is_saved(history, client, value):
    sign_in(client, "boss", "manager")
    save_plan("NYC", DAY, {9: 2})
    html = client.get(URL).get_data(as_text=True)
    response = client.post(URL, data={"csrf_token": csrf(html), "hour-9": "1", "hour-10": value})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The plan was not saved" in body and "Enter a whole number from 0 to 4." in body
    assert 'aria-invalid="true" aria-describedby="hour-10-error"' in body
    assert stored() == {9: 2}  # unchanged


def test_without_the_csrf_token_nothing_is_saved(history, client):
    sign_in(client, "boss", "manager")
    response = client.post(URL, data={"hour-9": "1"})
    assert response.status_code == 400
    assert stored() == {}


def test_a_clerk_is_refused(history, client):
    sign_in(client, "clara", "clerk")
    assert client.get(URL).status_code == 403
    token = csrf(client.get("/login").get_data(as_text=True))  # the sign-out form's token
    assert client.post(URL, data={"csrf_token": token, "hour-9": "1"}).status_code == 403
    assert stored() == {}


def test_a_manager_of_another_centre_is_refused(ctx, client):
    sign_in(client, "hqboss", "manager", centres=("HQ",))
    assert client.get(URL).status_code == 403
    assert client.get("/manager/HQ/plan").status_code == 200


def test_an_admin_plans_any_centre_and_anonymous_goes_to_sign_in(ctx, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    sign_in(client, "root", "admin", centres=())
    assert client.get(URL).status_code == 200
    assert client.get("/manager/XXX/plan").status_code == 404


@pytest.mark.parametrize("query", ["day=2026-13-01", "day=monday", "day=0001-01-01", "share=2", "share=abc", "share=0.1"])
def test_a_bad_day_or_share_goes_back_to_today(ctx, client, query):
    sign_in(client, "boss", "manager")
    response = client.get(f"/manager/NYC/plan?{query}")
    assert response.status_code == 303 and response.headers["Location"].endswith("/manager/NYC/plan")


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_the_page_speaks_spanish_and_russian(history, client, lang):
    sign_in(client, "boss", "manager")
    html = client.get(URL + f"&lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="ltr">' in html
    assert "Recommended counters" not in html and "Staffing plan" not in html
