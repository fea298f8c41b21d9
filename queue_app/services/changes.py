"""What a transaction changed, collected as it runs and handed to listeners after commit.

Services note each ticket move, counter change and appointment booked or moved; `atomic` passes
the notes to the listeners (the real-time notifier, the visitors' messages) only once the commit
has succeeded, and drops them on rollback, so no screen or visitor ever hears of something the
database does not hold.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import chain
from typing import Callable

from flask import current_app
from sqlalchemy import event

from ..domain.appointments import BOOK, RESCHEDULE  # what was done to an appointment (its visitor is told)
from ..extensions import db

log = logging.getLogger(__name__)
KEY = "onedoor.changes"


@dataclass(frozen=True)
class Call:
    """A call as it happened: announced as such even if the ticket moves on before the screens hear."""

    number: str
    counter: str
    counter_code: str
    service: str
    called_at: object

    @classmethod
    def of(cls, ticket) -> "Call":
        """The call of a ticket at its counter (its counter loaded from the ticket, its service's code
        from the cached catalogue)."""
        from .lookup import service_shown  # lookup's cache, as deliver() below

        return cls(ticket.number, ticket.counter.name, ticket.counter.code, service_shown(ticket.service_id).code,
                   ticket.called_at)


@dataclass
class Changes:
    tickets: list[tuple[int, int, str]] = field(default_factory=list)  # (ticket id, centre id, action)
    counters: list[tuple[int, int]] = field(default_factory=list)  # (counter id, centre id)
    calls: list[tuple[int, Call]] = field(default_factory=list)  # (centre id, call)
    others: set[int] = field(default_factory=set)  # centres where something else changed (a printer)
    appointments: list[tuple[int, str, object]] = field(default_factory=list)  # (id, BOOK or RESCHEDULE, when)
    catalogue: bool = False  # the network's set-up changed (administration): caches and every screen renew
    people: bool = False  # a staff member, device or token changed: every process forgets the tokens it verified
    bumped: int = 0  # how many of `tickets` a queue version counts already (services/waiting.py)
    counted: int = 0  # how many of `counters` a served version counts already (services/waiting.py)
    queues: list[tuple[int, int, frozenset[int]]] = field(default_factory=list)  # (centre id, version, tickets moved)
    # centres whose managers' dashboards another process's commits changed (realtime.py: recomputed
    # by the process their managers are connected to)
    dashboards: set[int] = field(default_factory=set)

    def merge(self, other: "Changes") -> None:
        self.catalogue = self.catalogue or other.catalogue
        self.people = self.people or other.people
        self.tickets += other.tickets
        self.counters += other.counters
        self.calls += other.calls
        self.others |= other.others
        self.appointments += other.appointments
        self.queues += other.queues
        self.dashboards |= other.dashboards

    def centres(self) -> set[int]:
        return {c for _, c, _ in self.tickets} | {c for _, c in self.counters} | self.others


LISTENERS = "onedoor.listeners"


def listen(app, fn: Callable[[Changes], None]) -> None:
    """Hand `app`'s committed changes to `fn`: each app hears only its own commits."""
    listeners = app.extensions.setdefault(LISTENERS, [])
    if fn not in listeners:
        listeners.append(fn)


def _pending() -> Changes:
    info = db.session().info
    if KEY not in info:
        info[KEY] = Changes()
    return info[KEY]


def ticket_moved(ticket_id: int, centre_id: int, action: str, call: Call | None = None) -> None:
    pending = _pending()
    pending.tickets.append((ticket_id, centre_id, action))
    if call is not None:
        pending.calls.append((centre_id, call))


def counter_changed(counter_id: int, centre_id: int) -> None:
    _pending().counters.append((counter_id, centre_id))


def centre_changed(centre_id: int) -> None:
    """Something the centre's managers see changed (a printer failed or came back)."""
    _pending().others.add(centre_id)


def catalogue_changed() -> None:
    """The network's set-up changed (a service, a centre's hours): every process forgets its cached
    catalogue and every screen gets a fresh `state` once the change is committed."""
    _pending().catalogue = True


def people_changed() -> None:
    """A staff member, a device or a token changed (revoked, disabled, moved to other centres): the
    other processes forget the tokens they verified once the change is committed (auth.py)."""
    _pending().people = True


def appointment_booked(appointment_id: int, at) -> None:
    """An appointment was booked at `at` (the service's clock): its visitor is to be told."""
    _pending().appointments.append((appointment_id, BOOK, at))


def appointment_moved(appointment_id: int, at) -> None:
    """An appointment was moved to another slot at `at`: its visitor is to be told the new time."""
    _pending().appointments.append((appointment_id, RESCHEDULE, at))


def when_written(types: tuple[type, ...], at_commit: Callable[[], None], *, noted: Callable[[], None] | None = None,
                 collections: bool = False) -> None:
    """Call `at_commit` after each commit that wrote a row of `types` — added, deleted, or a column
    changed (a relationship's collection too with `collections`) as the session flushed it, whoever
    wrote it —, and `noted` when the flush first sees it, inside the transaction."""
    key = "onedoor.written:" + ",".join(t.__name__ for t in types)

    @event.listens_for(db.session, "before_flush")
    def look(session, flush_context, instances) -> None:
        if key in session.info:
            return
        if any(isinstance(o, types) for o in chain(session.new, session.deleted)) or any(
                isinstance(o, types) and session.is_modified(o, include_collections=collections)
                for o in session.dirty):
            session.info[key] = True
            if noted is not None:
                noted()

    @event.listens_for(db.session, "after_commit")
    def committed(session) -> None:
        if session.info.pop(key, False):
            at_commit()

    @event.listens_for(db.session, "after_rollback")
    def rolled_back(session) -> None:
        session.info.pop(key, None)


def discard() -> None:
    db.session().info.pop(KEY, None)


def deliver() -> None:
    """Hand the committed transaction's changes to the listeners; a listener's failure is logged,
    never raised: the change itself has happened."""
    changes = db.session().info.pop(KEY, None)
    if not changes or not (changes.centres() or changes.appointments or changes.catalogue or changes.people):
        return
    if changes.catalogue:
        from .lookup import forget_catalogue  # lookup's cache is this module's listener's concern

        forget_catalogue()  # before anyone is told, so what they read next is the new set-up
    try:
        for fn in current_app.extensions.get(LISTENERS, ()):
            try:
                fn(changes)
            except Exception:  # noqa: BLE001 - a screen update must not fail the request
                log.exception("real-time listener %s failed", getattr(fn, "__name__", fn))
    finally:
        # The listeners read in a transaction of their own: end it, or the caller would keep
        # seeing this moment's snapshot (SQLite WAL) instead of what others commit next.
        db.session.commit()
