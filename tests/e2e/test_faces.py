"""The faces together, each in its own browser: the clerk calls in the counter page and the
waiting-room display shows that number at that counter (SPEC §1, §6)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from queue_app.domain.access import SYSTEM
from queue_app.services import create_device, create_user, issue_ticket
from tests.conftest import PASSWORD
from tests.e2e.test_counter import CLERK_PC, sign_in
from tests.e2e.test_display import RECORD_SPEECH, TV


def test_a_call_in_the_counter_page_appears_on_the_display(browser, ctx, live_server, shots):
    create_user("olga", "clerk", password=PASSWORD, name="Olga Petrova", centres=["HQ"], primary=["passport"])
    waiting = issue_ticket("HQ", "passport", by=SYSTEM).ticket
    tv = browser.new_context(base_url=live_server, viewport=TV, locale="en-GB")
    tv.add_init_script(RECORD_SPEECH)
    pc = browser.new_context(base_url=live_server, viewport=CLERK_PC, locale="en-GB")
    try:
        screen = tv.new_page()
        screen.goto(f"/display?token={create_device('display', 'HQ').token}")
        expect(screen.locator("#screen")).not_to_have_class(re.compile(r"\bconnecting\b"))
        expect(screen.get_by_text("No calls yet")).to_be_visible()

        desk = pc.new_page()
        sign_in(desk, "/counter")
        desk.get_by_role("link", name=re.compile(r"^Counter 12\b")).click()
        desk.get_by_role("button", name="Open counter").click()
        desk.get_by_role("button", name="Call next").click()
        expect(desk.locator("#work")).to_contain_text(waiting.number)

        expect(screen.locator("#now-number")).to_have_text(waiting.number)
        expect(screen.locator("#now-counter")).to_have_text("12")
        screen.wait_for_function("window.spoken.length >= 1")
        assert screen.evaluate("window.spoken[0]") == {
            "lang": "en", "text": f"Ticket B {int(waiting.number[1:])}, please go to counter 12"}
        desk.screenshot(path=shots / "faces-counter.png")
        screen.screenshot(path=shots / "faces-display.png")
    finally:
        pc.close()
        tv.close()
