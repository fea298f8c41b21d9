"""Sign in and out (session + CSRF), joining the queue from home, and a ticket's status page (the
QR code's target) with the visit's rating once it is finished."""
from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..auth import check_password
from ..db import utcnow
from ..domain.errors import DomainError, NotFound
from ..domain.feedback import FeedbackRefused
from ..extensions import db, limiter
from ..i18n import text
from ..limits import LOGIN_LIMIT, PUBLIC_LIMIT, remote_limit
from ..models import Centre, Service, Ticket
from ..refusals import http_status
from ..refusals import refusal_text as shared_refusal_text
from ..services.feedback import give_feedback, is_rated, visit_by_token
from ..services.reading import ticket_status
from ..services.offer import centre_offers
from ..services.remote import centres_overview, join_remotely, remote_rules
from . import bp
from .forms import RATING_LABELS, FeedbackForm, JoinForm, LoginForm, LogoutForm
from .steps import live_texts, step_lines


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never redirect a signed-in person elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
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


# ---- joining the queue from home --------------------------------------------------------------

def refusal_text(refusal: DomainError) -> str:
    """A refusal of the queue's rules, said to the visitor in the page's language."""
    texts = {
        "remote_disabled": _("Joining the queue from home is not offered. Please take a ticket at the centre."),
        "centre_closed": _("This centre is closed now. Join the queue during its opening hours, or book an "
                           "appointment."),
        "phone_limit": _("This phone number already holds a place in today's queue at this centre. Follow that "
                         "ticket's page; you can join again once that visit is over."),
        "not_served_now": _("No counter serves this service right now. Come later, or book an appointment."),
        "too_far_ahead": _("The wait for this service is over %(n)s minutes right now, too long to hold a place "
                           "from home. Come later, or book an appointment.", n=round(remote_rules().max_ahead_min)),
        "closes_too_soon": _("The centre closes before your turn would come. Please book an appointment."),
        "service_not_offered": _("This centre does not offer that service. Choose another centre or service."),
    }
    return texts.get(refusal.code) or shared_refusal_text(refusal.code)  # the code's text on every face


def _join_choices(form: JoinForm, centre_code: str | None = None) -> list[dict]:
    """The centres, and the services each labelled with what the chosen centre serves now."""
    centres = centres_overview()
    form.centre_names = {c["code"]: text(c["name"]) for c in centres}
    services = db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.position)).all()
    centre = db.session.scalar(select(Centre).where(Centre.code == centre_code)) if centre_code in form.centre_names else None
    words = {o["service"]: offer_words(o, centre.tz) for o in centre_offers(centre, utcnow())} if centre else {}
    form.offers_for = form.centre_names.get(centre_code) if centre else None
    form.service.choices = [SelectChoice("", _("Choose a service…")),
                            *(SelectChoice(s.code, f"{text(s.name)} — {words[s.code]}" if s.code in words else text(s.name))
                              for s in services)]
    for entry in form.more:  # a later step of the visit: any service, or none
        entry.choices = [SelectChoice("", _("None")), *form.service.choices[1:]]
    return centres


def offer_words(offer: dict, tz) -> str:
    """A service as a centre offers it now, in the page's language (services/offer.py)."""
    if offer["served_now"]:
        return _("served now")
    if not offer["served_today"]:
        return _("not served today")
    at = offer["next_served_at"]
    if at is not None and at > utcnow():
        return _("served from %(time)s", time=at.astimezone(tz).strftime("%H:%M"))
    return _("served later today")


def next_served_words(refusal: DomainError, centre_code: str) -> str:
    """When a service refused `not_served_today` is served next, on the centre's clock."""
    centre = db.session.scalar(select(Centre).where(Centre.code == centre_code))
    at = refusal.details.get("next_served_at")
    if centre is None or not at:
        return _("It is not served there in the next two weeks.")
    moment = datetime.fromisoformat(at)
    locale = str(get_locale())
    return _("It is served next on %(day)s from %(time)s.",
             day=format_date(moment.astimezone(centre.tz).date(), "EEEE d MMMM", locale=locale),
             time=moment.astimezone(centre.tz).strftime("%H:%M"))


def _join_page(form: JoinForm, centres: list[dict], error: str | None = None, status: int = 200,
               book_url: str | None = None):
    return render_template("join.html", form=form, centres=centres, error=error, book_url=book_url or "/book",
                           offer_texts={"served_now": _("served now"), "not_today": _("not served today"),
                                        "served_from": _("served from %(time)s", time="{time}"),
                                        "served_later": _("served later today")}), status


def _join_rate_limited(_limit):
    """The page's answer past the per-client allowance: the form again, saying so."""
    form = JoinForm(formdata=None)
    centres = _join_choices(form)
    return current_app.make_response(_join_page(
        form, centres, _("Too many tickets were asked for from this connection. Please try again later."), 429))


@bp.route("/join", methods=["GET", "POST"])
@remote_limit(methods=["POST"], on_breach=_join_rate_limited)
def join():
    """Join today's queue from home: choose a centre and a service (or up to five, one visit), give a
    phone, follow the ticket."""
    form = JoinForm()
    centres = _join_choices(form)
    if request.method == "GET":
        form.centre.data = request.args.get("centre") or next((c["code"] for c in centres if c["open_now"]), None)
        form.service.data = request.args.get("service")
        for entry, code in zip(form.more, request.args.getlist("more")):
            entry.data = code
        _join_choices(form, form.centre.data)
        return _join_page(form, centres)
    _join_choices(form, form.centre.data)
    if not form.validate_on_submit():
        return _join_page(form, centres, status=422)  # a typo: nothing counted against the allowance
    try:
        several = form.services if len(form.services) > 1 else None
        issued = join_remotely(form.centre.data, form.service.data if several is None else None, form.phone.data,
                               services=several, language=str(get_locale()))
    except DomainError as refusal:
        said, book = refusal_text(refusal), None
        if refusal.code == "not_served_today":
            said = f"{said} {next_served_words(refusal, form.centre.data)}"
            if refusal.details.get("bookable"):  # the service refused (a visit's step names its own)
                book = url_for("booking_site.day_step", service=refusal.details.get("service") or form.service.data,
                               centre=form.centre.data)
        return _join_page(form, centres, said, 409 if http_status(refusal) < 422 else 422, book)
    return redirect(url_for("pages.status_page", token=issued.ticket.token))


# ---- the ticket's live status page -----------------------------------------------------------

def _status_page(token: str, form: FeedbackForm | None = None, code: int = 200):
    if len(token) > 64 or "\x00" in token:
        abort(404)
    language = db.session.scalar(db.select(Ticket.language).where(Ticket.token == token))
    if language is not None:
        g.page_language = request.args.get("lang") or language
    try:
        status = ticket_status(token, utcnow())
    except NotFound:
        return render_template("status.html", status=None), 404
    rated = status.status == "done" and is_rated(visit_by_token(token))
    # Where to go: a visitor who joined from home needs it (a centre closed down since still shows).
    centre = db.session.scalar(select(Centre).where(Centre.code == status.centre))
    return render_template(
        "status.html", status=status, service_name=text(status.service_name), current_user=current_user,
        token=token, centre_name=text(centre.name), centre_address=text(centre.address),
        rated=rated, form=form or FeedbackForm(formdata=None), ratings=RATING_LABELS,
        steps=step_lines(status), step_texts=live_texts(),
    ), code


@bp.get("/t/<token>", endpoint="status_page")
@limiter.limit(PUBLIC_LIMIT)
def status_page(token: str):
    """The visitor's ticket: number, status, place in line, estimated wait, counter when called;
    once the visit is done, a form to rate it."""
    return _status_page(token)


@bp.post("/t/<token>/feedback", endpoint="feedback")
@limiter.limit(PUBLIC_LIMIT)
def feedback(token: str):
    """Rate the finished visit (works without JavaScript); then the page thanks the visitor."""
    form = FeedbackForm()
    if not form.validate_on_submit():
        return _status_page(token, form, 422)
    try:
        give_feedback(token, form.rating.data, form.comment.data)
    except NotFound:
        abort(404)
    except FeedbackRefused as refusal:
        if refusal.code == "not_finished":  # (rated already: the page shows the thanks)
            flash(shared_refusal_text(refusal.code), "error")
    return redirect(url_for("pages.status_page", token=token))


# ---- the front page and the site's icon ---------------------------------------------------------

@bp.get("/")
@limiter.limit(PUBLIC_LIMIT)
def front():
    """The front page (SPEC §1): booking, joining, open data, each centre's live wait, and the staff's faces."""
    centres = centres_overview()
    return render_template("front.html", centres=centres, names={c["code"]: text(c["name"]) for c in centres},
                           addresses={c["code"]: text(c["address"]) for c in centres})


@functools.cache
def _icon(folder: str) -> bytes:
    return (Path(folder) / "favicon.ico").read_bytes()


@bp.get("/favicon.ico")
def favicon():
    """The site's icon, where browsers look for it on every page (no template has to name it).
    Answered from memory: a browser often drops this request as its page closes, and a file sent
    from disk was then left open to the collector (a ResourceWarning in CI, 2026-12-06)."""
    response = current_app.response_class(_icon(current_app.static_folder), mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
