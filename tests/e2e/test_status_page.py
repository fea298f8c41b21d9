"""Joining from home and following the ticket live, on a phone-sized Chromium: the call arrives over
the socket without a reload, polling takes over when the socket is blocked, and the finished visit
is rated."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Feedback, Ticket
from queue_app.services import call_next, finish, issue_ticket, start
from queue_app.services.remote import join_remotely
from tests.conftest import open_desk

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, ctx, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    yield context
    context.close()


def remote_ticket() -> Ticket:
    db.session.commit()  # end the test's read transaction: see what the server committed
    return db.session.scalar(select(Ticket).where(Ticket.source == "remote"))


def serve(ticket_id: int) -> None:
    start(ticket_id, by=SYSTEM)
    finish(ticket_id, "resolved", by=SYSTEM)


def test_join_from_home_follow_the_call_live_and_rate_the_visit(phone, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    ahead = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    page = phone.new_page()
    page.goto("/join")
    expect(page.get_by_role("heading", name="Join the queue from home")).to_be_visible()
    hq = page.get_by_role("radio", name=re.compile("Headquarters"))
    expect(hq).to_be_checked()  # the first centre open now is chosen already
    expect(page.get_by_text("Closed now").or_(page.get_by_text("Open now")).first).to_be_visible()
    page.get_by_label("Service").select_option("birth")
    page.get_by_label("Mobile phone number").fill("+34 612 345 678")
    page.screenshot(path=shots / "join-phone.png", full_page=True)
    page.get_by_role("button", name="Take my ticket").click()

    expect(page).to_have_url(re.compile(r"/t/[A-Za-z0-9_-]{43}$"))
    expect(page.locator("#number")).to_have_text("A002")
    expect(page.locator("#ahead")).to_have_text("1")
    expect(page.locator("#wait")).to_have_text("10 min")
    assert "612" not in page.content()  # never the phone on the public page
    page.wait_for_function("window.onedoorStatus && window.onedoorStatus.socket.connected")
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    page.screenshot(path=shots / "status-waiting-phone.png", full_page=True)

    call_next("HQ-07", by=SYSTEM)  # the visitor ahead is called: one fewer ahead, heard over the socket
    expect(page.locator("#ahead")).to_have_text("0")
    serve(ahead.id)
    mine = remote_ticket()
    assert call_next("HQ-07", by=SYSTEM).id == mine.id
    expect(page.locator("#call")).to_contain_text("Please go to counter 7")
    expect(page.locator("#counter")).to_have_text("7")
    expect(page.locator("#call")).to_have_attribute("aria-live", "assertive")
    assert page.evaluate("window.sameDocument") is True  # no reload: the socket brought it
    size = page.locator("#counter").evaluate("n => parseFloat(getComputedStyle(n).fontSize)")
    assert size >= 64
    page.screenshot(path=shots / "status-called-phone.png", full_page=True)

    serve(mine.id)  # the visit ends: the page reloads itself and offers the rating
    expect(page.get_by_role("heading", name="Rate your visit")).to_be_visible()
    expect(page.get_by_text("Your visit is finished. Thank you!")).to_be_visible()
    page.get_by_role("radio", name="Good").check()
    page.get_by_label("Anything you would like to tell us? (optional)").fill("Clear and quick.")
    page.screenshot(path=shots / "status-done-feedback-phone.png", full_page=True)
    page.get_by_role("button", name="Send my rating").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback!")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
    page.screenshot(path=shots / "status-thanks-phone.png", full_page=True)
    db.session.commit()
    stored = db.session.scalar(select(Feedback))
    assert (stored.ticket_id, stored.rating, stored.comment) == (mine.id, 4, "Clear and quick.")


def test_with_the_socket_blocked_polling_still_brings_the_call(phone):
    open_desk("HQ-07", "c7", primary=["birth"])
    mine = join_remotely("HQ", "birth", "+34 612 345 678", language="es").ticket
    page = phone.new_page()
    blocked = []
    page.route("**/socket.io/**", lambda route: (blocked.append(route.request.url), route.abort()))
    page.clock.install()
    page.goto(f"/t/{mine.token}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#state")).to_have_text("En espera")
    expect(page.locator("#link-hint")).to_contain_text("Conexión perdida")  # says it is not live
    assert blocked
    page.evaluate("window.sameDocument = true")
    call_next("HQ-07", by=SYSTEM)
    page.clock.fast_forward(10_000)
    expect(page.locator("#call")).to_be_empty()  # not yet: the next check is due at 25 s
    page.clock.fast_forward(20_000)
    expect(page.locator("#call")).to_contain_text("Diríjase a la ventanilla 7")
    assert page.evaluate("window.sameDocument") is True


def test_refusals_are_form_messages_in_the_visitors_language(phone, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    join_remotely("HQ", "birth", "+34 612 345 678")
    page = phone.new_page()
    page.goto("/join?lang=ru")
    page.get_by_label("Услуга").select_option("birth")
    page.get_by_label("Номер мобильного телефона").fill("612")
    page.get_by_role("button", name="Взять талон").click()
    expect(page.locator("#phone-error")).to_be_visible()
    expect(page.get_by_label("Номер мобильного телефона")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=shots / "join-typo-ru-phone.png", full_page=True)
    page.get_by_label("Номер мобильного телефона").fill("+34612345678")
    page.get_by_role("button", name="Взять талон").click()
    expect(page.get_by_role("alert")).to_contain_text("уже занимает место")
    page.screenshot(path=shots / "join-refused-ru-phone.png", full_page=True)
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(Ticket)) == 1


def test_the_pages_fit_a_desktop_and_a_phone_without_sideways_scrolling(page, phone, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    mine = join_remotely("HQ", "birth", "+34 612 345 678").ticket
    small = phone.new_page()
    for view, name in ((page, "desktop"), (small, "phone")):
        for path in ("/join?lang=es", f"/t/{mine.token}"):
            view.goto(path)
            assert view.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, path)
        view.goto("/join?lang=es")
        view.screenshot(path=shots / f"join-es-{name}.png", full_page=True)


def test_a_visit_lists_its_steps_and_follows_each_call(phone, shots):
    open_desk("HQ-07", "c7", primary=["birth"])
    first = issue_ticket("HQ", services=["birth", "tax"], by=SYSTEM).ticket
    page = phone.new_page()
    page.goto(f"/t/{first.token}")
    steps = page.get_by_role("region", name="Your visit, step by step")
    expect(steps.locator('li[data-step="1"]')).to_contain_text("Birth registration")
    expect(steps.locator('li[data-step="1"]')).to_contain_text("Waiting: 0 ahead of you, about")
    expect(steps.locator('li[data-step="2"]')).to_contain_text("Tax question")
    expect(steps.locator('li[data-step="2"]')).to_contain_text("To come")
    page.wait_for_function("window.onedoorStatus && window.onedoorStatus.socket.connected")
    page.evaluate("window.sameDocument = true")

    call_next("HQ-07", by=SYSTEM)  # the step's call changes its line without a reload
    expect(steps.locator('li[data-step="1"]')).to_contain_text("Now: please go to counter 7")
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path=shots / "status-visit-called-phone.png", full_page=True)

    serve(first.id)  # step 1 ends: the page is drawn again for step 2, waiting in the tax line
    expect(steps.locator('li[data-step="1"]')).to_contain_text("Done")
    expect(steps.locator('li[data-step="2"]')).to_contain_text("Waiting: 0 ahead of you")
    expect(page.locator("#number")).to_have_text("A001")  # one number for the whole visit
    expect(page.locator("#state")).to_have_text("Waiting")
    page.screenshot(path=shots / "status-visit-step2-waiting-phone.png", full_page=True)


def test_the_wait_is_shown_as_the_range_the_centres_past_waits_give(phone, shots):
    from tests.integration.test_estimate_ranges import history

    open_desk("HQ-07", "c7", primary=["birth"])
    history(40, 0.0, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])  # estimates of 0 minutes were 0–4 minutes short: 80% of them 0–3
    mine = join_remotely("HQ", "birth", "+34 612 345 678").ticket
    assert (mine.estimate_low_min, mine.estimate_high_min) == (0, 3)
    page = phone.new_page()
    page.goto(f"/t/{mine.token}?lang=es")
    expect(page.locator("#wait")).to_have_text("0–3 min")
    page.screenshot(path=shots / "status-range-es-phone.png", full_page=True)
