"""What the booking pages show: bookable services by life event, centres, days with free slots."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import groupby
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import format_date, format_time, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import services
from ..db import utcnow
from ..domain import calendar
from ..domain.calendar import moment_in_calendar
from ..domain.errors import InvalidRequest
from ..domain.slots import Slot
from ..extensions import db
from ..i18n import text
from ..models import Centre, LifeEvent, Service
from ..services.lookup import cached, setting
from ..services.reading import centre_summary

STAMP = "%Y%m%dT%H%MZ"  # a slot's start in addresses: UTC, so a repeated hour is never ambiguous
PARTS_OF_DAY = ((18, _l("Evening")), (12, _l("Afternoon")), (6, _l("Morning")), (0, _l("Night")))


@dataclass(frozen=True)
class Day:
    day: date
    free: int  # slots with a place left


def bookable_services() -> list[Service]:
    """Every active service that can be booked online, in catalogue order."""
    return db.session.scalars(select(Service).where(Service.active.is_(True), Service.bookable.is_(True))
                              .order_by(Service.position, Service.id)).all()


def life_events() -> list[tuple[LifeEvent, list[Service]]]:
    """Life events with their bookable services; events with none are left out."""
    events = db.session.scalars(select(LifeEvent).where(LifeEvent.active.is_(True))
                                .options(selectinload(LifeEvent.services))
                                .order_by(LifeEvent.position, LifeEvent.id)).all()
    grouped = [(e, [s for s in e.services if s.active and s.bookable]) for e in events]
    return [(e, found) for e, found in grouped if found]


def centres() -> list[dict]:
    """Every active centre as GET /api/v1/centres shows it (open now, waiting, today's estimated
    wait), from the same short-lived cache: a page view must not recompute every centre's queue."""

    def load():
        now = utcnow()
        rows = db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code)).all()
        return [centre_summary(c, now) for c in rows]

    return cached("public:centres", load, seconds=current_app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"])


def first_free_times(service: Service) -> dict[str, datetime | None]:
    """Each active centre's first free slot for the service (None: nothing online before the
    horizon), cached like the centres' summaries."""

    def load():
        rows = db.session.scalars(select(Centre).where(Centre.active.is_(True))).all()
        firsts = {c.code: first_free_slot(c, service) for c in rows}
        return {code: slot and slot.start for code, slot in firsts.items()}

    return cached(f"booking:first:{service.code}", load, seconds=current_app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"])


def earliest_elsewhere(service: Service, centre: Centre, limit: int = 3) -> list[dict]:
    """The other active centres with a free time for the service, soonest first (at most `limit`):
    where to book when this centre has none (from the cached first free times)."""
    rows = {row["code"]: row for row in centres()}
    found = sorted((start, code) for code, start in first_free_times(service).items()
                   if start is not None and code != centre.code and code in rows)
    return [{"code": code, "name": rows[code]["name"], "when": short_when(start, rows[code]["timezone"])}
            for start, code in found[:limit]]


def horizon_days() -> int:
    """How many days ahead bookings open (config.toml [appointments])."""
    return int(setting("appointments").get("horizon_days", 30))


def free_days(centre: Centre, service: Service, now: datetime | None = None) -> list[Day]:
    """The days from today to the horizon (centre's local days) with at least one free slot."""
    now = now or utcnow()
    today = now.astimezone(centre.tz).date()
    days = []
    for offset in range(horizon_days() + 1):
        day = today + timedelta(days=offset)
        free = sum(1 for s in services.slots(centre.code, service.code, day, now) if s.available > 0)
        if free:
            days.append(Day(day, free))
    return days


def first_free_slot(centre: Centre, service: Service, now: datetime | None = None) -> Slot | None:
    """The first slot with a place left, from now to the horizon, or None."""
    now = now or utcnow()
    today = now.astimezone(centre.tz).date()
    for offset in range(horizon_days() + 1):
        for slot in services.slots(centre.code, service.code, today + timedelta(days=offset), now):
            if slot.available > 0:
                return slot
    return None


def by_month(days: list[Day]) -> list[tuple[str, list[Day]]]:
    """Days under their month's name, as a calendar shows them."""
    return [(month_label(first), list(group)) for first, group in groupby(days, key=lambda d: d.day.replace(day=1))]


def by_part_of_day(slots: list[Slot], centre: Centre) -> list[tuple[str, list[Slot]]]:
    """Slots under night, morning, afternoon and evening of the centre's clock: a day can offer a hundred."""
    def part(slot: Slot) -> str:
        hour = slot.start.astimezone(centre.tz).hour
        return str(next(label for first, label in PARTS_OF_DAY if hour >= first))

    return [(label, list(group)) for label, group in groupby(slots, key=part)]


def free_slots(centre: Centre, service: Service, day: date, now: datetime | None = None) -> list[Slot]:
    """The day's slots with a place left, in the centre's timezone."""
    return [s for s in services.slots(centre.code, service.code, day, now or utcnow()) if s.available > 0]


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(STAMP)


def parse_stamp(value: str | None) -> datetime | None:
    """A slot start from an address or a form, or None when it is not one."""
    try:
        moment = datetime.strptime(value or "", STAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return moment if moment_in_calendar(moment) else None


def parse_day(value: str) -> date | None:
    """A day from an address (YYYY-MM-DD, within the product's calendar), or None."""
    try:
        return calendar.parse_day(value)
    except InvalidRequest:
        return None


def day_label(day: date) -> str:
    return format_date(day, "full")


def short_day(day: date) -> str:
    """Tue, Nov 24 · mar, 24 nov · вт, 24 нояб."""
    return format_skeleton("MMMEd", day, locale=get_locale())


def short_when(moment: datetime, timezone_name: str) -> str:
    """Tue, Nov 24, 10:00 AM on the clock of the timezone."""
    local = moment.astimezone(ZoneInfo(timezone_name))
    return f"{short_day(local.date())}, {format_time(local, 'short', rebase=False)}"


def month_label(day: date) -> str:
    return format_skeleton("yMMMM", day, locale=get_locale())


def time_label(moment: datetime, centre: Centre) -> str:
    """A time on the centre's wall clock, as its visitors read it."""
    return format_time(moment.astimezone(centre.tz), "short", rebase=False)


def when_label(moment: datetime, centre: Centre) -> str:
    local = moment.astimezone(centre.tz)
    return f"{format_date(local.date(), 'full')}, {format_time(local, 'short', rebase=False)}"


def documents(service: Service, language: str | None = None) -> list[str]:
    """The documents to bring, in the page's language (or `language`)."""
    texts = service.documents or {}
    if not texts:
        return []
    return list(text(texts, language) or [])
