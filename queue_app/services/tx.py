"""Transaction ownership: a service function commits on success and rolls back on any error."""
from __future__ import annotations

import functools

from sqlalchemy.exc import IntegrityError

from ..db import write_lock, writing
from ..domain.errors import ChangedMeanwhile
from ..extensions import db
from . import changes


def core(statement, params=None):
    """Execute a Core statement through the transaction's connection, after writing the session's
    own changes as an ORM statement's autoflush would: about half an ORM statement's cost, for the
    hot paths' reads and inserts that need no entity. Returns the Result."""
    db.session.flush()
    return db.session.connection().execute(statement, params)


def atomic(fn):
    """Run `fn` as one write transaction: commit when it returns, roll back when it raises.

    A read transaction left open by the caller is ended first, so the write starts from fresh
    state (on SQLite with BEGIN IMMEDIATE). A service called from another one joins the outer
    transaction instead of committing half of it.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if writing.get():
            return fn(*args, **kwargs)
        if db.session().in_transaction():
            db.session.commit()
        token = writing.set(True)
        try:
            with write_lock(db.engine):
                try:
                    result = fn(*args, **kwargs)
                    db.session.commit()
                except IntegrityError:
                    # Checked first and still taken: another transaction (PostgreSQL) wrote the same
                    # unique row in between. A conflict with the present state, not a server error.
                    db.session.rollback()
                    changes.discard()
                    raise ChangedMeanwhile("someone else made the same change at the same moment: "
                                           "look again and retry") from None
                except BaseException:
                    db.session.rollback()
                    changes.discard()
                    raise
        finally:
            writing.reset(token)
        changes.deliver()  # after commit, outside the write lock
        return result

    return wrapper
