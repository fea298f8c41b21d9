"""Who is asking: staff (session cookie or bearer token) or a device (bearer token).

Tokens are random, shown once, and stored only as SHA-256 hashes; a staff token expires and
any token can be revoked. A disabled account loses its sessions and tokens at once.
"""
from __future__ import annotations

import functools
import secrets
import threading
import time
from dataclasses import dataclass, field, replace

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from .db import utcnow
from .domain.access import Actor, covers
from .extensions import db, login_manager
from .models import ApiToken, Device, Staff
from .services import changes
from .services.people import hash_token, note_seen, stale_sighting

# Flask-Login flashes this on the sign-in page when a page needs a signed-in person: in the page's
# language (its own default is English, whatever the page says).
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = str  # the lazy text, said in this request's language before it is flashed


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method)


@dataclass(frozen=True)
class Principal:
    """The caller, a staff member or a device, as the access checks need them: who acts (the
    services' `by`), the centres they act at, and how they proved it. Kept between requests for a
    verified token (below); the caller's row is read only by the few views that need more of it."""

    actor: Actor
    scope: frozenset[int] | None  # the centres they act at; None: every centre (an admin)
    via_session: bool = False
    printer_uri: str | None = None  # a kiosk's printer
    row: Staff | Device | None = field(default=None, compare=False, repr=False)  # as this request read it

    @classmethod
    def of(cls, who: Staff | Device, *, via_session: bool = False) -> Principal:
        from .services.access import actor_of, scope_of  # services import this module (token hashes)

        printer = who.printer_uri if isinstance(who, Device) else None
        return cls(actor_of(who), scope_of(who), via_session, printer, who)

    @property
    def role(self) -> str:
        return self.actor.role

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def staff(self) -> Staff | None:
        """The staff member's row (read in this request if it was not), or None for a device."""
        if self.actor.staff_id is None:
            return None
        return self.row if isinstance(self.row, Staff) else db.session.get(Staff, self.actor.staff_id)

    @property
    def device(self) -> Device | None:
        """The device's row (read in this request if it was not), or None for a staff member."""
        if self.actor.device_id is None:
            return None
        return self.row if isinstance(self.row, Device) else db.session.get(Device, self.actor.device_id)

    def centre_ids(self) -> frozenset[int] | None:
        """The centres this caller acts in; None for an admin (every centre)."""
        return self.scope

    def covers(self, centre_id: int) -> bool:
        return covers(self.scope, centre_id)


@login_manager.user_loader
def load_user(user_id: str) -> Staff | None:
    staff = db.session.get(Staff, int(user_id)) if user_id.isdigit() else None
    return staff if staff is not None and staff.active else None


def check_password(username: str, password: str) -> Staff | None:
    """The active staff member with these credentials, or None (in constant-ish time)."""
    staff = None if "\x00" in username else db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or staff.password_hash is None:
        method = current_app.config.get("ONEDOOR_PASSWORD_HASH", "scrypt")
        check_password_hash(_dummy_hash(method), password)  # same work whether or not the user exists
        return None
    if not check_password_hash(staff.password_hash, password) or not staff.active:
        return None
    return staff


# The staff member and their centres come with the token (every access check needs both),
# instead of two lazy loads later in the request. Statements built once (bound parameters).
_STAFF_TOKEN = (select(ApiToken).where(ApiToken.token_hash == bindparam("digest"))
                .options(joinedload(ApiToken.staff).selectinload(Staff.centres)))
_DEVICE_TOKEN = select(Device).where(Device.token_hash == bindparam("digest"))
# Which table a token seen before was found in (digests only, never a token): a kiosk's token is
# then looked for among the devices first, one query instead of two. Each request still reads the
# row (revoked, expired, disabled: refused at once). Bounded: cleared when full.
_KIND_HINTS: dict[str, str] = {}
_HINTS_KEPT = 10_000


# Tokens verified lately, by digest (never a token), so that a kiosk or clerk busy at their counter
# is not looked up in the database on every request. Forgotten, the whole of it, once any staff
# member, device or token changes: at the commit in this process, and in the others when the commit
# is heard on the message queue (catalogue_sync.py); a change the message queue missed (none
# configured, or Redis away) is seen after VERIFIED_SECONDS at most. The services still read a staff
# member's role, account and centres inside each write (services/access.standing).
VERIFIED = "onedoor.verified_tokens"
VERIFIED_SECONDS = 10.0
_VERIFIED_KEPT = 10_000
_verified_lock = threading.Lock()


@dataclass
class _Verified:
    generation: int = 0  # bumped by every forgetting: a look-up that began before it is not kept
    tokens: dict[str, tuple[float, object, Principal]] = field(default_factory=dict)  # (until, expires, who)


def _verified() -> _Verified:
    return current_app.extensions.setdefault(VERIFIED, _Verified())


def forget_verified() -> None:
    """Forget every token verified in the current app (a staff member, device or token changed)."""
    kept = _verified()
    with _verified_lock:
        kept.generation += 1
        kept.tokens = {}


def principal_for_token(token: str) -> Principal | None:
    """Resolve a bearer token to a live staff member or device, or None."""
    digest = hash_token(token)
    now = utcnow()
    kept = _verified()
    hit = kept.tokens.get(digest)
    if hit is not None:
        until, expires_at, principal = hit
        if time.monotonic() < until and (expires_at is None or expires_at > now):
            return principal
    generation = kept.generation
    principal, expires_at = _look_up(digest, now)
    if principal is not None:
        with _verified_lock:
            if kept.generation == generation:
                if len(kept.tokens) >= _VERIFIED_KEPT:
                    kept.tokens = {}
                kept.tokens[digest] = (time.monotonic() + VERIFIED_SECONDS, expires_at, replace(principal, row=None))
    return principal


def _look_up(digest: str, now) -> tuple[Principal | None, object]:
    """The live staff member or device holding the token (read now), and when the token expires."""
    if _KIND_HINTS.get(digest) == "device":
        principal = _device_principal(digest, now)
        if principal is not None:
            return principal, None
    row = db.session.scalar(_STAFF_TOKEN, {"digest": digest})
    if row is not None:
        _hint(digest, "staff")
        if row.revoked_at is None and row.expires_at > now and row.staff.active:
            return Principal.of(row.staff), row.expires_at
        return None, None
    return _device_principal(digest, now), None


def _device_principal(digest: str, now) -> Principal | None:
    device = db.session.scalar(_DEVICE_TOKEN, {"digest": digest})
    if device is None:
        return None
    _hint(digest, "device")
    if device.revoked_at is not None:
        return None
    if stale_sighting(device, now):
        note_seen(device.id, now)
    return Principal.of(device)


# A staff member, device or token written (revoked, disabled, moved to other centres: any column
# or collection): forgotten at the commit here, and in the other processes through the committed
# changes (catalogue_sync.py).
changes.when_written((Staff, Device, ApiToken), forget_verified, noted=changes.people_changed,
                     collections=True)


def _hint(digest: str, kind: str) -> None:
    if len(_KIND_HINTS) >= _HINTS_KEPT:
        _KIND_HINTS.clear()
    _KIND_HINTS[digest] = kind


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def current_principal() -> Principal | None:
    """The caller of this request (bearer token first, then the login session).

    Cached on the request itself: `g` belongs to the app context, which outlives a request
    whenever one was already pushed (tests, jobs).
    """
    env = request.environ
    if "onedoor.principal" not in env:
        token = bearer_token()
        if token is not None:
            env["onedoor.principal"] = principal_for_token(token)
            env["onedoor.bad_token"] = env["onedoor.principal"] is None
        elif current_user.is_authenticated:
            env["onedoor.principal"] = Principal.of(current_user._get_current_object(), via_session=True)
        else:
            env["onedoor.principal"] = None
    return env["onedoor.principal"]


def forget_login_cache() -> None:
    """Flask-Login caches the user in `g`; make it load afresh for each request (see above)."""
    g.pop("_login_user", None)
