"""Opening hours of a centre in its own timezone, and the service day tickets are numbered in."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "24/7"
CLOSED = "closed"
_SPAN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")

Span = tuple[time, time | None]  # (opens, closes); closes None means midnight at the day's end


def parse_span(text: str) -> Span | None:
    """Parse "HH:MM-HH:MM" (or "closed") into (opens, closes); raise ValueError if impossible."""
    if text == CLOSED:
        return None
    m = _SPAN.fullmatch(text)
    if not m:
        raise ValueError(f'"{text}" is not "HH:MM-HH:MM" or "closed"')
    oh, om, ch, cm = (int(g) for g in m.groups())
    if ch == 24 and cm:
        raise ValueError(f'"{text}": 24:{cm:02d} is not a time')
    if (ch, cm) <= (oh, om):
        raise ValueError(f'"{text}": closing time must come after opening time on the same day')
    closes = None if ch == 24 else time(ch, cm)
    return time(oh, om), closes


def format_span(span: Span | None) -> str:
    if span is None:
        return CLOSED
    opens, closes = span
    return f"{opens:%H:%M}-{'24:00' if closes is None else f'{closes:%H:%M}'}"


def timezone_problem(name: str) -> str | None:
    """Why `name` is not an IANA timezone, or None."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        return f"timezone {name!r} is not an IANA timezone (e.g. Europe/Madrid)"
    return None


def weekly_problems(hours) -> dict[str, str]:
    """What is wrong with a centre's hours as the network file writes them ("24/7" or a span or
    "closed" for every weekday), by field ("hours.mon"); each message names its field. {} if nothing."""
    if isinstance(hours, str) or not isinstance(hours, dict):
        return {} if hours == ALWAYS else {
            "hours": f'hours must be "{ALWAYS}" or a table of weekdays, not {hours!r}'}
    problems = {f"hours.{day}": f"hours.{day} is not a weekday ({', '.join(WEEKDAYS)})"
                for day in hours if day not in WEEKDAYS}
    for day in WEEKDAYS:
        if day not in hours:
            problems[f"hours.{day}"] = f'hours.{day} is missing (write "{CLOSED}" for a closed day)'
            continue
        try:
            parse_span(hours[day])
        except (ValueError, TypeError) as exc:
            problems[f"hours.{day}"] = f"hours.{day}: {exc}"
    return problems


@dataclass(frozen=True)
class OpeningHours:
    """Weekly hours plus dated exceptions; `always_open` for a centre that never closes."""

    always_open: bool = False
    weekly: dict[str, Span | None] = field(default_factory=dict)
    exceptions: dict[date, Span | None] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> OpeningHours:
        """Build from the stored form: {"always_open", "weekly": {mon: "..."}, "exceptions": {...}}."""
        return cls(
            always_open=bool(data.get("always_open")),
            weekly={d: parse_span(data.get("weekly", {}).get(d, CLOSED)) for d in WEEKDAYS},
            exceptions={
                date.fromisoformat(k): parse_span(v)
                for k, v in (data.get("exceptions") or {}).items()
            },
        )

    def to_json(self) -> dict:
        return {
            "always_open": self.always_open,
            "weekly": {d: format_span(self.weekly.get(d)) for d in WEEKDAYS},
            "exceptions": {k.isoformat(): format_span(v) for k, v in sorted(self.exceptions.items())},
        }

    def span_on(self, day: date) -> Span | None:
        """Return the (opens, closes) span of a local calendar day, or None when closed."""
        if day in self.exceptions:
            return self.exceptions[day]
        if self.always_open:
            return time(0, 0), None
        return self.weekly.get(WEEKDAYS[day.weekday()])

    def is_open(self, local: datetime) -> bool:
        """Whether the centre is open at a local wall-clock time."""
        span = self.span_on(local.date())
        if span is None:
            return False
        opens, closes = span
        t = local.time().replace(tzinfo=None)
        return opens <= t and (closes is None or t < closes)

    def opening_of(self, day: date, tz: ZoneInfo) -> datetime | None:
        span = self.span_on(day)
        return None if span is None else datetime.combine(day, span[0], tz)

    def closing_of(self, day: date, tz: ZoneInfo) -> datetime | None:
        span = self.span_on(day)
        if span is None:
            return None
        if span[1] is None:
            return datetime.combine(day + timedelta(days=1), time(0, 0), tz)
        return datetime.combine(day, span[1], tz)


def service_day(now: datetime, tz: ZoneInfo) -> date:
    """Return the centre-local day that `now` falls in; ticket numbers restart with each one.

    Hours never run past midnight, so every opening starts a new local day: numbering that
    restarts with the local date restarts exactly when the centre opens.
    """
    return now.astimezone(tz).date()


def ticket_number(prefix: str, seq: int) -> str:
    """Format a ticket number: the service prefix and the day's sequence, e.g. A007."""
    return f"{prefix}{seq:03d}"


# ---- the calendar of a centre's days (the scheduled jobs' rules) ------------------------------

def continues(hours: OpeningHours, day: date) -> bool:
    """The day runs on into the next without closing (a centre open round the clock): its
    visitors still waiting at midnight keep their place."""
    span, following = hours.span_on(day), hours.span_on(day + timedelta(days=1))
    return span is not None and span[1] is None and following is not None and following[0] == time(0)


def reopened_since(hours: OpeningHours, tz: ZoneInfo, day: date, now: datetime) -> bool:
    """Whether the centre has opened again after `day` by `now` (a closing caught up late)."""
    local_today = now.astimezone(tz).date()
    following = day + timedelta(days=1)
    while following <= local_today:
        opens = hours.opening_of(following, tz)
        if opens is not None and opens <= now:
            return True
        following += timedelta(days=1)
    return False


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which the local `day` starts and the next one starts."""
    first = datetime.combine(day, time(0), tz).astimezone(timezone.utc)
    return first, datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(timezone.utc)


def due_days(hours: OpeningHours, tz: ZoneInfo, now: datetime,
             lookback_days: int = 2) -> list[tuple[date, datetime | None, datetime | None]]:
    """The centre's last `lookback_days` local days and today, oldest first, each with its opening
    and closing if they have passed by `now` (else None)."""
    today = now.astimezone(tz).date()
    days = []
    for back in range(lookback_days, -1, -1):
        day = today - timedelta(days=back)
        opens, closes = hours.opening_of(day, tz), hours.closing_of(day, tz)
        days.append((day, opens if opens is not None and opens <= now else None,
                     closes if closes is not None and closes <= now else None))
    return days


# ---- open now, and when next (what kiosks and displays tell a visitor) -------------------------

LOOK_AHEAD_DAYS = 14  # a centre that does not open within this long is "closed until further notice"


@dataclass(frozen=True)
class Openness:
    """Whether a centre is open at a moment; if so until when (`closes_at`), and when it next opens
    after that moment (`next_opening`; after the current closing when open). None: not within the
    look-ahead."""

    open_now: bool
    closes_at: datetime | None
    next_opening: datetime | None


def _starts_fresh(hours: OpeningHours, day: date) -> bool:
    """The day's opening is a real one, not the day before running on past midnight."""
    return hours.span_on(day) is not None and not continues(hours, day - timedelta(days=1))


def next_opening(hours: OpeningHours, tz: ZoneInfo, at: datetime,
                 within_days: int = LOOK_AHEAD_DAYS) -> datetime | None:
    """The first moment strictly after `at` at which the centre opens (a centre open through
    midnight does not "open" at 00:00); None if it does not within `within_days`."""
    day = at.astimezone(tz).date()
    for _ in range(within_days + 1):
        opens = hours.opening_of(day, tz)
        if opens is not None and opens > at and _starts_fresh(hours, day):
            return opens
        day += timedelta(days=1)
    return None


def openness(hours: OpeningHours, tz: ZoneInfo, at: datetime, within_days: int = LOOK_AHEAD_DAYS) -> Openness:
    """Open now or not at `at`, with the closing of the current opening and the next opening."""
    day = at.astimezone(tz).date()
    if not hours.is_open(at.astimezone(tz)):
        return Openness(False, None, next_opening(hours, tz, at, within_days))
    last = day
    while continues(hours, last):
        if last - day >= timedelta(days=within_days):
            return Openness(True, None, None)  # open round the clock as far as we look
        last += timedelta(days=1)
    closes = hours.closing_of(last, tz)
    return Openness(True, closes, next_opening(hours, tz, closes, within_days))


# ---- changing a centre's stored hours (the administration) -------------------------------------

def with_weekly(stored: dict, hours: str | dict[str, str]) -> dict:
    """The stored hours with new weekly ones ("24/7" or a span per weekday, checked by
    `weekly_problems`); exception days and their notes kept."""
    current = OpeningHours.from_json(stored)
    always = hours == ALWAYS
    weekly = {} if always else {d: parse_span(hours[d]) for d in WEEKDAYS}
    return {**stored, **OpeningHours(always, weekly, current.exceptions).to_json()}


def with_exception(stored: dict, day: date, span: str | None, note: str | None = None) -> dict:
    """The stored hours with `day` an exception day of `span` ("closed" or "HH:MM-HH:MM") and its
    note, or with the day's exception removed when `span` is None."""
    current = OpeningHours.from_json(stored)
    exceptions, notes = dict(current.exceptions), dict(stored.get("notes") or {})
    exceptions.pop(day, None)
    notes.pop(day.isoformat(), None)
    if span is not None:
        exceptions[day] = parse_span(span)
        if note:
            notes[day.isoformat()] = note
    out = {**stored, **OpeningHours(current.always_open, current.weekly, exceptions).to_json()}
    out.pop("notes", None)
    return {**out, "notes": dict(sorted(notes.items()))} if notes else out
