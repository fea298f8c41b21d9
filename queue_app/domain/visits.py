"""A visit of several services (SPEC §11): the rules on its steps, in plain data.

A visit is a chain of ticket rows, one per step, the next made when a step ends; the row at hand
carries the services still to come. These functions judge a plan or a change to it.
"""
from __future__ import annotations

from .errors import InvalidRequest, VisitRefused

MAX_STEPS = 5
STEP = "step"  # the source of a row a finished step made (the visit's next step)
PENDING = "pending"  # a step still to come, as the visit's steps list it
NOT_REACHED = "not_reached"  # a step the visit ended before (a no-show, a cancel)


def check_plan(codes: list[str]) -> list[str]:
    """Return a visit's services in order, once each, 1 to MAX_STEPS; refuse anything else (422)."""
    if not codes:
        raise InvalidRequest("a visit needs at least one service")
    if len(codes) > MAX_STEPS:
        raise InvalidRequest(f"a visit takes at most {MAX_STEPS} services; {len(codes)} were given")
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise InvalidRequest(f"service {code!r} is named twice; a visit takes each service once")
        seen.add(code)
    return list(codes)


def check_added(step: int, current: str, to_come: list[str], added: str) -> None:
    """Refuse adding `added` to a visit at step `step` (of service `current`, with `to_come` after
    it) when it is already this step or a step to come, or the visit would pass MAX_STEPS."""
    if added == current or added in to_come:
        raise VisitRefused(f"service {added!r} is already a step of this visit", code="duplicate_step")
    if step + len(to_come) >= MAX_STEPS:
        raise VisitRefused(f"a visit has at most {MAX_STEPS} steps; this one has {step + len(to_come)}",
                           code="too_many_steps")

