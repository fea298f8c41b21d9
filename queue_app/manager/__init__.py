"""The managers' pages at /manager (SPEC §1): the live dashboard, reports and the staffing planner.

A manager sees the centres they manage; an administrator every centre and the network overview.
Each part lives in its own module and adds its routes to this blueprint.
"""
from __future__ import annotations

import functools

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..domain.errors import NotFound
from ..models import Centre
from ..services.access import acts_at
from ..services.lookup import centre_by_code

bp = Blueprint("manager", __name__, url_prefix="/manager", template_folder="templates",
               static_folder="static", static_url_path="/static")

MANAGERS = ("manager", "admin")


def refused(message: str, status: int):
    return render_template("manager/refused.html", message=message), status


def managers_only(view):
    """Signed in (else to the login page) as a manager or an administrator (else 403)."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role not in MANAGERS:
            return refused(_("Only managers and administrators see these pages."), 403)
        return view(*args, **kwargs)

    return wrapper


def managed_centre(code: str) -> Centre:
    """The centre of the URL, if the signed-in manager manages it (an admin: any); else 404/403."""
    try:
        centre = centre_by_code(code)
    except NotFound:
        abort(404)
    if not acts_at(current_user, centre.id):
        abort(403)
    return centre


from . import dashboard, events, planner, reports, roster, roster_drafts  # noqa: E402,F401  (each adds its routes to bp)
