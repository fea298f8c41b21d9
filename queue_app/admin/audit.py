"""The audit page (/admin/audit): the audit trail filtered by who, what, when and centre, newest first
a page at a time, each change shown as its differences; and the same rows as CSV (/admin/audit.csv)."""
from __future__ import annotations

from datetime import date

from flask import Response, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.audit_diff import shown
from ..domain.errors import InvalidRequest
from ..manager import managed_centre, managers_only, refused
from ..services.access import actor_of, reachable_centres
from ..services.audit_trail import AuditFilter, audit_all, audit_choices, audit_page, csv_text
from . import bp

ROWS_PER_PAGE = 50
FIELDS = ("staff", "entity", "action", "from", "to", "centre")


class FormError(Exception):
    """What the filter form must say instead of rows."""


def _day(name: str) -> date | None:
    typed = request.args.get(name, "")
    try:
        return date.fromisoformat(typed) if typed else None
    except ValueError:
        raise FormError(_("Choose valid dates: From and To are days written YYYY-MM-DD.")) from None


def wanted() -> AuditFilter:
    """The filter the form asks for (FormError when its dates are wrong; 404/403 for a centre not theirs)."""
    args = request.args
    start, end = _day("from"), _day("to")
    if start and end and end < start:
        raise FormError(_("The period ends before it starts: choose a To on or after From."))
    centre = args.get("centre") or None
    if centre:
        managed_centre(centre)
    return AuditFilter(staff=args.get("staff") or None, entity=args.get("entity") or None,
                       action=args.get("action") or None, start=start, end=end, centre=centre)


def _page_number() -> int:
    typed = request.args.get("page", "1")
    return int(typed) if typed.isdigit() and 0 < int(typed) < 1_000_000 else 1


@bp.get("/audit")
@managers_only
def audit():
    """The filter form, then the rows it takes with their changes, and links to the other pages and CSV."""
    by = actor_of(current_user._get_current_object())
    form = {name: request.args.get(name, "") for name in FIELDS}
    error, found, status = None, None, 200
    try:
        found = audit_page(wanted(), by=by, page=_page_number(), per_page=ROWS_PER_PAGE)
    except (FormError, InvalidRequest) as exc:
        error, status = str(exc), 422
    links = {k: v for k, v in form.items() if v}
    return render_template(
        "admin/audit.html", form=form, error=error, found=found, links=links, shown=shown,
        choices=audit_choices(by=by), centres=reachable_centres(current_user), everywhere=current_user.role == "admin",
        when=lambda moment: format_datetime(moment, "short"),
    ), status


@bp.get("/audit.csv")
@managers_only
def audit_csv():
    """Every row the filter takes, as CSV (a header line, then one line per change)."""
    try:
        rows = audit_all(wanted(), by=actor_of(current_user._get_current_object()))
    except (FormError, InvalidRequest) as exc:
        return refused(str(exc), 422)
    return Response(csv_text(rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="onedoor-audit.csv"'})
