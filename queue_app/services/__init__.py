"""Verbs that own a transaction. Views, socket handlers, CLI commands and jobs call these."""
from ..domain.access import SYSTEM, Actor
from .access import actor_of
from .appointments import check_in
from .booking import appointment_by_code, book, cancel_appointment, reschedule, slots
from .calling import call_next, call_ticket, cancel, expire_calls, finish, no_show, recall, start, transfer, waiting_list
from .catalogue import apply_network
from .counters import close_counter, open_counter, pause_counter, resume_counter
from .days import close_day
from .people import create_device, create_user
from .printing import job_state, printer_faults
from .queue import queue_state
from .tickets import issue_ticket
from .visit_booking import book_visit, reschedule_visit, visit_slots
from .visits import add_step, current_row, drop_step, set_note

__all__ = [
    "SYSTEM", "Actor", "actor_of",
    "apply_network", "appointment_by_code", "book", "cancel_appointment", "reschedule", "slots",
    "add_step", "book_visit", "reschedule_visit", "visit_slots", "call_next", "call_ticket", "cancel", "current_row", "drop_step", "set_note", "waiting_list", "check_in", "job_state", "printer_faults", "close_counter", "close_day", "create_device", "create_user",
    "expire_calls", "finish", "issue_ticket", "no_show", "open_counter",
    "pause_counter", "queue_state", "recall", "resume_counter", "start", "transfer",
]
