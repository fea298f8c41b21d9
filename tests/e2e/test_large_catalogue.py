"""The faces with the demo's full catalogue (60 services on 11 lines): the kiosk's menus, the join
page and the booking site on a phone stay usable — big targets, nothing cut or off screen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from queue_app.config import DEFAULT_CONFIG, read_network_file
from queue_app.services import apply_network, create_device
from tests.e2e.test_kiosk import LANDSCAPE, PORTRAIT, layout_problems, tap

PHONE = {"width": 390, "height": 844}
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
    look(page, shots, f"{name}-event")
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
