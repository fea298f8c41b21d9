"""Clerks the roster brings on duty later today, as the estimator counts them (SPEC §10): each is
a counter that frees when the clerk arrives (domain/menu.py `coming_on_duty`).

Read with one indexed query (the centre's shifts of yesterday and today still running), plus one
for clerks' skills only when a shift serves "all the clerk's skills". Only real shifts count: on a
day not rostered every clerk is assumed on duty from opening (services/roster.py `duty`), so none
arrives later.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from ..domain.estimates import CounterLoad
from ..domain.menu import coming_on_duty
from ..domain.policy import Skills
from ..models import Centre, Service, Shift, Staff, StaffSkill
from .roster import plan_of
from .tx import core

_RUNNING = (
    select(Shift.staff_id, Staff.username, Shift.start_at, Shift.end_at, Shift.breaks, Shift.skills)
    .join(Staff, Staff.id == Shift.staff_id)
    .where(Shift.centre_id == bindparam("centre_id"), Shift.day >= bindparam("first"),
           Shift.day <= bindparam("last"), Shift.end_at > bindparam("now"))
)

_SKILLS = (
    select(StaffSkill.staff_id, Service.code).join(Service, Service.id == StaffSkill.service_id)
    .where(StaffSkill.staff_id.in_(bindparam("ids", expanding=True)))
)


def arriving_loads(centre: Centre, now: datetime, at_counters: Collection[int]) -> list[CounterLoad]:
    """A virtual counter (negative id) per clerk not at an open counter (`at_counters`: staff ids)
    whose next on-duty stretch starts after `now` and before today's closing, busy until then."""
    day = now.astimezone(centre.tz).date()
    closes = centre.opening_hours.closing_of(day, centre.tz)
    if closes is None or closes <= now:
        return []
    rows = core(_RUNNING, {"centre_id": centre.id, "first": day - timedelta(days=1), "last": day,
                           "now": now}).all()
    if not rows:
        return []
    names = {sid: name for sid, name, *_ in rows}
    skills_of: dict[str, frozenset[str]] = {}
    everything = sorted({sid for sid, _, _, _, _, skills in rows if skills is None})
    if everything:
        held = defaultdict(set)
        for sid, code in core(_SKILLS, {"ids": everything}):
            held[sid].add(code)
        skills_of = {names[sid]: frozenset(held[sid]) for sid in everything}
    plans = [plan_of(name, start, end, breaks, skills) for _, name, start, end, breaks, skills in rows]
    busy = [names[sid] for sid in at_counters if sid in names]
    return [CounterLoad(-(i + 1), Skills.of(arrival.services), arrival.in_min)
            for i, arrival in enumerate(coming_on_duty(plans, skills_of, busy, now, closes))]
