"""The catalogue pages in Chromium: an admin adds a service in four languages through the form, and it
appears on the kiosks of two centres without a reload — at once on a kiosk at its start screen, and on
one where a visitor is mid-way (in Arabic) once it is back at the start; the pages in every language,
Arabic right to left, axe-core clean; a manager reads without controls; screenshots."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Centre, Service
from queue_app.services import create_device, create_user
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_reports import sign_in

NAMES = {"en": "Pension claim", "es": "Solicitud de pensión", "ru": "Оформление пенсии", "ar": "طلب معاش"}


@pytest.fixture
def people(page):
    create_user("ada", "admin", password=PASSWORD, name="Ada King", centres=[])
    create_user("mara", "manager", password=PASSWORD, name="Mara Diaz", centres=["HQ"])
    nyc = db.session.scalar(select(Centre).where(Centre.code == "NYC"))
    nyc.hours = {"always_open": True, "weekly": {}, "exceptions": {}}  # its kiosk offers services whenever the test runs
    db.session.commit()
    return page


def open_kiosk(browser, live_server, centre: str):
    """A kiosk of `centre` in its own browser context (its cookie), at its start screen."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1080, "height": 1920}, locale="en-GB")
    kiosk = context.new_page()
    kiosk.goto(f"/kiosk?token={create_device('kiosk', centre).token}")
    expect(kiosk.get_by_role("button", name="English", exact=True)).to_be_visible()
    kiosk.wait_for_function("window.io !== undefined")
    return kiosk


def test_a_service_added_on_the_admin_page_reaches_two_kiosks_without_a_reload(people, browser, live_server, shots):
    page = people
    agency = db.session.scalar(select(Service).where(Service.code == "passport")).agency.code
    hq, nyc = open_kiosk(browser, live_server, "HQ"), open_kiosk(browser, live_server, "NYC")
    before = hq.locator("#kiosk").get_attribute("data-catalogue")
    nyc.get_by_role("button", name="العربية").click()  # a visitor at NYC is choosing, in Arabic
    nyc.get_by_role("tab", name="حسب الجهة").click()
    nyc.locator(f"#panel-agencies button[data-group={agency}]").click()
    expect(nyc.locator("#panel-agencies button[data-service]")).to_have_count(2)

    sign_in(page, "/admin/services/new?lang=en", "ada")
    page.get_by_label("Code").fill("pension")
    page.get_by_label("Agency").select_option(agency)
    page.get_by_label("Line (ticket prefix)").fill("P")
    page.get_by_label("Usual duration (minutes)").fill("15")
    for lang, name in NAMES.items():
        field = page.locator(f"#name_{lang}")
        assert (field.get_attribute("lang"), field.get_attribute("dir")) == (lang, "rtl" if lang == "ar" else "ltr")
        field.fill(name)
        page.locator(f"#documents_{lang}").fill(f"ID ({lang})")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-service-form-en.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services")
    expect(page.locator("tr[data-service=pension]")).to_contain_text("Solicitud de pensión")

    # HQ's kiosk, at its start, takes the new menu at once
    expect(hq.locator("#kiosk")).not_to_have_attribute("data-catalogue", before)
    hq.get_by_role("button", name="English", exact=True).click()
    hq.get_by_role("tab", name="By agency").click()
    hq.locator(f"#panel-agencies button[data-group={agency}]").click()
    expect(hq.locator("#panel-agencies button[data-service=pension]")).to_contain_text(NAMES["en"])
    hq.screenshot(path=shots / "kiosk-new-service-hq-en.png")

    # NYC's visitor is not disturbed: the menu changes once the kiosk is back at its start
    expect(nyc.locator("#panel-agencies button[data-service]")).to_have_count(2)
    nyc.locator("#restart").click()
    expect(nyc.locator("#kiosk")).not_to_have_attribute("data-catalogue", before)
    nyc.get_by_role("button", name="العربية").click()
    nyc.get_by_role("tab", name="حسب الجهة").click()
    nyc.locator(f"#panel-agencies button[data-group={agency}]").click()
    expect(nyc.locator("#panel-agencies button[data-service=pension]")).to_contain_text(NAMES["ar"])
    assert nyc.evaluate("document.documentElement.dir") == "rtl"
    nyc.screenshot(path=shots / "kiosk-new-service-nyc-ar.png")
    for kiosk in (hq, nyc):
        kiosk.context.close()


@pytest.mark.parametrize("url,lang,heading,direction", [
    ("/admin/services", "en", "Services", "ltr"), ("/admin/services", "es", "Servicios", "ltr"),
    ("/admin/agencies", "ru", "Ведомства", "ltr"), ("/admin/life-events", "ar", "مواقف الحياة", "rtl"),
    ("/admin/services/new", "ar", "إضافة خدمة", "rtl"), ("/admin/life-events/new", "es", "Añadir una situación vital", "ltr"),
])
def test_the_pages_in_every_language(people, shots, url, lang, heading, direction):
    page = people
    sign_in(page, f"{url}?lang={lang}", "ada")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert page.evaluate("document.documentElement.dir") == direction
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"admin-{url.strip('/').replace('/', '-')}-{lang}.png", full_page=True)


def test_a_manager_reads_the_catalogue_without_controls(people, shots):
    page = people
    sign_in(page, "/admin/services?lang=en", "mara")
    expect(page.get_by_text("Only an administrator changes the catalogue.")).to_be_visible()
    expect(page.get_by_role("link", name="Add a service")).to_have_count(0)
    expect(page.get_by_role("link", name="Withdraw", exact=False)).to_have_count(0)
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-services-manager-en.png", full_page=True)
