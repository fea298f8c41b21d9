"""The faces follow what the centre serves (issue 17): the kiosk marks each service served now or
not today, and refuses one nobody serves for the rest of today up front with when it is served next
and an offer to book it (a QR code and the booking page's address), in every language; the join
page labels the services for the centre chosen and says the refusal; the counter's transfer dialog
offers only services served today.

Today HQ's roster has only ana, 00:00–00:30 (birth, passport, tax): ben (tax, info) is not on it,
so information is served by nobody today; tomorrow is not rostered (every clerk from 00:00). Ben
opens a counter for tax, off the roster: tax is served now.
"""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, time, timedelta

from playwright.sync_api import expect

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.domain.roster import ShiftPlan
from queue_app.services import issue_ticket, open_counter
from queue_app.services.roster import replace_roster
from tests.conftest import MSK
from tests.e2e.axe import axe_problems
from tests.e2e.test_counter import at_open_counter, desk  # noqa: F401 - desk is a fixture
from tests.e2e.test_kiosk import layout_problems, open_kiosk, portrait, tap  # noqa: F401 - portrait is a fixture

NOT_SERVED = {  # the refusal's text and its "served next tomorrow at 00:00", per language
    "en": ("Nobody serves this service here for the rest of today.", "It is served next tomorrow from 00:00."),
    "es": ("Hoy ya nadie atiende este servicio aquí.", "Se atenderá mañana desde las 00:00."),
    "ru": ("Сегодня эту услугу здесь больше никто не оказывает.", "Ближайший приём — завтра с 00:00."),
    "ar": ("لا أحد يقدّم هذه الخدمة هنا لبقية اليوم.", "تُقدَّم غدًا من الساعة 00:00."),
}
NAMES = {"en": "English", "es": "Español", "ru": "Русский", "ar": "العربية"}


def roster_only_ana_at_midnight() -> None:
    today = utcnow().astimezone(MSK).date()
    start = datetime.combine(today, time(0), MSK)
    replace_roster("HQ", today, [ShiftPlan("ana", start, start + timedelta(minutes=30))], by=SYSTEM)
    open_counter("HQ-02", "ben", skills=["tax"], by=SYSTEM)


def test_a_service_nobody_serves_today_is_marked_and_refused_with_a_booking_offer(portrait, shots, live_server):
    roster_only_ana_at_midnight()
    page = open_kiosk(portrait)
    tap(page, "English", exact=True)
    page.get_by_role("tab", name="By agency").click()
    tap(page, "Civil Registry")
    tax = page.locator("#panel-agencies button[data-service=tax]")
    expect(tax.locator(".offer")).to_have_text("Served now")
    expect(tax).not_to_have_class(re.compile(r"\bnot-today\b"))
    tap(page, "All agencies")
    tap(page, "Passports")
    info = page.locator("#panel-agencies button[data-service=info]")
    expect(info.locator(".offer")).to_have_text("Not served today")
    expect(info).to_have_class(re.compile(r"\bnot-today\b"))
    expect(info.locator("[data-wait]")).to_have_text(re.compile(r"^—"))
    page.screenshot(path=shots / "kiosk-offers-list-en.png")
    assert layout_problems(page) == []

    info.click()
    expect(page.get_by_role("heading", name="Information", level=1)).to_be_visible()
    refusal = page.locator("#unserved")
    expect(refusal).to_be_visible()
    expect(page.get_by_role("button", name="Take a ticket")).to_be_hidden()  # no ticket that would wait for ever
    expect(page.locator("#service-offer")).to_have_text("Not served today")
    for lang, (why, when) in NOT_SERVED.items():
        page.get_by_role("button", name=NAMES[lang], exact=True).click()
        expect(page.locator("#unserved-why")).to_have_text(why)
        expect(page.locator("#unserved-next")).to_have_text(when)
        if lang == "ar":
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
            page.wait_for_function("() => document.getElementById('unserved-qr').naturalWidth > 0")
            page.screenshot(path=shots / "kiosk-not-served-ar.png")
            assert axe_problems(page) == [] and layout_problems(page) == []
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("#unserved-url")).to_have_text(re.compile(r"^[^/]+/book/info/HQ$"))
    qr = page.locator("#unserved-qr")
    page.wait_for_function("() => document.getElementById('unserved-qr').naturalWidth > 0")
    qr.screenshot(path=shots / "kiosk-booking-qr.png")
    read = subprocess.run(["zbarimg", "--raw", "-q", str(shots / "kiosk-booking-qr.png")],
                          capture_output=True, text=True, timeout=30).stdout.strip()
    assert read == f"{live_server}/book/info/HQ"
    page.screenshot(path=shots / "kiosk-not-served-en.png")
    assert axe_problems(page) == [] and layout_problems(page) == []


def test_the_join_page_relabels_the_services_for_the_centre_chosen(page, shots):
    roster_only_ana_at_midnight()
    page.goto("/join?centre=NYC")
    info = page.locator('select[name=service] option[value="info"]')
    expect(page.locator("#offers-for")).to_have_text("What is served today at New York")
    page.get_by_label("Headquarters").check()
    expect(info).to_have_text("Information — not served today")
    expect(page.locator('select[name=service] option[value="tax"]')).to_have_text("Tax question — served now")
    expect(page.locator("#offers-for")).to_have_text("What is served today at Headquarters")
    page.get_by_label("Service").select_option("info")
    page.get_by_label("Mobile phone number").fill("+34 612 345 678")
    page.get_by_role("button", name="Take my ticket").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nobody serves this service here for the rest of today. It is served next on ")
    expect(alert.get_by_role("link", name="Book an appointment instead")).to_have_attribute("href", "/book/info/HQ")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "join-not-served-en.png", full_page=True)


def test_the_counter_offers_to_transfer_only_to_services_served_today(desk, shots):
    roster_only_ana_at_midnight()
    at_open_counter(desk)
    issue_ticket("HQ", "birth", by=SYSTEM)  # olga's counter serves birth: the ticket is issued
    desk.get_by_role("button", name="Call next").click()
    desk.get_by_role("button", name="Start").click()
    desk.get_by_role("button", name="Transfer").click()
    dialog = desk.get_by_role("dialog", name="Transfer the visitor")
    info = dialog.locator('option[value="info"]')
    expect(info).to_be_disabled()
    expect(info).to_have_text("Information — nobody serves it here for the rest of today")
    expect(dialog.locator('option[value="tax"]')).to_be_enabled()
    assert axe_problems(desk) == []
    desk.screenshot(path=shots / "counter-transfer-not-served-en.png")
