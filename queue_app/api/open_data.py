"""Open data: each centre's daily indicators for anyone (JSON, or CSV with `Accept: text/csv`).

Counts, waits, handling, satisfaction and the visits' figures only: no clerk, no phone, no comment,
no contact hash ever leaves here.
"""
from __future__ import annotations

import marshmallow as ma
from flask import Response, request
from marshmallow import fields, validate

from ..extensions import limiter
from ..limits import PUBLIC_LIMIT
from ..services.reports import MAX_DAYS, Period, csv_text, open_data
from .blueprint import Blueprint
from .schemas import Day, ErrorSchema, Strict

blp = Blueprint("open_data_api", __name__, url_prefix="/api/v1/open-data",
                description="Each centre's daily indicators, public and free of personal data.")


class DailyQuery(Strict):
    centre = fields.String(validate=validate.Length(min=1, max=8),
                           metadata={"description": "a centre code; every centre when omitted"})
    start = Day(required=True, data_key="from", metadata={"description": "first day, YYYY-MM-DD"})
    format = fields.String(validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "csv, for a plain link; else the Accept header decides"})
    end = Day(data_key="to",
                      metadata={"description": f"last day, YYYY-MM-DD (default: from); at most {MAX_DAYS} days"})

    @ma.validates_schema
    def check_period(self, data, **kwargs):
        start, end = data.get("start"), data.get("end") or data.get("start")
        if start and end < start:
            raise ma.ValidationError("the period ends before it starts", "to")
        if start and (end - start).days + 1 > MAX_DAYS:
            raise ma.ValidationError(f"a period covers at most {MAX_DAYS} days", "to")


class DailyOut(ma.Schema):
    centre = fields.String()
    date = fields.Date(attribute="day")
    arrivals = fields.Integer(metadata={"description": "visitors who came (walk-ins, remote joins, appointments "
                                                       "checked in), each once: a transfer is no new arrival"})
    served = fields.Integer()
    no_show = fields.Integer()
    cancelled = fields.Integer()
    transferred = fields.Integer()
    average_wait_min = fields.Float(allow_none=True)
    p90_wait_min = fields.Float(allow_none=True)
    within_target_share = fields.Float(allow_none=True)
    average_handling_min = fields.Float(allow_none=True)
    satisfaction_average = fields.Float(allow_none=True)
    feedback_count = fields.Integer()
    door_to_door_mean_min = fields.Float(allow_none=True, metadata={
        "description": "minutes from a visit's arrival to the end of its last step, visits served to their end"})
    door_to_door_p90_min = fields.Float(allow_none=True)
    steps_per_visit = fields.Float(allow_none=True, metadata={"description": "services a visit reached (a transfer "
                                                                              "is no step of its own)"})
    first_visit_resolution = fields.Float(allow_none=True, metadata={
        "description": "share of the visits over whose every step was resolved"})
    repeat_visits = fields.Integer(allow_none=True, metadata={
        "description": "visits that came back for a service resolved for them within 30 days; null below 5"})
    repeat_share = fields.Float(allow_none=True, metadata={
        "description": "repeat visits per visit with a known contact, counted per service; null with repeat_visits"})


def wants_csv() -> bool:
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


@blp.get("/daily")
@blp.arguments(DailyQuery, location="query", unknown=ma.RAISE)
@blp.response(200, DailyOut(many=True), description="one record per centre-day with tickets; with "
              "`Accept: text/csv` (or `format=csv`) the same as CSV, a header line then one line per centre-day")
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema)
@limiter.limit(PUBLIC_LIMIT)
def daily(query):
    """Each centre's indicators per day of the period (days without tickets are left out)."""
    period = Period(query["start"], query.get("end") or query["start"])
    rows = open_data(query.get("centre"), period)
    if query.get("format") == "csv" or (query.get("format") is None and wants_csv()):
        return Response(csv_text(rows), mimetype="text/csv",
                        headers={"Content-Disposition": 'inline; filename="onedoor-open-data.csv"'})
    return rows
