"""A centre's roster (SPEC §10): the shifts of a day, the rules a roster keeps, and the coverage
it gives — for each opening hour, the clerk-minutes on duty per service.

Times are aware datetimes (the services store them in UTC); a shift belongs to the centre-local
day it starts on. A clerk is on duty from a shift's start to its end, except during its breaks,
and serves the shift's skills (None: every skill the clerk holds).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import InvalidRequest, SkillNotAllowed
from .hours import OpeningHours

MAX_SHIFT = timedelta(hours=16)


@dataclass(frozen=True)
class Break:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ShiftPlan:
    """One clerk's shift: `skills` None means all the clerk's skills."""

    staff: str
    start: datetime
    end: datetime
    breaks: tuple[Break, ...] = ()
    skills: frozenset[str] | None = None

    def on_duty(self) -> list[tuple[datetime, datetime]]:
        """The stretches of the shift outside its breaks, in order."""
        stretches, at = [], self.start
        for pause in sorted(self.breaks, key=lambda b: b.start):
            if pause.start > at:
                stretches.append((at, pause.start))
            at = max(at, pause.end)
        if at < self.end:
            stretches.append((at, self.end))
        return stretches

    def serves(self, clerk_skills: frozenset[str]) -> frozenset[str]:
        return clerk_skills if self.skills is None else self.skills


def _check_shift(shift: ShiftPlan, day: date, tz: ZoneInfo, clerk_skills: frozenset[str]) -> None:
    who = shift.staff
    if shift.end <= shift.start:
        raise InvalidRequest(f"{who}'s shift must end after it starts", code="shift_ends_first")
    if shift.end - shift.start > MAX_SHIFT:
        raise InvalidRequest(f"{who}'s shift is longer than 16 hours", code="shift_too_long")
    if shift.start.astimezone(tz).date() != day:
        raise InvalidRequest(f"{who}'s shift does not start on {day}", code="shift_off_day")
    pauses = sorted(shift.breaks, key=lambda b: b.start)
    for pause in pauses:
        if not shift.start <= pause.start < pause.end <= shift.end:
            raise InvalidRequest(f"{who}'s break must fall within the shift", code="break_outside_shift")
    for first, second in zip(pauses, pauses[1:]):
        if second.start < first.end:
            raise InvalidRequest(f"{who}'s breaks overlap", code="breaks_overlap")
    if shift.skills is not None:
        if not shift.skills:
            raise SkillNotAllowed(f"{who}'s shift names no service", code="no_skills_chosen")
        foreign = sorted(shift.skills - clerk_skills)
        if foreign:
            raise SkillNotAllowed(f"{who} has no skill for: {', '.join(foreign)}")


def check_roster(shifts: Iterable[ShiftPlan], day: date, tz: ZoneInfo,
                 skills_of: Mapping[str, frozenset[str]]) -> None:
    """Raise a refusal with a stable code unless the day's shifts keep the roster's rules:
    each ends after it starts, lasts at most 16 h and starts on `day` (local); its breaks lie
    inside it and do not overlap; one clerk's shifts do not overlap; skills ⊆ the clerk's."""
    by_clerk: dict[str, list[ShiftPlan]] = defaultdict(list)
    for shift in shifts:
        _check_shift(shift, day, tz, skills_of[shift.staff])
        by_clerk[shift.staff].append(shift)
    for who, own in by_clerk.items():
        own.sort(key=lambda s: s.start)
        for first, second in zip(own, own[1:]):
            if second.start < first.end:
                raise InvalidRequest(f"{who}'s shifts overlap", code="shifts_overlap")


@dataclass(frozen=True)
class HourCover:
    """One opening hour (local label "09:00"): the clerk-minutes on duty per service in it."""

    hour: str
    start: datetime
    end: datetime
    minutes: dict[str, float]

    def covered(self, menu: Iterable[str]) -> list[str]:
        return [s for s in menu if self.minutes.get(s, 0) > 0]

    def not_covered(self, menu: Iterable[str]) -> list[str]:
        return [s for s in menu if self.minutes.get(s, 0) <= 0]


def opening_hours_of(hours: OpeningHours, day: date, tz: ZoneInfo) -> list[tuple[str, datetime, datetime]]:
    """The local hours the centre is open on `day`: (label, start, end), clipped to the opening span
    (09:30–17:00 gives 09:00 for 09:30–10:00). Hours never run past midnight (domain/hours.py)."""
    opens, closes = hours.opening_of(day, tz), hours.closing_of(day, tz)
    if opens is None or closes is None:
        return []
    last = 24 if hours.span_on(day)[1] is None else closes.hour + (1 if closes.minute else 0)
    found = []
    for h in range(opens.hour, last):
        start = datetime.combine(day, time(h), tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tz) if h == 23 else datetime.combine(day, time(h + 1), tz)
        found.append((f"{h:02d}:00", max(start, opens), min(end, closes)))
    return found


def coverage(shifts: Iterable[ShiftPlan], hours: list[tuple[str, datetime, datetime]],
             skills_of: Mapping[str, frozenset[str]]) -> list[HourCover]:
    """For each opening hour, the minutes some rostered clerk is on duty (not on a break) per
    service they serve in that shift; two clerks on duty together count twice (clerk-minutes)."""
    shifts = list(shifts)
    result = []
    for label, start, end in hours:
        minutes: dict[str, float] = defaultdict(float)
        for shift in shifts:
            served = shift.serves(skills_of.get(shift.staff, frozenset()))
            on = sum(((min(b, end) - max(a, start)).total_seconds() / 60
                      for a, b in shift.on_duty() if a < end and b > start), 0.0)
            if on > 0:
                for service in served:
                    minutes[service] += on
        result.append(HourCover(label, start, end, dict(sorted(minutes.items()))))
    return result
