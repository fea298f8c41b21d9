"""A centre's roster (SPEC §10): reading and replacing a day's shifts, copying a week forward,
and the coverage the roster gives. The rules are in domain/roster.py.

Managers of the centre and admins read and edit it; a clerk of the centre reads their own shifts
and the coverage. Every change writes one audit row (services/audit.py) in its transaction.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, exists, or_, select
from sqlalchemy.orm import joinedload

from ..domain.access import ADMIN, CLERK, MANAGER, SYSTEM_ROLE, Actor
from ..domain.errors import DomainError, Forbidden, InvalidRequest
from ..domain.roster import Break, HourCover, ShiftPlan, check_roster, coverage as cover, opening_hours_of
from ..extensions import db
from ..models import AuditEvent, Centre, Service, Shift, Staff, StaffSkill, staff_centres
from .access import authorise
from .audit import audit
from .lookup import any_centre, menu
from .tx import atomic

EDITORS = (MANAGER, ADMIN, SYSTEM_ROLE)


@dataclass(frozen=True)
class Roster:
    """A centre's shifts on one local day, in order of start."""

    centre: str
    tz: ZoneInfo
    day: date
    shifts: list[ShiftPlan]


@dataclass(frozen=True)
class DayCoverage:
    centre: str
    tz: ZoneInfo
    day: date
    menu: list[str]  # the network's active services, in menu order
    hours: list[HourCover]
    rostered: bool = True  # False: the day's roster was never set (see `Duty`)


def _role_at(by: Actor, centre: Centre) -> str:
    if by.is_device:
        raise Forbidden(f"a {by.role} has no roster")
    return authorise(by, centre.id)


def _editor(by: Actor, centre: Centre) -> None:
    if _role_at(by, centre) not in EDITORS:
        raise Forbidden(f"{by.name} may not edit the roster of centre {centre.code}")


def plan_of(staff: str, start: datetime, end: datetime, breaks: list | None, skills: list | None) -> ShiftPlan:
    """A shift as stored (breaks as {"start", "end"} ISO 8601, skills None for all) as the rules see it."""
    return ShiftPlan(
        staff=staff, start=start, end=end,
        breaks=tuple(Break(datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"])) for b in breaks or ()),
        skills=None if skills is None else frozenset(skills),
    )


def _plan(shift: Shift) -> ShiftPlan:
    return plan_of(shift.staff.username, shift.start_at, shift.end_at, shift.breaks, shift.skills)


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def shift_json(plan: ShiftPlan) -> dict:
    """A shift as the audit trail keeps it (UTC ISO 8601)."""
    return {"staff": plan.staff, "start": _utc(plan.start), "end": _utc(plan.end),
            "breaks": [{"start": _utc(b.start), "end": _utc(b.end)} for b in plan.breaks],
            "skills": None if plan.skills is None else sorted(plan.skills)}


def _rows(centre_id: int, first: date, last: date) -> list[Shift]:
    return list(db.session.scalars(
        select(Shift).options(joinedload(Shift.staff))
        .where(Shift.centre_id == centre_id, Shift.day >= first, Shift.day <= last)
        .order_by(Shift.day, Shift.start_at, Shift.id)))


def _clerks(centre: Centre, usernames: Iterable[str]) -> dict[str, Staff]:
    """The rostered staff by username: each must exist, be active and work at the centre."""
    wanted = set(usernames)
    found = {s.username: s for s in db.session.scalars(
        select(Staff).join(staff_centres, staff_centres.c.staff_id == Staff.id)
        .where(Staff.username.in_(wanted), Staff.active.is_(True), staff_centres.c.centre_id == centre.id))}
    missing = sorted(wanted - set(found))
    if missing:
        raise InvalidRequest(f"not active staff of centre {centre.code}: {', '.join(missing)}", code="not_staff_here")
    return found


def _skills(staff: dict[str, Staff]) -> dict[str, frozenset[str]]:
    """Each person's services (primary and secondary) in one query: booking reads a month of days."""
    names = {person.id: name for name, person in staff.items()}
    found: dict[str, set[str]] = {name: set() for name in staff}
    for staff_id, code in db.session.execute(
            select(StaffSkill.staff_id, Service.code).join(Service, Service.id == StaffSkill.service_id)
            .where(StaffSkill.staff_id.in_(names), StaffSkill.level.in_(("primary", "secondary")))):
        found[names[staff_id]].add(code)
    return {name: frozenset(codes) for name, codes in found.items()}


def _store(centre: Centre, day: date, plans: Sequence[ShiftPlan]) -> None:
    """Check a day's shifts and write them in place of that day's (the caller deleted those)."""
    staff = _clerks(centre, (p.staff for p in plans))
    check_roster(plans, day, centre.tz, _skills(staff))
    for plan in plans:
        db.session.add(Shift(
            centre_id=centre.id, staff_id=staff[plan.staff].id, day=day, start_at=plan.start, end_at=plan.end,
            breaks=[{"start": _utc(b.start), "end": _utc(b.end)} for b in plan.breaks],
            skills=None if plan.skills is None else sorted(plan.skills)))


def _sorted(plans: Iterable[ShiftPlan]) -> list[ShiftPlan]:
    return sorted(plans, key=lambda p: (p.start, p.staff))


def roster(centre_code: str, day: date, *, by: Actor) -> Roster:
    """The centre's shifts on a local day: all of them for its managers and admins, a clerk's own for a clerk."""
    centre = any_centre(centre_code)
    role = _role_at(by, centre)
    plans = [_plan(s) for s in _rows(centre.id, day, day) if role != CLERK or s.staff_id == by.staff_id]
    return Roster(centre.code, centre.tz, day, _sorted(plans))


@atomic
def replace_roster(centre_code: str, day: date, shifts: Sequence[ShiftPlan], *, by: Actor) -> Roster:
    """Replace the centre's shifts of a local day (managers of the centre, admins); audited."""
    centre = any_centre(centre_code, lock=True)
    _editor(by, centre)
    before = [shift_json(_plan(s)) for s in _rows(centre.id, day, day)]
    db.session.execute(delete(Shift).where(Shift.centre_id == centre.id, Shift.day == day))
    plans = _sorted(shifts)
    _store(centre, day, plans)
    audit(by, "roster", f"{centre.code}:{day.isoformat()}", "replace", centre_id=centre.id,
          before=before, after=[shift_json(p) for p in plans])
    return Roster(centre.code, centre.tz, day, plans)


def _week_later(moment: datetime, tz: ZoneInfo) -> datetime:
    """The same local wall-clock time a week later (across a change of the clocks)."""
    local = moment.astimezone(tz)
    return (local.replace(tzinfo=None) + timedelta(days=7)).replace(tzinfo=tz).astimezone(timezone.utc)


def _moved(plan: ShiftPlan, tz: ZoneInfo) -> ShiftPlan:
    return ShiftPlan(plan.staff, _week_later(plan.start, tz), _week_later(plan.end, tz),
                     tuple(Break(_week_later(b.start, tz), _week_later(b.end, tz)) for b in plan.breaks),
                     plan.skills)


@atomic
def copy_week(centre_code: str, week_of: date, *, by: Actor, replace: bool = False) -> list[Roster]:
    """Copy the shifts of the week (Monday to Sunday) holding `week_of` to the next week; refused
    when that week already has shifts unless `replace`. Returns the next week's rosters; audited."""
    centre = any_centre(centre_code, lock=True)
    _editor(by, centre)
    monday = week_of - timedelta(days=week_of.weekday())
    target = monday + timedelta(days=7)
    existing = _rows(centre.id, target, target + timedelta(days=6))
    if existing and not replace:
        raise DomainError(f"the week of {target} already has shifts at centre {centre.code}", code="week_not_empty")
    before = [shift_json(_plan(s)) for s in existing]
    source = _rows(centre.id, monday, monday + timedelta(days=6))
    db.session.execute(delete(Shift).where(Shift.centre_id == centre.id, Shift.day >= target,
                                           Shift.day <= target + timedelta(days=6)))
    week = []
    for offset in range(7):
        day = target + timedelta(days=offset)
        plans = _sorted(_moved(_plan(s), centre.tz) for s in source if s.day == day - timedelta(days=7))
        _store(centre, day, plans)
        week.append(Roster(centre.code, centre.tz, day, plans))
    audit(by, "roster", f"{centre.code}:{target.isoformat()}", "copy_week", centre_id=centre.id,
          before=before, after=[shift_json(p) for r in week for p in r.shifts])
    return week


def coverage(centre_code: str, day: date, *, by: Actor) -> DayCoverage:
    """For each opening hour of the centre's local day, the clerk-minutes on duty per service."""
    centre = any_centre(centre_code)
    _role_at(by, centre)
    rows = _rows(centre.id, day, day)
    skills = _skills({s.staff.username: s.staff for s in rows})
    hours = cover([_plan(s) for s in rows], opening_hours_of(centre.opening_hours, day, centre.tz), skills)
    rostered = bool(rows) or roster_set(centre, day)
    return DayCoverage(centre.code, centre.tz, day, menu(), hours, rostered)


@dataclass(frozen=True)
class Duty:
    """Who is on duty at a centre on a local day, as the system plans with it (SPEC §10).

    `rostered` False: the day's roster was never set at the centre (no shift, no change audited: a
    centre that has not rostered it yet; a day a manager cleared is rostered, with nobody).
    The system then assumes every active clerk of the centre is on duty through the opening hours
    with all their skills — a centre new to rosters keeps issuing and booking as before — and the
    managers see the day as not rostered (coverage and gaps count the real shifts only)."""

    day: date
    rostered: bool
    shifts: list[ShiftPlan]
    skills_of: dict[str, frozenset[str]]


def duty(centre: Centre, day: date) -> Duty:
    """The shifts the system plans `day` with at `centre` (real ones, or the unrostered day's
    assumption above); shifts begun on the previous day that run into it are included."""
    return duties(centre, day, day)[day]


def _set_keys(centre: Centre, day: date) -> list[str]:
    """The audit keys a change of `day`'s roster is written under: the day (replace) and its
    week's Monday (copy_week)."""
    monday = day - timedelta(days=day.weekday())
    return sorted({f"{centre.code}:{day.isoformat()}", f"{centre.code}:{monday.isoformat()}"})


# SQL true when a day's roster was set by someone — shifts, or an audit row of a change to it (a
# manager who cleared a day has rostered nobody: it is not a day without a roster); its parameters
# are `set_params`. Built once: an issue asks it when no open counter serves the service.
SET = or_(
    exists().where(Shift.centre_id == bindparam("centre_id"), Shift.day == bindparam("day")),
    exists().where(AuditEvent.entity == "roster", AuditEvent.entity_key == bindparam("day_key"),
                   AuditEvent.action == "replace"),
    exists().where(AuditEvent.entity == "roster", AuditEvent.entity_key == bindparam("week_key"),
                   AuditEvent.action == "copy_week"))


def set_params(centre: Centre, day: date) -> dict:
    """The parameters of `SET` for the centre's `day`."""
    keys = _set_keys(centre, day)
    return {"centre_id": centre.id, "day": day, "day_key": keys[-1], "week_key": keys[0]}


def roster_set(centre: Centre, day: date) -> bool:
    """Whether the centre's roster of `day` was set by someone (`SET`)."""
    return bool(db.session.scalar(_ROSTER_SET, set_params(centre, day)))


_ROSTER_SET = select(SET)


def _days_set(centre: Centre, first: date, last: date) -> set[date]:
    """The days from `first` to `last` whose roster was set (see `set_clause`) without shifts."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    keys = {k for d in days for k in _set_keys(centre, d)}
    found = set()
    for key, action in db.session.execute(select(AuditEvent.entity_key, AuditEvent.action).where(
            AuditEvent.entity == "roster", AuditEvent.entity_key.in_(keys))):
        day = date.fromisoformat(key.split(":", 1)[1])
        found |= {day + timedelta(days=n) for n in range(7)} if action == "copy_week" else {day}
    return found


def duties(centre: Centre, first: date, last: date) -> dict[date, Duty]:
    """`duty` of each day from `first` to `last`, read in three queries at most (booking conflicts
    look at a month of days)."""
    rows = _rows(centre.id, first - timedelta(days=1), last)
    staff = {s.staff.username: s.staff for s in rows}
    clerks: dict[str, Staff] | None = None
    found: list[tuple[date, bool, list[ShiftPlan], set[str]]] = []  # each day, before the skills are read
    cleared = _days_set(centre, first, last)
    day = first
    while day <= last:
        near = [s for s in rows if day - timedelta(days=1) <= s.day <= day]
        if day in cleared or any(s.day == day for s in near):
            found.append((day, True, [_plan(s) for s in near], {s.staff.username for s in near}))
        else:
            if clerks is None:
                clerks = {c.username: c for c in db.session.scalars(
                    select(Staff).join(staff_centres, staff_centres.c.staff_id == Staff.id)
                    .where(staff_centres.c.centre_id == centre.id, Staff.role == CLERK, Staff.active.is_(True)))}
                staff |= clerks
            opens, closes = centre.opening_hours.opening_of(day, centre.tz), centre.opening_hours.closing_of(day, centre.tz)
            overnight = [_plan(s) for s in near]  # yesterday's shifts still count where they run on
            assumed = [] if opens is None or closes is None else [ShiftPlan(n, opens, closes) for n in sorted(clerks)]
            found.append((day, False, overnight + assumed, set(clerks) | {s.staff.username for s in near}))
        day += timedelta(days=1)
    skills = _skills(staff)
    return {d: Duty(d, rostered, plans, {n: skills[n] for n in names}) for d, rostered, plans, names in found}


def rostered_until_closing(centre: Centre, now: datetime) -> frozenset[str]:
    """The services some clerk on duty (see `duty`) serves between `now` and the centre's closing
    today (breaks aside; a shift begun yesterday counts): who will serve them later today."""
    day = now.astimezone(centre.tz).date()
    closes = centre.opening_hours.closing_of(day, centre.tz)
    if closes is None or closes <= now:
        return frozenset()
    on = duty(centre, day)
    (rest,) = cover(on.shifts, [("rest", now, closes)], on.skills_of)
    return frozenset(rest.minutes)


def gaps_ahead(centre_code: str, now: datetime, *, by: Actor, days: int = 8) -> list[dict]:
    """From the centre's local today on, `days` days: each day's (hour, service) pairs of the
    menu that no rostered clerk covers (today: only the hours not yet over), and whether it opens."""
    centre = any_centre(centre_code)
    _role_at(by, centre)
    return gaps_ahead_at([centre], now, days)[centre.id]


def gaps_ahead_at(centres: Sequence[Centre], now: datetime, days: int = 8) -> dict[int, list[dict]]:
    """`gaps_ahead` of each centre (by id) in two queries whatever their number: the admin home reads
    the whole network. The caller has checked that its reader may see these centres."""
    if not centres:
        return {}
    today = {c.id: now.astimezone(c.tz).date() for c in centres}
    rows = db.session.scalars(
        select(Shift).options(joinedload(Shift.staff))
        .where(Shift.centre_id.in_(today), Shift.day >= min(today.values()),
               Shift.day <= max(today.values()) + timedelta(days=days - 1))
        .order_by(Shift.day, Shift.start_at, Shift.id)).all()
    skills = _skills({s.staff.username: s.staff for s in rows})
    plans: dict[tuple[int, date], list[ShiftPlan]] = {}
    for shift in rows:
        plans.setdefault((shift.centre_id, shift.day), []).append(_plan(shift))
    services = menu()
    opening: dict[tuple, list] = {}  # centres of one timezone and weekly hours share their days' hours
    found: dict[int, list[dict]] = {}
    for centre in centres:
        found[centre.id] = []
        for day in (today[centre.id] + timedelta(days=n) for n in range(days)):
            key = (centre.timezone, json.dumps(centre.hours, sort_keys=True), day)
            if key not in opening:
                opening[key] = opening_hours_of(centre.opening_hours, day, centre.tz)
            hours = [h for h in opening[key] if h[2] > now]  # today: the hours not yet over
            shifts = plans.get((centre.id, day))
            gaps = (sum(len(hour.not_covered(services)) for hour in cover(shifts, hours, skills)) if shifts
                    else len(hours) * len(services))  # nobody rostered: every service of every hour
            found[centre.id].append({"day": day, "gaps": gaps, "open": bool(opening[key])})
    return found
