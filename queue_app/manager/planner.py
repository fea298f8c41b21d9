"""The staffing planner page (/manager/<centre>/plan): demand and Erlang C per hour, the plan saved."""
from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from ..db import utcnow
from ..domain.errors import InvalidRequest
from ..i18n import text
from ..services.planning import day_plan, opening_hours_of, plan_limit, save_plan
from . import bp, managed_centre, managers_only

SHARES = (0.8, 0.85, 0.9, 0.95)
DAYS = (date(2000, 1, 1), date(2100, 12, 31))  # plannable days: their history stays representable
DEFAULT_SHARE = 0.9


class PlanForm(FlaskForm):
    """The plan's form: its CSRF token; the hours' inputs are read by `read_plan`."""


def field_name(hour: int) -> str:
    return f"hour-{hour}"


def chosen_day(centre) -> date | None:
    """The ?day= of the address (today at the centre by default), or None when it is no date."""
    text = request.args.get("day")
    if not text:
        return utcnow().astimezone(centre.tz).date()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if DAYS[0] <= day <= DAYS[1] else None


def chosen_share() -> float | None:
    text = request.args.get("share")
    if not text:
        return DEFAULT_SHARE
    try:
        share = float(text)
    except ValueError:
        return None
    return share if 0.5 <= share <= 0.99 else None


def read_plan(hours: list[int], limit: int) -> tuple[dict[int, int], dict[int, str], dict[int, str]]:
    """(counters per hour, errors per hour, the texts as typed) from the posted form."""
    plan, errors, typed = {}, {}, {}
    for hour in hours:
        text = (request.form.get(field_name(hour)) or "").strip()
        typed[hour] = text
        if not text:
            continue  # nothing planned for that hour
        if not text.isdigit() or int(text) > limit:
            errors[hour] = _("Enter a whole number from 0 to %(limit)d.", limit=limit)
        else:
            plan[hour] = int(text)
    return plan, errors, typed


def chart_data(plan) -> dict:
    return {
        "labels": [f"{row.hour:02d}:00" for row in plan.hours],
        "recommended": [row.recommended for row in plan.hours],
        "planned": [row.planned for row in plan.hours],
        "texts": {"recommended": _("Recommended counters"), "planned": _("Planned counters"),
                  "hour": _("Hour"), "counters": _("Counters")},
    }


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "#0%")


def minutes(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, "0.0")


@bp.route("/<centre_code>/plan", methods=["GET", "POST"])
@managers_only
def planner(centre_code: str):
    centre = managed_centre(centre_code)
    day, share = chosen_day(centre), chosen_share()
    if day is None or share is None:
        flash(_("Choose a valid day and share; showing today at %(share)s.",
                share=percent(DEFAULT_SHARE)), "error")
        return redirect(url_for(".planner", centre_code=centre.code), 303)
    form, errors, typed, status = PlanForm(), {}, {}, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form expired. Please try again."), "error")
            status = 400
        else:
            plan, errors, typed = read_plan(opening_hours_of(centre, day), plan_limit(centre))
            if not errors:
                try:
                    save_plan(centre.code, day, plan)
                except InvalidRequest:
                    errors = {hour: _("This hour cannot be planned.") for hour in plan}
            if not errors:
                flash(_("The plan for %(day)s is saved.", day=day.isoformat()), "info")
                return redirect(url_for(".planner", centre_code=centre.code, day=day.isoformat(),
                                        share=share), 303)
            status = 422
    plan = day_plan(centre.code, day, share)
    from .roster_drafts import roster_context  # this module is imported first (the package's order)

    return render_template(
        "manager/planner.html", plan=plan, form=form, errors=errors, typed=typed, shares=SHARES,
        limit=plan_limit(centre), chart=chart_data(plan), percent=percent, minutes=minutes,
        field_name=field_name, centre_name=text(centre.name), day_text=format_date(day, "full"),
        previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
        **roster_context(centre, day, plan, share),
    ), status
