"""Who acts, and where (SPEC §9): the actor every service is told of, and centre scoping, once.

Services take `by: Actor` and decide access on the rows they lock, inside their transaction; the
audit trail names the actor. Jobs, the simulator and the command line act as `SYSTEM`.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

ADMIN, MANAGER, CLERK = "admin", "manager", "clerk"
KIOSK, DISPLAY = "kiosk", "display"
SYSTEM_ROLE = "system"
STAFF_ROLES = (ADMIN, MANAGER, CLERK)
EVERYWHERE = frozenset({ADMIN, SYSTEM_ROLE})  # roles that are not bound to centres


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member (`staff_id`), a device (`device_id`, of centre `centre_id`) or the system."""

    role: str
    name: str
    staff_id: int | None = None
    device_id: int | None = None
    centre_id: int | None = None

    @property
    def is_device(self) -> bool:
        return self.device_id is not None


SYSTEM = Actor(SYSTEM_ROLE, "the system")
VISITOR = Actor("visitor", "a visitor")  # the public, joining from home: acts at no centre's counters


def centre_scope(role: str, centre_ids: Iterable[int]) -> frozenset[int] | None:
    """The centres someone with `role` working at `centre_ids` acts at; None means every centre."""
    return None if role in EVERYWHERE else frozenset(centre_ids)


def covers(scope: Collection[int] | None, centre_id: int) -> bool:
    """Whether a scope (see centre_scope) takes in this centre."""
    return scope is None or centre_id in scope


def holds(role: str, actor: Actor, holder_id: int | None) -> bool:
    """A clerk acts only at the counter they hold (and on the tickets called to it); managers,
    admins and the system at any counter their scope covers."""
    return role != CLERK or holder_id == actor.staff_id
