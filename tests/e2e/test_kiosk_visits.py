"""A visit of several services on the kiosk (SPEC §11): a life event's services come ticked, the
visitor adds or unticks some, and ONE ticket lists the steps in order and what to bring for each,
on screen and on the paper the printer stand-in receives (tests/printer_standin.py)."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from printers.preview import images, parse, render
from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.domain.roster import ShiftPlan
from queue_app.print_worker import print_due
from queue_app.services import create_device
from queue_app.services.roster import replace_roster
from tests.conftest import MSK, open_desk
from tests.e2e.axe import axe_problems
from tests.e2e.test_kiosk import (  # noqa: F401 (fixtures)
    PORTRAIT, landscape, look, portrait, stored_ticket, tap, ticket_on_screen,
)
from tests.e2e.test_kiosk_printer import open_kiosk_with
from tests.e2e.test_large_catalogue import CENTRE, demo  # noqa: F401 (fixture: the demo network)
from tests.e2e.test_large_catalogue import look as look_long_names  # its centre's name may end in "…"
from tests.printer_standin import PrinterStandIn

WORDS = {  # what the visitor reads and taps, in each kiosk language (tests/data/network.toml)
    "en": {"language": "English", "event": "Birth of a child", "agency": "Civil Registry",
           "add": "Add another service", "take": "Take my ticket",
           "adding": "Choose a service to add to your visit",
           "birth": "Birth registration", "passport": "Passport renewal", "tax": "Tax question",
           "document": "Medical birth certificate", "none": "No documents are listed for this service.",
           "when": ("now", "next", "later")},
    "ar": {"language": "العربية", "event": "ولادة طفل", "agency": "السجل المدني",
           "add": "إضافة خدمة أخرى", "take": "خذ تذكرتي",
           "adding": "اختر خدمة لإضافتها إلى زيارتك",
           "birth": "تسجيل المواليد", "passport": "تجديد جواز السفر", "tax": "استفسار ضريبي",
           "document": "شهادة الولادة الطبية", "none": None,
           "when": ("الآن", "التالي", "لاحقًا")},
}


@pytest.fixture
def printer():
    standin = PrinterStandIn().start()
    yield standin
    standin.stop()


def build_visit(page, w: dict, shots, name: str) -> None:
    """Life event → its two services ticked → add the tax question from the agency list."""
    tap(page, w["language"], exact=True)
    tap(page, w["event"])
    expect(page.get_by_role("heading", name=w["event"], level=1)).to_be_visible()
    for code in ("birth", "passport"):  # ticked, in the catalogue's order
        expect(page.get_by_role("checkbox", name=w[code])).to_be_checked()
    expect(page.locator("#visit-list li")).to_have_count(2)
    look(page, shots, f"{name}-1-life-event")
    tap(page, w["add"])
    expect(page.locator("#adding")).to_have_text(w["adding"])
    page.locator("#tab-agencies").click()
    tap(page, w["agency"])
    page.locator("#panel-agencies button[data-service=tax]").click()  # added, and back to the visit
    expect(page.locator("#visit-list li")).to_have_count(3)
    expect(page.get_by_role("checkbox", name=w["tax"])).to_be_checked()
    assert [row.get_attribute("data-pick") for row in page.locator("#visit-list li").all()] == ["birth", "passport", "tax"]


def take(page, w: dict) -> tuple[str, dict]:
    """Take the ticket (no priority, no text message); its number and what the kiosk asked for."""
    tap(page, w["take"])
    page.locator("#priority-no").click()
    with page.expect_request(re.compile(r"/api/v1/centres/HQ/tickets$")) as asked:
        page.locator("#phone-skip").click()
    return ticket_on_screen(page), asked.value.post_data_json


def steps_on_screen(page, w: dict, codes: list[str]) -> None:
    when = [w["when"][min(i, 2)] for i in range(len(codes))]
    expect(page.locator("#ticket-step-list li")).to_have_text(
        [f"{i}. {w[code]} — {when[i - 1]}" for i, code in enumerate(codes, 1)])
    expect(page.locator("#ticket-documents h3")).to_have_text([f"{i}. {w[code]}" for i, code in enumerate(codes, 1)])
    expect(page.locator("#ticket-documents")).to_contain_text(w["document"])  # birth's, under its step


def printed(printer, number: str, shots, name: str) -> bytes:
    """The one job the print worker sends for the ticket, as the stand-in received it (and a PNG of it)."""
    assert len(print_due(utcnow()).printed) == 1  # one paper for the whole visit
    assert printer.wait_for_tickets(1) == [number]
    [job] = printer.jobs()
    render(job[job.index(b"\x1b@"):job.rindex(b"\x1dV") + 3]).save(shots / f"{name}-paper.png")  # no status asks
    return job


def look_at_ticket(page, shots, name: str) -> None:
    page.wait_for_function("() => document.getElementById('ticket-qr').complete "
                           "&& document.getElementById('ticket-qr').naturalWidth > 0")
    look(page, shots, name)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_life_event_and_one_more_service_give_one_printed_ticket_of_three_steps(portrait, printer, shots, language):  # noqa: F811
    open_desk("HQ-07", "c7", primary=["birth"])
    w, name = WORDS[language], f"visit-{language}"
    page, _ = open_kiosk_with(portrait, printer)
    build_visit(page, w, shots, name)
    look(page, shots, f"{name}-2-three-ticked")
    assert axe_problems(page) == []

    number, asked = take(page, w)
    assert asked["services"] == ["birth", "passport", "tax"] and "service" not in asked
    expect(page.locator("#ticket-service")).to_be_hidden()
    steps_on_screen(page, w, ["birth", "passport", "tax"])
    if w["none"]:
        expect(page.locator("#ticket-documents ul").nth(1)).to_have_text(w["none"])  # passport: nothing listed
    look_at_ticket(page, shots, f"{name}-3-ticket")
    assert axe_problems(page) == []

    first = stored_ticket(number)  # the visit's first row: its number, token and paper
    assert (first.service.code, first.step, first.language) == ("birth", 1, language)
    assert len(first.next_steps) == 2
    job = printed(printer, number, shots, name)
    if language == "en":
        lines = [row.text for row in parse(job) if row.text]
        assert lines[lines.index("Your visit, in this order:") + 1:][:3] == [
            "1. Birth registration", "2. Passport renewal", "3. Tax question"]
        assert "1. Birth registration:" in lines and "- Medical birth certificate" in lines
    else:  # Arabic is drawn: the number stays text, and the steps and documents are lines of their own
        assert f"{number}\n".encode() in job
        assert len(images(job)) == 1 + 1 + 3 + 3 + 1 + 1 + 1 + 1 + 2  # centre, steps' title, 3 steps,
        # 3 facts, "please bring", birth's heading and document, the QR code, scan and footer


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_unticking_a_service_gives_a_ticket_of_two_steps(request, printer, shots, orientation):
    context = request.getfixturevalue(orientation)
    w, name = WORDS["en"], f"visit-untick-{orientation}"
    page, _ = open_kiosk_with(context, printer)
    build_visit(page, w, shots, name)
    passport = page.get_by_role("checkbox", name=w["passport"])
    passport.focus()
    page.keyboard.press("Space")  # the keyboard ticks and unticks too
    expect(passport).not_to_be_checked()
    expect(passport).to_be_focused()
    look(page, shots, f"{name}-2-unticked")

    number, asked = take(page, w)
    assert asked["services"] == ["birth", "tax"]
    steps_on_screen(page, w, ["birth", "tax"])
    look_at_ticket(page, shots, f"{name}-3-ticket")
    first = stored_ticket(number)
    assert (first.service.code, len(first.next_steps)) == ("birth", 1)
    lines = [row.text for row in parse(printed(printer, number, shots, name)) if row.text]
    assert "1. Birth registration" in lines and "2. Tax question" in lines
    assert not any("Passport" in line for line in lines)


def test_one_service_and_then_another_from_the_service_screen(portrait, printer, shots):  # noqa: F811
    w = WORDS["en"]
    page, _ = open_kiosk_with(portrait, printer)
    tap(page, w["language"], exact=True)
    page.locator("#tab-agencies").click()
    tap(page, w["agency"])
    page.locator("#panel-agencies button[data-service=tax]").click()
    tap(page, w["add"])  # from the one service: pick another, on the same ticket
    expect(page.locator("#adding")).to_be_visible()
    page.locator("#tab-events").click()
    tap(page, w["event"])  # while adding, a life event opens its list
    page.locator("#panel-events button[data-service=birth]").click()
    expect(page.get_by_role("heading", name="Your visit", level=1)).to_be_visible()
    assert [row.get_attribute("data-pick") for row in page.locator("#visit-list li").all()] == ["tax", "birth"]
    number, asked = take(page, w)
    assert asked["services"] == ["tax", "birth"]
    steps_on_screen(page, w, ["tax", "birth"])
    assert stored_ticket(number).service.code == "tax"


def test_a_service_no_longer_served_today_is_named_to_untick(portrait, printer, shots):  # noqa: F811
    open_desk("HQ-07", "c7", primary=["birth"])
    w = WORDS["en"]
    page, _ = open_kiosk_with(portrait, printer)
    tap(page, w["language"], exact=True)
    page.locator("#tab-agencies").click()
    tap(page, w["agency"])
    page.locator("#panel-agencies button[data-service=birth]").click()
    tap(page, w["add"])
    tap(page, "All agencies")
    tap(page, "Passports")
    page.locator("#panel-agencies button[data-service=info]").click()
    expect(page.get_by_role("checkbox", name="Information")).to_be_checked()
    # meanwhile the day's roster leaves information to nobody (ben, its only clerk, is not on it)
    midnight = datetime.combine(utcnow().astimezone(MSK).date(), time(0), MSK)
    replace_roster("HQ", midnight.date(), [ShiftPlan("ana", midnight, midnight + timedelta(minutes=30))], by=SYSTEM)

    tap(page, w["take"])
    page.locator("#priority-no").click()
    page.locator("#phone-skip").click()
    expect(page.get_by_role("heading", name="Your visit", level=1)).to_be_visible()  # back to the visit
    expect(page.locator("#visit-error")).to_have_text(
        "Information is not served here today. Untick it to take your ticket for the other services.")
    expect(page.locator("#visit-list li[data-pick=info] .offer")).to_have_text("Not served today")
    look(page, shots, "visit-refused-1-named")
    assert axe_problems(page) == []
    page.get_by_role("checkbox", name="Information").uncheck()
    expect(page.locator("#visit-error")).to_be_empty()
    number, asked = take(page, w)
    assert asked == {"service": "birth", "priority": False, "language": "en"}  # one left: a ticket as before
    expect(page.locator("#ticket-service")).to_have_text(w["birth"])
    expect(page.locator("#ticket-steps")).to_be_hidden()
    assert stored_ticket(number).next_steps == []


def test_one_ticket_holds_at_most_five_services(browser, live_server, demo, shots):
    """The demo network's "Birth of a child" has 8 services: 5 can be ticked, then no more."""
    context = browser.new_context(base_url=live_server, viewport=PORTRAIT, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.goto(f"/kiosk?token={create_device('kiosk', CENTRE, printer='dummy://').token}")
    tap(page, "English", exact=True)
    page.locator("#panel-events button").first.click()
    boxes = page.locator("#visit-list input[type=checkbox]")
    expect(boxes).to_have_count(8)
    for i in range(8):  # tick them all, in order, whatever was ticked for today
        if not boxes.nth(i).is_checked() and boxes.nth(i).is_enabled():
            boxes.nth(i).check()
    expect(page.locator("#visit-list input:checked")).to_have_count(5)
    expect(page.locator("#visit-list input:disabled")).to_have_count(3)  # the rest wait for one to be unticked
    expect(page.locator("#visit-full")).to_have_text("One ticket holds up to 5 services.")
    expect(page.locator("#visit-add")).to_be_disabled()
    look_long_names(page, shots, "visit-five-at-most")
    boxes.first.uncheck()
    expect(page.locator("#visit-list input:disabled")).to_have_count(0)
    expect(page.locator("#visit-add")).to_be_enabled()
    context.close()
