"""The kiosk tells the truth about its printer (SPEC §7): never "printing" for a printer it knows is
failing, and a warning before the visitor starts. The printer is a TCP stand-in that answers
status requests like a real one (tests/printer_standin.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from queue_app.db import utcnow
from queue_app.print_worker import print_due
from queue_app.services import create_device, issue_ticket
from tests.conftest import as_device
from tests.e2e.axe import axe_problems
from tests.e2e.test_kiosk import look, portrait, stored_ticket, take_information_ticket, tap  # noqa: F401
from tests.printer_standin import PrinterStandIn

PRINTING = "Your ticket is printing — please take it from the printer."
NOT_PRINTING = "Printing is not available — please photograph this screen or scan the QR code."
DOWN = {  # on every screen before the ticket, in the visitor's language
    "en": "The ticket printer is not working right now.",
    "es": "La impresora de turnos no funciona en este momento.",
    "ru": "Принтер талонов сейчас не работает.",
}
DOWN_ALL = {  # on the first screen, in every language at once: shorter
    "en": "The ticket printer is out of order: your ticket will be shown on the screen.",
    "es": "La impresora de turnos está averiada: su turno se mostrará en la pantalla.",
    "ru": "Принтер талонов не работает: ваш талон будет показан на экране.",
}


@pytest.fixture
def printer():
    standin = PrinterStandIn().start()
    yield standin
    standin.stop()


def open_kiosk_with(context, printer):
    device = create_device("kiosk", "HQ", printer=printer.uri)
    page = context.new_page()
    page.goto(f"/kiosk?token={device.token}")
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    return page, device.device.id


def test_paper_out_the_ticket_says_so_and_the_next_visitor_is_told_before_starting(portrait, printer, shots):  # noqa: F811
    page, _ = open_kiosk_with(portrait, printer)
    expect(page.locator("#printer-down-all")).to_be_hidden()  # the printer has done nothing wrong yet
    printer.mode = "paper_out"
    first = take_information_ticket(page)
    expect(page.get_by_text(PRINTING)).to_be_visible()
    assert print_due(utcnow()).failed  # the worker asks the printer: paper out, nothing printed
    expect(page.get_by_text(NOT_PRINTING)).to_be_visible(timeout=10_000)
    page.screenshot(path=shots / "kiosk-printer-1-paper-out-ticket.png")

    tap(page, "Done")
    banner = page.locator("#printer-down-all")
    expect(banner).to_be_visible()
    for language, text in DOWN_ALL.items():
        expect(banner.locator(f"p[lang={language}]")).to_have_text(text)
    look(page, shots, "kiosk-printer-2-told-before-starting")
    assert axe_problems(page) == []

    tap(page, "Русский", exact=True)
    expect(page.locator("#printer-down")).to_contain_text(DOWN["ru"])
    look(page, shots, "kiosk-printer-3-told-in-russian")
    take_information_ticket(page)
    expect(page.locator("#ticket-number")).not_to_have_text(first)  # the screen held the last ticket until now
    second = page.locator("#ticket-number").inner_text()
    expect(page.get_by_text(NOT_PRINTING)).to_be_visible()  # at once: never "printing" on a failing printer
    expect(page.get_by_text(PRINTING)).to_have_count(0)
    assert stored_ticket(first).status == "waiting"

    printer.mode = "healthy"  # paper loaded: both tickets come out, whole, once
    assert len(print_due(utcnow() + timedelta(minutes=5)).printed) == 2  # past any back-off
    assert sorted(printer.wait_for_tickets(2)) == sorted([first, second])
    page.reload()
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    expect(page.locator("#printer-down-all")).to_be_hidden()


def test_a_kiosk_opened_while_its_printer_fails_warns_at_once(portrait, printer, shots):  # noqa: F811
    printer.mode = "never_reads"
    page, device_id = open_kiosk_with(portrait, printer)
    issue_ticket("HQ", "info", printer_uri=printer.uri, by=as_device(device_id))
    assert print_due(utcnow()).failed  # a jammed printer: no answer, not printed
    page.reload()
    expect(page.locator("#printer-down-all")).to_be_visible()
    tap(page, "Español", exact=True)
    expect(page.locator("#printer-down")).to_contain_text(DOWN["es"])
    look(page, shots, "kiosk-printer-4-jammed-spanish")
