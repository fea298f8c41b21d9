"""Open data: each centre's daily indicators and its 15-minute records for anyone (JSON, or CSV
with `Accept: text/csv`), and the published schema of every record.

Counts, waits, handling, satisfaction and the visits' figures only: no clerk, no phone, no comment,
no contact hash ever leaves here.
"""
from __future__ import annotations

import marshmallow as ma
from flask import Response, current_app, jsonify, request, url_for
from marshmallow import fields, validate

from ..domain.open_data_fields import ESTIMATES, LIVE, published_schema
from ..extensions import limiter
from ..limits import PUBLIC_LIMIT
from ..services import live_feed
from ..services.reports import MAX_DAYS, Period, csv_text, open_data
from .blueprint import Blueprint
from .schemas import Day, ErrorSchema, Strict

blp = Blueprint("open_data_api", __name__, url_prefix="/api/v1/open-data",
                description="Each centre's daily indicators and 15-minute records, public and free of personal "
                            "data; their schema at /api/v1/open-data/schema.")


def check_days(data: dict, most: int) -> None:
    """A query's from..to: not ending before it starts, at most `most` days (else a 422 on `to`)."""
    start, end = data.get("start"), data.get("end") or data.get("start")
    if start and end < start:
        raise ma.ValidationError("the period ends before it starts", "to")
    if start and (end - start).days + 1 > most:
        raise ma.ValidationError(f"a period covers at most {most} days", "to")


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
        check_days(data, MAX_DAYS)


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
    estimate_mae_min = fields.Float(allow_none=True, metadata={"description": ESTIMATES[0].description})
    estimate_bias_min = fields.Float(allow_none=True, metadata={"description": ESTIMATES[1].description})
    estimate_range_share = fields.Float(allow_none=True, metadata={"description": ESTIMATES[2].description})


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


class LiveQuery(Strict):
    centre = fields.String(required=True, validate=validate.Length(min=1, max=8),
                           metadata={"description": "a centre code"})
    start = Day(required=True, data_key="from", metadata={"description": "first day on the centre's clock, YYYY-MM-DD"})
    end = Day(data_key="to", metadata={
        "description": f"last day, YYYY-MM-DD (default: from); at most {live_feed.MAX_DAYS} days"})
    format = fields.String(validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "csv, for a plain link; else the Accept header decides"})

    @ma.validates_schema
    def check_period(self, data, **kwargs):
        check_days(data, live_feed.MAX_DAYS)


class FormatQuery(Strict):
    format = fields.String(validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "csv, for a plain link; else the Accept header decides"})


_KINDS = {"integer": fields.Integer, "number": fields.Float}
LiveOut = ma.Schema.from_dict(
    {f.name: _KINDS.get(f.type, fields.String)(allow_none=bool(f.nullable),
                                               metadata={"description": f.description + (
                                                   f" ({f.unit})" if f.unit else "") + (
                                                   f"; {f.nullable}" if f.nullable else "")})
     for f in LIVE}, name="LiveRecord")


def _addressed(records: list[dict]) -> list[dict]:
    """The records, each with its own address (`url`) in place of its `key`."""
    return [{**{k: v for k, v in r.items() if k != "key"},
             "url": url_for("open_data_api.live_period", centre=r["centre"], start=r["key"])} for r in records]


def _as_csv(query: dict, records: list[dict], name: str):
    if query.get("format") == "csv" or (query.get("format") is None and wants_csv()):
        return Response(live_feed.live_csv(records), mimetype="text/csv",
                        headers={"Content-Disposition": f'inline; filename="{name}.csv"'})
    return None


@blp.get("/live")
@blp.arguments(LiveQuery, location="query", unknown=ma.RAISE)
@blp.response(200, LiveOut(many=True), description="one record per closed 15-minute period of the centre's "
              "opening hours, oldest first; with `Accept: text/csv` (or `format=csv`) the same as CSV")
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema)
@limiter.limit(PUBLIC_LIMIT)
def live(query):
    """A centre's 15-minute records of the days from..to (stored once a period has closed, never changed)."""
    records = _addressed(live_feed.live_records(query["centre"], query["start"], query.get("end") or query["start"]))
    return _as_csv(query, records, "onedoor-live") or records


@blp.get("/live/<string:centre>/<string:start>")
@blp.arguments(FormatQuery, location="query", unknown=ma.RAISE)
@blp.response(200, LiveOut, description="the record of the period starting at `start` (YYYY-MM-DDTHH:MM on "
              "the centre's clock, a quarter of the hour): this address never changes, nor does the record")
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema)
@limiter.limit(PUBLIC_LIMIT)
def live_period(query, centre, start):
    """One centre's one 15-minute record, by its stable address."""
    one = _addressed([live_feed.live_record(centre, start)])[0]
    return _as_csv(query, [one], f"onedoor-{one['centre']}-{start}") or one


@blp.get("/schema")
@blp.response(200, description="a JSON Schema (draft 2020-12): `$defs.live` and `$defs.daily` describe each "
              "record, every field with its description and unit, and the licence of the data",
              content_type="application/schema+json")
@limiter.limit(PUBLIC_LIMIT)
def schema():
    """The published schema of every open-data record, with the data's licence."""
    config = current_app.config
    body = published_schema(url_for("open_data_api.schema", _external=True), config["ONEDOOR_OPEN_DATA_LICENCE"],
                            config["ONEDOOR_OPEN_DATA_LICENCE_URL"])
    response = jsonify(body)
    response.mimetype = "application/schema+json"
    return response
