"""The public board (/centres) in Chromium: on a phone and a desktop, in two languages and right to
left, the list updating while it is open when a ticket is issued, ordered by the visitor's buttons,
the polling fallback, a centre's page with its chart; axe-core clean."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.pages import board_live
from queue_app.services import call_next, cancel, issue_ticket, start
from tests.conftest import open_desk, told_waits
from tests.e2e.axe import axe_problems

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def quick_pushes(monkeypatch):
    monkeypatch.setattr(board_live, "PUSH_SECONDS", 0.5)


def hq(page):
    return page.locator('li[data-code="HQ"]')


def no_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("lang, size, name, waiting, wait", [
    ("en", PHONE, "phone", "Waiting", re.compile(r"^about \d+ min$")),
    ("en", DESKTOP, "desktop", "Waiting", re.compile(r"^about \d+ min$")),
    ("es", PHONE, "phone", "En espera", re.compile(r"^unos \d+ min$")),
    ("ru", DESKTOP, "desktop", "Ожидают", re.compile(r"^около \d+ мин$")),
])
def test_the_board_updates_live_when_a_ticket_is_issued(page, shots, lang, size, name, waiting, wait):
    open_desk("HQ-07", "c7", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM)
    page.set_viewport_size(size)
    page.goto(f"/centres?lang={lang}")
    page.wait_for_function("window.onedoorBoard && window.onedoorBoard.socket.connected")
    cell = hq(page).locator('[data-field="waiting"]')
    expect(cell).to_have_text("1")
    expect(hq(page).locator("dt").first).to_have_text(waiting)
    for _ in range(2):
        issue_ticket("HQ", "birth", by=SYSTEM)  # through the service layer, while the page is open
    expect(cell).to_have_text("3")
    expect(hq(page).locator('[data-field="wait"]')).to_have_text(wait)
    expect(hq(page).locator('[data-field="counters"]')).to_have_text("1")
    assert no_sideways(page), "the board scrolls sideways"
    page.screenshot(path=shots / f"board-{name}-{lang}.png", full_page=True)
    assert axe_problems(page) == []


def test_least_busy_near_me_by_the_buttons(page, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    page.set_viewport_size(PHONE)
    page.goto("/centres?lang=en&sort=name")
    expect(page.locator("li[data-code]").first).to_have_attribute("data-code", "HQ")  # Headquarters, New York
    page.get_by_label("Your district").select_option("Manhattan")
    page.get_by_role("button", name="Least busy first").click()
    expect(page).to_have_url(re.compile(r"district=Manhattan&sort=wait"))
    expect(page.locator("li[data-code]").first).to_have_attribute("data-code", "NYC")
    expect(page.get_by_role("button", name="Least busy first")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#board-order-said")).to_have_text("Centres in Manhattan first. Least busy first.")


def test_right_to_left_in_arabic(page, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM)
    page.set_viewport_size(PHONE)
    page.goto("/centres?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(hq(page).locator('[data-field="waiting"]')).to_have_text("1")
    assert no_sideways(page)
    page.screenshot(path=shots / "board-phone-ar.png", full_page=True)
    assert axe_problems(page) == []


def test_without_the_socket_the_board_polls(page):
    open_desk("HQ-07", "c7", primary=["birth"])
    page.route("**/socket.io/**", lambda route: route.abort())
    page.goto("/centres?lang=en")
    expect(page.locator("#link-hint")).to_have_text(re.compile("Live updates are off"))
    issue_ticket("HQ", "birth", by=SYSTEM)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # back to the tab: it asks at once
    expect(hq(page).locator('[data-field="waiting"]')).to_have_text("1")


@pytest.mark.parametrize("lang, size, name", [("en", DESKTOP, "desktop"), ("es", PHONE, "phone")])
def test_a_centres_page_with_its_day_and_usual_hours(page, shots, lang, size, name):
    now = utcnow()
    for weeks_ago in (1, 2, 3):  # history: the same weekday, a visitor in this hour each of three weeks
        past = issue_ticket("HQ", "info", by=SYSTEM, now=now - timedelta(weeks=weeks_ago)).ticket
        cancel(past.id, by=SYSTEM, now=now - timedelta(weeks=weeks_ago, minutes=-5))  # gone home
    open_desk("HQ-07", "c7", primary=["birth"], now=now - timedelta(minutes=30))
    for minutes_ago in (25, 20, 15):
        issue_ticket("HQ", "birth", by=SYSTEM, now=now - timedelta(minutes=minutes_ago))
    served = call_next("HQ-07", by=SYSTEM, now=now - timedelta(minutes=5))
    start(served.id, by=SYSTEM, now=now - timedelta(minutes=4))
    page.set_viewport_size(size)
    page.goto("/?lang=" + lang)
    page.get_by_role("link", name=re.compile("Waiting times at every centre|Tiempos de espera")).click()
    page.locator('li[data-code="HQ"] h2 a').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Headquarters|Sede central"))
    expect(page.locator('[data-field="waiting"]')).to_have_text("2")
    expect(page.locator("#today-chart")).to_be_visible()
    weekday = page.locator(".board-week tbody tr")
    expect(weekday).to_have_count(7)
    page.wait_for_function("typeof Chart !== 'undefined' && Chart.getChart('today-chart') !== undefined")
    issue_ticket("HQ", "birth", by=SYSTEM)
    expect(page.locator('[data-field="waiting"]')).to_have_text("3")
    assert no_sideways(page)
    page.screenshot(path=shots / f"board-centre-{name}-{lang}.png", full_page=True)
    assert axe_problems(page) == []


def test_the_board_gives_ranges_and_says_how_yesterdays_estimates_did(page, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    told_waits(utcnow() - timedelta(days=1), [1, 2, 3, 0, 9], 1.0, (0, 3), tag="yesterday")  # 4 of 5 inside 0–3
    issue_ticket("HQ", "birth", by=SYSTEM)
    page.set_viewport_size(PHONE)
    page.goto("/centres?lang=en")
    expect(hq(page).locator('[data-field="accuracy"]')).to_have_text(
        "Our estimates were within the range for 80% of visitors yesterday.")
    page.screenshot(path=shots / "board-accuracy-phone-en.png", full_page=True)
    assert axe_problems(page) == []
