"""A secret handed from the admin form that made it to the one page that shows it (a first
password, a device token): held for minutes at most, sealed with a one-time pad.

The database holds the secret XOR a pad of random bytes as long as it; the browser's session
cookie (signed, not encrypted) holds the pad and the handoff's id. Neither alone reveals the secret:
not a copy of the database taken meanwhile, nor a cookie read on the way. Showing it deletes it.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete

from ..db import utcnow
from ..extensions import db
from ..models import Handoff

KEPT_FOR = timedelta(minutes=10)  # time enough to follow the redirect, even on a slow link


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def hold(staff_id: int, kind: str, key: str, values: dict, now: datetime | None = None) -> tuple[str, bytes]:
    """Keep `values` for `staff_id`'s next page about (`kind`, `key`); return the handoff's id and
    the pad, both for the session alone. Handoffs never taken are dropped here once expired."""
    now = now or utcnow()
    plain = json.dumps(values).encode()
    pad = secrets.token_bytes(len(plain))
    handoff_id = secrets.token_urlsafe(32)
    db.session.execute(delete(Handoff).where(Handoff.expires_at < now))
    db.session.add(Handoff(id=handoff_id, staff_id=staff_id, kind=kind, key=key, sealed=_xor(plain, pad),
                           expires_at=now + KEPT_FOR))
    db.session.commit()
    return handoff_id, pad


def take(staff_id: int, handoff_id: str, pad: bytes, kind: str, key: str, now: datetime | None = None) -> dict | None:
    """The values held under `handoff_id` for this person and page, deleted as they are read; None
    when there are none (taken already, expired, or another person's or page's)."""
    row = db.session.get(Handoff, handoff_id, with_for_update=True)
    if row is None or row.staff_id != staff_id or (row.kind, row.key) != (kind, key):
        db.session.rollback()
        return None
    db.session.delete(row)
    db.session.commit()
    if row.expires_at < (now or utcnow()) or len(pad) != len(row.sealed):
        return None
    return json.loads(_xor(row.sealed, pad))
