"""A centre's roster through the API (SPEC §10): replacing a day, copying a week, the audit row of
each change, who may see and edit it, refusals that change nothing, and the coverage by hour.

HQ is Europe/Moscow (UTC+3) and open round the clock; Monday 2026-12-07. kim (clerk, HQ) holds
birth and passport, lee (clerk, HQ) tax; ana and ben are HQ clerks of the test network, nora works
at NYC only.
"""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from queue_app.extensions import db
from queue_app.models import AuditEvent, Shift, Staff
from tests.conftest import error_of

URL = "/api/v1/centres/HQ/roster"
DAY = "2026-12-07"
KIM = {"staff": "kim", "start": "2026-12-07T09:00:00+03:00", "end": "2026-12-07T13:00:00+03:00",
       "breaks": [{"start": "2026-12-07T10:00:00+03:00", "end": "2026-12-07T10:15:00+03:00"}]}
LEE = {"staff": "lee", "start": "2026-12-07T07:00:00Z", "end": "2026-12-07T15:00:00Z", "skills": ["tax"]}


@pytest.fixture
def people(api):
    return {
        "manager": api.staff("max", "manager", centres=["HQ"]),
        "admin": api.staff("ada", "admin", centres=[]),
        "kim": api.staff("kim", "clerk", skills=["birth", "passport"]),
        "lee": api.staff("lee", "clerk", skills=["tax"]),
        "elsewhere": api.staff("ned", "manager", centres=["NYC"]),
    }


def put(api, token, body, day=DAY, centre="HQ"):
    return api.call("PUT", f"/api/v1/centres/{centre}/roster?date={day}", token, json=body)


def audits() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def staff_id(username: str) -> int:
    return db.session.scalar(select(Staff.id).where(Staff.username == username))


def test_a_manager_replaces_a_day_and_the_trail_names_them(api, people):
    response = put(api, people["manager"], [LEE, KIM])
    assert response.status_code == 200, response.get_json()
    expected = [
        {"staff": "kim", "start": "2026-12-07T09:00:00+03:00", "end": "2026-12-07T13:00:00+03:00",
         "breaks": [{"start": "2026-12-07T10:00:00+03:00", "end": "2026-12-07T10:15:00+03:00"}], "skills": None},
        {"staff": "lee", "start": "2026-12-07T10:00:00+03:00", "end": "2026-12-07T18:00:00+03:00",
         "breaks": [], "skills": ["tax"]},
    ]
    assert response.get_json() == expected
    assert api.get(f"{URL}?date={DAY}", people["manager"]).get_json() == expected
    [event] = audits()
    assert (event.entity, event.entity_key, event.action) == ("roster", "HQ:2026-12-07", "replace")
    assert event.actor_staff_id == staff_id("max") and event.device_id is None
    assert event.before == []
    assert event.after == [
        {"staff": "kim", "start": "2026-12-07T06:00:00+00:00", "end": "2026-12-07T10:00:00+00:00",
         "breaks": [{"start": "2026-12-07T07:00:00+00:00", "end": "2026-12-07T07:15:00+00:00"}], "skills": None},
        {"staff": "lee", "start": "2026-12-07T07:00:00+00:00", "end": "2026-12-07T15:00:00+00:00",
         "breaks": [], "skills": ["tax"]},
    ]

    assert put(api, people["admin"], [LEE]).status_code == 200  # an admin edits any centre's roster
    second = audits()[-1]
    assert second.actor_staff_id == staff_id("ada")
    assert second.before == event.after and [s["staff"] for s in second.after] == ["lee"]
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 1


def test_who_sees_and_edits(api, people):
    assert put(api, people["manager"], [KIM, LEE]).status_code == 200
    own = api.get(f"{URL}?date={DAY}", people["kim"])
    assert own.status_code == 200 and [s["staff"] for s in own.get_json()] == ["kim"]
    assert [s["staff"] for s in api.get(f"{URL}?date={DAY}", people["admin"]).get_json()] == ["kim", "lee"]
    assert error_of(put(api, people["kim"], [KIM])) == (403, "forbidden")
    assert error_of(api.get(f"{URL}?date={DAY}", people["elsewhere"])) == (403, "forbidden")
    assert error_of(put(api, people["elsewhere"], [KIM])) == (403, "forbidden")
    assert error_of(api.get(f"{URL}?date={DAY}", api.device("kiosk"))) == (403, "forbidden")
    assert error_of(api.get(f"{URL}?date={DAY}")) == (401, "unauthorized")
    copy = api.post(f"{URL}/copy-week", people["elsewhere"], json={"week_of": DAY})
    assert error_of(copy) == (403, "forbidden")
    assert error_of(api.get(f"/api/v1/centres/NOPE/roster?date={DAY}", people["admin"])) == (404, "not_found")
    assert len(audits()) == 1


@pytest.mark.parametrize("body, code", [
    ([KIM, {**KIM, "start": "2026-12-07T12:00:00+03:00", "end": "2026-12-07T14:00:00+03:00", "breaks": []}],
     "shifts_overlap"),
    ([{**KIM, "breaks": [{"start": "2026-12-07T08:00:00+03:00", "end": "2026-12-07T09:30:00+03:00"}]}],
     "break_outside_shift"),
    ([{**KIM, "end": "2026-12-08T02:00:00+03:00"}], "shift_too_long"),
    ([{**KIM, "start": "2026-12-08T09:00:00+03:00", "end": "2026-12-08T10:00:00+03:00", "breaks": []}],
     "shift_off_day"),
    ([{**KIM, "skills": ["tax"]}], "skill_not_allowed"),
    ([{**KIM, "staff": "zed"}], "not_staff_here"),  # nobody of that name
    ([{**KIM, "staff": "nora"}], "not_staff_here"),  # a clerk of another centre
    ([{**KIM, "staff": "mystery", "extra": 1}], "invalid"),
    ([{**KIM, "start": "2026-12-07T09:00:00"}], "invalid"),  # no offset
    ({"staff": "kim"}, "invalid"),  # not a list
])
def test_bad_bodies_are_refused_and_change_nothing(api, people, body, code):
    assert put(api, people["manager"], [LEE]).status_code == 200
    response = put(api, people["manager"], body)
    assert error_of(response) == (422, code)
    assert [s["staff"] for s in api.get(f"{URL}?date={DAY}", people["manager"]).get_json()] == ["lee"]
    assert len(audits()) == 1


def test_a_disabled_clerk_cannot_be_rostered(api, people):
    db.session.get(Staff, staff_id("kim")).active = False
    db.session.commit()
    assert error_of(put(api, people["manager"], [KIM])) == (422, "not_staff_here")


def test_copy_week_forward(api, people):
    wednesday = {**LEE, "start": "2026-12-09T08:00:00+03:00", "end": "2026-12-09T12:00:00+03:00"}
    assert put(api, people["manager"], [KIM]).status_code == 200
    assert put(api, people["manager"], [wednesday], day="2026-12-09").status_code == 200
    response = api.post(f"{URL}/copy-week", people["manager"], json={"week_of": "2026-12-10"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["week_of"] == "2026-12-14"
    assert [d["date"] for d in body["days"]] == [f"2026-12-{d}" for d in range(14, 21)]
    monday = api.get(f"{URL}?date=2026-12-14", people["manager"]).get_json()
    assert monday == [{"staff": "kim", "start": "2026-12-14T09:00:00+03:00", "end": "2026-12-14T13:00:00+03:00",
                       "breaks": [{"start": "2026-12-14T10:00:00+03:00", "end": "2026-12-14T10:15:00+03:00"}],
                       "skills": None}]
    assert api.get(f"{URL}?date=2026-12-16", people["manager"]).get_json()[0]["start"] == "2026-12-16T08:00:00+03:00"
    copied = audits()[-1]
    assert (copied.entity_key, copied.action, copied.before) == ("HQ:2026-12-14", "copy_week", [])
    assert [s["start"] for s in copied.after] == ["2026-12-14T06:00:00+00:00", "2026-12-16T05:00:00+00:00"]

    again = api.post(f"{URL}/copy-week", people["manager"], json={"week_of": "2026-12-07"})
    assert error_of(again) == (409, "week_not_empty")
    assert len(audits()) == 3
    assert put(api, people["manager"], [], day="2026-12-09").status_code == 200  # Wednesday emptied
    replaced = api.post(f"{URL}/copy-week", people["manager"], json={"week_of": "2026-12-07", "replace": True})
    assert replaced.status_code == 200
    assert api.get(f"{URL}?date=2026-12-16", people["manager"]).get_json() == []
    last = audits()[-1]
    assert len(last.before) == 2 and len(last.after) == 1


def test_coverage_by_hour(api, people):
    assert put(api, people["manager"], [KIM, LEE]).status_code == 200
    response = api.get(f"/api/v1/centres/HQ/coverage?date={DAY}", people["kim"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["date"] == DAY and len(body["hours"]) == 24  # HQ never closes
    assert body["rostered"] is True
    later = api.get("/api/v1/centres/HQ/coverage?date=2026-12-08", people["kim"]).get_json()
    assert later["rostered"] is False and all(h["covered"] == [] for h in later["hours"])
    hours = {h["hour"]: h for h in body["hours"]}
    assert hours["08:00"] == {"hour": "08:00", "covered": [], "not_covered": ["birth", "passport", "tax", "info"],
                              "minutes": {}}
    assert hours["10:00"]["minutes"] == {"birth": 45, "passport": 45, "tax": 60}
    assert hours["10:00"]["covered"] == ["birth", "passport", "tax"]
    assert hours["10:00"]["not_covered"] == ["info"]
    assert hours["15:00"]["covered"] == ["tax"]
    assert hours["18:00"]["covered"] == []
    assert error_of(api.get(f"/api/v1/centres/HQ/coverage?date={DAY}", people["elsewhere"])) == (403, "forbidden")
    assert error_of(api.get("/api/v1/centres/HQ/coverage?date=07-12-2026", people["kim"]))[0] == 422


def test_the_duty_planned_with_is_the_roster_or_else_every_clerk_of_the_centre(api, people):
    from datetime import date

    from queue_app.services.lookup import centre_by_code
    from queue_app.services.roster import duty

    nyc = centre_by_code("NYC")  # nora alone, 09:00-17:00 New York on a Monday
    monday = date(2026, 12, 7)
    unrostered = duty(nyc, monday)
    assert not unrostered.rostered
    assert [(s.staff, s.start.isoformat(), s.end.isoformat()) for s in unrostered.shifts] == [
        ("nora", "2026-12-07T09:00:00-05:00", "2026-12-07T17:00:00-05:00")]
    assert unrostered.skills_of["nora"] == {"birth", "passport", "tax", "info"}
    assert duty(nyc, date(2026, 12, 13)).shifts == []  # Sunday: closed
    assert put(api, people["manager"], [KIM]).status_code == 200
    rostered = duty(centre_by_code("HQ"), monday)
    assert rostered.rostered and [s.staff for s in rostered.shifts] == ["kim"]
    assert rostered.skills_of == {"kim": {"birth", "passport"}}


def test_a_cleared_day_or_week_is_rostered_with_nobody(api, people):
    from datetime import date

    from queue_app.services.lookup import centre_by_code
    from queue_app.services.roster import duty

    hq = centre_by_code("HQ")
    assert put(api, people["manager"], []).status_code == 200  # Monday 2026-12-07 cleared
    cleared = duty(hq, date(2026, 12, 7))
    assert cleared.rostered and cleared.shifts == []
    assert not duty(hq, date(2026, 12, 8)).rostered
    # copying an empty week forward sets each day of the next week to nobody
    copied = api.post(f"{URL}/copy-week", people["manager"], json={"week_of": DAY})
    assert copied.status_code == 200, copied.get_json()
    assert all(duty(hq, date(2026, 12, d)).rostered for d in range(14, 21))
    assert not duty(hq, date(2026, 12, 21)).rostered
