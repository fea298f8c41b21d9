"""What every administrative change shares: who may make it, its audit row, and telling the faces."""
from __future__ import annotations

from ...domain.access import ADMIN, MANAGER, Actor
from ...domain.admin import texts_problems
from ...domain.errors import Forbidden, InvalidRequest
from ...domain.text import visible_name
from ...extensions import db
from ...models import Centre, Setting
from .. import changes
from ..access import authorise, standing
from ..audit import audit
from ..lookup import language_codes


def admin_only(by: Actor, what: str) -> None:
    """Raise Forbidden unless `by` is an admin (the catalogue and the network are the admin's)."""
    if by.is_device or standing(by)[0] != ADMIN:
        raise Forbidden(f"{by.name} may not change {what}: only an admin may")


def manager_of(by: Actor, centre: Centre) -> str:
    """Raise Forbidden unless `by` manages `centre` (or is an admin); return their role."""
    if by.is_device:
        raise Forbidden(f"a {by.role} may not change centre {centre.code}")
    role = authorise(by, centre.id)
    if role not in (ADMIN, MANAGER):
        raise Forbidden(f"{by.name} may not change centre {centre.code}")
    return role


def checked_texts(value: dict, field: str) -> dict:
    """`value` as texts in the configured languages, every one of them given; else 422 per field."""
    problems = texts_problems(value, field, language_codes())
    if problems:
        raise InvalidRequest(next(iter(problems.values())), details={"fields": problems})
    return {lang: text.strip() for lang, text in value.items()}


def invalid(field: str, message: str) -> InvalidRequest:
    """A refusal naming the field it is about."""
    return InvalidRequest(f"{field}: {message}", details={"fields": {field: message}})


def checked_name(value: str | None, field: str, max_length: int) -> str:
    """`value` trimmed as a name (a visible letter or digit, at most `max_length`); else 422 naming the field."""
    try:
        return visible_name(value or "", field, max_length)
    except InvalidRequest as exc:
        raise invalid(field, exc.message.removeprefix("the ")) from None


def record(by: Actor, entity: str, key: str, action: str, before, after, *, centre_id: int | None = None) -> None:
    """Audit the change in its transaction, bump the set-up's version, and have every process and
    screen renew what it shows once the change is committed."""
    audit(by, entity, key, action, before=before, after=after, centre_id=centre_id)
    row = db.session.get(Setting, "catalogue", with_for_update=True)
    if row is None:
        db.session.add(Setting(key="catalogue", value={"version": 1}))
    else:
        row.value = {**row.value, "version": row.value.get("version", 0) + 1}
    changes.catalogue_changed()
