"""Ticket printers (SPEC §7): one interface, backends chosen by URI."""
from .backends import Printer, PrinterError, clear_dummy, dummy_output, fail_dummy, open_printer, parse_uri
from .paper import Labels, Step, TicketPaper, labels_for, sample_paper, wait_text

__all__ = [
    "Labels", "Printer", "PrinterError", "Step", "TicketPaper", "clear_dummy", "dummy_output", "fail_dummy",
    "labels_for", "open_printer", "parse_uri", "sample_paper", "wait_text",
]
