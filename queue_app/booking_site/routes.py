"""The booking steps: service(s) → centre → day → time → contact details → confirmation.

Every page works without JavaScript; each step is an address of its own, so the browser's back
button and a bookmark both work: a visit of several services names them joined with "+"
(/book/birth+passport/HQ/…). The rules (slots, places, contact details) stay in the services.
"""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from .. import services
from ..domain.appointments import CANCELLED
from ..domain.errors import DomainError, NotFound
from ..domain.slots import NotASlot, SlotFull
from ..extensions import db, limiter
from ..i18n import text
from ..limits import PUBLIC_LIMIT, booking_limit
from ..models import Language
from ..refusals import http_status, refusal_text
from ..services.lookup import centre_by_code, service_by_code
from ..services.visit_booking import later_steps
from . import bp
from .documents import qr_data_uri
from .forms import ContactForm
from .plans import MAX_STEPS, Plan, days, elsewhere, first_starts, split, starts
from .reading import (
    bookable_services, by_month, by_part_of_day, centres, day_label, documents, life_events, parse_day, parse_stamp,
    short_day, short_when, stamp, time_label, when_label,
)

# A service's code, or up to five joined with "+" (a code is at most 40 characters)
SERVICE, CENTRE, DAY = "<string(maxlength=204):service>", "<string(maxlength=8):centre>", "<string(length=10):day>"


@bp.context_processor
def helpers():
    return {"tr": text, "day_label": day_label, "time_label": time_label, "when_label": when_label,
            "documents": documents, "stamp": stamp, "appointment_qr": qr_data_uri, "short_day": short_day,
            "by_month": by_month, "by_part_of_day": by_part_of_day, "visit_of": visit_of, "max_steps": MAX_STEPS}


def visit_of(appointment) -> list:
    """A booking's appointments in order: itself, then its visit's later steps (none for most)."""
    return [appointment, *later_steps(appointment)]


def start_label(start, centre) -> str:
    """A start as a choice reads: its time, and each step's time when the visit has several."""
    label = time_label(start.start, centre)
    if len(start.steps) > 1:
        label += " (" + ", ".join(f"{time_label(at, centre)} {text(s.name)}" for s, at, _end in start.steps) + ")"
    return label


@bp.errorhandler(404)
def missing(error):
    message = getattr(error, "description", None)
    return render_template("booking_site/missing.html", message=message if isinstance(message, str) else None), 404


@bp.errorhandler(CSRFError)
def stale_form(error):
    """A form without its CSRF token (expired session, forged post): say so, change nothing."""
    return render_template("booking_site/missing.html", title=_("Please try again"), message=_(
        "Your session has expired or the form is too old. Go back, reload the page and try again.")), 400


BOOKING_STEPS = ("booking_site.contact_step", "booking_site.move_day")


@bp.errorhandler(429)
def too_many(error):
    """A limit was hit (the booking limit, or the public one on look-ups by code): a page in the
    visitor's language that says what happened and what to do."""
    booking = request.endpoint in BOOKING_STEPS and request.method == "POST"
    return render_template("booking_site/limited.html", booking=booking), 429


def _service(code: str):
    try:
        service = service_by_code(code)
    except NotFound:
        abort(404, _("There is no such service. Choose one from the list."))
    if not service.bookable:
        abort(404, _("This service cannot be booked online: take a ticket at the centre's kiosk."))
    return service


def _plan(segment: str) -> Plan:
    codes = split(segment)
    if codes is None:
        abort(404, _("A visit takes one to %(n)s different services. Choose them again.", n=MAX_STEPS))
    return Plan([_service(code) for code in codes])


def _centre(code: str):
    try:
        return centre_by_code(code)
    except NotFound:
        abort(404, _("There is no such centre. Choose one from the list."))


def _day(value: str):
    day = parse_day(value)
    if day is None:
        abort(404, _("That is not a date. Choose a day from the list."))
    return day


@bp.get("/")
def start():
    """Step 1: a service, found through a life event or in the list of all bookable services."""
    return render_template("booking_site/start.html", events=life_events(), services=bookable_services())


@bp.get("/visit")
def visit_step():
    """Step 1 of a visit: the services ticked (a life event's, or added from all services); on
    Continue, one goes the one-service way and several (up to five) to the visit's centres."""
    known = {s.code: s for s in bookable_services()}
    chosen = [known[code] for code in dict.fromkeys(request.args.getlist("service")) if code in known]
    added = known.get(request.args.get("add") or "")
    if added is not None and added not in chosen:
        chosen.append(added)
    problem = None
    if request.args.get("go"):
        if not chosen:
            problem = _("Choose at least one service.")
        elif len(chosen) > MAX_STEPS:
            problem = _("One visit takes at most %(n)s services. Untick some: you can book the others as "
                        "another visit.", n=MAX_STEPS)
        else:
            return redirect(url_for(".centre_step", service=Plan(chosen).code), 303)
    return render_template("booking_site/visit.html", chosen=chosen, problem=problem,
                           others=[s for s in known.values() if s not in chosen]), 422 if problem else 200


def _plan_back(plan: Plan) -> str:
    """Back from the centres: the visit's services to change, or the list for a single one."""
    return url_for(".visit_step", service=plan.codes) if plan.several else url_for(".start")


@bp.get(f"/{SERVICE}")
def centre_step(service):
    """Step 2: the centre, with whether it is open now, today's estimated wait and its first free time."""
    plan, rows = _plan(service), centres()
    found = first_starts(plan)
    firsts = {row["code"]: found.get(row["code"]) and short_when(found[row["code"]], row["timezone"]) for row in rows}
    return render_template("booking_site/centres.html", plan=plan, centres=rows, firsts=firsts, back=_plan_back(plan))


@bp.get(f"/{SERVICE}/{CENTRE}")
def day_step(service, centre):
    """Step 3: the days ahead where the whole visit fits."""
    plan, centre = _plan(service), _centre(centre)
    found = days(centre, plan)
    return render_template("booking_site/days.html", plan=plan, centre=centre, days=found,
                           others=[] if found else elsewhere(plan, centre),
                           day_url=lambda d: url_for(".slot_step", service=plan.code, centre=centre.code,
                                                     day=d.isoformat()),
                           back=url_for(".centre_step", service=plan.code))


@bp.get(f"/{SERVICE}/{CENTRE}/{DAY}")
def slot_step(service, centre, day):
    """Step 4: the day's starts with places left, on the centre's clock, with each step's time."""
    plan, centre, day = _plan(service), _centre(centre), _day(day)
    return render_template("booking_site/slots.html", plan=plan, centre=centre, day=day,
                           slots=starts(centre, plan, day),
                           slot_url=lambda s: url_for(".contact_step", service=plan.code, centre=centre.code,
                                                      day=day.isoformat(), at=stamp(s.start)),
                           back=url_for(".day_step", service=plan.code, centre=centre.code))


def _time_choices(form: ContactForm, centre, plan: Plan, day) -> None:
    form.start.choices = [("", _("Choose a time"))] + [(stamp(s.start), start_label(s, centre))
                                                        for s in starts(centre, plan, day)]


def _offer_submitted(form) -> None:
    """A posted time no longer in the fresh list (taken meanwhile, or past) still goes to the
    services, which say why it cannot be booked; the page then shows the times still free."""
    submitted = parse_stamp(request.form.get("start")) if request.method == "POST" else None
    if submitted is not None and form.start.choices is not None and stamp(submitted) not in dict(form.start.choices):
        form.start.choices.append((stamp(submitted), stamp(submitted)))


@bp.route(f"/{SERVICE}/{CENTRE}/{DAY}/details", methods=["GET", "POST"])
@booking_limit()
def contact_step(service, centre, day):
    """Step 5: who is coming and how to reach them; booking it. A slot taken meanwhile shows the
    form again with the times still free."""
    plan, centre, day = _plan(service), _centre(centre), _day(day)
    form = ContactForm()
    _time_choices(form, centre, plan, day)
    languages = db.session.scalars(db.select(Language).order_by(Language.position)).all()
    form.language.choices = [(lang.code, lang.name) for lang in languages]
    problem, status = None, 200
    _offer_submitted(form)
    if request.method == "GET":
        form.language.data = str(get_locale())
        chosen = request.args.get("at")
        if chosen and chosen not in dict(form.start.choices):
            problem = _("That time is no longer free. Choose another time.")
        else:
            form.start.data = chosen
    elif form.validate_on_submit():
        try:
            appointment = services.book_visit(centre.code, plan.codes, parse_stamp(form.start.data), form.name.data,
                                              phone=form.phone.data or None, email=form.email.data or None,
                                              language=form.language.data)
        except SlotFull:
            problem, status = _("Sorry, that time has just been taken. Choose another time: "
                                "the list now shows only the times still free."), 409
        except NotASlot:
            problem, status = _("That time can no longer be booked. Choose another time."), 422
        except DomainError as error:  # e.g. contact_required, no_places_online: said in the page's language
            problem, status = refusal_text(error.code), http_status(error)
        else:
            return redirect(url_for(".confirmation", code=appointment.code), 303)
        _time_choices(form, centre, plan, day)
        form.start.data = ""
    else:
        status = 422
        _time_choices(form, centre, plan, day)
        if form.start.data not in dict(form.start.choices):
            form.start.data = ""
    return render_template("booking_site/contact.html", plan=plan, centre=centre, day=day, form=form,
                           problem=problem, back=url_for(".slot_step", service=plan.code, centre=centre.code,
                                                         day=day.isoformat())), status


@bp.get("/done/<string(maxlength=32):code>")
@limiter.limit(PUBLIC_LIMIT)
def confirmation(code):
    """Step 6: the code, the details, what to bring, the QR code and the downloads."""
    try:
        appointment = services.appointment_by_code(code)
    except NotFound:
        abort(404, _("No appointment has this code."))
    if appointment.status == CANCELLED:  # its page says so
        return redirect(url_for(".manage", code=appointment.code))
    return render_template("booking_site/appointment.html", appointment=appointment, confirmation=True)
