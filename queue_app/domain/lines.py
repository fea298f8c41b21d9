"""Lines and their prefixes: the letters a ticket number starts with, e.g. "PA" in PA007.

A line is the queue one prefix numbers: the services of one agency may share a prefix (one line,
one numbering per centre and day), the services of different agencies may not, so a number on a
screen always belongs to one agency's desks. A prefix is 1–3 capital letters A–Z without I and
O, which on a ticket or a screen read as 1 and 0.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .errors import InvalidRequest

PREFIX_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # A–Z without the look-alikes I and O
PREFIX_MAX = 3
PREFIX_PATTERN = rf"^[{PREFIX_LETTERS}]{{1,{PREFIX_MAX}}}$"
_PREFIX = re.compile(PREFIX_PATTERN)


def prefix_problem(prefix: str, agency: str, taken: Mapping[str, str]) -> str | None:
    """Return why `prefix` cannot number a service of `agency`, or None when it can; `taken` maps
    each prefix already in use to the agency whose line it is."""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        if isinstance(prefix, str) and re.fullmatch(rf"[A-Z]{{1,{PREFIX_MAX}}}", prefix):
            return f'prefix "{prefix}" holds I or O, which read as 1 and 0 on a ticket; choose other letters'
        return f'prefix {prefix!r} must be 1 to {PREFIX_MAX} capital letters A–Z (without I and O)'
    owner = taken.get(prefix)
    if owner is not None and owner != agency:
        return f'prefix "{prefix}" is the line of agency {owner!r}; services of different agencies may not share a line'
    return None


def check_prefix(prefix: str, agency: str, taken: Mapping[str, str]) -> str:
    """Return `prefix` when a service of `agency` may use it; raise InvalidRequest (the reason as
    message, details {"field": "prefix"}) when it may not (see prefix_problem)."""
    problem = prefix_problem(prefix, agency, taken)
    if problem:
        raise InvalidRequest(problem, details={"field": "prefix"})
    return prefix


def line_owners(services: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map each prefix to the agency of the first of `services` ((prefix, agency) pairs) using it."""
    owners: dict[str, str] = {}
    for prefix, agency in services:
        owners.setdefault(prefix, agency)
    return owners

