"""Visit figures read back from hand-made step rows (the engine's rows: visit_id, step, source "step",
next_steps, contact_hash) through the day's stats, the dashboard, a report, a roll-up and open data."""
from __future__ import annotations

import dataclasses
import secrets
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Centre, CentreDay, Service, Ticket
from queue_app.services.dashboard import today
from queue_app.services.reading import day_stats
from queue_app.services.reports import build_report, open_data, period_of
from tests.conftest import MSK

DAY = date(2026, 11, 23)


def t(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK)


def add_row(service, status, day, arrived, issued, called=None, finished=None, *, visit=None, step=1,
            source="kiosk", next_steps=(), outcome=None, reason=None, contact=None) -> Ticket:
    """A ticket row as the visits engine makes it, put in by hand."""
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    ids = dict(db.session.execute(select(Service.code, Service.id)).all())
    row = Ticket(centre_id=hq.id, service_id=ids[service], service_day=day, seq=1, number="A001",
                 token=secrets.token_urlsafe(32), status=status, source=source, arrived_at=t(day, *arrived),
                 issued_at=t(day, *issued), called_at=called and t(day, *called),
                 started_at=called and t(day, *called), finished_at=finished and t(day, *finished),
                 outcome=outcome, reason=reason, visit_id=visit and visit.id, step=step,
                 next_steps=[ids[s] for s in next_steps], contact_hash=contact)
    db.session.add(row)
    db.session.flush()
    return row


def seed(day: date = DAY) -> None:
    """Ten days before: hash-one's passport visit, resolved. The day: visit A (hash-one) birth 09:00–09:16 then
    passport 09:16–09:40, both resolved: 40 min door to door, 2 steps, and a repeat for passport.
    Visit B (hash-two) tax unresolved (missing documents) 09:10–09:30, then a no-show at birth: over,
    2 steps, not resolved, no door-to-door time. Visit C (no contact) info, still waiting."""
    before = day - timedelta(days=10)
    add_row("passport", "done", before, (10, 0), (10, 0), (10, 10), (10, 30), outcome="resolved", contact="hash-one")
    a = add_row("birth", "done", day, (9, 0), (9, 0), (9, 5), (9, 16), outcome="resolved",
                next_steps=["passport"], contact="hash-one")
    add_row("passport", "done", day, (9, 0), (9, 16), (9, 26), (9, 40), visit=a, step=2, source="step",
            outcome="resolved", contact="hash-one")
    b = add_row("tax", "done", day, (9, 10), (9, 10), (9, 12), (9, 30), outcome="unresolved",
                reason="missing_documents", next_steps=["birth"], contact="hash-two")
    add_row("birth", "no_show", day, (9, 10), (9, 30), (9, 35), (9, 40), visit=b, step=2, source="step", contact="hash-two")
    add_row("info", "waiting", day, (10, 0), (10, 0))
    db.session.commit()


def test_the_days_stats_carry_the_hand_computed_visit_figures(ctx):
    seed()
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    day = day_stats(hq, DAY)
    assert day.arrivals == 3  # the later steps are no new arrivals
    v = day.visits
    assert (v.visits, v.over) == (3, 2)
    assert (v.door_to_door_mean_min, v.door_to_door_p90_min) == (pytest.approx(40.0), pytest.approx(40.0))
    assert v.steps_per_visit == pytest.approx(5 / 3)
    assert v.first_visit_resolution == pytest.approx(0.5)
    assert v.unresolved_by_service == {"tax": {"missing_documents": 1}}
    assert [(r.service, r.visits, r.repeat) for r in v.repeats] == [("birth", 2, 0), ("passport", 1, 1), ("tax", 1, 0)]


def test_the_dashboard_shows_today_so_far(ctx):
    seed()
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    shown = today(hq, t(DAY, 11, 0))["visits"]
    assert shown == {"over": 2, "door_to_door_mean_min": pytest.approx(40.0), "door_to_door_p90_min": pytest.approx(40.0),
                     "steps_per_visit": pytest.approx(5 / 3), "first_visit_resolution": pytest.approx(0.5),
                     "repeat_visits": 1}


@pytest.mark.parametrize("rolled", [False, True])
def test_a_report_and_its_day_row_computed_or_rolled_up(ctx, rolled):
    seed()
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    if rolled:  # the closing job stores day_stats as a dict: the day row reads the visits' figures back
        db.session.add(CentreDay(centre_id=hq.id, day=DAY, figures=dataclasses.asdict(day_stats(hq, DAY)),
                                 rolled_up_at=t(DAY, 23, 0)))
        db.session.commit()
    r = build_report("HQ", period_of(day=DAY.isoformat())).report
    assert (r.visits.door_to_door_mean_min, r.visits.first_visit_resolution) == (pytest.approx(40.0), 0.5)
    assert r.visits.unresolved_by_service == {"tax": {"missing_documents": 1}}
    [row] = r.days
    assert (row.door_to_door_mean_min, row.door_to_door_p90_min, row.steps_per_visit, row.first_visit_resolution,
            row.repeat_visits, row.repeat_share) == (pytest.approx(40.0), pytest.approx(40.0), pytest.approx(5 / 3),
                                                     pytest.approx(0.5), 1, pytest.approx(1 / 4))


def test_an_old_roll_up_has_no_visit_figures(ctx):
    seed()
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    figures = dataclasses.asdict(day_stats(hq, DAY))
    del figures["visits"]  # stored before the figures existed
    db.session.add(CentreDay(centre_id=hq.id, day=DAY, figures=figures, rolled_up_at=t(DAY, 23, 0)))
    db.session.commit()
    [row] = build_report("HQ", period_of(day=DAY.isoformat())).report.days
    assert (row.door_to_door_mean_min, row.repeat_visits) == (None, None)


def test_open_data_leaves_out_a_small_count_of_repeat_visits_and_never_a_contact(ctx, client):
    seed()
    [row] = open_data("HQ", period_of(day=DAY.isoformat()))
    assert (row.first_visit_resolution, row.repeat_visits, row.repeat_share) == (pytest.approx(0.5), None, None)
    body = client.get(f"/api/v1/open-data/daily?centre=HQ&from={DAY.isoformat()}&format=csv").get_data(as_text=True)
    assert "hash-one" not in body and "hash-two" not in body
    assert "40.00" in body


def test_the_engines_rows_give_the_figures_worked_out_by_hand(ctx):
    """Through the visits engine (services/visits.py): V1 (phone) birth 12:01–12:06 then passport
    12:07–12:12, 12 min door to door; V2 (the same phone) passport 12:21–12:26, back for a service
    resolved 9 minutes before: a repeat, 6 min; V3 birth, transferred to passport at 12:32 (the same
    step), unresolved at 12:38: 8 min, 1 step, not resolved at the first visit."""
    from queue_app.domain.access import SYSTEM
    from queue_app.services import call_next, finish, issue_ticket, start, transfer
    from tests.conftest import NOON, open_desk

    minute = timedelta(minutes=1)
    open_desk("HQ-01", "k1", primary=["birth"])
    open_desk("HQ-02", "k2", primary=["passport"])

    def serve(counter, at, minutes, outcome="resolved", reason=None):
        ticket = call_next(counter, now=NOON + at * minute, by=SYSTEM)
        start(ticket.id, now=NOON + at * minute, by=SYSTEM)
        finish(ticket.id, outcome, reason, now=NOON + (at + minutes) * minute, by=SYSTEM)

    phone = "+7 999 123-45-67"
    issue_ticket("HQ", services=["birth", "passport"], now=NOON, phone=phone, by=SYSTEM)
    serve("HQ-01", 1, 5)
    serve("HQ-02", 7, 5)
    issue_ticket("HQ", "passport", now=NOON + 20 * minute, phone=phone, by=SYSTEM)
    serve("HQ-02", 21, 5)
    issue_ticket("HQ", "birth", now=NOON + 30 * minute, by=SYSTEM)
    moved = call_next("HQ-01", now=NOON + 30 * minute, by=SYSTEM)
    start(moved.id, now=NOON + 30 * minute, by=SYSTEM)
    transfer(moved.id, "passport", now=NOON + 32 * minute, by=SYSTEM)
    serve("HQ-02", 33, 5, "unresolved", "missing_documents")

    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    day = day_stats(hq, NOON.date())
    v = day.visits
    assert (day.arrivals, v.visits, v.over) == (3, 3, 3)
    assert (v.door_to_door_mean_min, v.door_to_door_p90_min) == (pytest.approx(26 / 3), pytest.approx(12.0))
    assert v.steps_per_visit == pytest.approx(4 / 3)
    assert v.first_visit_resolution == pytest.approx(2 / 3)
    assert v.unresolved_by_service == {"passport": {"missing_documents": 1}}
    assert [(r.service, r.visits, r.repeat) for r in v.repeats] == [("birth", 1, 0), ("passport", 2, 1)]
