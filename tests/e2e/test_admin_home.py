"""The admin home in Chromium: a manager of HQ sees the health of HQ only (a silent kiosk, a failing
printer), reaches the roster from the gaps by keyboard; an admin sees the network and the catalogue's
missing translations; every language, Arabic right to left; axe-core clean; screenshots."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from queue_app.services import create_user
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_reports import sign_in
from tests.integration.test_admin_pages import make_troubles


@pytest.fixture
def troubled(page):
    """The troubles of tests/integration/test_admin_pages.py; mara manages HQ, ada is an admin."""
    make_troubles()
    create_user("mara", "manager", password=PASSWORD, name="Mara Diaz", centres=["HQ"])
    create_user("ada", "admin", password=PASSWORD, name="Ada King", centres=[])
    return page


def in_language(page, shots, url: str, lang: str, heading: str, direction: str, shot: str) -> None:
    """Signed in as ada, the page at `url` in `lang`: its heading, its direction, axe-core clean; a screenshot."""
    sign_in(page, f"{url}?lang={lang}", "ada")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert page.evaluate("document.documentElement.dir") == direction
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"{shot}-{lang}.png", full_page=True)


def figure(page, label: str):
    return page.locator(".health-figures .kpi", has_text=label).locator("dd")


def test_a_manager_sees_their_centres_health_and_acts_by_keyboard(troubled, shots):
    page = troubled
    sign_in(page, "/admin/?lang=en", "mara")
    expect(page.get_by_role("heading", level=1)).to_have_text("Network health")
    expect(figure(page, "Centres open now")).to_have_text("1 of 1")
    expect(figure(page, "Devices silent")).to_have_text("1")
    expect(figure(page, "Printers failing")).to_have_text("1")
    expect(page.locator("#silent-title + .alerts")).to_contain_text("Lobby kiosk")
    expect(page.locator("#printers-title + .alerts")).to_contain_text("connection refused")
    expect(page.locator("main")).not_to_contain_text("NYC screen")
    expect(page.locator("main")).not_to_contain_text("New York")
    expect(page.get_by_text("Texts missing a translation")).to_have_count(0)
    page.wait_for_function("document.getElementById('gaps-chart').width > 0 && window.Chart !== undefined")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-home-manager-en.png", full_page=True)

    # the navigation by keyboard: Tab to the audit trail, Enter; back; Tab into the centres' roster
    page.locator("body").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Audit trail":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/audit")
    page.go_back()
    roster = page.get_by_role("link", name="Roster · Headquarters:")
    roster.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/manager/HQ/roster")


def test_an_admin_sees_the_network_and_missing_translations(troubled, shots):
    page = troubled
    sign_in(page, "/admin/?lang=en", "ada")
    expect(figure(page, "Centres open now")).to_contain_text("of 2")
    expect(figure(page, "Devices silent")).to_have_text("2")  # HQ's kiosk, NYC's screen
    expect(figure(page, "Texts missing a translation")).to_have_text("1")
    expect(page.locator("#translations")).to_contain_text("العربية")
    page.get_by_text("Rosters and planners").click()
    expect(page.get_by_role("link", name="Planner · New York").first).to_be_visible()
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-home-admin-en.png", full_page=True)


@pytest.mark.parametrize("lang, heading, direction", [
    ("es", "Estado de la red", "ltr"), ("ru", "Состояние сети", "ltr"), ("ar", "حالة الشبكة", "rtl")])
def test_the_home_in_every_language(troubled, shots, lang, heading, direction):
    in_language(troubled, shots, "/admin/", lang, heading, direction, "admin-home")
