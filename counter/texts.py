"""Texts the page's script shows, translated here so that one catalogue covers the whole face."""
from __future__ import annotations

from flask_babel import gettext as _


def reason_labels() -> dict[str, str]:
    """Labels of lifecycle.UNRESOLVED_REASONS."""
    return {
        "missing_documents": _("Missing documents"),
        "needs_another_agency": _("Needs another agency"),
        "system_outage": _("System outage"),
        "visitor_left": _("Visitor left"),
        "other": _("Other reason"),
    }


def script_texts() -> dict[str, str]:
    """Messages keyed by what they are for; %(n)s, %(number)s… are filled in by the script."""
    return {
        "called": _("Called"),
        "counter_name": _("Counter %(name)s"),
        "counter_paused": _("%(counter)s (paused)"),
        "transferred_to_counter": _("%(number)s was sent to %(counter)s."),
        "serving": _("Being served"),
        "since_called": _("Waiting at the counter for"),
        "since_started": _("Serving for"),
        "called_at": _("Called at %(time)s"),
        "recalls": _("Recalls: %(n)s"),
        "priority": _("Priority visitor"),
        "appointment": _("Appointment"),
        "no_current": _("No visitor at the counter. Press “Call next” when you are ready."),
        "no_documents": _("No documents to check for this service."),
        "minutes": _("%(n)s min"),
        "unknown_wait": _("not known"),
        "nobody_waiting": _("Nobody is waiting for your services right now."),
        "call_again": _("Another counter took that visitor at the same moment. Press “Call next” again."),
        "refused": _("The server refused: %(message)s"),
        "unreachable": _("The server cannot be reached. Check the connection and try again."),
        "signed_out": _("Your session has ended."),
        "sign_in": _("Sign in again"),
        "finished": _("%(number)s finished."),
        "transferred": _("%(number)s sent to %(service)s; the visitor keeps the place in line."),
        "no_show_done": _("%(number)s marked as no-show."),
        "opened": _("Counter opened."),
        "paused": _("Counter paused: nobody is called to it until you resume."),
        "resumed": _("Counter resumed."),
        "closed": _("Counter closed."),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "state_open": _("Open"),
        "state_paused": _("Paused"),
        "state_closed": _("Closed"),
        "opened_at": _("Open since %(time)s"),
        "held_by": _("This counter is open for %(name)s. Choose another counter."),
        "clerks_open": _("This counter is closed. Only a clerk opens a counter, with their skills."),
        "choose_skill": _("Choose at least one service to serve."),
        "not_served_today": _("%(service)s — nobody serves it here for the rest of today"),
        **visit_texts(),
    }


def visit_texts() -> dict[str, str]:
    """What the page says about a visit of several steps and the counter's waiting list."""
    return {
        "step_done": _("done"),
        "step_unresolved": _("done, not resolved"),
        "step_current": _("this one"),
        "step_pending": _("to come"),
        "step_ended": _("not served"),
        "drop_step": _("Remove"),
        "step_added": _("Step added: %(service)s."),
        "step_dropped": _("Step removed: %(service)s."),
        "note_saved": _("Note saved: the next clerk will see it."),
        "note_cleared": _("Note removed."),
        "note_count": _("%(n)s of 280 characters"),
        "finish_visit": _("Finish the visit"),
        "finish_step": _("Finish step %(n)s of %(m)s"),
        "finish_visit_button": _("Finish visit"),
        "finish_step_button": _("Finish step"),
        "next_waiting_room": _("Next: %(service)s — back to the waiting room"),
        "next_here": _("Continue here: %(service)s at this counter"),
        "finished_next": _("%(number)s: step finished. Next: %(service)s — the visitor goes back to the waiting room."),
        "finished_here": _("%(number)s: step finished. %(service)s continues here."),
        "step_of": _("step %(n)s of %(m)s"),
        "call_this": _("Call this one"),
        "priority_short": _("priority"),
        "appointment_short": _("appointment"),
    }
