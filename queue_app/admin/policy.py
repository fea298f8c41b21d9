"""The call-next policy's pages: /admin/policy (the network's knobs: an admin changes them, a manager
reads them) and, on a centre's page, its own knobs (an admin sets each apart from the network or
back to it; its managers read them). Every change goes through services/admin/policy.py."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..domain.errors import DomainError, Forbidden
from ..manager import managed_centre, managers_only
from ..refusals import http_status, refusal_text
from ..services import admin
from . import bp
from .centres import centre_page, refused_page, saved
from .once import by, is_admin
from .policy_forms import KNOBS, centre_form, centre_values, missing_minutes, network_form, network_values, shown


def _only_admin() -> DomainError:
    return Forbidden(_("Only an administrator changes how the next visitor is chosen."))


def _network_page(form=None, refusal: DomainError | None = None, status: int = 200):
    """The network's policy, and the centres (the reader's) that set some of it apart."""
    values = admin.network_policy(by())
    return render_template(
        "admin/policy.html", values=values, knobs=KNOBS, shown=shown,
        form=(form or network_form(values)) if is_admin() else None,
        centres=[c for c in admin.centres(by()) if c["policy"] and c["active"]], refusal=refusal,
        refusal_summary=refusal_text(refusal.code) if refusal else None,
        field_errors=(refusal.details or {}).get("fields", {}) if refusal else {},
    ), status


@bp.get("/policy")
@managers_only
def policy():
    """How the next visitor is chosen across the network."""
    return _network_page()


@bp.post("/policy")
@managers_only
def change_policy():
    """An admin changes the network's knobs (a manager: 403)."""
    if not is_admin():
        return _network_page(refusal=_only_admin(), status=403)
    form = network_form()
    if not form.validate_on_submit():
        return _network_page(form, status=422)
    try:
        admin.change_network_policy(by(), **network_values(form))
    except DomainError as exc:
        return _network_page(form, exc, http_status(exc))
    flash(_("Saved."), "info")
    return redirect(url_for(".policy"), 303)


@bp.post("/centres/<string(maxlength=8):code>/policy")
@managers_only
def change_centre_policy(code: str):
    """An admin sets each of the centre's knobs as the network or apart from it (a manager: 403)."""
    managed_centre(code)
    if not is_admin():
        return centre_page(code, status=403, refusal=_only_admin())
    form = centre_form()
    invalid = not form.validate_on_submit()
    if missing_minutes(form) or invalid:
        return centre_page(code, status=422, policy=form)
    try:
        admin.change_centre_policy(by(), code, **centre_values(form))
    except DomainError as exc:
        return refused_page(code, exc, policy=form)
    return saved(code)


@bp.post("/centres/<string(maxlength=8):code>/policy/<string(maxlength=40):knob>/network")
@managers_only
def follow_network(code: str, knob: str):
    """An admin gives one of the centre's knobs the network's value again."""
    managed_centre(code)
    if not is_admin():
        return centre_page(code, status=403, refusal=_only_admin())
    if not FlaskForm().validate_on_submit():
        return centre_page(code, status=422)
    try:
        admin.change_centre_policy(by(), code, **{knob: None})
    except DomainError as exc:
        return refused_page(code, exc)
    return saved(code)
