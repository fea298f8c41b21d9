"""A shift cut after bookings, in a real browser: the manager shortens a clerk's shift on the roster
page and sees the appointment that lost its place listed in a banner, then the managers' dashboard
alerts to it. NYC (America/New_York) opens 09:00–17:00 on weekdays; carl does births and passports."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.domain.roster import ShiftPlan
from queue_app.extensions import db
from queue_app.models import Centre
from queue_app.services import book, create_user, slots
from queue_app.services.roster import replace_roster
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_counter import sign_in


def weekday_ahead(centre: Centre) -> date:
    """A day at least two days ahead that NYC opens 09:00–17:00 (not a weekend, not Christmas Eve)."""
    day = utcnow().astimezone(centre.tz).date() + timedelta(days=2)
    while centre.opening_hours.span_on(day) != (time(9), time(17)):
        day += timedelta(days=1)
    return day


@pytest.fixture
def booked(page):
    """mia manages NYC; carl is rostered 09:00–17:00 on a coming weekday, and a visitor booked the
    last passport slot of his day that has a place."""
    create_user("mia", "manager", password=PASSWORD, name="Mia Lopez", centres=["NYC"])
    create_user("carl", "clerk", password=PASSWORD, name="Carl Diaz", centres=["NYC"], primary=["birth", "passport"])
    nyc = db.session.scalar(select(Centre).where(Centre.code == "NYC"))
    tz, day = nyc.tz, weekday_ahead(nyc)
    replace_roster("NYC", day, [ShiftPlan("carl", datetime.combine(day, time(9), tz),
                                          datetime.combine(day, time(17), tz))], by=SYSTEM)
    last = slots("NYC", "passport", day)[-1].start
    code = book("NYC", "passport", last, "Ana Ruiz", phone="+15550000000").code
    return {"page": page, "day": day, "code": code, "start": last}


def test_a_manager_shortens_a_shift_and_sees_the_appointment_that_lost_its_place(booked, shots):
    page, day = booked["page"], booked["day"].isoformat()
    sign_in(page, f"/manager/NYC/roster?week={day}", "mia")
    shift = page.locator(f"#day-{day} .shift")
    expect(shift).to_contain_text("Carl Diaz 09:00–17:00")
    expect(page.locator("#conflicts")).to_be_hidden()  # the roster holds the booking

    page.locator(f"#day-{day}").get_by_role("button", name="Edit · Carl Diaz 09:00–17:00").click()
    form = page.get_by_role("dialog")
    form.get_by_label("End", exact=True).fill("13:00")
    form.get_by_role("button", name="Save the shift").click()
    expect(shift).to_contain_text("Carl Diaz 09:00–13:00")

    banner = page.locator("#conflicts")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("heading")).to_have_text("Booked over the roster")
    expect(banner.get_by_role("alert")).to_contain_text("Booked appointments that no longer have a place: 1.")
    expect(banner.locator("#conflicts-list > li")).to_contain_text("Passport renewal, ")
    expect(banner.locator("#conflicts-list > li")).to_contain_text(booked["start"].strftime("%H:%M"))
    expect(banner.locator("#conflicts-list > li")).to_contain_text("1 booked, 0 places")
    expect(banner.locator(".conflict-appointment")).to_have_text(f"Appointment {booked['code']}, place 1")
    assert "Ana Ruiz" not in banner.inner_text()
    assert axe_problems(page) == []
    page.screenshot(path=shots / "roster-conflict-en.png", full_page=True)

    page.goto("/manager/NYC")
    alert = page.locator("#alerts li.overbooked")
    expect(alert).to_contain_text("Booked appointments without a place from")
    expect(alert).to_contain_text(": 1.")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "dashboard-overbooked-en.png", full_page=False)
    alert.get_by_role("link", name="See them on the roster").click()
    expect(page.locator("#conflicts .conflict-appointment")).to_have_text(f"Appointment {booked['code']}, place 1")

    # the manager puts the shift back: the banner goes
    page.locator(f"#day-{day}").get_by_role("button", name="Edit · Carl Diaz 09:00–13:00").click()
    page.get_by_role("dialog").get_by_label("End", exact=True).fill("17:00")
    page.get_by_role("dialog").get_by_role("button", name="Save the shift").click()
    expect(page.locator("#conflicts")).to_be_hidden()


def test_the_banner_in_arabic_reads_right_to_left(booked, shots):
    page, day = booked["page"], booked["day"]
    tz = db.session.scalar(select(Centre).where(Centre.code == "NYC")).tz
    replace_roster("NYC", day, [ShiftPlan("carl", datetime.combine(day, time(9), tz),
                                          datetime.combine(day, time(10), tz))], by=SYSTEM)
    sign_in(page, f"/manager/NYC/roster?week={day.isoformat()}&lang=ar", "mia")
    banner = page.locator("#conflicts")
    expect(banner).to_be_visible()
    expect(banner.locator(".conflict-appointment")).to_contain_text(booked["code"])
    assert "Booked" not in banner.inner_text()
    assert axe_problems(page) == []
    page.screenshot(path=shots / "roster-conflict-ar.png", full_page=True)
