"""The planner page's roster part (/manager/<centre>/plan): the roster against the need per hour,
the planner's proposed shifts, and the day's drafts to accept or discard."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..domain.errors import DomainError
from ..extensions import db
from ..models import Staff
from ..refusals import refusal_text
from ..services import roster_drafts as drafts
from ..services.access import actor_of
from . import bp, managed_centre, managers_only


class DraftForm(FlaskForm):
    """Saving, accepting or discarding a draft: its CSRF token."""


def _by():
    return actor_of(current_user._get_current_object())


def _names() -> dict[str, str]:
    return dict(db.session.execute(select(Staff.username, Staff.name)).all())


def shift_rows(plans, tz) -> list[dict]:
    """A list of shifts as the page shows them: who (name and username), local times, breaks."""
    names = _names()

    def hm(moment) -> str:
        return moment.astimezone(tz).strftime("%H:%M")

    return [{"who": f"{names.get(p.staff, p.staff)} ({p.staff})", "start": hm(p.start), "end": hm(p.end),
             "breaks": ", ".join(f"{hm(b.start)}–{hm(b.end)}" for b in p.breaks)} for p in plans]


def roster_context(centre, day: date, plan, share: float) -> dict:
    """What the planner page shows of the roster: per hour need and clerks on duty, the proposal
    (when ?propose=1) and the day's drafts not yet accepted."""
    by = _by()
    on_duty = drafts.on_duty_by_hour(centre.code, day, by=by)
    rows = [{"hour": row.hour, "need": row.recommended, "on_duty": on_duty.get(row.hour, 0.0),
             "short": on_duty.get(row.hour, 0.0) < row.recommended} for row in plan.hours]
    proposal = None
    if request.args.get("propose"):
        proposal = shift_rows(drafts.propose(centre.code, day, by=by, share=share), centre.tz)
    pending = [{"id": d.id, "created": d.created_at.astimezone(centre.tz).strftime("%H:%M"),
                "shifts": shift_rows(drafts.draft_shifts(d), centre.tz)}
               for d in drafts.drafts(centre.code, day, by=by) if d.accepted_at is None]
    return {"roster_rows": rows, "proposal": proposal, "pending": pending, "draft_form": DraftForm()}


def _back(centre, day: str, share: str):
    return redirect(url_for("manager.planner", centre_code=centre.code, day=day, share=share) + "#roster-need", 303)


def _act(centre_code: str, action, done: str):
    centre = managed_centre(centre_code)
    day, share = request.form.get("day", ""), request.form.get("share", "")
    if not DraftForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return _back(centre, day, share)
    try:
        action(centre, day, share)
    except DomainError as exc:
        flash(refusal_text(exc.code), "error")
    except ValueError:
        flash(_("Choose a valid day and share."), "error")
    else:
        flash(done, "info")
    return _back(centre, day, share)


@bp.post("/<centre_code>/plan/drafts")
@managers_only
def save_draft(centre_code: str):
    return _act(centre_code, lambda c, day, share: drafts.save_draft(
        c.code, date.fromisoformat(day), by=_by(), share=float(share)), _("The proposed shifts are saved as a roster draft."))


@bp.post("/<centre_code>/plan/drafts/<int:draft_id>/accept")
@managers_only
def accept_draft(centre_code: str, draft_id: int):
    return _act(centre_code, lambda c, day, share: drafts.accept_draft(c.code, draft_id, by=_by()),
                _("The draft is accepted: the day's roster now holds its shifts."))


@bp.post("/<centre_code>/plan/drafts/<int:draft_id>/discard")
@managers_only
def discard_draft(centre_code: str, draft_id: int):
    return _act(centre_code, lambda c, day, share: drafts.discard_draft(c.code, draft_id, by=_by()),
                _("The draft is discarded."))
