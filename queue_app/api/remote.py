"""The visitor at home: join today's queue by phone, and rate the visit once it is finished."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..domain.feedback import COMMENT_MAX
from ..extensions import limiter
from ..limits import PUBLIC_LIMIT, remote_limit
from ..services.feedback import give_feedback
from ..services.remote import join_remotely
from .blueprint import Blueprint
from .schemas import ErrorSchema, IssuedOut, Phone, Strict, VisitIn, Whole
from .tickets import issued_answer

blp = Blueprint("remote", __name__, url_prefix="/api/v1",
                description="Joining today's queue from home and rating the visit: no sign-in, rate-limited.")


class RemoteIn(VisitIn):
    phone = Phone(required=True, metadata={"description": "international form, e.g. +34 612 345 678; "
                                                          "identifies the visitor for the per-phone limit"})
    language = fields.String(validate=validate.Length(min=2, max=16))


class FeedbackIn(Strict):
    rating = Whole(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(validate=validate.Length(max=COMMENT_MAX), allow_none=True)


class FeedbackOut(ma.Schema):
    rating = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()


@blp.post("/centres/<string:centre>/remote-tickets")
@remote_limit()
@blp.arguments(RemoteIn)
@blp.response(201, IssuedOut)
@blp.alt_response(404, schema=ErrorSchema, description="no such centre")
@blp.alt_response(409, schema=ErrorSchema,
                  description="remote_disabled, centre_closed, phone_limit (the phone already holds its live "
                              "remote tickets today), not_served_today (with next_served_at and bookable), not_served_now, too_far_ahead (the wait is over the "
                              "arrival cap: come later or book), closes_too_soon")
@blp.alt_response(422, schema=ErrorSchema, description="invalid body or phone, or service_not_offered")
@blp.alt_response(429, schema=ErrorSchema, description="too many joins from this client")
def join(body, centre):
    """Join today's queue at this centre from home: a walk-in ticket with a live status URL (no paper)."""
    issued = join_remotely(centre, body.get("service"), body["phone"], services=body.get("services"),
                           language=body.get("language"))
    return issued_answer(issued), 201


@blp.post("/tickets/<string:token>/feedback")
@limiter.limit(PUBLIC_LIMIT)
@blp.arguments(FeedbackIn)
@blp.response(201, FeedbackOut)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="not_finished, or already_rated (once per ticket)")
@blp.alt_response(422, schema=ErrorSchema, description="a rating outside 1–5, or a comment too long")
def feedback(body, token):
    """Rate a finished visit from 1 to 5, with an optional comment: once per ticket."""
    return give_feedback(token, body["rating"], body.get("comment")), 201
