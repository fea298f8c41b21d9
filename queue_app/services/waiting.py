"""A centre's waiting tickets as the policy sees them, read line by line and kept between requests.

Every issue estimates the newcomer's wait over the centre's whole queue, so reading that queue —
2,000 rows at a busy centre — was most of an issue's cost. A process now keeps each centre's
waiting tickets it has read, with the centre's queue version (models.QueueVersion) they are of.
Every commit that moves a ticket bumps its centre's version, just before it commits and after
its last write: the row lock it takes is the transaction's last, so it waits for no one while
holding it (PostgreSQL), and each commit moves the version by exactly one. A request reads the
version (one indexed row): unchanged, the kept tickets are the centre's; moved only by commits it
knows of — its own, and other processes' announced on the message queue (catalogue_sync.py) — it
re-reads just the tickets those commits moved; moved by a commit it has not heard of (yet), it
reads the centre's queue again. A transaction that has moved the centre's tickets and not yet
committed reads its own state, never the kept one, and keeps nothing.
tests/integration/test_waiting.py holds the kept tickets equal to a fresh read through issues,
calls, reassignments, other processes' commits heard and unheard, and rollbacks, on both databases.

The same row carries a second number, the served version, bumped too by the commits that change
what the centre's counters are doing — every move of a ticket but those among the waiting (issued,
cancelled, sent to another line), every counter opened, paused or closed —, so that the rows an
estimate reads of the counters (services/queue.py `Served`) are kept alike: an issue after an issue
reads none of them.
"""
from __future__ import annotations

import functools
import secrets
import threading
from bisect import bisect_left, insort
from dataclasses import dataclass, field, replace
from itertools import chain

from flask import current_app
from sqlalchemy import BigInteger, Text, bindparam, cast, event, func, literal, select

from ..db import insert_for
from ..domain.lifecycle import WAITING
from ..domain.policy import ARRIVAL, Candidate, is_special
from ..extensions import db
from ..models import Appointment, QueueVersion, Ticket
from . import changes
from .lookup import service_lines

KEPT = "onedoor.waiting"  # per app: centre id → Kept
_lock = threading.Lock()


@dataclass(frozen=True)
class Waiting:
    """A centre's waiting tickets: each service's ordinary ones in arrival order
    (policy.ordinary_lines), and the special ones. Never changed once built: `plus` and the
    kept copy's updates make new lists, so a request still using an older one is not disturbed."""

    lines: dict[str, list[Candidate]]
    special: list[Candidate]

    def plus(self, c: Candidate) -> Waiting:
        """These tickets and `c`."""
        if is_special(c):
            return Waiting(self.lines, [*self.special, c])
        line = list(self.lines.get(c.service, ()))
        insort(line, c, key=ARRIVAL)
        return Waiting({**self.lines, c.service: line}, self.special)

    def all(self) -> list[Candidate]:
        return [*self.special, *chain.from_iterable(self.lines.values())]


@dataclass(frozen=True)
class Kept:
    version: int
    waiting: Waiting
    where: dict[int, Candidate]  # each of its tickets by id, as kept: which line, where in it
    moved: frozenset[int] = field(default=frozenset())  # tickets moved since by the commits it knows of

    @classmethod
    def read(cls, version: int, waiting: Waiting) -> Kept:
        return cls(version, waiting, {c.id: c for c in waiting.all()})


# The waiting tickets line by line as ix_tickets_line holds them — each service's by arrival: no
# sort, and no row of the table, as the index covers these columns — and apart, those with an
# appointment (few, on an index of their own), the only ones the lines cannot tell.
_LINES = (
    select(Ticket.id, Ticket.service_id, Ticket.arrived_at, Ticket.priority)
    .where(Ticket.centre_id == bindparam("centre_id"), Ticket.status == WAITING)
    .order_by(Ticket.service_id, Ticket.priority, Ticket.arrived_at, Ticket.id)
)
_APPOINTED = (
    select(Ticket.id, Appointment.start)
    .join(Appointment, Appointment.id == Ticket.appointment_id)
    .where(Ticket.centre_id == bindparam("centre_id"), Ticket.status == WAITING, Ticket.appointment_id.is_not(None))
)
_MOVED_ANY = (
    select(Ticket.id, Ticket.service_id, Ticket.arrived_at, Ticket.priority, Appointment.start)
    .outerjoin(Appointment, Appointment.id == Ticket.appointment_id)
    .where(Ticket.status == WAITING)
)
_MOVED = _MOVED_ANY.where(Ticket.id.in_(bindparam("ids", expanding=True)))
_MOVED_ONE = _MOVED_ANY.where(Ticket.id == bindparam("id"))  # the usual case: no expanding IN to render
_TABLE = QueueVersion.__table__  # Core on the table, through the connection: half an ORM statement's cost
_VERSION = select(_TABLE.c.version, _TABLE.c.served, _TABLE.c.last_moved).where(_TABLE.c.centre_id == bindparam("centre_id"))


def _read(centre_id: int) -> Waiting:
    """The centre's waiting tickets, read line by line."""
    params = {"centre_id": centre_id}
    connection = db.session.connection()
    starts = dict(connection.execute(_APPOINTED, params).all())
    rows = connection.execute(_LINES, params).all()
    services = service_lines(knowing=[row[1] for row in rows])
    lines, special = {}, []
    line, line_of = None, None
    for id_, service_id, arrived_at, priority in rows:
        code, weight = services[service_id]
        start = starts.get(id_)
        c = Candidate(id_, code, arrived_at, bool(priority), start, weight)
        if priority or start is not None:
            special.append(c)
            continue
        if service_id != line_of:
            line, line_of = lines.setdefault(code, []), service_id
        line.append(c)
    return Waiting(lines, special)


def _moved_since(have: int, version: int, last_moved: str | None) -> frozenset[int] | None:
    """The tickets the commits after `have` up to `version` moved, from the version row's
    `last_moved` (the latest commits' 'version:ids;' entries, newest first); None when it does not
    name every one of them (bumped by something that does not, a commit moving too many, or
    further back than the row keeps)."""
    if not 0 < version - have <= KEEP_ENTRIES:
        return None
    named = {}
    for entry in (last_moved or "").split(";")[:-1]:  # the last piece: cut short by the row's limit, or empty
        at, _, listed = entry.partition(":")
        named.setdefault(at, listed)
    moved: set[int] = set()
    for v in range(have + 1, version + 1):
        listed = named.get(str(v))
        if listed is None or listed == "*":
            return None
        moved.update(map(int, filter(None, listed.split(","))))
    return frozenset(moved)


def _updated(kept: Kept, version: int) -> Kept:
    """`kept` with the tickets it heard were moved as they are now — gone, back, or changed —,
    at `version`. Each is found by its id (`Kept.where`) and its line's order (a binary search),
    not by a look at every line: beside copies of the index and of the lines it changes (made
    in C), the work of the few tickets moved however long the queue is."""
    if not kept.moved:  # a commit that moved none of its tickets (a counter opened, say)
        return Kept(version, kept.waiting, kept.where)
    where, lines, special = dict(kept.where), dict(kept.waiting.lines), kept.waiting.special
    copied = set()  # the lines copied already: a kept list is never changed, a request may hold it

    def line_of(code: str) -> list[Candidate]:
        if code not in copied:
            lines[code] = list(lines.get(code, ()))
            copied.add(code)
        return lines[code]

    for ticket_id in kept.moved:
        c = where.pop(ticket_id, None)
        if c is None:
            continue
        if is_special(c):
            special = [s for s in special if s.id != ticket_id]  # few: a look at each is cheap
        else:
            line = line_of(c.service)
            at = bisect_left(line, ARRIVAL(c), key=ARRIVAL)
            if at < len(line) and line[at].id == ticket_id:
                del line[at]
            else:  # a line not in arrival order (times written by other means): look at each
                line[:] = [other for other in line if other.id != ticket_id]
    moved, connection = sorted(kept.moved), db.session.connection()
    if len(moved) == 1:
        rows = connection.execute(_MOVED_ONE, {"id": moved[0]}).all()
    else:
        rows = connection.execute(_MOVED, {"ids": moved}).all()
    services = service_lines(knowing=[row[1] for row in rows])
    for id_, service_id, arrived_at, priority, start in rows:
        code, weight = services[service_id]
        c = where[id_] = Candidate(id_, code, arrived_at, bool(priority), start, weight)
        if is_special(c):
            special = [*special, c]
        else:
            insort(line_of(code), c, key=ARRIVAL)
    return Kept(version, Waiting({code: line for code, line in lines.items() if line}, special), where)


def _kept() -> dict[int, Kept]:
    return current_app.extensions.setdefault(KEPT, {})


def waiting(centre_id: int) -> Waiting:
    """The centre's waiting tickets as this transaction sees them."""
    return waiting_and_served(centre_id)[0]


def waiting_and_served(centre_id: int) -> tuple[Waiting, int | None]:
    """`waiting`, and the centre's served version read with it (the same row): what its counters
    are doing is that of the last time it was read at this number. None where this transaction
    has changed that itself, or no commit has numbered it yet."""
    session = db.session()
    if centre_id in _unbumped(session):  # its own moves, not yet committed: read them, written out first
        session.flush()
        return _read(centre_id), None
    version, served, last_moved = (db.session.connection().execute(_VERSION, {"centre_id": centre_id}).first()
                                   or (None, None, None))
    if centre_id in _unserved(session):
        served = None
    kept = _kept().get(centre_id)
    if version is not None and kept is not None and kept.version == version:
        if not kept.moved:
            return kept.waiting, served
        fresh = _updated(kept, version)
    elif (version is not None and kept is not None
          and (since := _moved_since(kept.version, version, last_moved)) is not None):
        # commits not heard of yet (another process's, or this one's with its news still on the
        # way): the version's row names the tickets they moved
        fresh = _updated(replace(kept, moved=kept.moved | since), version)
    else:
        fresh = Kept.read(version, _read(centre_id)) if version is not None else None
        if fresh is None:
            return _read(centre_id), None  # no move ever committed here: nothing to keep it by
    with _lock:
        if _kept().get(centre_id) is kept:  # unless a commit was heard meanwhile: that is newer
            _kept()[centre_id] = fresh
    return fresh.waiting, served


# --- the version: bumped by each commit that moved a centre's tickets -----------------------

# Moves among the waiting change nothing at the counters: a ticket issued, a waiting one cancelled
# (domain/lifecycle.py: only a waiting ticket is) or sent to another line. Every other move of a
# ticket (a call, recall, start, finish, no-show, transfer, a visit's steps) and every counter
# opened, paused or closed bumps the served version too.
AMONG_THE_WAITING = frozenset({"issue", "cancel", "reassign"})
# A commit moving more tickets than this (the day's end cancelling a queue) names none on the
# version's row ('*'): a process behind it reads the queue in full, as for any unnamed bump.
NAMED_AT_MOST = 100
KEEP_CHARS = 1000  # of the row's earlier entries: the last thirty-odd commits of single issues
KEEP_ENTRIES = 64  # no row names more commits than this


@functools.cache
def _bump_statement(dialect_name: str):
    table = QueueVersion.__table__
    return (insert_for(dialect_name, table)
            .values(centre_id=bindparam("centre_id"), version=bindparam("start"), served=bindparam("start"),
                    last_moved=_moved_at(bindparam("start", type_=BigInteger)))
            .on_conflict_do_update(index_elements=[table.c.centre_id],
                                   set_={"version": table.c.version + 1,
                                         "served": table.c.served + bindparam("served"),
                                         "last_moved": _moved_at(table.c.version + 1)
                                         + func.coalesce(func.substr(table.c.last_moved, 1, KEEP_CHARS), "")})
            .returning(table.c.version))


def _moved_at(version):
    """'version:id,id,…;' — the tickets the commit setting `version` moved, named with the version
    they belong to (a row bumped by anything else is not mistaken for it), put before the row's
    earlier entries, which are kept to KEEP_CHARS (the one cut short there has no ';' and is not read)."""
    return cast(version, Text) + literal(":") + bindparam("moved", type_=Text) + literal(";")


def _unbumped(session) -> set[int]:
    """The centres whose tickets the session moved since its last bump."""
    pending = session.info.get(changes.KEY)
    if pending is None:
        return set()
    return {centre for _, centre, _ in pending.tickets[pending.bumped:]}


def _unserved(session) -> set[int]:
    """The centres where the session changed what the counters are doing since its last bump."""
    pending = session.info.get(changes.KEY)
    if pending is None:
        return set()
    return ({centre for _, centre, action in pending.tickets[pending.bumped:] if action not in AMONG_THE_WAITING}
            | {centre for _, centre in pending.counters[pending.counted:]})


@event.listens_for(db.session, "before_commit")
def _bump(session) -> None:
    served = _unserved(session)
    centres = _unbumped(session) | served
    if not centres:
        return
    session.flush()  # every write before the version's row lock, the transaction's last
    pending = session.info[changes.KEY]
    moved = {centre: set() for centre in centres}
    for ticket_id, centre, _ in pending.tickets[pending.bumped:]:
        moved[centre].add(ticket_id)
    statement = _bump_statement(session.get_bind().dialect.name)
    bumps = session.info.setdefault(KEPT, [])
    for centre in sorted(centres):  # in one order, as every transaction takes these locks
        version = session.connection().execute(statement, {
            "centre_id": centre, "start": secrets.randbits(62), "served": int(centre in served),
            "moved": ",".join(map(str, sorted(moved[centre]))) if len(moved[centre]) <= NAMED_AT_MOST else "*",
        }).scalar_one()
        bumps.append((centre, version, frozenset(moved[centre])))
    pending.queues += bumps  # for the other processes, once committed (catalogue_sync.py)
    pending.bumped = len(pending.tickets)
    pending.counted = len(pending.counters)


@event.listens_for(db.session, "after_commit")
def _note(session) -> None:
    bumps = session.info.pop(KEPT, None)
    if bumps:
        heard(bumps)


def heard(bumps) -> None:
    """A commit — this process's, or another's heard on the message queue — set these centres'
    versions, moving these tickets: a kept queue one version behind takes the moves (read at its
    next use); one further behind has missed a commit and catches up at its next use, from what
    the version's row names or in full; one at that version or past it (read since, the message
    having come late) stays."""
    kept = _kept()
    with _lock:
        for centre, version, moved in bumps:
            before = kept.get(centre)
            if before is not None and before.version == version - 1:
                kept[centre] = Kept(version, before.waiting, before.where, before.moved | frozenset(moved))
            # one further behind has missed a commit: its next use reads what the version's row
            # names of the commits since, or the whole queue (waiting_and_served)


@event.listens_for(db.session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(KEPT, None)
