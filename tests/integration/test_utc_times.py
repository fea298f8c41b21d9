"""Times are stored in UTC and always read back aware, in UTC, equal to what was written — on
either database (db.UTCDateTime; on SQLite it parses the stored text itself, the fast way)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from queue_app.db import UTCDateTime
from queue_app.extensions import db

KOLKATA = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
def probe(ctx):
    table = Table("utc_probe", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    table.create(db.engine)
    yield table
    db.session.rollback()
    table.drop(db.engine)


def test_times_come_back_equal_aware_and_in_utc(probe):
    written = [datetime(2026, 12, 6, 14, 27, 12, 119794, tzinfo=timezone.utc),
               datetime(2026, 12, 6, 9, 0, tzinfo=KOLKATA),  # whole seconds, another zone
               datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-4))), None]
    db.session.execute(insert(probe), [{"id": i, "at": at} for i, at in enumerate(written)])
    read = db.session.scalars(select(probe.c.at).order_by(probe.c.id)).all()
    assert read == written
    assert all(at.tzinfo == timezone.utc and at.utcoffset() == timedelta(0) for at in read if at is not None)
    assert read[1] == datetime(2026, 12, 6, 3, 30, tzinfo=timezone.utc)


def test_sqlite_text_written_by_other_hands_is_read_right():
    """SQLite keeps times as text: text with an offset, without fractions or in ISO's other
    spelling (not as this type writes it) still reads as the same instant."""
    engine = create_engine("sqlite://")
    table = Table("utc_probe", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO utc_probe (id, at) VALUES (1, '2026-12-06 10:00:00+02:00'), "
                          "(2, '2026-12-06 10:00:00'), (3, '2026-12-06T10:00:00.5Z')"))
        read = conn.scalars(select(table.c.at).order_by(table.c.id)).all()
    assert read == [datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc), datetime(2026, 12, 6, 10, 0, tzinfo=timezone.utc),
                    datetime(2026, 12, 6, 10, 0, 0, 500000, tzinfo=timezone.utc)]
    assert all(at.tzinfo == timezone.utc for at in read)
