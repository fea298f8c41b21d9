"""Managing an appointment by its code: see it, download it, cancel it, move it to another slot; a
visit of several services is cancelled and moved whole."""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import services
from ..db import utcnow
from ..domain.appointments import BOOKED, CANCELLED, LIVE
from ..domain.errors import NotFound
from ..domain.slots import NotASlot, SlotFull
from ..extensions import db, limiter
from ..limits import PUBLIC_LIMIT, booking_limit
from ..models import Appointment
from ..refusals import refusal_text
from ..services.booking import NotChangeable, normalise_code
from . import bp
from .documents import calendar_file, confirmation_pdf
from .forms import CodeForm, ConfirmForm, MoveForm
from .plans import days, plan_of, starts
from .reading import parse_stamp, stamp, when_label
from .routes import _day, _offer_submitted, start_label

CODE = "<string(maxlength=32):code>"


def state_of(appointment) -> str:
    """booked, past, checked_in or cancelled: what the visitor can still do with it."""
    if appointment.status == BOOKED and appointment.start <= utcnow():
        return "past"
    return appointment.status


def refusal(error: NotChangeable) -> str:
    return {
        "already_cancelled": _("This appointment is already cancelled."),
        "already_checked_in": _("You have already checked in: this appointment can no longer be changed."),
        "already_started": _("This appointment has already started or passed: it can no longer be changed."),
        "missed": _("This appointment was missed. Please book a new one."),
    }.get(error.code) or refusal_text(error.code)


def _appointment(code: str):
    try:
        appointment = services.appointment_by_code(code)
    except NotFound:
        abort(404, _("No appointment has this code. Check it and try again: it is on your confirmation."))
    if appointment.visit_id is not None:  # a later step's own code: the visit is managed whole, by its first
        first = db.session.get(Appointment, appointment.visit_id)
        abort(redirect(url_for(request.endpoint, **{**request.view_args, "code": first.code}), 303))
    speak_their_language(appointment)
    return appointment


def speak_their_language(appointment) -> None:
    """A link followed from a message opens in the booking's language, unless one was chosen here."""
    if not request.args.get("lang") and "lang" not in session:
        g.page_language = appointment.language


def _changeable(code: str):
    """The appointment if it can still be cancelled or moved; else back to its page with why."""
    appointment = _appointment(code)
    if state_of(appointment) != BOOKED:
        flash(_("This appointment can no longer be changed."), "error")
        return appointment, redirect(url_for(".manage", code=appointment.code), 303)
    return appointment, None


@bp.route("/manage", methods=["GET", "POST"])
@limiter.limit(PUBLIC_LIMIT)  # codes are not to be guessed at speed
def find():
    """The form asking for a code; a known code leads to its page."""
    form, status = CodeForm(), 200
    if form.validate_on_submit():
        code = normalise_code(form.code.data)
        try:
            services.appointment_by_code(code)
        except NotFound:
            form.code.errors = [*form.code.errors, _("No appointment has this code. Check it and try again.")]
            status = 404
        else:
            return redirect(url_for(".manage", code=code), 303)
    elif form.is_submitted():
        status = 422
    return render_template("booking_site/find.html", form=form), status


@bp.get(f"/manage/{CODE}")
@limiter.limit(PUBLIC_LIMIT)
def manage(code):
    """The appointment with what can still be done with it."""
    if normalise_code(code) != code:
        return redirect(url_for(".manage", code=normalise_code(code)), 301)
    appointment = _appointment(code)
    return render_template("booking_site/appointment.html", appointment=appointment, state=state_of(appointment),
                           confirmation=False)


@bp.route(f"/manage/{CODE}/cancel", methods=["GET", "POST"])
@limiter.limit(PUBLIC_LIMIT)
def cancel(code):
    """Ask first (GET), then cancel (POST)."""
    appointment, away = _changeable(code)
    if away:
        return away
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.cancel_appointment(appointment.code)
        except NotChangeable as error:
            flash(refusal(error), "error")
        else:
            flash(_("Your appointment is cancelled. Its time is free for someone else."), "info")
        return redirect(url_for(".manage", code=appointment.code), 303)
    return render_template("booking_site/cancel.html", appointment=appointment, form=form)


@bp.get(f"/manage/{CODE}/move")
@limiter.limit(PUBLIC_LIMIT)
def move(code):
    """Choose the new day: same centre, same services (a day where the whole visit fits)."""
    appointment, away = _changeable(code)
    if away:
        return away
    plan = plan_of(appointment)
    return render_template("booking_site/days.html", plan=plan, centre=appointment.centre,
                           days=days(appointment.centre, plan), moving=appointment,
                           day_url=lambda d: url_for(".move_day", code=appointment.code, day=d.isoformat()),
                           back=url_for(".manage", code=appointment.code))


def _move_choices(form: MoveForm, appointment, day) -> list:
    """Offer the day's free starts of the whole visit but its own; return them."""
    centre = appointment.centre
    found = [s for s in starts(centre, plan_of(appointment), day) if s.start != appointment.start]
    form.start.choices = [(stamp(s.start), start_label(s, centre)) for s in found]
    return found


@bp.route(f"/manage/{CODE}/move/<string(length=10):day>", methods=["GET", "POST"])
@limiter.limit(PUBLIC_LIMIT)
@booking_limit()
def move_day(code, day):
    """Choose the new time and move the appointment; a time taken meanwhile shows the fresh list."""
    appointment, away = _changeable(code)
    if away:
        return away
    day = _day(day)
    form, problem, status = MoveForm(), None, 200
    slots = _move_choices(form, appointment, day)
    _offer_submitted(form)
    if form.validate_on_submit():
        try:
            services.reschedule_visit(appointment.code, parse_stamp(form.start.data))
        except SlotFull:
            problem, status = _("Sorry, that time has just been taken. Choose another time: "
                                "the list now shows only the times still free."), 409
        except NotASlot:
            problem, status = _("That time can no longer be booked. Choose another time."), 422
        except NotChangeable as error:
            flash(refusal(error), "error")
            return redirect(url_for(".manage", code=appointment.code), 303)
        else:
            flash(_("Your appointment is moved to %(when)s. Your code stays the same.",
                    when=when_label(appointment.start, appointment.centre)), "info")
            return redirect(url_for(".manage", code=appointment.code), 303)
        slots = _move_choices(form, appointment, day)
        form.start.data = None
    elif form.is_submitted():
        status = 422
        slots = _move_choices(form, appointment, day)
    return render_template("booking_site/move.html", appointment=appointment, plan=plan_of(appointment), day=day,
                           form=form, slots=slots,
                           problem=problem,
                           back=url_for(".move", code=appointment.code)), status


def _downloadable(code: str):
    appointment = _appointment(code)
    if appointment.status not in LIVE:
        abort(404, _("This appointment was cancelled.") if appointment.status == CANCELLED
              else _("This appointment was missed. Please book a new one."))
    return appointment


@bp.get(f"/manage/{CODE}/confirmation.pdf")
@limiter.limit(PUBLIC_LIMIT)
def pdf(code):
    """The confirmation to print or keep, in the page's language."""
    appointment = _downloadable(code)
    manage_url = url_for(".manage", code=appointment.code, _external=True)
    return Response(confirmation_pdf(appointment, manage_url), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="appointment-{appointment.code}.pdf"'})


@bp.get(f"/manage/{CODE}/appointment.ics")
@limiter.limit(PUBLIC_LIMIT)
def ics(code):
    """The appointment for a calendar application."""
    appointment = _downloadable(code)
    manage_url = url_for(".manage", code=appointment.code, _external=True)
    return Response(calendar_file(appointment, manage_url), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="appointment-{appointment.code}.ics"'})

