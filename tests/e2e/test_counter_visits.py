"""A visit of several steps at the counter, in a real browser (issue 19): the clerk sees the steps,
finishes one and sends the visitor on (or continues at the same counter), adds and removes a step,
leaves a note for the next clerk, and calls a named number from the counter's waiting list; the
visitor's status page follows the steps."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Service, Ticket, TicketEvent
from queue_app.services import issue_ticket
from queue_app.services.visits import set_note
from tests.e2e.axe import axe_problems
from tests.e2e.test_counter import at_open_counter, button, desk, fresh  # noqa: F401 - desk is a fixture
from tests.e2e.test_kiosk_offers import roster_only_ana_at_midnight
from tests.e2e.test_status_page import PHONE


@pytest.fixture
def phone(browser, ctx, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def visit(*services: str) -> Ticket:
    return issue_ticket("HQ", services=list(services), by=SYSTEM).ticket


def rows_of(first: Ticket) -> list[Ticket]:
    """The visit's rows as the server left them, step by step."""
    db.session.rollback()
    db.session.expire_all()
    return list(db.session.scalars(select(Ticket).where((Ticket.id == first.id) | (Ticket.visit_id == first.id))
                                   .order_by(Ticket.id)))


def test_finishing_step_one_sends_the_visitor_on_and_the_status_page_shows_step_two(desk, phone, shots):
    first = visit("birth", "info", "tax")  # olga serves birth and tax, not information
    at_open_counter(desk)
    phone.goto(f"/t/{first.token}")
    expect(phone.locator('#steps li[data-step="1"]')).to_contain_text("Waiting: 0 ahead of you")
    expect(phone.locator('#steps li[data-step="3"]')).to_contain_text("To come")

    button(desk, "Call next").click()
    expect(desk.locator("#number")).to_have_text("A001")
    expect(desk.locator("#steps li")).to_have_text(["● Birth registration this one", "○ Information to come Remove Information",
                                                    "○ Tax question to come Remove Tax question"])
    expect(phone.locator('#steps li[data-step="1"]')).to_contain_text("Now: please go to counter 7")
    button(desk, "Start").click()
    desk.get_by_label("Note for the next clerk").fill("Brings the hospital's letter tomorrow.")
    button(desk, "Save note").click()
    expect(desk.get_by_role("status")).to_have_text("Note saved: the next clerk will see it.")
    expect(desk.locator("#note-received")).to_be_hidden()  # olga's own note: shown once, in its box
    assert axe_problems(desk) == []
    desk.screenshot(path=shots / "counter-visit-step1-en.png")

    button(desk, "Finish").click()
    dialog = desk.get_by_role("dialog", name="Finish step 1 of 3")
    expect(dialog.locator("#next-only")).to_have_text("Next: Information — back to the waiting room")
    expect(dialog.get_by_role("radio", name=re.compile("Continue here"))).to_be_hidden()  # not olga's skill
    assert axe_problems(desk) == []
    desk.screenshot(path=shots / "counter-visit-finish-en.png")
    dialog.get_by_role("button", name="Finish step").click()
    expect(desk.get_by_role("status")).to_have_text(
        "A001: step finished. Next: Information — the visitor goes back to the waiting room.")
    expect(desk.locator("#no-current")).to_be_visible()

    done, second = rows_of(first)
    assert (done.status, done.outcome, second.status, second.service.code, second.step) == (
        "done", "resolved", "waiting", "info", 2)
    assert (second.number, second.note) == ("A001", "Brings the hospital's letter tomorrow.")
    step2 = phone.locator('#steps li[data-step="2"]')
    expect(step2).to_contain_text("Waiting: 0 ahead of you")  # the page reloads for the new step
    expect(phone.locator('#steps li[data-step="1"]')).to_contain_text("Done")
    expect(phone.locator("#steps li[aria-current=step]")).to_have_attribute("data-step", "2")
    assert "hospital" not in phone.content()  # the note is for clerks only
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_problems(phone) == []
    phone.screenshot(path=shots / "status-visit-step2-phone.png", full_page=True)


def test_continue_here_calls_the_next_step_at_the_same_counter(desk):
    first = visit("birth", "passport")  # olga serves both
    at_open_counter(desk)
    button(desk, "Call next").click()
    button(desk, "Start").click()
    set_note(first.id, "Ask for the old passport.", by=SYSTEM)  # e.g. from another tab
    button(desk, "Finish").click()
    dialog = desk.get_by_role("dialog", name="Finish step 1 of 2")
    expect(dialog.get_by_role("radio", name="Next: Passport renewal — back to the waiting room")).to_be_checked()
    dialog.get_by_role("radio", name="Continue here: Passport renewal at this counter").check()
    dialog.get_by_role("button", name="Finish step").click()
    expect(desk.get_by_role("status")).to_have_text("A001: step finished. Passport renewal continues here.")
    expect(desk.locator("#service")).to_have_text("Passport renewal")
    expect(desk.locator("#note-received")).to_have_text("Note on the visit: Ask for the old passport.")
    expect(desk.get_by_label("Note for the next clerk")).to_have_value("Ask for the old passport.")
    expect(desk.locator("#number")).to_have_text("A001")
    expect(desk.locator("#status")).to_have_text("Called")
    expect(desk.locator("#steps li")).to_have_text(["✓ Birth registration done", "● Passport renewal this one"])
    done, second = rows_of(first)
    assert (done.status, second.status, second.counter.code, second.step) == ("done", "called", "HQ-07", 2)


def test_add_and_remove_steps_and_a_refusal_in_words(desk, shots):
    roster_only_ana_at_midnight()  # ben (information) is not rostered today: nobody serves it
    at_open_counter(desk)  # olga's open counter serves birth, passport and tax
    first = visit("birth")
    button(desk, "Call next").click()
    expect(desk.locator("#steps-block")).to_be_hidden()  # one step: nothing to list
    add = desk.get_by_label("Add a step (a need found at the counter)")
    expect(add.locator('option[value="birth"]')).to_be_disabled()  # already a step
    add.select_option(label="Tax question")
    button(desk, "Add step").click()
    expect(desk.get_by_role("status")).to_have_text("Step added: Tax question.")
    add.select_option(label="Passport renewal")
    button(desk, "Add step").click()
    expect(desk.locator("#steps li")).to_have_text(["● Birth registration this one", "○ Tax question to come Remove Tax question",
                                                    "○ Passport renewal to come Remove Passport renewal"])
    expect(add.locator('option[value="tax"]')).to_be_disabled()
    add.select_option(label="Information")
    button(desk, "Add step").click()
    expect(desk.locator("#visit-error")).to_have_text("Nobody serves this service here for the rest of today.")
    desk.screenshot(path=shots / "counter-visit-add-refused-en.png")
    button(desk, "Remove Tax question").click()
    expect(desk.get_by_role("status")).to_have_text("Step removed: Tax question.")
    expect(desk.locator("#visit-error")).to_be_hidden()
    expect(desk.locator("#steps li")).to_have_text(["● Birth registration this one", "○ Passport renewal to come Remove Passport renewal"])
    (row,) = rows_of(first)
    assert row.next_steps == [db.session.scalar(select(Service.id).where(Service.code == "passport"))]
    actions = list(db.session.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == row.id)))
    assert {"add_step", "drop_step"} <= set(actions)


def test_call_a_named_number_from_the_waiting_list(desk, shots):
    issue_ticket("HQ", "birth", by=SYSTEM)
    visit("passport", "tax")
    named = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    issue_ticket("HQ", "info", by=SYSTEM)  # not olga's: not listed for her counter
    at_open_counter(desk)
    panel = desk.get_by_role("region", name="Waiting for this counter")
    rows = panel.locator("tbody tr")
    expect(rows).to_have_count(3)
    numbers = rows.locator("th").evaluate_all("cells => cells.map(c => c.textContent)")
    assert sorted(numbers) == ["A001", "A002", "B001"]
    expect(panel.locator("tr", has_text="B001")).to_contain_text("step 1 of 2")
    assert axe_problems(desk) == []
    desk.screenshot(path=shots / "counter-waiting-list-en.png")
    panel.get_by_role("button", name="Call this one A002").click()
    expect(desk.locator("#number")).to_have_text("A002")
    expect(rows).to_have_count(2)
    expect(panel.get_by_role("button", name="Call this one A001")).to_be_disabled()  # busy with A002
    called = fresh(Ticket, id=named.id)
    assert (called.status, called.counter.code) == ("called", "HQ-07")
    issue_ticket("HQ", "tax", by=SYSTEM)  # a kiosk issues: the list follows the counter's socket
    expect(rows).to_have_count(3)


def test_the_visit_in_arabic_at_the_counter_and_on_the_phone(desk, phone, shots):
    first = visit("birth", "passport", "tax")
    at_open_counter(desk, lang="&lang=ar")
    expect(desk.locator("html")).to_have_attribute("dir", "rtl")
    desk.get_by_role("button", name=re.compile("استدعاء التالي")).click()
    expect(desk.locator("#steps li")).to_have_count(3)
    expect(desk.locator("#steps-title")).to_have_text("خطوات الزيارة")
    assert axe_problems(desk) == []
    desk.screenshot(path=shots / "counter-visit-ar.png")
    phone.goto(f"/t/{first.token}?lang=ar")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("#steps-title")).to_have_text("زيارتك خطوة بخطوة")
    expect(phone.locator('#steps li[data-step="1"]')).to_contain_text("الآن: يُرجى التوجه إلى الشباك")
    expect(phone.locator('#steps li[data-step="2"]')).to_contain_text("لاحقًا")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_problems(phone) == []
    phone.screenshot(path=shots / "status-visit-ar-phone.png", full_page=True)


def test_a_clerk_sends_the_visitor_to_a_named_counter_which_alone_calls_them(desk, shots):
    from tests.conftest import open_desk

    open_desk("HQ-03", "pia", primary=["birth", "passport"])
    open_desk("HQ-04", "rui", primary=["passport"])
    db.session.commit()
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    at_open_counter(desk)
    button(desk, "Call next").click()
    button(desk, "Start").click()
    button(desk, "Transfer").click()
    dialog = desk.get_by_role("dialog", name=re.compile("Transfer the visitor"))
    choice = dialog.get_by_label("Send to counter")
    expect(choice.locator("option")).to_have_count(3)  # any, counter 3, counter 4 (not this one)
    choice.select_option("HQ-03")
    dialog.get_by_label("Send to service").select_option("birth")  # the same service, to a named counter
    assert axe_problems(desk) == []
    desk.screenshot(path=shots / "counter-transfer-to-counter-en.png")
    dialog.get_by_role("button", name="Transfer", exact=True).click()
    expect(desk.get_by_role("status")).to_contain_text("A001 was sent to")
    sent = fresh(Ticket, transferred_from_id=ticket.id)
    assert (sent.service.code, sent.for_counter.code, sent.status) == ("birth", "HQ-03", "waiting")
    from queue_app.services import call_next

    assert call_next("HQ-04", by=SYSTEM) is None  # rui serves passports: and the sent one is not his
    assert call_next("HQ-03", by=SYSTEM).id == sent.id
