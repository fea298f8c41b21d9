"""The audit trail (SPEC §9, §12) for managers (their centres) and admins: JSON a page at a time, or CSV."""
from __future__ import annotations

import marshmallow as ma
from flask import Response
from marshmallow import fields, validate

from ..services.audit_trail import MAX_PER_PAGE, PER_PAGE, AuditFilter, audit_all, audit_page, csv_text
from .access import actor, require
from .blueprint import Blueprint
from .open_data import wants_csv
from .schemas import Day, ErrorSchema, Strict

blp = Blueprint("audit_api", __name__, url_prefix="/api/v1/admin/audit",
                description="The audit trail: every change to the network's set-up, who made it, before and after.")

_NAME = validate.Length(min=1, max=120)


class AuditQuery(Strict):
    staff = fields.String(validate=_NAME, metadata={"description": "the acting staff member's username"})
    entity = fields.String(validate=_NAME, metadata={"description": "what was changed, e.g. roster"})
    action = fields.String(validate=_NAME, metadata={"description": "how, e.g. replace"})
    centre = fields.String(validate=validate.Length(min=1, max=8), metadata={"description": "a centre code"})
    start = Day(data_key="from", metadata={"description": "first UTC day, YYYY-MM-DD"})
    end = Day(data_key="to", metadata={"description": "last UTC day, YYYY-MM-DD"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    format = fields.String(validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "csv, for a plain link (every row the filter takes); "
                                                    "else the Accept header decides"})

    @ma.validates_schema
    def check_period(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ma.ValidationError("the period ends before it starts", "to")


class ChangeOut(ma.Schema):
    path = fields.String(metadata={"description": "where in the value, e.g. name.es; empty: the whole value"})
    kind = fields.String(metadata={"description": "added, removed or changed"})
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class AuditEventOut(ma.Schema):
    id = fields.Integer()
    at = fields.DateTime()
    who = fields.String(metadata={"description": "the staff member (name and username), the device, or system"})
    staff = fields.String(allow_none=True, metadata={"description": "the acting staff member's username"})
    centre = fields.String(allow_none=True)
    entity = fields.String()
    key = fields.String()
    action = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    changes = fields.List(fields.Nested(ChangeOut))


class AuditPageOut(ma.Schema):
    events = fields.List(fields.Nested(AuditEventOut), attribute="rows")
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


@blp.get("")
@require("manager", "admin")
@blp.arguments(AuditQuery, location="query", unknown=ma.RAISE)
@blp.response(200, AuditPageOut, description="newest first; with `Accept: text/csv` (or `format=csv`) every "
              "row the filter takes as CSV, a header line then one line per change")
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def trail(query):
    """The audit rows the caller may read (a manager: their centres'), filtered, newest first."""
    wanted = AuditFilter(staff=query.get("staff"), entity=query.get("entity"), action=query.get("action"),
                         start=query.get("start"), end=query.get("end"), centre=query.get("centre"))
    if query.get("format") == "csv" or (query.get("format") is None and wants_csv()):
        return Response(csv_text(audit_all(wanted, by=actor())), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="onedoor-audit.csv"'})
    return audit_page(wanted, by=actor(), page=query["page"], per_page=query["per_page"])
