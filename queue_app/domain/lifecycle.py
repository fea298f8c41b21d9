"""A ticket's life (SPEC §3): the statuses, the legal moves between them, and outcomes; a counter's states."""
from .errors import IllegalTransition, InvalidRequest

WAITING = "waiting"
CALLED = "called"
SERVING = "serving"
DONE = "done"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
TRANSFERRED = "transferred"

STATUSES = (WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED, TRANSFERRED)
ACTIVE = frozenset({WAITING, CALLED, SERVING})
AT_COUNTER = frozenset({CALLED, SERVING})
FINAL = frozenset({DONE, NO_SHOW, CANCELLED, TRANSFERRED})

# (current status, action) -> next status. Anything absent is illegal.
TRANSITIONS = {
    (WAITING, "call"): CALLED,
    (WAITING, "cancel"): CANCELLED,
    (CALLED, "recall"): CALLED,
    (CALLED, "start"): SERVING,
    (CALLED, "no_show"): NO_SHOW,
    (SERVING, "finish"): DONE,
    (SERVING, "transfer"): TRANSFERRED,
}
ACTIONS = frozenset(action for _, action in TRANSITIONS)


def moves(status: str) -> list[str]:
    """The actions legal on a ticket in `status`, in the table's order: what the pages offer
    (none once the ticket's visit is over)."""
    return [action for (current, action) in TRANSITIONS if current == status]


RESOLVED = "resolved"
UNRESOLVED = "unresolved"
OUTCOMES = (RESOLVED, UNRESOLVED)
UNRESOLVED_REASONS = (
    "missing_documents",
    "needs_another_agency",
    "system_outage",
    "visitor_left",
    "other",
)


def next_status(current: str, action: str) -> str:
    """Return the status `action` leads to from `current`, or raise IllegalTransition."""
    if action not in ACTIONS:
        raise InvalidRequest(f"unknown action {action!r}")
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        allowed = sorted(a for (s, a) in TRANSITIONS if s == current)
        hint = f"; a {current} ticket can only: {', '.join(allowed)}" if allowed else ""
        raise IllegalTransition(
            f"cannot {action.replace('_', '-')} a ticket that is {current}{hint}"
        ) from None


def check_outcome(outcome: str, reason: str | None) -> str | None:
    """Validate a finished visit's outcome; return the reason to store (None when resolved)."""
    if outcome == RESOLVED:
        if reason:
            raise InvalidRequest("a resolved visit takes no reason")
        return None
    if outcome == UNRESOLVED:
        if reason not in UNRESOLVED_REASONS:
            raise InvalidRequest(
                f"an unresolved visit needs a reason, one of: {', '.join(UNRESOLVED_REASONS)}"
            )
        return reason
    raise InvalidRequest(f"outcome must be one of: {', '.join(OUTCOMES)}")


# A counter's life: closed -> open <-> paused -> closed. Opening again (open or paused, by the
# clerk who holds it) re-chooses the skills served and leaves it open.
COUNTER_CLOSED = "closed"
COUNTER_OPEN = "open"
COUNTER_PAUSED = "paused"
COUNTER_STATES = (COUNTER_OPEN, COUNTER_PAUSED, COUNTER_CLOSED)

# (current state, action) -> next state. Anything absent is illegal.
COUNTER_TRANSITIONS = {
    (COUNTER_CLOSED, "open"): COUNTER_OPEN,
    (COUNTER_OPEN, "open"): COUNTER_OPEN,
    (COUNTER_PAUSED, "open"): COUNTER_OPEN,
    (COUNTER_OPEN, "pause"): COUNTER_PAUSED,
    (COUNTER_PAUSED, "resume"): COUNTER_OPEN,
    (COUNTER_OPEN, "close"): COUNTER_CLOSED,
    (COUNTER_PAUSED, "close"): COUNTER_CLOSED,
}
COUNTER_ACTIONS = frozenset(action for _, action in COUNTER_TRANSITIONS)
COUNTER_HELD = frozenset({COUNTER_OPEN, COUNTER_PAUSED})  # a clerk holds the counter
_LEADS_TO = {action: to for (_, action), to in COUNTER_TRANSITIONS.items()}


def next_counter_state(code: str, current: str, action: str) -> str:
    """Return the state `action` leads counter `code` to from `current`, or raise IllegalTransition."""
    if action not in COUNTER_ACTIONS:
        raise InvalidRequest(f"unknown counter action {action!r}")
    try:
        return COUNTER_TRANSITIONS[(current, action)]
    except KeyError:
        if action == "close":
            raise IllegalTransition(f"counter {code} is closed already") from None
        raise IllegalTransition(f"counter {code} is {current}; it cannot be set {_LEADS_TO[action]}") from None
