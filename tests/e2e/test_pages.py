"""The sign-in page and the visitor's ticket status page, in a real browser."""
import re

from playwright.sync_api import expect

from queue_app.domain.access import SYSTEM
from queue_app.services import call_next, create_user, issue_ticket
from tests.conftest import PASSWORD, open_desk


def test_sign_in_wrong_then_right_then_out(page, shots):
    create_user("lena", "manager", password=PASSWORD, name="Lena Ortiz", centres=["HQ"])
    page.goto("/login")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    page.screenshot(path=shots / "login-en.png")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in as Lena Ortiz (manager).")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    expect(page.get_by_label("Username")).to_be_visible()


def test_sign_in_by_keyboard_alone(page):
    create_user("kim", "manager", password=PASSWORD, centres=["HQ"])
    page.goto("/login")
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus
    page.keyboard.type("kim")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are signed in as kim")).to_be_visible()


def test_sign_in_page_in_russian(page, shots):
    page.goto("/login?lang=ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Вход для сотрудников")).to_be_visible()
    expect(page.get_by_label("Имя пользователя")).to_be_visible()
    page.screenshot(path=shots / "login-ru.png")


def test_a_next_parameter_never_leaves_the_site(page):
    create_user("lena", "manager", password=PASSWORD, centres=["HQ"])
    page.goto("/login?next=https://evil.example/")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/login$"))


def test_ticket_status_page_follows_the_call(page, shots):
    page.clock.install()
    open_desk("HQ-07", "c7", primary=["birth"])
    first = issue_ticket("HQ", "birth", language="es", by=SYSTEM).ticket
    mine = issue_ticket("HQ", "birth", language="es", by=SYSTEM).ticket
    page.goto(f"/t/{mine.token}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#number")).to_have_text("A002")
    expect(page.get_by_text("Personas delante de usted")).to_be_visible()
    expect(page.locator("#ahead")).to_have_text("1")
    page.screenshot(path=shots / "status-waiting-es.png")
    call_next("HQ-07", by=SYSTEM)  # the first visitor is called: one fewer ahead of us
    page.clock.fast_forward(16_000)
    expect(page.locator("#ahead")).to_have_text("0")
    from queue_app.services import finish, start

    start(first.id, by=SYSTEM)
    finish(first.id, "resolved", by=SYSTEM)
    call_next("HQ-07", by=SYSTEM)
    page.clock.fast_forward(16_000)
    expect(page.get_by_text("Diríjase a la ventanilla 7")).to_be_visible()
    page.screenshot(path=shots / "status-called-es.png")


def test_an_unknown_ticket_says_so(page):
    response = page.goto("/t/no-such-ticket")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Ticket not found")).to_be_visible()
