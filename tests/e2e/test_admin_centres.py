"""The centre pages in Chromium: a manager opens the month calendar, walks it by keyboard, makes the
day of a booking a holiday and sees that booking listed with where to move it; a holiday today closes
the kiosk of the centre; every language, Arabic right to left; axe-core clean; screenshots."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.db import utcnow
from queue_app.extensions import db
from queue_app.models import Centre
from queue_app.services import book, create_user
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_closed_centre import open_closed_kiosk
from tests.e2e.test_display import open_screen, tv  # noqa: F401 - tv is a fixture
from tests.e2e.test_kiosk import portrait  # noqa: F401 - a fixture
from tests.e2e.test_reports import sign_in
from tests.integration.test_admin_centres import a_free_slot


@pytest.fixture
def mia(page):
    """Signed in as mia, a manager of NYC and HQ."""
    create_user("mia", "manager", password=PASSWORD, name="Mia Lopez", centres=["NYC", "HQ"])
    return page


def cell(page, day: str):
    return page.locator(f'table.calendar a[data-day="{day}"]')


def test_a_manager_makes_a_booked_day_a_holiday_and_sees_the_booking_to_move(mia, shots):
    page = mia
    free = a_free_slot("NYC", "birth")
    booked = book("NYC", "birth", free.start, name="Ana", phone="+34612345678")
    day = free.start.date()
    sign_in(page, "/admin/centres?lang=en", "mia")
    page.locator('a[href="/admin/centres/NYC"]').click()
    expect(page.get_by_role("heading", name="Exception days and public holidays")).to_be_visible()
    if not cell(page, day.isoformat()).count():
        page.get_by_role("link", name="Next month").click()
    # by keyboard: into the calendar (one tab stop), arrow keys to the day, Enter opens it in the form
    first = page.locator('table.calendar a[data-day][tabindex="0"]')
    first.focus()
    start = first.get_attribute("data-day")
    steps = day.toordinal() - date.fromisoformat(start).toordinal()
    for _ in range(steps // 7):
        page.keyboard.press("ArrowDown")
    for _ in range(steps % 7):
        page.keyboard.press("ArrowRight")
    expect(page.locator(":focus")).to_have_attribute("data-day", day.isoformat())
    page.keyboard.press("Enter")
    expect(page.get_by_label("Day", exact=True)).to_have_value(day.isoformat())
    page.get_by_label("Closed (a holiday)").check()
    page.get_by_label("Note").fill("Storm")
    page.get_by_role("button", name="Save the day").click()
    expect(page.get_by_text("1 booking has no place any more")).to_be_visible()
    listed = page.locator(".to-move")
    expect(listed).to_contain_text(booked.code)
    expect(listed.get_by_role("link", name=f"Move appointment {booked.code}")).to_have_attribute(
        "href", f"/book/manage/{booked.code}/move")
    expect(listed.get_by_role("link", name="Booking conflicts of that week")).to_be_visible()
    expect(cell(page, day.isoformat())).to_contain_text("Holiday: closed — Storm")
    expect(page.locator(".exceptions")).to_contain_text("Storm")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-centre-holiday-en.png", full_page=True)
    # the roster page of that week lists it among the booking conflicts
    listed.get_by_role("link", name="Booking conflicts of that week").click()
    expect(page.locator("#conflicts")).to_contain_text(booked.code)


def test_a_holiday_today_closes_the_centres_kiosk_and_display(mia, portrait, tv):  # noqa: F811
    page = mia
    sign_in(page, "/admin/centres/HQ?lang=en", "mia")
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    today = utcnow().astimezone(hq.tz).date().isoformat()
    expect(page.get_by_label("Day", exact=True)).to_have_value(today)  # the form starts on today
    page.get_by_label("Note").fill("Inspection")
    page.get_by_role("button", name="Save the day").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(cell(page, today)).to_contain_text("Holiday: closed — Inspection")
    kiosk = open_closed_kiosk(portrait)
    expect(kiosk.locator("#closed")).to_be_visible()
    expect(kiosk.locator(".closed-lang[lang=en] h2")).to_have_text("This centre is closed now")
    screen = open_screen(tv, clock=utcnow())
    expect(screen.locator("#shut")).to_be_visible()
    expect(screen.locator(".shut-lang[lang=en] h2")).to_have_text("Closed")
    page.get_by_role("button", name=re.compile("its weekly hours back")).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    kiosk = open_closed_kiosk(portrait)
    expect(kiosk.get_by_role("button", name="English", exact=True)).to_be_visible()


def test_a_busy_counter_is_not_retired_and_the_page_says_what_to_do(mia, shots):
    from queue_app.domain.access import SYSTEM
    from queue_app.services import call_next, issue_ticket
    from tests.conftest import open_desk
    now = utcnow()
    open_desk("HQ-01", "c1", primary=["birth"], now=now)
    issue_ticket("HQ", "birth", by=SYSTEM, now=now)
    call_next("HQ-01", by=SYSTEM, now=now)
    page = mia
    sign_in(page, "/admin/centres/HQ?lang=en", "mia")
    page.get_by_role("button", name="Retire counter 1", exact=True).click()
    alert = page.locator("#refusal")
    expect(alert).to_contain_text("This is still in use")
    expect(alert).to_contain_text("the clerk must finish and close it first")
    page.get_by_label("Counter name").fill("Window 9")
    page.get_by_role("button", name="Add a counter").click()
    expect(page.locator(".counters tbody tr").last).to_contain_text("Closed")
    expect(page.locator(".counters tbody tr").last.locator("input[name=name]")).to_have_value("Window 9")


@pytest.mark.parametrize("lang, heading, direction", [
    ("en", "Exception days and public holidays", "ltr"), ("es", "Días excepcionales y festivos", "ltr"),
    ("ru", "Особые дни и праздники", "ltr"), ("ar", "الأيام الاستثنائية والعطل الرسمية", "rtl")])
def test_the_centre_page_in_every_language(page, shots, lang, heading, direction):
    create_user("ada", "admin", password=PASSWORD, name="Ada King", centres=[])
    sign_in(page, f"/admin/centres/NYC?lang={lang}", "ada")
    expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    assert page.evaluate("document.documentElement.dir") == direction
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"admin-centre-{lang}.png", full_page=True)
    page.goto(f"/admin/centres?lang={lang}")
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"admin-centres-{lang}.png", full_page=True)
