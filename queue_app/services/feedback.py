"""A visitor rates their finished visit from the status page: once per ticket."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from ..db import utcnow
from ..domain.feedback import check_rating, why_not_rate
from ..extensions import db
from ..models import Feedback, Ticket
from .reading import visit_by_token
from .tx import atomic


def is_rated(ticket: Ticket) -> bool:
    return bool(db.session.scalar(select(exists().where(Feedback.ticket_id == ticket.id))))


@atomic
def give_feedback(token: str, rating: int, comment: str | None = None, now: datetime | None = None) -> Feedback:
    """Store the visitor's rating (1–5) and optional comment of a finished visit.

    Refused: an unknown token (404), a rating outside 1–5 or a comment too long (422), a visit not
    finished or already rated (409). Two posts at once store one row: the unique ticket_id makes the
    second fail on PostgreSQL (SQLite's write transaction already runs them one after the other).
    """
    rating, comment = check_rating(rating, comment)
    ticket = visit_by_token(token)
    refusal = why_not_rate(ticket.status, is_rated(ticket))
    if refusal is not None:
        raise refusal
    feedback = Feedback(ticket_id=ticket.id, rating=rating, comment=comment, created_at=now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(feedback)
            db.session.flush()
    except IntegrityError:
        raise why_not_rate(ticket.status, True) from None
    return feedback
