"""A visitor's rating of a finished visit: what may be rated, and what a rating may say."""
from __future__ import annotations

from .errors import DomainError, InvalidRequest
from .text import trim_invisible

RATINGS = range(1, 6)  # 1 (very poor) … 5 (excellent)
COMMENT_MAX = 1000


class FeedbackRefused(DomainError):
    """Feedback the rules refuse (409): `not_finished` or `already_rated`."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def check_rating(rating: object, comment: str | None) -> tuple[int, str | None]:
    """Return (rating, comment or None), or raise InvalidRequest (422)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise InvalidRequest("rating must be a whole number from 1 to 5", code="bad_rating")
    if comment is not None:
        comment = trim_invisible(comment) or None  # spaces or zero-width characters alone say nothing
    if comment is not None and len(comment) > COMMENT_MAX:
        raise InvalidRequest(f"the comment is longer than {COMMENT_MAX} characters", code="comment_too_long")
    return rating, comment


def why_not_rate(status: str, already_rated: bool) -> FeedbackRefused | None:
    """Only a finished (done) visit is rated, and only once."""
    if status != "done":
        return FeedbackRefused("not_finished", "feedback is taken once the visit is finished")
    if already_rated:
        return FeedbackRefused("already_rated", "this visit has already been rated; thank you")
    return None
