"""Joining today's queue from home: a walk-in ticket taken by phone, within the [remote] rules."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, func, select, text

from ..db import utcnow
from ..domain.access import VISITOR
from ..domain.errors import InvalidRequest, NotFound
from ..domain.hours import service_day
from ..domain.policy import Candidate
from ..domain.remote import LIVE, RemoteRules, normalise_phone, why_not_join
from ..domain.visits import check_plan
from ..extensions import db
from ..models import Centre, Service, Staff, StaffSkill, Ticket, staff_centres
from .lookup import cached, centre_by_code, service_by_code, setting
from .offer import ensure_served_today
from .queue import place
from .reading import centre_summary
from .tickets import NEWCOMER, Issued, place_ticket
from .tx import atomic

LOCK_SPACE = 0x0D00  # the first key of PostgreSQL advisory locks taken here: "remote joins"


def remote_rules() -> RemoteRules:
    return RemoteRules.of(cached("remote", lambda: setting("remote")))


def offered_service(centre: Centre, code: str) -> Service:
    """The service, if the catalogue has it and a clerk of this centre serves it; else 422."""
    try:
        service = service_by_code(code)
    except NotFound:
        raise InvalidRequest(f"service {code!r} is not in the catalogue", code="service_not_offered") from None
    served = db.session.scalar(select(exists().where(
        StaffSkill.service_id == service.id, StaffSkill.staff_id == Staff.id,
        Staff.active.is_(True), Staff.role == "clerk",
        staff_centres.c.staff_id == Staff.id, staff_centres.c.centre_id == centre.id,
    )))
    if not served:
        raise InvalidRequest(f"{centre.code} does not offer {service.code}", code="service_not_offered")
    return service


def _serialise_phone(centre_id: int, phone: str) -> None:
    """Make concurrent joins of one phone at one centre take turns until commit.

    On PostgreSQL a transaction-scoped advisory lock on (centre, phone) does it, so two joins
    cannot both count zero live tickets; SQLite's write transaction already runs them one by one.
    """
    if db.engine.dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(f"{centre_id}:{phone}".encode(), digest_size=4).digest()
    key = int.from_bytes(digest, "big", signed=True)
    db.session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": LOCK_SPACE, "key": key})


def live_remote_tickets(centre: Centre, phone: str, day) -> int:
    """How many places this phone holds in the centre's queue today through remote tickets."""
    return db.session.scalar(
        select(func.count()).select_from(Ticket).where(
            Ticket.centre_id == centre.id, Ticket.service_day == day, Ticket.phone == phone,
            Ticket.source == "remote", Ticket.status.in_(LIVE),
        )
    )


@atomic
def join_remotely(
    centre_code: str, service_code: str | None, phone: str | None, *, services: list[str] | None = None,
    language: str | None = None, now: datetime | None = None,
) -> Issued:
    """Take a ticket in today's queue from home; return it with its position and estimate.

    Refused (nothing stored): unknown centre (404); a bad phone or language, or a service the
    centre does not offer (422); joining switched off, the centre closed, the phone's limit
    reached, the service not served for the rest of today or not served now, a wait over the arrival cap, or closing before the
    visitor's turn (409, each with its own code). `services` (instead of `service_code`): a visit
    of several services, joined in its first one's line, each one judged as above.
    """
    now = now or utcnow()
    rules = remote_rules()
    centre = centre_by_code(centre_code)
    steps = [offered_service(centre, code) for code in (check_plan(services) if services is not None else [service_code])]
    service = steps[0]
    phone = normalise_phone(phone)
    _serialise_phone(centre.id, phone)
    held = live_remote_tickets(centre, phone, service_day(now, centre.tz))
    newcomer = Candidate(NEWCOMER, service.code, now, False, None, service.weight)
    _, wait = place(centre, now, NEWCOMER, newcomer=newcomer)
    local = now.astimezone(centre.tz)
    span = centre.opening_hours.span_on(local.date())
    to_closing = None
    if span is not None and span[1] is not None:
        to_closing = (centre.opening_hours.closing_of(local.date(), centre.tz) - now).total_seconds() / 60
    refusal = why_not_join(rules, open_now=centre.opening_hours.is_open(local), live_for_phone=held,
                           wait_min=wait, minutes_to_closing=to_closing)
    if refusal is not None and refusal.code in ("remote_disabled", "centre_closed", "phone_limit"):
        raise refusal
    ensure_served_today(centre, service, now, wait)  # says more than "not served now": when, and booking
    for later in steps[1:]:
        ensure_served_today(centre, later, now)
    if refusal is not None:
        raise refusal
    return place_ticket(centre, service, now, language=language, phone=phone, source="remote", by=VISITOR,
                        then=steps[1:])


def centres_overview(now: datetime | None = None) -> list[dict]:
    """Every active centre with open-now, waiting count and wait (shared with GET /centres:
    recomputed at most every few seconds)."""

    def load():
        at = now or utcnow()
        rows = db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code)).all()
        return [centre_summary(c, at) for c in rows]

    return cached("public:centres", load, seconds=current_app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"])
