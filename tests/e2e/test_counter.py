"""The clerk's counter page in a real browser: a whole shift of actions without one reload."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Counter, Ticket
from queue_app.services import call_next, create_device, create_user, issue_ticket, open_counter
from tests.conftest import PASSWORD
from tests.sockets import cut_off

CLERK_PC = {"width": 1366, "height": 768}


@pytest.fixture
def desk(page):
    """The page at a clerk's PC, with a clerk (olga) who serves birth and passport, tax as secondary."""
    page.set_viewport_size(CLERK_PC)
    create_user("olga", "clerk", password=PASSWORD, name="Olga Petrova", centres=["HQ"],
                primary=["birth", "passport"], secondary=["tax"])
    return page


def sign_in(page, next_url: str, username: str = "olga") -> None:
    page.goto(f"/login?next={quote(next_url)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def at_open_counter(page, code: str = "HQ-07", lang: str = "") -> None:
    """Olga already has the counter open (e.g. from before a reload) and signs in to it."""
    open_counter(code, "olga", by=SYSTEM)
    sign_in(page, f"/counter?counter={code}{lang}")
    expect(page.locator("#work")).to_be_visible()


def button(page, name: str):
    return page.get_by_role("button", name=name)


def fresh(model, **where):
    """Read a row as the server left it (the browser changed it through another connection)."""
    db.session.rollback()  # end any earlier read: its snapshot would hide the browser's changes
    db.session.expire_all()  # and forget what this session remembers of the row
    return db.session.scalar(db.select(model).filter_by(**where))


def test_anonymous_goes_to_sign_in_and_comes_back_to_the_counter(desk):
    desk.goto("/counter?counter=HQ-07")
    expect(desk).to_have_url(re.compile(r"/login\?next="))
    desk.get_by_label("Username").fill("olga")
    desk.get_by_label("Password").fill(PASSWORD)
    button(desk, "Sign in").click()
    expect(desk).to_have_url(re.compile(r"/counter\?counter=HQ-07$"))
    expect(desk.get_by_role("heading", name="Open counter 7")).to_be_visible()


def test_pick_a_counter_open_it_with_narrowed_skills_and_call(desk, shots):
    open_counter("HQ-02", "ben", by=SYSTEM)
    issue_ticket("HQ", "tax", by=SYSTEM)  # older, but olga narrows tax away for this session
    issue_ticket("HQ", "birth", by=SYSTEM)
    sign_in(desk, "/counter")
    expect(desk.get_by_role("heading", name="Choose a counter")).to_be_visible()
    taken = desk.locator('.desk[data-counter="HQ-02"]')
    expect(taken).to_contain_text("Open")
    expect(taken).to_contain_text("Ben")
    expect(taken.get_by_role("link")).to_have_count(0)  # another clerk's desk is not offered
    desk.screenshot(path=shots / "counter-pick-en.png")
    desk.get_by_role("link", name=re.compile(r"^Counter 7\b")).click()
    expect(desk).to_have_url(re.compile(r"/counter\?counter=HQ-07$"))
    skills = desk.get_by_role("group", name="Services you will serve")
    for name in ("Birth registration", "Passport renewal", "Tax question"):
        expect(skills.get_by_label(name)).to_be_checked()
    skills.get_by_label("Tax question").uncheck()
    desk.screenshot(path=shots / "counter-open-en.png")
    button(desk, "Open counter").click()
    expect(desk.locator("#state-badge")).to_have_text("Open")
    rows = desk.locator("#queue-rows tr")
    expect(rows).to_have_count(2)  # birth and passport; tax is not served here now
    expect(desk.locator('#queue-rows tr[data-service="birth"] .waiting')).to_have_text("1")
    assert fresh(Counter, code="HQ-07").skills == {"primary": ["birth", "passport"], "secondary": []}

    button(desk, "Call next").click()
    current = desk.locator("#current")
    expect(current.locator("#number")).to_have_text("A001")
    expect(current.locator("#service")).to_have_text("Birth registration")
    expect(current.locator("#status")).to_have_text("Called")
    expect(desk.get_by_role("checkbox", name="Medical birth certificate")).not_to_be_checked()
    expect(desk.locator("#elapsed")).to_have_text(re.compile(r"^00:0\d$"))
    expect(desk.locator('#queue-rows tr[data-service="birth"] .waiting')).to_have_text("0")
    desk.get_by_role("checkbox", name="Medical birth certificate").check()
    desk.screenshot(path=shots / "counter-work-en.png")


def test_a_clerk_with_an_open_counter_goes_straight_back_to_it(desk):
    open_counter("HQ-05", "olga", by=SYSTEM)
    issue_ticket("HQ", "birth", by=SYSTEM)
    call_next("HQ-05", by=SYSTEM)
    sign_in(desk, "/counter")
    expect(desk).to_have_url(re.compile(r"/counter\?counter=HQ-05$"))
    expect(desk.locator("#number")).to_have_text("A001")
    desk.reload()  # e.g. the PC restarted: the same counter and visitor come back
    expect(desk.locator("#number")).to_have_text("A001")
    expect(desk.locator("#status")).to_have_text("Called")


def test_another_clerks_counter_is_not_theirs(desk):
    open_counter("HQ-02", "ben", by=SYSTEM)
    sign_in(desk, "/counter?counter=HQ-02")
    expect(desk.get_by_text("This counter is open for ben.")).to_be_visible()
    expect(button(desk, "Call next")).to_be_hidden()


def test_start_then_finish_unresolved_with_a_reason(desk, shots):
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    at_open_counter(desk)
    button(desk, "Call next").click()
    expect(button(desk, "Finish")).to_be_disabled()
    button(desk, "Start").click()
    expect(desk.locator("#status")).to_have_text("Being served")
    expect(desk.locator("#elapsed-label")).to_have_text("Serving for")
    expect(button(desk, "Start")).to_be_disabled()
    button(desk, "Finish").click()
    dialog = desk.get_by_role("dialog", name="Finish the visit")
    expect(dialog).to_be_visible()
    reason = dialog.get_by_label("Reason it was not resolved")
    expect(reason).to_be_disabled()
    dialog.get_by_role("radio", name="Not resolved").check()
    expect(reason).to_be_enabled()
    dialog.get_by_role("button", name="Finish visit").click()  # no reason yet: the form holds it
    expect(dialog).to_be_visible()
    reason.select_option(label="Missing documents")
    desk.screenshot(path=shots / "counter-finish-en.png")
    dialog.get_by_role("button", name="Finish visit").click()
    expect(dialog).to_be_hidden()
    expect(desk.get_by_role("status")).to_have_text("A001 finished.")
    expect(desk.locator("#no-current")).to_be_visible()
    expect(button(desk, "Call next")).to_be_focused()
    done = fresh(Ticket, id=ticket.id)
    assert (done.status, done.outcome, done.reason) == ("done", "unresolved", "missing_documents")


def test_transfer_keeps_the_number_and_shows_in_the_queue(desk):
    issue_ticket("HQ", "birth", by=SYSTEM)
    at_open_counter(desk)
    button(desk, "Call next").click()
    button(desk, "Start").click()
    button(desk, "Transfer").click()
    dialog = desk.get_by_role("dialog", name="Transfer the visitor")
    service = dialog.get_by_label("Send to service")
    expect(service).to_be_focused()
    expect(service.locator('option[value="birth"]')).to_be_disabled()  # not to the same service
    groups = service.locator("optgroup").evaluate_all("groups => groups.map(g => [g.label, g.children.length])")
    assert groups == [["Civil Registry", 2], ["Passports", 2]]  # a large catalogue reads as short lists by agency
    service.select_option(label="Passport renewal")
    dialog.get_by_role("button", name="Transfer", exact=True).click()
    expect(desk.get_by_role("status")).to_have_text(
        "A001 sent to Passport renewal; the visitor keeps the place in line.")
    expect(desk.locator('#queue-rows tr[data-service="passport"] .waiting')).to_have_text("1")
    moved = fresh(Ticket, status="waiting")
    assert (moved.number, moved.service.code, moved.source) == ("A001", "passport", "transfer")


def test_recall_counts_then_no_show(desk):
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    at_open_counter(desk)
    button(desk, "Call next").click()
    expect(desk.locator("#recalls")).to_have_text("")
    button(desk, "Recall").click()
    expect(desk.locator("#recalls")).to_have_text("Recalls: 1")
    button(desk, "Recall").click()
    expect(desk.locator("#recalls")).to_have_text("Recalls: 2")
    button(desk, "No-show").click()
    expect(desk.get_by_role("status")).to_have_text("A001 marked as no-show.")
    expect(desk.locator("#ticket")).to_be_hidden()
    gone = fresh(Ticket, id=ticket.id)
    assert (gone.status, gone.recall_count) == ("no_show", 2)


def test_pause_resume_nobody_waiting_and_close(desk):
    at_open_counter(desk)
    button(desk, "Call next").click()
    expect(desk.get_by_role("status")).to_have_text("Nobody is waiting for your services right now.")
    button(desk, "Pause").click()
    expect(desk.locator("#state-badge")).to_have_text("Paused")
    expect(button(desk, "Call next")).to_be_disabled()
    assert fresh(Counter, code="HQ-07").state == "paused"
    button(desk, "Resume").click()
    expect(desk.locator("#state-badge")).to_have_text("Open")
    expect(button(desk, "Call next")).to_be_enabled()
    button(desk, "Close counter").click()
    dialog = desk.get_by_role("dialog", name="Close counter 7?")
    dialog.get_by_role("button", name="Close counter").click()
    expect(desk.get_by_role("heading", name="Open counter 7")).to_be_visible()
    assert fresh(Counter, code="HQ-07").state == "closed"


def test_a_whole_visit_by_keyboard_alone(desk):
    ticket = issue_ticket("HQ", "birth", by=SYSTEM).ticket
    at_open_counter(desk)
    for key, shortcut in (("Call next", "N"), ("Start", "S"), ("Finish", "F"), ("Pause", "P"), ("Close counter", "C")):
        expect(button(desk, key)).to_have_attribute("aria-keyshortcuts", shortcut)
    desk.keyboard.press("n")
    expect(desk.locator("#number")).to_have_text("A001")
    expect(button(desk, "Start")).to_be_focused()  # focus follows the visit: Enter would start it
    desk.keyboard.press("r")
    expect(desk.locator("#recalls")).to_have_text("Recalls: 1")
    expect(button(desk, "Start")).to_be_enabled()  # (as below: the recall's own answer is in)
    desk.keyboard.press("s")
    expect(desk.locator("#status")).to_have_text("Being served")
    # the visit's news may come by Socket.IO before the start's own answer: the page takes keys
    # again when that answer is in (the buttons enabled), as a clerk sees
    expect(button(desk, "Finish")).to_be_enabled()
    desk.keyboard.press("f")
    dialog = desk.get_by_role("dialog", name="Finish the visit")
    expect(dialog.get_by_label("Resolved", exact=True)).to_be_focused()
    desk.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button(desk, "Finish")).to_be_focused()
    desk.keyboard.press("f")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("status")).to_have_text("A001 finished.")
    assert fresh(Ticket, id=ticket.id).outcome == "resolved"
    desk.keyboard.press("p")
    expect(desk.locator("#state-badge")).to_have_text("Paused")
    desk.keyboard.press("p")
    expect(desk.locator("#state-badge")).to_have_text("Open")
    desk.keyboard.press("c")
    expect(desk.get_by_role("dialog", name="Close counter 7?")).to_be_visible()
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", name="Open counter 7")).to_be_visible()


def test_changes_made_elsewhere_appear_without_reload(desk):
    at_open_counter(desk)
    desk.evaluate("window.__unreloaded = true")
    waiting = desk.locator('#queue-rows tr[data-service="birth"] .waiting')
    expect(waiting).to_have_text("0")
    issue_ticket("HQ", "birth", by=SYSTEM)  # a kiosk issues a ticket
    expect(waiting).to_have_text("1")
    expect(desk.locator("#queue-total")).to_have_text("1")
    call_next("HQ-07", by=SYSTEM)  # e.g. from another tab or the API
    expect(desk.locator("#number")).to_have_text("A001")
    expect(waiting).to_have_text("0")
    assert desk.evaluate("window.__unreloaded") is True


def test_a_lost_connection_shows_a_banner_and_comes_back_right(desk, shots, app):
    at_open_counter(desk)
    banner = desk.get_by_role("alert").filter(has_text="Connection lost")
    expect(banner).to_be_hidden()
    desk.context.set_offline(True)
    cut_off(app, "/counter")
    expect(banner).to_be_visible()
    button(desk, "Call next").click()  # actions stay offered, and say why they fail
    unreachable = desk.get_by_role("alert").filter(has_text="The server cannot be reached.")
    expect(unreachable).to_be_visible()
    desk.screenshot(path=shots / "counter-offline-en.png")
    issue_ticket("HQ", "birth", by=SYSTEM)
    call_next("HQ-07", by=SYSTEM)  # happens while the page is cut off
    desk.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=15_000)
    expect(desk.locator("#number")).to_have_text("A001")  # the state sent on reconnect
    expect(unreachable).to_be_hidden()


def test_a_refusal_shows_the_servers_message(desk):
    open_counter("HQ-03", "olga", by=SYSTEM)
    sign_in(desk, "/counter?counter=HQ-07")  # asks for a second counter explicitly
    button(desk, "Open counter").click()
    # the refusal's code (open_elsewhere) said in the page's language, not the server's English message
    expect(desk.get_by_role("alert")).to_contain_text("You already have another counter open. Close it first.")
    assert fresh(Counter, code="HQ-07").state == "closed"


def test_an_expired_csrf_token_is_renewed_during_the_shift(desk):
    issue_ticket("HQ", "birth", by=SYSTEM)
    at_open_counter(desk)
    desk.evaluate("document.querySelector('meta[name=csrf-token]').content = 'expired'")
    button(desk, "Call next").click()
    expect(desk.locator("#number")).to_have_text("A001")
    expect(desk.locator("meta[name=csrf-token]")).not_to_have_attribute("content", "expired")


def test_an_ended_session_says_sign_in_again(desk):
    issue_ticket("HQ", "birth", by=SYSTEM)
    at_open_counter(desk)
    other = desk.context.new_page()  # the same browser signs out in another tab
    other.goto("/login")
    other.get_by_role("button", name="Sign out").click()
    button(desk, "Call next").click()
    alert = desk.get_by_role("alert").filter(has_text="Your session has ended.")
    expect(alert.get_by_role("link", name="Sign in again")).to_have_attribute(
        "href", "/login?next=/counter?counter%3DHQ-07")
    expect(button(desk, "Call next")).to_be_disabled()


def test_the_page_in_russian(desk, shots):
    issue_ticket("HQ", "birth", by=SYSTEM)
    sign_in(desk, "/counter?lang=ru")
    expect(desk.locator("html")).to_have_attribute("lang", "ru")
    expect(desk.get_by_role("heading", name="Выберите окно")).to_be_visible()
    desk.screenshot(path=shots / "counter-pick-ru.png")
    desk.get_by_role("link", name=re.compile(r"^Окно 7\b")).click()
    expect(desk.get_by_role("link", name="Русский")).to_have_attribute("aria-current", "true")
    expect(desk.get_by_label("Регистрация рождения")).to_be_checked()
    button(desk, "Открыть окно").click()
    button(desk, "Вызвать следующего").click()
    expect(desk.locator("#service")).to_have_text("Регистрация рождения")
    expect(desk.locator("#status")).to_have_text("Вызван")
    expect(desk.get_by_role("checkbox", name="Медицинское свидетельство о рождении")).to_be_visible()
    expect(desk.locator("#queue-total")).to_have_text("0")
    desk.screenshot(path=shots / "counter-work-ru.png")
    button(desk, "Начать").click()
    button(desk, "Завершить").click()
    dialog = desk.get_by_role("dialog", name="Завершить приём")
    dialog.get_by_role("radio", name="Не решён").check()
    dialog.get_by_label("Почему вопрос не решён").select_option(label="Нужно другое ведомство")
    desk.screenshot(path=shots / "counter-finish-ru.png")
    dialog.get_by_role("button", name="Завершить", exact=True).click()
    expect(desk.get_by_role("status")).to_have_text("A001: приём завершён.")


def test_devices_and_strangers_get_the_sign_in_page(page):
    kiosk = create_device("kiosk", "HQ", printer="dummy://").token
    page.goto("/counter")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcounter$"))
    page.goto(f"/counter?token={kiosk}")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    page.set_extra_http_headers({"Authorization": f"Bearer {kiosk}"})
    page.goto("/counter")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()


def test_a_priority_visitor_is_marked_at_the_counter(desk):
    issue_ticket("HQ", "birth", priority=True, by=SYSTEM)
    at_open_counter(desk)
    button(desk, "Call next").click()
    expect(desk.locator("#kind")).to_have_text("Priority visitor")
