"""A visit of several services on the booking site and on the join page, in Chromium (SPEC §11):
a life event's services ticked, one more added, booked as consecutive slots to a confirmation
listing every step (English and Arabic, phone and desktop); moved and cancelled whole from the
manage page; joined from home with two services as one ticket. Each page is scanned by axe."""
from __future__ import annotations

import re
from datetime import timezone

import pytest
from babel.dates import format_time
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Ticket
from queue_app.services import appointment_by_code, book_visit, visit_slots
from queue_app.services.visit_booking import later_steps
from tests.conftest import MSK, add_clerk, open_desk
from tests.e2e.axe import axe_problems
from tests.e2e.test_booking_site import DEVICES, PHONE, day_name, hq, snap, tomorrow_at  # noqa: F401 (fixture: hq)

WORDS = {  # what the visitor reads, in each language (tests/data/network.toml and the catalogues)
    "en": {"event": "Birth of a child", "birth": "Birth registration", "passport": "Passport renewal",
           "info": "Information", "add": "Add another service", "add_here": "Add to my visit", "go": "Continue",
           "visit": "Your visit", "booked": "Your appointment is booked", "document": "Medical birth certificate"},
    "ar": {"event": "ولادة طفل", "birth": "تسجيل المواليد", "passport": "تجديد جواز السفر", "info": "استعلامات",
           "add": "إضافة خدمة أخرى", "add_here": "أضف إلى زيارتي", "go": "متابعة", "visit": "زيارتك",
           "booked": "تم حجز موعدك", "document": "شهادة الولادة الطبية"},
}
PLAN = ["birth", "passport", "info"]


@pytest.fixture
def clinic(hq):
    """HQ as the booking site's tests have it, and two clerks who give information: places for it too."""
    for i in range(2):
        add_clerk(f"info{i}", "HQ", primary=["info"])
    return hq


def at(moment):
    """The moment on the centre's clock, as the pages write its times."""
    return moment.astimezone(MSK)


def clean(page, name: str) -> None:
    problems = axe_problems(page)
    assert not problems, f"{name}: {problems}"


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("device_name", list(DEVICES))
def test_a_visit_from_a_life_event_to_its_confirmation(browser, clinic, live_server, shots, lang, device_name):
    w = WORDS[lang]
    context = browser.new_context(base_url=live_server, locale="en-GB", **DEVICES[device_name])
    page = context.new_page()
    page.device = f"{device_name}-{lang}"
    start = tomorrow_at(10)
    (chosen,) = [v for v in visit_slots("HQ", PLAN, start.date()) if v["start"] == start]
    page.goto(f"/book/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    page.get_by_text(w["event"]).click()
    event = page.locator("details.event")
    for code in ("birth", "passport"):  # the life event's services come ticked
        expect(event.get_by_role("checkbox", name=w[code])).to_be_checked()
    snap(page, shots, "visit-1-event")
    clean(page, "life event")
    event.get_by_role("button", name=w["add"]).click()

    expect(page.get_by_role("heading", name=w["visit"])).to_be_visible()
    page.get_by_label(w["add"]).select_option("info")
    page.get_by_role("button", name=w["add_here"]).click()
    for code in PLAN:
        expect(page.get_by_role("checkbox", name=w[code])).to_be_checked()
    snap(page, shots, "visit-2-services")
    clean(page, "visit")
    page.get_by_role("button", name=w["go"]).click()

    expect(page).to_have_url(re.compile(r"/book/birth\+passport\+info$"))
    for code in PLAN:
        expect(page.locator("ol.plan").get_by_text(w[code])).to_be_visible()
    snap(page, shots, "visit-3-centre")
    page.locator('a[href="/book/birth+passport+info/HQ"]').click()
    page.locator(f'a[href="/book/birth+passport+info/HQ/{start.date().isoformat()}"]').click()

    stamp = start.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")
    link = page.locator(f'a[href$="at={stamp}"]')
    for step in chosen["steps"]:  # each step's own time under the visit's start
        clock = format_time(at(step["start"]), "short", locale=lang)
        expect(link).to_contain_text(f"{clock} {w[step['service']]}")
    snap(page, shots, "visit-4-time")
    clean(page, "times")
    link.click()

    page.locator("#name").fill("Ana Ruiz")
    page.locator("#phone").fill("+34 612 345 678")
    snap(page, shots, "visit-5-details")
    page.locator("form button[type=submit]").click()

    expect(page.get_by_role("heading", name=w["booked"])).to_be_visible()
    steps = page.locator("ol.visit-steps li")
    expect(steps).to_have_count(3)
    for row, step in zip(range(3), chosen["steps"]):
        clock = format_time(at(step["start"]), "short", locale=lang)
        expect(steps.nth(row)).to_have_text(f"{clock} {w[step['service']]}")
    for code in PLAN:  # what to bring, under each step's service
        expect(page.get_by_role("heading", name=w[code], level=3)).to_be_visible()
    expect(page.get_by_text(w["document"])).to_be_visible()
    snap(page, shots, "visit-6-confirmation")
    clean(page, "confirmation")
    code = page.locator(".code-text").inner_text().strip()
    context.close()
    db.session.rollback()
    first = appointment_by_code(code)
    assert [(a.service.code, a.start) for a in [first, *later_steps(first)]] == \
        [(s["service"], s["start"]) for s in chosen["steps"]]


def test_a_visit_is_moved_and_cancelled_whole_from_the_manage_page(page, clinic, shots):
    page.device = "desktop"
    start, later = tomorrow_at(10), tomorrow_at(14)
    code = book_visit("HQ", ["birth", "passport"], start, "Ana Ruiz", phone="+34600000000").code
    page.goto(f"/book/manage/{code}")
    expect(page.locator("ol.visit-steps li")).to_have_count(2)
    page.get_by_role("link", name="Move to another time").click()
    page.get_by_role("link", name=day_name(start)).click()
    expect(page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    clock = format_time(later, "short", locale="en").replace("\u202f", " ")
    choice = page.get_by_role("radio", name=re.compile(f"^{clock} {clock} Birth registration"))
    choice.check()
    expect(choice).to_have_value(later.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ"))
    snap(page, shots, "visit-7-move")
    clean(page, "move")
    page.set_viewport_size(PHONE["viewport"])  # the same tiles on a phone: nothing wider than it
    page.device = "phone"
    snap(page, shots, "visit-7-move")
    page.device = "desktop"
    page.get_by_role("button", name="Move my appointment").click()
    expect(page.get_by_role("status").first).to_contain_text("Your appointment is moved to")
    db.session.rollback()
    first = appointment_by_code(code)
    assert [a.start for a in [first, *later_steps(first)]] == [later, tomorrow_at(14, 20)]

    page.get_by_role("link", name="Cancel the appointment").click()
    expect(page.get_by_text("Every service of this visit is cancelled together.")).to_be_visible()
    snap(page, shots, "visit-8-cancel")
    page.get_by_role("button", name="Yes, cancel the appointment").click()
    expect(page.get_by_role("status").first).to_contain_text("Your appointment is cancelled.")
    snap(page, shots, "visit-9-cancelled")
    db.session.rollback()
    first = appointment_by_code(code)
    assert [a.status for a in [first, *later_steps(first)]] == ["cancelled", "cancelled"]


def test_joining_from_home_with_two_services(browser, ctx, live_server, shots):
    open_desk("HQ-07", "c7", primary=["birth", "passport"])
    context = browser.new_context(base_url=live_server, locale="en-GB", **PHONE)
    page = context.new_page()
    page.device = "phone"
    page.goto("/join")
    expect(page.get_by_role("radio", name=re.compile("Headquarters"))).to_be_checked()
    page.get_by_label("Service", exact=True).select_option("birth")
    page.get_by_text("More services in the same visit").click()
    page.get_by_label("Step 2").select_option("passport")
    page.get_by_label("Mobile phone number").fill("+34 612 345 678")
    snap(page, shots, "join-visit")
    clean(page, "join")
    page.get_by_role("button", name="Take my ticket").click()

    expect(page).to_have_url(re.compile(r"/t/[A-Za-z0-9_-]{43}$"))
    expect(page.get_by_text("Passport renewal").first).to_be_visible()
    snap(page, shots, "join-visit-status")
    context.close()
    db.session.commit()
    ticket = db.session.scalar(select(Ticket).where(Ticket.source == "remote"))
    assert ticket.service.code == "birth" and len(ticket.next_steps) == 1
