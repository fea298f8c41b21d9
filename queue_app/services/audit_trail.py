"""Reading the audit trail (SPEC §9, §12): its rows by who, what, when and centre, newest first, a
page at a time or all of them as CSV. A manager reads the rows of their centres; an admin every row.

Days (`start`, `end`) are UTC days, as the rows' times are written and shown.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from ..domain.access import Actor
from ..domain.audit_diff import Change, diff, shown
from ..domain.errors import Forbidden, InvalidRequest, NotFound
from ..extensions import db
from ..models import AuditEvent, Centre, Device, Staff
from .access import standing

PER_PAGE = 50
MAX_PER_PAGE = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_FIELDS = ("id", "at", "who", "centre", "entity", "key", "action", "changes", "before", "after")


@dataclass(frozen=True)
class AuditFilter:
    """Which rows: by staff username, entity, action, UTC days from/to, centre code (each optional)."""

    staff: str | None = None
    entity: str | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None
    centre: str | None = None


@dataclass
class AuditRow:
    """One audit row as a reader sees it: who in words, the centre's code, and its changes (domain/audit_diff)."""

    id: int
    at: datetime
    who: str
    staff: str | None
    centre: str | None
    entity: str
    key: str
    action: str
    before: object
    after: object
    changes: list[Change] = field(default_factory=list)


@dataclass
class AuditPage:
    """The `page`-th `per_page` rows of `total` the filter takes."""

    rows: list[AuditRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def _scoped(by: Actor, wanted: AuditFilter) -> Select:
    """The rows' query: the reader's centres, then the filter (404 unknown centre, 403 not theirs)."""
    role, scope = standing(by)
    if role not in ("admin", "manager", "system"):
        raise Forbidden(f"a {role} may not read the audit trail")
    if wanted.start and wanted.end and wanted.end < wanted.start:
        raise InvalidRequest("the period ends before it starts")
    query = select(AuditEvent.id)
    if scope is not None:
        query = query.where(AuditEvent.centre_id.in_(scope))
    if wanted.centre:
        centre = db.session.scalar(select(Centre).where(Centre.code == wanted.centre))
        if centre is None:
            raise NotFound(f"no centre {wanted.centre!r}")
        if scope is not None and centre.id not in scope:
            raise Forbidden(f"{by.name} does not act at centre {centre.code}")
        query = query.where(AuditEvent.centre_id == centre.id)
    if wanted.staff:
        query = query.join(Staff, Staff.id == AuditEvent.actor_staff_id).where(Staff.username == wanted.staff)
    if wanted.entity:
        query = query.where(AuditEvent.entity == wanted.entity)
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.start:
        query = query.where(AuditEvent.at >= _midnight(wanted.start))
    if wanted.end:
        query = query.where(AuditEvent.at < _midnight(wanted.end + timedelta(days=1)))
    return query


def _rows(ids: Select) -> list[AuditRow]:
    actor = aliased(Staff)
    found = db.session.execute(
        select(AuditEvent, actor.username, actor.name, Device.kind, Device.name.label("device"), Centre.code)
        .outerjoin(actor, actor.id == AuditEvent.actor_staff_id)
        .outerjoin(Device, Device.id == AuditEvent.device_id)
        .outerjoin(Centre, Centre.id == AuditEvent.centre_id)
        .where(AuditEvent.id.in_(ids.scalar_subquery()))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    rows = []
    for event, username, name, kind, device, centre in found:
        if username:
            who = f"{name} ({username})" if name and name != username else username
        elif device:
            who = f"{kind} #{event.device_id} {device}"
        else:
            who = "system"
        rows.append(AuditRow(event.id, event.at, who, username, centre, event.entity, event.entity_key,
                             event.action, event.before, event.after, diff(event.before, event.after)))
    return rows


def audit_page(wanted: AuditFilter, *, by: Actor, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """The page-th `per_page` rows the reader may see and the filter takes, newest first, and how many in all."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidRequest(f"page starts at 1; per_page is 1..{MAX_PER_PAGE}")
    query = _scoped(by, wanted)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    ids = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    return AuditPage(_rows(ids), total, page, per_page)


def audit_all(wanted: AuditFilter, *, by: Actor) -> list[AuditRow]:
    """Every row the reader may see and the filter takes, newest first (the CSV export)."""
    return _rows(_scoped(by, wanted))


def audit_choices(*, by: Actor) -> dict[str, list[str]]:
    """What the reader's rows hold to filter by: staff usernames, entities and actions, sorted."""
    ids = _scoped(by, AuditFilter()).scalar_subquery()
    staff = db.session.scalars(select(Staff.username).join(AuditEvent, AuditEvent.actor_staff_id == Staff.id)
                               .where(AuditEvent.id.in_(ids)).distinct().order_by(Staff.username))
    pairs = db.session.execute(select(AuditEvent.entity, AuditEvent.action).where(AuditEvent.id.in_(ids)).distinct()).all()
    return {"staff": list(staff), "entities": sorted({p.entity for p in pairs}),
            "actions": sorted({p.action for p in pairs})}


def change_text(change: Change) -> str:
    """A change in one line: `changed path: before → after`, `added path: value` or `removed path: value`."""
    where = f" {change.path}" if change.path else ""
    if change.kind == "added":
        return f"added{where}: {shown(change.after)}"
    if change.kind == "removed":
        return f"removed{where}: {shown(change.before)}"
    return f"changed{where}: {shown(change.before)} → {shown(change.after)}"


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula (OWASP "CSV injection"): names are typed by people.
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def csv_text(rows: list[AuditRow]) -> str:
    """A header line, then one line per row: its changes one per line in a cell, and the raw JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for r in rows:
        writer.writerow([_cell(str(v)) for v in (
            r.id, r.at.isoformat(), r.who, r.centre or "", r.entity, r.key, r.action,
            "\n".join(change_text(c) for c in r.changes),
            "" if r.before is None else shown(r.before), "" if r.after is None else shown(r.after))])
    return out.getvalue()
