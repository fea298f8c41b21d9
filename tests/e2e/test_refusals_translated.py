"""Refusals in the visitor's language in Chromium: the kiosk shows the text of the refusal's code in
the language on screen (never the server's English message), the sign-in prompt and the error pages
speak the page's language."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from queue_app.services import create_user
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_kiosk import book, open_kiosk, portrait, tap, type_on_screen  # noqa: F401  (a fixture)

UNKNOWN_RU = "Записи с таким кодом нет. Проверьте код в подтверждении и попробуйте ещё раз."
EARLY_ES = "Aún es pronto para registrar la llegada a esta cita. Vuelva más cerca de la hora."
BAD_PHONE_RU = "Этот номер телефона не подходит. Введите его с кодом страны, например +34 612 345 678."


def russian_kiosk(context):
    page = open_kiosk(context)
    tap(page, "Русский", exact=True)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    return page


def check_in(page, code: str, heading: str, button: str) -> dict:
    """Type the code and check in; the server's refusal as it answered."""
    page.locator("#appointment-find").click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    type_on_screen(page, page.locator("#code-keys").get_attribute("aria-label"), code)
    with page.expect_response(re.compile(r"/check-in$")) as answer:
        tap(page, button)
    return answer.value.json()["error"]


def test_an_unknown_appointment_code_is_said_in_russian(portrait, shots):
    page = russian_kiosk(portrait)
    refusal = check_in(page, "ZZZZ1234", "Отметиться по записи", "Отметиться")
    assert refusal["code"] == "unknown_appointment"
    alert = page.locator("#code-error")
    expect(alert).to_have_text(UNKNOWN_RU)
    assert refusal["message"] not in alert.inner_text()
    page.screenshot(path=shots / "refusal-kiosk-unknown-code-ru.png")
    assert axe_problems(page) == []


def test_too_early_is_said_in_spanish(portrait, shots):
    book("EARLY234", timedelta(hours=3))
    page = open_kiosk(portrait)
    tap(page, "Español", exact=True)
    refusal = check_in(page, "EARLY234", "Registrar llegada con cita", "Registrar llegada")
    assert refusal["code"] == "too_early"
    expect(page.locator("#code-error")).to_have_text(EARLY_ES)
    page.screenshot(path=shots / "refusal-kiosk-too-early-es.png")


def test_a_bad_phone_is_said_in_russian(portrait, shots):
    page = russian_kiosk(portrait)
    page.get_by_role("tab", name="По ведомству").click()
    page.locator("#panel-agencies button[data-group]").first.click()
    page.locator("#panel-agencies button[data-service]").first.click()
    page.locator("#take").click()
    page.locator("#priority-no").click()
    type_on_screen(page, page.locator("#phone-keys").get_attribute("aria-label"), "12")
    with page.expect_response(re.compile(r"/tickets$")) as answer:
        page.locator("#phone-send").click()
    assert answer.value.status == 422
    expect(page.locator("#phone-error")).to_have_text(BAD_PHONE_RU)
    page.screenshot(path=shots / "refusal-kiosk-bad-phone-ru.png")


def test_the_sign_in_prompt_and_a_forbidden_page_in_russian(browser, ctx, live_server, shots):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="ru-RU")
    try:
        page = context.new_page()
        page.goto("/manager")
        expect(page.locator(".flash")).to_have_text("Войдите, чтобы увидеть эту страницу.")
        page.screenshot(path=shots / "refusal-sign-in-ru.png")
        create_user("mia", "manager", password=PASSWORD, centres=["HQ"])
        page.get_by_label("Имя пользователя").fill("mia")
        page.get_by_label("Пароль").fill(PASSWORD)
        page.get_by_role("button", name="Войти").click()
        answer = page.goto("/manager/NYC")
        assert answer.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Доступ запрещён")
        expect(page.get_by_role("alert")).to_contain_text("У вас нет доступа к этой странице")
        page.screenshot(path=shots / "refusal-403-ru.png")
        assert axe_problems(page) == []
    finally:
        context.close()
