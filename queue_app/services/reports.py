"""Reading a report's data: tickets, their clerks and ratings, and the closing job's roll-ups.

The figures themselves are computed by domain/report.py; this module only gathers plain rows.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, false, or_, select

from ..domain import calendar
from ..domain.errors import InvalidRequest
from ..domain.report import DayRow, Report, ReportVisit, day_rows, published, report, rolled_day_row
from ..domain.visit_figures import Resolved
from ..extensions import db
from ..models import Centre, CentreDay, Feedback, Service, Staff, Ticket
from .lookup import centre_by_code
from .reading import ROW_COLUMNS, as_visit, earlier_resolved

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True)
class CentreReport:
    """A report with what it covers: one centre (code, names) or the network (centre None)."""

    centre: Centre | None
    period: Period
    report: Report


def parse_day(text: str | None, what: str) -> date:
    """YYYY-MM-DD within the product's calendar (domain/calendar.py), or InvalidRequest."""
    return calendar.parse_day(text, what)


def period_of(day: str | None = None, start: str | None = None, end: str | None = None) -> Period:
    """A day, or a period from..to (to defaults to from); refused: bad dates, to before from, > 366 days."""
    if day and (start or end):
        raise InvalidRequest("give either a date or a from/to period, not both")
    if day or not (start or end):
        one = parse_day(day, "the date")
        return Period(one, one)
    first = parse_day(start, "from")
    last = parse_day(end, "to") if end else first
    if last < first:
        raise InvalidRequest("the period ends before it starts")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidRequest(f"a period covers at most {MAX_DAYS} days")
    return Period(first, last)


def centres_of(code: str | None) -> list[Centre]:
    """The centre with this code (404 if none), or every active centre."""
    if code:
        return [centre_by_code(code)]
    return list(db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code)))


def visits(centres: list[Centre], period: Period, *, skip: set[tuple[int, date]] = frozenset()) -> list[ReportVisit]:
    """The centres' tickets of the period, times on each centre's clock, with clerk and rating;
    the centre-days in `skip` (already rolled up) are not read at all."""
    by_id = {c.id: c for c in centres}
    rows = db.session.execute(
        select(*ROW_COLUMNS, Ticket.centre_id, Ticket.service_day, Staff.name, Feedback.rating)
        .join(Service, Service.id == Ticket.service_id)
        .outerjoin(Staff, Staff.id == Ticket.staff_id)
        .outerjoin(Feedback, Feedback.ticket_id == Ticket.id)
        .where(days_filter(centres, period, skip))
    ).all()
    out = []
    for r in rows:
        cid, day, clerk, rating = r[-4:]
        centre = by_id[cid]
        out.append(as_visit(r, centre.tz, ReportVisit, centre=centre.code, day=day, clerk=clerk, rating=rating,
                            target_wait_min=centre.target_wait_min))
    return out


def resolved_before(centres: list[Centre], period: Period) -> list[Resolved]:
    """The resolved steps the period's repeat visits are matched against (services/reading.earlier_resolved)."""
    seen = select(Ticket.contact_hash).where(days_filter(centres, period, frozenset()))
    return earlier_resolved(seen, period.start, period.end)


def days_filter(centres: list[Centre], period: Period, skip: set[tuple[int, date]]):
    """The tickets of these centres in the period, leaving out the centre-days in `skip`."""
    if not skip:
        return and_(Ticket.centre_id.in_([c.id for c in centres]), Ticket.service_day.between(period.start, period.end))
    every_day = [period.start + timedelta(days=i) for i in range(period.days)]
    wanted = []
    for c in centres:
        days = [d for d in every_day if (c.id, d) not in skip]
        if len(days) == len(every_day):
            wanted.append(and_(Ticket.centre_id == c.id, Ticket.service_day.between(period.start, period.end)))
        elif days:
            wanted.append(and_(Ticket.centre_id == c.id, Ticket.service_day.in_(days)))
    return or_(*wanted) if wanted else false()


def rolled_up(centres: list[Centre], period: Period) -> dict[tuple[int, date], dict]:
    rows = db.session.execute(
        select(CentreDay.centre_id, CentreDay.day, CentreDay.figures)
        .where(CentreDay.centre_id.in_([c.id for c in centres]), CentreDay.day.between(period.start, period.end))
    ).all()
    return {(cid, day): figures for cid, day, figures in rows}


def ratings_by_day(centres: list[Centre], period: Period,
                   keys: set[tuple[int, date]]) -> dict[tuple[int, date], list[int]]:
    """The ratings given for the tickets of these centre-days (ratings come after a roll-up, too)."""
    if not keys:
        return {}
    rows = db.session.execute(
        select(Ticket.centre_id, Ticket.service_day, Feedback.rating)
        .join(Feedback, Feedback.ticket_id == Ticket.id)
        .where(Ticket.centre_id.in_([c.id for c in centres]), Ticket.service_day.between(period.start, period.end))
    ).all()
    out: dict[tuple[int, date], list[int]] = {}
    for cid, day, rating in rows:
        if (cid, day) in keys:
            out.setdefault((cid, day), []).append(rating)
    return out


def daily_rows(centres: list[Centre], period: Period, computed: list[ReportVisit] | None = None,
               earlier: list[Resolved] | None = None) -> list[DayRow]:
    """One row per centre-day with tickets: the roll-up where the closing job stored one, else computed."""
    stored = rolled_up(centres, period)
    codes = {c.id: c.code for c in centres}
    if computed is None:
        computed = visits(centres, period, skip=set(stored))
    if earlier is None:
        earlier = resolved_before(centres, period) if len(stored) < len(centres) * period.days else []
    ratings = ratings_by_day(centres, period, set(stored))
    rows = [rolled_day_row(codes[cid], day, figures, ratings.get((cid, day), []))
            for (cid, day), figures in stored.items()]
    ids = {c.code: c.id for c in centres}
    rows += day_rows([v for v in computed if (ids[v.centre], v.day) not in stored], earlier)
    return sorted(rows, key=lambda r: (r.centre, r.day))


def build_report(centre_code: str | None, period: Period) -> CentreReport:
    """The figures of one centre (or, without a code, the network) over the period."""
    centres = centres_of(centre_code)
    seen = visits(centres, period)
    earlier = resolved_before(centres, period)
    return CentreReport(centre=centres[0] if centre_code else None, period=period,
                        report=report(seen, daily_rows(centres, period, seen, earlier), earlier))


def open_data(centre_code: str | None, period: Period) -> list[DayRow]:
    """Each centre's daily indicators for the public: counts, waits, handling, satisfaction, the
    visits' figures; a small count of repeat visits is left out (domain/report.published)."""
    return [published(row) for row in daily_rows(centres_of(centre_code), period)]


CSV_FIELDS = ("centre", "date", "arrivals", "served", "no_show", "cancelled", "transferred", "average_wait_min",
              "p90_wait_min", "within_target_share", "average_handling_min", "satisfaction_average",
              "feedback_count", "door_to_door_mean_min", "door_to_door_p90_min", "steps_per_visit",
              "first_visit_resolution", "repeat_visits", "repeat_share", "estimate_mae_min", "estimate_bias_min",
              "estimate_range_share")


def _cell(value) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def csv_table(header, rows) -> str:
    """A header line, then a line per row of values: empty for None, numbers with two decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def csv_text(rows: list[DayRow]) -> str:
    """One line per centre-day after a header line; minutes and shares with two decimals."""
    return csv_table(CSV_FIELDS, ([r.day.isoformat() if name == "date" else getattr(r, name) for name in CSV_FIELDS]
                                  for r in rows))
