"""The staff and device pages in Chromium: a manager adds a clerk (the first password shown once with a
copy button), gives skills by agency, registers a kiosk whose tcp:// printer is the printer stand-in,
reads its token and set-up QR once (not again on reload) and prints a test ticket the stand-in
receives; revoke asks first; every language, Arabic right to left; axe-core clean; screenshots."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from queue_app.services import create_device, create_user
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
    assert len(printer.wait_for_tickets(1)) == 1  # noted once the job's connection ends
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


@pytest.fixture
def two_centres(people):
    """lu manages HQ and NYC; HQ has a kiosk with the printer stand-in's address."""
    create_user("lu", "manager", password=PASSWORD, name="Lu Chen", centres=["HQ", "NYC"])
    create_device("kiosk", "HQ", name="Door kiosk", printer="tcp://127.0.0.1:9100")
    return people


def test_a_manager_moves_a_clerk_to_a_second_centre_and_renames_a_kiosk(two_centres, shots):
    page = two_centres
    sign_in(page, "/admin/staff/carl?lang=en", "lu")
    form = page.locator("form", has=page.get_by_role("button", name="Save the account"))
    expect(form.get_by_role("combobox")).to_have_count(0)  # the role read only: a manager changes none
    expect(form).to_contain_text("Only an administrator changes a role.")
    hq, nyc = form.get_by_role("checkbox", name=re.compile("^HQ")), form.get_by_role("checkbox", name=re.compile("^NYC"))
    expect(hq).to_be_checked()
    nyc.focus()
    page.keyboard.press("Space")  # by keyboard: both ticked now, which a clerk may not be
    form.get_by_role("button", name="Save the account").click()
    expect(page.locator("#centres-error")).to_contain_text("a clerk works at exactly one centre")
    expect(page.get_by_role("checkbox", name=re.compile("^NYC"))).to_be_checked()  # the form as it was sent
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-person-edit-refused-en.png", full_page=True)
    page.get_by_role("checkbox", name=re.compile("^HQ")).uncheck()
    page.get_by_label("Full name").fill("Carl Díaz")
    page.get_by_role("button", name="Save the account").click()
    expect(page.get_by_text("The account is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Carl Díaz")
    expect(page.locator(".facts")).to_contain_text("NYC")
    expect(page.locator(".facts")).not_to_contain_text("HQ")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-person-edit-en.png", full_page=True)

    page.get_by_role("link", name="Devices").click()
    page.get_by_role("link", name="Door kiosk").click()
    page.get_by_label("Printer", exact=True).fill("usb://04b8:0202")
    page.get_by_role("button", name="Save the device").click()
    expect(page.locator("#printer-error")).to_contain_text("a printer set here is a network printer")
    expect(page.get_by_label("Printer", exact=True)).to_have_attribute("aria-invalid", "true")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-device-edit-refused-en.png", full_page=True)
    page.get_by_label("Name", exact=True).fill("Lobby kiosk")
    page.get_by_label("Printer", exact=True).fill("")  # no printer
    page.get_by_role("button", name="Save the device").click()
    expect(page.get_by_text("The device is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lobby kiosk")
    expect(page.get_by_role("button", name="Print a test ticket")).to_have_count(0)  # no printer now
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-device-edit-en.png", full_page=True)


def test_the_edit_forms_right_to_left_in_arabic(two_centres, shots):
    page = two_centres
    sign_in(page, "/admin/staff/carl?lang=ar", "lu")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.locator("#edit-title").scroll_into_view_if_needed()
    page.locator("form", has=page.locator("#name")).get_by_role("checkbox").nth(1).check()
    page.locator("form", has=page.locator("#name")).locator("button[type=submit]").click()
    expect(page.locator("#centres-error")).not_to_be_empty()
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-person-edit-ar.png", full_page=True)
    page.goto("/admin/devices?lang=ar")
    page.get_by_role("link", name="Door kiosk").click()
    expect(page.locator("#edit-title")).to_have_text("الاسم والطابعة")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-device-edit-ar.png", full_page=True)
