"""Errors the queue's rules raise; each carries a stable code (the faces choose the HTTP status:
queue_app/refusals.py)."""


class DomainError(Exception):
    """A request the rules refuse; `code` is stable, the message is for people."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}  # extra facts for the faces, beside code and message (JSON-ready)
        if code is not None:  # a specific reason within the class, e.g. InvalidRequest(code="bad_phone")
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class InvalidRequest(DomainError):
    code = "invalid"


class IllegalTransition(DomainError):
    code = "illegal_transition"


class CentreClosed(DomainError):
    code = "centre_closed"


class CounterNotOpen(DomainError):
    code = "counter_not_open"


class CounterBusy(DomainError):
    code = "counter_busy"


class SkillNotAllowed(DomainError):
    code = "skill_not_allowed"


class NotServedToday(DomainError):
    """No open counter serves the service and nobody rostered serves it for the rest of the day;
    `details` name when it is served next and whether it can be booked."""

    code = "not_served_today"


class ChangedMeanwhile(DomainError):
    """Another transaction wrote the same row first (a unique code taken at the same moment)."""

    code = "changed_meanwhile"


class VisitRefused(DomainError):
    """A change to a visit's steps that its rules refuse: `too_many_steps`, `duplicate_step`,
    `visit_over` (domain/visits.py)."""

    code = "visit_refused"
