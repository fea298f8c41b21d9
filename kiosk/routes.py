"""The lobby kiosk at /kiosk: opened once with the kiosk's token, then kept by cookie (SPEC §1)."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Response, abort, current_app, jsonify, render_template, request
from sqlalchemy import select

from queue_app.devices import NO_STORE, device_page, serve_device_page
from queue_app.extensions import db
from queue_app.models import Service, Ticket
from queue_app.services.printing import device_printer_state
from queue_app.urls import booking_url, visitor_url

from . import bp
from .catalogue import page_data

IDLE_SECONDS = 60  # back to the language choice after this long without a touch


def kiosk_data(found) -> dict:
    """What the page of this kiosk embeds: its centre's menu, labels and printer state."""
    idle = current_app.config.get("ONEDOOR_KIOSK_IDLE_SECONDS", IDLE_SECONDS)
    data = page_data(found.device.centre, found.token, idle_seconds=idle)
    data["printer"] = device_printer_state(found.device.id) if found.device.printer_uri else "none"
    return data


@bp.get("")
def page():
    """The kiosk whose token this browser holds, or how to set one up (401)."""
    return serve_device_page("kiosk", "kiosk/setup.html",
                             lambda found: render_template("kiosk/kiosk.html", data=kiosk_data(found)))


@bp.get("/catalogue.json")
def catalogue():
    """The same data as the page embeds, for a kiosk whose catalogue changed (401 without its cookie)."""
    found = device_page("kiosk")
    if not hasattr(found, "device"):
        abort(401)
    return jsonify(kiosk_data(found)), 200, NO_STORE


@bp.get("/qr.svg")
def qr():
    """The QR code of a ticket's status page, for a ticket of this kiosk's centre only."""
    found = device_page("kiosk")  # the ticket travels as ?ticket=, so ?token= never means a ticket here
    if not hasattr(found, "device"):
        abort(401)
    token = request.args.get("ticket", "")
    if not token or len(token) > 64 or "\x00" in token:
        abort(404)
    centre_id = db.session.scalar(select(Ticket.centre_id).where(Ticket.token == token))
    if centre_id != found.device.centre_id:
        abort(404)
    return Response(qr_svg(visitor_url(token)),
                    mimetype="image/svg+xml", headers=NO_STORE)


@bp.get("/book-qr.svg")
def booking_qr():
    """The QR code of the booking page of a bookable service at this kiosk's centre."""
    found = device_page("kiosk")
    if not hasattr(found, "device"):
        abort(401)
    code = request.args.get("service", "")
    service = db.session.scalar(select(Service).where(Service.code == code, Service.active.is_(True))) \
        if 0 < len(code) <= 64 else None
    if service is None or not service.bookable:
        abort(404)
    return Response(qr_svg(booking_url(service.code, found.device.centre.code)), mimetype="image/svg+xml",
                    headers=NO_STORE)


def qr_svg(data: str) -> bytes:
    """A black-on-white QR code with its quiet zone, as SVG."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    end = svg.index(">", svg.index("<svg")) + 1  # a white ground, so the code reads on any screen colour
    return f'{svg[:end]}<rect width="100%" height="100%" fill="#fff"/>{svg[end:]}'.encode()
