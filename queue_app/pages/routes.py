"""Sign in and out (session + CSRF), and a ticket's status page (the QR code's target)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..auth import check_password
from ..db import utcnow
from ..domain.errors import NotFound
from ..extensions import db, limiter
from ..i18n import text
from ..models import Ticket
from ..services.reading import ticket_status
from . import bp
from .forms import LoginForm, LogoutForm


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never redirect a signed-in person elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ONEDOOR_LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        staff = check_password(form.username.data, form.password.data)
        if staff is None:
            flash(_("Wrong username or password, or the account is disabled."), "error")
            return render_template("login.html", form=form), 401
        login_user(staff)
        return redirect(_safe_next(request.args.get("next")) or url_for("pages.login"))
    return render_template("login.html", form=form, logout=LogoutForm())


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("pages.login"))


@bp.get("/t/<token>", endpoint="status_page")
@limiter.limit(lambda: current_app.config["ONEDOOR_PUBLIC_RATE_LIMIT"])
def status_page(token: str):
    """The visitor's ticket: number, status, place in line, estimated wait, counter when called."""
    if len(token) > 64 or "\x00" in token:
        abort(404)
    language = db.session.scalar(db.select(Ticket.language).where(Ticket.token == token))
    if language is not None:
        g.page_language = request.args.get("lang") or language
    try:
        status = ticket_status(token, utcnow())
    except NotFound:
        return render_template("status.html", status=None), 404
    return render_template("status.html", status=status, service_name=text(status.service_name), current_user=current_user)
