"""Request and response schemas of /api/v1/admin staff and devices (SPEC §12)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from printers import open_printer

from ..services.people import KINDS, ROLES
from .schemas import Flag, Name, Strict

Username = lambda **kw: fields.String(validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,39}$"), **kw)  # noqa: E731
CentreCode = lambda **kw: fields.String(validate=validate.Length(min=1, max=12), **kw)  # noqa: E731
Skills = lambda **kw: fields.List(fields.String(validate=validate.Length(min=1, max=40)),  # noqa: E731
                                  validate=validate.Length(max=400), **kw)


def printer_uri(value: str) -> None:
    """A printer URI the printers package can open (no connection is made)."""
    try:
        open_printer(value)
    except ValueError as exc:
        raise ma.ValidationError(str(exc)) from None


PrinterUri = lambda **kw: fields.String(  # noqa: E731
    validate=[validate.Length(min=1, max=255), printer_uri], metadata={
        "description": "the kiosk's printer: tcp://host:9100, usb://VID:PID, serial:///dev/ttyS0, file:///dev/usb/lp0, "
                       "pdf://folder"}, **kw)


class StaffOut(ma.Schema):
    username = fields.String()
    name = fields.String()
    role = fields.String()
    centres = fields.Function(lambda s: [c.code for c in s.centres])
    primary = fields.Function(lambda s: sorted(s.skill_set().primary))
    secondary = fields.Function(lambda s: sorted(s.skill_set().secondary))
    active = fields.Boolean()
    created_at = fields.DateTime()


class NewStaffOut(StaffOut):
    password = fields.String(metadata={"description": "the first password, shown only in this answer"})


class StaffIn(Strict):
    username = Username(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    name = Name(120)
    centres = fields.List(CentreCode(), load_default=list, validate=validate.Length(max=200))
    primary = Skills(load_default=list)
    secondary = Skills(load_default=list)


class StaffChange(Strict):
    name = Name(120)
    role = fields.String(validate=validate.OneOf(ROLES))
    centres = fields.List(CentreCode(), validate=validate.Length(max=200))
    primary = Skills()
    secondary = Skills()
    active = Flag()


class PasswordOut(ma.Schema):
    username = fields.String()
    password = fields.String(metadata={"description": "the new password, shown only in this answer"})
    tokens_revoked = fields.Boolean(metadata={"description": "always true: the account's API tokens stopped working"})


class FaultOut(ma.Schema):
    at = fields.DateTime()
    source = fields.String(metadata={"description": "ticket (a ticket's print job) or test (a test print)"})
    error = fields.String(allow_none=True)
    attempts = fields.Integer(metadata={"description": "tries that failed (a ticket's job is still retried)"})


class DeviceOut(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    centre = fields.Function(lambda d: d.centre.code)
    printer = fields.String(attribute="printer_uri", allow_none=True)
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime(allow_none=True)
    revoked = fields.Function(lambda d: d.revoked_at is not None)
    revoked_at = fields.DateTime(allow_none=True)
    printer_state = fields.String(metadata={"description": "ok, failing, or none (no printer)"})
    faults = fields.List(fields.Nested(FaultOut), metadata={"description": "the latest printer faults, newest first"})


class NewDeviceOut(DeviceOut):
    token = fields.String(metadata={"description": "the device's token, shown only in this answer"})
    setup_url = fields.String(metadata={"description": "open it once on the device: the token moves into a cookie"})


class DeviceIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    centre = CentreCode(required=True)
    name = Name(80)
    printer = PrinterUri()


class DeviceChange(Strict):
    name = Name(80)
    printer = PrinterUri(allow_none=True)


class PrintCheckOut(ma.Schema):
    confirmed = fields.Boolean(metadata={"description": "whether the printer confirmed the test ticket"})
    printer = fields.String()
    error = fields.String(allow_none=True, metadata={"description": "why it did not print"})
    note = fields.String(allow_none=True, metadata={"description": "the printer's warning, e.g. paper low"})
