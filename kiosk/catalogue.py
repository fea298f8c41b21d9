"""What the kiosk page's script needs, in every network language, so it asks only to issue or check in
(and, now and then, what the centre serves now: GET /centres/{c}/services)."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from queue_app.extensions import db
from queue_app.i18n import direction, text
from queue_app.models import Agency, Centre, Language, LifeEvent, Service
from queue_app.refusals import refusal_texts
from queue_app.db import utcnow
from queue_app.services.lookup import catalogue_version
from queue_app.services.offer import centre_offers
from queue_app.services.screens import iso, opening
from queue_app.urls import booking_url

# The on-screen keyboard's letters per language (its script's alphabet); others get the first's.
LETTERS = {
    "en": "QWERTYUIOP ASDFGHJKL ZXCVBNM",
    "es": "QWERTYUIOP ASDFGHJKLÑ ZXCVBNM ÁÉÍÓÚÜ",
    "ru": "ЙЦУКЕНГШЩЗХ ФЫВАПРОЛДЖЭ ЯЧСМИТЬБЮЁЪ",
    # the Arabic keyboard's rows (ض at the right of the top row, as the page is right to left), and the
    # hamza forms; its digits and the code keyboard stay left to right
    "ar": "ضصثقفغعهخحجد شسيبلاتنمكط ذئءؤرىةوزظ أإآ",
}
CODE_KEYS = "1234567890 QWERTYUIOP ASDFGHJKL ZXCVBNM"


def labels() -> dict[str, str]:
    """Every label of the kiosk in the current locale; `{name}` marks what the script fills in."""
    return {
        "choose_language": _("Choose your language"),
        "appointment": _("I have an appointment"),
        "back": _("Back"),
        "restart": _("Start again"),
        "find": _("How can we help you?"),
        "by_event": _("By life event"),
        "by_agency": _("By agency"),
        "search": _("Search"),
        "all_events": _("All life events"),
        "all_agencies": _("All agencies"),
        "search_label": _("Type the name of a service or a document"),
        "no_match": _("No service matches your search"),
        "space": _("Space"),
        "delete": _("Delete"),
        "clear": _("Clear"),
        "keyboard": _("On-screen keyboard"),
        "wait": _("Approx. wait"),
        "wait_min": _("~%(n)s min", n="{n}"),
        "wait_range": _("%(low)s–%(high)s min", low="{low}", high="{high}"),
        "wait_unknown": _("not known yet"),
        "waiting": _("People waiting"),
        "bring": _("What to bring"),
        "nothing_listed": _("No documents are listed for this service."),
        "take": _("Take a ticket"),
        "priority": _("Do you need priority?"),
        "priority_help": _("Priority is for elderly visitors, people with a disability and pregnant women."),
        "priority_yes": _("Yes — elderly, disabled or pregnant"),
        "priority_no": _("No"),
        "phone": _("Get a text message when your turn is near?"),
        "phone_label": _("Your mobile number, with the country code (optional)"),
        "phone_send": _("Send me a text message"),
        "phone_skip": _("Skip — no text message"),
        "keypad": _("Number pad"),
        "busy": _("Please wait…"),
        "your_ticket": _("Your ticket"),
        "your_number": _("Your number"),
        "service": _("Service"),
        "ahead": _("People ahead of you"),
        "estimated": _("Estimated wait"),
        "appointment_at": _("Appointment at %(time)s", time="{time}"),
        "qr": _("Scan the QR code to follow your turn on your phone"),
        "qr_alt": _("QR code of your ticket’s status page"),
        "printing": _("Your ticket is printing — please take it from the printer."),
        "no_printing": _("Printing is not available — please photograph this screen or scan the QR code."),
        "printer_down": _("The ticket printer is not working right now. You can still take a ticket: "
                          "it will be shown on the screen, with a QR code for your phone."),
        "printer_down_short": _("The ticket printer is out of order: your ticket will be shown on the screen."),
        "done": _("Done"),
        "checkin": _("Appointment check-in"),
        "code_label": _("Type the code of your appointment"),
        "check_in": _("Check in"),
        "walk_in": _("Take a walk-in ticket instead"),
        "still_there": _("Are you still there?"),
        "returning": _("Returning to the start in %(n)s s", n="{n}"),
        "stay": _("Yes, I need more time"),
        "closed_now": _("This centre is closed now"),
        "opens_today": _("Opens today at %(time)s", time="{time}"),
        "opens_tomorrow": _("Opens tomorrow at %(time)s", time="{time}"),
        "opens_on": _("Opens %(day)s at %(time)s", day="{day}", time="{time}"),
        "closed_long": _("Closed until further notice"),
        "closed_help": _("Tickets and appointment check-in are available during opening hours."),
        "served_now": _("Served now"),
        "served_from": _("Served from %(time)s", time="{time}"),
        "served_later": _("Served later today"),
        "not_today": _("Not served today"),
        "next_today": _("It is served today from %(time)s.", time="{time}"),
        "next_tomorrow": _("It is served next tomorrow from %(time)s.", time="{time}"),
        "next_on": _("It is served next on %(day)s from %(time)s.", day="{day}", time="{time}"),
        "next_unknown": _("It is not served here in the next two weeks."),
        "book_offer": _("You can book an appointment for it: scan the QR code, or go to this address:"),
        "book_qr_alt": _("QR code of the booking page for this service"),
        "ask_desk": _("Please come back then, or ask at the information desk."),
        "visit": _("Your visit"),
        "visit_help": _("Tick the services you need: one ticket for all of them, up to 5."),
        "visit_full": _("One ticket holds up to 5 services."),
        "add_service": _("Add another service"),
        "take_visit": _("Take my ticket"),
        "adding": _("Choose a service to add to your visit"),
        "visit_unserved": _("%(service)s is not served here today. Untick it to take your ticket for the other services.",
                            service="{service}"),
        "steps": _("Your steps, in this order"),
        "step_line": _("%(n)s. %(service)s — %(when)s", n="{n}", service="{service}", when="{when}"),
        "step_now": _("now"),
        "step_next": _("next"),
        "step_later": _("later"),
        "unreachable": _("The kiosk cannot reach the server. Please try again, or ask a member of staff."),
        "failed": _("Something went wrong. Please ask a member of staff."),
    }


def page_data(centre: Centre, token: str, *, idle_seconds: float) -> dict:
    """The labels, the catalogue and the centre, in every network language."""
    version = catalogue_version()  # read first: a change made while the rest is read shows as newer
    languages = db.session.scalars(select(Language).order_by(Language.position)).all()
    names = {lang.code: lang.name for lang in languages} or {"en": "English"}
    codes = list(names)
    texts, refusals = {}, {}
    for code in codes:
        with force_locale(code):
            texts[code] = labels()
            refusals[code] = refusal_texts()  # what the server's refusal codes say, "" when none fits
    services = db.session.scalars(
        select(Service).where(Service.active.is_(True)).options(selectinload(Service.agency)).order_by(Service.position)
    ).all()
    active = {s.code for s in services}
    events = db.session.scalars(
        select(LifeEvent).where(LifeEvent.active.is_(True)).options(selectinload(LifeEvent.services))
        .order_by(LifeEvent.position, LifeEvent.id)
    ).all()
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.id)).all()
    in_words = lambda texts_: {code: text(texts_, code) for code in codes}  # noqa: E731
    return {
        "centre": centre.code,
        "centre_names": in_words(centre.name),
        "timezone": centre.timezone,
        "hours": opening(centre),  # open now or when next; the /display socket's states update it
        "token": token,
        "idle_seconds": idle_seconds,
        "languages": [{"code": code, "name": names[code]} for code in codes],
        "directions": {code: direction(code) for code in codes},
        "texts": texts,
        "refusals": refusals,
        "letters": {code: LETTERS.get(code, LETTERS.get(codes[0], LETTERS["en"])) for code in codes},
        "code_keys": CODE_KEYS,
        "qr_url": url_for("kiosk.qr"),
        "book_qr_url": url_for("kiosk.booking_qr"),
        "offers": [{**o, "next_served_at": iso(o["next_served_at"])} for o in centre_offers(centre, utcnow())],
        "api": request.script_root + "/api/v1",
        "catalogue": version,  # the /display socket's states carry the newest: a new one → reload
        "catalogue_url": url_for("kiosk.catalogue"),
        "services": [{
            "code": s.code, "agency": s.agency.code, "names": in_words(s.name),
            "documents": {code: list(s.documents.get(code) or s.documents.get(codes[0]) or []) for code in codes},
            "book_url": booking_url(s.code, centre.code) if s.bookable else None,
        } for s in services],
        "life_events": [{"code": e.code, "names": in_words(e.name),
                         "services": [s.code for s in e.services if s.code in active]}
                        for e in events if any(s.code in active for s in e.services)],
        "agencies": [{"code": a.code, "names": in_words(a.name),
                      "services": [s.code for s in services if s.agency_id == a.id]}
                     for a in agencies if any(s.agency_id == a.id for s in services)],
    }
