"""A closed centre's kiosk and display say so up front, with the next opening, in every language;
and turn back to normal when it opens (issue 17). HQ's hours are set per test (the `ctx` fixture
puts the test network back for the next one)."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.db import utcnow
from queue_app.domain.hours import WEEKDAYS
from queue_app.extensions import db
from queue_app.models import Centre
from queue_app.services import create_device
from tests.e2e.axe import axe_problems
from tests.e2e.test_display import open_screen, tv  # noqa: F401 - tv is a fixture
from tests.e2e.test_kiosk import kiosk, landscape, layout_problems, orientation, portrait  # noqa: F401 - fixtures

MOSCOW = ZoneInfo("Europe/Moscow")  # HQ's timezone


def set_hq_hours(hours: dict) -> None:
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    hq.hours = hours
    db.session.commit()


def closed_until_in_three_days() -> datetime:
    """HQ closed but for 09:00-17:00 on the weekday three days from today: that opening."""
    day = utcnow().astimezone(MOSCOW).date() + timedelta(days=3)
    set_hq_hours({"always_open": False, "weekly": {d: "closed" for d in WEEKDAYS} | {WEEKDAYS[day.weekday()]: "09:00-17:00"},
                  "exceptions": {}})
    return datetime.combine(day, time(9), MOSCOW)


def open_soon() -> datetime:
    """HQ closed now and opening today a few minutes ahead (tomorrow if too near midnight): that opening."""
    now = utcnow().astimezone(MOSCOW)
    opens = (now + timedelta(minutes=3)).replace(second=0, microsecond=0)
    if opens.date() != now.date() or opens.hour == 23:
        opens = datetime.combine(now.date() + timedelta(days=1), time(9), MOSCOW)
    span = f"{opens:%H:%M}-24:00"
    set_hq_hours({"always_open": False, "weekly": {d: "closed" for d in WEEKDAYS},
                  "exceptions": {opens.date().isoformat(): span}})
    return opens


# ---- the display -----------------------------------------------------------------------------------

def test_a_closed_centres_display_says_when_it_opens_in_every_language(tv, shots):
    opens = closed_until_in_three_days()
    page = open_screen(tv, clock=utcnow())
    shut = page.locator("#shut")
    expect(shut).to_be_visible()
    expect(page.locator(".board")).to_be_hidden()
    expect(page.get_by_text("No calls yet")).to_be_hidden()
    expect(shut.locator(".shut-lang[lang=en] h2")).to_have_text("Closed")
    expect(shut.locator(".shut-lang[lang=en] p")).to_have_text(f"Opens {opens:%A} at 09:00")
    expect(shut.locator(".shut-lang[lang=es] h2")).to_have_text("Cerrado")
    expect(shut.locator(".shut-lang[lang=es] p")).to_have_text(re.compile(r"^Abre el \S+ a las 09:00$"))
    expect(shut.locator(".shut-lang[lang=ru] p")).to_have_text(re.compile(r"^Откроется: \S+, 09:00$"))
    expect(shut.locator(".shut-lang[lang=ar] p")).to_have_text(re.compile(r"^يفتح يوم \S+ الساعة"))
    expect(shut.locator(".shut-lang[lang=ar]")).to_have_attribute("dir", "rtl")
    # readable from three metres: the first language's lines are tall, and nothing runs off the screen
    assert page.locator(".shut-lang[lang=en] h2").bounding_box()["height"] >= 120
    assert page.locator(".shut-lang[lang=en] p").bounding_box()["height"] >= 80
    for node in page.locator(".shut-lang").all():
        box = node.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1920 and box["y"] + box["height"] <= 1080
    assert axe_problems(page) == []
    page.screenshot(path=shots / "display-closed-en.png")
    page.clock.run_for(30_000)  # the labels rotate to the fourth language, Arabic
    expect(page.locator("#screen")).to_have_attribute("lang", "ar")
    page.screenshot(path=shots / "display-closed-ar.png")
    assert axe_problems(page) == []


def test_the_display_turns_back_to_the_board_at_the_opening(tv):
    opens = open_soon()
    page = open_screen(tv, clock=utcnow())
    expect(page.locator("#shut")).to_be_visible()
    expect(page.locator(".shut-lang[lang=en] p")).to_have_text(
        re.compile(rf"^Opens (today|tomorrow) at {opens:%H:%M}$"))
    set_hq_hours({"always_open": True, "weekly": {}, "exceptions": {}})  # the server's state will say open
    page.clock.fast_forward(int((opens - utcnow()).total_seconds() * 1000) + 2000)
    expect(page.locator("#shut")).to_be_hidden()
    expect(page.locator(".board")).to_be_visible()


def test_a_screen_that_asks_gets_a_fresh_state(ctx, live_server):
    """The /display 'state' event a screen sends at an opening or closing answers with a fresh state."""
    import socketio

    closed_until_in_three_days()
    client = socketio.Client(reconnection=False)
    states = []
    client.on("state", states.append, namespace="/display")
    client.connect(f"{live_server}?centre=HQ", namespaces=["/display"],
                   auth={"token": create_device("display", "HQ").token}, transports=["websocket"], wait_timeout=10)
    try:
        deadline = datetime.now() + timedelta(seconds=10)
        while not states and datetime.now() < deadline:
            client.sleep(0.05)
        assert states and states[0]["open_now"] is False and states[0]["closes_at"] is None
        assert states[0]["next_opening"].endswith("T09:00:00+03:00")
        set_hq_hours({"always_open": True, "weekly": {}, "exceptions": {}})
        client.emit("state", namespace="/display")
        while len(states) < 2 and datetime.now() < deadline:
            client.sleep(0.05)
        assert states[1]["open_now"] is True and states[1]["next_opening"] is None
    finally:
        client.disconnect()


# ---- the kiosk --------------------------------------------------------------------------------------

def open_closed_kiosk(context):
    page = context.new_page()
    page.clock.install(time=utcnow())
    page.goto(f"/kiosk?token={create_device('kiosk', 'HQ', printer='dummy://').token}")
    return page


def test_a_closed_centres_kiosk_says_so_at_once_and_offers_nothing_to_refuse(kiosk, orientation, shots):
    opens = closed_until_in_three_days()
    page = open_closed_kiosk(kiosk)
    closed = page.locator("#closed")
    expect(closed).to_be_visible()
    expect(closed.locator(".closed-lang[lang=en] h2")).to_have_text("This centre is closed now")
    expect(closed.locator(".closed-lang[lang=en] .closed-when")).to_have_text(f"Opens {opens:%A} at 09:00")
    expect(closed.locator(".closed-lang[lang=es] .closed-when")).to_have_text(re.compile(r"^Abre el \S+ a las 09:00$"))
    expect(closed.locator(".closed-lang[lang=ru] h2")).to_have_text("Центр сейчас закрыт")
    expect(closed.locator(".closed-lang[lang=ar] h2")).to_have_text("هذا المركز مغلق الآن")
    expect(closed.locator(".closed-lang[lang=ar]")).to_have_attribute("dir", "rtl")
    # no way into the service screens, and no appointment check-in
    expect(page.get_by_role("button", name="English", exact=True)).to_be_hidden()
    expect(page.locator("#appointment-start")).to_be_hidden()
    assert page.locator("button:visible").count() == 0
    assert layout_problems(page) == []
    for node in [page.locator("#language-title"), *closed.locator(".closed-lang").all()]:
        box, screen = node.bounding_box(), page.viewport_size
        assert box["y"] >= 0 and box["y"] + box["height"] <= screen["height"], node
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"kiosk-closed-{orientation}.png")


def test_the_kiosk_opens_at_the_opening(portrait):
    opens = open_soon()
    page = open_closed_kiosk(portrait)
    expect(page.locator("#closed")).to_be_visible()
    expect(page.locator(".closed-lang[lang=en] .closed-when")).to_have_text(
        re.compile(rf"^Opens (today|tomorrow) at {opens:%H:%M}$"))
    set_hq_hours({"always_open": True, "weekly": {}, "exceptions": {}})
    page.clock.fast_forward(int((opens - utcnow()).total_seconds() * 1000) + 2000)
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    expect(page.locator("#closed")).to_be_hidden()
    expect(page.locator("#appointment-start")).to_be_visible()


def test_an_open_kiosk_shows_nothing_of_the_hours(portrait):
    page = portrait.new_page()
    page.goto(f"/kiosk?token={create_device('kiosk', 'HQ').token}")
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    expect(page.locator("#closed")).to_be_hidden()
