"""Arabic, right to left, in Chromium: the kiosk (its keyboards too), the booking site and the ticket's
status page mirror their layout, keep numbers and codes left to right, and pass an axe scan."""
from __future__ import annotations

import re
from datetime import timezone

import pytest
from playwright.sync_api import expect

from queue_app.domain.access import SYSTEM
from queue_app.services import issue_ticket
from tests.conftest import add_clerk, open_desk
from tests.e2e.axe import axe_problems
from tests.e2e.test_booking_site import OVERFLOW, tomorrow_at
from tests.e2e.test_kiosk import layout_problems, open_kiosk, portrait, ticket_on_screen  # noqa: F401  (a fixture)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def arabic_kiosk(context):
    page = open_kiosk(context)
    page.get_by_role("button", name="العربية", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", name="كيف يمكننا مساعدتك؟")).to_be_visible()
    return page


def test_the_kiosk_in_arabic_is_mirrored(portrait, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    page = open_kiosk(portrait)
    assert page.get_by_role("button", name="العربية", exact=True).get_attribute("dir") == "rtl"
    page.screenshot(path=shots / "rtl-kiosk-0-languages.png")
    page.get_by_role("button", name="العربية", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    width = page.viewport_size["width"]
    back, restart = box(page, "#back"), box(page, "#restart")
    assert back["x"] > width / 2 > restart["x"] + restart["width"]  # Back at the right, Start again at the left
    assert layout_problems(page) == []
    page.screenshot(path=shots / "rtl-kiosk-1-find.png")
    assert axe_problems(page) == []

    page.get_by_role("button", name="ولادة طفل").click()  # its services, ticked (test_kiosk_visits.py)
    service = page.locator("#visit-list li[data-pick=birth]")
    expect(service).to_contain_text("تسجيل المواليد")
    name, wait = box(page, "#visit-list li[data-pick=birth] .name"), box(page, "#visit-list li[data-pick=birth] .wait")
    tick = box(page, "#pick-birth")
    assert tick["x"] > name["x"] > wait["x"]  # the tick and the name start at the right, the wait at the left
    page.screenshot(path=shots / "rtl-kiosk-2-event.png")
    page.locator("#back").click()
    page.locator("#tab-agencies").click()
    page.get_by_role("button", name="السجل المدني").click()
    page.locator("#panel-agencies button[data-service=birth]").click()
    expect(page.locator("#service-documents li")).to_have_text(["شهادة الولادة الطبية"])
    page.screenshot(path=shots / "rtl-kiosk-3-service.png")
    page.locator("#take").click()
    page.locator("#priority-no").click()

    # the phone's number pad and field stay left to right: 1 2 3 from the left
    keys = page.locator("#phone-keys")
    assert keys.get_attribute("dir") == "ltr"
    one, two = box(page, "#phone-keys button >> nth=0"), box(page, "#phone-keys button >> nth=1")
    assert page.locator("#phone-keys button >> nth=0").inner_text() == "1" and one["x"] < two["x"]
    for digit in "+34612":
        keys.get_by_role("button", name=digit, exact=True).click()
    expect(page.locator("#phone-input")).to_have_value("+34612")
    assert page.locator("#phone-input").evaluate("n => getComputedStyle(n).direction") == "ltr"
    page.screenshot(path=shots / "rtl-kiosk-4-phone.png")
    assert axe_problems(page) == []
    page.locator("#phone-skip").click()

    number = ticket_on_screen(page)
    assert page.locator("#ticket-number").evaluate("n => getComputedStyle(n).direction") == "ltr"
    expect(page.locator("#ticket-number")).to_have_text(number)  # A001, never 100A
    page.screenshot(path=shots / "rtl-kiosk-5-ticket.png")
    assert layout_problems(page) == []
    assert axe_problems(page) == []


def test_the_kiosk_keyboard_in_arabic_types_arabic(portrait, shots):
    page = arabic_kiosk(portrait)
    page.locator("#tab-search").click()
    keyboard = page.locator("#search-keys")
    first_row = keyboard.locator(".key-row").first.locator("button")
    expect(first_row.first).to_have_text("ض")
    assert box(page, "#search-keys .key-row >> nth=0 >> button >> nth=0")["x"] > \
        box(page, "#search-keys .key-row >> nth=0 >> button >> nth=1")["x"]  # ض is the rightmost key
    for letter in "تسجيل":
        keyboard.get_by_role("button", name=letter, exact=True).click()
    expect(page.locator("#search-input")).to_have_value("تسجيل")
    expect(page.locator("#search-results button[data-service=birth]")).to_be_visible()
    page.screenshot(path=shots / "rtl-kiosk-6-search.png")
    assert axe_problems(page) == []

    # the appointment code's keyboard is Latin, left to right, as the codes are
    page.locator("#appointment-find").click()
    assert page.locator("#code-keys").get_attribute("dir") == "ltr"
    assert box(page, "#code-keys .key-row >> nth=0 >> button >> nth=0")["x"] < \
        box(page, "#code-keys .key-row >> nth=0 >> button >> nth=1")["x"]
    page.screenshot(path=shots / "rtl-kiosk-7-code.png")


@pytest.fixture
def arabic_phone(browser, ctx, live_server):
    for i in range(4):
        add_clerk(f"hq{i}", "HQ", primary=["birth", "passport"])
    context = browser.new_context(base_url=live_server, locale="ar", **PHONE)
    yield context.new_page()
    context.close()


def test_booking_in_arabic_is_mirrored(arabic_phone, shots):
    page, start = arabic_phone, tomorrow_at(10)
    page.goto("/book/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="احجز موعداً")).to_be_visible()
    assert page.evaluate(OVERFLOW) == []
    page.screenshot(path=shots / "rtl-book-1-service.png", full_page=True)
    assert axe_problems(page) == []

    page.goto("/book/birth/HQ")
    back, heading = box(page, ".back a"), box(page, "h1")
    width = page.viewport_size["width"]
    assert back["x"] + back["width"] > width - 40  # the back link starts at the right edge
    assert heading["x"] + heading["width"] > width - 40
    page.screenshot(path=shots / "rtl-book-3-day.png", full_page=True)

    stamp = start.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")
    page.goto(f"/book/birth/HQ/{start.date().isoformat()}/details?at={stamp}")
    page.get_by_label("اسمك").fill("أحمد علي")
    page.get_by_label("رقم الهاتف").fill("+34 612 345 678")
    page.get_by_role("button", name="احجز هذا الموعد").click()
    expect(page.get_by_role("heading", name="تم حجز موعدك")).to_be_visible()
    code = page.locator(".code-text").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code), code  # the code keeps its own order
    assert page.evaluate(OVERFLOW) == []
    page.screenshot(path=shots / "rtl-book-6-confirmation.png", full_page=True)
    assert axe_problems(page) == []


def test_the_status_page_in_arabic(arabic_phone, shots):
    ticket = issue_ticket("HQ", "birth", language="ar", by=SYSTEM).ticket
    page = arabic_phone
    page.goto(f"/t/{ticket.token}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#number")).to_have_text(ticket.number)
    assert page.locator("#number").evaluate("n => getComputedStyle(n).direction") == "ltr"
    expect(page.get_by_text("عدد من قبلك")).to_be_visible()
    page.screenshot(path=shots / "rtl-status.png", full_page=True)
    assert axe_problems(page) == []
