"""Staff accounts administered by admins and, for their own centres' clerks, managers (SPEC §12, §9).

Each change is one transaction with its audit row (the person as the network file says them, and
whether the account is active — never a password or its hash). Nothing in flight is stranded: a
clerk who holds a counter is not disabled, moved to another centre or given another role until
the counter is closed.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select

from ...domain.access import ADMIN, CLERK, MANAGER, Actor
from ...domain.errors import DomainError, Forbidden, InvalidRequest, NotFound
from ...domain.lifecycle import COUNTER_HELD
from ...extensions import db
from ...models import Centre, Counter, Service, Staff, staff_centres
from .. import people
from ..access import standing
from ..audit import audit
from ..snapshot import staff_entry
from ..tx import atomic
from .catalogue import StillInUse
from .common import checked_name, invalid, record

# What a manager may change, and only of their centres' clerks (who stay clerks, at their centres).
MANAGER_FIELDS = {"name", "centres", "primary", "secondary", "active"}
FIELDS = {"name", "role", "centres", *MANAGER_FIELDS}


def new_password() -> str:
    """A random password to give the person once (about 96 bits)."""
    return secrets.token_urlsafe(12)


def _entry(staff: Staff) -> dict:
    return {**staff_entry(staff), "active": staff.active}


def _scope(by: Actor) -> tuple[str, frozenset[int] | None]:
    """The reader's role and centres (None: every centre); Forbidden unless an admin or a manager."""
    role, scope = (None, None) if by.is_device else standing(by)
    if role not in (ADMIN, MANAGER):
        raise Forbidden(f"{by.name} may not administer staff")
    return role, scope


def staff_list(by: Actor) -> list[Staff]:
    """Every account for an admin; for a manager, the people who work at one of their centres."""
    _, scope = _scope(by)
    query = select(Staff).order_by(Staff.username)
    if scope is not None:
        query = query.where(Staff.id.in_(select(staff_centres.c.staff_id).where(staff_centres.c.centre_id.in_(scope))))
    return list(db.session.scalars(query))


def _staff(username: str) -> Staff:
    staff = None if "\x00" in username else db.session.scalar(  # PostgreSQL refuses a NUL in a text
        select(Staff).where(Staff.username == username).with_for_update())
    if staff is None:
        raise NotFound(f"no staff member with username {username!r}")
    return staff


def _centres(codes: list[str]) -> list[Centre]:
    if len(set(codes)) != len(codes):
        raise invalid("centres", "a centre is listed twice")
    found = {c.code: c for c in db.session.scalars(select(Centre).where(Centre.code.in_(codes)))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise invalid("centres", f"no centre with code(s) {', '.join(missing)}")
    return [found[c] for c in codes]


def _check_post(role: str, centres: list[Centre]) -> None:
    if role == CLERK and len(centres) != 1:
        raise invalid("centres", "a clerk works at exactly one centre")
    if role == MANAGER and not centres:
        raise invalid("centres", "a manager manages at least one centre")


def _skill_ids(role: str, primary: list[str], secondary: list[str]) -> tuple[list[int], list[int]]:
    """The services' ids of these skills; 422 naming the field when one is unknown or listed twice."""
    if role != CLERK and (primary or secondary):
        raise invalid("primary" if primary else "secondary", "only clerks have skills")
    active = dict(db.session.execute(select(Service.code, Service.id).where(Service.active.is_(True))).all())
    for field, codes in (("primary", primary), ("secondary", secondary)):
        unknown = [c for c in codes if c not in active]
        if unknown:
            raise invalid(field, f"no active service with code(s) {', '.join(unknown)}")
        if len(set(codes)) != len(codes):
            raise invalid(field, "a service is listed twice")
    if both := sorted(set(primary) & set(secondary)):
        raise invalid("secondary", f"{', '.join(both)} already primary: a skill has one level")
    return [active[c] for c in primary], [active[c] for c in secondary]


def _allowed(by: Actor, staff_role: str, centres: list[Centre], what: str) -> frozenset[int] | None:
    """Raise Forbidden unless `by` is an admin, or a manager acting on a clerk of their own centres;
    return `by`'s centres (None: an admin's, every one)."""
    role, scope = _scope(by)
    if role == ADMIN:
        return None
    if staff_role != CLERK or not centres or any(c.id not in scope for c in centres):
        raise Forbidden(f"{by.name} may {what} only clerks of their own centres")
    return scope


@atomic
def create_staff(by: Actor, *, username: str, role: str, name: str | None = None, centres: list[str] = (),
                 primary: list[str] = (), secondary: list[str] = ()) -> tuple[Staff, str]:
    """Add an account (admins: any role; managers: clerks of their centres); return it and its
    first password, given this once."""
    places = _centres(list(centres))
    _allowed(by, role, places, "add")
    if db.session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise invalid("username", f"{username!r} is already taken")
    _check_post(role, places)
    _skill_ids(role, list(primary), list(secondary))
    password = new_password()
    staff = people.create_user(username, role, password=password, name=name, centres=list(centres),
                               primary=list(primary), secondary=list(secondary))
    record(by, "staff", username, "create", None, _entry(staff), centre_id=_home(staff))
    return staff, password


def _held_counters(staff: Staff) -> list[Counter]:
    return list(db.session.scalars(select(Counter).where(Counter.staff_id == staff.id,
                                                         Counter.state.in_(COUNTER_HELD)).order_by(Counter.code)))


@atomic
def change_staff(by: Actor, username: str, **fields) -> Staff:
    """Change an account: admins any of name, role, centres, primary, secondary, active; managers the
    name, centres (among theirs), skills and active of their centres' clerks. Refused (409 `in_use`)
    while the person holds a counter the change would leave without its clerk; disabling revokes
    their tokens."""
    if unknown := set(fields) - FIELDS:
        raise InvalidRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    staff = _staff(username)
    scope = _allowed(by, staff.role, staff.centres, "change")
    if scope is not None and set(fields) - MANAGER_FIELDS:
        raise Forbidden(f"a manager changes a clerk's name, centres, skills and whether the account is active, "
                        f"not {', '.join(sorted(set(fields) - MANAGER_FIELDS))}")
    if staff.id == by.staff_id and (fields.get("active") is False or fields.get("role", staff.role) != staff.role):
        raise invalid("active" if "active" in fields else "role", "you may not disable or demote your own account")
    before = _entry(staff)
    role = fields.get("role", staff.role)
    places = _centres(fields["centres"]) if "centres" in fields else list(staff.centres)
    if scope is not None and (others := [c.code for c in places if c.id not in scope]):
        message = f"you do not manage {', '.join(others)}: a clerk moves only among your centres"
        raise Forbidden(f"centres: {message}", details={"fields": {"centres": message}})
    _check_post(role, places)
    skills = {"primary": before["primary"], "secondary": before["secondary"]} if role == CLERK else {}
    skills |= {k: fields[k] for k in ("primary", "secondary") if k in fields}
    primary, secondary = _skill_ids(role, skills.get("primary", []), skills.get("secondary", []))
    held = _held_counters(staff)
    leaving = [c.code for c in held if fields.get("active") is False or role != staff.role
               or c.centre_id not in {p.id for p in places}]
    if leaving:
        raise StillInUse(f"{username} holds counter(s) {', '.join(leaving)}: close them first",
                         details={"counters": leaving})
    if "name" in fields:
        staff.name = checked_name(fields["name"], "name", 120)
    if {"primary", "secondary"} & set(fields) or role != staff.role:
        people.set_skills(staff, primary, secondary)
    staff.role, staff.centres = role, places
    if "active" in fields:
        people.set_user_active(username, fields["active"])
    db.session.flush()
    after = _entry(staff)
    if after != before:
        record(by, "staff", username, "change", before, after, centre_id=_home(staff))
    return staff


def _home(staff: Staff) -> int | None:
    """The centre an audit row about this person belongs to: their one centre, if they have one."""
    return staff.centres[0].id if len(staff.centres) == 1 else None


@atomic
def reset_password(by: Actor, username: str) -> str:
    """Give the account a new random password (returned this once) and revoke its API tokens."""
    staff = _staff(username)
    _allowed(by, staff.role, staff.centres, "reset the password of")
    if staff.id == by.staff_id:
        raise DomainError("reset another person's password: resetting your own here would sign you out "
                          "with a password you have not chosen")
    password = new_password()
    people.set_password(staff, password)
    revoked = people.revoke_staff_tokens(staff.id)
    audit(by, "staff", username, "reset_password", after={"tokens_revoked": revoked},  # no set-up changed
          centre_id=_home(staff))
    return password
