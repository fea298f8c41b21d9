"""What the counter page shows, read for one staff member: their centres, counters and skills."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from queue_app.db import utcnow
from queue_app.domain.access import CLERK
from queue_app.domain.lifecycle import COUNTER_CLOSED, COUNTER_HELD, COUNTER_OPEN, COUNTER_PAUSED, UNRESOLVED_REASONS
from queue_app.extensions import db
from queue_app.i18n import page_language, text
from queue_app.models import Centre, Counter, Service, Staff
from queue_app.refusals import refusal_texts
from queue_app.services.access import actor_of, reachable_centres
from queue_app.services.roster import roster
from queue_app.services.lookup import language_codes

from .texts import reason_labels, script_texts


def held_counter(staff: Staff) -> Counter | None:
    """The counter this clerk has open (or paused), if any: the page goes straight back to it."""
    return db.session.scalar(select(Counter).where(Counter.staff_id == staff.id, Counter.state.in_(COUNTER_HELD)))


def find_counter(code: str) -> Counter | None:
    if len(code) > 12 or "\x00" in code:
        return None
    return db.session.scalar(select(Counter).where(Counter.code == code))


def state_label(state: str) -> str:
    return {COUNTER_OPEN: _("Open"), COUNTER_PAUSED: _("Paused"), COUNTER_CLOSED: _("Closed")}.get(state, state)


def pick_view(staff: Staff, centre_code: str | None, last: str | None) -> dict:
    """Step 1: the centres to choose among and the chosen centre's counters with their state."""
    centres = reachable_centres(staff)
    chosen = next((c for c in centres if c.code == centre_code), None)
    if chosen is None and last:
        chosen = next((c for c in centres if last.startswith(f"{c.code}-")), None)
    chosen = chosen or (centres[0] if centres else None)
    counters = []
    for counter in chosen.counters if chosen else ():
        mine = counter.staff_id == staff.id
        # A clerk cannot act at another clerk's counter; managers and admins may step in.
        usable = counter.state == COUNTER_CLOSED or mine or staff.role != CLERK
        counters.append({
            "code": counter.code, "name": counter.name, "state": counter.state,
            "state_label": state_label(counter.state), "holder": counter.staff.name if counter.staff else None,
            "mine": mine, "usable": usable, "last": counter.code == last,
        })
    return {
        "centres": [{"code": c.code, "name": text(c.name)} for c in centres],
        "centre": None if chosen is None else {"code": chosen.code, "name": text(chosen.name)},
        "counters": counters,
    }


def skill_choices(staff: Staff) -> list[dict]:
    """The clerk's skills, primary first, each with the service's name in the page language."""
    rows = sorted(staff.skills, key=lambda s: (s.level != "primary", s.service.position, s.service.code))
    return [{"code": s.service.code, "name": text(s.service.name), "level": s.level}
            for s in rows if s.service.active]


def active_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.position, Service.code)))


def by_agency(services: list[Service]) -> list[dict]:
    """The services grouped by agency, in catalogue order: the transfer dialog's option groups,
    so sixty services read as seven short lists."""
    groups: dict[int, dict] = {}
    for s in services:
        groups.setdefault(s.agency_id, {"name": text(s.agency.name), "services": []})["services"].append(s.code)
    return list(groups.values())


SHIFT_DAYS = 7  # the clerk sees their shifts of today and the next six days


def my_shifts(centre: Centre, staff: Staff) -> list[dict]:
    """The staff member's own shifts at the centre from today (centre-local) on, for the "My shifts" panel."""
    today, found = utcnow().astimezone(centre.tz).date(), []
    clock = lambda moment: moment.astimezone(centre.tz).strftime("%H:%M")  # noqa: E731
    for offset in range(SHIFT_DAYS):
        day = today + timedelta(days=offset)
        for shift in roster(centre.code, day, by=actor_of(staff)).shifts:
            if shift.staff == staff.username:
                found.append({"day": format_date(day, "full"), "start": clock(shift.start), "end": clock(shift.end),
                              "breaks": [f"{clock(b.start)}–{clock(b.end)}" for b in shift.breaks]})
    return found


def work_data(counter: Counter, staff: Staff) -> dict:
    """Everything the page's script needs before the socket's first `state` arrives."""
    codes = language_codes() or ["en"]
    services = active_services()
    return {
        "counter": {"code": counter.code, "name": counter.name},
        "centre": {"code": counter.centre.code, "name": text(counter.centre.name), "timezone": counter.centre.timezone},
        "me": {"username": staff.username, "name": staff.name, "role": staff.role},
        "language": page_language(),
        "default_language": codes[0],
        "server_now": utcnow().isoformat(),
        "skills": skill_choices(staff) if staff.role == "clerk" else [],
        "services": {s.code: text(s.name) for s in services},
        "agencies": by_agency(services),
        "documents": {s.code: (text(s.documents) if s.documents else []) for s in services},
        "reasons": [{"code": code, "label": reason_labels()[code]} for code in UNRESOLVED_REASONS],
        "urls": {
            "api": "/api/v1",
            "csrf": url_for("counter.csrf"),
            "login": url_for("pages.login", next=url_for("counter.page", counter=counter.code)),
            "pick": url_for("counter.page", centre=counter.centre.code, choose=1),
        },
        "shifts": my_shifts(counter.centre, staff),
        "texts": script_texts(),
        "refusals": refusal_texts(),  # what each refusal code means, in the clerk's language
    }
