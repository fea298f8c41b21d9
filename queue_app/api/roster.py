"""A centre's roster and its coverage (SPEC §10): managers edit, clerks see their own shifts."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import marshmallow as ma

from ..domain.roster import Break, ShiftPlan
from ..services import roster as rosters
from .access import actor, require
from .blueprint import Blueprint
from .schemas import CopiedWeekOut, CopyWeekIn, CoverageOut, ErrorSchema, RosterQuery, ShiftIn, ShiftOut

blp = Blueprint("roster", __name__, url_prefix="/api/v1/centres", description="Rosters and coverage of a centre.")
STAFF = ("clerk", "manager", "admin")


def roster_errors(view):
    for status in (404, 403, 401):
        view = blp.alt_response(status, schema=ErrorSchema)(view)
    return view


def _local(moment, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat()


def shift_out(plan: ShiftPlan, tz: ZoneInfo) -> dict:
    return {"staff": plan.staff, "start": _local(plan.start, tz), "end": _local(plan.end, tz),
            "breaks": [{"start": _local(b.start, tz), "end": _local(b.end, tz)} for b in plan.breaks],
            "skills": None if plan.skills is None else sorted(plan.skills)}


def _day_out(day: rosters.Roster) -> list[dict]:
    return [shift_out(p, day.tz) for p in day.shifts]


@blp.get("/<string:centre>/roster")
@require(*STAFF)
@blp.arguments(RosterQuery, location="query", unknown=ma.RAISE)
@blp.response(200, ShiftOut(many=True))
@roster_errors
def show(query, centre):
    """The day's shifts (a clerk sees their own), times centre-local with their offset."""
    return _day_out(rosters.roster(centre, query["date"], by=actor()))


@blp.put("/<string:centre>/roster")
@require("manager", "admin")
@blp.arguments(RosterQuery, location="query", unknown=ma.RAISE)
@blp.arguments(ShiftIn(many=True))
@blp.response(200, ShiftOut(many=True))
@roster_errors
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def replace(query, shifts, centre):
    """Replace the day's shifts (managers of the centre, admins)."""
    plans = [ShiftPlan(s["staff"], s["start"], s["end"],
                       tuple(Break(b["start"], b["end"]) for b in s.get("breaks") or ()),
                       None if s.get("skills") is None else frozenset(s["skills"]))
             for s in shifts]
    return _day_out(rosters.replace_roster(centre, query["date"], plans, by=actor()))


@blp.post("/<string:centre>/roster/copy-week")
@require("manager", "admin")
@blp.arguments(CopyWeekIn)
@blp.response(200, CopiedWeekOut)
@roster_errors
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def copy_week(body, centre):
    """Copy the week holding `week_of` to the next week; 409 when that week has shifts, unless `replace`."""
    week = rosters.copy_week(centre, body["week_of"], by=actor(), replace=body.get("replace", False))
    return {"week_of": week[0].day, "days": [{"date": d.day, "shifts": _day_out(d)} for d in week]}


@blp.get("/<string:centre>/coverage")
@require(*STAFF)
@blp.arguments(RosterQuery, location="query", unknown=ma.RAISE)
@blp.response(200, CoverageOut)
@roster_errors
def coverage(query, centre):
    """For each opening hour, the services of the network's menu covered by the roster, and not."""
    day = rosters.coverage(centre, query["date"], by=actor())
    return {"centre": day.centre, "date": day.day, "rostered": day.rostered,
            "hours": [{"hour": h.hour, "covered": h.covered(day.menu), "not_covered": h.not_covered(day.menu),
                       "minutes": h.minutes} for h in day.hours]}
