"""The booking site in Chromium, on a phone and on a desktop: book → confirmation → download the PDF
and the .ics → manage page → cancel; moving an appointment; an axe scan of every page."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from babel.dates import format_skeleton, format_time
from icalendar import Calendar
from playwright.sync_api import expect

from queue_app.db import utcnow
from queue_app.extensions import db, limiter
from queue_app.services import appointment_by_code
from tests.conftest import MSK, add_clerk
from tests.e2e.axe import axe_problems

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
DEVICES = {"phone": PHONE, "desktop": DESKTOP}

# Nothing wider than the screen: no sideways scrolling on a phone.
OVERFLOW = """() => [...document.querySelectorAll("main *")]
  .filter(n => n.offsetParent !== null && n.getBoundingClientRect().right > innerWidth + 1)
  .map(n => `${n.tagName}.${n.className} "${(n.textContent || "").trim().slice(0, 30)}"`)"""


@pytest.fixture
def hq(ctx, monkeypatch):
    """HQ offering 2 places a slot for births at whole hours (ana + 8 clerks sharing births with
    passports: 4⅓ servers, half for walk-ins); a booking limit the test cannot hit."""
    for i in range(8):
        add_clerk(f"hq{i}", "HQ", primary=["birth", "passport"])
    monkeypatch.setitem(ctx.config, "ONEDOOR_BOOKING_RATE_LIMIT", "10000/minute")
    limiter.reset()
    yield ctx
    limiter.reset()


@pytest.fixture(params=list(DEVICES))
def device(request, browser, hq, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB", accept_downloads=True,
                                  **DEVICES[request.param])
    page = context.new_page()
    page.device = request.param
    yield page
    context.close()


def tomorrow_at(hh: int, mm: int = 0) -> datetime:
    day = (utcnow().astimezone(MSK) + timedelta(days=1)).date()
    return datetime.combine(day, time(hh, mm), MSK)


def day_name(start: datetime) -> re.Pattern:
    """The day link's accessible name ("Thu, Dec 3", not "Thu, Dec 31")."""
    return re.compile(rf"^{re.escape(format_skeleton('MMMEd', start.date(), locale='en'))}\b")


def snap(page, shots: Path, name: str) -> None:
    assert page.evaluate(OVERFLOW) == [], f"{name}: wider than the screen"
    page.screenshot(path=shots / f"book-{name}-{page.device}.png", full_page=True)


def test_book_download_and_cancel(device, shots, tmp_path):
    page, start = device, tomorrow_at(10)
    page.goto("/book/")
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    snap(page, shots, "1-service")
    page.get_by_text("Birth of a child").click()  # a life event opens (no script needed), its services ticked
    event = page.locator("details.event")
    event.get_by_role("checkbox", name="Passport renewal").uncheck()  # one left: the one-service path
    event.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/book/birth$"))

    expect(page.get_by_role("heading", name="Choose a centre")).to_be_visible()
    snap(page, shots, "2-centre")
    page.get_by_role("link", name="Choose Headquarters").click()

    expect(page.get_by_role("heading", name="Choose a day")).to_be_visible()
    snap(page, shots, "3-day")
    page.get_by_role("link", name=day_name(start)).click()

    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    snap(page, shots, "4-time")
    stamp = start.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")
    page.locator(f'a[href$="at={stamp}"]').click()

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.get_by_label("Time")).to_have_value(re.compile(r"^\d{8}T\d{4}Z$"))
    page.get_by_role("button", name="Book this appointment").click()  # nothing filled in yet
    expect(page.get_by_text("Enter your name.")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_attribute("aria-invalid", "true")
    snap(page, shots, "5-details-refused")
    page.get_by_label("Your name").fill("Ana Ruiz")
    page.get_by_label("Phone number").fill("+34 612 345 678")
    expect(page.get_by_label("Language for messages")).to_have_value("en")
    snap(page, shots, "5-details")
    page.get_by_role("button", name="Book this appointment").click()

    expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    code = page.locator(".code-text").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    expect(page.get_by_role("img", name=re.compile(f"QR code of your code {code}"))).to_be_visible()
    expect(page.get_by_text("Medical birth certificate")).to_be_visible()
    snap(page, shots, "6-confirmation")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the confirmation (PDF)").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf_download.value.suggested_filename == f"appointment-{code}.pdf"
    with page.expect_download() as ics_download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    (event,) = Calendar.from_ical(Path(ics_download.value.path()).read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == f"{code}@onedoor" and event.decoded("DTSTART") == start

    page.get_by_role("link", name="Cancel or move this appointment").click()
    expect(page.get_by_role("heading", name="Your appointment", exact=True)).to_be_visible()
    snap(page, shots, "7-manage")
    page.get_by_role("link", name="Cancel the appointment").click()
    expect(page.get_by_role("heading", name="Cancel this appointment?")).to_be_visible()
    snap(page, shots, "8-cancel")
    page.get_by_role("button", name="Yes, cancel the appointment").click()
    expect(page.get_by_role("status").first).to_contain_text("Your appointment is cancelled.")
    expect(page.get_by_role("link", name="Cancel the appointment")).to_have_count(0)
    snap(page, shots, "9-cancelled")
    db.session.rollback()
    assert appointment_by_code(code).status == "cancelled"


def test_find_by_code_and_move_by_keyboard(page, hq, shots):
    page.device = "desktop"
    from queue_app.services import book

    start, later = tomorrow_at(10), tomorrow_at(15, 30)
    code = book("HQ", "birth", start, "Ana Ruiz", phone="+34600000000").code
    page.goto("/book/manage")
    page.get_by_label("Appointment code").fill(f"{code[:4].lower()} {code[4:].lower()}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/book/manage/{code}$"))
    page.get_by_role("link", name="Move to another time").click()
    expect(page.get_by_role("heading", name="Choose a new day")).to_be_visible()
    page.get_by_role("link", name=day_name(start)).click()
    expect(page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    choice = page.get_by_role("radio", name=format_time(later, "short", locale="en").replace("\u202f", " "))
    choice.check()
    expect(choice).to_have_value(later.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ"))
    snap(page, shots, "10-move")
    page.get_by_role("button", name="Move my appointment").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Your appointment is moved to")
    db.session.rollback()
    moved = appointment_by_code(code)
    assert (moved.code, moved.start) == (code, later)


@pytest.mark.parametrize("lang", ["ru", "es"])
def test_every_page_passes_an_axe_scan_and_fits_a_phone(browser, hq, live_server, shots, lang):
    from queue_app.services import book

    context = browser.new_context(base_url=live_server, locale="en-GB", **PHONE)
    page = context.new_page()
    page.device = f"phone-{lang}"
    start = tomorrow_at(10)
    code = book("HQ", "birth", start, "Ana Ruiz", phone="+34600000000").code
    day = start.date().isoformat()
    seen = {}
    for name, url in [("1-service", f"/book/?lang={lang}"), ("2-centre", "/book/birth"), ("3-day", "/book/birth/HQ"),
                      ("4-time", f"/book/birth/HQ/{day}"), ("5-details", f"/book/birth/HQ/{day}/details"),
                      ("6-confirmation", f"/book/done/{code}"), ("7-manage", f"/book/manage/{code}"),
                      ("8-cancel", f"/book/manage/{code}/cancel"), ("10-move", f"/book/manage/{code}/move/{day}"),
                      ("find", "/book/manage"), ("unknown", "/book/manage/ZZZZZZZZ")]:
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        snap(page, shots, name)
        seen[name] = axe_problems(page)
    context.close()
    problems = {k: v for k, v in seen.items() if v}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_booking_limit_says_so_in_the_visitors_language(browser, hq, live_server, shots, monkeypatch):
    monkeypatch.setitem(hq.config, "ONEDOOR_BOOKING_RATE_LIMIT", "1/minute")
    limiter.reset()
    context = browser.new_context(base_url=live_server, locale="ru-RU", **PHONE)
    page = context.new_page()
    page.device = "phone-ru"
    body = {"centre": "HQ", "service": "birth", "start": tomorrow_at(9).isoformat(), "name": "Ana",
            "phone": "+34600000000"}
    assert page.request.post("/api/v1/appointments", data=body).status == 201  # the API spends the budget
    start = tomorrow_at(10)
    stamp = start.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")
    page.goto(f"/book/birth/HQ/{start.date().isoformat()}/details?at={stamp}")
    page.get_by_label("Ваше имя").fill("Ана")
    page.get_by_label("Электронная почта").fill("ana@example.org")
    with page.expect_response(lambda r: r.request.method == "POST" and "/details" in r.url) as answer:
        page.get_by_role("button", name="Записаться").click()
    assert answer.value.status == 429
    expect(page.get_by_role("heading", name="Подождите несколько минут")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("слишком много записей")
    snap(page, shots, "limited")
    context.close()
