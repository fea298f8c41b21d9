"""Estimate ranges where visitors choose (issue 20): the kiosk's service list and service screen, the
join page's centres, the front page, the booking site's centres and the waiting-room screen give a
wait as the range the centre's past waits give around it, in English and in Arabic (right to left)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.db import utcnow
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Centre
from queue_app.services import issue_ticket, ranges
from queue_app.services.reading import centre_summary
from tests.conftest import open_desk
from tests.e2e.axe import axe_problems
from tests.e2e.test_display import CUT_OFF, NINE_UTC, busy_morning, open_screen, tv  # noqa: F401  (a fixture)
from tests.e2e.test_kiosk import open_kiosk, portrait  # noqa: F401  (a fixture)
from tests.e2e.test_status_page import phone  # noqa: F401  (a fixture)
from tests.integration.test_estimate_ranges import history

ERRORS = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]  # estimates were 0–4 minutes short: 80% of them 0–3 minutes
MINUTES = {"en": "min", "ar": "دقيقة"}


def ranged(estimate: float) -> None:
    """A history of waits around `estimate` at HQ, read afresh by the next calibration."""
    history(40, estimate, ERRORS)
    ranges.forget()


def hq_estimate() -> float:
    db.session.commit()  # see what the server committed
    return centre_summary(db.session.scalar(select(Centre).where(Centre.code == "HQ")), utcnow())["estimated_wait_min"]


@pytest.mark.parametrize("lang, language, event", [("en", "English", "Birth of a child"), ("ar", "العربية", "ولادة طفل")])
def test_the_kiosk_lists_each_wait_as_its_range(portrait, shots, lang, language, event):
    open_desk("HQ-07", "c7", primary=["birth"])  # birth: nobody waits, a newcomer's wait is 0
    ranged(0.0)
    page = open_kiosk(portrait)
    page.get_by_role("button", name=language, exact=True).click()
    page.get_by_role("button", name=event).click()
    birth = page.locator("#visit-list li[data-pick=birth] [data-wait]")
    expect(birth).to_have_text(f"0–3 {MINUTES[lang]}")  # live, from the socket
    expect(page.locator("#visit-list li[data-pick=passport] [data-wait]")).to_have_text(re.compile("^—"))  # not known
    page.screenshot(path=shots / f"kiosk-ranges-event-{lang}.png")
    assert axe_problems(page) == []
    page.locator("#back").click()
    page.locator("#tab-agencies").click()
    page.locator("#panel-agencies .choice").first.click()
    page.locator("#panel-agencies button[data-service=birth]").click()
    expect(page.locator("#service-wait")).to_have_text(f"0–3 {MINUTES[lang]}")
    page.screenshot(path=shots / f"kiosk-ranges-service-{lang}.png")
    assert axe_problems(page) == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_join_page_gives_each_centres_wait_as_its_range(phone, shots, lang):
    open_desk("HQ-07", "c7", primary=["birth"])
    assert hq_estimate() == 0
    ranged(0.0)
    page = phone.new_page()
    page.goto(f"/join?lang={lang}")
    hq = page.locator("label.choice", has=page.locator("input[value=HQ]")).locator(".choice-detail")
    expect(hq).to_contain_text(f"0–3 {MINUTES[lang]}")
    expect(page.locator("label.choice", has=page.locator("input[value=NYC]"))).not_to_contain_text("–")  # no history
    page.screenshot(path=shots / f"join-ranges-{lang}-phone.png", full_page=True)
    assert axe_problems(page) == []


def test_the_front_page_and_the_booking_sites_centres_give_the_range(page, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    for _ in range(4):
        issue_ticket("HQ", "birth", by=SYSTEM)
    ranged(hq_estimate())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/?lang=en")
    hq = page.locator("li.centre", has=page.get_by_role("heading", name="Headquarters"))
    expect(hq.locator("dd").nth(1)).to_have_text(re.compile(r"^\d+–\d+ min$"))
    page.screenshot(path=shots / "front-ranges-en-phone.png", full_page=True)
    assert axe_problems(page) == []
    page.goto("/book/birth?lang=en")
    expect(page.get_by_text(re.compile(r"Estimated wait without an appointment: \d+–\d+ min"))).to_be_visible()
    page.screenshot(path=shots / "book-centres-ranges-en-phone.png", full_page=True)
    assert axe_problems(page) == []


def test_the_waiting_room_screen_gives_each_wait_its_range_in_every_language(tv, shots):
    busy_morning()
    for i, estimate in enumerate([2.5, 7.5, 15.0, 30.0, 60.0, 120.0]):  # a history in every band of estimate
        history(40, estimate, [-8, -4, -2, 0, 2, 4, 8, 12, 16, 20], days_ago=3 + i)  # wide ranges: "22–46 min"
    ranges.forget()
    page = open_screen(tv, clock=NINE_UTC)
    expect(page.locator("#services tr")).to_have_count(4)
    for lang in ["en", "es", "ru", "ar"]:  # the labels switch language every 10 s
        expect(page.locator("#screen")).to_have_attribute("lang", lang)
        expect(page.locator("#services td.wait")).to_have_text([re.compile(r"^\d+–\d+ (min|мин|دقيقة)$")] * 4)
        assert page.evaluate(CUT_OFF) == []
        page.screenshot(path=shots / f"display-ranges-{lang}.png")
        page.clock.run_for(10_000)
    assert axe_problems(page) == []
