"""Roster drafts (SPEC §10): the staffing planner proposes a day's shifts for a centre's real
clerks, a manager saves the proposal as a draft and accepts it — the day's roster is then replaced
by it through `replace_roster` (audited) — or discards it.

The proposal: the day's expected demand per hour and service (services/planning.py: history of
the same weekday + appointments booked), Erlang C's counters for the pooled demand at the chosen
share within the centre's target wait, shared among the centre's desks — its active clerks grouped
by identical skills — by load, and covered per desk by shifts (domain/shift_planner.py), each given
to a named clerk of the desk. Managers of the centre and admins only.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..db import utcnow
from ..domain import erlang, shift_planner
from ..domain.access import CLERK, Actor
from ..domain.errors import DomainError, NotFound
from ..domain.roster import Break, ShiftPlan, opening_hours_of
from ..extensions import db
from ..models import RosterDraft, Service, Staff, staff_centres
from .audit import audit
from .lookup import any_centre
from .planning import day_plan
from .roster import Roster, _editor, replace_roster, roster, shift_json
from .tx import atomic

ENTITY = "roster_draft"


def _clock(day: date, minute: int, tz: ZoneInfo) -> datetime:
    return (datetime.combine(day, time(0)) + timedelta(minutes=minute)).replace(tzinfo=tz)


def _minutes(moment: datetime, day: date, tz: ZoneInfo) -> int:
    return round((moment.astimezone(tz).replace(tzinfo=None) - datetime.combine(day, time(0))).total_seconds() / 60)


def _desks(centre) -> tuple[list[shift_planner.Desk], dict[str, list[str]]]:
    """The centre's active clerks grouped by identical skills: the desks, and each desk's clerks."""
    clerks = db.session.scalars(
        select(Staff).join(staff_centres, staff_centres.c.staff_id == Staff.id)
        .where(staff_centres.c.centre_id == centre.id, Staff.role == CLERK, Staff.active.is_(True))
        .order_by(Staff.username))
    groups: dict[tuple, list[str]] = defaultdict(list)
    for clerk in clerks:
        skills = clerk.skill_set()
        groups[(tuple(sorted(skills.primary)), tuple(sorted(skills.secondary)))].append(clerk.username)
    desks = [shift_planner.Desk(names[0], len(names), frozenset(p), frozenset(s)) for (p, s), names in groups.items()]
    return desks, {names[0]: names for names in groups.values()}


def propose(centre_code: str, day: date, *, by: Actor, share: float = erlang.DEFAULT_SHARE) -> list[ShiftPlan]:
    """The planner's shifts for the centre's local `day` (none when it is closed or no demand is
    expected); managers of the centre and admins."""
    centre = any_centre(centre_code)
    _editor(by, centre)
    plan = day_plan(centre.code, day, share)
    tz = centre.tz
    opens, closes = centre.opening_hours.opening_of(day, tz), centre.opening_hours.closing_of(day, tz)
    if plan.closed or opens is None or closes is None:
        return []
    slot = shift_planner.SLOT
    first = -(-_minutes(opens, day, tz) // slot) * slot  # shifts start on the hour or half-hour
    last = _minutes(closes, day, tz) // slot * slot
    rows = [row for row in plan.hours if row.hour >= first // 60]
    if last <= first or not rows:
        return []
    codes = dict(db.session.execute(select(Service.id, Service.code)).all())
    arrivals: dict[str, list[float]] = {codes[s]: [0.0] * len(rows) for row in rows for s in row.mix}
    for i, row in enumerate(rows):
        for service, count in row.mix.items():
            arrivals[codes[service]][i] += count
    handling = {codes[s]: minutes for s, minutes in plan.handling.items() if s in codes}
    desks, members = _desks(centre)
    needs = shift_planner.shared_needs(arrivals, handling, desks, len(rows), plan.target_wait_min, share)
    proposals = shift_planner.plan_desks(needs, desks, first, last)
    return sorted((ShiftPlan(who, _clock(day, a, tz), _clock(day, b, tz),
                             (Break(_clock(day, rest[0], tz), _clock(day, rest[1], tz)),) if rest else ())
                   for who, shift in shift_planner.name_shifts(proposals, members) for a, b, rest in shift.parts),
                  key=lambda p: (p.start, p.staff))


def centre_tz(centre_code: str) -> ZoneInfo:
    return any_centre(centre_code).tz


def draft_shifts(draft: RosterDraft) -> list[ShiftPlan]:
    return [ShiftPlan(s["staff"], datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]),
                      tuple(Break(datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]))
                            for b in s["breaks"]),
                      None if s.get("skills") is None else frozenset(s["skills"]))
            for s in draft.shifts]


@atomic
def save_draft(centre_code: str, day: date, *, by: Actor, share: float = erlang.DEFAULT_SHARE,
               now: datetime | None = None) -> RosterDraft:
    """Propose the day's shifts and store them as a draft; audited."""
    centre = any_centre(centre_code)
    shifts = [shift_json(p) for p in propose(centre.code, day, by=by, share=share)]
    draft = RosterDraft(centre_id=centre.id, day=day, shifts=shifts, created_by_staff_id=by.staff_id,
                        created_at=now or utcnow())
    db.session.add(draft)
    db.session.flush()
    audit(by, ENTITY, f"{centre.code}:{draft.id}", "propose", centre_id=centre.id, after=shifts)
    return draft


def drafts(centre_code: str, day: date, *, by: Actor) -> list[RosterDraft]:
    """The centre's drafts for `day`, newest first (accepted ones too)."""
    centre = any_centre(centre_code)
    _editor(by, centre)
    return list(db.session.scalars(select(RosterDraft).where(RosterDraft.centre_id == centre.id,
                                                             RosterDraft.day == day)
                                   .order_by(RosterDraft.id.desc())))


def _draft(centre, draft_id: int) -> RosterDraft:
    draft = db.session.get(RosterDraft, draft_id)
    if draft is None or draft.centre_id != centre.id:
        raise NotFound(f"no roster draft {draft_id} at centre {centre.code}", code="no_such_draft")
    if draft.accepted_at is not None:
        raise DomainError(f"the roster draft {draft_id} was accepted already", code="draft_accepted")
    return draft


@atomic
def accept_draft(centre_code: str, draft_id: int, *, by: Actor, now: datetime | None = None) -> Roster:
    """Replace the draft's day's roster by its shifts (audited as a roster change) and mark it accepted."""
    centre = any_centre(centre_code, lock=True)
    _editor(by, centre)
    draft = _draft(centre, draft_id)
    roster = replace_roster(centre.code, draft.day, draft_shifts(draft), by=by)
    draft.accepted_at, draft.accepted_by_staff_id = now or utcnow(), by.staff_id
    audit(by, ENTITY, f"{centre.code}:{draft.id}", "accept", centre_id=centre.id, after=draft.shifts)
    return roster


@atomic
def discard_draft(centre_code: str, draft_id: int, *, by: Actor) -> None:
    """Delete a draft not yet accepted; audited."""
    centre = any_centre(centre_code, lock=True)
    _editor(by, centre)
    draft = _draft(centre, draft_id)
    audit(by, ENTITY, f"{centre.code}:{draft.id}", "discard", centre_id=centre.id, before=draft.shifts)
    db.session.delete(draft)


def on_duty_by_hour(centre_code: str, day: date, *, by: Actor) -> dict[int, float]:
    """Clerks on duty per opening hour (local hour → clerk-minutes on duty, breaks out, ÷ the minutes
    the centre is open in it) from the day's roster."""
    centre = any_centre(centre_code)
    shifts = roster(centre.code, day, by=by).shifts
    found = {}
    for label, start, end in opening_hours_of(centre.opening_hours, day, centre.tz):
        worked = sum((min(b, end) - max(a, start)).total_seconds() for s in shifts for a, b in s.on_duty()
                     if a < end and b > start)
        found[int(label[:2])] = worked / (end - start).total_seconds()
    return found
