"""Open data: each centre's daily indicators and its 15-minute records for anyone (JSON, or CSV
with `Accept: text/csv`), and the published schema of every record.

Counts, waits, handling, satisfaction and the visits' figures only: no clerk, no phone, no comment,
no contact hash ever leaves here.
"""
from __future__ import annotations

import marshmallow as ma
from flask import Response, current_app, jsonify, request, url_for
from marshmallow import fields, validate

from ..domain.open_data_fields import DAILY, LIVE, Field, published_schema
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


class FormatQuery(Strict):
    format = fields.String(validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "csv, for a plain link; else the Accept header decides"})


_KINDS = {"integer": fields.Integer, "number": fields.Float, "date": fields.Date}


def record_schema(fields_: tuple[Field, ...], name: str, **attributes: str) -> type[ma.Schema]:
    """The output schema of one kind of record from its published fields (open_data_fields), each
    described with its unit and null rule; `attributes`: a field read from another name (a DayRow's day)."""
    return ma.Schema.from_dict(
        {f.name: _KINDS.get(f.type, fields.String)(
            allow_none=bool(f.nullable), **({"attribute": attributes[f.name]} if f.name in attributes else {}),
            metadata={"description": f.description + (f" ({f.unit})" if f.unit else "")
                      + (f"; {f.nullable}" if f.nullable else "")})
         for f in fields_}, name=name)


DailyOut = record_schema(DAILY, "DailyRecord", date="day")
LiveOut = record_schema(LIVE, "LiveRecord")


class DailyQuery(FormatQuery):
    centre = fields.String(validate=validate.Length(min=1, max=8),
                           metadata={"description": "a centre code; every centre when omitted"})
    start = Day(required=True, data_key="from", metadata={"description": "first day, YYYY-MM-DD"})
    end = Day(data_key="to",
                      metadata={"description": f"last day, YYYY-MM-DD (default: from); at most {MAX_DAYS} days"})

    @ma.validates_schema
    def check_period(self, data, **kwargs):
        check_days(data, MAX_DAYS)


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
    return _as_csv(query, lambda: csv_text(rows), "onedoor-open-data") or rows


class LiveQuery(FormatQuery):
    centre = fields.String(required=True, validate=validate.Length(min=1, max=8),
                           metadata={"description": "a centre code"})
    start = Day(required=True, data_key="from", metadata={"description": "first day on the centre's clock, YYYY-MM-DD"})
    end = Day(data_key="to", metadata={
        "description": f"last day, YYYY-MM-DD (default: from); at most {live_feed.MAX_DAYS} days"})

    @ma.validates_schema
    def check_period(self, data, **kwargs):
        check_days(data, live_feed.MAX_DAYS)


def _addressed(records: list[dict]) -> list[dict]:
    """The records, each with its own address (`url`) in place of its `key`."""
    return [{**{k: v for k, v in r.items() if k != "key"},
             "url": url_for("open_data_api.live_period", centre=r["centre"], start=r["key"])} for r in records]


def _as_csv(query: dict, make_csv, name: str) -> Response | None:
    """The CSV `make_csv()` gives, when the query's format or the Accept header asks for CSV; else None."""
    if query.get("format") == "csv" or (query.get("format") is None and wants_csv()):
        return Response(make_csv(), mimetype="text/csv", headers={"Content-Disposition": f'inline; filename="{name}.csv"'})
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
    return _as_csv(query, lambda: live_feed.live_csv(records), "onedoor-live") or records


@blp.get("/live/<string:centre>/<string:start>")
@blp.arguments(FormatQuery, location="query", unknown=ma.RAISE)
@blp.response(200, LiveOut, description="the record of the period starting at `start` (YYYY-MM-DDTHH:MM on "
              "the centre's clock, a quarter of the hour; with its UTC offset, +HH:MM, in the hour a clock turns back, which "
              "comes twice): this address never changes, nor does the record")
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema)
@limiter.limit(PUBLIC_LIMIT)
def live_period(query, centre, start):
    """One centre's one 15-minute record, by its stable address."""
    one = _addressed([live_feed.live_record(centre, start)])[0]
    return _as_csv(query, lambda: live_feed.live_csv([one]), f"onedoor-{one['centre']}-{start}") or one


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
