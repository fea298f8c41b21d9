"""Roster drafts through the API (SPEC §10): the planner proposes shifts for the centre's named
clerks from the day's expected demand, a manager saves, accepts (the roster is replaced, audited)
or discards; who may; refusals that change nothing.

HQ (Europe/Moscow, open round the clock) saw six births between 10:00 and 11:00 on each of the two
Mondays before 2026-12-07 and nothing else: the planner needs counters at 10:00 only, for births,
which ana (birth, passport; tax secondary) serves and ben (tax, info) does not.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import AuditEvent, RosterDraft, Shift
from queue_app.services import issue_ticket
from tests.conftest import error_of

MSK = ZoneInfo("Europe/Moscow")
DRAFTS = "/api/v1/centres/HQ/roster-drafts"
DAY = "2026-12-07"


@pytest.fixture
def people(api):
    for monday in (datetime(2026, 11, 23, 10, tzinfo=MSK), datetime(2026, 11, 30, 10, tzinfo=MSK)):
        for i in range(6):
            issue_ticket("HQ", "birth", now=monday + timedelta(minutes=10 * i), by=SYSTEM)
    return {"manager": api.staff("max", "manager", centres=["HQ"]), "admin": api.staff("ada", "admin", centres=[]),
            "clerk": api.staff("kim", "clerk", skills=["tax"]), "elsewhere": api.staff("ned", "manager", centres=["NYC"])}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(MSK)


def test_a_manager_proposes_saves_and_accepts_the_planners_shifts(api, people):
    response = api.post(f"{DRAFTS}?date={DAY}", people["manager"])
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert draft["accepted_at"] is None and draft["date"] == DAY
    (shift,) = draft["shifts"]  # one counter for one hour: one clerk who serves births
    assert shift["staff"] == "ana" and shift["skills"] is None
    start, end = local(shift["start"]), local(shift["end"])
    assert start <= datetime(2026, 12, 7, 10, tzinfo=MSK) and datetime(2026, 12, 7, 11, tzinfo=MSK) <= end
    assert end - start == timedelta(hours=4) and shift["breaks"] == []  # the shortest shift shape

    listed = api.get(f"{DRAFTS}?date={DAY}", people["manager"]).get_json()
    assert [d["id"] for d in listed] == [draft["id"]]

    accepted = api.post(f"{DRAFTS}/{draft['id']}/accept", people["manager"])
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json() == draft["shifts"]
    roster = api.get(f"/api/v1/centres/HQ/roster?date={DAY}", people["manager"]).get_json()
    assert roster == draft["shifts"]
    db.session.expire_all()
    trail = [(e.entity, e.action) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert trail == [("roster_draft", "propose"), ("roster", "replace"), ("roster_draft", "accept")]
    assert db.session.get(RosterDraft, draft["id"]).accepted_at is not None

    again = api.post(f"{DRAFTS}/{draft['id']}/accept", people["manager"])
    assert error_of(again) == (409, "draft_accepted")
    assert error_of(api.call("DELETE", f"{DRAFTS}/{draft['id']}", people["manager"])) == (409, "draft_accepted")


def test_a_draft_can_be_discarded_and_the_roster_stays(api, people):
    draft = api.post(f"{DRAFTS}?date={DAY}&share=0.95", people["admin"]).get_json()
    assert api.call("DELETE", f"{DRAFTS}/{draft['id']}", people["manager"]).status_code == 204
    assert api.get(f"{DRAFTS}?date={DAY}", people["manager"]).get_json() == []
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 0
    db.session.expire_all()
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == ["propose", "discard"]
    assert error_of(api.post(f"{DRAFTS}/{draft['id']}/accept", people["manager"])) == (404, "no_such_draft")


def test_a_day_without_expected_demand_gets_an_empty_draft(api, people):
    draft = api.post(f"{DRAFTS}?date=2026-12-08", people["manager"]).get_json()
    assert draft["shifts"] == []


def test_only_the_centres_managers_and_admins_and_bad_input_changes_nothing(api, people):
    assert error_of(api.post(f"{DRAFTS}?date={DAY}", people["clerk"])) == (403, "forbidden")
    assert error_of(api.post(f"{DRAFTS}?date={DAY}", people["elsewhere"])) == (403, "forbidden")
    assert error_of(api.get(f"{DRAFTS}?date={DAY}", people["elsewhere"])) == (403, "forbidden")
    assert error_of(api.post(f"{DRAFTS}?date={DAY}")) == (401, "unauthorized")
    assert error_of(api.post(f"/api/v1/centres/NOPE/roster-drafts?date={DAY}", people["admin"])) == (404, "not_found")
    assert error_of(api.post(f"{DRAFTS}?date=2026-13-01", people["manager"]))[0] == 422
    assert error_of(api.post(f"{DRAFTS}?date={DAY}&share=1.5", people["manager"]))[0] == 422
    assert error_of(api.post(f"{DRAFTS}/999/accept", people["manager"])) == (404, "no_such_draft")
    for beyond in (2**31, 17179869183):  # past PostgreSQL's integer: no such draft, not a server error
        assert api.post(f"{DRAFTS}/{beyond}/accept", people["manager"]).status_code == 404
        assert api.call("DELETE", f"{DRAFTS}/{beyond}", people["manager"]).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(RosterDraft)) == 0
