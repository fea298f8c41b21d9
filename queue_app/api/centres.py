"""A centre's live queue and a day's figures, for its staff (and its displays, for the queue)."""
from __future__ import annotations

import marshmallow as ma

from ..db import utcnow
from ..domain.hours import service_day
from ..services.lookup import centre_by_code
from ..services.reading import day_stats, queue_view
from .access import ensure_centre, require
from .blueprint import Blueprint
from .schemas import ErrorSchema, QueueOut, StatsOut, StatsQuery

blp = Blueprint("centres", __name__, url_prefix="/api/v1/centres", description="Queue and figures of a centre.")


@blp.get("/<string:centre>/queue")
@require("clerk", "manager", "admin", "display")
@blp.response(200, QueueOut)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def queue(centre):
    """The waiting tickets in calling order, with waits per service."""
    place = centre_by_code(centre)
    ensure_centre(place)
    return queue_view(place, utcnow())


@blp.get("/<string:centre>/stats")
@require("clerk", "manager", "admin")
@blp.arguments(StatsQuery, location="query", unknown=ma.RAISE)
@blp.response(200, StatsOut)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def stats(query, centre):
    """A day's indicators: arrivals, served, waits against the target, handling, outcomes."""
    place = centre_by_code(centre)
    ensure_centre(place)
    day = query.get("date") or service_day(utcnow(), place.tz)
    figures = day_stats(place, day)
    return {"centre": place.code, "date": day, "target_wait_min": place.target_wait_min, **figures.__dict__}
