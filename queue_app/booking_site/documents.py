"""What a visitor takes away: the QR code of the appointment code, a PDF confirmation, an .ics file
(a visit of several services: every step with its time, and what to bring for each)."""
from __future__ import annotations

import base64
import io
from datetime import datetime, timezone

import qrcode
from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from printers.paper import has_rtl, shaped, visual
from printers.pdf import BOLD, REGULAR, register_fonts

from ..i18n import direction, text
from ..services.visit_booking import later_steps
from .reading import day_label, documents, time_label

MARGIN = 20 * mm
QR_SIZE = 45 * mm


def qr_png(code: str) -> bytes:
    """The appointment code as a QR code, the kiosk's check-in scanner reads it."""
    image = qrcode.make(code, box_size=8, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_data_uri(code: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(code)).decode("ascii")


def _steps(appointment) -> list:
    """The booking's appointments: itself, then its visit's later steps (none for most)."""
    return [appointment, *later_steps(appointment)]


def _details(appointment) -> list[tuple[str, str]]:
    centre, steps = appointment.centre, _steps(appointment)
    local = appointment.start.astimezone(centre.tz)
    offset = f"{local:%z}"
    services = (_("Service"), text(appointment.service.name)) if len(steps) == 1 else (
        _("Services"), "; ".join(f"{time_label(a.start, centre)} {text(a.service.name)}" for a in steps))
    return [
        services,
        (_("Centre"), text(centre.name)),
        (_("Address"), text(centre.address)),
        (_("Day"), day_label(local.date())),
        (_("Time"), f"{time_label(appointment.start, centre)}–{time_label(steps[-1].end, centre)} "
                    f"({centre.timezone}, UTC{offset[:3]}:{offset[3:]})"),
    ]


def _to_bring(appointment) -> list[tuple[str | None, list[str]]]:
    """What to bring: one list, or each step's under its service's name when the visit has several."""
    steps = _steps(appointment)
    if len(steps) == 1:
        return [(None, documents(appointment.service))]
    return [(text(a.service.name), documents(a.service)) for a in steps]


def confirmation_pdf(appointment, manage_url: str) -> bytes:
    """A one-page A4 confirmation: code, QR, service, centre, address, time, documents to bring."""
    register_fonts()
    out = io.BytesIO()
    width, height = A4
    inner = width - 2 * MARGIN
    canvas = Canvas(out, pagesize=A4, invariant=True)
    canvas.setTitle(_("Appointment %(code)s", code=appointment.code))
    y = height - MARGIN
    # Right to left (Arabic): lines start at the right margin, the QR code moves to the left, and each
    # line goes to reportlab joined and in visual order (it draws glyphs as given).
    rtl = direction(str(get_locale())) == "rtl"

    def line(value: str, size: float = 11, font: str = REGULAR, indent: float = 0, room: float = inner) -> None:
        nonlocal y
        for part in simpleSplit(shaped(value) if rtl else value, font, size, room - indent) or [""]:
            y -= size * 1.35
            canvas.setFont(font, size)
            if rtl:
                canvas.drawRightString(width - MARGIN - indent, y, visual(part, has_rtl(part)))
            else:
                canvas.drawString(MARGIN + indent, y, part)

    line(_("Appointment confirmation"), 20, BOLD)
    y -= 6
    top = y
    beside_qr = inner - QR_SIZE - 5 * mm
    line(_("Your code"), 11, room=beside_qr)
    line(appointment.code, 34, BOLD, room=beside_qr)
    y -= 8
    line(_("Show this code or its QR code at the kiosk when you arrive, to check in."), 10, room=beside_qr)
    widget = QrCodeWidget(appointment.code, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, MARGIN if rtl else width - MARGIN - QR_SIZE, top - QR_SIZE)
    y = min(y, top - QR_SIZE) - 8
    for label, value in _details(appointment):
        line(label, 10)
        line(value, 13, BOLD)
        y -= 3
    lists = [(name, things) for name, things in _to_bring(appointment) if things]
    if lists:
        y -= 8
        line(_("Documents to bring"), 13, BOLD)
        for name, things in lists:
            if name:
                line(name, 11, BOLD)
            for thing in things:
                line(f"• {thing}", 11, indent=4 * mm)
    y -= 8
    line(_("To cancel or move this appointment, open:"), 10)
    line(manage_url, 10)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def calendar_file(appointment, manage_url: str) -> bytes:
    """An iCalendar file with one event: UID code@onedoor, times in UTC, the centre's address."""
    steps = _steps(appointment)
    description = [_("Appointment code: %(code)s", code=appointment.code), text(appointment.centre.name)]
    if len(steps) > 1:
        description += [""] + [f"{time_label(a.start, a.centre)} {text(a.service.name)}" for a in steps]
    lists = [(name, things) for name, things in _to_bring(appointment) if things]
    if lists:
        description += ["", _("Documents to bring") + ":"]
        for name, things in lists:
            description += ([name + ":"] if name else []) + [f"- {thing}" for thing in things]
    description += ["", _("To cancel or move this appointment, open:"), manage_url]
    calendar = Calendar()
    calendar.add("prodid", "-//OneDoor//Booking//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{appointment.code}@onedoor")
    event.add("dtstamp", datetime.now(timezone.utc).replace(microsecond=0))
    event.add("dtstart", appointment.start.astimezone(timezone.utc))
    event.add("dtend", steps[-1].end.astimezone(timezone.utc))  # the visit's last step
    event.add("summary", " + ".join(text(a.service.name) for a in steps))
    event.add("location", text(appointment.centre.address))
    event.add("description", "\n".join(description))
    event.add("url", manage_url)
    calendar.add_component(event)
    return calendar.to_ical()
