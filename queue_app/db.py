"""Database engine set-up: SQLite in WAL mode with write transactions that lock up front."""
from __future__ import annotations

import contextlib
import contextvars
import threading
import weakref
from datetime import datetime, timezone

from sqlalchemy import DateTime, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator


def insert_for(dialect_name: str, table):
    """INSERT into `table` in the database's own dialect, which knows ON CONFLICT (PostgreSQL's or
    SQLite's): the statements built once per dialect and kept (`functools.cache`) start here."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC; always read back aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; OneDoor stores only aware times")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect, coltype):
        """On SQLite, the stored text read straight into an aware datetime: every time read goes
        through here (a centre's whole queue on each issue), and parsing with the offset appended
        costs a tenth of parsing and then `replace(tzinfo=…)` (~0.15 µs against ~1.3 µs)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        parse = datetime.fromisoformat

        def process(value):
            if value is None:
                return None
            try:
                return parse(value + "+00:00")
            except ValueError:  # text that holds an offset already (not written by this type)
                return parse(value).astimezone(timezone.utc)

        return process

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def engine_options(url: str, connections: int = 60) -> dict:
    """Engine options per backend, holding at most `connections` database connections at once.

    The default is enough for a threaded server with 40 counters calling at once. Several
    processes on one PostgreSQL must share its max_connections (100 by default): there each
    process is given its share (ONEDOOR_DB_CONNECTIONS, docs/deploy). A third stays pooled; the
    rest are opened in a burst and closed after it.
    """
    kept = max(1, connections // 3)
    pool = {"pool_size": kept, "max_overflow": max(0, connections - kept)}
    if url.startswith("sqlite"):
        # The busy timeout lets concurrent writers queue instead of failing at once.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}, **pool}
    # Recycling replaces pre-ping: a ping per checkout would add a round trip to every request.
    return {"pool_recycle": 1800, **pool}


# True while a service's write transaction runs in this thread (or greenlet).
writing: contextvars.ContextVar[bool] = contextvars.ContextVar("onedoor_writing", default=False)
_write_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def write_lock(engine: Engine):
    """The in-process lock that queues this engine's writers (SQLite), or a no-op."""
    return _write_locks.get(engine) or contextlib.nullcontext()


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE for writes so two writers never read stale rows.

    pysqlite's own transaction handling begins lazily and would let two transactions read the
    same "last number" before either writes; taking the write lock at BEGIN makes each service's
    read-decide-write atomic, which is what numbering and call-next need. Reads begin deferred
    and never wait for writers (WAL). Writers of one process queue on a Python lock first,
    because SQLite's busy handler polls with sleeps and lets a waiter starve for seconds.
    """
    if engine.dialect.name != "sqlite":
        return
    _write_locks[engine] = threading.Lock()

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing.get() else "BEGIN")


def utcnow() -> datetime:
    """The wall clock, aware in UTC. Services take `now` as an argument and fall back to this."""
    return datetime.now(timezone.utc)
