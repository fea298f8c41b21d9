"""Visits of several services through the engine (SPEC §11): one number, a row per step, the
arrival time kept at every step, one counter at a time, steps added and dropped at the counter."""
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.domain.errors import IllegalTransition, InvalidRequest, NotFound, SkillNotAllowed, VisitRefused
from queue_app.extensions import db
from queue_app.models import Service, Staff, StaffSkill, Ticket, TicketEvent
from queue_app.services import (
    add_step, call_next, call_ticket, cancel, drop_step, finish, issue_ticket, no_show, open_counter, set_note, start,
    transfer, waiting_list,
)
from queue_app.services.reading import ticket_status
from queue_app.services.visits import current_row, visit_rows, visit_steps
from tests.conftest import NOON, open_desk
from tests.integration.test_concurrency import run_threads

MIN = timedelta(minutes=1)


@pytest.fixture
def desks(ctx):
    """Three counters of HQ, one skill each: birth at HQ-01, passport at HQ-02, tax at HQ-03."""
    return [open_desk(f"HQ-0{i}", f"k{i}", primary=[code]) for i, code in enumerate(("birth", "passport", "tax"), 1)]


def serve(counter: str, at, minutes: int = 5, **finish_kw) -> Ticket:
    """The counter calls next, serves and finishes it resolved `minutes` later; the ticket called."""
    ticket = call_next(counter, now=at, by=SYSTEM)
    start(ticket.id, now=at, by=SYSTEM)
    finish(ticket.id, "resolved", now=at + minutes * MIN, by=SYSTEM, **finish_kw)
    return ticket


def test_a_three_step_visit_keeps_its_number_and_arrival_and_goes_first_in_each_line(desks):
    visit = issue_ticket("HQ", services=["birth", "passport", "tax"], now=NOON, by=SYSTEM).ticket
    later_passport = issue_ticket("HQ", "passport", now=NOON + 2 * MIN, by=SYSTEM).ticket
    later_tax = issue_ticket("HQ", "tax", now=NOON + 3 * MIN, by=SYSTEM).ticket
    assert call_next("HQ-02", now=NOON + 2 * MIN, by=SYSTEM).id == later_passport.id  # the visit is at step 1
    no_show(later_passport.id, now=NOON + 3 * MIN, by=SYSTEM)
    assert visit.number == "A001" and visit.next_steps == [db.session.scalar(select(Service.id).where(Service.code == code))
                                                          for code in ("passport", "tax")]

    assert serve("HQ-01", NOON + 4 * MIN).id == visit.id
    step2 = current_row(visit)
    assert (step2.step, step2.number, step2.service.code, step2.status, step2.source) == (2, "A001", "passport", "waiting", "step")
    assert (step2.arrived_at, step2.issued_at, step2.visit_id) == (NOON, NOON + 9 * MIN, visit.id)
    again = issue_ticket("HQ", "passport", now=NOON + 10 * MIN, by=SYSTEM).ticket
    assert serve("HQ-02", NOON + 11 * MIN).id == step2.id  # by its arrival, before a later arrival
    step3 = current_row(visit)
    assert (step3.step, step3.service.code, step3.next_steps) == (3, "tax", [])
    assert call_next("HQ-03", now=NOON + 17 * MIN, by=SYSTEM).id == step3.id  # before later_tax (12:03)
    start(step3.id, now=NOON + 17 * MIN, by=SYSTEM)
    finish(step3.id, "unresolved", "missing_documents", now=NOON + 20 * MIN, by=SYSTEM)
    assert current_row(visit).id == step3.id  # no step left: the visit is over
    assert [(s["step"], s["service"], s["status"], s["outcome"]) for s in visit_steps(visit)] == [
        (1, "birth", "done", "resolved"), (2, "passport", "done", "resolved"), (3, "tax", "done", "unresolved")]
    assert {later_tax.status, again.status} == {"waiting"}


def test_the_visitor_token_follows_the_visit_and_lists_every_step(desks):
    issued = issue_ticket("HQ", services=["birth", "passport"], now=NOON, by=SYSTEM)
    assert [(s["service"], s["status"]) for s in visit_steps(issued.ticket)] == [("birth", "waiting"), ("passport", "pending")]
    serve("HQ-01", NOON)
    status = ticket_status(issued.ticket.token, NOON + 6 * MIN)
    assert (status.number, status.service, status.status, status.step, status.position) == ("A001", "passport", "waiting", 2, 1)
    assert [(s["step"], s["service"], s["status"], s["counter"]) for s in status.steps] == [
        (1, "birth", "done", None), (2, "passport", "waiting", None)]


def test_continue_here_calls_the_next_step_at_the_same_counter_ahead_of_that_line(ctx):
    open_desk("HQ-01", "both", primary=["birth", "passport"])
    open_desk("HQ-02", "other", primary=["passport"])
    first = issue_ticket("HQ", "passport", now=NOON - 30 * MIN, by=SYSTEM).ticket  # waited longer
    call_next("HQ-02", now=NOON - 30 * MIN, by=SYSTEM)  # HQ-02 busy with it
    earlier = issue_ticket("HQ", "passport", now=NOON - 20 * MIN, by=SYSTEM).ticket
    visit = issue_ticket("HQ", services=["birth", "passport"], now=NOON, by=SYSTEM).ticket
    db.session.commit()
    assert call_next("HQ-01", now=NOON, by=SYSTEM).id in (earlier.id, visit.id)
    if current_row(earlier).status == "called":  # the policy chose the passport line first: serve it
        start(earlier.id, now=NOON, by=SYSTEM)
        finish(earlier.id, "resolved", now=NOON, by=SYSTEM)
        earlier = None
        assert call_next("HQ-01", now=NOON, by=SYSTEM).id == visit.id
    start(visit.id, now=NOON, by=SYSTEM)
    finish(visit.id, "resolved", now=NOON + 5 * MIN, by=SYSTEM, continue_here=True)
    step2 = current_row(visit)
    assert (step2.status, step2.counter.code, step2.called_at, step2.step) == ("called", "HQ-01", NOON + 5 * MIN, 2)
    if earlier is not None:
        assert db.session.get(Ticket, earlier.id).status == "waiting"  # skipped only at this counter
    assert first.status == "called"


def test_continue_here_needs_the_skill_and_changes_nothing_without_it(desks):
    visit = issue_ticket("HQ", services=["birth", "passport"], now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(visit.id, now=NOON, by=SYSTEM)
    with pytest.raises(SkillNotAllowed):
        finish(visit.id, "resolved", now=NOON + MIN, by=SYSTEM, continue_here=True)
    db.session.expire_all()
    assert db.session.get(Ticket, visit.id).status == "serving"
    assert len(visit_rows(db.session.get(Ticket, visit.id))) == 1


def test_steps_are_added_and_dropped_at_the_counter_and_refused_past_the_rules(ctx):
    open_desk("HQ-01", "all", primary=["birth", "passport", "tax", "info"])
    visit = issue_ticket("HQ", services=["birth", "passport"], now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(visit.id, now=NOON, by=SYSTEM)
    add_step(visit.id, "tax", now=NOON, by=SYSTEM)
    with pytest.raises(VisitRefused) as dup:
        add_step(visit.id, "passport", now=NOON, by=SYSTEM)
    assert dup.value.code == "duplicate_step"
    with pytest.raises(VisitRefused) as same:
        add_step(visit.id, "birth", now=NOON, by=SYSTEM)
    assert same.value.code == "duplicate_step"
    add_step(visit.id, "info", now=NOON, by=SYSTEM)
    with pytest.raises(NotFound):
        add_step(visit.id, "nonesuch", now=NOON, by=SYSTEM)
    drop_step(visit.id, "passport", now=NOON, by=SYSTEM)
    with pytest.raises(NotFound):
        drop_step(visit.id, "passport", now=NOON, by=SYSTEM)
    row = db.session.get(Ticket, visit.id)
    assert [s["service"] for s in visit_steps(row)] == ["birth", "tax", "info"]
    actions = list(db.session.execute(select(TicketEvent.action, TicketEvent.reason).where(
        TicketEvent.ticket_id == visit.id, TicketEvent.action.in_(("add_step", "drop_step")))))
    assert actions == [("add_step", "tax"), ("add_step", "info"), ("drop_step", "passport")]
    finish(visit.id, "resolved", now=NOON + MIN, by=SYSTEM)
    assert current_row(visit).service.code == "tax"
    add_step(visit.id, "passport", now=NOON, by=SYSTEM)  # any row's id names the visit: its current row takes it
    assert [(s["service"], s["status"]) for s in visit_steps(visit)] == [
        ("birth", "done"), ("tax", "waiting"), ("info", "pending"), ("passport", "pending")]


def test_a_visit_takes_at_most_five_steps(ctx):
    for code, prefix in (("e1", "E"), ("e2", "F"), ("e3", "G")):
        db.session.add(Service(code=code, agency_id=1, prefix=prefix, name={"en": code}, duration_min=5))
    db.session.commit()
    open_desk("HQ-01", "all", primary=["birth", "passport", "tax", "info", "e1", "e2", "e3"])
    with pytest.raises(InvalidRequest):
        issue_ticket("HQ", services=["birth", "passport", "tax", "info", "e1", "e2"], now=NOON, by=SYSTEM)
    with pytest.raises(InvalidRequest):
        issue_ticket("HQ", services=["birth", "birth"], now=NOON, by=SYSTEM)
    with pytest.raises(InvalidRequest):
        issue_ticket("HQ", services=[], now=NOON, by=SYSTEM)
    visit = issue_ticket("HQ", services=["birth", "passport", "tax", "info", "e1"], now=NOON, by=SYSTEM).ticket
    with pytest.raises(VisitRefused) as many:
        add_step(visit.id, "e2", now=NOON, by=SYSTEM)
    assert many.value.code == "too_many_steps"
    assert db.session.scalar(select(db.func.count()).select_from(Ticket)) == 1


def test_a_no_show_or_a_cancel_ends_the_visit(desks):
    visit = issue_ticket("HQ", services=["birth", "passport", "tax"], now=NOON, by=SYSTEM).ticket
    serve("HQ-01", NOON)
    step2 = call_next("HQ-02", now=NOON + 6 * MIN, by=SYSTEM)
    no_show(step2.id, now=NOON + 8 * MIN, by=SYSTEM)
    assert [(s["service"], s["status"]) for s in visit_steps(visit)] == [
        ("birth", "done"), ("passport", "no_show"), ("tax", "not_reached")]
    assert call_next("HQ-03", now=NOON + 9 * MIN, by=SYSTEM) is None
    with pytest.raises(VisitRefused) as over:
        add_step(visit.id, "info", now=NOON, by=SYSTEM)
    assert over.value.code == "visit_over"

    other = issue_ticket("HQ", services=["birth", "tax"], now=NOON, by=SYSTEM).ticket
    cancel(other.id, now=NOON + MIN, by=SYSTEM)
    assert [s["status"] for s in visit_steps(other)] == ["cancelled", "not_reached"]


def test_a_transfer_keeps_the_steps_still_to_come(desks):
    visit = issue_ticket("HQ", services=["birth", "tax"], now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(visit.id, now=NOON, by=SYSTEM)
    moved = transfer(visit.id, "passport", now=NOON + MIN, by=SYSTEM)
    assert (moved.step, moved.visit_id, moved.number) == (1, visit.id, visit.number)
    assert [(s["service"], s["status"]) for s in visit_steps(visit)] == [
        ("birth", "transferred"), ("passport", "waiting"), ("tax", "pending")]
    serve("HQ-02", NOON + 2 * MIN)
    assert current_row(visit).service.code == "tax"
    assert ticket_status(visit.token, NOON + 8 * MIN).service == "tax"


def test_a_named_ticket_is_called_out_of_order_only_where_it_is_served(desks):
    first = issue_ticket("HQ", "passport", now=NOON, by=SYSTEM).ticket
    second = issue_ticket("HQ", "passport", now=NOON + MIN, by=SYSTEM).ticket
    birth = issue_ticket("HQ", "birth", now=NOON + MIN, by=SYSTEM).ticket
    assert [t["number"] for t in waiting_list("HQ-02", now=NOON + 2 * MIN, by=SYSTEM)] == [first.number, second.number]
    with pytest.raises(SkillNotAllowed):
        call_ticket("HQ-02", birth.id, now=NOON + 2 * MIN, by=SYSTEM)
    called = call_ticket("HQ-02", second.id, now=NOON + 2 * MIN, by=SYSTEM)
    assert (called.id, called.status, called.counter.code) == (second.id, "called", "HQ-02")
    event = db.session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == second.id, TicketEvent.action == "call"))
    assert event.reason == "named"
    open_desk("HQ-04", "k4", primary=["passport"])
    with pytest.raises(IllegalTransition):
        call_ticket("HQ-04", second.id, now=NOON + 2 * MIN, by=SYSTEM)
    assert call_next("HQ-04", now=NOON + 2 * MIN, by=SYSTEM).id == first.id


def test_the_waiting_list_names_each_visit_step(desks):
    visit = issue_ticket("HQ", services=["passport", "tax", "birth"], now=NOON, by=SYSTEM).ticket
    [row] = waiting_list("HQ-02", now=NOON + 4 * MIN, by=SYSTEM)
    assert (row["number"], row["step"], row["steps"], row["waited_min"]) == (visit.number, 1, 3, 4.0)


def test_a_note_travels_with_the_visit(desks):
    visit = issue_ticket("HQ", services=["birth", "passport"], now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(visit.id, now=NOON, by=SYSTEM)
    set_note(visit.id, "  brings the   father's form tomorrow ", now=NOON, by=SYSTEM)
    with pytest.raises(InvalidRequest):
        set_note(visit.id, "x" * 281, now=NOON, by=SYSTEM)
    finish(visit.id, "resolved", now=NOON + MIN, by=SYSTEM)
    assert current_row(visit).note == "brings the father's form tomorrow"
    event = db.session.scalar(select(TicketEvent).where(TicketEvent.action == "note"))
    assert event.reason == "written"  # the audit says a note was written, not what it says


def test_forty_counters_never_call_a_visit_at_two_places_at_once(ctx):
    codes = ("birth", "passport", "tax", "info")
    ids = dict(db.session.execute(select(Service.code, Service.id)).all())
    hq = db.session.scalar(select(Staff).where(Staff.username == "ana")).centres[0]
    for i in range(1, 41):
        staff = Staff(username=f"v{i}", name=f"Clerk {i}", role="clerk", centres=[hq])
        db.session.add(staff)
        db.session.flush()
        for code in (codes if i % 2 else (codes[i % 4], codes[(i + 1) % 4])):
            db.session.add(StaffSkill(staff_id=staff.id, service_id=ids[code], level="primary"))
    db.session.commit()
    for i in range(1, 41):
        open_counter(f"HQ-{i:02d}", f"v{i}", now=NOON, by=SYSTEM)
    visits = [issue_ticket("HQ", services=[codes[(n + k) % 4] for k in range(3)], now=NOON, by=SYSTEM).ticket.id
              for n in range(60)]

    from queue_app.domain.errors import CounterBusy

    def work(i: int) -> int:
        served, idle = 0, 0
        while idle < 3:
            try:
                ticket = call_next(f"HQ-{i + 1:02d}", now=NOON, by=SYSTEM)
            except CounterBusy:
                continue
            if ticket is None:
                idle += 1  # other counters may still be sending visitors on to a line of ours
                continue
            idle = 0
            start(ticket.id, now=NOON, by=SYSTEM)
            finish(ticket.id, "resolved", now=NOON, by=SYSTEM)
            served += 1
        return served

    served = run_threads(ctx, 40, work)
    while (t := call_next("HQ-01", now=NOON, by=SYSTEM)) is not None:  # steps sent on after all went idle
        start(t.id, now=NOON, by=SYSTEM)
        finish(t.id, "resolved", now=NOON, by=SYSTEM)
    assert sum(served) > 0
    rows = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert len(rows) == 180 and {r.status for r in rows} == {"done"}
    by_visit = defaultdict(list)
    for r in rows:
        by_visit[r.visit_key].append(r)
    assert sorted(by_visit) == sorted(visits) and {len(v) for v in by_visit.values()} == {3}
    # In the order the database stored them, each visit's events run step after step: no row of
    # a visit is issued before the one before it finished, so no two are ever out at once.
    events = db.session.execute(select(TicketEvent.ticket_id, TicketEvent.action).order_by(TicketEvent.id)).all()
    key = {r.id: r.visit_key for r in rows}
    active = defaultdict(int)
    for ticket_id, action in events:
        if action == "issue":
            active[key[ticket_id]] += 1
            assert active[key[ticket_id]] == 1, f"visit {key[ticket_id]} had two steps out at once"
        elif action == "finish":
            active[key[ticket_id]] -= 1
    calls = [t for t, action in events if action == "call"]
    assert len(calls) == len(set(calls)) == 180


def test_a_visitor_sent_to_a_named_counter_is_called_there_first_and_nowhere_else(ctx):
    from queue_app.domain.errors import CounterNotOpen

    open_desk("HQ-01", "k1", primary=["birth"])
    open_desk("HQ-02", "k2", primary=["passport"])
    open_desk("HQ-03", "k3", primary=["passport"])
    open_desk("HQ-04", "k4", primary=["tax"])
    waiting = issue_ticket("HQ", "passport", now=NOON - 20 * MIN, by=SYSTEM).ticket  # arrived earlier
    visit = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(visit.id, now=NOON, by=SYSTEM)
    with pytest.raises(SkillNotAllowed):
        transfer(visit.id, "passport", counter_code="HQ-04", now=NOON, by=SYSTEM)
    with pytest.raises(CounterNotOpen):
        transfer(visit.id, "passport", counter_code="HQ-05", now=NOON, by=SYSTEM)
    with pytest.raises(InvalidRequest):
        transfer(visit.id, counter_code="HQ-01", now=NOON, by=SYSTEM)  # its own counter
    sent = transfer(visit.id, "passport", clerk="k3", now=NOON + MIN, by=SYSTEM)
    assert (sent.for_counter.code, sent.status, sent.arrived_at) == ("HQ-03", "waiting", NOON)
    assert [t["id"] for t in waiting_list("HQ-02", now=NOON, by=SYSTEM)] == [waiting.id]  # not HQ-02's to call
    with pytest.raises(IllegalTransition):
        call_ticket("HQ-02", sent.id, now=NOON + MIN, by=SYSTEM)
    assert call_next("HQ-02", now=NOON + 2 * MIN, by=SYSTEM).id == waiting.id
    no_show(waiting.id, now=NOON + 2 * MIN, by=SYSTEM)
    assert call_next("HQ-02", now=NOON + 2 * MIN, by=SYSTEM) is None  # the sent one waits for HQ-03 only
    later = issue_ticket("HQ", "passport", now=NOON - 30 * MIN, by=SYSTEM).ticket  # even before a longer wait
    called = call_next("HQ-03", now=NOON + 3 * MIN, by=SYSTEM)
    assert called.id == sent.id
    reason = db.session.scalar(select(TicketEvent.reason).where(TicketEvent.ticket_id == sent.id, TicketEvent.action == "call"))
    assert reason == "sent_here" and db.session.get(Ticket, later.id).status == "waiting"


def test_a_visitor_sent_to_a_counter_that_closes_goes_back_to_the_line(ctx):
    from queue_app.services import close_counter

    open_desk("HQ-01", "k1", primary=["birth"])
    open_desk("HQ-02", "k2", primary=["passport"])
    open_desk("HQ-03", "k3", primary=["passport"])
    visit = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(visit.id, now=NOON, by=SYSTEM)
    sent = transfer(visit.id, "passport", counter_code="HQ-03", now=NOON, by=SYSTEM)
    close_counter("HQ-03", by=SYSTEM)
    assert db.session.get(Ticket, sent.id).for_counter_id is None
    assert call_next("HQ-02", now=NOON + MIN, by=SYSTEM).id == sent.id


def test_the_demo_day_has_visits_of_several_services(ctx):
    import random

    from queue_app.models import Centre
    from queue_app.services.demo import _replay

    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    _replay(hq, NOON, random.Random(7))  # three hours of HQ's day, with ana and ben
    rows = db.session.scalars(select(Ticket)).all()
    visits = {r.visit_key for r in rows if r.visit_id is not None or r.next_steps}
    assert visits and all(r.number == db.session.get(Ticket, r.visit_key).number for r in rows)
    assert {r.service.code for r in rows if r.source == "step"} <= {"passport"}  # newborn: birth, then passport
