"""The front page (/) in Chromium: on a phone and a desktop, by keyboard, in each language, each of
its links followed to a page that answers, and no serious accessibility problem (axe-core)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from queue_app.domain.access import SYSTEM
from queue_app.services import issue_ticket
from tests.conftest import open_desk
from tests.e2e.axe import axe_problems

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def a_busy_centre() -> None:
    open_desk("HQ-07", "c7", primary=["birth"])
    for _ in range(4):
        issue_ticket("HQ", "birth", by=SYSTEM)


@pytest.mark.parametrize("name, size", [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_front_page_on_a_phone_and_a_desktop(page, shots, name, size):
    a_busy_centre()
    page.set_viewport_size(size)
    page.goto("/?lang=en")
    expect(page.get_by_role("heading", level=1, name="Public services, one door")).to_be_visible()
    for link in ("Book an appointment", "Join the queue from home", "Open data", "Sign in", "Counter",
                 "Manager dashboard", "Administration"):
        expect(page.get_by_role("link", name=re.compile(link))).to_be_visible()
    hq = page.locator("li.centre", has=page.get_by_role("heading", name="Headquarters"))
    expect(hq).to_contain_text("Open now")
    expect(hq.locator("dd").first).to_have_text("4")
    expect(hq.locator("dd").nth(1)).to_have_text(re.compile(r"^about \d+ min$"))
    no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways, "the page scrolls sideways"
    page.screenshot(path=shots / f"front-{name}-en.png", full_page=True)
    assert axe_problems(page) == []


@pytest.mark.parametrize("lang, heading, book", [("es", "Servicios públicos, una sola puerta", "Reservar una cita"),
                                                 ("ru", "Госуслуги за одной дверью", "Запись на приём")])
def test_the_front_page_in_each_language(page, shots, lang, heading, book):
    a_busy_centre()
    page.set_viewport_size(PHONE)
    page.goto(f"/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(book))).to_be_visible()
    page.screenshot(path=shots / f"front-phone-{lang}.png", full_page=True)
    assert axe_problems(page) == []


def test_every_link_leads_to_a_page_that_answers(page):
    page.goto("/?lang=en")
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert {"/book/", "/join", "/book/manage", "/open-data", "/login", "/counter", "/manager"} <= set(hrefs)
    for href in dict.fromkeys(hrefs):
        response = page.goto(href)
        assert response is not None and response.ok, f"{href}: {response and response.status}"
        assert page.locator("h1").count() >= 1, href  # a real page, not a bare error
        page.go_back()


def test_the_way_to_booking_by_keyboard_alone(page):
    page.goto("/?lang=en")
    for _ in range(12):  # past the language links to the first way in
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/book/":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/book/$"))


def test_the_browser_finds_the_icon(page):
    page.goto("/?lang=en")
    response = page.request.get("/favicon.ico")
    assert response.ok and response.headers["content-type"].startswith("image/")
