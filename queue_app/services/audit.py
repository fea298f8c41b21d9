"""The audit trail of changes to the network's set-up (SPEC §9): one row per change, written in
the same transaction as the change, naming who acted."""
from __future__ import annotations

from datetime import datetime

from ..db import utcnow
from ..domain.access import Actor
from ..extensions import db
from ..models import AuditEvent


def audit(by: Actor, entity: str, key: str, action: str, *, before=None, after=None,
          centre_id: int | None = None, now: datetime | None = None) -> AuditEvent:
    """Add the audit row of a change to the acting transaction (e.g. "roster", "HQ:2026-12-07", "replace")."""
    event = AuditEvent(at=now or utcnow(), actor_staff_id=by.staff_id, device_id=by.device_id,
                       centre_id=centre_id, entity=entity, entity_key=key, action=action,
                       before=before, after=after)
    db.session.add(event)
    return event
