"""Request and response schemas of /api/v1/admin (SPEC §12), beside the public ones in schemas.py."""
from __future__ import annotations

from marshmallow import fields, validate

from ..domain.lines import PREFIX_PATTERN

from .schemas import AgencyOut, Code, Flag, LifeEventOut, ServiceOut, Strict, Texts

Documents = lambda **kw: fields.Dict(keys=fields.String(), values=fields.List(fields.String()), **kw)  # noqa: E731
Prefix = lambda **kw: fields.String(validate=validate.Regexp(PREFIX_PATTERN), metadata={  # noqa: E731
    "description": "1–3 letters A–Z without I and O; services of one agency may share one (one line)"}, **kw)
Minutes = lambda **kw: fields.Float(validate=validate.Range(min=0, max=480, min_inclusive=False), **kw)  # noqa: E731
Weight = lambda **kw: fields.Float(validate=validate.Range(min=0, max=10, min_inclusive=False), **kw)  # noqa: E731


class AdminAgencyOut(AgencyOut):
    active = fields.Boolean()


class AgencyIn(Strict):
    code = Code(required=True)
    name = Texts(required=True, metadata={"description": "a text in every configured language"})


class AgencyChange(Strict):
    name = Texts()
    active = Flag()


class AdminServiceOut(ServiceOut):
    """A service as the admin sees it: with its weight, and whether it is active."""

    weight = fields.Float()
    active = fields.Boolean()


class ServiceIn(Strict):
    code = Code(required=True)
    agency = Code(required=True)
    prefix = Prefix(required=True)
    name = Texts(required=True, metadata={"description": "a text in every configured language"})
    duration_min = Minutes(required=True)
    weight = Weight(load_default=1.0)
    bookable = Flag(load_default=True)
    documents = Documents(load_default=dict, metadata={"description": "per language, the documents to bring"})


class WaitingIn(Strict):
    action = fields.String(required=True, validate=validate.OneOf(["transfer", "cancel"]))
    to = Code(metadata={"description": "with transfer: the service the waiting visitors go on to"})


class ServiceChange(Strict):
    agency = Code()
    prefix = Prefix()
    name = Texts()
    duration_min = Minutes()
    weight = Weight()
    bookable = Flag()
    documents = Documents()
    active = Flag()
    waiting = fields.Nested(WaitingIn, metadata={
        "description": "when deactivating a service visitors wait for: what becomes of their tickets"})


class AdminLifeEventOut(LifeEventOut):
    services = fields.Function(lambda e: [s.code for s in e.services])  # deactivated ones too
    active = fields.Boolean()


class LifeEventIn(Strict):
    code = Code(required=True)
    name = Texts(required=True)
    services = fields.List(Code(), required=True, validate=validate.Length(min=1))


class LifeEventChange(Strict):
    name = Texts()
    services = fields.List(Code(), validate=validate.Length(min=1))
    active = Flag()
