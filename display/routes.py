"""The waiting-room screen at /display: opened once with the display's token, then kept by cookie."""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from queue_app.devices import serve_device_page
from queue_app.extensions import db
from queue_app.i18n import direction, text
from queue_app.models import Centre, Language, Service

from . import bp


def screen_texts() -> dict[str, str]:
    """Every label of the screen in the current locale; `{name}` marks what the script fills in."""
    return {
        "now": _("Now calling"),
        "ticket": _("Ticket"),
        "counter": _("Counter"),
        "recent": _("Recent calls"),
        "no_calls": _("No calls yet"),
        "queue": _("Waiting now"),
        "service": _("Service"),
        "waiting": _("People waiting"),
        "wait": _("Approx. wait"),
        "wait_min": _("~%(n)s min", n="{n}"),
        "wait_range": _("%(low)s–%(high)s min", low="{low}", high="{high}"),
        "nobody": _("No one is waiting"),
        "qr": _("Scan the QR code on your ticket to follow your turn on your phone"),
        "connecting": _("Connecting to the server…"),
        "lost": _("Connection lost since %(time)s — the information shown may be out of date", time="{time}"),
        "silent": _("No news from the server since %(time)s — the information shown may be out of date",
                    time="{time}"),
        "sound": _("Tap to enable sound"),
        "closed": _("Closed"),
        "opens_today": _("Opens today at %(time)s", time="{time}"),
        "opens_tomorrow": _("Opens tomorrow at %(time)s", time="{time}"),
        "opens_on": _("Opens %(day)s at %(time)s", day="{day}", time="{time}"),
        "closed_long": _("Closed until further notice"),
        "speech": _("Ticket %(number)s, please go to counter %(counter)s", number="{number}", counter="{counter}"),
    }


def screen_data(centre: Centre, token: str) -> dict:
    """What the screen's script needs, in every network language, so it never asks again."""
    languages = db.session.scalars(select(Language).order_by(Language.position)).all()
    codes = [lang.code for lang in languages] or ["en"]
    services = db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.position)).all()
    texts = {}
    for code in codes:
        with force_locale(code):
            texts[code] = screen_texts()
    return {
        "centre": centre.code,
        "token": token,
        "timezone": centre.timezone,
        "languages": codes,
        "directions": {code: direction(code) for code in codes},
        "texts": texts,
        "centre_names": {code: text(centre.name, code) for code in codes},
        "services": [{"code": s.code, "names": {code: text(s.name, code) for code in codes}} for s in services],
    }


@bp.get("")
def screen():
    """The screen of the display whose token this browser holds, or how to set one up (401)."""
    return serve_device_page("display", "display/setup.html", lambda found: render_template(
        "display/screen.html", data=screen_data(found.device.centre, found.token)))
