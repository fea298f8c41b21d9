"""What a counter does with tickets: call next, recall, start, finish, no-show, transfer, cancel."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, text, update

from ..db import utcnow
from ..domain import lifecycle as lc
from ..domain.access import SYSTEM, Actor
from ..domain.errors import CounterBusy, CounterNotOpen, IllegalTransition, InvalidRequest, NotFound, SkillNotAllowed
from ..domain.policy import calling_order, ordinary_lines
from ..extensions import db
from ..models import Centre, Counter, Staff, Ticket
from . import visits
from .access import authorise_counter, authorise_ticket
from .lookup import counter_by_code, policy_for, service_by_code, ticket_by_id
from .queue import head_candidates, pressure
from .reading import queue_view
from .tickets import create_ticket, record
from .tx import atomic, core

MAX_CALL_ROUNDS = 5
HEADS_PER_SERVICE = 16  # spare heads to fall back on while other counters hold the first ones


def active_ticket(counter: Counter) -> Ticket | None:
    """The ticket called to or being served at this counter, if any."""
    return db.session.scalar(
        select(Ticket).where(Ticket.counter_id == counter.id, Ticket.status.in_(lc.AT_COUNTER))
    )


def move(ticket: Ticket, action: str, now: datetime, *, reason: str | None = None, by: Actor = SYSTEM) -> None:
    """Apply a legal transition and record it as done `by` someone; raise IllegalTransition otherwise.

    A move into a final status stamps the ticket's end time. Access is the caller's to decide
    (jobs move tickets as the system).
    """
    before = ticket.status
    ticket.status = lc.next_status(before, action)
    if ticket.status in lc.FINAL:
        ticket.finished_at = now
    record(ticket, action, before, now, reason=reason, by=by)


def _locked_ticket(ticket_id: int, by: Actor) -> Ticket:
    """The ticket, locked, once `by` may act on it (decided on the locked row)."""
    ticket = ticket_by_id(ticket_id, lock=True)
    authorise_ticket(by, ticket)
    return ticket


# The call itself is one conditional UPDATE … RETURNING: the ticket becomes called only if it
# still waits, so two counters never get the same one. PostgreSQL: the first ticket of the ranked
# list that no other counter holds, in one round trip; tickets other counters are taking right now
# are skipped, not waited for. SQLite: this transaction holds the write lock; the first of the
# list still waiting is taken.
_PG_FIRST_FREE = text(
    "(SELECT id FROM tickets WHERE id = ANY(CAST(:ids AS bigint[])) AND status = 'waiting' "
    "ORDER BY array_position(CAST(:ids AS bigint[]), CAST(id AS bigint)) LIMIT 1 FOR UPDATE SKIP LOCKED)"
)
_CALL = (update(Ticket)
         .where(Ticket.status == lc.WAITING)
         .values(status=lc.CALLED, counter_id=bindparam("to_counter"), staff_id=bindparam("to_staff"),
                 called_at=bindparam("at"))
         .returning(Ticket))
_CALL_ONE = _CALL.where(Ticket.id == bindparam("ticket_id"))
_CALL_FIRST_FREE = _CALL.where(Ticket.id == _PG_FIRST_FREE)


_SENT_HERE = (select(Ticket.id).where(Ticket.for_counter_id == bindparam("counter_id"), Ticket.status == lc.WAITING)
              .order_by(Ticket.arrived_at, Ticket.id).limit(1))
# What `active_ticket` finds, as the refusal names it: a calling counter reads only whether it is free.
_AT_THIS_COUNTER = select(Ticket.number, Ticket.status).where(Ticket.counter_id == bindparam("counter_id"),
                                                              Ticket.status.in_(lc.AT_COUNTER))


def _called(statement, params: dict, now: datetime, *, by: Actor, reason: str | None = None) -> Ticket | None:
    """Run one of the call's UPDATEs; record the call if it took a ticket, and return that ticket."""
    ticket = db.session.scalars(statement, params, execution_options={"populate_existing": True}).one_or_none()
    if ticket is not None:
        record(ticket, "call", lc.WAITING, now, by=by, reason=reason)
    return ticket


def _hand_over(counter: Counter, ticket_id: int, now: datetime, *, by: Actor, reason: str | None = None) -> Ticket | None:
    """Call the ticket `ticket_id` to `counter` if it still waits, and record it; else None."""
    params = {"ticket_id": ticket_id, "to_counter": counter.id, "to_staff": counter.staff_id, "at": now}
    return _called(_CALL_ONE, params, now, by=by, reason=reason)


def _take(counter: Counter, ranked, now: datetime, *, by: Actor) -> Ticket | None:
    """Call the best-ranked ticket still waiting to `counter` and record it; None if all are gone."""
    if db.engine.dialect.name != "postgresql":
        for choice in ranked:
            ticket = _hand_over(counter, choice.id, now, by=by)
            if ticket is not None:
                return ticket
        return None
    params = {"ids": [c.id for c in ranked], "to_counter": counter.id, "to_staff": counter.staff_id, "at": now}
    return _called(_CALL_FIRST_FREE, params, now, by=by)


@atomic
def call_next(counter_code: str, *, by: Actor, now: datetime | None = None) -> Ticket | None:
    """Call the ticket the policy picks for this counter; None when nothing it serves waits.

    The counter row is locked first (one call at a time per counter) and `by` is judged on it;
    the chosen ticket is taken by an UPDATE that holds only while it still waits, so two counters
    never get the same ticket.
    """
    now = now or utcnow()
    counter = _ready(counter_code, by)
    sent = core(_SENT_HERE, {"counter_id": counter.id}).scalar()
    if sent is not None:  # a visitor sent on to this very counter comes first (unless just gone)
        called = _hand_over(counter, sent, now, by=by, reason="sent_here")
        if called is not None:
            return called
    skills = counter.skill_set()
    policy = policy_for(counter.centre_id)
    for _ in range(MAX_CALL_ROUNDS):
        pool = head_candidates(counter.centre_id, skills.services, HEADS_PER_SERVICE)
        # The heads (HEADS_PER_SERVICE a line) stand for the lines: a deeper ticket adds little.
        ranked = calling_order(pool, now, policy, skills, pressure(counter.centre_id, ordinary_lines(pool), now, policy))
        if not ranked:
            return None
        taken = _take(counter, ranked, now, by=by)
        if taken is not None:
            return taken
    # Every candidate was being taken by other counters, round after round: tickets do wait,
    # so "nothing waits" would be a lie. Ask the clerk to call again.
    raise CounterBusy("other counters are calling the same tickets right now; call again", code="call_again")


def _ready(counter_code: str, by: Actor) -> Counter:
    """The counter, locked, once `by` may call at it and it is open with nobody at it."""
    counter = counter_by_code(counter_code, lock=True)
    authorise_counter(by, counter)
    if counter.state != lc.COUNTER_OPEN:
        raise CounterNotOpen(f"counter {counter.code} is {counter.state}; open or resume it to call")
    current = core(_AT_THIS_COUNTER, {"counter_id": counter.id}).first()
    if current is not None:
        raise CounterBusy(
            f"counter {counter.code} still has ticket {current.number} ({current.status}); "
            "finish, transfer or mark it no-show first"
        )
    return counter


@atomic
def call_ticket(counter_code: str, ticket_id: int, *, by: Actor, now: datetime | None = None) -> Ticket:
    """Call a named waiting ticket ("call this one") to this counter, out of the policy's order:
    the counter must serve its service; recorded as a call with the reason `named`."""
    now = now or utcnow()
    counter = _ready(counter_code, by)
    ticket = ticket_by_id(ticket_id, lock=True)
    if ticket.centre_id != counter.centre_id:
        raise NotFound(f"no ticket {ticket_id} waits at this counter's centre")
    if ticket.service.code not in counter.skill_set().services:
        raise SkillNotAllowed(f"counter {counter.code} does not serve {ticket.service.code}")
    if ticket.for_counter_id not in (None, counter.id):
        raise IllegalTransition(f"ticket {ticket.number} was sent to counter {ticket.for_counter.code}")
    called = _hand_over(counter, ticket.id, now, by=by, reason="named")
    if called is None:  # it no longer waits, now that it is locked
        raise IllegalTransition(f"ticket {ticket.number} no longer waits (it is {ticket.status})")
    return called


def waiting_list(counter_code: str, *, by: Actor, now: datetime | None = None) -> list[dict]:
    """The waiting tickets this counter serves, in the centre's calling order, with each one's
    step of its visit, minutes waited since arrival and estimate."""
    now = now or utcnow()
    counter = counter_by_code(counter_code)
    authorise_counter(by, counter)
    served = counter.skill_set().services
    view = queue_view(counter.centre, now)
    rows = [t for t in view["tickets"] if t["service"] in served]
    plans = {i: (step, step + len(to_come or ())) for i, step, to_come, sent in db.session.execute(
        select(Ticket.id, Ticket.step, Ticket.next_steps, Ticket.for_counter_id)
        .where(Ticket.id.in_([t["id"] for t in rows]))
    ) if sent in (None, counter.id)} if rows else {}  # not those sent to another counter
    rows = [t for t in rows if t["id"] in plans]
    return [{
        "id": t["id"], "number": t["number"], "service": t["service"], "step": plans.get(t["id"], (1, 1))[0],
        "steps": plans.get(t["id"], (1, 1))[1], "waited_min": round((now - t["arrived_at"]).total_seconds() / 60.0, 1),
        "estimated_wait_min": t["estimated_wait_min"], "priority": t["priority"], "appointment": t["appointment"],
    } for t in rows]


@atomic
def recall(ticket_id: int, *, by: Actor, now: datetime | None = None) -> Ticket:
    """Call the same ticket again; past the centre's recall limit it becomes a no-show."""
    now = now or utcnow()
    ticket = _locked_ticket(ticket_id, by)
    lc.next_status(ticket.status, "recall")  # refuse early if not called
    centre: Centre = ticket.centre
    if ticket.recall_count >= centre.recall_limit:
        move(ticket, "no_show", now, reason="recall_limit", by=by)
        return ticket
    ticket.recall_count += 1
    ticket.called_at = now
    move(ticket, "recall", now, by=by)
    return ticket


@atomic
def start(ticket_id: int, *, by: Actor, now: datetime | None = None) -> Ticket:
    """The visitor reached the counter: serving begins."""
    now = now or utcnow()
    ticket = _locked_ticket(ticket_id, by)
    lc.next_status(ticket.status, "start")  # refused before anything changes
    ticket.started_at = now  # set first: one UPDATE with the move's status, not two
    move(ticket, "start", now, by=by)
    return ticket


@atomic
def finish(
    ticket_id: int, outcome: str, reason: str | None = None, *, by: Actor, now: datetime | None = None,
    continue_here: bool = False,
) -> Ticket:
    """End a step with its outcome (resolved, or unresolved with a reason). A visit with a step
    left goes on at once (services/visits.py): waiting in that step's line with its arrival time,
    or, `continue_here`, called at this same counter, whose clerk must serve that step."""
    now = now or utcnow()
    ticket = _locked_ticket(ticket_id, by)
    reason = lc.check_outcome(outcome, reason)
    counter = ticket.counter if continue_here else None
    lc.next_status(ticket.status, "finish")  # refused before anything changes
    ticket.outcome, ticket.reason = outcome, reason  # set first: one UPDATE with the move's status
    move(ticket, "finish", now, reason=reason, by=by)
    visits.go_on(ticket, now, by=by, counter=counter)
    return ticket


@atomic
def no_show(ticket_id: int, *, by: Actor, now: datetime | None = None, reason: str = "clerk") -> Ticket:
    """The called visitor did not come."""
    now = now or utcnow()
    ticket = _locked_ticket(ticket_id, by)
    move(ticket, "no_show", now, reason=reason, by=by)
    return ticket


def _destination(ticket: Ticket, counter_code: str | None, clerk: str | None) -> Counter | None:
    """The counter a transfer names (by its code, or the clerk holding it), of the ticket's centre
    and not closed; None when the transfer goes to a service's line."""
    if counter_code is None and clerk is None:
        return None
    if counter_code is not None:
        counter = counter_by_code(counter_code)
    else:
        counter = db.session.scalar(select(Counter).join(Staff, Staff.id == Counter.staff_id).where(
            Staff.username == clerk, Counter.centre_id == ticket.centre_id, Counter.state != lc.COUNTER_CLOSED))
        if counter is None:
            raise CounterNotOpen(f"{clerk} holds no counter open at this centre now")
    if counter.centre_id != ticket.centre_id:
        raise NotFound(f"no counter {counter.code} at this ticket's centre")
    if counter.state == lc.COUNTER_CLOSED:
        raise CounterNotOpen(f"counter {counter.code} is closed; send the visitor to an open one")
    return counter


@atomic
def transfer(ticket_id: int, service_code: str | None = None, *, by: Actor, now: datetime | None = None,
             counter_code: str | None = None, clerk: str | None = None) -> Ticket:
    """Send a visitor on to another service, or to a named counter (by its code, or the clerk at
    it: the same service or another): a new waiting ticket that keeps the arrival time; one sent
    to a counter is called there first and by no other counter (back to the line if it closes).

    The number stays the same, since it is printed on the visitor's paper.
    """
    now = now or utcnow()
    ticket = _locked_ticket(ticket_id, by)
    destination = _destination(ticket, counter_code, clerk)
    service = service_by_code(service_code) if service_code else ticket.service
    if destination is None and service.id == ticket.service_id:
        raise InvalidRequest("a transfer goes to another service than the current one, or to a named counter")
    if destination is not None and service.code not in destination.skill_set().services:
        raise SkillNotAllowed(f"counter {destination.code} does not serve {service.code}")
    if destination is not None and destination.id == ticket.counter_id:
        raise InvalidRequest("a transfer to a counter sends the visitor to another counter than this one")
    move(ticket, "transfer", now, reason=service.code, by=by)
    return create_ticket(
        ticket.centre,
        service,
        now,
        number=ticket.number,
        arrived_at=ticket.arrived_at,
        priority=ticket.priority,
        language=ticket.language,
        phone=ticket.phone,
        source="transfer",
        transferred_from_id=ticket.id,
        appointment_id=ticket.appointment_id,
        # the same step of the same visit, in another line: what was still to come stays to come
        visit_id=ticket.visit_key,
        step=ticket.step,
        next_steps=[i for i in ticket.next_steps if i != service.id],
        note=ticket.note,
        contact_hash=ticket.contact_hash,
        for_counter_id=destination.id if destination is not None else None,
        by=by,
    )


@atomic
def reassign(ticket_id: int, service_code: str, *, by: Actor, now: datetime | None = None) -> Ticket:
    """Move a waiting visitor to another service's line (their own was withdrawn): the same ticket,
    number and arrival time, recorded as a "reassign" event (waiting → waiting, the old service as
    its reason)."""
    now = now or utcnow()
    ticket = _locked_ticket(ticket_id, by)
    if ticket.status != lc.WAITING:
        raise IllegalTransition(f"only a waiting ticket moves to another line; this one is {ticket.status}")
    service = service_by_code(service_code)
    if service.id == ticket.service_id:
        raise InvalidRequest("a ticket moves to another service than its own")
    withdrawn = ticket.service.code
    ticket.service_id = service.id
    db.session.flush()
    db.session.expire(ticket, ["service"])
    record(ticket, "reassign", lc.WAITING, now, reason=withdrawn, by=by)
    return ticket


@atomic
def cancel(ticket_id: int, *, by: Actor, now: datetime | None = None, reason: str = "visitor") -> Ticket:
    """A waiting visitor leaves the queue (staff of the centre, or the system, record it)."""
    now = now or utcnow()
    ticket = _locked_ticket(ticket_id, by)
    move(ticket, "cancel", now, reason=reason, by=by)
    return ticket


@atomic
def expire_calls(*, now: datetime | None = None) -> list[Ticket]:
    """Mark no-show every called ticket left unanswered past its centre's call timeout (as the system)."""
    now = now or utcnow()
    expired = []
    rows = db.session.execute(
        select(Ticket, Centre.call_timeout_min)
        .join(Centre, Centre.id == Ticket.centre_id)
        .where(Ticket.status == lc.CALLED)
        .with_for_update(of=Ticket)
    ).all()
    for ticket, timeout in rows:
        if ticket.called_at + timedelta(minutes=timeout) <= now:
            move(ticket, "no_show", now, reason="timeout")
            expired.append(ticket)
    return expired
