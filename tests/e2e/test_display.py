"""The waiting-room screen at TV size in a real browser: set-up, calls, announcements, queue, staleness."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from queue_app.domain.access import SYSTEM
from queue_app.services import call_next, create_device, issue_ticket, no_show, recall
from tests.conftest import open_desk
from tests.e2e.conftest import CHROMIUM, FLAGS

TV = {"width": 1920, "height": 1080}
NEW_YORK_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/New_York"))  # a Monday, open
# The browser's speech synthesis, replaced by a recorder that "speaks" each utterance at once.
RECORD_SPEECH = """
  window.spoken = [];
  speechSynthesis.getVoices = () => [];
  speechSynthesis.speak = utterance => {
    window.spoken.push({text: utterance.text, lang: utterance.lang});
    setTimeout(() => utterance.dispatchEvent(new Event("end")), 10);
  };
"""


@pytest.fixture
def tv(browser, ctx, live_server):
    """A browser context the size of the waiting-room TV, its speech recorded."""
    context = browser.new_context(base_url=live_server, viewport=TV, locale="en-GB")
    context.add_init_script(RECORD_SPEECH)
    yield context
    context.close()


def open_screen(tv, centre: str = "HQ", clock: datetime | None = None):
    """A new display of `centre` opened once with its token, showing its first snapshot."""
    page = tv.new_page()
    if clock is not None:
        page.clock.install(time=clock)
    page.goto(f"/display?token={create_device('display', centre).token}")
    expect(page.locator("#screen")).not_to_have_class(re.compile(r"\bconnecting\b"))
    return page


def spoken(page, count: int) -> list[dict]:
    """The first `count` utterances, once that many have been spoken."""
    page.wait_for_function("n => window.spoken.length >= n", arg=count)
    return page.evaluate("window.spoken")[:count]


def announcement(number: str, counter: str) -> list[dict]:
    """What is said for a call, in the test network's languages: the number read as letter and number."""
    letter, digits = number[0], int(number[1:])
    cyrillic = {"A": "А", "B": "В", "C": "С"}.get(letter, letter)  # what a Russian reads in "A012"
    return [
        {"lang": "en", "text": f"Ticket {letter} {digits}, please go to counter {counter}"},
        {"lang": "es", "text": f"Turno {letter} {digits}, acuda a la ventanilla {counter}"},
        {"lang": "ru", "text": f"Талон {cyrillic} {digits}, пройдите к окну {counter}"},
        {"lang": "ar", "text": f"التذكرة {letter} {digits}، يُرجى التوجه إلى الشباك {counter}"},
    ]


SAID = len(announcement("A001", "7"))  # utterances per call: one per network language


# ---- setting a screen up ------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["", "?token=not-a-token"])
def test_without_a_valid_token_the_screen_says_how_to_set_it_up(tv, query, shots):
    page = tv.new_page()
    response = page.goto(f"/display{query}")
    assert response.status == 401
    expect(page.get_by_role("heading", name="This screen is not set up yet")).to_be_visible()
    expect(page.get_by_text("queue-app create-device --kind display --centre CENTRE")).to_be_visible()
    expect(page.get_by_text(re.compile(r"/display\?token=…"))).to_be_visible()
    assert tv.cookies() == []
    page.screenshot(path=shots / "display-setup.png")


def test_a_kiosk_token_is_refused(tv):
    kiosk = create_device("kiosk", "HQ", printer="dummy://").token
    page = tv.new_page()
    assert page.goto(f"/display?token={kiosk}").status == 401
    expect(page.get_by_role("heading", name="This screen is not set up yet")).to_be_visible()
    assert tv.cookies() == []


def test_the_token_leaves_the_address_for_a_cookie_that_brings_the_screen_back(tv, live_server):
    token = create_device("display", "HQ").token
    page = tv.new_page()
    response = page.goto(f"/display?token={token}")
    assert response.url == f"{live_server}/display" and response.status == 200
    assert response.headers["cache-control"] == "no-store"  # the page holds the token
    assert response.request.redirected_from is not None
    [cookie] = tv.cookies()
    assert (cookie["value"], cookie["httpOnly"], cookie["path"]) == (token, True, "/display")
    expect(page.get_by_role("heading", name="Headquarters")).to_be_visible()
    expect(page.locator("#screen")).not_to_have_class(re.compile(r"\bconnecting\b"))
    assert page.reload().status == 200  # a TV that reboots comes back by itself
    expect(page.get_by_role("heading", name="Headquarters")).to_be_visible()
    assert token not in page.url


# ---- calls --------------------------------------------------------------------------------------------

def test_a_call_shows_big_with_its_counter_and_is_spoken_in_each_language(tv):
    open_desk("HQ-07", "c7", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM)
    page = open_screen(tv)
    expect(page.get_by_text("No calls yet")).to_be_visible()
    call_next("HQ-07", by=SYSTEM)
    expect(page.locator("#now-number")).to_have_text("A001")
    expect(page.locator("#now-counter")).to_have_text("7")
    expect(page.locator("#now-call")).to_have_attribute("aria-live", "assertive")
    expect(page.locator("#now")).to_have_class(re.compile(r"\bfresh\b"))
    size = page.locator("#now-number").evaluate("n => parseFloat(getComputedStyle(n).fontSize)")
    assert size >= 160
    assert spoken(page, SAID) == announcement("A001", "7")


def test_a_recall_is_announced_again(tv):
    open_desk("HQ-07", "c7", primary=["birth"])
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    page = open_screen(tv)
    call_next("HQ-07", by=SYSTEM)
    spoken(page, SAID)
    recall(ticket.id, by=SYSTEM)
    assert spoken(page, 2 * SAID)[SAID:] == announcement("A001", "7")
    expect(page.locator("#now-number")).to_have_text("A001")
    expect(page.locator("#recent li")).to_have_count(0)  # the same call, not a second one


def test_a_second_call_pushes_the_first_into_the_recent_list(tv):
    open_desk("HQ-07", "c7", primary=["birth"])
    open_desk("HQ-12", "c12", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM)
    issue_ticket("HQ", "birth", by=SYSTEM)
    page = open_screen(tv)
    call_next("HQ-07", by=SYSTEM)
    call_next("HQ-12", by=SYSTEM)  # straight after: both are announced, in order, neither cut off
    expect(page.locator("#now-number")).to_have_text("A002")
    expect(page.locator("#now-counter")).to_have_text("12")
    expect(page.locator("#recent li")).to_have_text([re.compile(r"A001\s*→\s*7")])
    assert spoken(page, 2 * SAID) == announcement("A001", "7") + announcement("A002", "12")


def test_a_screen_never_shows_another_centres_calls(tv):
    page = open_screen(tv, "HQ")
    open_desk("NYC-01", "nora2", primary=["passport"], now=NEW_YORK_MORNING)
    issue_ticket("NYC", "passport", now=NEW_YORK_MORNING, by=SYSTEM)
    call_next("NYC-01", now=NEW_YORK_MORNING, by=SYSTEM)
    open_desk("HQ-07", "c7", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM)
    call_next("HQ-07", by=SYSTEM)  # told after New York's call: once it shows, New York's would have too
    expect(page.locator("#now-number")).to_have_text("A001")
    assert "B001" not in page.locator("#screen").inner_text()
    assert [u["text"] for u in spoken(page, SAID)] == [u["text"] for u in announcement("A001", "7")]
    page.reload()  # nor in the snapshot
    expect(page.locator("#now-number")).to_have_text("A001")
    expect(page.locator("#recent li")).to_have_count(0)


# ---- the queue ----------------------------------------------------------------------------------------

def test_waiting_counts_per_service_follow_the_queue(tv):
    open_desk("HQ-07", "c7", primary=["birth"])
    page = open_screen(tv)
    expect(page.get_by_text("No one is waiting")).to_be_visible()
    issue_ticket("HQ", "birth", by=SYSTEM)
    birth = page.locator("#services tr[data-service=birth]")
    expect(birth.locator(".name")).to_have_text("Birth registration")
    expect(birth.locator(".count")).to_have_text("1")
    expect(birth.locator(".wait")).to_have_text(re.compile(r"^~\d+ min$"))
    issue_ticket("HQ", "birth", by=SYSTEM)
    expect(birth.locator(".count")).to_have_text("2")
    issue_ticket("HQ", "passport", by=SYSTEM)  # no open counter serves it: its wait is unknown
    passport = page.locator("#services tr[data-service=passport]")
    expect(passport.locator(".count")).to_have_text("1")
    expect(passport.locator(".wait")).to_have_text("—")
    call_next("HQ-07", by=SYSTEM)
    expect(birth.locator(".count")).to_have_text("1")


# ---- staleness ----------------------------------------------------------------------------------------

def test_a_lost_connection_is_said_and_the_snapshot_puts_things_right(tv, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    first = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    issue_ticket("HQ", "birth", by=SYSTEM)
    page = open_screen(tv)
    call_next("HQ-07", by=SYSTEM)
    expect(page.locator("#now-number")).to_have_text("A001")
    banner = page.get_by_role("alert")
    expect(banner).to_be_hidden()
    tv.set_offline(True)
    expect(banner).to_have_text(re.compile(
        r"^Connection lost since \d\d:\d\d — the information shown may be out of date$"))
    expect(page.locator("#screen")).to_have_class(re.compile(r"\bstale\b"))
    page.screenshot(path=shots / "display-stale.png")
    no_show(first.id, by=SYSTEM)
    call_next("HQ-07", by=SYSTEM)  # made while the screen cannot hear
    tv.set_offline(False)
    expect(banner).to_be_hidden()
    expect(page.locator("#now-number")).to_have_text("A002")
    expect(page.locator("#recent li")).to_have_text([re.compile(r"A001\s*→\s*7")])
    expect(page.locator("#screen")).not_to_have_class(re.compile(r"\bstale\b"))
    assert spoken(page, 2 * SAID)[SAID:] == announcement("A002", "7")  # a call missed moments ago is still announced


def test_a_silent_server_is_noticed(tv):
    start = datetime.now(timezone.utc)
    page = open_screen(tv, clock=start)
    # Stop the page's time flowing by itself, or the reconnection (due ~1 s after the heartbeat
    # gives up) could bring the snapshot back before the banner is looked at.
    page.clock.pause_at(start + timedelta(seconds=30))
    banner = page.get_by_role("alert")
    # No ping heard for longer than the heartbeat allows (45 s). Step a quarter second at a time:
    # the first reconnection attempt comes at least half a second after the link is given up, so
    # the screen is looked at while it still shows the silence.
    for _ in range(160):
        page.clock.run_for(250)
        if "stale" in page.locator("#screen").get_attribute("class").split():
            break
    expect(page.locator("#screen")).to_have_class(re.compile(r"\bstale\b"))
    # the labels rotate through the languages meanwhile: whichever is showing, it says "no news since"
    expect(banner).to_have_text(re.compile(r"^(No news from the server since|Sin noticias del servidor desde"
                                           r" las|Сервер не отвечает с) \d\d:\d\d"))
    page.clock.run_for(15_000)  # the next reconnection attempt brings the snapshot back
    expect(banner).to_be_hidden()


# ---- reading it from three metres ---------------------------------------------------------------------

NINE_UTC = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # noon in Moscow, 4 am in New York
CUT_OFF = """() => [...document.querySelectorAll(`.centre, .when, .banner, .captions > *, .call > :not(.sr-only),
    .recent li > *, .services th, .services td, .services td span, .bottom > *`)]
  .filter(n => n.offsetParent !== null)
  .filter(n => {
    const clipped = getComputedStyle(n).overflow !== "visible";
    const box = n.getBoundingClientRect();
    return n.scrollWidth > n.clientWidth + 1 || (clipped && n.scrollHeight > n.clientHeight + 1)
      || box.right > innerWidth || box.bottom > innerHeight;
  })
  .map(n => n.className + ": " + n.textContent.trim())"""


def busy_morning() -> None:
    """Eight counters have called, and people wait for every service."""
    counters = ["HQ-03", "HQ-05", "HQ-07", "HQ-12", "HQ-18", "HQ-24", "HQ-31", "HQ-40"]
    for i, counter in enumerate(counters):
        open_desk(counter, f"clerk{i}", primary=["birth", "passport", "tax", "info"])
    for service in ["birth", "passport", "tax", "info"] * 2:
        issue_ticket("HQ", service, by=SYSTEM)
    for counter in counters:
        call_next(counter, by=SYSTEM)
    for service, count in (("birth", 6), ("passport", 3), ("tax", 11), ("info", 2)):
        for _ in range(count):
            issue_ticket("HQ", service, by=SYSTEM)


def test_labels_and_names_rotate_through_the_network_languages_and_nothing_is_cut_off(tv, shots):
    busy_morning()
    page = open_screen(tv, clock=NINE_UTC)
    expect(page.locator("#services tr")).to_have_count(4)
    expect(page.locator("#recent li")).to_have_count(6)
    expect(page.locator("#clock")).to_have_text("12:00")
    for lang, heading, service, qr in [
        ("en", "Now calling", "Tax question", "Scan the QR code on your ticket"),
        ("es", "Llamando ahora", "Consulta fiscal", "Escanee el código QR"),
        ("ru", "Приглашается", "Налоговый вопрос", "Отсканируйте QR-код"),
        ("ar", "يُستدعى الآن", "استفسار ضريبي", "امسح رمز QR"),  # right to left, in the board's layout
    ]:
        expect(page.locator("#screen")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.locator("#services tr[data-service=tax] .name")).to_have_text(service)
        expect(page.locator("footer")).to_contain_text(qr)
        assert page.evaluate(CUT_OFF) == []
        page.screenshot(path=shots / f"display-busy-{lang}.png")
        page.clock.run_for(10_000)
    expect(page.locator("#screen")).to_have_attribute("lang", "en")  # round again


def test_the_clock_shows_the_centres_own_time(tv):
    page = open_screen(tv, "NYC", clock=NINE_UTC)
    expect(page.get_by_role("heading", name="New York")).to_be_visible()
    expect(page.locator("#clock")).to_have_text("04:00")
    expect(page.locator("#date")).to_have_text("Monday, November 23")


def test_a_fresh_call_is_highlighted(tv, shots):
    busy_morning()
    page = open_screen(tv)
    open_desk("HQ-09", "late", primary=["tax"])
    call_next("HQ-09", by=SYSTEM)
    expect(page.locator("#now-counter")).to_have_text("9")
    expect(page.locator("#now")).to_have_class(re.compile(r"\bfresh\b"))
    page.screenshot(path=shots / "display-fresh-call.png")


# ---- sound --------------------------------------------------------------------------------------------

def test_sound_blocked_by_the_browser_is_enabled_by_a_tap(tv):
    page = open_screen(tv)
    hint = page.get_by_role("button", name="Tap to enable sound")
    expect(hint).to_be_visible()  # headless Chromium without the TV's autoplay flag
    hint.click()
    expect(hint).to_be_hidden()


def test_a_tv_that_allows_autoplay_chimes_and_speaks_without_a_tap(browser, ctx, live_server):
    tv_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*FLAGS, "--autoplay-policy=no-user-gesture-required"], headless=True)
    try:
        context = tv_browser.new_context(base_url=live_server, viewport=TV)
        context.add_init_script(RECORD_SPEECH)
        open_desk("HQ-07", "c7", primary=["birth"])
        issue_ticket("HQ", "birth", by=SYSTEM)
        page = open_screen(context)
        expect(page.get_by_role("button", name="Tap to enable sound")).to_be_hidden()
        call_next("HQ-07", by=SYSTEM)
        assert spoken(page, SAID) == announcement("A001", "7")
    finally:
        tv_browser.close()
