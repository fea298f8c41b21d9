"""Booking capacity from the roster (SPEC §10) through the real services: a day's slots follow its
shifts, the last place of a roster-derived slot is sold once, and a shift cut after bookings raises
a conflict the managers see (the API and the dashboard's state) — never a silent overbooking.

HQ is Europe/Moscow and open round the clock; ana holds birth, passport and tax, ben tax and info."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.domain.roster import Break, ShiftPlan
from queue_app.domain.slots import SlotFull
from queue_app.extensions import db
from queue_app.models import Appointment, Centre
from queue_app.services import book, slots
from queue_app.services.roster import replace_roster
from queue_app.services.screens import manager_state
from tests.conftest import MSK, NOON, error_of
from tests.integration.test_concurrency import run_threads

TOMORROW = date(2026, 11, 24)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), MSK)


def roster(day: date, *shifts: ShiftPlan) -> None:
    replace_roster("HQ", day, list(shifts), by=SYSTEM)


def ana(day: date, start=(9, 0), end=(13, 0), **kw) -> ShiftPlan:
    return ShiftPlan("ana", at(day, *start), at(day, *end), skills=frozenset({"passport"}), **kw)


def ben(day: date) -> ShiftPlan:
    return ShiftPlan("ben", at(day, 9), at(day, 17))


def take(start: datetime, now=NOON) -> Appointment:
    return book("HQ", "passport", start, "Ana Ruiz", phone="+34600000000", now=now)


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Appointment))


def test_the_days_slots_follow_its_roster(ctx):
    # ana on passports only 09:00-13:00, half for walk-ins: half a place a 20-minute slot
    roster(TOMORROW, ana(TOMORROW))
    day = slots("HQ", "passport", TOMORROW, NOON)
    assert [s.start for s in day] == [at(TOMORROW, 9, 20) + timedelta(minutes=40 * i) for i in range(6)]
    assert {s.available for s in day} == {1}
    assert slots("HQ", "birth", TOMORROW, NOON) == []  # her shift serves passports only
    # a break 10:00-11:00 takes its three slots' mass out: the place moves on, it is not lost
    roster(TOMORROW, ana(TOMORROW, breaks=(Break(at(TOMORROW, 10), at(TOMORROW, 11)),)))
    assert [s.start.strftime("%H:%M") for s in slots("HQ", "passport", TOMORROW, NOON)] == [
        "09:20", "11:00", "11:40", "12:20"]


def test_a_slot_the_roster_gives_no_place_is_refused_and_nothing_changes(ctx):
    roster(TOMORROW, ana(TOMORROW))
    with pytest.raises(SlotFull) as refused:
        take(at(TOMORROW, 9))
    assert refused.value.code == "slot_full" and count() == 0
    with pytest.raises(SlotFull):
        take(at(TOMORROW, 14))  # after her shift
    assert take(at(TOMORROW, 9, 20)).place == 1
    with pytest.raises(SlotFull):
        take(at(TOMORROW, 9, 20))  # its one place is gone
    assert count() == 1


def test_twenty_clients_race_for_the_one_place_of_a_roster_derived_slot(app, ctx):
    roster(TOMORROW, ana(TOMORROW))

    def attempt(_):
        try:
            return take(at(TOMORROW, 9, 20)).code
        except SlotFull as exc:
            return exc.code

    results = run_threads(app, 20, attempt)
    assert len([r for r in results if r != "slot_full"]) == 1, results
    assert count() == 1


# ---- a shift cut after bookings ------------------------------------------------------------

@pytest.fixture
def booked(api):
    """Tomorrow at HQ (real time: the conflicts are from now on): ana on passports 09:00-13:00 and
    ben on tax and info all day; two passport appointments, at 09:20 and 10:00."""
    day = (utcnow().astimezone(MSK) + timedelta(days=1)).date()
    roster(day, ana(day), ben(day))
    first, second = take(at(day, 9, 20), now=None), take(at(day, 10), now=None)
    return {"day": day, "codes": [first.code, second.code], "manager": api.staff("max", "manager", centres=["HQ"])}


def conflicts(api, token, centre="HQ"):
    return api.get(f"/api/v1/centres/{centre}/booking-conflicts", token)


def hq_alerts() -> list[dict]:
    db.session.expire_all()
    return [a for a in manager_state(db.session.scalar(select(Centre).where(Centre.code == "HQ")))["alerts"]
            if a["kind"] == "overbooked"]


def put(api, token, day: date, shifts: list[dict]):
    return api.call("PUT", f"/api/v1/centres/HQ/roster?date={day}", token, json=shifts)


def shift(staff: str, day: date, start, end, skills=None) -> dict:
    return {"staff": staff, "start": at(day, *start).isoformat(), "end": at(day, *end).isoformat(), "skills": skills}


def test_no_conflict_while_the_roster_holds_the_bookings(api, booked):
    answer = conflicts(api, booked["manager"])
    assert answer.status_code == 200
    assert answer.get_json() == {"centre": "HQ", "slots": 0, "appointments": 0, "conflicts": []}
    assert hq_alerts() == []


def test_a_shortened_shift_raises_the_conflict_with_the_appointment(api, booked):
    day = booked["day"]
    cut = put(api, booked["manager"], day, [shift("ana", day, (9, 0), (9, 40), ["passport"]),
                                            shift("ben", day, (9, 0), (17, 0))])
    assert cut.status_code == 200, cut.get_json()
    answer = conflicts(api, booked["manager"]).get_json()
    # 09:00 + 09:20 carry one place (the 09:20 booking keeps it); 10:00 now has none
    assert answer == {"centre": "HQ", "slots": 1, "appointments": 1, "conflicts": [{
        "service": "passport", "start": at(day, 10).isoformat(), "end": at(day, 10, 20).isoformat(),
        "places": 0, "booked": 1, "over": 1, "appointments": [{"code": booked["codes"][1], "place": 1}]}]}
    assert "Ana Ruiz" not in str(answer) and "+34" not in str(answer)  # no personal data
    assert hq_alerts() == [{"kind": "overbooked", "slots": 1, "appointments": 1, "day": day.isoformat()}]


def test_a_removed_shift_raises_a_conflict_for_each_slot(api, booked):
    day = booked["day"]
    assert put(api, booked["manager"], day, [shift("ben", day, (9, 0), (17, 0))]).status_code == 200
    answer = conflicts(api, booked["manager"]).get_json()
    assert (answer["slots"], answer["appointments"]) == (2, 2)
    assert [c["appointments"][0]["code"] for c in answer["conflicts"]] == booked["codes"]
    assert hq_alerts()[0]["appointments"] == 2
    # the manager restores the shift: the conflict is gone
    assert put(api, booked["manager"], day, [shift("ana", day, (9, 0), (13, 0), ["passport"]),
                                             shift("ben", day, (9, 0), (17, 0))]).status_code == 200
    assert conflicts(api, booked["manager"]).get_json()["slots"] == 0 and hq_alerts() == []


def test_only_managers_of_the_centre_and_admins_read_the_conflicts(api, booked):
    assert conflicts(api, api.staff("ada", "admin", centres=[])).status_code == 200
    assert error_of(conflicts(api, api.staff("kim", "clerk", skills=["passport"]))) == (403, "forbidden")
    assert error_of(conflicts(api, api.staff("ned", "manager", centres=["NYC"])))[0] == 403
    assert conflicts(api, None).status_code == 401
    assert error_of(conflicts(api, booked["manager"], centre="NOPE"))[0] == 404


def test_a_day_cleared_of_every_shift_raises_the_conflict_too(api, booked):
    """Clearing a day rosters nobody: it is not a day without a roster (where every clerk of the
    centre would be assumed on duty and the bookings would seem held)."""
    day = booked["day"]
    assert put(api, booked["manager"], day, []).status_code == 200
    answer = conflicts(api, booked["manager"]).get_json()
    assert (answer["slots"], answer["appointments"]) == (2, 2)
    assert hq_alerts()[0]["appointments"] == 2
