"""The faces with the demo's full catalogue (60 services on 11 lines): the kiosk's menus, the join
page and the booking site on a phone stay usable — big targets, nothing cut or off screen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.config import DEFAULT_CONFIG, read_network_file
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Ticket
from queue_app.services import apply_network, call_next, create_device, issue_ticket
from tests.conftest import open_desk
from tests.e2e.axe import axe_problems
from tests.e2e.test_display import CUT_OFF, open_screen, spoken
from tests.e2e.test_kiosk import LANDSCAPE, PORTRAIT, layout_problems, tap
from tests.integration.test_lines import shared  # noqa: F401 (fixture: lines A and PAS in the test network)

PHONE = {"width": 390, "height": 844}
# A ticket number wider than its place on the waiting-room screen (it would run under its neighbour).
OVERFLOWING = """() => [...document.querySelectorAll('.call .number, .recent li, .recent .number')]
  .filter(n => n.offsetParent !== null && n.scrollWidth > n.clientWidth + 1).map(n => n.textContent)"""
CENTRE = "AIR1"  # open round the clock, so the menus are those of an open centre at any hour


@pytest.fixture
def demo(ctx):
    cfg = read_network_file(DEFAULT_CONFIG)
    apply_network(cfg)
    return cfg


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("language", ["English", "العربية"])
def test_the_kiosk_finds_any_of_60_services_by_event_or_agency(browser, live_server, demo, shots, viewport, language):
    context = browser.new_context(base_url=live_server, viewport=viewport, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.goto(f"/kiosk?token={create_device('kiosk', CENTRE, printer='dummy://').token}")
    tap(page, language, exact=True)
    name = f"large-{viewport['width']}x{viewport['height']}-{'ar' if language != 'English' else 'en'}"
    look(page, shots, f"{name}-events")
    page.locator("#panel-events button").first.click()  # Birth of a child: 8 services of 5 agencies
    expect(page.locator("#visit-list li")).to_have_count(8)  # all listed; ticked: at most 5 that are served today
    assert page.locator("#visit-list input:checked").count() <= 5
    look(page, shots, f"{name}-event")
    page.locator("#back").click()
    page.locator("#tab-agencies").click()
    page.locator("#panel-agencies button").nth(1).click()  # passports and migration: 12 services on 2 lines
    expect(page.locator("#panel-agencies button[data-service=residence_permit]")).to_be_attached()
    look(page, shots, f"{name}-agency")
    context.close()


def look(page, shots, name: str) -> None:
    """Save a screenshot; every control big, whole and on screen (the centre's name in the top bar
    may end in an ellipsis: the kiosk shortens a long name there on purpose)."""
    page.screenshot(path=shots / f"{name}.png")
    assert [p for p in layout_problems(page) if "bar-centre" not in p] == []


@pytest.mark.parametrize(("url", "name"), [(f"/join?centre={CENTRE}", "join"), ("/book/", "book"),
                                           ("/book/?lang=ar", "book-ar")])
def test_the_phone_pages_list_60_services_in_groups(browser, live_server, demo, shots, url, name):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.goto(url)
    if name != "book-ar":
        expect(page.get_by_text("Residence permit for foreign nationals").first).to_be_attached()
    if name == "book":  # each agency's services folded under its name; one opens with a tap
        page.get_by_text("Passport and Migration Service").click()
        expect(page.get_by_role("link", name="Residence permit for foreign nationals")).to_be_visible()
    page.screenshot(path=shots / f"large-phone-{name}.png", full_page=True)
    wide = page.evaluate("() => document.documentElement.scrollWidth > innerWidth + 1")
    assert not wide  # nothing runs off the side of a phone
    assert axe_problems(page) == []
    context.close()


def test_a_three_letter_line_fits_the_waiting_room_screen_and_is_spelled_out(browser, live_server, shared, shots):
    context = browser.new_context(base_url=live_server, viewport={"width": 1920, "height": 1080}, locale="en-GB")
    context.add_init_script("""window.spoken = []; speechSynthesis.getVoices = () => [];
      speechSynthesis.speak = u => { window.spoken.push({text: u.text, lang: u.lang});
                                     setTimeout(() => u.dispatchEvent(new Event("end")), 10); };""")
    for i, service in enumerate(("birth", "tax", "passport", "info", "passport")):
        open_desk(f"HQ-{i + 10}", f"k{i}", primary=[service])
        issue_ticket("HQ", service, by=SYSTEM)
    page = open_screen(context)
    for i in range(5):
        call_next(f"HQ-{i + 10}", by=SYSTEM)
    expect(page.locator("#now-number")).to_have_text("PAS003")
    expect(page.locator("#recent li")).to_have_count(4)
    assert spoken(page, 12)[8] == {"lang": "en", "text": "Ticket P A S 1, please go to counter 12"}
    assert page.evaluate(CUT_OFF) == []
    assert page.evaluate(OVERFLOWING) == []
    page.screenshot(path=shots / "large-display-three-letter-line.png")
    context.close()


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_a_three_letter_number_fits_the_kiosks_ticket_and_the_phone(browser, live_server, shared, shots, viewport):
    from tests.e2e.test_kiosk import take_information_ticket

    context = browser.new_context(base_url=live_server, viewport=viewport, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.goto(f"/kiosk?token={create_device('kiosk', 'HQ', printer='dummy://').token}")
    assert take_information_ticket(page) == "PAS001"
    look(page, shots, f"large-kiosk-ticket-{viewport['width']}x{viewport['height']}")
    context.close()
    phone = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB", has_touch=True).new_page()
    phone.goto(f"/t/{db.session.scalar(select(Ticket.token).where(Ticket.number == 'PAS001'))}")
    expect(phone.locator(".ticket .number")).to_have_text("PAS001")
    phone.screenshot(path=shots / "large-phone-ticket.png")
    assert phone.evaluate("() => document.documentElement.scrollWidth > innerWidth + 1") is False
    phone.context.close()
