"""Staff accounts and devices: created here, authenticated by the API layer."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from werkzeug.security import generate_password_hash

from ..db import utcnow
from ..domain.errors import InvalidRequest, NotFound
from ..domain.text import visible_name
from ..extensions import db
from ..models import ApiToken, Device, Service, Staff, StaffSkill
from .lookup import centre_by_code
from .tx import atomic

ROLES = ("admin", "manager", "clerk")


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: a leaked database does not leak credentials."""
    return hashlib.sha256(token.encode()).hexdigest()
KINDS = ("kiosk", "display")


@atomic
def create_user(
    username: str,
    role: str,
    *,
    password: str,
    name: str | None = None,
    centres: list[str] = (),
    primary: list[str] | str = (),
    secondary: list[str] = (),
) -> Staff:
    """Create (or update) a staff account; `primary="all"` gives every active service."""
    if role not in ROLES:
        raise InvalidRequest(f"role must be one of: {', '.join(ROLES)}")
    username = visible_name(username, "username", 40)
    name = visible_name(name, "name", 120) if name else None
    places = [centre_by_code(code) for code in centres]
    if role == "clerk" and len(places) != 1:
        raise InvalidRequest("a clerk works at exactly one centre (--centre)")
    if role == "manager" and not places:
        raise InvalidRequest("a manager needs at least one centre (--centre)")
    if role != "clerk" and (primary or secondary):
        raise InvalidRequest("only clerks have skills")
    active = {code: sid for code, sid in db.session.execute(select(Service.code, Service.id).where(Service.active.is_(True)))}
    if primary == "all":
        primary = list(active)
    unknown = sorted(c for c in set(primary) | set(secondary) if c not in active)
    if unknown:
        raise InvalidRequest(f"unknown service code(s): {', '.join(unknown)}")
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        staff = Staff(username=username)
        db.session.add(staff)
    staff.name, staff.role, staff.active = name or username, role, True
    set_password(staff, password)
    staff.centres = places
    db.session.flush()
    set_skills(staff, [active[c] for c in primary], [active[c] for c in secondary if c not in primary])
    return staff


def set_password(staff: Staff, password: str) -> None:
    """Store the password's salted hash (never the password) on the account."""
    if len(password) < 8:
        raise InvalidRequest("a password needs at least 8 characters")
    staff.password_hash = password_hash(password)


def password_hash(password: str) -> str:
    """The salted hash stored for `password`, by the configured method (ONEDOOR_PASSWORD_HASH)."""
    return generate_password_hash(password, current_app.config.get("ONEDOOR_PASSWORD_HASH", "scrypt"))


def set_skills(staff: Staff, primary: list[int], secondary: list[int]) -> None:
    """Make these services (ids) the staff member's primary and secondary skills, in the caller's transaction."""
    db.session.execute(delete(StaffSkill).where(StaffSkill.staff_id == staff.id))
    db.session.expire(staff, ["skills"])
    for level, ids in (("primary", primary), ("secondary", secondary)):
        for service_id in ids:
            db.session.add(StaffSkill(staff_id=staff.id, service_id=service_id, level=level))


@dataclass(frozen=True)
class NewDevice:
    device: Device
    token: str


@atomic
def create_device(kind: str, centre_code: str, *, name: str | None = None, printer: str | None = None) -> NewDevice:
    """Register a kiosk or display and return its token, shown this once and stored hashed."""
    if kind not in KINDS:
        raise InvalidRequest(f"kind must be one of: {', '.join(KINDS)}")
    if printer is not None and kind != "kiosk":
        raise InvalidRequest("only a kiosk has a printer")
    name = visible_name(name, "device name", 80) if name else None
    centre = centre_by_code(centre_code)
    token = secrets.token_urlsafe(32)
    device = Device(
        kind=kind,
        centre_id=centre.id,
        name=name or f"{kind} {secrets.token_hex(2)}",
        printer_uri=printer,
        token_hash=hash_token(token),
    )
    db.session.add(device)
    db.session.flush()
    return NewDevice(device, token)


@atomic
def issue_staff_token(staff_id: int, hours: float, *, now: datetime | None = None) -> tuple[str, datetime]:
    """Create a bearer token for a staff member; return it (shown once) and its expiry."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hours)
    db.session.add(ApiToken(staff_id=staff_id, token_hash=hash_token(token), created_at=now, expires_at=expires))
    return token, expires


@atomic
def revoke_staff_token(token: str) -> bool:
    """Revoke a staff token; False if it is unknown or already revoked."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


SEEN_EVERY = timedelta(minutes=1)


def stale_sighting(device: Device, now: datetime) -> bool:
    """Whether the device's last sighting is older than a minute (so it is worth writing)."""
    return device.last_seen_at is None or now - device.last_seen_at >= SEEN_EVERY


def _sighting(which, now: datetime):
    return (update(Device).where(which, or_(Device.last_seen_at.is_(None), Device.last_seen_at <= now - SEEN_EVERY))
            .values(last_seen_at=now))


@atomic
def note_seen(device_id: int, now: datetime) -> None:
    """Record that a kiosk or display showed its token at `now` (at most once a minute a device)."""
    db.session.execute(_sighting(Device.id == device_id, now))


@atomic
def note_all_seen(device_ids: Collection[int], now: datetime) -> None:
    """Record that these devices, connected now, were seen at `now` (one statement; at most once a minute each)."""
    if device_ids:
        db.session.execute(_sighting(Device.id.in_(sorted(device_ids)), now))


@atomic
def revoke_device(device_id: int) -> Device:
    """Stop a kiosk's or display's token from working (a lost or replaced device)."""
    device = db.session.get(Device, device_id)
    if device is None:
        raise NotFound(f"no device with id {device_id}")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    return device


@atomic
def set_user_active(username: str, active: bool) -> Staff:
    """Disable (or re-enable) an account; a disabled one loses its sessions and every token."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise NotFound(f"no staff member with username {username!r}")
    staff.active = active
    if not active:
        revoke_staff_tokens(staff.id)
    return staff


def revoke_staff_tokens(staff_id: int) -> int:
    """Revoke every live API token of a staff member, in the caller's transaction; return how many."""
    rows = list(db.session.scalars(select(ApiToken).where(ApiToken.staff_id == staff_id, ApiToken.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)
