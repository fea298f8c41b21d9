"""The roster page of a centre (/manager/<centre>/roster?week=YYYY-MM-DD): the week's shifts day by day,
edited through the roster API (PUT a day's whole list, POST copy-week), each day's coverage beside it."""
from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from ..db import utcnow
from ..extensions import db
from ..i18n import page_language, text
from ..models import Staff, staff_centres
from ..refusals import refusal_texts
from .dashboard import service_names
from .planner import DAYS
from . import bp, managed_centre, managers_only


def chosen_monday(centre) -> date | None:
    """The Monday of the ?week= day (this week at the centre by default), or None when it is no date."""
    typed = request.args.get("week")
    try:
        day = date.fromisoformat(typed) if typed else utcnow().astimezone(centre.tz).date()
    except ValueError:
        return None
    return day - timedelta(days=day.weekday()) if DAYS[0] <= day <= DAYS[1] - timedelta(days=7) else None


def centre_staff(centre) -> list[dict]:
    """The active staff of the centre, whom a shift may name, with the services they may serve."""
    people = db.session.scalars(
        select(Staff).join(staff_centres, staff_centres.c.staff_id == Staff.id)
        .where(staff_centres.c.centre_id == centre.id, Staff.active.is_(True)).order_by(Staff.name, Staff.username))
    return [{"username": p.username, "name": p.name, "skills": sorted(p.skill_set().services)} for p in people]


def script_texts() -> dict:
    return {
        "no_shifts": _("No shifts."),
        "not_rostered": _("Not rostered yet. Until a roster is set for this day, every clerk of the centre "
                          "is taken as on duty all day: kiosks issue tickets and the booking site offers places "
                          "for their services. The coverage below counts shifts only."), "edit": _("Edit"), "delete": _("Delete"), "copy": _("Copy to another day"),
        "breaks": _("Breaks: %(breaks)s"), "skills": _("Only: %(services)s"),
        "covered": _("covered"), "gap": _("not covered"), "closed": _("Closed all day."),
        "add_title": _("Add a shift"), "edit_title": _("Edit the shift"), "copy_title": _("Copy the shift"),
        "saved": _("Saved."), "deleted": _("The shift is deleted."),
        "confirm_delete": _("Delete this shift?"),
        "confirm_replace": _("The next week already has shifts. Replace them with this week's?"),
        "copied": _("This week is copied to the week of %(day)s."),
        "gaps": _("Gaps: %(count)s"), "open_next": _("Open the next week"),
        "unreachable": _("The server cannot be reached. Nothing was saved; try again."),
        "conflicts": _("Booked appointments that no longer have a place: %(appointments)s. The roster now "
                       "gives their slots fewer places than are booked. Restore the shifts, or contact these "
                       "visitors and move their appointments:"),
        "conflict_slot": _("%(service)s, %(start)s: %(booked)s booked, %(places)s places"),
        "conflict_appointment": _("Appointment %(code)s, place %(place)s"),
    }


@bp.get("/<centre>/roster")
@managers_only
def roster_page(centre: str):
    place = managed_centre(centre)
    monday = chosen_monday(place)
    if monday is None:
        flash(_("Choose a valid week; showing this week."), "error")
        return redirect(url_for(".roster_page", centre=place.code), 303)
    days = [monday + timedelta(days=i) for i in range(7)]
    services = service_names()
    data = {
        "centre": {"code": place.code, "name": text(place.name), "timezone": place.timezone},
        "language": page_language(),
        "monday": monday.isoformat(),
        "days": [d.isoformat() for d in days],
        "staff": centre_staff(place),
        "services": services,
        "menu": list(services),  # the menu's order (the page's JSON sorts the names by code)
        "urls": {"api": f"/api/v1/centres/{place.code}",
                 "next_week": url_for(".roster_page", centre=place.code, week=(monday + timedelta(days=7)).isoformat())},
        "texts": script_texts(),
        "refusals": refusal_texts(),
    }
    return render_template(
        "manager/roster.html", data=data, centre=data["centre"],
        days=[{"iso": d.isoformat(), "label": format_date(d, "full")} for d in days],
        week_label=format_date(monday, "long"),
        previous_week=(monday - timedelta(days=7)).isoformat(), next_week=(monday + timedelta(days=7)).isoformat())
