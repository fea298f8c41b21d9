"""The roster page in a real browser: a manager builds a week of shifts by keyboard, copies one to
another day, moves one, copies the week forward, sees a gap in the coverage turn red and fixes it;
a clerk may not open it and sees their own shifts on the counter page. NYC (America/New_York) opens
09:00–17:00 on weekdays; the week of Monday 2026-12-07."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.domain.roster import ShiftPlan
from queue_app.extensions import db
from queue_app.models import Centre, Shift
from queue_app.services import create_user
from queue_app.services.roster import replace_roster
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_counter import sign_in

URL = "/manager/NYC/roster?week=2026-12-07"
MONDAY, TUESDAY, WEDNESDAY = "2026-12-07", "2026-12-08", "2026-12-09"


@pytest.fixture
def roster(page):
    """mia manages NYC; carl (birth, passport) and tess (tax, info) are NYC clerks."""
    create_user("mia", "manager", password=PASSWORD, name="Mia Lopez", centres=["NYC"])
    create_user("carl", "clerk", password=PASSWORD, name="Carl Diaz", centres=["NYC"], primary=["birth", "passport"])
    create_user("tess", "clerk", password=PASSWORD, name="Tess Moe", centres=["NYC"], primary=["tax", "info"])
    return page


def day(page, iso: str):
    return page.locator(f"#day-{iso}")


def cell(page, iso: str, service: str, hour: str):
    return day(page, iso).locator(f'td[data-service="{service}"][data-hour="{hour}"]')


def add_shift(page, iso: str, clerk: str, start: str, end: str, breaks=()) -> None:
    """Add a shift with the keyboard only: the day's button, the form's fields, Enter to save."""
    # the button is in the page's HTML; its script listens to it before it draws the coverage
    expect(day(page, iso).locator("td").first).to_be_visible()
    day(page, iso).locator(".add-shift").focus()
    page.keyboard.press("Enter")
    form = page.get_by_role("dialog")
    expect(form).to_be_visible()
    form.get_by_label("Clerk").select_option(label=clerk)
    form.get_by_label("Start", exact=True).fill(start)
    form.get_by_label("End", exact=True).fill(end)
    for n, (a, b) in enumerate(breaks, start=1):
        form.get_by_label(f"Break {n} start").fill(a)
        form.get_by_label(f"Break {n} end").fill(b)
    form.get_by_label("End", exact=True).press("Enter")


def stored(first: str, days: int = 7) -> int:
    db.session.rollback()
    start = datetime.fromisoformat(first).date()
    return db.session.scalar(select(func.count()).select_from(Shift)
                             .where(Shift.day >= start, Shift.day < start + timedelta(days=days)))


def test_a_manager_builds_a_week_sees_a_gap_and_fixes_it(roster, shots):
    page = roster
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.accept()))  # "Replace the next week?": yes
    sign_in(page, "/manager/NYC", "mia")
    page.get_by_role("link", name="Roster").click()  # from the dashboard: this week
    expect(page.get_by_role("heading", level=1)).to_contain_text("Roster · New York")
    page.goto(URL)
    expect(cell(page, MONDAY, "birth", "09:00")).to_have_class("gap")  # nobody yet: every hour a gap

    add_shift(page, MONDAY, "Carl Diaz (carl)", "09:00", "17:00", breaks=[("12:00", "12:30")])
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(day(page, MONDAY).locator(".shift")).to_contain_text("Carl Diaz 09:00–17:00")
    expect(day(page, MONDAY).locator(".shift")).to_contain_text("Breaks: 12:00–12:30")
    expect(cell(page, MONDAY, "birth", "09:00")).to_have_class("ok")
    tax = cell(page, MONDAY, "tax", "09:00")
    expect(tax).to_have_class("gap")  # carl serves no tax: a gap, red and marked in words
    expect(tax).to_contain_text("not covered")
    assert tax.evaluate("c => getComputedStyle(c).backgroundImage").startswith("repeating-linear-gradient")

    add_shift(page, MONDAY, "Carl Diaz (carl)", "10:00", "11:00")  # overlaps his own: refused in words
    expect(page.get_by_role("dialog").get_by_role("alert")).to_have_text("A clerk's shifts on one day must not overlap.")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()

    add_shift(page, MONDAY, "Tess Moe (tess)", "09:00", "17:00")  # the fix
    expect(tax).to_have_class("ok")
    expect(day(page, MONDAY).locator(".gap-count")).to_have_text("")

    # copy Carl's shift to Tuesday, then move Tuesday's to Wednesday
    day(page, MONDAY).get_by_role("button", name="Copy to another day · Carl Diaz 09:00–17:00").click()
    page.get_by_role("dialog").get_by_label("Day").select_option(TUESDAY)
    page.get_by_role("dialog").get_by_role("button", name="Save the shift").click()
    expect(day(page, TUESDAY).locator(".shift")).to_contain_text("Carl Diaz 09:00–17:00")
    day(page, TUESDAY).get_by_role("button", name="Edit · Carl Diaz 09:00–17:00").click()
    page.get_by_role("dialog").get_by_label("Day").select_option(WEDNESDAY)
    page.get_by_role("dialog").get_by_label("End", exact=True).fill("13:00")
    page.get_by_role("dialog").get_by_role("button", name="Save the shift").click()
    expect(day(page, WEDNESDAY).locator(".shift")).to_contain_text("Carl Diaz 09:00–13:00")
    expect(day(page, TUESDAY).locator(".shifts")).to_have_text("No shifts.")  # set to nobody
    expect(day(page, "2026-12-10").locator(".shifts")).to_contain_text("Not rostered yet.")  # never set
    expect(cell(page, WEDNESDAY, "birth", "13:00")).to_have_class("gap")
    assert stored(MONDAY) == 3

    page.get_by_role("button", name="Copy this week to next week").click()
    expect(page.get_by_role("status")).to_contain_text("This week is copied to the week of 2026-12-14.")
    assert stored("2026-12-14") == 3
    page.get_by_role("button", name="Copy this week to next week").click()  # asks, then replaces
    expect(page.get_by_role("status")).to_contain_text("copied")  # the first copy's words went at the click
    assert len(asked) == 1
    assert stored("2026-12-14") == 3

    page.reload()
    expect(day(page, MONDAY).locator(".shift")).to_have_count(2)
    expect(cell(page, MONDAY, "tax", "09:00")).to_have_class("ok")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "roster-en.png", full_page=True)
    page.get_by_role("link", name="Next week").click()
    expect(day(page, "2026-12-14").locator(".shift")).to_have_count(2)
    expect(day(page, "2026-12-16").locator(".shift")).to_contain_text("Carl Diaz 09:00–13:00")


@pytest.mark.parametrize("lang", ["ar", "es", "ru"])
def test_the_roster_in_other_languages(roster, shots, lang):
    page = roster
    replace_roster("NYC", datetime.fromisoformat(MONDAY).date(), [ShiftPlan(
        "carl", datetime.fromisoformat("2026-12-07T09:00:00-05:00"), datetime.fromisoformat("2026-12-07T17:00:00-05:00"))],
        by=SYSTEM)
    sign_in(page, URL + f"&lang={lang}", "mia")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(day(page, MONDAY).locator(".shift")).to_contain_text("09:00–17:00")
    expect(cell(page, MONDAY, "tax", "09:00")).to_have_class("gap")
    day(page, MONDAY).locator(".add-shift").click()
    page.get_by_role("dialog").locator("#shift-staff").select_option("carl")
    page.get_by_role("dialog").locator("#shift-start").fill("10:00")
    page.get_by_role("dialog").locator("#shift-end").fill("11:00")
    page.get_by_role("dialog").locator("button[type=submit]").click()
    alert = page.get_by_role("dialog").get_by_role("alert")
    expect(alert).to_be_visible()
    assert "overlap" not in alert.inner_text()  # the refusal in the page's language
    page.screenshot(path=shots / f"roster-dialog-{lang}.png", full_page=False)
    page.keyboard.press("Escape")
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"roster-{lang}.png", full_page=True)


def test_a_clerk_may_not_open_the_roster_and_sees_their_shifts_at_the_counter(roster):
    page = roster
    tz = db.session.scalar(select(Centre).where(Centre.code == "NYC")).tz
    today = utcnow().astimezone(tz).date()

    def nine(when):
        return datetime.combine(when, datetime.min.time().replace(hour=9), tz)

    replace_roster("NYC", today, [ShiftPlan("carl", nine(today), nine(today) + timedelta(hours=4)),
                                  ShiftPlan("tess", nine(today), nine(today) + timedelta(hours=8))], by=SYSTEM)
    tomorrow = today + timedelta(days=1)
    replace_roster("NYC", tomorrow, [ShiftPlan("carl", nine(tomorrow), nine(tomorrow) + timedelta(hours=4))], by=SYSTEM)
    sign_in(page, URL, "carl")
    expect(page.get_by_role("alert")).to_have_text(
        "Only managers and administrators see these pages. Sign in as another person")
    page.goto("/counter?counter=NYC-01")
    panel = page.locator("#my-shifts")
    expect(panel.get_by_role("heading")).to_have_text("My shifts")
    expect(panel.locator("li")).to_have_count(2)  # his two, not tess's
    expect(panel.locator("li").first).to_contain_text("09:00–13:00")
    assert axe_problems(page) == []
    page.goto("/manager/NYC/roster?week=not-a-day")
    expect(page.get_by_role("alert")).to_contain_text("Only managers and administrators")


def test_a_week_that_is_no_date_shows_this_week(roster):
    sign_in(roster, "/manager/NYC/roster?week=2026-13-01", "mia")
    expect(roster.get_by_role("alert").first).to_have_text("Choose a valid week; showing this week.")
    expect(roster).to_have_url(re.compile(r"/manager/NYC/roster$"))
