"""Roster drafts (SPEC §10): the planner's proposed shifts for a centre's day, saved, accepted or discarded."""
from __future__ import annotations

import marshmallow as ma

from ..domain import erlang
from ..services import roster_drafts as drafts
from .access import actor, require
from .blueprint import Blueprint
from .roster import roster_errors, shift_out
from .schemas import DraftOut, DraftQuery, ErrorSchema, RosterQuery, ShiftOut

blp = Blueprint("roster_drafts", __name__, url_prefix="/api/v1/centres",
                description="The staffing planner's roster drafts for a centre's day.")
EDITORS = ("manager", "admin")


def draft_out(draft, tz) -> dict:
    return {"id": draft.id, "date": draft.day, "created_at": draft.created_at.isoformat(),
            "accepted_at": draft.accepted_at.isoformat() if draft.accepted_at else None,
            "shifts": [shift_out(p, tz) for p in drafts.draft_shifts(draft)]}


@blp.post("/<string:centre>/roster-drafts")
@require(*EDITORS)
@blp.arguments(DraftQuery, location="query", unknown=ma.RAISE)
@blp.response(201, DraftOut)
@roster_errors
@blp.alt_response(422, schema=ErrorSchema)
def propose(query, centre):
    """Propose the day's shifts for the centre's clerks (Erlang C at `share` within the target wait)
    and save them as a draft (managers of the centre, admins)."""
    draft = drafts.save_draft(centre, query["date"], by=actor(), share=query.get("share", erlang.DEFAULT_SHARE))
    return draft_out(draft, drafts.centre_tz(centre))


@blp.get("/<string:centre>/roster-drafts")
@require(*EDITORS)
@blp.arguments(RosterQuery, location="query", unknown=ma.RAISE)
@blp.response(200, DraftOut(many=True))
@roster_errors
def listed(query, centre):
    """The day's drafts, newest first (accepted ones with `accepted_at`)."""
    tz = drafts.centre_tz(centre)
    return [draft_out(d, tz) for d in drafts.drafts(centre, query["date"], by=actor())]


@blp.post("/<string:centre>/roster-drafts/<int(min=1, max=2147483647):draft_id>/accept")
@require(*EDITORS)
@blp.response(200, ShiftOut(many=True))
@roster_errors
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def accept(centre, draft_id):
    """Replace the draft's day's roster with its shifts (audited); 409 `draft_accepted` the second time."""
    day = drafts.accept_draft(centre, draft_id, by=actor())
    return [shift_out(p, day.tz) for p in day.shifts]


@blp.delete("/<string:centre>/roster-drafts/<int(min=1, max=2147483647):draft_id>")
@require(*EDITORS)
@blp.response(204)
@roster_errors
@blp.alt_response(409, schema=ErrorSchema)
def discard(centre, draft_id):
    """Discard a draft not yet accepted (audited)."""
    drafts.discard_draft(centre, draft_id, by=actor())
