"""Request and response schemas of /api/v1 (marshmallow, documented in the OpenAPI file)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..domain.calendar import FIRST_DAY, LAST_DAY, in_calendar, is_day_text, moment_in_calendar
from ..domain.lifecycle import ACTIONS, OUTCOMES, STATUSES, UNRESOLVED_REASONS
from ..domain.errors import InvalidRequest
from ..domain.text import e164, has_visible_letter, trim_invisible
from ..domain.visits import MAX_STEPS, NOT_REACHED, PENDING
from ..services.screens import ticket_view
from ..services.visit_booking import later_steps
from ..services.visits import NOTE_MAX

Code = lambda **kw: fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$"), **kw)  # noqa: E731
Texts = lambda **kw: fields.Dict(keys=fields.String(), values=fields.String(), **kw)  # noqa: E731
# A moment already written as ISO 8601 (services/screens.py writes the shapes the sockets share).
Instant = lambda **kw: fields.String(metadata={"format": "date-time"}, **kw)  # noqa: E731
Actions = lambda: fields.List(fields.String(validate=validate.OneOf(sorted(ACTIONS))), metadata={  # noqa: E731
    "description": "the moves legal from the ticket's status (domain/lifecycle.py); none once its visit is over"})


class Strict(ma.Schema):
    """Unknown fields are refused with a clear message rather than ignored."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


class Phone(fields.String):
    """A phone number in international form, stored as E.164."""

    def __init__(self, **kw):
        super().__init__(validate=validate.Length(max=32), **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return e164(super()._deserialize(value, attr, data, **kwargs))
        except InvalidRequest as refused:
            raise ma.ValidationError(refused.message) from None


class Flag(fields.Boolean):
    """A JSON boolean, true or false only: "yes", 1 or "on" are not taken for one (SPEC §5)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Whole(fields.Integer):
    """A JSON whole number: not a string of digits, not 2.0, not true."""

    def __init__(self, **kw):
        super().__init__(strict=True, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Name(fields.String):
    """A person's or a thing's name: trimmed of spaces and invisible characters, with a visible letter or digit."""

    def __init__(self, max_length: int, **kw):
        super().__init__(validate=validate.Length(min=1, max=max_length), **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        name = trim_invisible(super()._deserialize(value, attr, data, **kwargs))
        if not has_visible_letter(name):
            raise ma.ValidationError("a name needs at least one visible letter or digit")
        return name


_OUT_OF_CALENDAR = f"must fall between {FIRST_DAY} and {LAST_DAY}"


class Day(fields.Date):
    """A day written YYYY-MM-DD, within the product's calendar (domain/calendar.py)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not is_day_text(value):
            raise self.make_error("invalid")
        day = super()._deserialize(value, attr, data, **kwargs)
        if not in_calendar(day):
            raise ma.ValidationError(f"the date {_OUT_OF_CALENDAR}")
        return day


class Moment(fields.AwareDateTime):
    """A date and time with its UTC offset, within the product's calendar, there and in UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.utcoffset().total_seconds() % 60:
            raise ma.ValidationError("the UTC offset must be whole minutes, e.g. +03:00")
        if not moment_in_calendar(moment):
            raise ma.ValidationError(f"the time {_OUT_OF_CALENDAR}")
        return moment


# ---- errors -------------------------------------------------------------------------------

class ErrorBody(ma.Schema):
    code = fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "what was wrong, for people"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "per-field problems, when the body or query was invalid"})
    next_served_at = fields.String(allow_none=True, metadata={
        "description": "not_served_today: when the service is served next (ISO 8601 with the centre's offset), "
                       "or null when not within 14 days"})
    bookable = fields.Boolean(metadata={"description": "not_served_today: whether the service can be booked"})
    service = fields.String(metadata={"description": "not_served_today: the service refused (a visit names its step)"})


class ErrorSchema(ma.Schema):
    error = fields.Nested(ErrorBody, required=True)


# ---- catalogue ----------------------------------------------------------------------------

class AgencyOut(ma.Schema):
    code = fields.String()
    name = Texts()


class ServiceOut(ma.Schema):
    code = fields.String()
    agency = fields.Function(lambda s: s.agency.code)
    prefix = fields.String()
    name = Texts()
    duration_min = fields.Float()
    bookable = fields.Boolean()
    documents = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class LifeEventOut(ma.Schema):
    code = fields.String()
    name = Texts()
    services = fields.Function(lambda e: [s.code for s in e.services if s.active])


class LanguageOut(ma.Schema):
    code = fields.String()
    name = fields.String()


Range = lambda: fields.List(fields.Integer(), allow_none=True, validate=validate.Length(equal=2), metadata={  # noqa: E731
    "description": "[low, high] whole minutes the real wait falls in for 80% of visitors given such an "
                   "estimate (calibrated from the centre's past waits); null where the data say too little"})


class CentreOut(ma.Schema):
    code = fields.String()
    name = Texts()
    address = Texts()
    timezone = fields.String()
    target_wait_min = fields.Integer()
    open_now = fields.Boolean()
    hours_today = fields.String(allow_none=True, metadata={"description": '"08:00-20:00", or null when closed today'})
    waiting = fields.Integer()
    estimated_wait_min = fields.Float(allow_none=True)
    estimated_wait_range_min = Range()


class CounterOut(ma.Schema):
    code = fields.String()
    number = fields.Integer()
    name = fields.String()
    open = fields.Boolean()
    state = fields.String(metadata={"description": "open, paused or closed"})


# ---- tickets ------------------------------------------------------------------------------

class VisitIn(Strict):
    """One service, or a visit of several (SPEC §11): exactly one of the two."""

    service = Code(metadata={"description": "the service of a one-service ticket (or give `services`)"})
    services = fields.List(Code(), validate=validate.Length(min=1, max=MAX_STEPS), metadata={
        "description": "a visit of several services, in the order taken (SPEC §11), instead of `service`"})

    @ma.validates_schema
    def _one_way(self, data, **kwargs):
        if ("service" in data) == ("services" in data):
            raise ma.ValidationError("give either `service` or `services` (a visit of several services)", "service")
        if len(set(data.get("services", ()))) != len(data.get("services", ())):
            raise ma.ValidationError("each service once: a visit takes a service once", "services")


class IssueIn(VisitIn):
    language = fields.String(validate=validate.Length(min=2, max=16))
    priority = Flag(load_default=False)
    phone = Phone()


STEP_STATUSES = (*STATUSES, PENDING, NOT_REACHED)


class StepOut(ma.Schema):
    """One step of a visit: a row made so far (its ticket's status), or one still to come."""

    step = fields.Integer()
    service = fields.String()
    status = fields.String(validate=validate.OneOf(STEP_STATUSES))
    counter = fields.String(allow_none=True, metadata={"description": "the counter it is called to or served at"})
    ticket = fields.Integer(allow_none=True, metadata={"description": "the step's ticket id; null while to come"})
    outcome = fields.String(allow_none=True)


class IssuedOut(ma.Schema):
    id = fields.Integer()
    token = fields.String()
    number = fields.String()
    service = fields.String()
    status = fields.String()
    position = fields.Integer(allow_none=True)
    estimated_wait_min = fields.Float(allow_none=True)
    estimated_wait_range_min = Range()
    issued_at = fields.DateTime()
    status_url = fields.String()
    print_job = fields.Integer(allow_none=True, metadata={"description": "id of the stored print job, if the kiosk has a printer"})
    steps = fields.List(fields.Nested(StepOut), metadata={"description": "the visit's steps (one for one service)"})


class CheckInIn(Strict):
    language = fields.String(validate=validate.Length(min=2, max=16),
                             metadata={"description": "the visitor's language at the kiosk (else the booking's)"})


class AppointmentRef(ma.Schema):
    code = fields.String()
    start = fields.DateTime()
    service = fields.String()


class CheckedInOut(IssuedOut):
    appointment = fields.Nested(AppointmentRef)


class PaperOut(ma.Schema):
    ticket = fields.Integer()
    state = fields.String(allow_none=True, metadata={
        "description": "printed, pending, failing (show the ticket on screen), or null: no print job"})


class PrinterStateOut(ma.Schema):
    state = fields.String(metadata={
        "description": "ok (its last job was confirmed, or none was tried yet), failing (its last try failed: "
                       "tell visitors before they start that their ticket will be on screen), or none (no printer)"})


class CounterRef(ma.Schema):
    code = fields.String()
    name = fields.String()


class TicketOut(ma.Schema):
    """A ticket as staff see it (no phone number, no status token): the shape the counter page's
    socket sends too (services/screens.py `ticket_view`)."""

    id = fields.Integer()
    number = fields.String()
    centre = fields.String()
    service = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.Boolean()
    appointment = fields.Boolean(metadata={"description": "came for a booked slot"})
    language = fields.String()
    source = fields.String()
    arrived_at = Instant()
    issued_at = Instant()
    called_at = Instant(allow_none=True)
    started_at = Instant(allow_none=True)
    finished_at = Instant(allow_none=True)
    counter = fields.String(allow_none=True)
    recall_count = fields.Integer()
    outcome = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    transferred_from = fields.Integer(allow_none=True)
    documents = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "what the visitor should bring, per language"})
    actions = Actions()
    step = fields.Integer(metadata={"description": "the step of its visit this ticket is"})
    steps = fields.List(fields.Nested(StepOut), metadata={"description": "every step of the visit"})
    next_steps = fields.List(fields.String(), metadata={"description": "services still to come after this step"})
    note = fields.String(allow_none=True, metadata={"description": "the visit's note for its next clerk"})
    for_counter = fields.String(allow_none=True, metadata={"description": "the counter it was sent to, if any"})

    @ma.pre_dump
    def shape(self, ticket, **kwargs):
        return ticket_view(ticket)


class FinishedOut(TicketOut):
    next_ticket = fields.Integer(allow_none=True, metadata={
        "description": "the visit's next step's ticket: waiting in its line, or called here (continue_here)"})

    @ma.pre_dump
    def shape(self, finished, **kwargs):
        return {**ticket_view(finished["ticket"]), "next_ticket": finished["next_ticket"]}


class StatusStepOut(ma.Schema):
    step = fields.Integer()
    service = fields.String()
    service_name = Texts()
    status = fields.String(validate=validate.OneOf(STEP_STATUSES))
    counter = fields.String(allow_none=True)


class StepIn(Strict):
    service = Code(required=True)


class NoteIn(Strict):
    note = fields.String(required=True, validate=validate.Length(max=NOTE_MAX), metadata={
        "description": "for the visit's next clerk; no personal data beyond what the visitor gives; empty clears"})


class CallIn(Strict):
    ticket = fields.Integer(required=True, validate=validate.Range(min=1, max=2147483647))


class WaitingTicketOut(ma.Schema):
    id = fields.Integer()
    number = fields.String()
    service = fields.String()
    step = fields.Integer()
    steps = fields.Integer(metadata={"description": "how many steps its visit has"})
    waited_min = fields.Float(metadata={"description": "minutes since the visitor arrived"})
    estimated_wait_min = fields.Float(allow_none=True)
    priority = fields.Boolean()
    appointment = fields.Boolean()


class WaitingOut(ma.Schema):
    tickets = fields.List(fields.Nested(WaitingTicketOut))


class StatusOut(ma.Schema):
    """What the visitor's status page shows: nothing personal."""

    number = fields.String()
    centre = fields.String()
    service = fields.String()
    service_name = Texts()
    status = fields.String()
    position = fields.Integer(allow_none=True)
    ahead = fields.Integer(allow_none=True)
    estimated_wait_min = fields.Float(allow_none=True)
    estimated_wait_range_min = Range()
    counter = fields.Nested(CounterRef, allow_none=True)
    issued_at = fields.DateTime()
    called_at = fields.DateTime(allow_none=True)
    actions = Actions()
    step = fields.Integer(metadata={"description": "the step of the visit it is at"})
    steps = fields.List(fields.Nested(StatusStepOut), metadata={"description": "every step of the visit"})


class FinishIn(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    reason = fields.String(validate=validate.OneOf(UNRESOLVED_REASONS), allow_none=True)
    continue_here = Flag(load_default=False, metadata={
        "description": "serve the visit's next step at this counter at once (its clerk must serve it)"})


class TransferIn(Strict):
    service = Code(metadata={"description": "the service to send the visitor on to (default: the same one, "
                                            "with a counter or clerk named)"})
    counter = fields.String(validate=validate.Length(min=1, max=12), metadata={
        "description": "send the visitor to this counter: it calls them first, no other counter does"})
    clerk = fields.String(validate=validate.Length(min=1, max=40), metadata={
        "description": "send the visitor to the counter this clerk holds open now"})

    @ma.validates_schema
    def _somewhere(self, data, **kwargs):
        if not any(data.get(k) for k in ("service", "counter", "clerk")):
            raise ma.ValidationError("name a service, a counter or a clerk to send the visitor to", "service")
        if data.get("counter") and data.get("clerk"):
            raise ma.ValidationError("name a counter or a clerk, not both", "clerk")


# ---- counters, queue, stats ---------------------------------------------------------------

class OpenIn(Strict):
    skills = fields.List(Code(), validate=validate.Length(min=1, max=100))


class CounterStateOut(ma.Schema):
    code = fields.String()
    name = fields.String()
    centre = fields.Function(lambda c: c.centre.code)
    state = fields.String()
    clerk = fields.Function(lambda c: c.staff.username if c.staff else None, allow_none=True)
    skills = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    opened_at = fields.DateTime(allow_none=True)


class QueuedOut(ma.Schema):
    id = fields.Integer()
    number = fields.String()
    service = fields.String()
    priority = fields.Boolean()
    appointment = fields.Boolean()
    arrived_at = fields.DateTime()
    position = fields.Integer()
    estimated_wait_min = fields.Float(allow_none=True)


class ServiceWaitOut(ma.Schema):
    service = fields.String()
    waiting = fields.Integer()
    estimated_wait_min = fields.Float(allow_none=True)


class ServiceOfferOut(ma.Schema):
    service = fields.String()
    served_now = fields.Boolean(metadata={"description": "an open counter serves it now"})
    served_today = fields.Boolean(metadata={"description": "served now, or by a clerk rostered later today"})
    next_served_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "now when served now; else the first time a rostered clerk serves it (today, or the next "
                       "day it is covered within 14 days; the centre's offset); null if none"})
    waiting = fields.Integer()
    bookable = fields.Boolean(metadata={"description": "an appointment can be booked for it"})
    estimated_wait_min = fields.Float(allow_none=True, metadata={
        "description": "a newcomer's wait in minutes (counting clerks who come on duty later today); null when "
                       "not served today"})
    estimated_wait_range_min = Range()


class QueueOut(ma.Schema):
    centre = fields.String()
    waiting = fields.Integer()
    open_counters = fields.Integer()
    estimated_wait_min = fields.Float(allow_none=True)
    services = fields.List(fields.Nested(ServiceWaitOut))
    tickets = fields.List(fields.Nested(QueuedOut))


class StatsQuery(Strict):
    date = Day(metadata={"description": "the centre-local day, YYYY-MM-DD; today when omitted"})


class ServiceStatsOut(ma.Schema):
    service = fields.String()
    issued = fields.Integer()
    served = fields.Integer()
    average_wait_min = fields.Float(allow_none=True)
    average_handling_min = fields.Float(allow_none=True)


class RepeatsOut(ma.Schema):
    service = fields.String()
    visits = fields.Integer(metadata={"description": "visits for the service with a known contact"})
    repeat = fields.Integer(metadata={"description": "of them, back within 30 days of a visit resolved for it"})
    share = fields.Float(allow_none=True)


class VisitFiguresOut(ma.Schema):
    """A day's visits, each once however many steps it took (SPEC §11)."""

    visits = fields.Integer()
    over = fields.Integer(metadata={"description": "visits whose last step has ended"})
    door_to_door_mean_min = fields.Float(allow_none=True, metadata={
        "description": "arrival to the end of the last step, visits served to their end"})
    door_to_door_p90_min = fields.Float(allow_none=True)
    steps_per_visit = fields.Float(allow_none=True)
    first_visit_resolution = fields.Float(allow_none=True, metadata={
        "description": "share of the visits over whose every step was resolved"})
    unresolved_by_service = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
    repeats = fields.List(fields.Nested(RepeatsOut))


class StatsOut(ma.Schema):
    centre = fields.String()
    date = fields.Date()
    target_wait_min = fields.Integer()
    arrivals = fields.Integer(metadata={"description": "visitors who came (walk-ins, remote joins, appointments "
                                                       "checked in), each once: a transfer is no new arrival"})
    waiting = fields.Integer()
    served = fields.Integer()
    no_show = fields.Integer()
    cancelled = fields.Integer()
    transferred = fields.Integer()
    average_wait_min = fields.Float(allow_none=True)
    p90_wait_min = fields.Float(allow_none=True)
    max_wait_min = fields.Float(allow_none=True)
    within_target_share = fields.Float(allow_none=True)
    average_handling_min = fields.Float(allow_none=True)
    unresolved = fields.Dict(keys=fields.String(), values=fields.Integer())
    estimate_mae_min = fields.Float(allow_none=True, metadata={"description": "mean absolute error of the estimates given at issue"})
    estimate_bias_min = fields.Float(allow_none=True, metadata={
        "description": "mean of estimate − real wait: positive when the estimates were too long"})
    estimate_range_share = fields.Float(allow_none=True, metadata={
        "description": "of the visitors called who were shown a range, the share whose real wait fell inside it"})
    services = fields.List(fields.Nested(ServiceStatsOut))
    visits = fields.Nested(VisitFiguresOut, allow_none=True, metadata={
        "description": "door-to-door time, steps per visit, first-visit resolution, repeat visits"})


# ---- auth ---------------------------------------------------------------------------------

class TokenIn(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class TokenOut(ma.Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    username = fields.String()
    role = fields.String()


# ---- booking ------------------------------------------------------------------------------

class SlotsQuery(VisitIn):
    date = Day(required=True, metadata={"description": "the centre's local day, YYYY-MM-DD"})


class StepSlotOut(ma.Schema):
    service = fields.String()
    start = fields.DateTime()
    end = fields.DateTime()


class SlotOut(ma.Schema):
    start = fields.DateTime(metadata={"description": "in the centre's timezone, with its offset"})
    end = fields.DateTime()
    available = fields.Integer(metadata={"description": "places still free"})
    steps = fields.List(fields.Nested(StepSlotOut), metadata={
        "description": "for a visit of several services: each step's consecutive slot"})


class BookIn(VisitIn):
    centre = fields.String(required=True, validate=validate.Length(min=1, max=8))
    start = Moment(required=True, metadata={"description": "a slot's start, with its UTC offset"})
    name = Name(120, required=True)
    phone = Phone()
    email = fields.Email(validate=validate.Length(max=254))
    language = fields.String(validate=validate.Length(min=2, max=16))

    @ma.validates_schema
    def _reachable(self, data, **kwargs):
        if not data.get("phone") and not data.get("email"):
            raise ma.ValidationError("give a phone number or an email address", "phone")


class RescheduleIn(Strict):
    start = Moment(required=True, metadata={"description": "the new slot's start, with its UTC offset"})


class AppointmentOut(ma.Schema):
    """The code is the only credential, so the answer shows no phone, email or full name."""

    code = fields.String()
    centre = fields.Function(lambda a: a.centre.code)
    service = fields.Function(lambda a: a.service.code)
    start = fields.Function(lambda a: a.start.astimezone(a.centre.tz).isoformat(),
                            metadata={"description": "in the centre's timezone, with its offset"})
    end = fields.Function(lambda a: a.end.astimezone(a.centre.tz).isoformat())
    status = fields.String(metadata={"description": "booked, checked_in, cancelled or missed (never checked in)"})
    language = fields.String()
    initial = fields.Function(lambda a: f"{a.name.strip()[:1].upper()}.",
                              metadata={"description": "the first letter of the booked name, to reassure"})
    steps = fields.Function(lambda a: [{"service": s.service.code, "start": s.start.astimezone(a.centre.tz).isoformat(),
                                         "end": s.end.astimezone(a.centre.tz).isoformat(), "status": s.status}
                                        for s in later_steps(a)],
                            metadata={"description": "a booked visit's later steps, each in its own slot right after"})


# ---- rosters and coverage (SPEC §10) --------------------------------------------------------

class RosterQuery(Strict):
    date = Day(required=True, metadata={"description": "the centre-local day, YYYY-MM-DD"})


class BreakIn(Strict):
    start = Moment(required=True)
    end = Moment(required=True)


class ShiftIn(Strict):
    staff = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"description": "username"})
    start = Moment(required=True)
    end = Moment(required=True)
    breaks = fields.List(fields.Nested(BreakIn), validate=validate.Length(max=12))
    skills = fields.List(Code(), validate=validate.Length(min=1, max=100), allow_none=True, metadata={
        "description": "the services served in this shift; omitted or null: all the clerk's skills"})


class BreakOut(ma.Schema):
    start = Instant()
    end = Instant()


class ShiftOut(ma.Schema):
    staff = fields.String()
    start = Instant()  # centre-local, with its offset
    end = Instant()
    breaks = fields.List(fields.Nested(BreakOut))
    skills = fields.List(fields.String(), allow_none=True)


class DraftQuery(Strict):
    date = Day(required=True, metadata={"description": "the centre-local day, YYYY-MM-DD"})
    share = fields.Float(validate=validate.Range(min=0.5, max=0.9995), metadata={
        "description": "share of visitors to keep within the centre's target wait (default 0.9)"})


class DraftOut(ma.Schema):
    id = fields.Integer()
    date = fields.Date()
    created_at = Instant()
    accepted_at = Instant(allow_none=True)
    shifts = fields.List(fields.Nested(ShiftOut))


class CopyWeekIn(Strict):
    week_of = Day(required=True, metadata={"description": "a day of the week to copy (Monday to Sunday)"})
    replace = Flag(metadata={"description": "replace the shifts the next week already has"})


class RosterDayOut(ma.Schema):
    date = fields.Date()
    shifts = fields.List(fields.Nested(ShiftOut))


class CopiedWeekOut(ma.Schema):
    week_of = fields.Date(metadata={"description": "the Monday of the week the shifts were copied to"})
    days = fields.List(fields.Nested(RosterDayOut))


class HourCoverOut(ma.Schema):
    hour = fields.String(metadata={"description": "the local hour, e.g. 09:00"})
    covered = fields.List(fields.String())
    not_covered = fields.List(fields.String())
    minutes = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={
        "description": "clerk-minutes on duty in the hour per service covered"})


class CoverageOut(ma.Schema):
    centre = fields.String()
    date = fields.Date()
    rostered = fields.Boolean(metadata={"description": "false: the day's roster was never set; until it is, "
                                        "every clerk of the centre is assumed on duty through the opening hours"})
    hours = fields.List(fields.Nested(HourCoverOut))
