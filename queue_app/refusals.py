"""What each refusal code says to people, in their language, and the HTTP status each refusal
answers with: one table of each for every face.

A code means the same thing wherever it is met (the kiosk, the booking site, the join and status
pages, the counter), so one text per code keeps the faces consistent and gives a new code one
translation to write, not four. A face may still say it in words of its own (the join page does
for the remote rules); it falls back to this table, never to the server's English message.
tests/unit/test_refusal_texts.py fails when a code the code base can raise has no text here or a
text lacks a translation.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .domain.errors import DomainError, Forbidden, InvalidRequest, NotFound, SkillNotAllowed, Unauthorized

# The HTTP status of a refusal of the rules, by its class (the nearest in its ancestry); every
# other refusal is a conflict with the present state of things: 409.
HTTP_STATUS = {NotFound: 404, Unauthorized: 401, Forbidden: 403, InvalidRequest: 422, SkillNotAllowed: 422}
CONFLICT = 409

# When a code is not in the table (a proxy's page, a newer server): say so without guessing.
FALLBACK = _l("This could not be done. Please try again, or ask at the desk.")

TEXTS = {
    # the queue's rules (queue_app/domain/errors.py and the services' raise sites)
    "refused": FALLBACK,
    "not_found": _l("Nothing was found for what you entered. Please check it and try again."),
    "unauthorized": _l("Please sign in again."),
    "forbidden": _l("You are not allowed to do this here."),
    "invalid": _l("Some of what you entered is not valid. Please check it and try again."),
    "illegal_transition": _l("This cannot be done in the ticket's or the counter's present state."),
    "centre_closed": _l("The centre is closed now. Tickets are issued during opening hours."),
    "counter_not_open": _l("This counter is not open. Open or resume it first."),
    "counter_busy": _l("This counter is busy: finish its visitor first, or choose another counter."),
    "skill_not_allowed": _l("This service is not among the skills allowed here."),
    "call_again": _l("Another counter took that visitor at the same moment. Call again."),
    "held_by_other": _l("This counter is open for another clerk. Choose another counter."),
    "open_elsewhere": _l("You already have another counter open. Close it first."),
    "no_skills_chosen": _l("Choose at least one service to serve."),
    # at the kiosk: checking in with an appointment code, issuing a ticket
    "unknown_appointment": _l("No appointment has this code. Check the code on your confirmation and try again."),
    "already_checked_in": _l("This appointment is already checked in."),
    "wrong_centre": _l("This appointment is at another centre. Please go to the centre named on your "
                       "confirmation."),
    "too_early": _l("It is too early to check in for this appointment. Please come back closer to its time."),
    "too_late": _l("It is too late to check in for this appointment. You can take a walk-in ticket instead."),
    "phone_required": _l("A mobile phone number is needed."),
    "bad_phone": _l("This is not a phone number we can use. Type it with the country code, e.g. +34 612 345 678."),
    # joining the queue from home (queue_app/domain/remote.py)
    "remote_disabled": _l("Joining the queue from home is not offered. Please take a ticket at the centre."),
    "phone_limit": _l("This phone number already holds a place in today's queue at this centre."),
    "not_served_now": _l("No counter serves this service right now. Come later, or book an appointment."),
    "too_far_ahead": _l("The wait for this service is too long right now to hold a place from home. "
                        "Come later, or book an appointment."),
    "closes_too_soon": _l("The centre closes before your turn would come. Please book an appointment."),
    "changed_meanwhile": _l("Someone else changed this at the same moment. Look again and retry."),
    "in_use": _l("This is still in use: first deal with what depends on it, as the message says."),
    "not_served_today": _l("Nobody serves this service here for the rest of today."),
    # a visit of several services (queue_app/domain/visits.py)
    "visit_refused": _l("This change to the visit's steps cannot be made."),
    "duplicate_step": _l("This service is already one of the visit's steps."),
    "too_many_steps": _l("A visit has at most 5 services."),
    "visit_over": _l("This visit is over: its steps can no longer change."),
    "service_not_offered": _l("This centre does not offer that service. Choose another centre or service."),
    # booking (queue_app/services/booking.py, queue_app/domain/slots.py)
    "slot_full": _l("That time has just been fully booked. Please choose another time."),
    "no_places_online": _l("This centre offers no places online for this service. Please take a ticket at "
                           "the centre."),
    "not_bookable": _l("This service cannot be booked online: take a ticket at the centre's kiosk."),
    "bad_name": _l("Write your name, up to 120 characters."),
    "contact_required": _l("Give a phone number or an email address, so the centre can reach you."),
    "in_the_past": _l("That time has already passed. Choose another time."),
    "too_soon": _l("That time is too soon to book. Choose a later time."),
    "closed_day": _l("The centre is closed on that day. Choose another day."),
    "outside_hours": _l("That time is outside the centre's opening hours. Choose another time."),
    "beyond_horizon": _l("That day is too far ahead to book yet. Choose an earlier day."),
    "not_a_slot": _l("That is not one of the times offered. Choose a time from the list."),
    "already_cancelled": _l("This appointment is already cancelled."),
    "missed": _l("This appointment was missed. Please book a new one."),
    "already_started": _l("This appointment has already started or passed: it can no longer be changed."),
    # rating a visit (queue_app/domain/feedback.py)
    "not_finished": _l("You can rate your visit once it is finished."),
    "already_rated": _l("This visit has already been rated. Thank you."),
    "bad_rating": _l("Choose a rating from 1 to 5."),
    "comment_too_long": _l("The comment is too long."),
    # rosters (queue_app/domain/roster.py, queue_app/services/roster.py)
    "shift_ends_first": _l("A shift must end after it starts."),
    "shift_too_long": _l("A shift may last at most 16 hours."),
    "shift_off_day": _l("A shift must start on the day of the roster."),
    "break_outside_shift": _l("A break must fall within its shift."),
    "breaks_overlap": _l("The breaks of a shift must not overlap."),
    "shifts_overlap": _l("A clerk's shifts on one day must not overlap."),
    "not_staff_here": _l("This person does not work at this centre, or their account is disabled."),
    "week_not_empty": _l("The next week already has shifts. Replace them, or edit that week instead."),
    "no_such_draft": _l("This roster draft no longer exists. Propose shifts again."),
    "draft_accepted": _l("This roster draft was accepted already: the roster holds its shifts."),
    # the HTTP layer's own refusals (queue_app/api/errors.py CODES)
    "bad_request": _l("The request could not be read. Please try again."),
    "method_not_allowed": _l("This action is not available here."),
    "conflict": _l("Something changed meanwhile. Please try again."),
    "too_large": _l("What was sent is too large."),
    "unsupported_media_type": _l("The request could not be read. Please try again."),
    "rate_limited": _l("Too many requests from here. Please wait a moment and try again."),
    "internal_error": _l("Something went wrong on our side. Please ask a member of staff."),
    "malformed_json": _l("The request could not be read. Please try again."),
    "invalid_text": _l("Some of what you entered is not text we can read. Please type it again."),
    "out_of_calendar": _l("That date is outside the calendar we work with. Choose another date."),
}


def refusal_text(code: str | None) -> str:
    """The text for a refusal code in the current language, or the translated fallback."""
    return str(TEXTS.get(code or "", FALLBACK))


def refusal_texts() -> dict[str, str]:
    """Every code's text in the current language (for a page's script), with `""` as the fallback."""
    return {"": str(FALLBACK), **{code: str(text) for code, text in TEXTS.items()}}


def http_status(error: DomainError) -> int:
    """The HTTP status a refusal of the rules answers with (the API, the pages)."""
    return next((HTTP_STATUS[cls] for cls in type(error).__mro__ if cls in HTTP_STATUS), CONFLICT)
