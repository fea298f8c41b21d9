"""The messages to visitors, rendered in the visitor's language (this package's own catalogue).

A message carries what the visitor needs and nothing personal beyond their own address: no name.
Times are the centre's local times, with its timezone named.
"""
from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time
from flask_babel import force_locale, gettext as _

from .. import i18n  # a module: i18n imports the services
from ..models import Appointment, Ticket
from .senders import Message

CONFIRMATION, RESCHEDULED, REMINDER, NEAR_TURN = "confirmation", "rescheduled", "reminder", "near_turn"


def manage_url(code: str) -> str:
    """Where the visitor cancels or moves the booking: <public URL>/book/manage/<code>."""
    from ..urls import public_base_url

    return f"{public_base_url().rstrip('/')}/book/manage/{code}"


def _when(start: datetime, tz, language: str) -> str:
    local = start.astimezone(tz)
    return f"{format_date(local, format='full', locale=language)}, {format_time(local, format='short', locale=language)}"


def _appointment_lines(appointment: Appointment, language: str) -> list[str]:
    from ..services.visit_booking import later_steps

    centre, service = appointment.centre, appointment.service
    steps = [appointment, *later_steps(appointment)]
    lines = [
        _("Code: %(code)s", code=appointment.code),
        _("Service: %(service)s", service=i18n.text(service.name, language)),
        _("Centre: %(centre)s, %(address)s", centre=i18n.text(centre.name, language),
          address=i18n.text(centre.address, language)),
        _("When: %(when)s (%(timezone)s time)", when=_when(appointment.start, centre.tz, language),
          timezone=centre.timezone),
    ]
    if len(steps) > 1:  # a visit of several services: each step at its own time, one code for all
        lines += ["", _("Your visit, step by step:")] + [
            f"{n}. {format_time(s.start.astimezone(centre.tz), format='short', locale=language)} "
            f"{i18n.text(s.service.name, language)}" for n, s in enumerate(steps, 1)]
    documents = [(s, i18n.text(s.service.documents or {}, language) or []) for s in steps]
    if any(wanted for _step, wanted in documents):
        lines += ["", _("Documents to bring:")]
        for step, wanted in documents:
            if len(steps) > 1 and wanted:
                lines.append(i18n.text(step.service.name, language) + ":")
            lines += [f"- {d}" for d in wanted]
    lines += [
        "",
        _("At the centre, check in at a kiosk with your code a few minutes before your time."),
        _("To cancel or change your appointment: %(url)s", url=manage_url(appointment.code)),
    ]
    return lines


def appointment_message(appointment: Appointment, kind: str) -> Message | None:
    """A confirmation (booked or moved) or the reminder the day before; None without an address."""
    if not (appointment.email or appointment.phone):
        return None
    language = appointment.language
    with force_locale(language):
        centre = i18n.text(appointment.centre.name, language)
        if kind == REMINDER:
            subject = _("Reminder: your appointment tomorrow at %(centre)s", centre=centre)
            opening = _("This is a reminder of your appointment tomorrow.")
        elif kind == RESCHEDULED:
            subject = _("Your appointment %(code)s has been moved", code=appointment.code)
            opening = _("Your appointment has been moved. The new time is below.")
        else:
            subject = _("Your appointment %(code)s at %(centre)s", code=appointment.code, centre=centre)
            opening = _("Your appointment is booked.")
        body = "\n".join([opening, "", *_appointment_lines(appointment, language)]) + "\n"
    return Message(kind, language, subject, body, to_email=appointment.email, to_phone=appointment.phone)


def near_turn_message(ticket: Ticket, ahead: int, status_url: str) -> Message | None:
    """"Your turn is near" for a ticket that was given a phone number."""
    if not ticket.phone:
        return None
    language = ticket.language
    with force_locale(language):
        centre = i18n.text(ticket.centre.name, language)
        subject = _("Ticket %(number)s: your turn is near", number=ticket.number)
        if ahead == 0:
            ahead_text = _("You are next.")
        else:
            ahead_text = _("People ahead of you: %(ahead)s.", ahead=ahead)
        body = "\n".join([
            _("Ticket %(number)s at %(centre)s: your turn is near. Please come back to the waiting area.",
              number=ticket.number, centre=centre),
            ahead_text,
            _("Follow your place in the queue: %(url)s", url=status_url),
        ]) + "\n"
    return Message(NEAR_TURN, language, subject, body, to_phone=ticket.phone)
