"""The languages page in Chromium: an admin adds French, sees it in the table and in the pages' language
picker (the interface in English, as no catalogue speaks French), and the network health page lists
the texts missing French; a removal asks first; the page in en, es, ru and ar (right to left),
axe-core clean; screenshots."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from queue_app.services import create_user
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_reports import sign_in


@pytest.fixture
def admin_page(page):
    create_user("ada", "admin", password=PASSWORD, name="Ada King", centres=[])
    return page


def test_an_admin_adds_french_and_the_pages_offer_it(admin_page, shots):
    page = admin_page
    sign_in(page, "/admin/languages?lang=en", "ada")
    expect(page.get_by_role("heading", level=1)).to_have_text("Languages")
    expect(page.locator("nav.admin-nav a[aria-current=page]")).to_have_text("Languages")
    expect(page.get_by_text("translated into these languages only")).to_contain_text("العربية")
    page.get_by_label("Code").fill("fr")
    page.get_by_label("Name in the language itself").fill("Français")
    page.get_by_role("button", name="Add the language").click()
    expect(page.get_by_role("status")).to_contain_text("Français was added")
    row = page.locator("tr[data-language=fr]")
    expect(row).to_contain_text("Français")
    expect(row).to_contain_text("In English")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-languages-added-en.png", full_page=True)

    # the pages' language picker offers it; in French the interface stays English, left to right
    picker = page.get_by_role("navigation", name="Language")
    expect(picker.get_by_role("link", name="Français")).to_be_visible()
    picker.get_by_role("link", name="Français").click()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fr", "ltr"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Languages")

    # the count of texts lacking French leads to the network health page's list of them
    missing = row.get_by_role("link", name="texts lack Français")
    count = int(missing.inner_text())
    missing.click()
    expect(page.locator("#translations tbody tr")).to_have_count(count)
    expect(page.locator("#translations")).to_contain_text("Français")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-home-missing-french.png", full_page=True)

    # a removal asks first, and says the texts are kept
    page.goto("/admin/languages?lang=en")
    page.locator("tr[data-language=fr]").get_by_role("link", name="Remove · Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove the language?")
    expect(page.get_by_text("they come back")).to_be_visible()
    assert axe_problems(page) == []
    page.get_by_role("button", name="Remove").click()
    expect(page.locator("tr[data-language=fr]")).to_have_count(0)


def test_a_refused_code_is_shown_beside_its_field(admin_page):
    page = admin_page
    sign_in(page, "/admin/languages?lang=en", "ada")
    page.get_by_label("Code").fill("zz")
    page.get_by_label("Name in the language itself").fill("Zed")
    page.get_by_role("button", name="Add the language").click()
    expect(page.locator("#code-error")).to_contain_text("not a language the pages can be shown in")
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    assert axe_problems(page) == []


@pytest.mark.parametrize("lang,heading,direction", [
    ("en", "Languages", "ltr"), ("es", "Idiomas", "ltr"), ("ru", "Языки", "ltr"), ("ar", "اللغات", "rtl"),
])
def test_the_page_in_every_language(admin_page, shots, lang, heading, direction):
    page = admin_page
    sign_in(page, f"/admin/languages?lang={lang}", "ada")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert page.evaluate("document.documentElement.dir") == direction
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"admin-languages-{lang}.png", full_page=True)
    page.locator("tr[data-language=es] a").first.click()  # rename
    page.wait_for_url("**/admin/languages/es**")  # loaded: axe looks at the rename page, not the list leaving
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"admin-language-rename-{lang}.png", full_page=True)
