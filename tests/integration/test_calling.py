"""A ticket's life through the services, each move stored as one event (SPEC §3)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.domain.errors import CounterBusy, CounterNotOpen, IllegalTransition, InvalidRequest
from queue_app.extensions import db
from queue_app.models import Appointment, Centre, Service, Ticket, TicketEvent
from queue_app.refusals import http_status
from queue_app.services import (
    call_next, cancel, expire_calls, finish, issue_ticket, no_show, pause_counter, recall, start, transfer,
)
from queue_app.services.tickets import create_ticket
from tests.conftest import NOON, open_desk

MIN = timedelta(minutes=1)


def trail(ticket_id: int) -> list[tuple]:
    rows = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))
    return [(e.action, e.from_status, e.to_status) for e in rows]


@pytest.fixture
def desk(ctx):
    """HQ-01 open for a clerk serving birth (primary) and tax (secondary)."""
    return open_desk("HQ-01", "clerk1", primary=["birth"], secondary=["tax"])


def test_a_visit_from_issue_to_done(desk):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    called = call_next("HQ-01", now=NOON + MIN, by=SYSTEM)
    assert (called.id, called.status, called.counter_id, called.called_at) == (t.id, "called", desk.id, NOON + MIN)
    start(t.id, now=NOON + 2 * MIN, by=SYSTEM)
    done = finish(t.id, "resolved", now=NOON + 12 * MIN, by=SYSTEM)
    assert (done.status, done.outcome, done.reason, done.finished_at) == ("done", "resolved", None, NOON + 12 * MIN)
    assert trail(t.id) == [
        ("issue", None, "waiting"),
        ("call", "waiting", "called"),
        ("start", "called", "serving"),
        ("finish", "serving", "done"),
    ]
    staff = {e.staff_id for e in db.session.scalars(select(TicketEvent).where(TicketEvent.action != "issue"))}
    assert staff == {desk.staff_id}


def ticket_updates(body) -> list[str]:
    """The UPDATEs of the tickets table that `body()` runs."""
    from sqlalchemy import event

    ran = []

    def seen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE TICKETS"):
            ran.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        body()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return ran


def test_start_and_finish_each_write_the_ticket_once(desk):
    """The start time and the outcome go with the move's status, in one UPDATE (issue 21)."""
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    started = ticket_updates(lambda: start(t.id, now=NOON + MIN, by=SYSTEM))
    assert len(started) == 1 and "started_at" in started[0], started
    finished = ticket_updates(lambda: finish(t.id, "unresolved", "missing_documents", now=NOON + 2 * MIN, by=SYSTEM))
    assert len(finished) == 1 and "outcome" in finished[0] and "reason" in finished[0], finished
    db.session.expire_all()
    done = db.session.get(Ticket, t.id)
    assert (done.started_at, done.finished_at, done.outcome, done.reason) == (
        NOON + MIN, NOON + 2 * MIN, "unresolved", "missing_documents")


def test_unresolved_finish_keeps_its_reason(desk):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(t.id, now=NOON, by=SYSTEM)
    finish(t.id, "unresolved", "missing_documents", now=NOON + MIN, by=SYSTEM)
    assert db.session.get(Ticket, t.id).reason == "missing_documents"
    assert trail(t.id)[-1] == ("finish", "serving", "done")


@pytest.mark.parametrize(("outcome", "reason"), [("resolved", "other"), ("unresolved", None), ("unresolved", "bored"), ("great", None)])
def test_a_bad_outcome_is_refused_and_changes_nothing(desk, outcome, reason):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(t.id, now=NOON, by=SYSTEM)
    with pytest.raises(InvalidRequest):
        finish(t.id, outcome, reason, now=NOON, by=SYSTEM)
    assert db.session.get(Ticket, t.id, populate_existing=True).status == "serving"
    assert len(trail(t.id)) == 3


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        ([], start),  # waiting cannot start
        ([], recall),
        ([], no_show),
        ([start], start),
        ([start], recall),
        ([start], no_show),
        ([start], cancel),
    ],
)
def test_illegal_moves_are_refused_with_409_errors(desk, steps, illegal):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    if steps:
        call_next("HQ-01", now=NOON, by=SYSTEM)
    for step in steps:
        step(t.id, now=NOON, by=SYSTEM)
    before = trail(t.id)
    with pytest.raises(IllegalTransition) as err:
        illegal(t.id, now=NOON, by=SYSTEM)
    assert http_status(err.value) == 409
    assert trail(t.id) == before


def test_finished_ticket_cannot_be_finished_twice(desk):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(t.id, now=NOON, by=SYSTEM)
    finish(t.id, "resolved", now=NOON, by=SYSTEM)
    with pytest.raises(IllegalTransition, match="cannot finish a ticket that is done"):
        finish(t.id, "resolved", now=NOON, by=SYSTEM)


def test_call_next_returns_none_when_nothing_it_serves_waits(desk):
    issue_ticket("HQ", "passport", now=NOON, by=SYSTEM)  # HQ-01 does not serve passports
    assert call_next("HQ-01", now=NOON, by=SYSTEM) is None


def test_call_next_refuses_a_closed_or_paused_counter(desk):
    issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    with pytest.raises(CounterNotOpen, match="HQ-02 is closed"):
        call_next("HQ-02", now=NOON, by=SYSTEM)
    pause_counter("HQ-01", by=SYSTEM)
    with pytest.raises(CounterNotOpen, match="HQ-01 is paused"):
        call_next("HQ-01", now=NOON, by=SYSTEM)


def test_call_next_refuses_while_a_visitor_is_at_the_counter(desk):
    issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    first = call_next("HQ-01", now=NOON, by=SYSTEM)
    with pytest.raises(CounterBusy, match=f"still has ticket {first.number}"):
        call_next("HQ-01", now=NOON, by=SYSTEM)


def test_call_next_applies_the_policy(desk):
    early = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    prio = issue_ticket("HQ", "birth", now=NOON + 5 * MIN, priority=True, by=SYSTEM).ticket
    tax = issue_ticket("HQ", "tax", now=NOON + MIN, by=SYSTEM).ticket  # secondary skill, weight 1.5
    order = []
    now = NOON + 10 * MIN
    for _ in range(3):
        t = call_next("HQ-01", now=now, by=SYSTEM)
        order.append(t.id)
        start(t.id, now=now, by=SYSTEM)
        finish(t.id, "resolved", now=now, by=SYSTEM)
    # priority first; then by pressure (one counter serves each): birth 10 + 10 min = 20 × 1.5 primary
    # bonus = 30 over tax 9 + 5 = 14 × weight 1.5 = 21
    assert order == [prio.id, early.id, tax.id]


@pytest.mark.parametrize("by_pressure", [True, False])
def test_a_counter_helps_the_line_heading_for_the_longest_wait(desk, by_pressure):
    from queue_app.models import Setting
    from queue_app.services.lookup import forget_catalogue

    db.session.merge(Setting(key="policy", value={"route_by_pressure": by_pressure}))
    db.session.commit()
    forget_catalogue()
    open_desk("HQ-02", "clerk2", primary=["birth"])  # birth has two counters, tax only HQ-01
    birth = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    taxes = [issue_ticket("HQ", "tax", now=NOON + i * MIN, by=SYSTEM).ticket for i in (1, 2, 3)]
    try:
        chosen = call_next("HQ-01", now=NOON + 6 * MIN, by=SYSTEM).id
    finally:
        forget_catalogue()
    # At +6, by pressure: birth's line heads for 6 + 1 × 10 / 2 = 11 min (× 1.5 primary bonus = 16.5);
    # tax's for max(5 + 5, 4 + 10, 3 + 15) = 18 (× weight 1.5 = 27): HQ-01 helps tax, oldest first.
    # By each ticket's own wait: birth 6 × 1.5 = 9 beats tax 5 × 1.5 = 7.5.
    assert chosen == (taxes[0].id if by_pressure else birth.id)


def test_past_target_tickets_come_before_weighted_ones(desk):
    old = issue_ticket("HQ", "tax", now=NOON, by=SYSTEM).ticket  # secondary: no bonus
    issue_ticket("HQ", "birth", now=NOON + 10 * MIN, by=SYSTEM)
    # at +16 min the tax ticket is past the 15-minute target: it goes first
    assert call_next("HQ-01", now=NOON + 16 * MIN, by=SYSTEM).id == old.id


def checked_in_appointment(slot, arrived):
    """A checked-in birth appointment at HQ with its slot at `slot`, its ticket issued at `arrived`."""
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    birth = db.session.scalar(select(Service).where(Service.code == "birth"))
    appt = Appointment(code="ABCD1234", centre_id=hq.id, service_id=birth.id, start=slot,
                       end=slot + birth.duration_min * MIN, name="Visitor", status="checked_in")
    db.session.add(appt)
    db.session.flush()
    ticket = create_ticket(hq, birth, arrived, appointment_id=appt.id, source="appointment", by=SYSTEM)
    db.session.commit()
    return ticket


def test_a_due_appointment_goes_first(desk):
    walk_in = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    booked = checked_in_appointment(slot=NOON + 20 * MIN, arrived=NOON + 10 * MIN)
    # at +12 the slot (+20) is not due within the 5-minute lead: the walk-in goes first
    assert call_next("HQ-01", now=NOON + 12 * MIN, by=SYSTEM).id == walk_in.id
    start(walk_in.id, now=NOON + 12 * MIN, by=SYSTEM)
    finish(walk_in.id, "resolved", now=NOON + 15 * MIN, by=SYSTEM)
    issue_ticket("HQ", "birth", now=NOON + 2 * MIN, by=SYSTEM)  # waited longer than the booked ticket
    assert call_next("HQ-01", now=NOON + 16 * MIN, by=SYSTEM).id == booked.id


def test_an_appointment_grace_set_in_the_policy_lets_a_walk_in_near_the_target_go_first(desk):
    from queue_app.models import Setting
    from queue_app.services.lookup import forget_catalogue

    db.session.merge(Setting(key="policy", value={"appointment_grace_min": 5}))
    db.session.commit()
    forget_catalogue()
    walk_in = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    booked = checked_in_appointment(slot=NOON + 12 * MIN, arrived=NOON + 5 * MIN)
    try:
        # at +14 the slot started 2 min ago (counts 12 min), the walk-in has waited 14: walk-in first
        assert call_next("HQ-01", now=NOON + 14 * MIN, by=SYSTEM).id == walk_in.id
        start(walk_in.id, now=NOON + 14 * MIN, by=SYSTEM)
        finish(walk_in.id, "resolved", now=NOON + 16 * MIN, by=SYSTEM)
        issue_ticket("HQ", "birth", now=NOON + 16 * MIN, by=SYSTEM)
        assert call_next("HQ-01", now=NOON + 17 * MIN, by=SYSTEM).id == booked.id
    finally:
        forget_catalogue()


def test_a_late_line_deferred_by_the_policy_gives_way_until_its_deferral_runs_out(desk):
    from queue_app.models import Setting
    from queue_app.services.lookup import forget_catalogue
    from queue_app.services.queue import queue_state

    db.session.merge(Setting(key="policy", value={"defer_late_min": 20}))
    db.session.commit()
    forget_catalogue()
    late = issue_ticket("HQ", "tax", now=NOON, by=SYSTEM).ticket
    savable = issue_ticket("HQ", "birth", now=NOON + 5 * MIN, by=SYSTEM).ticket
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    try:
        # at +16 the tax visitor has missed the target; the birth one (11 min) can still make it
        assert [c.id for c in queue_state(hq, NOON + 16 * MIN).order] == [savable.id, late.id]  # the estimate agrees
        assert call_next("HQ-01", now=NOON + 16 * MIN, by=SYSTEM).id == savable.id
        finish(start(savable.id, now=NOON + 16 * MIN, by=SYSTEM).id, "resolved", now=NOON + 35 * MIN, by=SYSTEM)
        newer = issue_ticket("HQ", "birth", now=NOON + 34 * MIN, by=SYSTEM).ticket
        # at +35 the tax visitor is 20 min past the target: first again, before the newer birth visitor
        assert call_next("HQ-01", now=NOON + 35 * MIN, by=SYSTEM).id == late.id
        assert newer.status == "waiting"
    finally:
        forget_catalogue()


def test_recall_then_no_show_at_the_recall_limit(desk):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    first = recall(t.id, now=NOON + MIN, by=SYSTEM)
    assert (first.status, first.recall_count, first.called_at) == ("called", 1, NOON + MIN)
    recall(t.id, now=NOON + 2 * MIN, by=SYSTEM)
    gone = recall(t.id, now=NOON + 3 * MIN, by=SYSTEM)  # HQ's limit is 2 recalls
    assert (gone.status, gone.recall_count) == ("no_show", 2)
    assert [a for a, *_ in trail(t.id)] == ["issue", "call", "recall", "recall", "no_show"]
    last = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id.desc())).first()
    assert last.reason == "recall_limit"


def test_clerk_marks_no_show_and_the_counter_is_free_again(desk):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    nxt = issue_ticket("HQ", "birth", now=NOON + MIN, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    assert no_show(t.id, now=NOON + 2 * MIN, by=SYSTEM).status == "no_show"
    assert call_next("HQ-01", now=NOON + 2 * MIN, by=SYSTEM).id == nxt.id


def test_unanswered_calls_expire_after_the_timeout(desk):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    assert expire_calls(now=NOON + 4 * MIN) == []
    (expired,) = expire_calls(now=NOON + 5 * MIN)  # call_timeout_min = 5
    assert (expired.id, expired.status) == (t.id, "no_show")
    assert trail(t.id)[-1] == ("no_show", "called", "no_show")


def test_transfer_keeps_number_and_arrival_time(desk):
    open_desk("HQ-02", "clerk2", primary=["passport"])
    first = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    later = issue_ticket("HQ", "passport", now=NOON + 5 * MIN, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON + 6 * MIN, by=SYSTEM)
    start(first.id, now=NOON + 6 * MIN, by=SYSTEM)
    moved = transfer(first.id, "passport", now=NOON + 16 * MIN, by=SYSTEM)
    old = db.session.get(Ticket, first.id)
    assert old.status == "transferred"
    assert (moved.status, moved.number, moved.arrived_at, moved.transferred_from_id, moved.source) == (
        "waiting", first.number, NOON, first.id, "transfer")
    assert moved.service.code == "passport"
    assert trail(first.id)[-1] == ("transfer", "serving", "transferred")
    assert trail(moved.id) == [("issue", None, "waiting")]
    # it keeps its place: it arrived before the passport ticket issued at +5
    assert call_next("HQ-02", now=NOON + 16 * MIN, by=SYSTEM).id == moved.id
    assert later.id != moved.id


def test_transfer_to_the_same_service_is_refused(desk):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-01", now=NOON, by=SYSTEM)
    start(t.id, now=NOON, by=SYSTEM)
    with pytest.raises(InvalidRequest, match="another service"):
        transfer(t.id, "birth", now=NOON, by=SYSTEM)
    assert db.session.get(Ticket, t.id, populate_existing=True).status == "serving"


def test_a_waiting_visitor_can_cancel(desk):
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    assert cancel(t.id, now=NOON + MIN, by=SYSTEM).status == "cancelled"
    assert call_next("HQ-01", now=NOON + MIN, by=SYSTEM) is None


def test_a_call_next_looks_for_a_visitor_sent_on_to_its_counter_on_an_index(desk):
    """Every call-next first asks whether a visitor was sent on to its counter (calling._SENT_HERE):
    a search of ix_tickets_for_counter, not a read of the whole table of tickets, which grows all
    day (it was ~half of a call-next's time in bench/api.py)."""
    from sqlalchemy import text

    from queue_app.services.calling import _SENT_HERE

    sql = str(_SENT_HERE.params(counter_id=desk.id).compile(dialect=db.engine.dialect,
                                                             compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(row[-1]) for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    else:  # a test's few rows would be read in full anyway: ask what the planner can do with the index
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
    db.session.rollback()
    assert "ix_tickets_for_counter" in plan, plan
