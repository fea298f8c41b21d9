"""What the booking pages show: bookable services by life event, centres, and how days and times read."""
from __future__ import annotations

from datetime import date, datetime, timezone
from itertools import groupby
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import format_date, format_time, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

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





def horizon_days() -> int:
    """How many days ahead bookings open (config.toml [appointments])."""
    return int(setting("appointments").get("horizon_days", 30))






def by_month(days: list) -> list[tuple[str, list[Day]]]:
    """Days under their month's name, as a calendar shows them."""
    return [(month_label(first), list(group)) for first, group in groupby(days, key=lambda d: d.day.replace(day=1))]


def by_part_of_day(slots: list[Slot], centre: Centre) -> list[tuple[str, list[Slot]]]:
    """Slots under night, morning, afternoon and evening of the centre's clock: a day can offer a hundred."""
    def part(slot: Slot) -> str:
        hour = slot.start.astimezone(centre.tz).hour
        return str(next(label for first, label in PARTS_OF_DAY if hour >= first))

    return [(label, list(group)) for label, group in groupby(slots, key=part)]




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
