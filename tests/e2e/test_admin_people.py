"""The staff and device pages in Chromium: a manager adds a clerk (the first password shown once with a
copy button), gives skills by agency, registers a kiosk whose tcp:// printer is the printer stand-in,
reads its token and set-up QR once (not again on reload) and prints a test ticket the stand-in
receives; revoke asks first; every language, Arabic right to left; axe-core clean; screenshots."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from queue_app.services import create_user
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_admin_home import in_language
from tests.e2e.test_reports import sign_in
from tests.printer_standin import PrinterStandIn


@pytest.fixture
def people(page):
    """mia manages HQ; ada is an admin; carl is an HQ clerk."""
    create_user("mia", "manager", password=PASSWORD, name="Mia Lopez", centres=["HQ"])
    create_user("ada", "admin", password=PASSWORD, name="Ada King", centres=[])
    create_user("carl", "clerk", password=PASSWORD, name="Carl Diaz", centres=["HQ"], primary=["birth"])
    return page


@pytest.fixture
def printer():
    stand_in = PrinterStandIn().start()
    yield stand_in
    stand_in.stop()


def test_a_manager_adds_a_clerk_and_a_kiosk_and_prints_a_test_ticket(people, printer, shots):
    page = people
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "/admin/staff?lang=en", "mia")
    expect(page.locator(".staff-rows tr[data-username=\"carl\"]")).to_have_count(1)  # HQ's people
    expect(page.locator(".staff-rows tr[data-username=\"ada\"]")).to_have_count(0)  # not an admin of the network
    assert axe_problems(page) == []
    page.get_by_label("Username").fill("zoe")
    page.get_by_label("Full name").fill("Zoe Park")
    expect(page.get_by_label("Role", exact=True).locator("option")).to_have_count(1)  # a manager adds clerks only
    page.get_by_role("button", name="Add").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Zoe Park")
    password = page.locator("#password").inner_text()
    assert len(password) >= 12
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#password-copied")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == password
    page.locator("details.agency", has=page.locator("#skill-passport")).locator("summary").click()  # its agency, folded
    page.get_by_label("Passport").select_option("primary")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-person-en.png", full_page=True)
    page.get_by_role("button", name="Save the skills").click()
    expect(page.get_by_text("The skills are saved.")).to_be_visible()
    expect(page.locator("#password")).to_have_count(0)  # shown once
    expect(page.get_by_label("Passport")).to_have_value("primary")

    page.get_by_role("link", name="Devices").click()
    page.get_by_label("Kind").select_option("kiosk")
    page.get_by_label("Name").fill("Door kiosk")
    page.get_by_label("Printer (kiosks)").fill(f"tcp://127.0.0.1:{printer.port}")
    page.get_by_role("button", name="Register").click()
    token = page.locator("#token").inner_text()
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.locator(".setup-url")).to_contain_text(f"token={token}")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-device-new-en.png", full_page=True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Door kiosk")
    expect(page.locator("#token")).to_have_count(0)
    assert token not in page.content()

    page.get_by_role("button", name="Print a test ticket").click()
    expect(page.get_by_text("The printer confirmed the test ticket.")).to_be_visible()
    assert len(printer.tickets()) == 1
    page.get_by_role("link", name="Revoke…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke the device?")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("button", name="Print a test ticket")).to_be_visible()
    page.get_by_role("link", name="All devices").click()
    expect(page.locator(".device-rows tbody tr", has_text="Door kiosk")).to_contain_text("OK")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-devices-en.png", full_page=True)


def test_the_test_print_shows_the_printers_error_and_revoking_stops_the_device(people, printer, shots):
    page = people
    sign_in(page, "/admin/devices?lang=en", "ada")
    page.get_by_label("Centre", exact=True).select_option("HQ")
    page.get_by_label("Printer (kiosks)").fill(f"tcp://127.0.0.1:{printer.port}")
    page.get_by_role("button", name="Register").click()
    printer.mode = "paper_out"
    page.get_by_role("button", name="Print a test ticket").click()
    expect(page.locator(".flash-error")).to_contain_text("did not print")
    expect(page.locator("table.data tbody tr")).to_have_count(1)  # the fault history
    page.screenshot(path=shots / "admin-device-fault-en.png", full_page=True)
    page.get_by_role("link", name="Revoke…").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The device is revoked: its token no longer works.")).to_be_visible()
    expect(page.get_by_role("button", name="Print a test ticket")).to_have_count(0)


@pytest.mark.parametrize("lang, heading, direction", [
    ("en", "Staff", "ltr"), ("es", "Personal", "ltr"), ("ru", "Сотрудники", "ltr"), ("ar", "الموظفون", "rtl")])
def test_the_staff_page_in_every_language(people, shots, lang, heading, direction):
    in_language(people, shots, "/admin/staff", lang, heading, direction, "admin-staff")


@pytest.mark.parametrize("lang, heading, direction", [
    ("es", "Dispositivos", "ltr"), ("ru", "Устройства", "ltr"), ("ar", "الأجهزة", "rtl")])
def test_the_devices_page_in_every_language(people, shots, lang, heading, direction):
    in_language(people, shots, "/admin/devices", lang, heading, direction, "admin-devices")


@pytest.mark.parametrize("lang", ["es", "ru", "ar"])
def test_a_persons_page_in_every_language(people, shots, lang):
    sign_in(people, f"/admin/staff/carl?lang={lang}", "ada")
    expect(people.get_by_role("heading", level=1)).to_contain_text("Carl Diaz")
    assert axe_problems(people) == []
    people.screenshot(path=shots / f"admin-person-{lang}.png", full_page=True)
