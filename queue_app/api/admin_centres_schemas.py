"""Request and response schemas of /api/v1/admin's centres, exception days and counters (SPEC §12)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

from ..domain.hours import ALWAYS, WEEKDAYS
from .schemas import CounterOut, Flag, Strict, Texts

SPAN = {"type": "string", "example": "09:00-17:00", "description": '"HH:MM-HH:MM" or "closed"'}


class Hours(fields.Field):
    """A centre's weekly hours as the network file writes them: "24/7", or a span or "closed" per weekday."""

    def __init__(self, **kw):
        super().__init__(metadata={"oneOf": [
            {"type": "string", "enum": [ALWAYS]},
            {"type": "object", "properties": {d: SPAN for d in WEEKDAYS}, "additionalProperties": SPAN},
        ], "description": f'"{ALWAYS}", or a table of every weekday ({", ".join(WEEKDAYS)})'}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) or (isinstance(value, dict)
                                      and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
            return value
        raise ValidationError(f'"{ALWAYS}" or a table of weekdays, each "HH:MM-HH:MM" or "closed"')


Knob = lambda **kw: fields.Integer(strict=True, **kw)  # noqa: E731  (ranges: the network file's, checked in the service)


class ToMoveOut(ma.Schema):
    code = fields.String(metadata={"description": "the appointment's code"})
    service = fields.String()
    start = fields.String(metadata={"format": "date-time", "description": "centre-local"})


class ExceptionDayOut(ma.Schema):
    date = fields.String(metadata={"format": "date"})
    hours = fields.String(metadata={"description": '"closed" or "HH:MM-HH:MM"'})
    note = fields.String()


class AdminCentreOut(ma.Schema):
    """A centre as the network file says it, whether active, and (after a change) the bookings its
    hours now leave without a place — also listed as the centre's booking conflicts."""

    code = fields.String()
    name = Texts()
    address = Texts()
    timezone = fields.String()
    hours = Hours()
    exceptions = fields.List(fields.Nested(ExceptionDayOut))
    target_wait_min = fields.Integer()
    recall_limit = fields.Integer()
    call_timeout_min = fields.Integer()
    counters = fields.Integer(metadata={"description": "its active counters"})
    active = fields.Boolean()
    to_move = fields.List(fields.Nested(ToMoveOut))


class CentreIn(Strict):
    code = fields.String(required=True, metadata={"example": "MAD2"})
    name = Texts(required=True, metadata={"description": "a text in every configured language"})
    address = Texts(required=True, metadata={"description": "a text in every configured language"})
    timezone = fields.String(required=True, metadata={"example": "Europe/Madrid"})
    hours = Hours(required=True)
    counters = Knob(required=True, metadata={"description": "1–99 counters, numbered from 1"})
    target_wait_min = Knob()
    recall_limit = Knob()
    call_timeout_min = Knob()


class CentreChange(Strict):
    name = Texts()
    address = Texts()
    timezone = fields.String()
    hours = Hours()
    target_wait_min = Knob()
    recall_limit = Knob()
    call_timeout_min = Knob()
    active = Flag()


class ExceptionIn(Strict):
    hours = fields.String(required=True, metadata={"description": '"closed" (a holiday) or "HH:MM-HH:MM"'})
    note = fields.String(validate=validate.Length(max=200), metadata={"example": "New Year's Day"})


class ExceptionOut(ma.Schema):
    date = fields.String(metadata={"format": "date"})
    hours = fields.String(metadata={"description": "the day's hours now"})
    note = fields.String(allow_none=True)
    to_move = fields.List(fields.Nested(ToMoveOut), metadata={
        "description": "bookings on the day left without a place: move them (also the centre's booking conflicts)"})


class AdminCounterOut(CounterOut):
    """A counter as the administration sees it: its centre, and whether it is in service or retired."""

    open = fields.Function(lambda c: c["state"] == "open", metadata={"type": "boolean"})
    centre = fields.String()
    active = fields.Boolean()


class CounterIn(Strict):
    name = fields.String(validate=validate.Length(min=1, max=60))


class CounterChange(Strict):
    name = fields.String(validate=validate.Length(min=1, max=60))
    active = Flag()
