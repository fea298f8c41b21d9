"""`queue-app demo` keeps the shipped network's rosters current (services/demo.py `keep_rosters`):
this week and the next at every centre, coverage round the clock at the 24/7 point, a second run
writing nothing, and a day a manager edited left as they made it. Thursday 2026-12-10, noon in Moscow."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from queue_app.config import DEFAULT_CONFIG, read_network_file
from queue_app.domain.access import SYSTEM
from queue_app.domain.roster import ShiftPlan
from queue_app.extensions import db
from queue_app.models import AuditEvent, Centre, Shift
from queue_app.services import roster as rosters
from queue_app.services.catalogue import apply_network
from queue_app.services.demo import keep_rosters
from tests.conftest import empty_database

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=timezone.utc)
MONDAY, NEXT_SUNDAY = date(2026, 12, 7), date(2026, 12, 20)


def demo_network() -> None:
    empty_database()
    apply_network(read_network_file(DEFAULT_CONFIG))


def shifts_by_centre() -> dict[str, set[date]]:
    db.session.expire_all()
    found: dict[str, set[date]] = {}
    for code, day in db.session.execute(select(Centre.code, Shift.day).join(Centre, Centre.id == Shift.centre_id)):
        found.setdefault(code, set()).add(day)
    return found


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_demo_rosters_this_week_and_the_next_at_every_centre_and_the_second_run_writes_nothing(api):
    demo_network()
    first = {r.centre: r for r in keep_rosters(NOW)}
    assert set(first) == {"AIR1", "MAD1", "MSK1", "MSK2"}
    days = shifts_by_centre()
    every_day = {MONDAY + timedelta(days=d) for d in range(14)}
    assert days["AIR1"] == days["MSK1"] == every_day
    assert days["MSK2"] == days["MAD1"] == {d for d in every_day if d.weekday() != 6}  # closed on Sundays
    assert sorted(first["AIR1"].written) == sorted(every_day) and first["AIR1"].kept == 0
    # one audited replace per day written, by the system
    events = list(db.session.scalars(select(AuditEvent)))
    assert len(events) == 14 + 14 + 12 + 12
    assert {(e.entity, e.action, e.actor_staff_id, e.device_id) for e in events} == {("roster", "replace", None, None)}

    manager = api.staff("imorozova", "manager", centres=["MSK1", "AIR1"])
    hours = api.get("/api/v1/centres/AIR1/coverage?date=2026-12-10", manager).get_json()["hours"]
    assert [h["hour"] for h in hours] == [f"{h:02d}:00" for h in range(24)]
    assert all("passport_international" in h["covered"] for h in hours)  # every AIR1 clerk holds it
    msk1 = api.get("/api/v1/centres/MSK1/coverage?date=2026-12-10", manager).get_json()["hours"]
    assert len(msk1) == 12 and all(h["covered"] for h in msk1)

    before = audit_count()
    again = keep_rosters(NOW)
    assert all(r.written == [] for r in again)
    assert {r.centre: r.kept for r in again} == {"AIR1": 14, "MSK1": 14, "MSK2": 12, "MAD1": 12}
    assert audit_count() == before


def test_a_later_run_fills_the_new_week_and_keeps_a_day_a_manager_edited(ctx):
    demo_network()
    keep_rosters(NOW)
    tz = db.session.scalar(select(Centre).where(Centre.code == "MSK2")).tz
    edited = date(2026, 12, 14)
    mine = [ShiftPlan("pnovikov", datetime(2026, 12, 14, 10, tzinfo=tz), datetime(2026, 12, 14, 14, tzinfo=tz))]
    rosters.replace_roster("MSK2", edited, mine, by=SYSTEM)
    rosters.replace_roster("MSK2", date(2026, 12, 15), [], by=SYSTEM)  # a day cleared on purpose

    later = {r.centre: r for r in keep_rosters(NOW + timedelta(days=7))}  # the week of the 14th, and the next
    assert sorted(later["MSK2"].written) == [date(2026, 12, 21) + timedelta(days=d) for d in range(6)]
    assert later["MSK2"].kept == 6
    day = rosters.roster("MSK2", edited, by=SYSTEM)
    assert [(s.staff, s.start, s.end) for s in day.shifts] == [(m.staff, m.start, m.end) for m in mine]
    assert rosters.roster("MSK2", date(2026, 12, 15), by=SYSTEM).shifts == []
    assert max(shifts_by_centre()["AIR1"]) == date(2026, 12, 27)
