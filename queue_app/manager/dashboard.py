"""The live dashboard of a centre (/manager/<centre>) and the network overview (/manager, admins).

The page's first state is rendered into it; then the /manager socket sends each change (services/screens.py
`manager_state`), and `state.json` is the polling fallback while the socket is down.
"""
from __future__ import annotations

from babel.dates import get_timezone_name
from flask import jsonify, redirect, render_template, url_for
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..db import utcnow
from ..extensions import db
from ..i18n import page_language, text
from ..models import Centre, Service
from ..services.access import actor_of, reachable_centres
from ..services.roster import gaps_ahead
from ..services.screens import manager_state
from . import bp, managed_centre, managers_only, refused

POLL_SECONDS = 15


def script_texts() -> dict:
    """The words the page's script writes, in the page language."""
    return {
        "serving": _("Serving"), "open": _("Open, idle"), "paused": _("Paused"), "closed": _("Closed"),
        "called": _("Called"), "min": _("min"),
        "no_counters": _("No counter is open."),
        "no_alerts": _("No alerts."),
        "no_queue": _("Nobody is waiting."),
        "wait_over_target": _("%(service)s: estimated wait %(wait)s min, over the target of %(target)s min"),
        "printer_fault": _("Printer fault at %(device)s: %(pending)s tickets not printed"),
        "not_served_today": _("%(service)s: %(waiting)s waiting, and no open counter or rostered clerk serves it for the rest of today"),
        "open_counter": _("Open a counter that serves it, or add a shift on the roster:"),
        "roster": _("Roster"),
        "overbooked": _("Booked appointments without a place from %(day)s on: %(appointments)s. The roster now "
                        "gives their slots fewer places than are booked."),
        "see_roster": _("See them on the roster"),
        "transfer": _("Transfer: call the tickets at an open counter and transfer each to a service that is served."),
        "cancel": _("Cancel: tell the visitors waiting for it that it is not served today, and cancel their tickets."),
        "over": _("over target"),
        "average_wait": _("Average wait (min)"), "p90_wait": _("90th percentile wait (min)"),
        "arrivals": _("Arrivals"), "served": _("Served"),
        "waits_summary": _("Waits by hour today: %(hours)s"),
        "flow_summary": _("Arrivals and served by hour today: %(hours)s"),
        "no_data": _("No tickets yet today."),
        "ratings": _("Ratings: %(count)s"),
        "door_p90": _("9 in 10 took at most %(minutes)s"),
        "estimate_error": _("off by %(minutes)s on average; the aim: 8 in 10 inside"),
        "visits_over": _("of %(count)s visits over"),
        "waiting": _("Waiting"), "yes": _("Yes"), "no": _("No"),
    }


def service_names() -> dict:
    rows = db.session.scalars(select(Service).order_by(Service.position, Service.code))
    return {s.code: text(s.name) for s in rows}


def centres_of_user() -> list[Centre]:
    return reachable_centres(current_user)


def coverage_ahead(centre: Centre, now) -> list[dict]:
    """Today (its hours not yet over) and the next 7 days at the centre: each day's (hour, service)
    gaps in the roster, with the link to that week's roster page."""
    by = actor_of(current_user._get_current_object())
    return [{"day": d["day"].isoformat(), "label": format_date(d["day"], "full"), "gaps": d["gaps"], "open": d["open"],
             "url": url_for("manager.roster_page", centre=centre.code, week=d["day"].isoformat())}
            for d in gaps_ahead(centre.code, now, by=by)]


def overview_row(centre: Centre, now) -> dict:
    """One centre of the network overview, from the same state its dashboard shows."""
    state = manager_state(centre, now=now)
    ahead = coverage_ahead(centre, now)
    worst = max((s for s in state["services"] if s["estimated_wait_min"] is not None),
                key=lambda s: s["estimated_wait_min"], default=None)
    counts = state["counters"]["counts"]
    return {
        "code": centre.code, "name": text(centre.name),
        # each centre on its own clock, as its dashboard and every face show it
        "timezone": centre.timezone, "zone_name": get_timezone_name(centre.tz, locale=get_locale()),
        "local_time": format_time(now.astimezone(centre.tz), "short", rebase=False),
        "open_now": centre.opening_hours.is_open(now.astimezone(centre.tz)),
        "waiting": state["waiting"],
        "longest_wait_min": state["today"]["longest_wait_min"],
        "worst_service": None if worst is None else {"service": worst["service"],
                                                      "estimated_wait_min": worst["estimated_wait_min"]},
        "target_wait_min": centre.target_wait_min,
        "counters_open": counts["open"] + counts["serving"], "counters_serving": counts["serving"],
        "served": state["today"]["served"],
        "within_target_share": state["today"]["within_target_share"],
        "alerts": len(state["alerts"]),
        "gaps_today": ahead[0]["gaps"], "gaps_week": sum(d["gaps"] for d in ahead[1:]),
        "roster_url": url_for("manager.roster_page", centre=centre.code),
        "url": url_for("manager.centre_dashboard", centre=centre.code),
    }


def overview(now=None) -> list[dict]:
    now = now or utcnow()
    return [overview_row(c, now) for c in centres_of_user()]


def common_zone(rows: list[dict]) -> str | None:
    """The one timezone of all these centres, or None where they differ (each time then names its zone)."""
    zones = {r["timezone"] for r in rows}
    return zones.pop() if len(zones) == 1 else None


@bp.get("")
@managers_only
def home():
    """An admin: the network overview; a manager of one centre: its dashboard; of several: a choice."""
    if current_user.role == "admin":
        rows = overview()
        return render_template("manager/network.html", rows=rows, services=service_names(),
                               zone=common_zone(rows),
                               data={"poll_seconds": POLL_SECONDS, "language": page_language(),
                                     "timezone": common_zone(rows),
                                     "url": url_for("manager.network_json"), "services": service_names(),
                                     "texts": script_texts()})
    centres = centres_of_user()
    if len(centres) == 1:
        return redirect(url_for("manager.centre_dashboard", centre=centres[0].code))
    return render_template("manager/choose.html", centres=[{"code": c.code, "name": text(c.name)} for c in centres])


@bp.get("/network.json")
@managers_only
def network_json():
    if current_user.role != "admin":
        return refused(_("Only administrators see the whole network."), 403)
    return jsonify({"centres": overview()})


@bp.get("/<centre>")
@managers_only
def centre_dashboard(centre: str):
    place = managed_centre(centre)
    now = utcnow()
    data = {
        "centre": {"code": place.code, "name": text(place.name), "timezone": place.timezone},
        "language": page_language(),
        "services": service_names(),
        "state": manager_state(place, now=now),
        "state_url": url_for("manager.centre_state", centre=place.code),
        "roster_url": url_for("manager.roster_page", centre=place.code),
        "poll_seconds": POLL_SECONDS,
        "texts": script_texts(),
    }
    return render_template("manager/dashboard.html", data=data, centre=data["centre"], coverage=coverage_ahead(place, now),
                           several=len(centres_of_user()) > 1 or current_user.role == "admin")


@bp.get("/<centre>/state.json")
@managers_only
def centre_state(centre: str):
    """The dashboard's state, as the socket sends it: the first load and the polling fallback."""
    return jsonify(manager_state(managed_centre(centre)))
