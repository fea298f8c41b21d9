"""A centre's waiting tickets kept between requests (services/waiting.py) are always what a fresh
read gives: after this process's own commits (re-reading only the tickets they moved), another
process's (read again in full), a transaction's own moves not yet committed (its own state, kept
nowhere) and a rollback — on either database."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import event, select, text

from queue_app.domain.access import SYSTEM
from queue_app.domain.errors import InvalidRequest
from queue_app.extensions import db
from queue_app.models import Centre, QueueVersion, Ticket
from queue_app.services import call_next, cancel, finish, issue_ticket, pause_counter, queue_state, start
from queue_app.services.calling import reassign
from queue_app.services.tx import atomic
from queue_app.services.waiting import KEPT, _read, waiting
from tests.conftest import NOON, open_desk


def as_read(w) -> tuple:
    return {code: line for code, line in w.lines.items() if line}, sorted(w.special)


@pytest.fixture
def statements(ctx):
    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def hq() -> int:
    return db.session.scalar(select(Centre.id).where(Centre.code == "HQ"))


def check(centre: int, statements: list[str]) -> list[str]:
    """waiting() equals a fresh read; return the statements waiting() ran."""
    db.session.commit()  # a request of its own
    statements.clear()
    kept = as_read(waiting(centre))
    ran = [s for s in statements if not s.startswith("BEGIN")]
    assert kept == as_read(_read(centre))
    held = current_app.extensions[KEPT].get(centre)
    if held is not None and not held.moved:  # its index finds each kept ticket, and only those
        assert held.where == {c.id: c for c in held.waiting.all()}
    db.session.commit()
    return ran


def reads_lines(ran: list[str]) -> bool:
    return any("ORDER BY tickets.service_id" in s for s in ran)


def test_the_kept_queue_follows_this_processs_own_commits_reading_only_what_they_moved(ctx, statements):
    centre = hq()
    for i in range(12):
        issue_ticket("HQ", ["birth", "tax", "passport"][i % 3], by=SYSTEM, now=NOON + timedelta(seconds=i),
                     priority=i % 5 == 0)
    assert not reads_lines(check(centre, statements))  # kept since the second issue, through the others
    ran = check(centre, statements)
    assert len(ran) == 1 and "queue_versions" in ran[0]  # unchanged: one row read

    issue_ticket("HQ", "tax", by=SYSTEM, now=NOON + timedelta(minutes=1))
    first = db.session.scalar(select(Ticket.id).where(Ticket.status == "waiting").order_by(Ticket.id))
    cancel(first, by=SYSTEM, now=NOON + timedelta(minutes=1))
    ran = check(centre, statements)
    assert not reads_lines(ran) and len(ran) == 2  # the version, and the two tickets moved

    open_desk("HQ-01", "c1", primary=["birth", "tax", "passport"])
    called = call_next("HQ-01", by=SYSTEM, now=NOON + timedelta(minutes=2))
    assert called is not None
    assert not reads_lines(check(centre, statements))
    moved = db.session.scalar(select(Ticket.id).where(Ticket.status == "waiting", Ticket.priority.is_(False))
                              .order_by(Ticket.id.desc()))
    reassign(moved, "birth" if db.session.get(Ticket, moved).service.code != "birth" else "tax",
             by=SYSTEM, now=NOON + timedelta(minutes=3))
    assert not reads_lines(check(centre, statements))
    assert len(waiting(centre).all()) == 11


def test_another_processs_commit_is_read_again_in_full(ctx, statements):
    centre = hq()
    for i in range(5):
        issue_ticket("HQ", "birth", by=SYSTEM, now=NOON + timedelta(seconds=i))
    check(centre, statements)
    # another process: its commit moves a ticket and bumps the version, and this one hears nothing
    with db.engine.begin() as other:
        gone = other.execute(text("SELECT min(id) FROM tickets WHERE status = 'waiting'")).scalar()
        other.execute(text("UPDATE tickets SET status = 'cancelled' WHERE id = :id"), {"id": gone})
        other.execute(text("UPDATE queue_versions SET version = version + 1 WHERE centre_id = :c"), {"c": centre})
    assert reads_lines(check(centre, statements))
    assert gone not in {c.id for c in waiting(centre).all()}
    # one it has not heard of, then one of its own (a cancel, which reads no queue): the kept
    # queue is two versions behind, one of them named nowhere; read again in full
    last = max(c.id for c in waiting(centre).all())
    db.session.commit()
    with db.engine.begin() as other:
        other.execute(text("UPDATE queue_versions SET version = version + 1 WHERE centre_id = :c"), {"c": centre})
    cancel(last, by=SYSTEM, now=NOON + timedelta(minutes=1))
    assert reads_lines(check(centre, statements))


def test_a_commit_not_yet_heard_of_is_read_from_the_tickets_its_version_row_names(ctx, statements, monkeypatch):
    """Behind by commits whose news has not reached this process yet (another process's, or its
    own still on the way), the kept queue re-reads just the tickets the version row names for them
    (`last_moved`), not the whole queue; a commit the row does not name, it reads in full."""
    import queue_app.services.waiting as waiting_module

    centre = hq()
    for i in range(8):
        issue_ticket("HQ", "birth", by=SYSTEM, now=NOON + timedelta(seconds=i))
    check(centre, statements)
    first = min(c.id for c in waiting(centre).all())
    db.session.commit()
    monkeypatch.setattr(waiting_module, "heard", lambda bumps: None)  # the news never comes
    cancel(first, by=SYSTEM, now=NOON + timedelta(minutes=1))
    issue_ticket("HQ", "tax", by=SYSTEM, now=NOON + timedelta(minutes=1))  # reads it, one behind
    ran = check(centre, statements)
    assert not reads_lines(ran) and first not in {c.id for c in waiting(centre).all()}
    row = db.session.scalar(select(QueueVersion).where(QueueVersion.centre_id == centre))
    assert row.last_moved.startswith(f"{row.version}:")
    # two commits unheard: the row names both; read from them, not in full
    issue_ticket("HQ", "tax", by=SYSTEM, now=NOON + timedelta(minutes=2))
    cancel(first + 1, by=SYSTEM, now=NOON + timedelta(minutes=2))
    assert not reads_lines(check(centre, statements)) and first + 1 not in {c.id for c in waiting(centre).all()}
    # a commit heard (its moves kept, not yet applied), then one not: both sets are applied
    monkeypatch.undo()
    cancel(first + 2, by=SYSTEM, now=NOON + timedelta(minutes=3))
    monkeypatch.setattr(waiting_module, "heard", lambda bumps: None)
    cancel(first + 3, by=SYSTEM, now=NOON + timedelta(minutes=3))
    ran = check(centre, statements)
    assert not reads_lines(ran) and {first + 2, first + 3}.isdisjoint(c.id for c in waiting(centre).all())
    # a commit moving more tickets than a row names ('*'): read again in full
    monkeypatch.setattr(waiting_module, "NAMED_AT_MOST", 0)
    cancel(first + 4, by=SYSTEM, now=NOON + timedelta(minutes=4))
    version, last_moved = db.session.execute(select(QueueVersion.version, QueueVersion.last_moved)
                                             .where(QueueVersion.centre_id == centre)).one()
    assert last_moved.startswith(f"{version}:*;")
    assert reads_lines(check(centre, statements))


def test_a_transaction_sees_its_own_moves_and_keeps_nothing_of_them(ctx, statements):
    centre = hq()
    for i in range(4):
        issue_ticket("HQ", "tax", by=SYSTEM, now=NOON + timedelta(seconds=i))
    check(centre, statements)
    before = db.session.scalar(select(QueueVersion.version).where(QueueVersion.centre_id == centre))

    @atomic
    def cancel_then_look() -> tuple[int, int]:
        first = db.session.scalar(select(Ticket.id).where(Ticket.status == "waiting").order_by(Ticket.id))
        cancel(first, by=SYSTEM, now=NOON + timedelta(minutes=1))
        seen = {c.id for c in waiting(centre).all()}
        assert first not in seen and len(seen) == 3
        raise InvalidRequest("changed my mind")  # rolled back

    with pytest.raises(InvalidRequest):
        cancel_then_look()
    assert db.session.scalar(select(QueueVersion.version).where(QueueVersion.centre_id == centre)) == before
    ran = check(centre, statements)
    assert len(ran) == 1 and len(waiting(centre).all()) == 4  # the kept queue, unchanged


def test_a_database_made_anew_is_not_taken_for_the_kept_one(ctx, app, network):
    """Tests empty the database under one app, as a restore would: the new version rows start
    at random, so a kept queue of the old database never matches."""
    from queue_app.services import apply_network
    from tests.conftest import empty_database

    issue_ticket("HQ", "tax", by=SYSTEM, now=NOON)
    assert [c.service for c in waiting(hq()).all()] == ["tax"]
    assert hq() in app.extensions[KEPT]
    db.session.remove()
    empty_database()
    apply_network(network)
    issue_ticket("HQ", "birth", by=SYSTEM, now=NOON)
    assert [c.service for c in waiting(hq()).all()] == ["birth"]


def test_another_processs_commit_heard_on_the_message_queue_rereads_only_what_it_moved(ctx, statements):
    """What catalogue_sync.CatalogueSync.hear does with another process's announcement of its
    commit: the kept queue takes the moved tickets, read again at its next use, not the whole queue."""
    import json

    from queue_app.catalogue_sync import CatalogueSync

    centre = hq()
    for i in range(6):
        issue_ticket("HQ", "passport", by=SYSTEM, now=NOON + timedelta(seconds=i))
    check(centre, statements)
    sync = CatalogueSync(ctx, "redis://127.0.0.1:6379/0", "onedoor-test-unused")  # no message goes out
    with db.engine.begin() as other:  # the other process's commit …
        gone = other.execute(text("SELECT min(id) FROM tickets WHERE status = 'waiting'")).scalar()
        other.execute(text("UPDATE tickets SET status = 'cancelled' WHERE id = :id"), {"id": gone})
        version = other.execute(text("UPDATE queue_versions SET version = version + 1 WHERE centre_id = :c "
                                     "RETURNING version"), {"c": centre}).scalar()
    # … and its announcement, as the other process publishes it after commit
    sync.hear(json.dumps({"from": "another process", "catalogue": False, "queues": [[centre, version, [gone]]]}))
    ran = check(centre, statements)
    assert not reads_lines(ran) and len(ran) == 2  # the version, and the ticket moved
    assert gone not in {c.id for c in waiting(centre).all()}
    # an announcement come late, of a version the kept queue has passed, changes nothing
    sync.hear(json.dumps({"from": "another process", "catalogue": False, "queues": [[centre, version - 1, [gone]]]}))
    assert len(check(centre, statements)) == 1
    # this process's own announcement, echoed back by Redis, is not heard
    sync.hear(json.dumps({"from": sync.origin, "catalogue": False, "queues": [[centre, version + 5, []]]}))
    assert ctx.extensions[KEPT][centre].version == version


# --- what the counters are doing: kept through issues, read again after anything else -------

def counters_now(ctx, centre_code: str, now, statements: list[str]) -> list[str]:
    """queue_state's kept `Served` equals a fresh read; return the statements queue_state ran."""
    from queue_app.services.queue import SERVED, served

    db.session.commit()  # a request of its own
    centre = db.session.scalar(select(Centre).where(Centre.code == centre_code))
    statements.clear()
    queue_state(centre, now)
    ran = [s for s in statements if not s.startswith("BEGIN")]
    kept = ctx.extensions[SERVED][centre.id]
    fresh = served(centre, now)  # no version: read, not kept
    assert (kept.observed, kept.busy, kept.open) == (fresh.observed, fresh.busy, fresh.open)
    db.session.commit()
    return ran


def reads_counters(ran: list[str]) -> bool:
    return any("FROM counters" in s for s in ran)


def test_what_the_counters_are_doing_is_kept_through_issues_and_read_again_after_any_other_change(ctx, statements):
    at = lambda minutes: NOON + timedelta(minutes=minutes)  # noqa: E731
    open_desk("HQ-01", "c1", primary=["birth", "tax"])
    for i in range(4):
        issue_ticket("HQ", ["birth", "tax"][i % 2], by=SYSTEM, now=at(i))
    assert not reads_counters(counters_now(ctx, "HQ", at(4), statements))  # kept since the first issue
    issue_ticket("HQ", "tax", by=SYSTEM, now=at(5))
    ran = counters_now(ctx, "HQ", at(5), statements)
    assert not reads_counters(ran) and not any("finished_at" in s for s in ran)  # an issue changes none of it

    called = call_next("HQ-01", by=SYSTEM, now=at(6))
    assert reads_counters(counters_now(ctx, "HQ", at(6), statements))
    start(called.id, by=SYSTEM, now=at(7))
    assert reads_counters(counters_now(ctx, "HQ", at(7), statements))
    finish(called.id, "resolved", by=SYSTEM, now=at(15))
    assert reads_counters(counters_now(ctx, "HQ", at(15), statements))
    assert not reads_counters(counters_now(ctx, "HQ", at(16), statements))  # nothing since: kept
    open_desk("HQ-02", "c2", primary=["birth"], now=at(16))  # a counter opened, no ticket moved
    assert reads_counters(counters_now(ctx, "HQ", at(16), statements))
    pause_counter("HQ-01", by=SYSTEM)
    assert reads_counters(counters_now(ctx, "HQ", at(17), statements))
    issue_ticket("HQ", "birth", by=SYSTEM, now=at(18))
    assert not reads_counters(counters_now(ctx, "HQ", at(18), statements))
    first = db.session.scalar(select(Ticket.id).where(Ticket.status == "waiting").order_by(Ticket.id))
    cancel(first, by=SYSTEM, now=at(18))  # a waiting visitor leaves: nothing at the counters changed
    assert not reads_counters(counters_now(ctx, "HQ", at(18), statements))

    # another process closes a counter: its commit bumps the served version, heard of or not
    with db.engine.begin() as other:
        other.execute(text("UPDATE counters SET state = 'closed', staff_id = NULL WHERE code = 'HQ-02'"))
        other.execute(text("UPDATE queue_versions SET version = version + 1, served = served + 1 "
                           "WHERE centre_id = :c"), {"c": hq()})
    assert reads_counters(counters_now(ctx, "HQ", at(19), statements))


def test_a_transaction_that_changed_the_counters_reads_its_own_and_keeps_nothing(ctx, statements):
    from queue_app.services.queue import SERVED

    open_desk("HQ-01", "c1", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM, now=NOON)
    counters_now(ctx, "HQ", NOON, statements)
    kept = ctx.extensions[SERVED][hq()]

    @atomic
    def pause_then_look() -> None:
        pause_counter("HQ-01", by=SYSTEM)
        centre = db.session.get(Centre, hq())
        assert queue_state(centre, NOON).open_counters == 0  # its own pause, not the kept open counter
        raise InvalidRequest("changed my mind")

    with pytest.raises(InvalidRequest):
        pause_then_look()
    assert ctx.extensions[SERVED][hq()] is kept
    assert not reads_counters(counters_now(ctx, "HQ", NOON, statements))


def test_what_a_version_row_names_of_the_commits_since():
    """`last_moved`'s entries, newest first, each ended by ';': the one cut short by the row's
    limit is not read, a '*' or a missing version names nothing, and an empty entry no ticket."""
    from queue_app.services.waiting import _moved_since

    row = "12:7,8;11:;10:3;9:1,2"  # '9:1,2' was cut short (its ';' gone): unknown
    assert _moved_since(11, 12, row) == {7, 8}
    assert _moved_since(10, 12, row) == {7, 8}
    assert _moved_since(9, 12, row) == {3, 7, 8}
    assert _moved_since(8, 12, row) is None
    assert _moved_since(9, 12, "12:7;11:*;10:3;") is None
    assert _moved_since(12, 12, row) is None and _moved_since(11, 12, None) is None
