"""Open data's 15-minute feed: storing each centre's closed periods once (a scheduled occasion),
and reading the stored records for the public (JSON, CSV, one period by its own address).

A period's record is computed from the tickets (domain/quarters.py) and inserted once, the unique
(centre, start) pair making it done once across processes: a closed period never changes after.
"""
from __future__ import annotations

import dataclasses
import functools
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from ..db import insert_for
from ..domain import quarters
from ..domain.errors import InvalidRequest, NotFound
from ..domain.lifecycle import COUNTER_HELD
from ..domain.open_data_fields import LIVE
from ..extensions import db
from ..models import Centre, Counter, OpenDataPeriod, Service, Ticket
from .lookup import centre_by_code
from .reports import csv_table
from .reading import ROW_COLUMNS, as_visit
from .tx import atomic

FEED = "feed"  # the occasion's name in run_due's report
OBSERVED_WITHIN = timedelta(minutes=5)  # counters seen later than this after a period's end are not its own
MAX_DAYS = 31
URL_TIME = "%Y-%m-%dT%H:%M"
ADDED_LATER = {"estimate_range_share": None}  # fields of records stored before they existed: null in them


def _counters_open(centre_id: int) -> int:
    return db.session.scalar(select(func.count(Counter.id)).where(Counter.centre_id == centre_id,
                                                                  Counter.state.in_(COUNTER_HELD)))


def _rows(centre: Centre, first: date, last: date):
    """The centre's ticket rows of the service days that may touch periods from `first` to `last`."""
    rows = db.session.execute(
        select(*ROW_COLUMNS).join(Service, Service.id == Ticket.service_id)
        .where(Ticket.centre_id == centre.id, Ticket.service_day.between(first - timedelta(days=1), last))
    ).all()
    return [as_visit(r) for r in rows]


@atomic
def store_periods(centre_id: int, now: datetime) -> list[str]:
    """Store every closed period of yesterday and today the centre has no record of yet; return
    their keys ("HQ:2026-11-23T10:15"). A period another process stored meanwhile is skipped."""
    centre = db.session.get(Centre, centre_id)
    tz = centre.tz
    due = quarters.closed_periods(centre.opening_hours, tz, now)
    if not due:
        return []
    stored = {s.astimezone(timezone.utc) for s in db.session.scalars(
        select(OpenDataPeriod.start).where(OpenDataPeriod.centre_id == centre.id, OpenDataPeriod.start >= due[0]))}
    missing = [s for s in due if s.astimezone(timezone.utc) not in stored]
    if not missing:
        return []
    rows = _rows(centre, missing[0].date(), missing[-1].date())
    counters = _counters_open(centre.id)
    records = [{"centre_id": centre.id, "start": start, "stored_at": now, "figures": dataclasses.asdict(
                    quarters.period_figures(rows, start, centre.target_wait_min,
                                            counters if now - (start + quarters.PERIOD) <= OBSERVED_WITHIN else None))}
               for start in missing]
    # one statement for them all (after an outage, or a centre's first turn, they are a day or two
    # of periods); one another process stored meanwhile is left as it is
    stored = {s.astimezone(timezone.utc)
              for s in db.session.scalars(_insert_statement(db.session.get_bind().dialect.name), records)}
    return [f"{centre.code}:{address(start, tz)}" for start in missing if start.astimezone(timezone.utc) in stored]


@functools.cache
def _insert_statement(dialect_name: str):
    table = OpenDataPeriod.__table__
    return (insert_for(dialect_name, table).on_conflict_do_nothing(index_elements=[table.c.centre_id, table.c.start])
            .returning(table.c.start))


def record(centre: Centre, start: datetime, figures: dict) -> dict:
    """A stored period as the public reads it: where, when (`key`: its start as its address writes
    it, which the API turns into `url`), then its figures."""
    start = start.astimezone(centre.tz)
    return {"centre": centre.code, "start": start.isoformat(), "end": (start + quarters.PERIOD).isoformat(),
            "key": address(start, centre.tz), "target_wait_min": centre.target_wait_min, **ADDED_LATER, **figures}


def live_records(centre_code: str, first: date, last: date) -> list[dict]:
    """The centre's stored periods of its local days `first`..`last` (at most MAX_DAYS), oldest first."""
    if last < first:
        raise InvalidRequest("the period ends before it starts")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidRequest(f"a period covers at most {MAX_DAYS} days")
    centre = centre_by_code(centre_code)
    lo = datetime.combine(first, time(0), centre.tz)
    hi = datetime.combine(last + timedelta(days=1), time(0), centre.tz)
    rows = db.session.execute(
        select(OpenDataPeriod.start, OpenDataPeriod.figures)
        .where(OpenDataPeriod.centre_id == centre.id, OpenDataPeriod.start >= lo, OpenDataPeriod.start < hi)
        .order_by(OpenDataPeriod.start)).all()
    return [record(centre, start, figures) for start, figures in rows]


def _twice(local: datetime) -> bool:
    """The wall-clock time comes twice on its clock (the hour a clock turns back)."""
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


def address(start: datetime, tz) -> str:
    """A period's address: its start on the centre's clock, "YYYY-MM-DDTHH:MM"; in the hour a clock
    turns back, which comes twice, with the offset of its own ("…T01:15-04:00", "…T01:15-05:00"),
    so that every period has an address of its own."""
    local = start.astimezone(tz)
    return local.strftime(URL_TIME) + (local.isoformat()[-6:] if _twice(local) else "")


def parse_start(text: str, centre: Centre) -> datetime:
    """The instant a period starts, from its address (see `address`): "YYYY-MM-DDTHH:MM" on the
    centre's clock (the first time it comes, in an hour that comes twice), or with its UTC offset."""
    try:
        local = datetime.strptime(text[:16], URL_TIME)
        offset = datetime.fromisoformat(text[:16] + text[16:]).utcoffset() if len(text) > 16 else None
    except ValueError:
        offset = local = None
    if local is None or len(text) not in (16, 22):
        raise InvalidRequest("a period starts at YYYY-MM-DDTHH:MM on the centre's clock, with its UTC offset "
                             "(+HH:MM) in the hour a clock turns back")
    if local.minute % 15:
        raise InvalidRequest("a period starts on a quarter of the hour (:00, :15, :30 or :45)")
    start = local.replace(tzinfo=centre.tz)
    if offset is not None:
        start = next((t for t in (start, start.replace(fold=1)) if t.utcoffset() == offset), None)
        if start is None:
            raise InvalidRequest(f"{text} is not a time on {centre.code}'s clock: its offset there is another")
    return start.astimezone(timezone.utc)  # an instant (a time of a repeated hour compares unequal to any other zone's)


def live_record(centre_code: str, start_text: str) -> dict:
    """One stored period by its address; NotFound when the centre has no record of it (yet)."""
    centre = centre_by_code(centre_code)
    start = parse_start(start_text, centre)
    figures = db.session.scalar(select(OpenDataPeriod.figures).where(OpenDataPeriod.centre_id == centre.id,
                                                                      OpenDataPeriod.start == start))
    if figures is None:
        raise NotFound(f"no record of {centre.code} from {start_text}: not a closed 15-minute period of its hours")
    return record(centre, start, figures)


def live_csv(records: list[dict]) -> str:
    """A header line of the fields (open_data_fields.LIVE), then one line per record."""
    return csv_table([f.name for f in LIVE], ([r[f.name] for f in LIVE] for r in records))
